"""Dashboard time series, kept in Redis so every worker's dashboard shows the whole cluster.

Each worker samples its own Prometheus counters every ``monitor_interval_s``
(:class:`SeriesRecorder`) and adds the increase since the previous sample to a
per-bucket Redis hash (``<prefix>:{dash}:ts:<bucket start>``, ``BUCKET_S``
wide, expiring after ``KEEP_S``). Readers sum nothing: a bucket already holds
the total of all workers. Why Redis and not a ring buffer in the process: the
dashboard sits behind a load-balanced Service, so successive page refreshes
hit different workers and an in-process series would jump between them.

Consumer lag and worker heartbeats live in two hashes beside the series
(``{dash}:lag``, ``{dash}:workers``), each entry stamped with its time so a
reader drops what a stopped or rebalanced worker left behind.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from prometheus_client import Counter

from newsmon import metrics

logger = logging.getLogger(__name__)

BUCKET_S = 10
KEEP_S = 2 * 3600
#: Throughput lines of the dashboard (field names in a bucket).
THROUGHPUT_FIELDS = ("in", "classified", "dead", "matches", "alerts", "sent", "delivery_failed")


def _tag(prefix: str) -> str:
    return f"{prefix}:{{dash}}"


def series_key(prefix: str, bucket: int) -> str:
    return f"{_tag(prefix)}:ts:{bucket}"


def lag_key(prefix: str) -> str:
    """HASH "topic/partition" -> JSON {lag, committed, highwater, worker, at}."""
    return f"{_tag(prefix)}:lag"


def workers_key(prefix: str) -> str:
    """HASH worker id -> JSON {at, started_at, partitions}."""
    return f"{_tag(prefix)}:workers"


def bucket_of(ts: float) -> int:
    return int(ts // BUCKET_S) * BUCKET_S


def fields_of(metric: str, labels: Mapping[str, str], value: float) -> Iterable[tuple[str, float]]:
    """Which dashboard fields one counter sample feeds (an empty iterable: none)."""
    if metric == "newsmon_articles_in":
        yield "in", value
    elif metric == "newsmon_articles_classified":
        yield "classified", value
    elif metric == "newsmon_dead_letters":
        yield "dead", value
    elif metric == "newsmon_articles_by_region":
        yield f"region:{labels['region']}", value
    elif metric == "newsmon_articles_by_topic":
        yield f"topic:{labels['topic']}", value
    elif metric == "newsmon_rule_matches":
        yield "matches", value
        yield f"match:{labels['rule']}", value
    elif metric == "newsmon_alerts" and labels.get("outcome") == "created":
        yield "alerts", value
        yield f"alert:{labels['rule']}", value
    elif metric == "newsmon_deliveries":
        outcome = labels.get("outcome", "")
        if outcome == "sent":
            yield "sent", value
        elif outcome in ("retry", "dead"):
            yield "delivery_failed", value
        yield f"delivery:{labels.get('channel', '')}:{outcome}", value


SERIES_COUNTERS: tuple[Counter, ...] = (
    metrics.ARTICLES_IN,
    metrics.ARTICLES_CLASSIFIED,
    metrics.DEAD_LETTERS,
    metrics.ARTICLES_BY_REGION,
    metrics.ARTICLES_BY_TOPIC,
    metrics.RULE_MATCHES,
    metrics.ALERTS,
    metrics.DELIVERIES,
)


def snapshot(counters: Iterable[Counter] = SERIES_COUNTERS) -> dict[str, float]:
    """Current totals of the dashboard fields in this process."""
    out: dict[str, float] = {}
    for counter in counters:
        for family in counter.collect():
            for sample in family.samples:
                if not sample.name.endswith("_total"):
                    continue
                for name, value in fields_of(family.name, sample.labels, sample.value):
                    out[name] = out.get(name, 0.0) + value
    return out


def increases(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, int]:
    """Whole increases per field; a field that went down (a restart) counts from zero."""
    out: dict[str, int] = {}
    for name, value in after.items():
        prev = before.get(name, 0.0)
        delta = value - prev if value >= prev else value
        if delta >= 1:
            out[name] = int(delta)
    return out


class SeriesRecorder:
    """Adds this process's counter increases to the shared Redis buckets."""

    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._last = snapshot()

    async def flush(self, now: float | None = None) -> dict[str, int]:
        """Called every monitor interval. A Redis error leaves the increase for the next call."""
        current = snapshot()
        delta = increases(self._last, current)
        if delta:
            key = series_key(self.prefix, bucket_of(time.time() if now is None else now))
            pipe = self.redis.pipeline(transaction=False)
            for name, n in delta.items():
                pipe.hincrby(key, name, n)
            pipe.expire(key, KEEP_S)
            await pipe.execute()
        self._last = current
        return delta


