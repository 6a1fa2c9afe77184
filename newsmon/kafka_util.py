"""Plain aiokafka helpers for the CLI and tests (the worker uses Faust)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from newsmon.config import Settings

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 4 * 1024 * 1024


def bootstrap_servers(broker_url: str) -> str:
    """``kafka://h1:9092;kafka://h2:9092`` (Faust's form) to ``h1:9092,h2:9092``."""
    hosts = []
    for part in broker_url.replace(";", ",").split(","):
        part = part.strip()
        if part:
            hosts.append(part.split("://", 1)[-1].rstrip("/"))
    return ",".join(hosts)


def producer(settings: Settings, **kwargs: Any) -> AIOKafkaProducer:
    """An idempotent producer that waits for all in-sync replicas."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(settings.kafka_broker),
        acks="all",
        enable_idempotence=True,
        max_request_size=MAX_REQUEST_BYTES,
        linger_ms=5,
        **kwargs,
    )


async def ensure_topics(settings: Settings, names: Iterable[str], *, compacted: Iterable[str] = ()) -> None:
    """Create missing topics with the configured partitions (existing ones are left alone)."""
    compacted = set(compacted)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(settings.kafka_broker))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        retention_ms = str(int(settings.kafka_retention_hours * 3600 * 1000))
        new = []
        for n in names:
            if n in existing:
                continue
            cfg = {"cleanup.policy": "compact"} if n in compacted else {"retention.ms": retention_ms}
            cfg["max.message.bytes"] = str(MAX_REQUEST_BYTES)
            parts = 1 if n in compacted else settings.partitions
            new.append(
                NewTopic(n, num_partitions=parts, replication_factor=settings.replication_factor, topic_configs=cfg)
            )
        if new:
            # Another process may create them at the same moment.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
            logger.info("created topics: %s", ", ".join(t.name for t in new))
    finally:
        await admin.close()
