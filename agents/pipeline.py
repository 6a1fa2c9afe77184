"""The Faust agents: thin wiring from topics to the runtime's plain-Python stages.

* ``classify``: raw bytes -> normalize -> classify -> near-duplicate story -> classified topic
  (bad input -> dead-letter topic with the reason and stage).
* ``match``: classified -> watch rules -> alert chain (trigger, dedup, silence,
  throttle, group, send; :mod:`newsmon.alerting.stages`) -> alerts topic.
* ``rules`` (a task): follows the compacted rules topic with its own
  group-less consumer and swaps the runtime's rule set (every worker sees every set).
* ``deliver`` (a task, not an agent): drains the Redis outbox to the channels,
  so a slow receiver never holds up either stream.

Offsets are committed only after the sends of a processed event are flushed
(Faust flushes the producer before each commit), so a crash redelivers rather
than loses; redelivery is harmless because alert ids are deterministic and
deduplicated in Redis.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

import faust

from newsmon.logging_setup import set_fields as set_log_fields
from newsmon.rules.distribution import RulesFollower
from newsmon.runtime import Runtime, dead_letter
from newsmon.streams.app import Topics
from newsmon.streams.records import ClassifiedArticle, DeadLetter, RecordError, dumps

logger = logging.getLogger(__name__)

# Events per batch and the longest a batch waits to fill.
BATCH_MAX = 500
BATCH_WITHIN_S = 0.02

# Longest the match agent waits for the rules topic at start before matching with the files.
RULES_READY_TIMEOUT_S = 15.0


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
        # Batches let the story lookups of many articles share one Redis round
        # trip; the window bounds the latency a batch adds at low rates.
        async for events in cast(faust.Stream, stream).take_events(BATCH_MAX, within=BATCH_WITHIN_S):
            done: list[tuple[ClassifiedArticle, bytes | None]] = []
            for event in events:
                msg = event.message
                payload = event.value if isinstance(event.value, bytes) else b""
                out = rt.process_raw(payload, topic=msg.topic, partition=msg.partition, offset=msg.offset)
                if isinstance(out, DeadLetter):
                    set_log_fields(source=f"{msg.topic}/{msg.partition}:{msg.offset}")
                    await to_dead_letter(out, msg.key)
                else:
                    done.append((out, msg.key))
            await rt.assign_stories([item.article for item, _ in done])
            for item, _ in done:
                topics.classified.send_soon(key=item.article.story_id.encode(), value=dumps(item))

    follower = RulesFollower(rt.settings, rt.apply_rules)

    @app.agent(topics.classified, name="newsmon.match")
    async def match(stream: faust.StreamT) -> None:
        # Match with the topic's rule set, not the files, when the topic has one.
        try:
            await asyncio.wait_for(follower.ready.wait(), RULES_READY_TIMEOUT_S)
        except TimeoutError:
            logger.warning(
                "rules topic not read within %.0fs; matching with %s", RULES_READY_TIMEOUT_S, rt.rules_version
            )
        async for events in cast(faust.Stream, stream).take_events(BATCH_MAX, within=BATCH_WITHIN_S):
            items: list[ClassifiedArticle] = []
            for event in events:
                msg = event.message
                try:
                    items.append(ClassifiedArticle.decode(event.value))
                except RecordError as exc:
                    set_log_fields(source=f"{msg.topic}/{msg.partition}:{msg.offset}")
                    dl = dead_letter(
                        event.value or b"", exc.reason, exc.detail, "match",
                        topic=msg.topic, partition=msg.partition, offset=msg.offset,
                    )  # fmt: skip
                    await to_dead_letter(dl, msg.key)
            for item, decisions in zip(items, await rt.decide_many(items), strict=True):
                for d in decisions:
                    alert = d.publish
                    if alert is None:
                        continue
                    logger.info(
                        "alert %s: alert=%s rule=%s story=%s", d.outcome, alert.alert_id, alert.rule_id,
                        alert.story_id, extra={"alert_id": alert.alert_id, "article_id": item.article.id},
                    )  # fmt: skip
                    topics.alerts.send_soon(key=alert.alert_id.encode(), value=dumps(alert))

    @app.task
    async def rules() -> None:
        await follower.run()

    @app.task
    async def deliver() -> None:
        try:
            await rt.dispatcher.run()
        finally:
            for ch in rt.channels.values():
                await ch.aclose()

    return {"classify": classify, "match": match, "deliver": deliver, "rules": rules}
