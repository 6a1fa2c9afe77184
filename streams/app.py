"""The one Faust app of newsmon and its topics (the worker entry point is :mod:`newsmon.worker`).

:func:`create_app` builds the app from :class:`~newsmon.config.Settings`;
:func:`declare_topics` binds the topic roles of
:mod:`newsmon.streams.records` to configured names. Every topic is read and
written as raw bytes: records are encoded with orjson by the records module,
and the raw input topic must reach our own decoder so invalid JSON becomes a
dead letter instead of an exception inside the consumer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import faust
from faust.transport import by_url
from faust.transport.drivers import aiokafka as faust_aiokafka
from mode.services import WaitResults

from newsmon.config import Settings
from newsmon.kafka_util import kafka_ssl_context

logger = logging.getLogger(__name__)


class _IdempotentProducer(faust_aiokafka.Producer):
    """Faust only turns on idempotence inside transactions; we want it always."""

    def _settings_extra(self) -> dict[str, Any]:
        return {"acks": "all", "enable_idempotence": True}


# The code object of ``asyncio.Event.wait``: how the per-message call of the
# consumer's drain loop is told apart from other ``wait_first`` calls.
_EVENT_WAIT_CODE = asyncio.Event.wait.__code__


class _Consumer(faust_aiokafka.Consumer):
    """Faust's consumer, minus four tasks per message when nothing can block.

    Faust's drain loop hands each fetched message to the streams through
    ``wait_first(deliver(message), suspend_flow.wait())`` so that a delivery
    blocked on a full stream buffer gives way when a rebalance suspends the
    flow. That wrapper starts four tasks per message, about 30 us, some 5 % of
    the worker's time per article (bench/pipeline_bench.py, py-spy). When the
    flow is active and no stream buffer is full the delivery cannot block, so
    it is awaited directly: the same result without the tasks. In every other
    case Faust's own path runs.
    """

    def _delivery_cannot_block(self) -> bool:
        if self.suspend_flow.is_set() or self.should_stop or not self.app.flow_control.is_active():
            return False
        topics = getattr(self.app.topics, "_topics", None)
        if topics is None:  # a Faust without the attribute: keep its own path
            return False
        return not any(t.queue.full() for t in topics)

    async def wait_first(self, *coros: Any, timeout: Any = None) -> WaitResults:  # noqa: ASYNC109 (mode's signature)
        if (
            len(coros) == 2
            and timeout is None
            and getattr(coros[1], "cr_code", None) is _EVENT_WAIT_CODE
            and asyncio.iscoroutine(coros[0])
            and self._delivery_cannot_block()
        ):
            deliver, suspended = coros
            suspended.close()
            return WaitResults([deliver], [await deliver], False)
        return await super().wait_first(*coros, timeout=timeout)


class _Transport(faust_aiokafka.Transport):
    Producer = _IdempotentProducer
    Consumer = _Consumer


class NewsmonApp(faust.App):
    def _ours(self, urls: Any) -> _Transport | None:
        """Our transport (consumer and producer above) for aiokafka URLs; None for other drivers."""
        return _Transport(urls, self) if by_url(urls[0]) is faust_aiokafka.Transport else None

    def _new_transport(self) -> Any:
        return self._ours(self.conf.broker_consumer) or super()._new_transport()

    def _new_producer_transport(self) -> Any:
        return self._ours(self.conf.broker_producer) or super()._new_producer_transport()


@dataclass(frozen=True, slots=True)
class Topics:
    raw: faust.TopicT
    classified: faust.TopicT
    alerts: faust.TopicT
    deadletter: faust.TopicT


def broker_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    """Faust's form of the ``NEWSMON_KAFKA_SECURITY_PROTOCOL`` settings (None for PLAINTEXT)."""
    ctx = kafka_ssl_context(settings)
    if settings.kafka_security_protocol.startswith("SASL_"):
        password = settings.kafka_sasl_password
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=password.get_secret_value() if password else None,
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=ctx,
        )
    if ctx is not None:
        return faust.SSLCredentials(ctx)
    return None


def create_app(settings: Settings, **overrides: Any) -> NewsmonApp:
    """Build the app. Called once per process by the worker entry point (or a test)."""
    conf: dict[str, Any] = {
        "broker": settings.kafka_broker,
        "broker_credentials": broker_credentials(settings),
        "store": "memory://",
        "topic_partitions": settings.partitions,
        "topic_replication_factor": settings.replication_factor,
        "topic_disable_leader": True,
        "producer_acks": -1,
        # A classified record is about 4 KB: Faust's default 16 KB batch holds
        # four of them, so a chunk's output went out as dozens of produce
        # requests. Larger batches cut the sender's per-request work
        # (bench/pipeline_bench.py: about 5 % more articles/s).
        "producer_max_batch_size": 512 * 1024,
        "consumer_auto_offset_reset": "earliest",
        "broker_session_timeout": settings.session_timeout,
        "broker_heartbeat_interval": settings.heartbeat_interval,
        "broker_commit_interval": settings.commit_interval,
        "broker_rebalance_timeout": max(settings.session_timeout, 10.0),
        "datadir": settings.data_dir,
        # newsmon serves its own aiohttp app (newsmon.web) on NEWSMON_WEB_PORT.
        "web_enabled": False,
        "autodiscover": False,
        "logging_config": None,
    }
    conf.update(overrides)
    return NewsmonApp(settings.app_id, **conf)


def declare_topics(app: faust.App, settings: Settings) -> Topics:
    retention = timedelta(hours=settings.kafka_retention_hours)

    def topic(name: str) -> faust.TopicT:
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.partitions,
            replicas=settings.replication_factor,
            retention=retention,
        )

    return Topics(
        raw=topic(settings.topic_raw),
        classified=topic(settings.topic_classified),
        alerts=topic(settings.topic_alerts),
        deadletter=topic(settings.topic_deadletter),
    )
