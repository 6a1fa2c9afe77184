"""Batches, chunks and their order: the stream machinery of the pipeline agent, without Faust.

The agent takes events in batches (up to ``BATCH_MAX``, or what arrived within
``BATCH_WITHIN_S``). :class:`BatchLoop` cuts each batch into chunks of
``CHUNK`` events and gives every chunk two parts:

* a CPU part (``prepare``: normalize, classify), run at once in the loop's task;
* a finishing part (``finish``: Redis decisions, publication, broker acks), run
  as a task, so one chunk's Redis round trips and broker acks overlap with the
  next chunk's CPU work, and the next batch is taken while this one's last
  chunks finish (at most ``MAX_BATCHES_IN_FLIGHT`` batches at a time).

Two kinds of order hold whatever that overlap:

* **Decisions in offset order.** The order-sensitive steps of a chunk (story
  assignment, alert decisions) are taken through an :class:`InOrder` chain:
  each chunk's step starts only when the previous chunk's step finished, so
  Redis sees the chunks' decisions in the order of the events (within a
  partition: offset order). A step whose predecessor failed or was cancelled
  does not run (it raises :class:`PredecessorFailed`): deciding later events
  before earlier ones, which the worker decides again after its restart,
  would break the order.
* **Acknowledgements in batch order** (:func:`finish_batch`): Faust commits
  whatever was acknowledged (it does not always stop at the oldest
  unacknowledged offset), so a batch's events are acknowledged only when all
  its chunks stored their output and the batch before it was acknowledged. A
  crash before that redelivers the batch; a failed batch stops the loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
E = TypeVar("E")
P = TypeVar("P")

# Events per batch and the longest a batch waits to fill: batches let the Redis
# work of many articles share round trips; the window bounds the latency a
# batch adds at low rates.
BATCH_MAX = 1000
BATCH_WITHIN_S = 0.02
# Events per chunk within a batch.
CHUNK = 100
# Batches being finished at once: the next batch's CPU work overlaps the
# previous batch's last Redis round trips and broker acks.
MAX_BATCHES_IN_FLIGHT = 2


class PredecessorFailed(RuntimeError):
    """An ordered step did not run because the step before it failed or was cancelled."""


class InOrder:
    """Runs steps one after another, in the order they were submitted.

    Each submitted step starts when the one before it finished; the caller
    does not wait for that (it gets a future). A failed or cancelled step
    makes every later step fail with :class:`PredecessorFailed` without
    running it.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._last: asyncio.Future[Any] | None = None

    def submit(
        self, step: Callable[[], Awaitable[T]], *, after: Sequence[asyncio.Future[Any]] = ()
    ) -> asyncio.Future[T]:
        """Schedule ``step`` after the previous step (and after ``after``, e.g. another chain's step)."""
        waits = [f for f in (self._last, *after) if f is not None]

        async def run() -> T:
            if waits:
                await asyncio.wait(waits)
                for f in waits:
                    if f.cancelled() or f.exception() is not None:
                        raise PredecessorFailed(f"{self.name}: an earlier step did not finish")
            return await step()

        fut = asyncio.ensure_future(run())
        self._last = fut
        return fut


async def finish_batch(
    events: Sequence[E],
    chunks: Sequence[asyncio.Future[None]],
    previous: asyncio.Future[None] | None,
    *,
    complete: bool,
    ack: Callable[[E], Awaitable[Any]],
) -> None:
    """Wait for a batch's chunks and for the batch before it, then acknowledge its events.

    A batch cut short (``complete`` false: cancelled at shutdown) is not
    acknowledged, nor is any batch after one that failed; a failed chunk
    raises (every chunk error is logged).
    """
    results = await asyncio.gather(*chunks, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    # A chunk that did not run because an earlier one failed says nothing new.
    for exc in errors[1:]:
        if not isinstance(exc, PredecessorFailed):
            logger.error("chunk failed as well: %r", exc)
    if errors:
        raise errors[0]
    if previous is not None:
        await asyncio.wait([previous])
        if previous.cancelled() or previous.exception() is not None:
            raise RuntimeError("batch not acknowledged: an earlier batch did not finish")
    if complete:
        for event in events:
            await ack(event)


class BatchLoop(Generic[E, P]):
    """Feeds batches of events through ``prepare`` (CPU) and ``finish`` (I/O), acknowledging in order.

    ``prepare`` runs synchronously for each chunk; ``finish`` runs as a task
    with what ``prepare`` returned, and must take its order-sensitive steps
    through :class:`InOrder` chains (the chunks' tasks run concurrently).
    ``on_failure`` is called once, with the first batch error, as soon as it
    happens: the caller stops the stream (the loop's own waiting raises it too).
    """

    def __init__(
        self,
        prepare: Callable[[Sequence[E]], P],
        finish: Callable[[P], Awaitable[None]],
        ack: Callable[[E], Awaitable[Any]],
        *,
        on_failure: Callable[[BaseException], None] = lambda exc: None,
        chunk: int = CHUNK,
        max_in_flight: int = MAX_BATCHES_IN_FLIGHT,
    ) -> None:
        self.prepare = prepare
        self.finish = finish
        self.ack = ack
        self.on_failure = on_failure
        self.chunk = chunk
        self.max_in_flight = max_in_flight
        # Batches whose chunks are still finishing, oldest first.
        self.batches: list[asyncio.Future[None]] = []
        self.failures: list[BaseException] = []

    async def feed(self, events: Sequence[E]) -> None:
        """Start a batch; returns once fewer than ``max_in_flight`` batches are unfinished.

        Raises the error of a failed batch.
        """
        chunks: list[asyncio.Future[None]] = []
        complete = False
        try:
            for i in range(0, len(events), self.chunk):
                part = self.prepare(events[i : i + self.chunk])
                chunks.append(asyncio.ensure_future(self.finish(part)))
                await asyncio.sleep(0)  # let the chunk's requests go out before the next chunk's CPU work
            complete = True
        finally:
            # Never leave a chunk without its batch (cancellation, an error above).
            previous = self.batches[-1] if self.batches else None
            batch = asyncio.ensure_future(finish_batch(events, chunks, previous, complete=complete, ack=self.ack))
            batch.add_done_callback(self._on_batch_done)
            self.batches.append(batch)
        while self.batches and (self.batches[0].done() or len(self.batches) >= self.max_in_flight):
            # Shielded: cancelling the caller here must not cancel the batch,
            # which drain() still waits for.
            await asyncio.shield(self.batches[0])  # a failed batch raises here
            self.batches.pop(0)

    async def drain(self) -> None:
        """Wait for every batch in flight (at the end of the stream); logs errors past the first."""
        results = await asyncio.gather(*self.batches, return_exceptions=True)
        self.batches.clear()
        for exc in (r for r in results if isinstance(r, BaseException) and r not in self.failures):
            if not isinstance(exc, RuntimeError | PredecessorFailed) or not self.failures:
                logger.error("batch failed as well: %r", exc)

    def _on_batch_done(self, batch: asyncio.Future[None]) -> None:
        if batch.cancelled() or batch.exception() is None or self.failures:
            return
        exc = batch.exception()
        assert exc is not None
        self.failures.append(exc)
        self.on_failure(exc)
