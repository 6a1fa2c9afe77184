"""The Faust agents: thin wiring from topics to the runtime's plain-Python stages.

* ``pipeline`` (agent on the raw topic): normalize -> classify -> near-duplicate
  story -> match watch rules -> alert chain (trigger, dedup, silence, throttle,
  group, send; :mod:`newsmon.alerting.stages`). It publishes every classified
  article to the classified topic and every alert to the alerts topic; bad
  input goes to the dead-letter topic with the reason and stage.

The worker's background jobs (the rules-topic follower, delivery from the Redis
outbox to each channel, the monitor) are not agents: they are declared in
:meth:`newsmon.runtime.Runtime.jobs` and run by :mod:`newsmon.web.service`.
The agent waits (a while) for the rules follower's first read of the rules
topic, so it matches with the topic's rule set.

The stages run in one agent, not one agent per topic hop: a second hop would
decode every classified article again and pay Faust's per-event cost twice,
about half the worker's time (see bench/pipeline_bench.py). The classified
topic stays the published record of the classification for other consumers
and for ``newsmon rules test --since``.

Delivery guarantee: a batch's records are acknowledged by the broker before its
offsets can be committed: the agent takes events without Faust's automatic
acks and acknowledges a batch's events only after its output was stored and
after the batch before it was acknowledged (Faust commits what was
acknowledged, and does not always stop at a gap), so a crash redelivers
rather than loses. A failed batch stops the worker instead of being skipped.
Redelivery is harmless because alert ids are deterministic and a replayed
decision gets its original outcome. Story assignment and alert decisions take
effect in offset order within a partition, whatever the overlap of chunks and
batches (see :mod:`newsmon.pipeline.batching` and docs/guarantees.md).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Sequence
from functools import partial
from typing import Any, cast

import faust
import mode

from newsmon.kafka_util import broker_time
from newsmon.logging_setup import set_fields as set_log_fields
from newsmon.outages import quiet_aiokafka
from newsmon.pipeline.batching import BATCH_MAX, BATCH_WITHIN_S, BatchLoop, InOrder
from newsmon.pipeline.output import Outgoing, publish
from newsmon.runtime import Runtime
from newsmon.streams.app import Topics
from newsmon.streams.records import ClassifiedArticle, DeadLetter, dumps

logger = logging.getLogger(__name__)

# Longest the pipeline waits for the rules topic at start before matching with the files.
RULES_READY_TIMEOUT_S = 15.0


def register(app: faust.App, topics: Topics, rt: Runtime) -> dict[str, Any]:
    """Attach the pipeline agent to ``app``; returns it by name (for tests)."""

    async def send(topic: str, key: bytes | None, value: bytes) -> Awaitable[Any]:
        return await app.producer.send(topic, key, value, None, None, None)

    def dead_letter_record(dl: DeadLetter, key: bytes | None) -> Outgoing:
        logger.warning(
            "dead letter: stage=%s reason=%s detail=%s topic=%s offset=%s",
            dl.stage, dl.reason, dl.detail[:200], dl.topic, dl.offset,
        )  # fmt: skip
        return (topics.deadletter.get_topic_name(), key, dumps(dl))

    follower = rt.rules_follower
    # aiokafka logs every reconnect attempt: one line a minute per message instead.
    quiet_aiokafka()

    # A failed batch stops the worker (exit code 1; the service manager restarts
    # it and the batch is redelivered). Faust's default restarts the agent alone,
    # which would go on past the failed events and never acknowledge them: their
    # partition could no longer commit, nor the worker shut down cleanly.
    @app.agent(topics.raw, name="newsmon.pipeline", supervisor_strategy=mode.CrashingSupervisor)
    async def pipeline(stream: faust.StreamT) -> None:
        # Events are acknowledged by hand (finish_batch), never by Faust: noack_take
        # restores this flag when it ends, and the stream's background drainer
        # would otherwise acknowledge buffered events that were never processed.
        stream.enable_acks = False
        # Match with the topic's rule set, not the files, when the topic has one.
        try:
            await asyncio.wait_for(follower.ready.wait(), RULES_READY_TIMEOUT_S)
        except TimeoutError:
            logger.warning(
                "rules topic not read within %.0fs; matching with %s", RULES_READY_TIMEOUT_S, rt.rules_version
            )
        classified_topic = topics.classified.get_topic_name()
        alerts_topic = topics.alerts.get_topic_name()

        def classify_part(events: Sequence[faust.EventT]) -> tuple[list[ClassifiedArticle], list[Outgoing]]:
            """CPU part of a chunk: normalize + classify; bad input becomes dead-letter records."""
            items: list[ClassifiedArticle] = []
            out: list[Outgoing] = []
            for event in events:
                msg = event.message
                payload = event.value if isinstance(event.value, bytes) else b""
                res = rt.process_raw(
                    payload,
                    topic=msg.topic,
                    partition=msg.partition,
                    offset=msg.offset,
                    received_at=broker_time(msg.timestamp, msg.timestamp_type),
                )
                if isinstance(res, DeadLetter):
                    set_log_fields(source=f"{msg.topic}/{msg.partition}:{msg.offset}")
                    out.append(dead_letter_record(res, msg.key))
                else:
                    items.append(res)
            return items, out

        # Story assignment and alert decisions take effect in event order: each
        # chunk's step waits for the previous chunk's (see newsmon.pipeline.batching).
        # The two chains are apart because their Redis state is: a chunk's story
        # step overlaps the previous chunk's alert decisions.
        story_steps = InOrder("story assignment")
        decision_steps = InOrder("alert decisions")

        async def finish_part(part: tuple[list[ClassifiedArticle], list[Outgoing]]) -> None:
            """Redis part of a chunk (story, alert decisions) in order, then publish and wait for the acks."""
            items, out = part
            stories = story_steps.submit(partial(rt.assign_stories, [item.article for item in items]))
            decided = decision_steps.submit(partial(rt.decide_many, items), after=[stories])
            _, decisions = await asyncio.gather(stories, decided)
            for item, ds in zip(items, decisions, strict=True):
                out.append((classified_topic, item.article.story_id.encode(), item.encode()))
                for d in ds:
                    alert = d.publish
                    if alert is None:
                        continue
                    logger.info(
                        "alert %s: alert=%s rule=%s story=%s", d.outcome, alert.alert_id, alert.rule_id,
                        alert.story_id, extra={"alert_id": alert.alert_id, "article_id": item.article.id},
                    )  # fmt: skip
                    out.append((alerts_topic, alert.alert_id.encode(), dumps(alert)))
            await publish(send, out)

        agent_task = asyncio.current_task()

        def stop_worker(exc: BaseException) -> None:
            logger.error("batch failed, stopping the worker: %r", exc)
            # Faust's shutdown waits for every event taken to be acknowledged, and
            # the failed batch's never will be: stop without waiting (what is
            # committed is still only what was acknowledged, in order). The agent
            # may be waiting for events that do not come: wake it.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "reconfiguring late": meant, read at shutdown
                app.conf.stream_wait_empty = False
            if agent_task is not None:
                agent_task.cancel()

        loop = BatchLoop(classify_part, finish_part, stream.ack, on_failure=stop_worker)
        try:
            async for events in cast(faust.Stream, stream).noack_take(BATCH_MAX, within=BATCH_WITHIN_S):
                await loop.feed(events)
        except asyncio.CancelledError:
            if loop.failures:  # woken by stop_worker: fail with the batch's error (the worker stops)
                raise loop.failures[0] from None
            raise
        finally:
            await loop.drain()

    return {"pipeline": pipeline}
