"""HTTP API for alerting: silences, acknowledgements, recent alerts, dead letters.

Routes (JSON in and out; changes need the bearer token, enforced by the
server's middleware; errors are ``{"error": "...", "field": "..."}``: 400 for a
body that is not JSON or a bad query parameter, 422 for an invalid field):

* ``GET /api/silences?state=active|all`` list silences (default ``active``)
* ``POST /api/silences`` create: ``{"matchers": {"rule"|"region"|"country"|"topic": ...},
  "until": <epoch or ISO 8601> | "duration": "2h", "author": "...", "comment": "..."}``
* ``DELETE /api/silences/{id}`` expire now (the record stays listable for a day)
* ``POST /api/alerts/{alert_id}/ack`` acknowledge: ``{"by": "...", "comment": "..."}``
* ``GET /api/alerts?limit=50`` recent alerts from the history stream, with their
  events (created, grouped, silenced, delivered, dead, acked ...) and acknowledgement
* ``GET /api/dead-letters?channel=NAME&limit=100`` deliveries given up on, per channel

Handlers use ``ctx.runtime`` (a :class:`newsmon.runtime.Runtime`): its ``store``,
``silences``, ``acks`` and ``channels``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web

from newsmon.alerting.silences import DEFAULT_MAX_SILENCE_S, InputError, parse_silence
from newsmon.untrusted import short
from newsmon.web.context import CTX_KEY, WebContext

logger = logging.getLogger(__name__)

MAX_LIMIT = 1000


def _error(status: int, message: str, field: str | None = None) -> web.Response:
    body: dict[str, Any] = {"error": message}
    if field:
        body["field"] = field
    return web.json_response(body, status=status)


def _runtime(request: web.Request) -> Any:
    rt = request.app[CTX_KEY].runtime
    if rt is None:
        raise web.HTTPServiceUnavailable(
            text='{"error": "alerting runtime not available"}', content_type="application/json"
        )
    return rt


def _limit(request: web.Request, default: int) -> int:
    raw = request.query.get("limit")
    if raw is None:
        return default
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_LIMIT:
        raise _HTTPInput("limit", f"expected a whole number from 1 to {MAX_LIMIT}")
    return n


class _HTTPInput(Exception):
    def __init__(self, field: str, message: str, status: int = 400) -> None:
        self.field, self.message, self.status = field, message, status


async def _json(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise _HTTPInput("body", "expected a JSON object") from None


@web.middleware
async def _input_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except _HTTPInput as exc:
        return _error(exc.status, f"{exc.field}: {exc.message}", exc.field)
    except InputError as exc:
        return _error(400 if exc.field == "body" else 422, f"{exc.field}: {exc.message}", exc.field)


async def list_silences(request: web.Request) -> web.Response:
    rt = _runtime(request)
    state = request.query.get("state", "active")
    if state not in ("active", "all"):
        return _error(400, "state: expected 'active' or 'all'", "state")
    now = time.time()
    items = await rt.silences.all(now) if state == "all" else await rt.silences.active(now)
    return web.json_response({"silences": [s.to_json() | {"active": s.active(now)} for s in items]})


async def create_silence(request: web.Request) -> web.Response:
    rt = _runtime(request)
    now = time.time()
    settings = getattr(rt, "settings", None)
    max_s = settings.silence_max_days * 86400 if settings is not None else DEFAULT_MAX_SILENCE_S
    s = parse_silence(await _json(request), now, max_s=max_s)
    await rt.silences.add(s)
    await rt.store.history(
        "silence_created", s.id, author=s.author, matchers=",".join(f"{k}={v}" for k, v in s.matchers.items()),
        until=f"{s.until:.3f}", comment=s.comment[:200], at=f"{now:.3f}",
    )  # fmt: skip
    logger.info("silence %s created by %s: %s until %.0f", s.id, s.author, s.matchers, s.until)
    return web.json_response({"silence": s.to_json() | {"active": True}}, status=201)


async def expire_silence(request: web.Request) -> web.Response:
    rt = _runtime(request)
    sid = request.match_info["silence_id"]
    now = time.time()
    s = await rt.silences.expire(sid, now, by=request.query.get("by"))
    if s is None:
        return _error(404, f"silence_id: no silence {short(sid)}", "silence_id")
    await rt.store.history("silence_expired", sid, at=f"{now:.3f}")
    return web.json_response({"silence": s.to_json() | {"active": s.active(now)}})


async def ack_alert(request: web.Request) -> web.Response:
    rt = _runtime(request)
    alert_id = request.match_info["alert_id"]
    body = await _json(request)
    if not isinstance(body, dict):
        raise _HTTPInput("body", "expected a JSON object")
    unknown = set(body) - {"by", "comment"}
    if unknown:
        raise _HTTPInput(sorted(unknown)[0], "unknown field", 422)
    by = body.get("by")
    if not isinstance(by, str) or not by.strip() or len(by) > 200:
        raise _HTTPInput("by", "required: who acknowledges (a non-empty string, at most 200 characters)", 422)
    comment = body.get("comment", "")
    if not isinstance(comment, str) or len(comment) > 1000:
        raise _HTTPInput("comment", "expected a string of at most 1000 characters", 422)
    if await rt.store.find_alert(alert_id) is None:
        return _error(404, f"alert_id: no alert {short(alert_id)} (unknown or expired)", "alert_id")
    now = time.time()
    entry, new = await rt.acks.ack(alert_id, by.strip(), comment, now)
    if new:
        await rt.store.history("acked", alert_id, by=by.strip(), comment=comment[:200], at=f"{now:.3f}")
    return web.json_response({"ack": entry, "new": new}, status=201 if new else 200)


async def list_alerts(request: web.Request) -> web.Response:
    rt = _runtime(request)
    alerts = await rt.store.recent(_limit(request, 50))
    acks = await rt.acks.get_many([a["alert_id"] for a in alerts])
    for a in alerts:
        a["ack"] = acks.get(a["alert_id"])
    return web.json_response({"alerts": alerts})


async def list_dead_letters(request: web.Request) -> web.Response:
    rt = _runtime(request)
    limit = _limit(request, 100)
    channel = request.query.get("channel")
    names = sorted(rt.channels)
    if channel is not None and channel not in names:
        return _error(400, f"channel: unknown channel {short(channel)}; configured: {names}", "channel")
    out = {n: await rt.store.dead_letters(n, limit) for n in ([channel] if channel else names)}
    return web.json_response({"dead_letters": out})


def add_routes(app: web.Application, ctx: WebContext) -> None:
    """Register the alerting API on the worker's web application."""
    app.middlewares.append(_input_errors)
    app.router.add_get("/api/silences", list_silences)
    app.router.add_post("/api/silences", create_silence)
    app.router.add_delete("/api/silences/{silence_id}", expire_silence)
    app.router.add_post("/api/alerts/{alert_id}/ack", ack_alert)
    app.router.add_get("/api/alerts", list_alerts)
    app.router.add_get("/api/dead-letters", list_dead_letters)
