"""The worker's periodic self-observation (no Faust import; the worker passes a lag source).

Every ``monitor_interval_s`` :meth:`Monitor.tick` sets the gauges that are not
counted in the stream itself (consumer lag per partition, outbox size per
channel, rules loaded), adds this worker's counter increases to the shared
dashboard series and writes a heartbeat. A failing step is logged and
skipped; the next tick tries again. :class:`WorkerStatus` records what the
readiness probe needs to know.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from newsmon import metrics
from newsmon.ops import series
from newsmon.ops.series import PartitionLag, SeriesRecorder
from newsmon.outages import OUTAGES

logger = logging.getLogger(__name__)

LagSource = Callable[[], Awaitable[list[PartitionLag]]]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class WorkerStatus:
    """Shared by the monitor (writer) and the health routes (reader)."""

    started_at: float = field(default_factory=time.time)
    #: Set when the stream processors run (after the first partition assignment).
    streams_started: bool = False
    #: Returns True once shutdown began, so the readiness probe drains traffic first.
    stopping: Callable[[], bool] = lambda: False
    kafka_ok_at: float | None = None
    kafka_error: str | None = None
    interval_s: float = 2.0

    def kafka_fresh(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self.kafka_ok_at is not None and now - self.kafka_ok_at <= max(3 * self.interval_s, 15.0)


class Monitor:
    def __init__(
        self,
        runtime: Any,
        status: WorkerStatus,
        lag_source: LagSource | None = None,
        *,
        worker: str | None = None,
    ) -> None:
        self.rt = runtime
        self.status = status
        self.lag_source = lag_source
        self.worker = worker or worker_id()
        self.prefix = runtime.settings.redis_prefix
        self.recorder = SeriesRecorder(runtime.redis, self.prefix)
        self._lag_labels: set[tuple[str, str]] = set()
        self._failing: set[str] = set()

    async def tick(self, now: float | None = None) -> None:
        """One round; each step fails alone."""
        now = time.time() if now is None else now
        metrics.RULES_LOADED.set(len(self.rt.rules.rules))
        lags: list[PartitionLag] = []
        if self.lag_source is not None:
            lags = await self._step("consumer lag", self._lag, now) or []
        await self._step("outbox size", self._outbox)
        await self._step("dashboard series", self.recorder.flush, now)
        if lags:
            await self._step("lag publish", series.write_lag, self.rt.redis, self.prefix, self.worker, lags, now)
        await self._step(
            "heartbeat",
            series.heartbeat,
            self.rt.redis,
            self.prefix,
            self.worker,
            {"at": now, "started_at": self.status.started_at, "partitions": len(lags)},
        )

    async def _step(self, name: str, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        try:
            result = await fn(*args)
        except RedisError as exc:
            # Redis away: one report per outage for the whole worker (newsmon.outages).
            OUTAGES.failed("redis", f"{exc} (monitor: {name})")
            return None
        except Exception as exc:
            if name not in self._failing:
                if name == "consumer lag" and self.status.kafka_ok_at is None:
                    # Before the first read the consumer is still starting (no assignment yet): every
                    # fresh start sees this, so it is no warning. Broker errors are reported by aiokafka's.
                    logger.info("monitor: %s not available yet: %s: %s", name, type(exc).__name__, exc)
                else:
                    logger.warning("monitor: %s failed: %s: %s", name, type(exc).__name__, exc)
                self._failing.add(name)
            if name == "consumer lag":
                # Not an outage by itself (it also fails before the first assignment):
                # aiokafka's connection errors report the broker's (newsmon.outages).
                self.status.kafka_error = f"{type(exc).__name__}: {exc}"[:300]
            return None
        if name in self._failing:
            logger.info("monitor: %s recovered", name)
            self._failing.discard(name)
        return result

    async def _lag(self, now: float) -> list[PartitionLag]:
        assert self.lag_source is not None
        lags = await self.lag_source()
        self.status.kafka_ok_at = now
        self.status.kafka_error = None
        OUTAGES.ok("kafka")
        seen = set()
        for p in lags:
            labels = (p.topic, str(p.partition))
            metrics.CONSUMER_LAG.labels(*labels).set(p.lag)
            seen.add(labels)
        # Partitions moved to another worker: stop exporting a frozen value.
        for labels in self._lag_labels - seen:
            metrics.CONSUMER_LAG.remove(*labels)
        self._lag_labels = seen
        return lags

    async def _outbox(self) -> None:
        for channel in self.rt.channels:
            metrics.OUTBOX_PENDING.labels(channel).set(await self.rt.store.pending(channel))