@dataclass(slots=True)
class PartitionLag:
    topic: str
    partition: int
    committed: int | None
    highwater: int

    @property
    def lag(self) -> int:
        # Nothing committed yet: everything from the start of the log is behind.
        return max(0, self.highwater - (self.committed or 0))


async def read_series(redis: Any, prefix: str, now: float, window_s: int) -> list[tuple[int, dict[str, int]]]:
    """The buckets of the last ``window_s`` seconds, oldest first (empty buckets included)."""
    last = bucket_of(now)
    starts = list(range(last - (window_s // BUCKET_S - 1) * BUCKET_S, last + 1, BUCKET_S))
    pipe = redis.pipeline(transaction=False)
    for b in starts:
        pipe.hgetall(series_key(prefix, b))
    raw = await pipe.execute()
    out = []
    for b, h in zip(starts, raw, strict=True):
        out.append((b, {_s(k): int(v) for k, v in (h or {}).items()}))
    return out


async def write_lag(redis: Any, prefix: str, worker: str, lags: list[PartitionLag], now: float) -> None:
    if not lags:
        return
    mapping = {
        f"{p.topic}/{p.partition}": orjson.dumps(
            {"lag": p.lag, "committed": p.committed, "highwater": p.highwater, "worker": worker, "at": now}
        )
        for p in lags
    }
    await redis.hset(lag_key(prefix), mapping=mapping)


async def read_lag(redis: Any, prefix: str, now: float, max_age_s: float) -> list[dict[str, Any]]:
    """Fresh lag entries, sorted by topic and partition (stale ones are deleted)."""
    raw = await redis.hgetall(lag_key(prefix))
    out, stale = [], []
    for k, v in raw.items():
        entry = orjson.loads(v)
        if now - float(entry.get("at", 0)) > max_age_s:
            stale.append(k)
            continue
        topic, _, part = _s(k).rpartition("/")
        out.append({"topic": topic, "partition": int(part), **entry})
    if stale:
        await redis.hdel(lag_key(prefix), *stale)
    out.sort(key=lambda e: (e["topic"], e["partition"]))
    return out


async def heartbeat(redis: Any, prefix: str, worker: str, info: Mapping[str, Any]) -> None:
    await redis.hset(workers_key(prefix), worker, orjson.dumps(dict(info)))


async def read_workers(redis: Any, prefix: str, now: float, max_age_s: float) -> list[dict[str, Any]]:
    raw = await redis.hgetall(workers_key(prefix))
    out, stale = [], []
    for k, v in raw.items():
        info = orjson.loads(v)
        age = now - float(info.get("at", 0))
        if age > max_age_s * 20:
            stale.append(k)  # long gone: forget it
        out.append({"id": _s(k), "age_s": round(age, 1), "alive": age <= max_age_s, **info})
    if stale:
        await redis.hdel(workers_key(prefix), *stale)
    out = [w for w in out if w["age_s"] <= max_age_s * 20]
    out.sort(key=lambda w: w["id"])
    return out


def _s(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)
