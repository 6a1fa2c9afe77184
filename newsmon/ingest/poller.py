"""The feed poller (``newsmon poller``): RSS/Atom feeds to the raw topic, new items only.

One process keeps thousands of feeds on schedule with one scheduler loop: a
heap of next-due times, at most ``poller.concurrency`` polls in flight, and a
task only while a poll runs (no sleeping task per feed). Each poll is a
conditional GET (ETag / Last-Modified) through one shared httpx client, with
a deadline and a byte limit; feedparser only parses, in a thread pool.

* Success: the next poll is one interval later, +- ``poller.jitter``.
* Failure (timeout, HTTP error, not a feed, too large, Redis down): exponential
  backoff from the interval up to ``max_backoff_s`` (``Retry-After`` is
  honoured). A bad feed is recorded and rescheduled; it never stops the loop.
* New items (not in the feed's seen-set in Redis, a ZSET whose entries expire
  after ``seen_ttl_hours``) are published as raw articles without awaiting
  each send; they are marked seen, and the validators (ETag) stored, only
  after Kafka acknowledged them, so a failed publish is retried next poll.
* Health per feed lives in a Redis hash (last success, last error, items
  seen, last new item time, next due); ``newsmon feeds status`` shows it.
  A feed with no new item for longer than ``silent_after_s`` is flagged
  silent (hash field and the ``newsmon_feed_silent{feed}`` gauge).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import time
import xml.sax
from collections import Counter, deque
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import httpx
from redis.exceptions import RedisError

from newsmon import metrics
from newsmon.config import Settings
from newsmon.ingest.feeds import FeedConfig, FeedsFile, entry_to_raw, item_key
from newsmon.ingest.fulltext import FullTextFetcher, TooLarge, read_limited
from newsmon.ingest.netguard import AddressRefused, guarded_client
from newsmon.ingest.normalize import clean_text, encode_raw, normalize_raw, validate_raw
from newsmon.streams.records import RecordError

logger = logging.getLogger(__name__)

SEND_TIMEOUT_S = 60.0
REDIS_CONCURRENCY = 32


class FeedKeys:
    """Redis keys of the poller; one ``{feeds}`` hash tag (no multi-key scripts span them)."""

    def __init__(self, prefix: str) -> None:
        self.base = f"{prefix}:{{feeds}}"

    def health(self, feed_id: str) -> str:
        """HASH url, last_poll_at, last_success_at, last_status, last_error, last_error_at, errors,
        consecutive_failures, items_seen, items_in_feed, last_new_item_at, first_poll_at, silent,
        etag, last_modified, next_due."""
        return f"{self.base}:health:{feed_id}"

    def seen(self, feed_id: str) -> str:
        """ZSET item key -> first seen time; entries older than the seen TTL are trimmed."""
        return f"{self.base}:seen:{feed_id}"


@dataclass(slots=True)
class FeedState:
    feed: FeedConfig
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    first_poll_at: float | None = None
    last_new_at: float | None = None
    silent: bool = False


@dataclass(slots=True)
class PollResult:
    result: str  # ok, not_modified, error
    status: int | None = None
    new_items: int = 0
    items_in_feed: int = 0
    error: str | None = None
    error_kind: str | None = None
    retry_after: float | None = None


class PollError(Exception):
    def __init__(
        self,
        kind: str,
        message: str,
        status: int | None = None,
        retry_after: float | None = None,
        new_items: int = 0,
    ):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.new_items = new_items  # published before the error was found (invalid XML)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def parse_feed(body: bytes, content_type: str | None, url: str) -> Any:
    """feedparser on bytes we fetched (it must never fetch by itself)."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    return feedparser.parse(body, response_headers=headers)


