"""SSRF guard for feed fetches, every redirect hop and full-text links (issue 14 row 3).

A local HTTP server on a loopback port plays the internal service: the guard
must refuse it by default (by address literal, by a name that resolves to it,
and as a redirect hop) and reach it once the operator allow-lists it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from aiohttp import web

from newsmon.config import ConfigError, Settings
from newsmon.ingest.feeds import FullTextConfig, parse_feeds
from newsmon.ingest.fulltext import FullTextFetcher
from newsmon.ingest.poller import Poller

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
EMPTY_RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


class Internal:
    """A loopback service: an (empty) feed, an article page and redirects, counting hits per path."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.hosts: list[str] = []
        self.port = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/rss", self.rss)
        app.router.add_get("/article", self.article)
        app.router.add_get("/to-loopback-ip", self.redirect(lambda: f"http://127.0.0.1:{self.port}/rss"))
        app.router.add_get("/to-localhost", self.redirect(lambda: f"http://localhost:{self.port}/article"))
        app.router.add_get("/same-host", self.redirect(lambda: "/article"))
        return app

    async def rss(self, request: web.Request) -> web.Response:
        self.hits["/rss"] += 1
        self.hosts.append(request.host)
        return web.Response(body=EMPTY_RSS, content_type="application/rss+xml")

    async def article(self, request: web.Request) -> web.Response:
        self.hits["/article"] += 1
        return web.Response(body=(FIXTURES / "article.html").read_bytes(), content_type="text/html")

    def redirect(self, target):  # type: ignore[no-untyped-def]
        async def handler(request: web.Request) -> web.Response:
            self.hits[request.path] += 1
            raise web.HTTPFound(location=target())

        return handler


