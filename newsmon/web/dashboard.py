"""The ops dashboard: one static page (``/``) that polls ``GET /api/v1/dashboard``.

The page and its script are files of this package (``static/``), so it works
with no internet. The JSON is built from Redis, so every worker behind a
load-balanced Service shows the same cluster-wide picture:

* throughput, articles by region and by topic, rule hits: the per-bucket
  series of :mod:`newsmon.ops.series` over ``?window=`` seconds (default 30 min);
* consumer lag per partition and live workers: the monitor's entries, fresh ones only;
* delivery health per channel: ``AlertStore.stats()`` and the outbox size;
* recent alerts with evidence and acknowledgement: the alert history, the
  alert bodies and the acknowledgements kept by the alerting module;
* feed health: the feed poller's per-feed state, when the poller module is installed.

Article text reaches the page only as JSON values; the script puts it in the
DOM with ``textContent``, never as HTML.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from newsmon.ops import series
from newsmon.ops.monitor import WorkerStatus
from newsmon.web.context import CTX_KEY, WebContext

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
DEFAULT_WINDOW_S = 1800
MAX_WINDOW_S = series.KEEP_S
RECENT_ALERTS = 25
TOP_SERIES = 6  # lines per region/topic chart; the rest are summed as "other"


def _labels(rt: Any) -> dict[str, str]:
    """Region and topic labels from the classifier's lexicon (codes when unavailable)."""
    lex = getattr(getattr(rt, "classifier", None), "lex", None)
    out: dict[str, str] = {}
    for attr in ("regions", "topics"):
        for code, item in (getattr(lex, attr, None) or {}).items():
            label = getattr(item, "label", None)
            if isinstance(label, str):
                out[code] = label
    return out


