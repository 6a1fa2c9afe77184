"""Story assignment through the real Redis script: atomic, idempotent, same decisions as in memory."""

from __future__ import annotations

import asyncio
import random

from redis.asyncio import Redis

from newsmon.config import Settings
from newsmon.ingest.stories import MemoryStoryIndex, RedisStoryIndex, fingerprint
from newsmon.rules.model import RuleSet
from newsmon.runtime import Runtime
from newsmon.streams.records import Article

BODY = (
    "Parliament approved the budget late on Tuesday after a marathon session, clearing the way "
    "for higher spending on hospitals and schools next year. The opposition said the plan relied "
    "on optimistic growth forecasts and would push the deficit above the legal limit, while the "
    "finance minister insisted that tax receipts were already running ahead of expectations."
)


def _index(redis: Redis, settings: Settings, **kw: float) -> RedisStoryIndex:
    return RedisStoryIndex(redis, settings.redis_prefix, window_s=3600, story_ttl_s=7200, **kw)  # type: ignore[arg-type]


async def test_redis_story__copies_from_three_outlets_share_one_story_with_outlet_count(
    redis: Redis, settings: Settings
) -> None:
    index = _index(redis, settings)
    r1 = await index.assign(fingerprint("a1", BODY, source="Wire"))
    r2 = await index.assign(fingerprint("a2", BODY.replace("Tuesday", "Wednesday"), source="Daily"))
    r3 = await index.assign(fingerprint("a3", BODY + " More follows.", url="https://www.herald.example/x"))
    assert r1.new_story and r2.story_id == r3.story_id == "a1"
    info = await index.info("a1")
    assert info is not None and info["outlets"] == 3 and info["articles"] == 3 and info["first_id"] == "a1"
    assert await index.outlets("a1") == ["daily", "herald.example", "wire"]
    assert 0 < await redis.ttl(index.keys.story("a1")) <= 7200


async def test_redis_story__racing_copies_get_one_story(redis: Redis, settings: Settings) -> None:
    index = _index(redis, settings)
    fps = [fingerprint(f"r{i}", BODY, source=f"outlet{i}") for i in range(20)]
    results = await asyncio.gather(*(index.assign(fp) for fp in fps))
    assert len({r.story_id for r in results}) == 1
    assert sum(r.new_story for r in results) == 1
    info = await index.info(results[0].story_id)
    assert info is not None and info["outlets"] == 20


async def test_redis_story__redelivery_is_idempotent(redis: Redis, settings: Settings) -> None:
    index = _index(redis, settings)
    await index.assign(fingerprint("a1", BODY, source="Wire"))
    await index.assign(fingerprint("a2", BODY, source="Daily"))
    again = await index.assign(fingerprint("a2", BODY, source="Daily"))
    assert again.repeated and again.story_id == "a1"
    info = await index.info("a1")
    assert info is not None and info["articles"] == 2


async def test_redis_story__decisions_match_the_in_memory_index(redis: Redis, settings: Settings) -> None:
    rng = random.Random(3)
    words = BODY.split()
    texts = []
    for i in range(60):
        w = list(words)
        for j in rng.sample(range(len(w)), int(len(w) * rng.choice([0.05, 0.3, 0.6, 0.9]))):
            w[j] = f"x{i}{j}"
        texts.append(" ".join(w))
    mem, red = MemoryStoryIndex(), _index(redis, settings)
    for i, t in enumerate(texts):
        fp = fingerprint(f"d{i}", t, source=f"s{i % 5}")
        a, b = mem.assign(fp, now=1000.0), await red.assign(fp)
        assert (a.story_id, a.new_story, a.outlets) == (b.story_id, b.new_story, b.outlets), i


async def test_runtime_assign_story__sets_story_id_on_the_article(redis: Redis, settings: Settings) -> None:
    # The story stage needs no classifier.
    rt = Runtime(settings, classifier=None, rules=RuleSet.empty(), channels={})  # type: ignore[arg-type]
    try:
        first = Article(id="a_first", title="t", body=BODY, source="Wire")
        copy = Article(id="a_copy", title="t2", body=BODY, source="Daily")
        await rt.assign_story(first)
        res = await rt.assign_story(copy)
        assert copy.story_id == "a_first" and res.outlets == 2
    finally:
        await rt.redis.aclose()
