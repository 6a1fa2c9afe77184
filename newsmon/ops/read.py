"""The read side of the measurements: what the dashboard and ``/metrics`` show, without a Redis key in sight.

:class:`OpsView` answers questions (the series of the last minutes, the lag
per partition, the live workers, delivery counts per channel, the recent
alerts with their bodies, feed health); where the data lives is the business
of this package and of the stores it reads (:mod:`newsmon.ops.series`, the
alert store, the feed poller's state). The web layer only shapes the answers
into JSON.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from newsmon.metrics import REGISTRY
from newsmon.ops import series

#: Width of one series bucket and the longest window kept, in seconds.
BUCKET_S = series.BUCKET_S
KEEP_S = series.KEEP_S
THROUGHPUT_FIELDS = series.THROUGHPUT_FIELDS


def metrics_text() -> tuple[bytes, str]:
    """This process's Prometheus registry in the text exposition format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class OpsView:
    """Read-only questions about the cluster, answered from the runtime's stores.

    ``runtime`` is a :class:`newsmon.runtime.Runtime` (or a stand-in with the
    same attributes in tests).
    """

    def __init__(self, runtime: Any) -> None:
        self.rt = runtime
        self._redis = runtime.redis
        self._prefix = runtime.settings.redis_prefix

    async def series(self, now: float, window_s: int) -> list[tuple[int, dict[str, int]]]:
        """The cluster's counter increases per bucket over the last ``window_s`` seconds, oldest first."""
        return await series.read_series(self._redis, self._prefix, now, window_s)

    async def lag(self, now: float, max_age_s: float) -> list[dict[str, Any]]:
        """Consumer lag per partition as the workers last reported it (entries older than ``max_age_s`` dropped)."""
        return await series.read_lag(self._redis, self._prefix, now, max_age_s=max_age_s)

    async def workers(self, now: float, max_age_s: float) -> list[dict[str, Any]]:
        """Workers that sent a heartbeat recently (``alive`` within ``max_age_s``)."""
        return await series.read_workers(self._redis, self._prefix, now, max_age_s=max_age_s)

    async def delivery(self) -> list[dict[str, Any]]:
        """Per channel: sent, retried, dead and still pending."""
        store = self.rt.store
        stats = await store.stats()
        return [
            {
                "channel": ch,
                "sent": stats.get(f"{ch}:sent", 0),
                "retried": stats.get(f"{ch}:retried", 0),
                "dead": stats.get(f"{ch}:dead", 0),
                "pending": await store.pending(ch),
            }
            for ch in sorted(self.rt.channels)
        ]

    async def recent_alerts(self, limit: int) -> list[tuple[dict[str, Any], dict[str, Any], Any]]:
        """The newest alerts of the history: (history entry, alert body or {}, acknowledgement or None)."""
        rt = self.rt
        recent = getattr(rt.store, "recent", None)
        if recent is None:
            return []
        items: list[dict[str, Any]] = await recent(limit)
        acks: dict[str, Any] = {}
        ack_store = getattr(rt, "acks", None)
        if ack_store is not None and items:
            acks = await ack_store.get_many([a["alert_id"] for a in items])
        keys = rt.keys
        pipe = self._redis.pipeline(transaction=False)
        fetch = []
        for a in items:
            story = a.get("story")
            if story:
                pipe.get(keys.alert(keys.shard_of(story), a["alert_id"]))
                fetch.append(a)
        bodies = await pipe.execute() if fetch else []
        found = {a["alert_id"]: b for a, b in zip(fetch, bodies, strict=True) if b}
        out = []
        for a in items:
            raw = found.get(a["alert_id"])
            out.append((a, orjson.loads(raw) if raw else {}, acks.get(a["alert_id"])))
        return out

    async def feeds(self) -> list[dict[str, str]] | None:
        """Per-feed health as the feed poller records it; None when no feeds file is configured."""
        path = Path(getattr(self.rt.settings, "feeds_path", "") or "")
        if not path.name or not await asyncio.to_thread(path.is_file):
            return None
        from newsmon.ingest.poller import feed_status

        feeds_file = await asyncio.to_thread(_load_feeds_file, path)
        rows: list[dict[str, str]] = await feed_status(self._redis, self._prefix, feeds_file)
        return rows


_feeds_cache: dict[str, tuple[float, Any]] = {}


def _load_feeds_file(path: Path) -> Any:
    """The poller's feed list, reloaded when the file changes (a ConfigMap update)."""
    from newsmon.ingest.feeds import load_feeds

    mtime = path.stat().st_mtime
    cached = _feeds_cache.get(str(path))
    if cached is None or cached[0] != mtime:
        cached = (mtime, load_feeds(path))
        _feeds_cache[str(path)] = cached
    return cached[1]
