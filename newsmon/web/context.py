"""What every route module of the web layer shares: the context object and its key in the aiohttp app.

Its own module so that route modules and :mod:`newsmon.web.server` (which
imports them) both import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class WebContext:
    """What handlers may use. ``runtime`` is a :class:`newsmon.runtime.Runtime` (or None in tests)."""

    runtime: Any = None
    api_token: str | None = None
    read_token: str | None = None
    #: Reads outside ``server.OPEN_READS`` need the read or the API token.
    reads_need_token: bool = False
    #: Extra state that feature modules share (e.g. readiness probes): name -> object.
    extras: dict[str, Any] = field(default_factory=dict)


CTX_KEY: web.AppKey[WebContext] = web.AppKey("newsmon_ctx")
