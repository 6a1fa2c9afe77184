"""Process-wide logging: JSON (one event per line) or plain text, secrets redacted.

:func:`configure` runs once at start, from :mod:`newsmon.cli`, before anything
logs; the Faust worker is told not to touch logging afterwards, so its own
records (``Ready``, rebalances, commits) come out in the same format.

A JSON event carries ``ts``, ``level``, ``logger``, ``msg``, any ``extra=``
fields of the call (``alert_id``, ``article_id``, ...), the fields bound with
:func:`bind` for the current asyncio task (the agents bind the article being
processed), and ``exc`` with the traceback when there is one.

Every message, in either format, passes :func:`redact`: passwords in URLs,
bearer tokens, ``whsec_`` webhook secrets and Slack webhook paths are masked,
so a careless ``%s`` of a URL or header never leaks a credential.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import re
import sys
from collections.abc import Iterator
from typing import IO, Any

import orjson

FORMATS = ("json", "text")

_bound: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("newsmon_log_fields", default=None)

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}

_REDACTIONS = [
    # scheme://user:password@host -> scheme://user:***@host (and ://:password@)
    (re.compile(r"(?P<pre>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@"), r"\g<pre>***@"),
    (re.compile(r"(?i)(?P<pre>\bbearer\s+)[A-Za-z0-9._~+/=-]+"), r"\g<pre>***"),
    (re.compile(r"(?i)(?P<pre>(authorization|api[_-]?token|password|secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;]+"),
     r"\g<pre>***"),
    (re.compile(r"whsec_[A-Za-z0-9+/=]+"), "whsec_***"),
    (re.compile(r"(?P<pre>hooks\.slack\.com/)[A-Za-z0-9/_-]+"), r"\g<pre>***"),
]  # fmt: skip


def redact(text: str) -> str:
    """``text`` with credentials masked (cheap enough for every log line)."""
    for pattern, repl in _REDACTIONS:
        text = pattern.sub(repl, text)
    return text


@contextlib.contextmanager
def bind(**fields: Any) -> Iterator[None]:
    """Add ``fields`` to every event logged by this task inside the block."""
    current = _bound.get() or {}
    token = _bound.set({**current, **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _bound.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; never raises on odd ``extra`` values."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        event.update(_bound.get() or {})
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                event[key] = value
        if record.exc_info:
            event["exc"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            event["exc"] = redact(record.exc_text)
        if record.stack_info:
            event["stack"] = record.stack_info
        return orjson.dumps(event, default=_fallback, option=orjson.OPT_NON_STR_KEYS).decode()


def _fallback(obj: Any) -> str:
    return redact(str(obj))


class TextFormatter(logging.Formatter):
    """Human-readable lines for interactive commands; bound fields appended as k=v."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = redact(super().format(record))
        fields = _bound.get()
        if fields:
            line += " [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]"
        return line


def configure(fmt: str = "text", level: str | int = "info", stream: IO[str] | None = None) -> logging.Handler:
    """Replace the root handlers with one stream handler in ``fmt``; returns it."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {FORMATS}, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # aiohttp's access log would log every probe and scrape; errors still come through.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    return handler


def set_fields(**fields: Any) -> None:
    """Replace the fields bound to the current task (an agent calls it per event; no reset needed)."""
    _bound.set({k: v for k, v in fields.items() if v is not None})
