"""Full-text fetching: a slow site times out on its own without holding up other sites."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from aiohttp import web

from newsmon.ingest.feeds import FullTextConfig
from newsmon.ingest.fulltext import FullTextFetcher

ARTICLE = (Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "article.html").read_bytes()


async def test_fulltext__slow_host_times_out_while_another_host_is_served(unused_tcp_port: int) -> None:
    async def page(request: web.Request) -> web.Response:
        if request.host.startswith("localhost"):
            await asyncio.sleep(3)
        return web.Response(body=ARTICLE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/a/{n}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", unused_tcp_port)
    await site.start()
    cfg = FullTextConfig(concurrency=4, per_host=1, timeout_s=1.0, max_bytes=100_000, min_chars=0)
    try:
        async with httpx.AsyncClient() as client:
            fetcher = FullTextFetcher(client, cfg)
            slow = [fetcher.fetch(f"http://localhost:{unused_tcp_port}/a/{i}") for i in range(3)]
            fast = [fetcher.fetch(f"http://127.0.0.1:{unused_tcp_port}/a/{i}") for i in range(3)]
            t0 = time.monotonic()
            results = await asyncio.gather(*slow, *fast)
            elapsed = time.monotonic() - t0
    finally:
        await runner.cleanup()
    assert results[:3] == [None, None, None]
    assert all(r is not None and "Millbrook dam" in r and "Most read" not in r for r in results[3:])
    assert elapsed < 2.5  # the slow host's queue was cut at the deadline, not waited out


async def test_fulltext__page_over_the_size_limit_is_refused(unused_tcp_port: int) -> None:
    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"<p>x</p>" * 50_000, content_type="text/html")

    app = web.Application()
    app.router.add_get("/big", big)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        async with httpx.AsyncClient() as client:
            fetcher = FullTextFetcher(client, FullTextConfig(max_bytes=10_000))
            assert await fetcher.fetch(f"http://127.0.0.1:{unused_tcp_port}/big") is None
    finally:
        await runner.cleanup()
