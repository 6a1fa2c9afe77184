"""Publishing a chunk's output: every record acknowledged by the broker, or sent again (no Faust here)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from newsmon.outages import OUTAGES

logger = logging.getLogger(__name__)

# (topic, key, value)
Outgoing = tuple[str, bytes | None, bytes]
# Queues one record and returns what completes when the broker acknowledged it.
Send = Callable[[str, bytes | None, bytes], Awaitable[Awaitable[Any]]]


async def publish(
    send: Send, records: list[Outgoing], *, first_delay_s: float = 0.5, max_delay_s: float = 10.0
) -> None:
    """Send and wait for the broker's acknowledgements; send again what failed, never drop it.

    The idempotent producer already retries transient errors; what still
    fails (the broker gone for longer) is sent again after a pause, so a
    batch's offsets are never committed before its output is stored. The
    failures are reported once per outage (:mod:`newsmon.outages`), not once
    per retry.
    """
    delay = first_delay_s
    while records:
        futures = [await send(topic, key, value) for topic, key, value in records]
        results = await asyncio.gather(*futures, return_exceptions=True)
        failed = [r for r, res in zip(records, results, strict=True) if isinstance(res, BaseException)]
        if failed:
            error = next(x for x in results if isinstance(x, BaseException))
            OUTAGES.failed("kafka", f"{len(failed)} of {len(records)} records not acknowledged: {error!r}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay_s)
        else:
            OUTAGES.ok("kafka")
        records = failed
