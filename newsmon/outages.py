"""Outages of the worker's dependencies (Kafka, Redis, a channel's receiver), reported quietly.

Code that retries a dependency calls :meth:`Outages.failed` on every failed
attempt and :meth:`Outages.ok` after a success. The log gets one line when a
dependency becomes unreachable, at most one a minute while it stays away
(with how long and how many retries), and one when it is back; every retry
is counted in ``newsmon_dependency_retries_total{dependency}`` and the state
is in ``newsmon_dependency_up{dependency}``, ``/readyz`` and the dashboard
(:meth:`Outages.snapshot`). A retry loop that logged each attempt wrote
thousands of lines for an outage of a few seconds.

aiokafka logs its own reconnect attempts (several a second per connection);
:class:`RepeatFilter` on its loggers collapses repeats of one message to one
line a minute that says how many were left out, and tells the ``kafka``
outage about the errors it sees.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsmon import metrics

logger = logging.getLogger(__name__)

# While a dependency stays away, one line per this many seconds.
REPEAT_EVERY_S = 60.0
# aiokafka errors that mean the broker is out of reach ("Unable connect to node",
# "Unable to update metadata", "Failed fetch messages"), not a rebalance or a bug.
_UNREACHABLE_WORDS = ("connect", "metadata", "fetch")


@dataclass(slots=True)
class Outage:
    since: float
    retries: int = 0
    last_error: str = ""
    last_logged: float = 0.0


def _fmt_duration(s: float) -> str:
    s = round(s)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class Outages:
    """The dependencies that are unreachable now, and since when (one per process: :data:`OUTAGES`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, every_s: float = REPEAT_EVERY_S) -> None:
        self.clock = clock
        self.every_s = every_s
        self._down: dict[str, Outage] = {}
        self._lock = threading.Lock()  # aiokafka's log records may come from another thread

    def failed(self, name: str, error: BaseException | str) -> None:
        """One failed attempt to reach ``name`` (the caller retries)."""
        text = (f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else error)[:300]
        metrics.DEPENDENCY_RETRIES.labels(name).inc()
        now = self.clock()
        with self._lock:
            o = self._down.get(name)
            if o is None:
                self._down[name] = Outage(since=now, retries=1, last_error=text, last_logged=now)
                metrics.DEPENDENCY_UP.labels(name).set(0)
                logger.warning("%s unreachable (%s); retrying quietly", name, text, extra={"dependency": name})
                return
            o.retries += 1
            o.last_error = text
            if now - o.last_logged < self.every_s:
                return
            o.last_logged = now
            duration, retries = now - o.since, o.retries
        logger.warning(
            "%s still unreachable after %s, %d retries (%s)", name, _fmt_duration(duration), retries, text,
            extra={"dependency": name},
        )  # fmt: skip

    def ok(self, name: str) -> None:
        """``name`` answered; logs the end of its outage if there was one. Cheap when it was up."""
        if name not in self._down:
            return
        with self._lock:
            o = self._down.pop(name, None)
        if o is None:
            return
        metrics.DEPENDENCY_UP.labels(name).set(1)
        logger.warning(
            "%s reachable again after %s, %d retries", name, _fmt_duration(self.clock() - o.since), o.retries,
            extra={"dependency": name},
        )  # fmt: skip

    def down(self, name: str) -> bool:
        return name in self._down

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Unreachable dependencies: {name: {down_s, retries, last_error}} (for /readyz and the dashboard)."""
        now = self.clock()
        with self._lock:
            return {
                n: {"down_s": round(now - o.since, 1), "retries": o.retries, "last_error": o.last_error}
                for n, o in self._down.items()
            }


OUTAGES = Outages()


class RepeatFilter(logging.Filter):
    """Lets one record per message template and logger through every ``every_s`` seconds.

    The next record let through after a quiet spell says how many were left
    out. Errors that say the dependency is out of reach also count as failed
    attempts of ``dependency`` (aiokafka logs its connection failures at
    ERROR); it is declared reachable again by the code that talks to it
    (the producer's acks, the monitor's broker queries), not here.
    """

    def __init__(
        self,
        dependency: str,
        outages: Outages | None = None,
        every_s: float = REPEAT_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.dependency = dependency
        self.outages = outages if outages is not None else OUTAGES
        self.every_s = every_s
        self.clock = clock
        self._seen: dict[tuple[str, Any], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        if record.levelno >= logging.ERROR and any(w in str(record.msg).lower() for w in _UNREACHABLE_WORDS):
            self.outages.failed(self.dependency, f"{record.name}: {record.getMessage()}")
        key = (record.name, record.msg)
        now = self.clock()
        with self._lock:
            last, skipped = self._seen.get(key, (-1e18, 0))
            if now - last < self.every_s:
                self._seen[key] = (last, skipped + 1)
                return False
            self._seen[key] = (now, 0)
            if len(self._seen) > 1000:  # messages are templates; bound it anyway
                self._seen = {key: (now, 0)}
        if skipped:
            record.msg = f"{record.msg} [{skipped} more like this in the last {_fmt_duration(now - last)}]"
        return True


# aiokafka's modules that log per reconnect attempt or failed fetch (a logger's
# filters see only its own records, not its children's).
AIOKAFKA_LOGGERS = (
    "aiokafka", "aiokafka.conn", "aiokafka.cluster", "aiokafka.client", "aiokafka.admin.client",
    "aiokafka.consumer.consumer", "aiokafka.consumer.fetcher", "aiokafka.consumer.group_coordinator",
    "aiokafka.consumer.subscription_state", "aiokafka.producer.producer", "aiokafka.producer.sender",
)  # fmt: skip


def quiet_aiokafka(outages: Outages | None = None) -> RepeatFilter:
    """Install one :class:`RepeatFilter` on aiokafka's loggers (idempotent); returns it."""
    names = set(AIOKAFKA_LOGGERS) | {n for n in logging.root.manager.loggerDict if n.startswith("aiokafka")}
    existing = next((f for n in names for f in logging.getLogger(n).filters if isinstance(f, RepeatFilter)), None)
    flt = existing or RepeatFilter("kafka", outages)
    for name in names:
        if flt not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(flt)
    return flt