@pytest_asyncio.fixture
async def internal() -> AsyncIterator[Internal]:
    srv = Internal()
    runner = web.AppRunner(srv.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    srv.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield srv
    await runner.cleanup()


async def poll_once(settings: Settings, url: str):  # type: ignore[no-untyped-def]
    feeds = parse_feeds({"feeds": [{"id": "f", "url": url, "timeout_s": 5}]})
    poller = Poller(settings, feeds, producer=None, redis=None)
    try:
        return await poller.poll(poller.states["f"])
    finally:
        await poller.aclose()


# -- the feed itself ---------------------------------------------------------------------------


async def test_guard__feed_on_a_loopback_port_is_refused_by_default(internal: Internal) -> None:
    res = await poll_once(Settings(), f"http://127.0.0.1:{internal.port}/rss")
    assert res.result == "error" and res.error_kind == "blocked", res
    assert "127.0.0.1" in (res.error or "") and "loopback" in (res.error or "")
    assert internal.hits["/rss"] == 0


async def test_guard__name_resolving_to_loopback_is_refused_after_resolution(internal: Internal) -> None:
    res = await poll_once(Settings(), f"http://localhost:{internal.port}/rss")
    assert res.error_kind == "blocked", res
    assert internal.hits["/rss"] == 0


async def test_guard__allow_listed_loopback_feed_is_reached(internal: Internal) -> None:
    res = await poll_once(Settings(fetch_allow="127.0.0.0/8"), f"http://127.0.0.1:{internal.port}/rss")
    assert res.result == "ok", res
    assert internal.hits["/rss"] == 1


async def test_guard__redirect_hop_to_a_refused_address_is_refused(internal: Internal) -> None:
    # The first hop's name is allow-listed; the hop it redirects to (a loopback IP) is not.
    res = await poll_once(Settings(fetch_allow="localhost"), f"http://localhost:{internal.port}/to-loopback-ip")
    assert res.error_kind == "blocked", res
    assert internal.hits["/to-loopback-ip"] == 1 and internal.hits["/rss"] == 0


async def test_guard__connects_to_the_address_it_checked(internal: Internal, monkeypatch) -> None:
    # The name is resolved once by the guard and the connection goes to that address:
    # "feed.test" does not exist in DNS, so reaching the server proves the pinning, and
    # a second (rebinding) answer is never asked for.
    from newsmon.ingest import netguard

    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["10.0.0.1"]

    monkeypatch.setattr(netguard, "resolve", resolve)
    res = await poll_once(Settings(fetch_allow="127.0.0.1/32"), f"http://feed.test:{internal.port}/rss")
    assert res.result == "ok", res
    assert calls == ["feed.test"] and internal.hosts == [f"feed.test:{internal.port}"]


async def test_guard__any_refused_answer_among_several_refuses_the_name(internal: Internal, monkeypatch) -> None:
    from newsmon.ingest import netguard

    async def resolve(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "127.0.0.1"]

    monkeypatch.setattr(netguard, "resolve", resolve)
    res = await poll_once(Settings(), f"http://feed.test:{internal.port}/rss")
    assert res.error_kind == "blocked" and internal.hits["/rss"] == 0


# -- full text ---------------------------------------------------------------------------------


async def fetch_text(settings: Settings, url: str, **ft: object) -> str | None:
    from newsmon.ingest.netguard import guarded_client

    async with guarded_client(settings) as client:
        return await FullTextFetcher(client, FullTextConfig.model_validate(ft)).fetch(url)


async def test_fulltext__link_to_a_loopback_port_is_not_fetched(internal: Internal) -> None:
    assert await fetch_text(Settings(), f"http://127.0.0.1:{internal.port}/article") is None
    assert internal.hits["/article"] == 0


async def test_fulltext__poller_client_refuses_a_loopback_link(internal: Internal) -> None:
    feeds = parse_feeds({"feeds": [{"id": "f", "url": "https://feed.example/rss"}]})
    poller = Poller(Settings(), feeds, producer=None, redis=None)
    try:
        assert await poller.fulltext.fetch(f"http://127.0.0.1:{internal.port}/article") is None
    finally:
        await poller.aclose()
    assert internal.hits["/article"] == 0


async def test_fulltext__redirect_to_another_host_is_not_followed_by_default(internal: Internal) -> None:
    allow = Settings(fetch_allow="127.0.0.1/32,localhost")
    url = f"http://127.0.0.1:{internal.port}/to-localhost"
    assert await fetch_text(allow, url) is None
    assert internal.hits["/article"] == 0
    text = await fetch_text(allow, url, follow_cross_host_redirects=True)
    assert text and "spillway" in text


async def test_fulltext__redirect_within_the_host_is_followed(internal: Internal) -> None:
    text = await fetch_text(Settings(fetch_allow="127.0.0.1/32"), f"http://127.0.0.1:{internal.port}/same-host")
    assert text and "spillway" in text


# -- the address policy and the setting ------------------------------------------------------------


@pytest.mark.parametrize(
    "ip",
    ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "fe80::1", "224.0.0.251",
     "ff02::1", "0.0.0.0", "100.64.0.1", "100.100.100.200", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
     "168.63.129.16"],
)  # fmt: skip
def test_policy__internal_and_metadata_addresses_are_refused(ip: str) -> None:
    from newsmon.ingest.netguard import AddressPolicy

    assert AddressPolicy.from_setting("").refusal(ipaddress.ip_address(ip)) is not None


@pytest.mark.parametrize("ip", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_policy__public_addresses_pass(ip: str) -> None:
    from newsmon.ingest.netguard import AddressPolicy

    assert AddressPolicy.from_setting("").refusal(ipaddress.ip_address(ip)) is None


def test_settings__fetch_allow_entries_are_validated_at_start() -> None:
    assert Settings.from_env({"NEWSMON_FETCH_ALLOW": "10.0.0.0/8, feeds.internal"}).fetch_allow
    with pytest.raises(ConfigError, match="NEWSMON_FETCH_ALLOW"):
        Settings.from_env({"NEWSMON_FETCH_ALLOW": "10.0.0.0/33"})
    with pytest.raises(ConfigError, match="NEWSMON_FETCH_ALLOW"):
        Settings.from_env({"NEWSMON_FETCH_ALLOW": "http://x/"})


def test_guard__plain_httpx_would_reach_the_loopback_port() -> None:
    # Sanity check of the test set-up itself: the server is reachable without the guard.
    assert socket.gethostbyname("localhost").startswith("127.")
    assert httpx.URL("http://127.0.0.1/").host == "127.0.0.1"
