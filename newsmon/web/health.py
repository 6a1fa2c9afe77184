"""``/healthz`` (the process is alive) and ``/readyz`` (it can do its job).

Liveness never touches a dependency: a Redis outage must not get every worker
restarted. Readiness is 503 with the reasons unless all hold:

* Kafka: the stream processors run (first assignment done) and the monitor's
  last broker query succeeded recently;
* Redis: ``PING`` answers within two seconds;
* rules: a rule set is loaded;
* dependencies: Kafka and Redis are not in an outage the worker's retries
  see (:mod:`newsmon.outages`); an unreachable channel receiver is listed
  but does not make the worker unready (alerts wait in the outbox);
* the worker is not shutting down (so traffic drains before it exits).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from newsmon.logging_setup import redact
from newsmon.ops.monitor import WorkerStatus
from newsmon.outages import OUTAGES
from newsmon.web.context import CTX_KEY, WebContext

REDIS_PING_TIMEOUT_S = 2.0


async def healthz(request: web.Request) -> web.Response:
    status = request.app[CTX_KEY].extras.get("status")
    up = round(time.time() - status.started_at, 1) if isinstance(status, WorkerStatus) else None
    return web.json_response({"status": "alive", "uptime_s": up})


async def check_ready(ctx: WebContext) -> tuple[bool, dict[str, Any]]:
    """(ready, checks): each check is {"ok": bool, ...details}."""
    checks: dict[str, Any] = {}
    status = ctx.extras.get("status")
    rt = ctx.runtime

    if isinstance(status, WorkerStatus):
        if not status.streams_started:
            checks["kafka"] = {"ok": False, "reason": "stream processors not started (waiting for assignment)"}
        elif not status.kafka_fresh():
            reason = redact(status.kafka_error or "no successful broker query yet")
            checks["kafka"] = {"ok": False, "reason": f"broker not reachable: {reason}"}
        else:
            checks["kafka"] = {"ok": True, "last_ok_s_ago": round(time.time() - (status.kafka_ok_at or 0), 1)}
        checks["shutdown"] = {"ok": not status.stopping()}
        if status.stopping():
            checks["shutdown"]["reason"] = "shutting down"
    else:
        checks["kafka"] = {"ok": False, "reason": "no worker status (not running inside a worker)"}

    if rt is None:
        checks["redis"] = {"ok": False, "reason": "no runtime"}
        checks["rules"] = {"ok": False, "reason": "no runtime"}
    else:
        try:
            t0 = time.perf_counter()
            await asyncio.wait_for(rt.redis.ping(), timeout=REDIS_PING_TIMEOUT_S)
            checks["redis"] = {"ok": True, "ping_ms": round((time.perf_counter() - t0) * 1000, 1)}
        except Exception as exc:
            # /readyz is open to anyone who reaches the port: mask what the error text may carry.
            checks["redis"] = {"ok": False, "reason": redact(f"{type(exc).__name__}: {exc}")[:300]}
        rules = getattr(rt, "rules", None)
        if rules is None:
            checks["rules"] = {"ok": False, "reason": "no rule set loaded"}
        else:
            checks["rules"] = {"ok": True, "count": len(rules.rules), "version": rules.version}
    down = OUTAGES.snapshot()
    checks["dependencies"] = {"ok": not ({"kafka", "redis"} & down.keys()), "unreachable": down}
    if not checks["dependencies"]["ok"]:
        checks["dependencies"]["reason"] = ", ".join(
            f"{n} unreachable for {o['down_s']:.0f}s ({o['retries']} retries)" for n, o in sorted(down.items())
        )
    return all(c["ok"] for c in checks.values()), checks


async def readyz(request: web.Request) -> web.Response:
    ready, checks = await check_ready(request.app[CTX_KEY])
    reasons = [f"{name}: {c['reason']}" for name, c in checks.items() if not c["ok"]]
    body = {"status": "ready" if ready else "not ready", "checks": checks, "reasons": reasons}
    return web.json_response(body, status=200 if ready else 503)


def add_routes(app: web.Application, ctx: WebContext) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
