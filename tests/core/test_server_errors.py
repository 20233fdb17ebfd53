"""A 500 on a keep-alive connection: the client is told the connection closes, so its next request works."""

from __future__ import annotations

import socket

import pytest

from jarvis.projects import service
from tests.conftest import LiveServer


def _exchange(sock: socket.socket, path: str) -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(65536)
        if not chunk:
            break
        head += chunk
    return head


def test_a_500_says_connection_close(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(**_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "get_project_row", broken)
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=30) as sock:
        head = _exchange(sock, "/api/projects/any")
        status, *lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
        assert status.startswith("HTTP/1.1 500")
        assert "connection: close" in [line.lower() for line in lines]
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=30) as sock:
        assert _exchange(sock, "/health").startswith(b"HTTP/1.1 200")
