"""SSRF guard for everything the poller fetches: feeds, each redirect hop, full-text pages.

A feed URL, a redirect ``Location`` or an item's link is chosen by whoever
writes the feed; fetching it from inside the network could reach services
that are not meant to be public (an admin port on loopback, a database on
the private network, a cloud metadata endpoint that hands out credentials).

The check sits where the connection is made (an httpcore network backend
under httpx), so it applies to every hop of a redirect chain and to every
request of the client without the callers doing anything. A host name is
resolved once; every address it resolves to is checked, and the socket
is then opened to that checked address: a DNS answer that changes between
check and connect (rebinding) cannot slip through. TLS still verifies the
certificate against the host name, which httpcore passes separately.

Operators who do poll internal feeds list them in ``NEWSMON_FETCH_ALLOW``:
comma-separated networks (``10.20.0.0/16``, ``127.0.0.1/32``) and host
names (``feeds.corp.internal``, trusted whatever they resolve to).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from newsmon.untrusted import IPNetwork, parse_allow

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Metadata services of the large clouds; some lie in public ranges (Azure's).
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16",
                                      "fd00:ec2::254")
)  # fmt: skip


class AddressRefused(httpx.ConnectError):
    """A fetch would connect to an address the guard refuses; the message says which and why."""


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    allow_networks: tuple[IPNetwork, ...] = ()
    allow_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_setting(cls, value: str) -> AddressPolicy:
        nets, hosts = parse_allow(value)
        return cls(nets, hosts)

    def host_allowed(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.allow_hosts

    def refusal(self, ip: IPAddress) -> str | None:
        """Why ``ip`` must not be fetched from, or None when it may."""
        if any(ip in net for net in self.allow_networks):
            return None
        mapped = getattr(ip, "ipv4_mapped", None)
        if mapped is not None:  # ::ffff:10.0.0.1 reaches 10.0.0.1
            return self.refusal(mapped)
        if ip in METADATA:
            return "cloud metadata"
        for flag, why in (
            ("is_loopback", "loopback"), ("is_link_local", "link-local"), ("is_multicast", "multicast"),
            ("is_unspecified", "unspecified"), ("is_private", "private"), ("is_reserved", "reserved"),
        ):  # fmt: skip
            if getattr(ip, flag):
                return why
        if not ip.is_global:  # shared address space (100.64/10), documentation ranges, ...
            return "not a public address"
        return None


async def resolve(host: str, port: int) -> list[str]:
    """Addresses of ``host`` (tests replace this to play DNS)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Checks, then connects to the checked address; everything else is the wrapped backend's."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, policy: AddressPolicy) -> None:
        self.inner = inner
        self.policy = policy

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self.policy.host_allowed(host):
            return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            async with asyncio.timeout(timeout):
                addresses = await resolve(host, port)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        checked = []
        for a in addresses:
            ip = ipaddress.ip_address(a.split("%", 1)[0])
            why = self.policy.refusal(ip)
            if why is not None:
                # One internal answer refuses the name: which answer a connection gets is the resolver's choice.
                raise AddressRefused(f"{host} resolves to {ip} ({why}); not fetched (see NEWSMON_FETCH_ALLOW)")
            checked.append(a)
        if not checked:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        last: Exception | None = None
        for a in checked:
            try:
                return await self.inner.connect_tcp(a, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_transport(policy: AddressPolicy, **kwargs: Any) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through :class:`GuardedBackend`."""
    transport = httpx.AsyncHTTPTransport(**kwargs)
    pool = transport._pool
    inner = getattr(pool, "_network_backend", None)
    # httpx does not expose the backend; fail loudly if a new httpcore moves it rather than fetch unguarded.
    if not isinstance(pool, httpcore.AsyncConnectionPool) or not isinstance(inner, httpcore.AsyncNetworkBackend):
        raise RuntimeError("cannot install the fetch guard: unexpected httpx/httpcore internals")
    pool._network_backend = GuardedBackend(inner, policy)
    return transport


def guarded_client(settings: Any, *, limits: httpx.Limits | None = None, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client for fetching what feeds point at, guarded by ``settings.fetch_allow``.

    A transport given explicitly means httpx ignores ``HTTP(S)_PROXY``: a proxy
    would resolve and connect on our behalf, past the guard.
    """
    policy = AddressPolicy.from_setting(settings.fetch_allow)
    transport = guarded_transport(policy, limits=limits or httpx.Limits())
    return httpx.AsyncClient(transport=transport, **kwargs)
