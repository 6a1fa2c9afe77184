"""``/metrics``: the worker's Prometheus registry in the text exposition format.

Gauges that are not counted in the stream (lag, outbox size) are refreshed by
the monitor loop, not per scrape, so a scrape never waits on Kafka or Redis.
"""

from __future__ import annotations

from aiohttp import web

from newsmon.ops.read import metrics_text
from newsmon.web.context import WebContext


async def metrics(request: web.Request) -> web.Response:
    body, content_type = metrics_text()
    resp = web.Response(body=body)
    resp.headers["Content-Type"] = content_type
    return resp


def add_routes(app: web.Application, ctx: WebContext) -> None:
    app.router.add_get("/metrics", metrics)
