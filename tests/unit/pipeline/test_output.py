"""Publishing a chunk's output: nothing dropped, what the broker refused sent again."""

from __future__ import annotations

import asyncio
from typing import Any

from newsmon.outages import OUTAGES
from newsmon.pipeline.output import publish


class Broker:
    """Refuses the first ``refuse`` sends of each record, then acknowledges."""

    def __init__(self, refuse: int) -> None:
        self.refuse = refuse
        self.tries: dict[bytes, int] = {}
        self.stored: list[bytes] = []

    async def send(self, topic: str, key: bytes | None, value: bytes) -> Any:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        n = self.tries[value] = self.tries.get(value, 0) + 1
        if n <= self.refuse and value != b"always-ok":
            fut.set_exception(ConnectionError("broker gone"))
        else:
            self.stored.append(value)
            fut.set_result(None)
        return fut


async def test_publish__refused_records_are_sent_again_until_acknowledged_and_the_outage_is_reported() -> None:
    broker = Broker(refuse=2)
    records = [("t", None, b"a"), ("t", None, b"always-ok"), ("t", b"k", b"b")]
    await publish(broker.send, records, first_delay_s=0.001)
    assert sorted(broker.stored) == [b"a", b"always-ok", b"b"]
    assert broker.tries == {b"a": 3, b"always-ok": 1, b"b": 3}
    assert not OUTAGES.down("kafka")  # back once everything was acknowledged


async def test_publish__nothing_refused_sends_each_record_once() -> None:
    broker = Broker(refuse=0)
    await publish(broker.send, [("t", None, b"x"), ("t", None, b"y")])
    assert broker.tries == {b"x": 1, b"y": 1}
