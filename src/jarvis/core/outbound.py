"""Where the server may connect on behalf of what an API client created (the SSRF defence).

A service created through the API names a URL or host the server then connects to, so an API client
could point it at the cloud's metadata address or at a machine of the private network. Such targets
are held to `server.outbound_allow`: a public address is allowed, any other (loopback, private,
link-local, shared, reserved, multicast) only when one of the listed networks holds it.

The check runs where the connection is made, not only when the URL is saved: each connection of a
guarded client resolves the host itself, refuses if any of its addresses is not allowed and then
connects to the checked address (TLS still verifies the host name). A DNS answer that changes after
the service was saved, and every redirect hop, are checked the same way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
PREFIX = "outbound connection refused"


class Unreachable(httpcore.ConnectError):
    """A connection not made, with a message worth showing (httpx raises a `ConnectError` from it)."""


class OutboundRefused(Unreachable):
    """A target the policy does not allow."""


def _kind(address: IPAddress) -> str:
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("private", address.is_private),
    )
    return next((name for name, hit in checks if hit), "non-public")


class OutboundPolicy:
    def __init__(self, allow: Iterable[str]) -> None:
        self.allow: list[IPNetwork] = [ipaddress.ip_network(entry, strict=False) for entry in allow]

    def problem(self, address: str) -> str | None:
        """Why the server may not connect to `address` (an IP), or None when it may."""
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip.version == network.version and ip in network for network in self.allow):
            return None
        if ip.is_global and not ip.is_multicast:
            return None
        return f"{ip} is a {_kind(ip)} address, which server.outbound_allow does not list"

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of `host`, all of them allowed; `OutboundRefused` otherwise."""
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise Unreachable(f"{host} does not resolve: {exc.strerror}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            problem = self.problem(address)
            if problem is not None:
                said = problem if address == host.strip("[]") else f"{host} resolves to {problem}"
                raise OutboundRefused(f"{PREFIX}: {said}")
        return addresses

    async def target_problem(self, host: str, port: int) -> str | None:
        """For a target being saved: why it is refused, or None (a name that does not resolve yet is let
        through; its checks say it is unreachable, and each connection is checked again anyway)."""
        try:
            await self.resolve(host, port)
        except OutboundRefused as exc:
            return str(exc).removeprefix(f"{PREFIX}: ")
        except Unreachable:
            return None
        return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with each TCP connection checked by the policy first."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.policy.resolve(host, port)
        return await self.inner.connect_tcp(addresses[0], port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise OutboundRefused(f"{PREFIX}: a Unix socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
