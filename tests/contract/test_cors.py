"""CORS as the seed had it: with CORS_ORIGINS, a listed origin's preflight answers 200 with that
origin (and credentials), and its requests pass; by default, same origin only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer
from tests.contract.conftest import start_seed_server

FRONTEND = "http://localhost:3000"  # where the seed's Next.js frontend ran
PREFLIGHT = {
    "origin": FRONTEND,
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type",
}


@pytest.fixture(scope="module")
def cors_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("cors")
    with start_seed_server(root, sqlite_template, server={"cors_origins": [FRONTEND]}) as server:
        yield server


@pytest.mark.parametrize("path", ["/api/chat", "/api/proactive/feedback/1", "/api/proactive/user-action"])
def test_a_listed_origins_preflight_answers_200_with_that_origin(cors_server: LiveServer, path: str) -> None:
    response = httpx.options(cors_server.url + path, headers=PREFLIGHT, timeout=5)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"]
    with_auth = httpx.options(
        cors_server.url + path, headers={**PREFLIGHT, "access-control-request-headers": "authorization"}, timeout=5
    )
    assert with_auth.status_code == 200  # the seed allowed Authorization too


def test_a_listed_origins_reads_and_writes_pass_with_its_origin(cors_server: LiveServer) -> None:
    # What a browser on the frontend's origin sends: it is same-site (another port), not same-origin.
    headers = {"origin": FRONTEND, "sec-fetch-site": "same-site"}
    read = httpx.get(cors_server.url + "/health", headers=headers, timeout=5)
    assert read.headers["access-control-allow-origin"] == FRONTEND  # the seed's CORS test
    action = {"actionType": "click", "target": "business"}
    written = httpx.post(cors_server.url + "/api/proactive/user-action", json=action, headers=headers, timeout=5)
    assert written.status_code == 200, written.text
    assert written.headers["access-control-allow-origin"] == FRONTEND


def test_another_origin_gets_no_cors_and_cannot_write(cors_server: LiveServer) -> None:
    other = {**PREFLIGHT, "origin": "http://evil.example"}
    response = httpx.options(cors_server.url + "/api/chat", headers=other, timeout=5)
    assert response.status_code == 400 and "access-control-allow-origin" not in response.headers
    headers = {"origin": "http://evil.example", "sec-fetch-site": "cross-site"}
    written = httpx.post(
        cors_server.url + "/api/proactive/user-action",
        json={"actionType": "click", "target": "x"},
        headers=headers,
        timeout=5,
    )
    assert written.status_code == 403 and written.json()["code"] == "cross_site"


def test_by_default_same_origin_only(tmp_path: Path, sqlite_template: Path) -> None:
    with start_seed_server(tmp_path, sqlite_template) as server:
        response = httpx.options(server.url + "/api/chat", headers=PREFLIGHT, timeout=5)
        assert "access-control-allow-origin" not in response.headers
        read = httpx.get(server.url + "/health", headers={"origin": FRONTEND}, timeout=5)
        assert "access-control-allow-origin" not in read.headers
