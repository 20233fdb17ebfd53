"""Services created through the API connect only where `server.outbound_allow` lets them (SSRF)."""

from __future__ import annotations

import httpx
import pytest

from jarvis.core.context import AppContext
from jarvis.core.http import fetch, make_client
from jarvis.core.outbound import OutboundPolicy
from jarvis.health.scheduler import HealthScheduler
from tests.health.servers import Peer

DEFAULT = OutboundPolicy(["127.0.0.0/8", "::1/128"])


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("::ffff:169.254.169.254", "link-local"),  # the same, IPv4-mapped
        ("fe80::1", "link-local"),
        ("10.0.0.5", "private"),
        ("192.168.1.1", "private"),
        ("fd00:ec2::254", "private"),  # AWS's IPv6 metadata address
        ("100.100.100.200", "non-public"),  # shared address space, another cloud's metadata
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
    ],
)
def test_non_public_addresses_are_refused_by_default(address: str, kind: str) -> None:
    problem = DEFAULT.problem(address)
    assert problem is not None and f"a {kind} address" in problem and "server.outbound_allow" in problem


def test_public_and_listed_addresses_are_allowed() -> None:
    assert DEFAULT.problem("93.184.215.14") is None
    assert DEFAULT.problem("2606:4700::1111") is None
    assert DEFAULT.problem("127.0.0.1") is None and DEFAULT.problem("::1") is None  # loopback by default
    assert OutboundPolicy([]).problem("127.0.0.1") is not None
    assert OutboundPolicy(["10.0.0.0/8"]).problem("10.1.2.3") is None


async def test_saving_a_service_aimed_at_the_metadata_address_is_a_400(
    client: httpx.AsyncClient, ctx: AppContext, scheduler: HealthScheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = await client.post("/api/services", json={"name": "meta", "url": "http://169.254.169.254/latest/"})
    assert response.status_code == 400, response.text
    assert response.json()["details"] == [
        {
            "field": "url",
            "problem": "169.254.169.254 is a link-local address, which server.outbound_allow does not list",
        }
    ]
    assert "meta" not in scheduler.services
    tcp = {"name": "lan", "kind": "tcp", "host": "10.0.0.5", "port": 5432}
    refused = await client.post("/api/services", json=tcp)
    assert refused.status_code == 400 and refused.json()["details"][0]["field"] == "host"
    named = await client.post("/api/services", json={"name": "meta", "url": "http://localhost:9/"})
    assert named.status_code == 201  # loopback is allowed by default
    patched = await client.patch("/api/services/meta", json={"url": "http://[::ffff:169.254.169.254]/"})
    assert patched.status_code == 400 and patched.json()["details"][0]["field"] == "url"
    monkeypatch.setattr(ctx.settings.server, "outbound_allow", ["10.0.0.0/8"])
    assert (await client.post("/api/services", json=tcp)).status_code == 201


async def test_a_redirect_to_a_refused_address_is_not_followed(
    client: httpx.AsyncClient, ctx: AppContext, peer: Peer, scheduler: HealthScheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service is saved pointing at an allowed address, which then redirects inside the network."""
    monkeypatch.setattr(ctx.settings.server, "outbound_allow", ["127.0.0.1/32"])
    scheduler.policy = OutboundPolicy(["127.0.0.1/32"])
    await scheduler.guarded.aclose()  # the next check builds its client with the narrower policy
    inside = f"http://127.0.0.2:{peer.port}/ok"
    body = {"name": "bounce", "url": f"{peer.url}/to/{inside}"}
    assert (await client.post("/api/services", json=body)).status_code == 201
    checked = (await client.post("/api/services/bounce/check")).json()["data"]
    assert checked["status"] == "offline"
    assert checked["error"] == (
        "outbound connection refused: 127.0.0.2 is a loopback address, which server.outbound_allow does not list"
    )
    assert peer.calls[f"/to/{inside}"] == 1 and peer.calls["/ok"] == 0  # the redirect was never followed


async def test_each_connection_is_checked_not_only_the_saved_url(peer: Peer) -> None:
    """What a name resolves to when the check runs is what counts (a DNS answer changed since saving)."""
    async with make_client(2.0, policy=OutboundPolicy([])) as guarded:
        result = await fetch(guarded, "GET", f"http://localhost:{peer.port}/ok")
    assert result.error is not None and result.error.startswith("outbound connection refused: localhost resolves to")
    assert peer.calls["/ok"] == 0
    async with make_client(2.0, policy=DEFAULT) as allowed:
        assert (await fetch(allowed, "GET", f"http://localhost:{peer.port}/ok")).status == 200


async def test_a_tcp_service_from_the_api_is_checked_when_it_connects(
    client: httpx.AsyncClient, ctx: AppContext, peer: Peer, scheduler: HealthScheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"name": "port", "kind": "tcp", "host": "127.0.0.1", "port": peer.port}
    assert (await client.post("/api/services", json=body)).status_code == 201
    assert (await client.post("/api/services/port/check")).json()["data"]["status"] == "healthy"
    monkeypatch.setattr(ctx.settings.server, "outbound_allow", [])
    checked = (await client.post("/api/services/port/check")).json()["data"]
    assert checked["status"] == "offline" and "127.0.0.1 is a loopback address" in checked["error"]
