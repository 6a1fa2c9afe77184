"""When the pipeline agent acknowledges a batch's events (``agents/pipeline.py`` ``finish_batch``).

Faust commits what was acknowledged, so the order and the conditions of the
acknowledgements are what keeps commits behind stored output.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import mode
import pytest

from newsmon.agents.pipeline import finish_batch, register
from newsmon.config import Settings
from newsmon.streams.app import create_app, declare_topics


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


def test_pipeline_agent__failure_stops_the_worker_instead_of_restarting_the_agent(tmp_path: Any) -> None:
    settings = Settings.from_env({"NEWSMON_DATA_DIR": str(tmp_path)})
    app = create_app(settings)
    rt = SimpleNamespace(settings=settings, apply_rules=lambda *a, **k: None)
    agents = register(app, declare_topics(app, settings), rt)  # type: ignore[arg-type]
    assert agents["pipeline"].supervisor_strategy is mode.CrashingSupervisor
