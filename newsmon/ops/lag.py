"""Consumer lag of the partitions assigned to this worker, for :class:`~newsmon.ops.monitor.Monitor`.

Lag is taken from the worker's own assignment (so the sum over all workers
counts every partition once): the end offsets from Faust's consumer and the
committed offsets of the group from the broker (admin API), which is what a
restart would resume from.
"""

from __future__ import annotations

import faust
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from newsmon.config import Settings
from newsmon.kafka_util import client_kwargs
from newsmon.ops.series import PartitionLag


class FaustLag:
    """Lag of the partitions assigned to this worker, for :class:`~newsmon.ops.monitor.Monitor`."""

    def __init__(self, app: faust.App, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._admin: AIOKafkaAdminClient | None = None

    async def __call__(self) -> list[PartitionLag]:
        if self._admin is None:
            admin = AIOKafkaAdminClient(**client_kwargs(self.settings), request_timeout_ms=5000)
            await admin.start()
            self._admin = admin
        tps = sorted(self.app.consumer.assignment())
        if not tps:
            # Nothing assigned (more workers than partitions): still prove the broker answers.
            await self._admin.list_topics()
            return []
        ends = await self.app.consumer.highwaters(*tps)
        committed = await self._admin.list_consumer_group_offsets(
            self.app.conf.id, partitions=[TopicPartition(tp.topic, tp.partition) for tp in tps]
        )
        out = []
        for tp in tps:
            meta = committed.get(TopicPartition(tp.topic, tp.partition))
            off = meta.offset if meta is not None and meta.offset >= 0 else None
            out.append(PartitionLag(tp.topic, tp.partition, off, int(ends.get(tp, 0) or 0)))
        return out

    async def close(self) -> None:
        if self._admin is not None:
            await self._admin.close()
            self._admin = None
