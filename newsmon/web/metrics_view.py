"""``/metrics``: the worker's Prometheus registry in the text exposition format.

Gauges that are not counted in the stream (lag, outbox size) are refreshed by
the monitor loop, not per scrape, so a scrape never waits on Kafka or Redis.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from newsmon.metrics import REGISTRY
from newsmon.web.context import WebContext


async def metrics(request: web.Request) -> web.Response:
    resp = web.Response(body=generate_latest(REGISTRY))
    resp.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return resp


def add_routes(app: web.Application, ctx: WebContext) -> None:
    app.router.add_get("/metrics", metrics)
