"""Delivery: drain the Redis outbox of each channel, with retries, never blocking the stream.

The :class:`Dispatcher` runs as background jobs of the worker (one loop per
channel, see :meth:`newsmon.runtime.Runtime.jobs`). A slow or failing channel only delays its own loop. Each claimed
alert is sent once per attempt; on a retryable error it is rescheduled with
exponential backoff and jitter (or after the receiver's ``Retry-After``); after
``max_attempts`` or ``max_age_s`` it moves to the channel's dead-letter list
with the last error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError

from newsmon.alerting.store import AlertStore, Claimed
from newsmon.channels.base import Channel, PermanentError, RetryableError
from newsmon.outages import OUTAGES

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    max_age_s: float = 3600.0
    base_s: float = 1.0
    cap_s: float = 300.0
    timeout_s: float = 10.0

    def backoff(self, attempts: int, rng: random.Random) -> float:
        """Delay before attempt ``attempts + 1``: exponential, capped, with jitter."""
        delay: float = min(self.cap_s, self.base_s * float(2 ** max(0, attempts - 1)))
        # Jitter spreads retries of many alerts so a recovering receiver is not stampeded.
        return delay * (0.5 + rng.random() * 0.5)


class RateLimiter:
    """Spaces sends at most ``rate_per_s`` apart (one channel, one process)."""

    def __init__(self, rate_per_s: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate_per_s if rate_per_s else 0.0
        self._next = 0.0
        self._clock = clock

    async def wait(self) -> None:
        if not self.interval:
            return
        now = self._clock()
        if self._next > now:
            await asyncio.sleep(self._next - now)
            now = self._clock()
        self._next = max(now, self._next) + self.interval


class Dispatcher:
    def __init__(
        self,
        store: AlertStore,
        channels: dict[str, Channel],
        policy: RetryPolicy,
        *,
        poll_s: float = 0.2,
        batch: int = 50,
        concurrency: int = 8,
        lease_s: float | None = None,
        on_result: Callable[[str, str, float, float | None], None] | None = None,
    ) -> None:
        self.store = store
        self.channels = channels
        self.policy = policy
        self.poll_s = poll_s
        self.batch = batch
        self.concurrency = concurrency
        # A claim must outlive one send, or another worker would send it concurrently.
        self.lease_s = lease_s if lease_s is not None else max(5.0, policy.timeout_s * 3)
        self._rng = random.Random()
        self._stopping = asyncio.Event()
        self._on_result = on_result

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Run until :meth:`stop`; one loop per channel so each fails alone (the worker runs them as jobs)."""
        tasks = [asyncio.create_task(self.run_channel(ch), name=f"deliver:{n}") for n, ch in self.channels.items()]
        try:
            await self._stopping.wait()
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def run_channel(self, channel: Channel) -> None:
        """Drain one channel's outbox until :meth:`stop` (or cancelled); waits out Redis outages."""
        limiter = RateLimiter(channel.rate_per_s)
        concurrency = 1 if channel.rate_per_s else self.concurrency
        sem = asyncio.Semaphore(concurrency)
        while not self._stopping.is_set():
            try:
                worked = await self.drain_once(channel, limiter, sem)
                OUTAGES.ok("redis")
            except RedisError as exc:
                OUTAGES.failed("redis", f"{exc} (while delivering to {channel.name})")
                worked = 0
                await self._sleep(1.0)
            if not worked:
                await self._sleep(self.poll_s)

    async def _sleep(self, s: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=s)

    async def drain_once(
        self, channel: Channel, limiter: RateLimiter | None = None, sem: asyncio.Semaphore | None = None
    ) -> int:
        """Claim what is due on every shard and send it; returns how many were tried."""
        limiter = limiter or RateLimiter(channel.rate_per_s)
        sem = sem or asyncio.Semaphore(self.concurrency)
        tried = 0
        for shard in range(self.store.keys.shards):
            claimed = await self.store.claim(shard, channel.name, self.batch, self.lease_s)
            if not claimed:
                continue

            async def one(c: Claimed) -> None:
                # Each success is recorded as soon as it is sent: a claim of a
                # rate-limited channel can take longer than its lease, and an
                # unrecorded send would be claimed and sent again.
                async with sem:
                    await limiter.wait()
                    await self.deliver(channel, c)

            await asyncio.gather(*(one(c) for c in claimed))
            tried += len(claimed)
        return tried

    async def deliver(self, channel: Channel, c: Claimed) -> None:
        if c.alert is None:
            await self.store.dead(c, "alert body expired before delivery")
            return
        started = time.time()
        try:
            await asyncio.wait_for(channel.send(c.alert), timeout=self.policy.timeout_s)
        except PermanentError as exc:
            await self.store.dead(c, f"permanent: {exc}")
            self._report(channel.name, "dead", started, c)
        except RetryableError as exc:
            OUTAGES.failed(f"channel:{channel.name}", exc)
            await self._retry(c, str(exc), exc.retry_after)
            self._report(channel.name, "retry", started, c)
        except TimeoutError:
            OUTAGES.failed(f"channel:{channel.name}", f"timeout after {self.policy.timeout_s:.1f}s")
            await self._retry(c, f"timeout after {self.policy.timeout_s:.1f}s", None)
            self._report(channel.name, "retry", started, c)
        except Exception as exc:
            logger.exception("channel %s raised unexpectedly for alert %s", channel.name, c.alert_id)
            await self._retry(c, f"{type(exc).__name__}: {exc}", None)
            self._report(channel.name, "retry", started, c)
        else:
            OUTAGES.ok(f"channel:{channel.name}")
            await self.store.delivered(c)
            self._report(channel.name, "sent", started, c)
            logger.info(
                "delivered alert=%s channel=%s attempt=%d",
                c.alert_id,
                channel.name,
                c.attempts + 1,
                extra={"alert_id": c.alert_id},
            )

    def _report(self, channel: str, outcome: str, started: float, c: Claimed) -> None:
        if self._on_result is not None:
            self._on_result(channel, outcome, started, c.alert.ingested_at if c.alert else None)

    async def _retry(self, c: Claimed, error: str, retry_after: float | None) -> None:
        attempts = c.attempts + 1
        assert c.alert is not None
        age = time.time() - c.alert.created_at
        if attempts >= self.policy.max_attempts or age >= self.policy.max_age_s:
            await self.store.dead(c, f"gave up after {attempts} attempts ({age:.0f}s): {error}")
            return
        delay = self.policy.backoff(attempts, self._rng)
        if retry_after is not None:
            # The receiver said when: sooner only earns another 429, later only delays.
            delay = retry_after
        await self.store.retry_later(c, time.time() + delay, error)
        # Per alert at debug level: an unreachable receiver is reported once per
        # outage by newsmon.outages, not once per pending alert.
        logger.debug(
            "delivery retry: alert=%s channel=%s attempt=%d in %.1fs: %s", c.alert_id, c.channel, attempts, delay, error
        )
