"""The ops dashboard: one static page (``/``) that polls ``GET /api/v1/dashboard``.

The page and its script are files of this package (``static/``), so it works
with no internet. The data comes through :class:`newsmon.ops.read.OpsView`
(this module knows no Redis key); it is cluster-wide, so every worker behind a
load-balanced Service shows the same picture:

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

import logging
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from newsmon.ops.monitor import WorkerStatus
from newsmon.ops.read import BUCKET_S, KEEP_S, THROUGHPUT_FIELDS, OpsView
from newsmon.web.context import CTX_KEY, WebContext

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
DEFAULT_WINDOW_S = 1800
MAX_WINDOW_S = KEEP_S
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
    return max(BUCKET_S * 6, min(MAX_WINDOW_S, w))


def _alert_row(a: dict[str, Any], body: dict[str, Any], ack: Any) -> dict[str, Any]:
    return {
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
        "ack": ack,
    }


def _float(v: Any) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


async def _feeds(view: OpsView) -> list[dict[str, Any]] | None:
    rows = await view.feeds()
    if rows is None:
        return None
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
    view = OpsView(rt)
    now = time.time() if now is None else now
    status = ctx.extras.get("status")
    interval = status.interval_s if isinstance(status, WorkerStatus) else 5.0
    buckets = await view.series(now, window_s)
    labels = _labels(rt)
    totals = {f: sum(b.get(f, 0) for _, b in buckets) for f in THROUGHPUT_FIELDS}
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
        feeds = await _feeds(view)
    except Exception as exc:
        logger.warning("dashboard: feed health unavailable: %s", exc)
    return {
        "now": now,
        "window_s": window_s,
        "bucket_s": BUCKET_S,
        "refresh_s": min(5.0, max(1.0, interval)),
        "times": [t for t, _ in buckets],
        "totals": totals,
        "throughput": {f: [b.get(f, 0) for _, b in buckets] for f in THROUGHPUT_FIELDS},
        "regions": _top_series(buckets, "region:", labels),
        "topics": _top_series(buckets, "topic:", labels),
        "lag": await view.lag(now, max_age_s=max(3 * interval, 15.0)),
        "workers": await view.workers(now, max_age_s=max(3 * interval, 15.0)),
        "delivery": await view.delivery(),
        "rules": rules,
        "alerts": [_alert_row(*a) for a in await view.recent_alerts(RECENT_ALERTS)],
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
