"""A Kafka producer stand-in for ingest tests without services: keeps what was sent."""

from __future__ import annotations

import asyncio
from typing import Any


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes | None]] = []

    async def send(self, topic: str, value: bytes, key: bytes | None = None) -> asyncio.Future[None]:
        self.sent.append((topic, value, key))
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


class StartableFakeProducer(FakeProducer):
    """What :func:`newsmon.kafka_util.producer` returns, without a broker."""

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass
