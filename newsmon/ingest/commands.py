"""Ingestion commands behind the CLI: ``poller``, ``feeds status``, ``ingest --watch``.

Kept here so :mod:`newsmon.cli` only parses arguments. Each command validates
its configuration first (feeds file, settings) and exits 2 naming the problem.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    from newsmon.config import Settings

# asyncio, Settings (pydantic) and the feeds file parser are imported by the commands
# that use them: :func:`register` runs for every ``newsmon`` command.

logger = logging.getLogger(__name__)


def _feeds_path(args: argparse.Namespace, settings: Settings) -> str:
    return str(getattr(args, "feeds", None) or settings.feeds_path)


async def _until_signalled(stop: asyncio.Event) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def cmd_poller(args: argparse.Namespace) -> int:
    """Run the feed poller until SIGINT/SIGTERM."""
    import asyncio

    from newsmon.config import Settings
    from newsmon.ingest.feeds import FeedConfigError, load_feeds
    from newsmon.ingest.poller import Poller
    from newsmon.kafka_util import ensure_topics, producer
    from newsmon.redis_conn import connect_redis

    settings = Settings.from_env()
    try:
        feeds = load_feeds(_feeds_path(args, settings))
    except FeedConfigError as exc:
        print(f"newsmon poller: {exc}", file=sys.stderr)
        return 2

    async def main() -> None:
        await ensure_topics(settings, [settings.topic_raw])
        prod = producer(settings)
        await prod.start()
        redis = connect_redis(settings)
        poller = Poller(settings, feeds, producer=prod, redis=redis)
        stop = asyncio.Event()
        task = asyncio.create_task(poller.run())
        try:
            await _until_signalled(stop)
        finally:
            poller.stop()
            await task
            await poller.aclose()
            await prod.stop()
            await redis.aclose()
        logger.info("poller stopped: %s", dict(poller.stats))

    asyncio.run(main())
    return 0


def _age(now: float, value: str | None) -> str:
    if not value:
        return "-"
    s = now - float(value)
    return f"{s:.0f}s" if s < 120 else f"{s / 60:.0f}m" if s < 7200 else f"{s / 3600:.1f}h"


def _cause(exc: BaseException) -> str:
    """The root cause in words: redis-py wraps "Connection refused" in its own message."""
    root = exc
    while (nxt := root.__cause__ or root.__context__) is not None:
        root = nxt
    if isinstance(root, socket.gaierror) and root.strerror:
        return f"{root.strerror} ({type(exc).__name__})"
    if isinstance(root, OSError) and root.errno and root.errno > 0:
        return f"{os.strerror(root.errno)} ({type(exc).__name__})"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def cmd_feeds_status(args: argparse.Namespace) -> int:
    """Per-feed health from Redis; exit 1 when a feed is failing or silent."""
    import asyncio

    import orjson
    from redis.exceptions import RedisError

    from newsmon.config import Settings
    from newsmon.ingest.feeds import FeedConfigError, load_feeds
    from newsmon.ingest.poller import feed_status
    from newsmon.redis_conn import connect_redis, redact_url

    settings = Settings.from_env()
    try:
        feeds = load_feeds(_feeds_path(args, settings))
    except FeedConfigError as exc:
        print(f"newsmon feeds status: {exc}", file=sys.stderr)
        return 2

    async def read() -> list[dict[str, str]]:
        redis = connect_redis(settings)
        try:
            return await feed_status(redis, settings.redis_prefix, feeds)
        finally:
            await redis.aclose()

    try:
        rows = asyncio.run(read())
    except (RedisError, OSError) as exc:
        # An operator's question ("are my feeds healthy?"): one line, never a traceback or a password.
        print(
            f"newsmon feeds status: cannot read feed health from Redis at {redact_url(settings.redis_url_plain)}: "
            f"{_cause(exc)}",
            file=sys.stderr,
        )
        return 2
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        now = time.time()
        print(f"{'feed':<24} {'state':<13} {'success':>8} {'new item':>9} {'seen':>6} {'next':>6}  last error")
        for r in rows:
            nxt = r.get("next_due")
            print(
                f"{r['id'][:24]:<24} {r['state']:<13} {_age(now, r.get('last_success_at')):>8} "
                f"{_age(now, r.get('last_new_item_at')):>9} {r.get('items_seen', '0'):>6} "
                f"{(f'{float(nxt) - now:.0f}s' if nxt else '-'):>6}  "
                f"{(r.get('last_error') or '')[:60]}"
                + (f" ({_age(now, r.get('last_error_at'))} ago)" if r.get("last_error_at") else "")
            )
    bad = [r for r in rows if r["state"] in ("failing", "silent")]
    return 1 if bad else 0


def cmd_watch(args: argparse.Namespace) -> int:
    """``newsmon ingest --watch DIR``: ingest files as they appear, until SIGINT/SIGTERM."""
    import asyncio

    from newsmon.config import Settings
    from newsmon.ingest.watch import watch_folder

    settings = Settings.from_env()
    folder = Path(args.watch)
    if not folder.is_dir():
        print(f"newsmon ingest: {folder}: not a directory", file=sys.stderr)
        return 2

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(watch_folder(folder, settings, stop=stop, interval=args.interval))
        waiter = asyncio.create_task(_until_signalled(stop))
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        await task
        waiter.cancel()

    asyncio.run(main())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``poller`` and ``feeds`` to the CLI.

    ``ingest --watch`` is on ``ingest``; ``ingest-api`` serves HTTP, so it is in :mod:`newsmon.web.commands`.
    """
    p = sub.add_parser("poller", help="poll RSS/Atom feeds and publish new items to the raw topic")
    p.add_argument("--feeds", metavar="FILE", help="feeds file (default: NEWSMON_FEEDS_PATH)")
    p.set_defaults(func=cmd_poller)

    f = sub.add_parser("feeds", help="feed health")
    fsub = f.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    fs = fsub.add_parser("status", help="per-feed health from Redis (exit 1 if a feed is failing or silent)")
    fs.add_argument("--feeds", metavar="FILE", help="feeds file (default: NEWSMON_FEEDS_PATH)")
    fs.add_argument("--json", action="store_true", help="machine-readable output")
    fs.set_defaults(func=cmd_feeds_status)
