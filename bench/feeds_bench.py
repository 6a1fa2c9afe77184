"""Feed poller at scale: one poller process, N feeds, against a local feed server (outside CI).

The server runs in a child process and serves N small RSS feeds with ETags;
each feed gets a new item about every ``--new-every`` seconds, otherwise a
conditional GET is answered 304. The poller starts as a restarted poller
would: validators, seen items and next due times in Redis (spread over one
interval), so the run measures the steady state (mostly 304) rather than the
first full fetch of every feed. New items go to a bench topic on the real
Kafka broker; Redis keys and the topic are removed afterwards.

Prints achieved polls/s, results, the lag behind schedule (p50/p99/max; the
target is p99 < 30 s) and the poller's CPU time.

    .venv/bin/python bench/feeds_bench.py --feeds 10000 --interval 300 --duration 300
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import socket
import time
import zlib

from newsmon.config import Settings
from newsmon.ingest.feeds import item_key, parse_feeds
from newsmon.ingest.poller import FeedKeys, Poller
from newsmon.kafka_util import bootstrap_servers, ensure_topics, producer

ITEMS = 5


def _version(n: int, now: float, every: float) -> int:
    return int((now + (zlib.crc32(str(n).encode()) % int(every))) // every)


def _guid(n: int, k: int) -> str:
    return f"feed{n}-item{k}"


def _rss(n: int, v: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {n} story {k}</title><link>http://bench.invalid/{n}/{k}</link>"
        f"<guid isPermaLink='false'>{_guid(n, k)}</guid><pubDate>Fri, 16 Feb 2024 10:00:00 GMT</pubDate>"
        f"<description>Bench story {k} of feed {n}: a short summary with enough words to be an article.</description>"
        "</item>"
        for k in range(v, v - ITEMS, -1)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Feed {n}</title>{items}</channel></rss>".encode()


def serve(port: int, every: float) -> None:
    from aiohttp import web

    async def handler(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        v = _version(n, time.time(), every)
        etag = f'"{n}-{v}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        return web.Response(body=_rss(n, v), content_type="application/rss+xml", headers={"ETag": etag})

    app = web.Application()
    app.router.add_get("/f/{n}", handler)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run(args: argparse.Namespace, port: int) -> None:
    from redis.asyncio import Redis

    tag = f"bench-feeds-{os.getpid()}"
    # The bench feed server is on loopback, which the fetch guard refuses unless allow-listed.
    settings = Settings(redis_prefix=tag, topic_raw=f"{tag}.raw", partitions=1, fetch_allow="127.0.0.1/32")
    doc = {
        "poller": {"concurrency": args.concurrency},
        "defaults": {"interval_s": args.interval, "timeout_s": 20, "silent_after_s": 86400},
        "feeds": [{"id": f"f{n}", "url": f"http://127.0.0.1:{port}/f/{n}"} for n in range(args.feeds)],
    }
    feeds = parse_feeds(doc)
    redis = Redis.from_url(os.environ.get("NEWSMON_REDIS_URL", "redis://127.0.0.1:6379/0"))
    keys = FeedKeys(tag)
    now = time.time()
    # A restarted poller: validators, seen items and due times already in Redis.
    for start in range(0, args.feeds, 1000):
        pipe = redis.pipeline(transaction=False)
        for n in range(start, min(start + 1000, args.feeds)):
            v = _version(n, now, args.new_every)
            pipe.hset(keys.health(f"f{n}"), mapping={
                "etag": f'"{n}-{v}"', "next_due": now + 1 + (n * 7919 % args.feeds) / args.feeds * args.interval,
                "first_poll_at": now, "last_new_item_at": now,
            })  # fmt: skip
            pipe.zadd(keys.seen(f"f{n}"), {item_key({"id": _guid(n, k)}): now for k in range(v, v - ITEMS, -1)})
        await pipe.execute()
    await ensure_topics(settings, [settings.topic_raw])
    prod = producer(settings)
    await prod.start()
    poller = Poller(settings, feeds, producer=prod, redis=redis)
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.time()
    task = asyncio.create_task(poller.run())
    last = dict(poller.stats)
    try:
        while time.time() - t0 < args.duration:
            await asyncio.sleep(30)
            s = dict(poller.stats)
            polls = sum(s.get(k, 0) for k in ("ok", "not_modified", "error"))
            prev = sum(last.get(k, 0) for k in ("ok", "not_modified", "error"))
            lags = sorted(poller.lags)
            p99 = lags[int(len(lags) * 0.99)] if lags else 0.0
            print(f"  t={time.time() - t0:5.0f}s polls={polls} (+{(polls - prev) / 30:.1f}/s) p99 lag {p99:.2f}s {s}")
            last = s
    finally:
        poller.stop()
        await task
        elapsed = time.time() - t0
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        await poller.aclose()
        await prod.stop()
        async for k in redis.scan_iter(match=f"{tag}:*", count=1000):
            await redis.delete(k)
        await redis.aclose()
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(settings.kafka_broker))
        await admin.start()
        try:
            await admin.delete_topics([settings.topic_raw])
        finally:
            await admin.close()
    s = dict(poller.stats)
    polls = sum(s.get(k, 0) for k in ("ok", "not_modified", "error"))
    lags = sorted(poller.lags)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    print(f"feeds {args.feeds}, interval {args.interval}s, ran {elapsed:.0f}s, concurrency {args.concurrency}")
    print(f"polls {polls}: {polls / elapsed:.1f} polls/s (schedule asks {args.feeds / args.interval:.1f}/s)")
    print(f"results {s}")
    if lags:
        print(
            f"lag behind schedule: p50 {lags[len(lags) // 2]:.3f}s  p99 {lags[int(len(lags) * 0.99)]:.3f}s  "
            f"max {lags[-1]:.3f}s  (target p99 < 30 s)"
        )
    print(f"poller process CPU {cpu:.1f}s over {elapsed:.0f}s ({100 * cpu / elapsed:.0f}% of one core)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=10_000)
    ap.add_argument("--interval", type=float, default=300.0)
    ap.add_argument("--duration", type=float, default=300.0, help="seconds to run")
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--new-every", type=float, default=3600.0, help="seconds between new items of one feed")
    args = ap.parse_args()
    port = _free_port()
    server = multiprocessing.Process(target=serve, args=(port, args.new_every), daemon=True)
    server.start()
    time.sleep(1.5)
    try:
        asyncio.run(run(args, port))
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
