"""The feed poller against a local HTTP server serving real feed documents, real Redis and Kafka.

The server plays every kind of feed the poller meets: RSS 2.0 with an ETag,
Atom with Last-Modified, a broken feed (HTML), a 404, a slow server, a
redirect, and a summary-only feed whose article pages need full text.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
import pytest_asyncio
from aiohttp import web
from redis.asyncio import Redis

from newsmon.config import Settings
from newsmon.ingest.feeds import parse_feeds
from newsmon.ingest.poller import Poller, feed_status
from newsmon.kafka_util import ensure_topics, producer
from tests.integration.conftest import consume_all

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
LAST_MODIFIED = "Fri, 16 Feb 2024 11:00:00 GMT"


class FeedServer:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.base = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/rss", self.rss)
        app.router.add_get("/atom", self.atom)
        app.router.add_get("/broken", self.static("broken.xml", "text/html"))
        app.router.add_get("/slow", self.slow)
        app.router.add_get("/moved", self.moved)
        app.router.add_get("/summary", self.summary)
        app.router.add_get("/article/dam", self.static("article.html", "text/html"))
        return app

    def static(self, name: str, ctype: str):  # type: ignore[no-untyped-def]
        async def handler(request: web.Request) -> web.Response:
            self.hits[request.path] += 1
            return web.Response(body=(FIXTURES / name).read_bytes(), content_type=ctype)

        return handler

    async def rss(self, request: web.Request) -> web.Response:
        self.hits["/rss"] += 1
        if request.headers.get("If-None-Match") == '"rss-v1"':
            self.not_modified["/rss"] += 1
            return web.Response(status=304)
        body = (FIXTURES / "rss2.xml").read_bytes()
        return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": '"rss-v1"'})

    async def atom(self, request: web.Request) -> web.Response:
        self.hits["/atom"] += 1
        if request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            self.not_modified["/atom"] += 1
            return web.Response(status=304)
        body = (FIXTURES / "atom.xml").read_bytes()
        return web.Response(body=body, content_type="application/atom+xml", headers={"Last-Modified": LAST_MODIFIED})

    async def slow(self, request: web.Request) -> web.Response:
        self.hits["/slow"] += 1
        await asyncio.sleep(5)
        return web.Response(body=(FIXTURES / "rss2.xml").read_bytes(), content_type="application/rss+xml")

    async def moved(self, request: web.Request) -> web.Response:
        self.hits["/moved"] += 1
        raise web.HTTPMovedPermanently(location="/atom")

    async def summary(self, request: web.Request) -> web.Response:
        self.hits["/summary"] += 1
        text = (FIXTURES / "summary-only.xml").read_text().replace("{base}", self.base)
        return web.Response(text=text, content_type="application/rss+xml")


@pytest.fixture
def settings(settings_env: dict[str, str]) -> Settings:
    # The feed server is on loopback, which the fetch guard refuses unless allow-listed.
    return Settings.from_env({**settings_env, "NEWSMON_FETCH_ALLOW": "127.0.0.1/32"})


@pytest_asyncio.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    srv = FeedServer()
    runner = web.AppRunner(srv.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    srv.base = f"http://127.0.0.1:{port}"
    yield srv
    await runner.cleanup()


def _feeds(base: str) -> dict:
    return {
        "poller": {"concurrency": 4, "jitter": 0.0, "fulltext": {"timeout_s": 5, "min_chars": 200}},
        "defaults": {"interval_s": 1, "timeout_s": 1.0, "max_backoff_s": 2, "silent_after_s": 3600},
        "feeds": [
            {"id": "rss", "url": f"{base}/rss"},
            {"id": "atom", "url": f"{base}/atom", "source": "Le Veilleur"},
            {"id": "broken", "url": f"{base}/broken"},
            {"id": "missing", "url": f"{base}/nothing-here"},
            {"id": "slow", "url": f"{base}/slow"},
            {"id": "moved", "url": f"{base}/moved"},
            {"id": "summary", "url": f"{base}/summary", "full_text": True},
        ],
    }


async def _run_for(poller: Poller, seconds: float) -> None:
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(seconds)
    poller.stop()
    await asyncio.wait_for(task, 15)


@pytest.mark.timeout(90)
async def test_poller__publishes_new_items_once_and_reports_bad_feeds_without_stopping(
    feed_server: FeedServer, settings: Settings, redis: Redis, kafka_up: None
) -> None:
    await ensure_topics(settings, [settings.topic_raw])
    feeds = parse_feeds(_feeds(feed_server.base))
    prod = producer(settings)
    await prod.start()
    poller = Poller(settings, feeds, producer=prod, redis=redis)
    try:
        await _run_for(poller, 6.0)
    finally:
        await poller.aclose()
        await prod.stop()

    # rss: 3 items, atom: 2, moved (redirect to atom): 2, summary: 1 -> 8 articles, each once.
    raw = [orjson.loads(v) for v in await consume_all(settings, settings.topic_raw, expect=8, timeout=20)]
    by_feed = Counter(r["feed"] for r in raw)
    assert by_feed == {"rss": 3, "atom": 2, "moved": 2, "summary": 1}, by_feed

    # Good feeds were polled again and again (answered 304), despite the bad ones.
    assert feed_server.not_modified["/rss"] >= 2 and feed_server.not_modified["/atom"] >= 2

    rss_items = {r["title"]: r for r in raw if r["feed"] == "rss"}
    strike = rss_items["Port strike halts grain exports for a third day"]
    assert strike["source"] == "Harbour Daily — World" and strike["language"] == "en"
    assert strike["published"] == pytest.approx(1708070400.0)  # 09:00 +01:00 is 08:00 UTC
    assert "extended their strike over pay on Friday" in strike["body"]  # content:encoded over summary
    atom_items = [r for r in raw if r["feed"] == "atom"]
    assert {r["source"] for r in atom_items} == {"Le Veilleur"} and {r["language"] for r in atom_items} == {"fr"}

    dam = next(r for r in raw if r["feed"] == "summary")
    assert dam.get("full_text") is True and "Millbrook dam" in dam["body"]
    assert "Most read" not in dam["body"]

    rows = {r["id"]: r for r in await feed_status(redis, settings.redis_prefix, feeds)}
    assert rows["rss"]["state"] == "ok" and int(rows["rss"]["items_seen"]) == 3
    assert rows["rss"]["etag"] == '"rss-v1"' and float(rows["rss"]["last_new_item_at"]) > 0
    assert rows["broken"]["state"] == "failing" and rows["broken"]["last_error"].startswith("parse:")
    assert rows["missing"]["last_error"].startswith("http_4xx:") and rows["missing"]["last_status"] == "404"
    assert rows["slow"]["last_error"].startswith("timeout:")
    # Backoff: the failing feeds were polled less often than the healthy one.
    assert feed_server.hits["/slow"] < feed_server.hits["/rss"]


@pytest.mark.timeout(60)
async def test_poller__restart_keeps_validators_and_seen_items(
    feed_server: FeedServer, settings: Settings, redis: Redis, kafka_up: None
) -> None:
    await ensure_topics(settings, [settings.topic_raw])
    feeds = parse_feeds({"defaults": {"interval_s": 1}, "feeds": [{"id": "rss", "url": f"{feed_server.base}/rss"}]})
    for _ in range(2):
        prod = producer(settings)
        await prod.start()
        poller = Poller(settings, feeds, producer=prod, redis=redis)
        try:
            await _run_for(poller, 2.5)
        finally:
            await poller.aclose()
            await prod.stop()
    raw = await consume_all(settings, settings.topic_raw, expect=4, timeout=5)
    assert len(raw) == 3  # the second process published nothing again
    # The second process sent the stored ETag on its first poll: no full fetch after the first one.
    assert feed_server.hits["/rss"] - feed_server.not_modified["/rss"] == 1


@pytest.mark.timeout(60)
async def test_poller__feed_without_new_items_is_flagged_silent(
    feed_server: FeedServer, settings: Settings, redis: Redis, kafka_up: None
) -> None:
    await ensure_topics(settings, [settings.topic_raw])
    feeds = parse_feeds(
        {
            "defaults": {"interval_s": 1, "silent_after_s": 1.5},
            "feeds": [{"id": "rss", "url": f"{feed_server.base}/rss"}],
        }
    )
    prod = producer(settings)
    await prod.start()
    poller = Poller(settings, feeds, producer=prod, redis=redis)
    try:
        await _run_for(poller, 4.5)
    finally:
        await poller.aclose()
        await prod.stop()
    (row,) = await feed_status(redis, settings.redis_prefix, feeds)
    assert row["state"] == "silent" and time.time() - float(row["last_new_item_at"]) > 1.5
