"""The pipeline's batch machinery (:mod:`newsmon.pipeline.batching`): order of steps and of acks.

Faust commits what was acknowledged, so the order and the conditions of the
acknowledgements are what keeps commits behind stored output; the order of
the chunks' ordered steps is what makes decisions follow the offsets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from newsmon.pipeline.batching import BatchLoop, InOrder, PredecessorFailed, finish_batch


class Acks:
    def __init__(self) -> None:
        self.acked: list[Any] = []

    async def __call__(self, event: Any) -> None:
        self.acked.append(event)


def done_chunk() -> asyncio.Future[None]:
    f: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    f.set_result(None)
    return f


async def test_finish_batch__acks_every_event_once_its_chunks_are_done() -> None:
    acks = Acks()
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(finish_batch(["e1", "e2"], [done_chunk(), gate], None, complete=True, ack=acks))
    await asyncio.sleep(0.01)
    assert acks.acked == []  # a chunk still waits for the broker
    gate.set_result(None)
    await task
    assert acks.acked == ["e1", "e2"]


async def test_finish_batch__waits_for_the_batch_before_it() -> None:
    acks = Acks()
    previous: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(finish_batch(["late"], [done_chunk()], previous, complete=True, ack=acks))
    await asyncio.sleep(0.01)
    assert acks.acked == [] and not task.done()  # its own output is stored, the earlier batch's not yet
    previous.set_result(None)
    await task
    assert acks.acked == ["late"]


@pytest.mark.parametrize("how", ["failed", "cancelled"])
async def test_finish_batch__earlier_batch_failed_or_cancelled_acks_nothing(how: str) -> None:
    acks = Acks()
    previous: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    if how == "failed":
        previous.set_exception(ConnectionError("broker gone"))
    else:
        previous.cancel()
    with pytest.raises(RuntimeError, match="earlier batch"):
        await finish_batch(["e"], [done_chunk()], previous, complete=True, ack=acks)
    assert acks.acked == []


async def test_finish_batch__failed_chunk_raises_and_acks_nothing() -> None:
    acks = Acks()
    failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    failed.set_exception(ValueError("bug in a stage"))
    with pytest.raises(ValueError, match="bug in a stage"):
        await finish_batch(["e1", "e2"], [done_chunk(), failed], None, complete=True, ack=acks)
    assert acks.acked == []


async def test_finish_batch__batch_cut_short_waits_for_its_chunks_but_acks_nothing() -> None:
    acks = Acks()
    await finish_batch(["processed", "never processed"], [done_chunk()], None, complete=False, ack=acks)
    assert acks.acked == []


async def test_in_order__later_step_starts_after_the_slower_earlier_one() -> None:
    chain = InOrder("t")
    log: list[str] = []
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def slow() -> str:
        await gate
        log.append("first")
        return "a"

    async def quick() -> str:
        log.append("second")
        return "b"

    first = chain.submit(slow)
    second = chain.submit(quick)
    await asyncio.sleep(0.01)
    assert log == [] and not second.done()
    gate.set_result(None)
    assert await asyncio.gather(first, second) == ["a", "b"]
    assert log == ["first", "second"]


@pytest.mark.parametrize("how", ["failed", "cancelled"])
async def test_in_order__step_after_a_failed_or_cancelled_one_never_runs(how: str) -> None:
    chain = InOrder("t")
    ran: list[str] = []
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def first() -> None:
        await gate
        raise ValueError("Redis script bug")

    async def second() -> None:
        ran.append("second")

    f1 = chain.submit(first)
    f2 = chain.submit(second)
    f3 = chain.submit(second)
    if how == "failed":
        gate.set_result(None)
    else:
        f1.cancel()
    for f in (f2, f3):
        with pytest.raises(PredecessorFailed):
            await f
    assert ran == []


async def test_in_order__step_waits_for_another_chains_step_too() -> None:
    stories, decisions = InOrder("stories"), InOrder("decisions")
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    log: list[str] = []

    async def story() -> None:
        await gate
        log.append("story")

    async def decide() -> None:
        log.append("decide")

    s = stories.submit(story)
    d = decisions.submit(decide, after=[s])
    await asyncio.sleep(0.01)
    assert log == []
    gate.set_result(None)
    await d
    assert log == ["story", "decide"]


class Recorder:
    """A pipeline stand-in: CPU part records the chunk, finishing part waits as told, in an ordered chain."""

    def __init__(self, delays: dict[int, float] | None = None) -> None:
        self.delays = delays or {}
        self.chain = InOrder("decisions")
        self.decided: list[int] = []
        self.chunks: list[list[int]] = []

    def prepare(self, events: Sequence[int]) -> list[int]:
        self.chunks.append(list(events))
        return list(events)

    async def finish(self, part: list[int]) -> None:
        async def decide() -> None:
            # Later chunks are quicker: without the chain they would decide first.
            await asyncio.sleep(self.delays.get(part[0], 0.0))
            self.decided.extend(part)

        await self.chain.submit(decide)


async def test_batch_loop__decisions_and_acks_follow_the_events_whatever_each_chunk_takes() -> None:
    # Events 0-99 in batches of 25, chunks of 10: the first chunk of every batch is the slowest.
    rec = Recorder({b: 0.02 for b in range(0, 100, 25)})
    acks = Acks()
    loop = BatchLoop(rec.prepare, rec.finish, acks, chunk=10, max_in_flight=2)
    for b in range(0, 100, 25):
        await loop.feed(list(range(b, b + 25)))
    await loop.drain()
    assert rec.chunks[:3] == [list(range(0, 10)), list(range(10, 20)), list(range(20, 25))]
    assert rec.decided == list(range(100))
    assert acks.acked == list(range(100))


async def test_batch_loop__failed_chunk_stops_later_chunks_and_acks_nothing_after_it() -> None:
    acks = Acks()
    failures: list[BaseException] = []
    decided: list[int] = []
    chain = InOrder("decisions")

    async def finish(part: list[int]) -> None:
        async def decide() -> None:
            if part[0] == 10:
                raise ValueError("bad script")
            decided.extend(part)

        await chain.submit(decide)

    loop = BatchLoop(list, finish, acks, on_failure=failures.append, chunk=10, max_in_flight=2)
    await loop.feed(list(range(0, 10)))
    with pytest.raises(ValueError, match="bad script"):
        await loop.feed(list(range(10, 30)))
        await loop.feed(list(range(30, 40)))
    await loop.drain()
    assert decided == list(range(10))
    assert acks.acked == list(range(10))
    assert len(failures) == 1 and isinstance(failures[0], ValueError)
