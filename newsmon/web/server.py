"""One aiohttp application per worker process, assembled from route modules.

Each feature module exposes ``add_routes(app: web.Application, ctx: WebContext)``;
:func:`build_web_app` calls them in order. Mutating endpoints (POST, PUT,
PATCH, DELETE) require ``Authorization: Bearer <NEWSMON_API_TOKEN>``; when no
token is configured they answer 503 rather than run unprotected.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from newsmon.web.context import CTX_KEY, WebContext

logger = logging.getLogger(__name__)

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _token_ok(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@web.middleware
async def auth_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.method in MUTATING:
        ctx = request.app[CTX_KEY]
        if not ctx.api_token:
            return web.json_response(
                {"error": "mutating API disabled: set NEWSMON_API_TOKEN (or NEWSMON_API_TOKEN_FILE)"}, status=503
            )
        if not _token_ok(request, ctx.api_token):
            return web.json_response(
                {"error": "missing or invalid bearer token"}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
    return await handler(request)


RouteModule = Callable[[web.Application, WebContext], None]


def build_web_app(ctx: WebContext, modules: list[RouteModule] | None = None) -> web.Application:
    """The application with every feature's routes (``modules`` overrides the list, for tests)."""
    app = web.Application(middlewares=[auth_middleware], client_max_size=16 * 1024 * 1024)
    app[CTX_KEY] = ctx
    for add_routes in modules if modules is not None else default_modules():
        add_routes(app, ctx)
    return app


def default_modules() -> list[RouteModule]:
    """Feature route modules, in order (imported here so a module's import cost is paid only when serving)."""
    from newsmon.web import api, dashboard, health, ingest_api, metrics_view

    return [health.add_routes, metrics_view.add_routes, api.add_routes, ingest_api.add_routes, dashboard.add_routes]
