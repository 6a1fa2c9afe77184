"""Process-wide logging: JSON (one event per line) or plain text, secrets redacted.

:func:`configure` runs once at start, from :mod:`newsmon.cli`, before anything
logs; the Faust worker is told not to touch logging afterwards, so its own
records (``Ready``, rebalances, commits) come out in the same format.

A JSON event carries ``ts``, ``level``, ``logger``, ``msg``, any ``extra=``
fields of the call (``alert_id``, ``article_id``, ...), the fields bound with
:func:`bind` for the current asyncio task (the agents bind the article being
processed), and ``exc`` with the traceback when there is one.

Every record, whichever logger made it (httpx, aiokafka, Faust included) and
whichever handler writes it, passes :func:`redact` when it is created (a log
record factory), and the JSON and text formatters redact ``extra`` and bound
fields too. :func:`redact` masks

* every secret value the process knows, registered with
  :func:`register_secrets` (settings secrets by ``Settings.from_env``, channel
  URLs and secrets by the channel registry), wherever it appears;
* values of query parameters named like credentials (``token``, ``key``,
  ``sig``, ``secret``, ``code``, ``password``, ``auth`` and ``*_token`` ...);
* ``user:password@host`` with or without a scheme, bearer tokens,
  ``whsec_`` webhook secrets and Slack webhook paths,

so a careless ``%s`` of a URL, header or exception never leaks a credential.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import orjson

from newsmon.untrusted import short

FORMATS = ("json", "text")

_bound: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("newsmon_log_fields", default=None)

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}

_REDACTIONS = [
    # scheme://user:password@host -> scheme://user:***@host (and ://:password@)
    (re.compile(r"(?P<pre>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@"), r"\g<pre>***@"),
    # The same without a scheme (a broker list "u:pw@host:9092", a proxy setting).
    (re.compile(r"(?P<pre>(?:^|(?<=[\s\"'=,;(\[]))[^\s:/@\"'=,;(\[]+:)[^\s@/\"']+@(?=[A-Za-z0-9\[])"), r"\g<pre>***@"),
    # Query parameters named like credentials: ?token=..., &api_key=..., &X-Amz-Signature=...
    (re.compile(r"(?i)(?P<pre>[?&;](?:[\w.-]*[_.-])?(?:token|key|sig|signature|secret|code|password|passwd|auth)=)"
                r"[^&#\s\"'<>]+"), r"\g<pre>***"),
    (re.compile(r"(?i)(?P<pre>\bbearer\s+)[A-Za-z0-9._~+/=-]+"), r"\g<pre>***"),
    (re.compile(r"(?i)(?P<pre>(authorization|api[_-]?token|password|secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]+"),
     r"\g<pre>***"),
    (re.compile(r"whsec_[A-Za-z0-9+/=]+"), "whsec_***"),
    (re.compile(r"(?P<pre>hooks\.slack\.com/)[A-Za-z0-9/_-]+"), r"\g<pre>***"),
]  # fmt: skip


MIN_SECRET_CHARS = 4


class KnownSecrets:
    """Secret values the process holds; one alternation, longest first, so a value inside another is not half-masked."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self.pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str | None]) -> None:
        new = set()
        for value in values:
            for v in _variants(value or ""):
                if len(v) >= MIN_SECRET_CHARS and v not in self._values:
                    new.add(v)
        if not new:
            return
        with self._lock:
            self._values |= new
            alts = sorted(self._values, key=len, reverse=True)
            self.pattern = re.compile("|".join(map(re.escape, alts)))


def _variants(value: str) -> set[str]:
    """The value (a webhook secret also without its ``whsec_`` prefix), and for a URL the
    parts that carry its secret: password, path and query."""
    value = value.strip()
    out = {value, value.removeprefix("whsec_")}
    if "://" in value:
        try:
            parts = urlsplit(value)
            password = parts.password
        except ValueError:
            return out
        if password:
            out |= {password, unquote(password)}
        tail = parts.path + ("?" + parts.query if parts.query else "")
        # "/" or "/hook" alone would mask ordinary text; a webhook's secret path is long.
        if len(tail) >= 12:
            out.add(tail)
    return out


_known = KnownSecrets()


def register_secrets(values: Iterable[str | None]) -> None:
    """Mask these values (and a URL's password, path and query) in every log line from now on."""
    _known.add(values)


def redact(text: str) -> str:
    """``text`` with credentials masked (cheap enough for every log line)."""
    known = _known.pattern
    if known is not None:
        text = known.sub("***", text)
    for pattern, repl in _REDACTIONS:
        text = pattern.sub(repl, text)
    return text


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


_plain = logging.Formatter()
_factory_installed = False


def _install_record_factory() -> None:
    """Redact each record as it is made, so every handler (ours, a library's, pytest's) sees it masked."""
    global _factory_installed
    if _factory_installed:
        return
    base = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:
            # A bad %-format: the handler's error report would print the raw
            # arguments, so keep them (masked, shortened) in the message instead.
            message = f"{record.msg} (log arguments that did not fit: {short(record.args)})"
        # () as for a call without arguments: formatters that re-format args (mode's) see nothing to do.
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(_plain.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


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
        event.update({k: _redact_value(v) for k, v in (_bound.get() or {}).items()})
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                event[key] = _redact_value(value)
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
            line += " [" + redact(" ".join(f"{k}={v}" for k, v in fields.items())) + "]"
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
    _install_record_factory()
    # aiohttp's access log would log every probe and scrape; errors still come through.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    return handler


def set_fields(**fields: Any) -> None:
    """Replace the fields bound to the current task (an agent calls it per event; no reset needed)."""
    _bound.set({k: v for k, v in fields.items() if v is not None})
