"""Replay recent classified articles from Kafka for ``newsmon rules test --since``.

A plain group-less consumer seeks every partition of the classified topic to
the first record at or after ``now - since`` (``offsets_for_times``) and reads
up to the end offsets seen at start, so the dry run ends by itself and
commits nothing. Records that do not decode are reported and skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

from newsmon.config import Settings
from newsmon.kafka_util import assign_all, reader
from newsmon.streams.records import ClassifiedArticle, RecordError

logger = logging.getLogger(__name__)


async def replay_classified(
    settings: Settings, since_s: float, now: float | None = None
) -> AsyncIterator[tuple[str, ClassifiedArticle]]:
    """Yield ``(where, article)`` for classified records of the last ``since_s`` seconds."""
    topic = settings.topic_classified
    consumer = reader(settings)
    await consumer.start()
    try:
        tps = await assign_all(consumer, topic)
        if not tps:
            logger.warning("topic %s not found: nothing to replay", topic)
            return
        start_ms = int(((time.time() if now is None else now) - since_s) * 1000)
        starts = await consumer.offsets_for_times(dict.fromkeys(tps, start_ms))
        end = await consumer.end_offsets(tps)
        todo = []
        for tp in tps:
            found = starts.get(tp)
            if found is None:  # nothing that recent in this partition
                continue
            consumer.seek(tp, found.offset)
            todo.append(tp)
        while todo:
            batch = await consumer.getmany(*todo, timeout_ms=1000)
            for tp, records in batch.items():
                for rec in records:
                    if rec.offset >= end[tp]:
                        continue
                    where = f"{tp.topic}@{tp.partition}:{rec.offset}"
                    try:
                        yield where, ClassifiedArticle.decode(rec.value or b"")
                    except RecordError as exc:
                        logger.warning("%s: skipped: %s", where, exc)
            todo = [tp for tp in todo if await consumer.position(tp) < end[tp]]
    finally:
        await consumer.stop()
