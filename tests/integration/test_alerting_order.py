"""Chunked decisions equal one-by-one decisions: ``Runtime.decide_many`` against the real Redis.

The pipeline decides a chunk's matches together (lanes, one ordered trigger
round trip); whatever the chunk size, every outcome and alert id must be the
one the articles get when decided one after another in their order. The
rules cover every order-sensitive kind of state: dedup and updates, a
cooldown, a digest, a frequency window and first_seen pairs.
"""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from newsmon.config import Settings
from newsmon.runtime import Runtime
from newsmon.streams.records import ClassifiedArticle

from .conftest import REDIS_URL, unique
from .test_alerting_chain import T0, article, ruleset

RULES = """
  - id: plain
    when: {regions: [middle-east]}
    channels: [webhook]
  - id: updates
    when: {countries: [IQ]}
    notify_on_update: true
    channels: [webhook]
  - id: cooldown
    when: {regions: [middle-east]}
    realert: 1h
    channels: [webhook]
  - id: digest
    when: {regions: [middle-east]}
    group_window: 1h
    group_by: country
    channels: [webhook]
  - id: burst
    type: frequency
    threshold: 3
    window: 10m
    when: {regions: [middle-east]}
    channels: [webhook]
  - id: pairs
    type: first_seen
    lookback: 1h
    when: {regions: [middle-east, europe]}
    channels: [webhook]
"""


def stream() -> list[ClassifiedArticle]:
    """60 articles over 12 stories, countries, regions and topics mixed, a few repeated (redeliveries)."""
    out = []
    topics = [(("medtop:16000000", None),), (("medtop:04000000", None),), (("medtop:20000344", "medtop:04000000"),)]
    for n in range(60):
        out.append(
            article(
                n,
                t=T0 + n * 30,
                story=f"s{(n * 7) % 12}",
                country=("IQ", "SY", "FR")[n % 3],
                regions=(("middle-east",), ("middle-east", "europe"), ("europe",))[n % 3 if n % 5 else 0],
                topics=topics[(n // 2) % 3],
            )
        )
    return out + out[10:14]  # redelivered articles come again later in the stream


async def decide_all(prefix: str, chunk: int) -> list[tuple[str, str, str, str]]:
    settings = Settings.from_env({"NEWSMON_REDIS_URL": REDIS_URL, "NEWSMON_REDIS_PREFIX": prefix})
    rt = Runtime(settings, None, ruleset(RULES), {})  # type: ignore[arg-type]
    items = stream()
    out = []
    try:
        for i in range(0, len(items), chunk):
            part = items[i : i + chunk]
            for item, ds in zip(part, await rt.decide_many(part), strict=True):
                out += [(item.article.id, d.rule.id, d.outcome, d.alert.alert_id) for d in ds]
    finally:
        client = Redis.from_url(REDIS_URL)
        async for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            await client.delete(key)
        await client.aclose()
        await rt.redis.aclose()
    return out


@pytest.mark.parametrize("chunk", [5, 17, 64])
async def test_decide_many__any_chunk_size_gives_the_one_by_one_outcomes(redis_up, chunk):
    one_by_one = await decide_all(unique("nmorder"), 1)
    chunked = await decide_all(unique("nmorder"), chunk)
    kinds = {o for _, _, o, _ in one_by_one}
    # The stream must exercise the order-sensitive outcomes, or the comparison proves little.
    assert {"created", "updated", "duplicate", "throttled", "grouped", "pending_threshold", "seen_before"} <= kinds
    assert chunked == one_by_one