def _top_series(buckets: list[tuple[int, dict[str, int]]], prefix: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    totals: dict[str, int] = {}
    for _, b in buckets:
        for k, v in b.items():
            if k.startswith(prefix):
                totals[k[len(prefix) :]] = totals.get(k[len(prefix) :], 0) + v
    ranked = sorted(totals, key=lambda c: (-totals[c], c))
    top, rest = ranked[:TOP_SERIES], ranked[TOP_SERIES:]
    out = [
        {
            "code": code,
            "label": labels.get(code, code),
            "total": totals[code],
            "values": [b.get(prefix + code, 0) for _, b in buckets],
        }
        for code in top
    ]
    if rest:
        out.append(
            {
                "code": "other",
                "label": f"{len(rest)} others",
                "total": sum(totals[c] for c in rest),
                "values": [sum(b.get(prefix + c, 0) for c in rest) for _, b in buckets],
            }
        )
    return out


def _window(request: web.Request) -> int:
    try:
        w = int(request.query.get("window", DEFAULT_WINDOW_S))
    except ValueError:
        w = DEFAULT_WINDOW_S
    return max(series.BUCKET_S * 6, min(MAX_WINDOW_S, w))


async def _recent_alerts(rt: Any, limit: int) -> list[dict[str, Any]]:
    store = rt.store
    recent = getattr(store, "recent", None)
    if recent is None:
        return []
    items: list[dict[str, Any]] = await recent(limit)
    acks: dict[str, Any] = {}
    ack_store = getattr(rt, "acks", None)
    if ack_store is not None and items:
        acks = await ack_store.get_many([a["alert_id"] for a in items])
    keys = rt.keys
    pipe = rt.redis.pipeline(transaction=False)
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
        body: dict[str, Any] = {}
        raw = found.get(a["alert_id"])
        if raw:
            body = orjson.loads(raw)
        out.append(
            {
                "alert_id": a["alert_id"],
                "rule": a.get("rule") or body.get("rule_id"),
                "rule_name": body.get("rule_name"),
                "title": body.get("title") or a.get("title") or "",
                "url": body.get("url"),
                "source": body.get("source"),
                "severity": body.get("severity", "info"),
                "kind": body.get("kind") or a.get("kind") or "alert",
                "countries": body.get("countries", []),
                "regions": body.get("regions", []),
                "topics": body.get("topics", []),
                "evidence": body.get("evidence", [])[:20],
                "snippet": body.get("snippet", ""),
                "members": len(body.get("members") or []),
                "created_at": body.get("created_at"),
                "status": a.get("status"),
                "at": a.get("at"),
                "events": [
                    {k: e.get(k) for k in ("event", "at", "channel", "error", "by") if e.get(k) is not None}
                    for e in a.get("events", [])
                ],
                "ack": acks.get(a["alert_id"]),
            }
        )
    return out


async def _delivery(rt: Any) -> list[dict[str, Any]]:
    stats = await rt.store.stats()
    out = []
    for ch in sorted(rt.channels):
        out.append(
            {
                "channel": ch,
                "sent": stats.get(f"{ch}:sent", 0),
                "retried": stats.get(f"{ch}:retried", 0),
                "dead": stats.get(f"{ch}:dead", 0),
                "pending": await rt.store.pending(ch),
            }
        )
    return out


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


def _float(v: Any) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


async def _feeds(rt: Any) -> list[dict[str, Any]] | None:
    """Per-feed health as the feed poller records it in Redis; None when no feeds file is configured."""
    path = Path(getattr(rt.settings, "feeds_path", "") or "")
    if not path.name or not await asyncio.to_thread(path.is_file):
        return None
    from newsmon.ingest.poller import feed_status

    feeds_file = await asyncio.to_thread(_load_feeds_file, path)
    rows = await feed_status(rt.redis, rt.settings.redis_prefix, feeds_file)
    return [
        {
            "name": r.get("id"),
            "url": r.get("url"),
            "state": r.get("state"),
            "last_new_at": _float(r.get("last_new_item_at")),
            "last_poll_at": _float(r.get("last_poll_at")),
            "error": r.get("last_error", "") if r.get("state") == "failing" else "",
        }
        for r in rows
    ]


async def build_dashboard(
    ctx: WebContext, window_s: int = DEFAULT_WINDOW_S, now: float | None = None
) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data."""
    rt = ctx.runtime
    now = time.time() if now is None else now
    status = ctx.extras.get("status")
    interval = status.interval_s if isinstance(status, WorkerStatus) else 5.0
    prefix = rt.settings.redis_prefix
    buckets = await series.read_series(rt.redis, prefix, now, window_s)
    labels = _labels(rt)
    totals = {f: sum(b.get(f, 0) for _, b in buckets) for f in series.THROUGHPUT_FIELDS}
    rule_ids = sorted({k.split(":", 1)[1] for _, b in buckets for k in b if k.startswith(("match:", "alert:"))})
    for rule in getattr(getattr(rt, "rules", None), "rules", []):
        if rule.id not in rule_ids:
            rule_ids.append(rule.id)
    rules: list[dict[str, Any]] = [
        {
            "rule": r,
            "matches": sum(b.get(f"match:{r}", 0) for _, b in buckets),
            "alerts": sum(b.get(f"alert:{r}", 0) for _, b in buckets),
        }
        for r in rule_ids
    ]
    rules.sort(key=lambda r: (-r["matches"], -r["alerts"], r["rule"]))
    feeds = None
    try:
        feeds = await _feeds(rt)
    except Exception as exc:
        logger.warning("dashboard: feed health unavailable: %s", exc)
    return {
        "now": now,
        "window_s": window_s,
        "bucket_s": series.BUCKET_S,
        "refresh_s": min(5.0, max(1.0, interval)),
        "times": [t for t, _ in buckets],
        "totals": totals,
        "throughput": {f: [b.get(f, 0) for _, b in buckets] for f in series.THROUGHPUT_FIELDS},
        "regions": _top_series(buckets, "region:", labels),
        "topics": _top_series(buckets, "topic:", labels),
        "lag": await series.read_lag(rt.redis, prefix, now, max_age_s=max(3 * interval, 15.0)),
        "workers": await series.read_workers(rt.redis, prefix, now, max_age_s=max(3 * interval, 15.0)),
        "delivery": await _delivery(rt),
        "rules": rules,
        "alerts": await _recent_alerts(rt, RECENT_ALERTS),
        "feeds": feeds,
    }


async def dashboard_json(request: web.Request) -> web.Response:
    ctx = request.app[CTX_KEY]
    if ctx.runtime is None:
        return web.json_response({"error": "no runtime"}, status=503)
    data = await build_dashboard(ctx, _window(request))
    return web.json_response(data, headers={"Cache-Control": "no-store"})


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "dashboard.html", headers=_PAGE_HEADERS)


# The page loads only its own script and style; nothing inline, nothing remote.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def add_routes(app: web.Application, ctx: WebContext) -> None:
    app.router.add_get("/", index)
    app.router.add_get("/dashboard", index)
    app.router.add_get("/api/v1/dashboard", dashboard_json)
    app.router.add_static("/static/", STATIC_DIR, show_index=False, follow_symlinks=False)
