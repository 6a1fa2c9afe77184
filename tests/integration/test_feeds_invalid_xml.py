"""A feed serving invalid XML is reported ``failing`` with the parser's reason (issue 14 row 12).

The items the lenient parser still recovers are published (nothing is lost),
but the feed's health says what is wrong with it until the publisher fixes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from redis.asyncio import Redis

from newsmon.config import Settings
from newsmon.ingest.feeds import parse_feeds
from newsmon.ingest.poller import Poller, feed_status
from newsmon.kafka_util import ensure_topics, producer
from tests.integration.conftest import consume_all

RSS = (Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "rss2.xml").read_bytes()


@pytest.fixture
def settings(settings_env: dict[str, str]) -> Settings:
    # The feed server is on loopback, which the fetch guard refuses unless allow-listed.
    return Settings.from_env({**settings_env, "NEWSMON_FETCH_ALLOW": "127.0.0.1/32"})


@pytest_asyncio.fixture
async def server() -> AsyncIterator[str]:
    async def bad(request: web.Request) -> web.Response:
        return web.Response(body=RSS.replace(b"</title>", b"</titl>", 1), content_type="application/rss+xml")

    async def good(request: web.Request) -> web.Response:
        return web.Response(body=RSS, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/bad", bad)
    app.router.add_get("/good", good)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.mark.timeout(60)
async def test_feed_status__invalid_xml_is_failing_with_the_parser_reason(
    server: str, settings: Settings, redis: Redis, kafka_up: None
) -> None:
    await ensure_topics(settings, [settings.topic_raw])
    feeds = parse_feeds(
        {
            "defaults": {"interval_s": 60},
            "feeds": [{"id": "bad", "url": f"{server}/bad"}, {"id": "good", "url": f"{server}/good"}],
        }
    )
    prod = producer(settings)
    await prod.start()
    poller = Poller(settings, feeds, producer=prod, redis=redis)
    try:
        for st in poller.states.values():
            await poller._run_one(st.feed.id)
    finally:
        await poller.aclose()
        await prod.stop()
    rows = {r["id"]: r for r in await feed_status(redis, settings.redis_prefix, feeds)}
    assert rows["good"]["state"] == "ok"
    assert rows["bad"]["state"] == "failing", rows["bad"]
    assert "mismatched tag" in rows["bad"]["last_error"] and "4:" in rows["bad"]["last_error"]
    # The items the parser recovered are not lost: 3 from each feed (the same ids, one story each).
    assert len(await consume_all(settings, settings.topic_raw, expect=6, timeout=20)) == 6