class Poller:
    """Schedules and polls the feeds of one feeds file; :meth:`run` until :meth:`stop`."""

    def __init__(
        self,
        settings: Settings,
        feeds: FeedsFile,
        *,
        producer: Any,
        redis: Any,
        client: httpx.AsyncClient | None = None,
        executor: Executor | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.config = feeds.poller
        self.states = {f.id: FeedState(f) for f in feeds.feeds}
        self.producer = producer
        self.redis = redis
        self.keys = FeedKeys(settings.redis_prefix)
        self.rng = rng or random.Random()
        self._own_client = client is None
        # Guarded (newsmon.ingest.netguard): feed URLs, every redirect hop and full-text
        # links are refused when they lead to internal addresses.
        self.client = client or guarded_client(
            settings,
            follow_redirects=True,
            max_redirects=5,
            timeout=httpx.Timeout(30.0, connect=10.0),
            limits=httpx.Limits(
                max_connections=self.config.concurrency + self.config.fulltext.concurrency,
                max_keepalive_connections=min(self.config.concurrency, 200),
            ),
            headers={"User-Agent": self.config.user_agent},
        )
        self._own_executor = executor is None
        self.executor = executor or ThreadPoolExecutor(max_workers=2, thread_name_prefix="feedparse")
        self.fulltext = FullTextFetcher(self.client, self.config.fulltext, self.executor)
        self._heap: list[tuple[float, int, str]] = []
        self._seq = 0
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.stats: Counter[str] = Counter()
        self.lags: deque[float] = deque(maxlen=200_000)
        self._silent_count = 0
        # Polls in flight can outnumber the Redis client's connection pool (100 in redis-py 8).
        self._redis_slots = asyncio.Semaphore(REDIS_CONCURRENCY)

    # -- scheduling -----------------------------------------------------------------------

    def _push(self, due: float, feed_id: str) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, feed_id))
        self._wake.set()

    async def _restore(self) -> None:
        """Validators, counters and next due times from Redis, so a restart neither refetches
        every feed in full nor polls them all at once."""
        now = time.time()
        ids = list(self.states)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            try:
                pipe = self.redis.pipeline(transaction=False)
                for fid in chunk:
                    pipe.hmget(self.keys.health(fid), "etag", "last_modified", "next_due", "first_poll_at",
                               "last_new_item_at", "consecutive_failures")  # fmt: skip
                rows = await pipe.execute()
            except RedisError as exc:
                logger.warning("feed state not restored from Redis (%s); starting fresh", exc)
                rows = [[None] * 6 for _ in chunk]
            for fid, row in zip(chunk, rows, strict=True):
                st = self.states[fid]
                etag, lm, due, first, last_new, fails = (v.decode() if isinstance(v, bytes) else v for v in row)
                st.etag, st.last_modified = etag or None, lm or None
                st.first_poll_at = float(first) if first else None
                st.last_new_at = float(last_new) if last_new else None
                st.failures = int(fails) if fails else 0
                interval = st.feed.interval_s
                d = float(due) if due else None
                if d is None or d < now or d > now + 2 * interval:
                    # Spread first polls over the interval (at most a minute when overdue).
                    d = now + self.rng.uniform(0, interval if d is None else min(interval, 60.0))
                self._push(d, fid)

    def next_due(self, st: FeedState, res: PollResult, now: float) -> float:
        interval = st.feed.interval_s
        if res.result == "error":
            delay = min(st.feed.max_backoff_s, interval * 2 ** min(st.failures - 1, 20))
            delay *= self.rng.uniform(0.5, 1.0)
            if res.retry_after is not None:
                delay = max(delay, min(res.retry_after, st.feed.max_backoff_s))
            return now + max(delay, 1.0)
        j = self.config.jitter
        return now + interval * self.rng.uniform(1 - j, 1 + j)

    async def run(self) -> None:
        """Poll until :meth:`stop`; waits for polls in flight before returning."""
        await self._restore()
        logger.info("poller: %d feeds, concurrency %d", len(self.states), self.config.concurrency)
        while not self._stopping:
            now = time.time()
            while self._heap and self._heap[0][0] <= now and len(self._tasks) < self.config.concurrency:
                due, _, fid = heapq.heappop(self._heap)
                lag = now - due
                self.lags.append(lag)
                metrics.FEED_POLL_LAG.observe(lag)
                task = asyncio.create_task(self._run_one(fid), name=f"poll:{fid}")
                self._tasks.add(task)
                task.add_done_callback(self._done)
            if len(self._tasks) >= self.config.concurrency or not self._heap:
                timeout: float | None = None
            else:
                timeout = max(0.0, self._heap[0][0] - time.time())
            self._wake.clear()
            if timeout is None or timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            else:
                await asyncio.sleep(0)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=30)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()
        if self._own_executor and isinstance(self.executor, ThreadPoolExecutor):
            self.executor.shutdown(wait=False, cancel_futures=True)

    async def _run_one(self, fid: str) -> None:
        st = self.states[fid]
        try:
            res = await self.poll(st)
        except Exception as exc:  # a bug in one feed's handling must not stop the others
            logger.exception("poll of feed %s failed unexpectedly", fid)
            res = PollResult("error", error=f"{type(exc).__name__}: {exc}", error_kind="internal")
            st.failures += 1
        now = time.time()
        due = self.next_due(st, res, now)
        self._check_silent(st, now)
        await self._record(st, res, now, due)
        if not self._stopping:
            self._push(due, fid)

    # -- one poll ---------------------------------------------------------------------------

    async def poll(self, st: FeedState) -> PollResult:
        """One conditional GET, parse and publish of new items; errors are returned, not raised."""
        feed = st.feed
        now = time.time()
        if st.first_poll_at is None:
            st.first_poll_at = now
        try:
            res = await self._poll(st)
        except PollError as exc:
            st.failures += 1
            res = PollResult("error", status=exc.status, error=str(exc)[:500], error_kind=exc.kind,
                             retry_after=exc.retry_after, new_items=exc.new_items)  # fmt: skip
            logger.info("feed %s: %s: %s", feed.id, exc.kind, exc)
        else:
            st.failures = 0
        self.stats[res.result] += 1
        metrics.FEED_POLLS.labels(res.result).inc()
        if res.error_kind:
            self.stats["error:" + res.error_kind] += 1
            metrics.FEED_ERRORS.labels(res.error_kind).inc()
        return res

    async def _poll(self, st: FeedState) -> PollResult:
        feed = st.feed
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"}
        if st.etag:
            headers["If-None-Match"] = st.etag
        if st.last_modified:
            headers["If-Modified-Since"] = st.last_modified
        try:
            async with (
                asyncio.timeout(feed.timeout_s),
                self.client.stream("GET", feed.url, headers=headers) as resp,
            ):
                status = resp.status_code
                if status == 304:
                    return PollResult("not_modified", status=304)
                if status >= 400 or status < 200:
                    kind = "http_4xx" if status < 500 else "http_5xx"
                    raise PollError(kind, f"HTTP {status}", status, _retry_after(resp.headers.get("retry-after")))
                body = await read_limited(resp, self.config.max_feed_bytes)
                etag = resp.headers.get("etag")
                last_modified = resp.headers.get("last-modified")
                content_type = resp.headers.get("content-type")
                final_url = str(resp.url)
        except TimeoutError:
            raise PollError("timeout", f"no complete answer within {feed.timeout_s:g}s") from None
        except TooLarge as exc:
            raise PollError("too_large", str(exc)) from None
        except AddressRefused as exc:
            raise PollError("blocked", str(exc)) from None
        except httpx.HTTPError as exc:
            raise PollError("network", f"{type(exc).__name__}: {exc}") from None
        loop = asyncio.get_running_loop()
        parsed = await loop.run_in_executor(self.executor, parse_feed, body, content_type, final_url)
        if not parsed.get("version") and not parsed.entries:
            why = parsed.get("bozo_exception")
            raise PollError("parse", f"not an RSS/Atom feed: {why}" if why else "not an RSS/Atom feed", 200)
        published, failed = await self._publish_new(st, parsed)
        if published:
            st.last_new_at = time.time()
        invalid = parsed.get("bozo_exception")
        if isinstance(invalid, xml.sax.SAXException):
            # The lenient parser recovered what it could (published above), but the
            # feed is broken: say so, and keep no validators so a 304 cannot hide it.
            raise PollError("parse", f"invalid XML: {invalid}", status, new_items=published)
        if not failed:
            # Keep the old validators after a failed publish so the next poll fetches the items again.
            st.etag, st.last_modified = etag, last_modified
        return PollResult("ok", status=status, new_items=published, items_in_feed=len(parsed.entries))

    async def _publish_new(self, st: FeedState, parsed: Any) -> tuple[int, int]:
        feed = st.feed
        entries: dict[str, Any] = {}
        for e in parsed.entries:
            entries.setdefault(item_key(e), e)
        if not entries:
            return 0, 0
        keys = list(entries)
        seen_key = self.keys.seen(feed.id)
        try:
            async with self._redis_slots:
                scores = await self.redis.zmscore(seen_key, keys)
        except RedisError as exc:
            raise PollError("redis", f"seen-set unavailable: {exc}") from None
        new = [k for k, s in zip(keys, scores, strict=True) if s is None]
        if not new:
            return 0, 0
        now = time.time()
        raws: dict[str, dict[str, Any]] = {}
        done: list[str] = []  # handled without publishing (no text): never look at them again
        for k in new:
            raw = entry_to_raw(entries[k], feed, parsed.feed, ingested_at=now)
            if raw is None:
                done.append(k)
            else:
                raws[k] = raw
        if feed.full_text:
            await self._add_full_text(raws)
        sends: list[tuple[str, Any]] = []
        failed = published = 0
        for k, raw in raws.items():
            try:
                payload = encode_raw(
                    raw, max_bytes=self.settings.max_article_bytes, max_depth=self.settings.max_json_depth
                )
                art = normalize_raw(validate_raw(raw))
            except RecordError as exc:
                logger.info("feed %s: item %s skipped: %s", feed.id, k, exc)
                done.append(k)
                continue
            try:
                # send() only enqueues; the acknowledgements are awaited together below.
                fut = await self.producer.send(self.settings.topic_raw, payload, key=art.id.encode())
            except Exception as exc:
                logger.warning("feed %s: send failed: %s", feed.id, exc)
                failed += 1
                continue
            sends.append((k, fut))
        if sends:
            try:
                results = await asyncio.wait_for(
                    asyncio.gather(*(f for _, f in sends), return_exceptions=True), SEND_TIMEOUT_S
                )
            except TimeoutError:
                results = [TimeoutError()] * len(sends)
            for (k, _), r in zip(sends, results, strict=True):
                if isinstance(r, BaseException):
                    failed += 1
                else:
                    done.append(k)
                    published += 1
        if done:
            ttl = int(self.config.seen_ttl_hours * 3600)
            try:
                pipe = self.redis.pipeline(transaction=False)
                pipe.zadd(seen_key, dict.fromkeys(done, now), nx=True)
                pipe.zremrangebyscore(seen_key, "-inf", now - ttl)
                pipe.expire(seen_key, ttl)
                async with self._redis_slots:
                    await pipe.execute()
            except RedisError as exc:
                # Published but not marked: the next poll republishes; article ids dedup downstream.
                logger.warning("feed %s: seen-set not updated: %s", feed.id, exc)
        if published:
            self.stats["new_items"] += published
            metrics.FEED_NEW_ITEMS.inc(published)
        return published, failed

    async def _add_full_text(self, raws: dict[str, dict[str, Any]]) -> None:
        min_chars = self.config.fulltext.min_chars
        todo = [r for r in raws.values() if r.get("url") and len(clean_text(r["body"])) < min_chars]
        if not todo:
            return
        texts = await asyncio.gather(*(self.fulltext.fetch(r["url"]) for r in todo))
        for raw, text in zip(todo, texts, strict=True):
            if text and len(text) > len(clean_text(raw["body"])):
                raw["summary"] = raw["body"]
                raw["body"] = text
                raw["full_text"] = True

    # -- health -----------------------------------------------------------------------------

    def _check_silent(self, st: FeedState, now: float) -> None:
        ref = st.last_new_at or st.first_poll_at or now
        silent = now - ref > st.feed.silent_after_s
        if silent != st.silent:
            st.silent = silent
            self._silent_count += 1 if silent else -1
            metrics.FEED_SILENT.labels(st.feed.id).set(1 if silent else 0)
            metrics.FEEDS_SILENT.set(self._silent_count)
            if silent:
                logger.warning("feed %s silent: no new item for %.0fs", st.feed.id, now - ref)

    async def _record(self, st: FeedState, res: PollResult, now: float, due: float) -> None:
        key = self.keys.health(st.feed.id)
        fields: dict[str, Any] = {
            "url": st.feed.url,
            "last_poll_at": now,
            "last_result": res.result,
            "consecutive_failures": st.failures,
            "next_due": due,
            "silent": int(st.silent),
            "first_poll_at": st.first_poll_at or now,
        }
        if res.status is not None:
            fields["last_status"] = res.status
        if res.result == "error":
            fields["last_error"] = f"{res.error_kind}: {res.error}"
            fields["last_error_at"] = now
        else:
            fields["last_success_at"] = now
            fields["etag"] = st.etag or ""
            fields["last_modified"] = st.last_modified or ""
        if res.result == "ok":
            fields["items_in_feed"] = res.items_in_feed
        if st.last_new_at:
            fields["last_new_item_at"] = st.last_new_at
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.hset(key, mapping=fields)
            if res.new_items:
                pipe.hincrby(key, "items_seen", res.new_items)
            if res.result == "error":
                pipe.hincrby(key, "errors", 1)
            async with self._redis_slots:
                await pipe.execute()
        except RedisError as exc:
            logger.warning("feed %s: health not recorded: %s", st.feed.id, exc)


async def feed_status(redis: Any, prefix: str, feeds: FeedsFile, now: float | None = None) -> list[dict[str, Any]]:
    """Health rows for ``newsmon feeds status`` (one per configured feed, in file order)."""
    now = time.time() if now is None else now
    keys = FeedKeys(prefix)
    pipe = redis.pipeline(transaction=False)
    for f in feeds.feeds:
        pipe.hgetall(keys.health(f.id))
    rows = await pipe.execute()
    out = []
    for f, raw in zip(feeds.feeds, rows, strict=True):
        h = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
             for k, v in raw.items()}  # fmt: skip
        if not h:
            state = "never polled"
        elif h.get("silent") == "1":
            state = "silent"
        elif h.get("last_result") == "error":
            state = "failing"
        else:
            state = "ok"
        out.append({"id": f.id, "url": f.url, "state": state, **h})
    return out
