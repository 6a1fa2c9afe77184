"""Web commands behind the CLI: ``ingest-api`` serves the HTTP ingest API alone.

Here and not in :mod:`newsmon.ingest`, so ingestion never imports the web
layer; the route module itself is :mod:`newsmon.web.ingest_api`.
"""

from __future__ import annotations

import argparse
import logging

logger = logging.getLogger(__name__)


def cmd_ingest_api(args: argparse.Namespace) -> int:
    """Serve only the HTTP ingest API (token from ``NEWSMON_API_TOKEN``)."""
    from aiohttp import web

    from newsmon.config import Settings
    from newsmon.kafka_util import ensure_topics
    from newsmon.web import ingest_api
    from newsmon.web.context import WebContext
    from newsmon.web.server import build_web_app

    settings = Settings.from_env()
    token = settings.api_token.get_secret_value() if settings.api_token else None
    if not token:
        logger.warning("NEWSMON_API_TOKEN is not set: POST requests will be answered 503")
    ctx = WebContext(api_token=token, extras={ingest_api.SETTINGS_EXTRA: settings})
    app = build_web_app(ctx, modules=[ingest_api.add_routes])

    async def topics(app: web.Application) -> None:
        await ensure_topics(settings, [settings.topic_raw])

    app.on_startup.append(topics)
    port = args.port if args.port is not None else settings.web_port
    web.run_app(app, host=args.host or settings.web_host, port=port, print=None, handle_signals=True)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``ingest-api`` to the CLI."""
    a = sub.add_parser("ingest-api", help="serve the HTTP ingest API alone (POST /api/v1/articles)")
    a.add_argument("--host", default=None, help="default: NEWSMON_WEB_HOST")
    a.add_argument("--port", type=int, default=None, help="default: NEWSMON_WEB_PORT")
    a.set_defaults(func=cmd_ingest_api)
