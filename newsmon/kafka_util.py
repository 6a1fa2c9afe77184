"""Plain aiokafka helpers for the CLI and tests (the worker uses Faust).

Every aiokafka client newsmon builds takes :func:`client_kwargs` (bootstrap
servers plus the security settings), so SASL and TLS configured once in
``NEWSMON_KAFKA_*`` apply to producers, consumers and admin clients alike; the
Faust worker gets the same settings as ``broker_credentials``
(:func:`newsmon.streams.app.broker_credentials`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
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


def kafka_ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """TLS context for SSL and SASL_SSL (None otherwise): the CA file, or the system CAs, and an
    optional client certificate. Raises ``OSError``/``ssl.SSLError`` if a file cannot be used."""
    if settings.kafka_security_protocol not in ("SSL", "SASL_SSL"):
        return None
    ctx = ssl.create_default_context(cafile=settings.kafka_ssl_cafile)
    ctx.check_hostname = settings.kafka_ssl_check_hostname
    if settings.kafka_ssl_certfile:
        key_pw = settings.kafka_ssl_key_password
        ctx.load_cert_chain(
            settings.kafka_ssl_certfile,
            settings.kafka_ssl_keyfile,
            key_pw.get_secret_value() if key_pw else None,
        )
    return ctx


def security_kwargs(settings: Settings) -> dict[str, Any]:
    """aiokafka's security arguments from the ``NEWSMON_KAFKA_*`` settings (validated at start)."""
    kw: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    ctx = kafka_ssl_context(settings)
    if ctx is not None:
        kw["ssl_context"] = ctx
    if settings.kafka_security_protocol.startswith("SASL_"):
        password = settings.kafka_sasl_password
        kw["sasl_mechanism"] = settings.kafka_sasl_mechanism
        kw["sasl_plain_username"] = settings.kafka_sasl_username
        kw["sasl_plain_password"] = password.get_secret_value() if password else None
    return kw


def client_kwargs(settings: Settings) -> dict[str, Any]:
    """Bootstrap servers and security settings for any aiokafka client."""
    return {"bootstrap_servers": bootstrap_servers(settings.kafka_broker), **security_kwargs(settings)}


def producer(settings: Settings, **kwargs: Any) -> AIOKafkaProducer:
    """An idempotent producer that waits for all in-sync replicas."""
    return AIOKafkaProducer(
        **client_kwargs(settings),
        acks="all",
        enable_idempotence=True,
        max_request_size=MAX_REQUEST_BYTES,
        linger_ms=5,
        **kwargs,
    )


# Kafka's record timestamp types (the protocol's numbers).
CREATE_TIME = 0
LOG_APPEND_TIME = 1
# The raw topic is created with the broker stamping each record as it is
# appended: a time no producer chooses, carried by the record, so every
# redelivery and every reprocessing of the topic sees the same ingest time
# (the worker takes it as the article's ingested_at).
RAW_TOPIC_CONFIG = {"message.timestamp.type": "LogAppendTime"}


def broker_time(timestamp: float | None, timestamp_type: int | None) -> float | None:
    """The record's time when the broker stamped it (LogAppendTime), else None (a producer's claim)."""
    if timestamp_type == LOG_APPEND_TIME and timestamp is not None and timestamp > 0:
        return float(timestamp)
    return None


async def ensure_topics(settings: Settings, names: Iterable[str], *, compacted: Iterable[str] = ()) -> None:
    """Create missing topics with the configured partitions (existing ones are left alone)."""
    compacted = set(compacted)
    admin = AIOKafkaAdminClient(**client_kwargs(settings))
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
            if n == settings.topic_raw:
                cfg.update(RAW_TOPIC_CONFIG)
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


def reader(settings: Settings, **kwargs: Any) -> AIOKafkaConsumer:
    """A group-less consumer that commits nothing: for tools and followers that read whole topics."""
    return AIOKafkaConsumer(
        **client_kwargs(settings),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **kwargs,
    )


async def assign_all(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """Assign every partition of ``topic`` from the beginning ([] if the topic does not exist)."""
    if topic not in await consumer.topics():
        return []
    # Assigning a partition makes the client track the topic's metadata; then
    # the full partition set is known.
    consumer.assign([TopicPartition(topic, 0)])
    parts: set[int] | None = None
    for _ in range(100):
        parts = consumer.partitions_for_topic(topic)
        if parts:
            break
        await asyncio.sleep(0.05)
    tps = [TopicPartition(topic, p) for p in sorted(parts or {0})]
    consumer.assign(tps)
    await consumer.seek_to_beginning(*tps)
    return tps
