"""The Faust agents: thin wiring from topics to the runtime's plain-Python stages.

* ``classify``: raw bytes -> normalize -> classify -> classified topic
  (bad input -> dead-letter topic with the reason and stage).
* ``match``: classified -> watch rules -> Redis dedup and outbox -> alerts topic.
* ``deliver`` (a task, not an agent): drains the Redis outbox to the channels,
  so a slow receiver never holds up either stream.

Offsets are committed only after the sends of a processed event are flushed
(Faust flushes the producer before each commit), so a crash redelivers rather
than loses; redelivery is harmless because alert ids are deterministic and
deduplicated in Redis.
"""

from __future__ import annotations

import logging
from typing import Any

import faust

from newsmon.runtime import Runtime, dead_letter
from newsmon.streams.app import Topics
from newsmon.streams.records import ClassifiedArticle, DeadLetter, RecordError, dumps

logger = logging.getLogger(__name__)


def register(app: faust.App, topics: Topics, rt: Runtime) -> dict[str, Any]:
    """Attach the agents and the delivery task to ``app``; returns them by name (for tests)."""

    async def to_dead_letter(dl: DeadLetter, key: bytes | None) -> None:
        logger.warning(
            "dead letter: stage=%s reason=%s detail=%s topic=%s offset=%s",
            dl.stage,
            dl.reason,
            dl.detail[:200],
            dl.topic,
            dl.offset,
        )
        await topics.deadletter.send(key=key, value=dumps(dl))

    @app.agent(topics.raw, name="newsmon.classify")
    async def classify(stream: faust.StreamT) -> None:
        async for event in stream.events():
            msg = event.message
            payload = event.value if isinstance(event.value, bytes) else b""
            out = rt.process_raw(payload, topic=msg.topic, partition=msg.partition, offset=msg.offset)
            if isinstance(out, DeadLetter):
                await to_dead_letter(out, msg.key)
            else:
                await topics.classified.send(key=out.article.story_id.encode(), value=dumps(out))

    @app.agent(topics.classified, name="newsmon.match")
    async def match(stream: faust.StreamT) -> None:
        async for event in stream.events():
            msg = event.message
            try:
                item = ClassifiedArticle.decode(event.value)
            except RecordError as exc:
                await to_dead_letter(
                    dead_letter(
                        event.value or b"",
                        exc.reason,
                        exc.detail,
                        "match",
                        topic=msg.topic,
                        partition=msg.partition,
                        offset=msg.offset,
                    ),
                    msg.key,
                )
                continue
            for alert in rt.match(item):
                if await rt.raise_alert(alert):
                    logger.info(
                        "alert raised: alert=%s rule=%s story=%s",
                        alert.alert_id,
                        alert.rule_id,
                        alert.story_id,
                        extra={"alert_id": alert.alert_id},
                    )
                    await topics.alerts.send(key=alert.alert_id.encode(), value=dumps(alert))

    @app.task
    async def deliver() -> None:
        try:
            await rt.dispatcher.run()
        finally:
            for ch in rt.channels.values():
                await ch.aclose()

    return {"classify": classify, "match": match, "deliver": deliver}
