"""One aiohttp application per worker process, assembled from route modules.

Each feature module exposes ``add_routes(app: web.Application, ctx: WebContext)``;
:func:`build_web_app` calls them in order. Mutating endpoints (POST, PUT,
PATCH, DELETE) require ``Authorization: Bearer <NEWSMON_API_TOKEN>``; when no
token is configured they answer 503 rather than run unprotected.

Reads (alerts, dead letters, silences, the dashboard JSON) need a bearer token
too, the read token (``NEWSMON_API_READ_TOKEN``) or the API token, whenever the
server binds beyond loopback or a read token is set: :func:`web_context`
refuses to start a server on a non-loopback address with no token at all.
``/metrics``, ``/healthz``, ``/readyz`` and the static dashboard page (it holds
no data; its script asks for the token) stay open (SECURITY.md).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from newsmon.config import ConfigError
from newsmon.web.context import CTX_KEY, WebContext

if TYPE_CHECKING:
    from newsmon.config import Settings

logger = logging.getLogger(__name__)

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Routes (by resource, so no spelling of a path can reach another route through
# them) that any client may read: probes, scrapes and the data-free page.
OPEN_READS = frozenset({"/metrics", "/healthz", "/readyz", "/", "/dashboard", "/static"})


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
    elif request.app[CTX_KEY].reads_need_token and not _open_read(request):
        ctx = request.app[CTX_KEY]
        tokens = [t for t in (ctx.read_token, ctx.api_token) if t]
        if not tokens:
            return web.json_response(
                {"error": "reads disabled: set NEWSMON_API_READ_TOKEN or NEWSMON_API_TOKEN"}, status=503
            )
        # Both compared (constant time each) so the answer time does not say which one was close.
        if not any([_token_ok(request, t) for t in tokens]):
            return web.json_response(
                {"error": "missing or invalid bearer token"}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
    return await handler(request)


def _open_read(request: web.Request) -> bool:
    resource = request.match_info.route.resource
    return resource is not None and resource.canonical in OPEN_READS


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1); False for anything else."""
    name = host.strip().removeprefix("[").removesuffix("]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def web_context(
    settings: Settings, *, host: str | None = None, runtime: Any = None, extras: dict[str, Any] | None = None
) -> WebContext:
    """The context of a server bound to ``host`` (default ``settings.web_host``), tokens from ``settings``.

    Raises :class:`ConfigError` for a non-loopback address with neither token set.
    """
    host = settings.web_host if host is None else host
    api = settings.api_token.get_secret_value() if settings.api_token else None
    read = settings.api_read_token.get_secret_value() if settings.api_read_token else None
    beyond_loopback = not is_loopback(host)
    if beyond_loopback and not (api or read):
        raise ConfigError(
            f"NEWSMON_WEB_HOST={host!r} is not a loopback address, so alerts and state would be readable by "
            "anyone who reaches the port: set NEWSMON_API_READ_TOKEN (or NEWSMON_API_TOKEN), "
            "or bind NEWSMON_WEB_HOST=127.0.0.1"
        )
    return WebContext(
        runtime=runtime,
        api_token=api,
        read_token=read,
        reads_need_token=beyond_loopback or read is not None,
        extras=extras or {},
    )


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
