"""Rule sets at run time: published to a compacted topic, followed by every worker.

``newsmon rules apply FILE...`` validates the files and calls
:func:`publish_rules`, which writes :meth:`RuleSet.to_payload` under one key
to the compacted rules topic (so the topic keeps the latest set).

Every worker runs a :class:`RulesFollower`: a plain aiokafka consumer without
a consumer group (manual assignment of every partition), because each worker
must see every rule set, not a share of them. It reads the topic from the
beginning, applies the newest valid set once it has caught up (then signals
``ready``), and keeps following. A payload that does not parse or validate is
logged with its error and skipped: the previous rules stay active.

Precedence at worker start: the newest valid rule set on the topic; when the
topic has none, the rule files in ``NEWSMON_RULES_PATH`` (loaded before the
worker starts, so they must be valid).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from newsmon.config import Settings
from newsmon.kafka_util import assign_all, ensure_topics, producer, reader
from newsmon.rules.model import RuleError, RuleSet

logger = logging.getLogger(__name__)

RULES_KEY = b"ruleset"


def decode_payload(data: bytes | None, where: str = "rules-topic") -> RuleSet:
    """Parse and validate one rules-topic record; :class:`RuleError` says what is wrong."""
    if not data:
        raise RuleError(where, None, "", "empty payload")
    try:
        return RuleSet.from_payload(data)
    except RuleError:
        raise
    except Exception as exc:  # malformed JSON or structure: any error means "reject"
        raise RuleError(where, None, "", f"malformed rule set payload: {type(exc).__name__}: {exc}") from None


async def publish_rules(settings: Settings, rules: RuleSet) -> tuple[int, int]:
    """Write the rule set to the rules topic; returns (partition, offset)."""
    await ensure_topics(settings, [settings.topic_rules], compacted=[settings.topic_rules])
    prod = producer(settings)
    await prod.start()
    try:
        md = await prod.send_and_wait(settings.topic_rules, rules.to_payload(), key=RULES_KEY)
    finally:
        await prod.stop()
    return md.partition, md.offset


def _consumer(settings: Settings) -> AIOKafkaConsumer:
    return reader(settings, fetch_max_wait_ms=200)


class RulesFollower:
    """Follows the rules topic; ``apply(rules, origin)`` is called for each newest valid set.

    ``run`` is a worker background task (see ``agents/pipeline.py``); it
    returns only when cancelled. ``ready`` is set once the topic has been read
    to its end at start (or the topic could not be read for ``ready_timeout_s``).
    """

    def __init__(
        self,
        settings: Settings,
        apply: Callable[[RuleSet, str], Any],
        *,
        poll_ms: int = 500,
    ) -> None:
        self.settings = settings
        self.apply = apply
        self.poll_ms = poll_ms
        self.ready = asyncio.Event()
        self.rejected = 0

    def _decode(self, value: bytes | None, where: str) -> RuleSet | None:
        try:
            return decode_payload(value, where)
        except RuleError as exc:
            self.rejected += 1
            logger.error("rule set rejected, previous rules stay active: %s", exc)
            return None

    async def run(self) -> None:
        topic = self.settings.topic_rules
        while True:
            consumer = _consumer(self.settings)
            try:
                await consumer.start()
                tps = await assign_all(consumer, topic)
                if not tps:
                    logger.warning("rules topic %s not found; using the rule files", topic)
                    self.ready.set()
                    await asyncio.sleep(5)
                    continue
                await self._catch_up(consumer, tps)
                self.ready.set()
                while True:
                    batch = await consumer.getmany(*tps, timeout_ms=self.poll_ms)
                    for records in batch.values():
                        for rec in records:
                            rs = self._decode(rec.value, f"{topic}@{rec.partition}:{rec.offset}")
                            if rs is not None:
                                self.apply(rs, f"{topic}@{rec.partition}:{rec.offset}")
            except KafkaError as exc:
                logger.warning("rules topic reader: %s; reconnecting in 2s", exc)
                await asyncio.sleep(2)
            except Exception:
                # The reader must outlive any bug in one record's handling: the
                # rules would silently freeze otherwise.
                logger.exception("rules topic reader failed; restarting in 2s")
                await asyncio.sleep(2)
            finally:
                await consumer.stop()

    async def _catch_up(self, consumer: AIOKafkaConsumer, tps: list[TopicPartition]) -> None:
        """Read to the end offsets seen at start; apply only the newest valid set."""
        end = await consumer.end_offsets(tps)
        latest: tuple[RuleSet, str] | None = None
        while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(*tps, timeout_ms=self.poll_ms)
            for records in batch.values():
                for rec in records:
                    where = f"{rec.topic}@{rec.partition}:{rec.offset}"
                    rs = self._decode(rec.value, where)
                    if rs is not None:
                        latest = (rs, where)
        if latest is not None:
            self.apply(*latest)
        else:
            logger.info("no rule set on %s; using the rule files", self.settings.topic_rules)


async def read_latest(settings: Settings, timeout_s: float = 10.0) -> RuleSet | None:
    """The newest valid rule set on the topic (None if there is none); for the CLI and tests."""
    found: list[RuleSet] = []
    follower = RulesFollower(settings, lambda rs, _origin: found.append(rs))
    task = asyncio.create_task(follower.run())
    try:
        await asyncio.wait_for(follower.ready.wait(), timeout_s)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return found[-1] if found else None
