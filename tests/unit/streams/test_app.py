"""The consumer's per-message delivery (streams/app.py ``_Consumer.wait_first``), without a broker.

The drain loop calls ``wait_first(deliver(message), suspend_flow.wait())``.
Where the delivery runs tells the two paths apart: awaited directly, it runs
in the caller's task; through Faust's own path, in a task of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from newsmon.config import Settings
from newsmon.streams.app import NewsmonApp, _Consumer, create_app, declare_topics


@pytest.fixture
def app(tmp_path: Any) -> Iterator[NewsmonApp]:
    settings = Settings.from_env({"NEWSMON_DATA_DIR": str(tmp_path)})
    app = create_app(settings)
    topics = declare_topics(app, settings)
    # The stream side of the raw topic, as an agent's iteration registers it.
    app.topics.add(topics.raw)
    yield app
    # The consumer's fetch thread made an event loop for itself at construction
    # (it is never started here); close it rather than leave it to the GC.
    thread = getattr(app.consumer, "_thread", None)
    if thread is not None:
        thread.thread_loop.close()


async def _where_delivered(consumer: _Consumer) -> tuple[bool, Any]:
    """(ran in the caller's task, wait_first's result) for one delivery."""
    caller = asyncio.current_task()
    ran_in: list[asyncio.Task[Any] | None] = []

    async def deliver() -> str:
        ran_in.append(asyncio.current_task())
        return "delivered"

    res = await consumer.wait_first(deliver(), consumer.suspend_flow.wait())
    return ran_in == [caller], res


async def test_consumer__flow_active_and_room_delivers_in_the_drain_task(app: NewsmonApp) -> None:
    consumer = app.consumer
    assert isinstance(consumer, _Consumer)
    app.flow_control.resume()
    direct, res = await _where_delivered(consumer)
    assert direct
    assert res.results == ["delivered"] and not res.stopped


async def test_consumer__flow_suspended_takes_fausts_path(app: NewsmonApp) -> None:
    consumer = app.consumer
    app.flow_control.resume()
    consumer.suspend_flow.set()  # a rebalance in progress
    direct, _ = await _where_delivered(consumer)
    assert not direct


async def test_consumer__app_flow_control_suspended_takes_fausts_path(app: NewsmonApp) -> None:
    consumer = app.consumer
    app.flow_control.suspend()
    direct, _ = await _where_delivered(consumer)
    assert not direct


async def test_consumer__full_stream_buffer_takes_fausts_path(app: NewsmonApp) -> None:
    consumer = app.consumer
    app.flow_control.resume()
    queue = next(iter(app.topics._topics)).queue
    for i in range(queue.maxsize):
        queue.put_nowait(i)
    direct, _ = await _where_delivered(consumer)
    assert not direct
