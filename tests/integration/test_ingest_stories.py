"""Story assignment through the real Redis script: atomic, idempotent, same decisions as in memory."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from newsmon.config import Settings
from newsmon.redis_conn import connect_redis
from newsmon.rules.model import RuleSet
from newsmon.runtime import Runtime
from newsmon.stories import Fingerprint, MemoryStoryIndex, RedisStoryIndex, StoryAssignment, fingerprint
from newsmon.stories.fingerprints import BAND_FIELD
from newsmon.stories.index import BUCKET_KEEP, CLOCK_SKEW_S
from newsmon.stories.redis_index import SCRIPT_BATCH
from newsmon.streams.records import Article

from .conftest import REDIS_URL
from .redis_nodes import LocalCluster

BODY = (
    "Parliament approved the budget late on Tuesday after a marathon session, clearing the way "
    "for higher spending on hospitals and schools next year. The opposition said the plan relied "
    "on optimistic growth forecasts and would push the deficit above the legal limit, while the "
    "finance minister insisted that tax receipts were already running ahead of expectations."
)
WINDOW = 3600


def _index(redis: Any, prefix: str, **kw: float) -> RedisStoryIndex:
    return RedisStoryIndex(redis, prefix, window_s=WINDOW, story_ttl_s=7200, **kw)  # type: ignore[arg-type]


def _variants(n: int, seed: int) -> list[str]:
    """Texts from copies to unrelated ones: BODY with 5% to 90% of its words replaced."""
    rng = random.Random(seed)
    words = BODY.split()
    texts = []
    for i in range(n):
        w = list(words)
        for j in rng.sample(range(len(w)), int(len(w) * rng.choice([0.0, 0.05, 0.3, 0.6, 0.9]))):
            w[j] = f"x{i}{j}"
        texts.append(" ".join(w))
    return texts


def _decision(a: StoryAssignment) -> tuple[str, bool, bool, int, int]:
    return (a.story_id, a.new_story, a.repeated, a.outlets, a.articles)


def _stream(seed: int, n: int, span_s: float) -> list[tuple[Fingerprint, float]]:
    """n fingerprints at rising times over span_s; some ids come again (redeliveries)."""
    rng = random.Random(seed)
    texts = _variants(n, seed)
    t0 = 10 * WINDOW + 0.25 * WINDOW
    out: list[tuple[Fingerprint, float]] = []
    for i, text in enumerate(texts):
        at = t0 + span_s * i / n
        fp = fingerprint(f"d{i}", text, source=f"s{i % 5}")
        out.append((fp, at))
        if rng.random() < 0.1:
            out.append((fp, at + 1.0))
    return out


def _sparse_stream(seed: int, families: int) -> list[tuple[Fingerprint, float]]:
    """Stories of a few lightly edited copies each, spread over several windows, so a copy's only
    earlier match is often older than the window while its slice is still read; ids come again
    up to 1.5 windows later."""
    rng = random.Random(seed)
    events: list[tuple[float, Fingerprint]] = []
    for f in range(families):
        base = [f"f{f}w{rng.randrange(400)}" for _ in range(120)]
        for c in range(4):
            words = [w if rng.random() > 0.05 else f"e{c}" for w in base]
            fp = fingerprint(f"f{f}-{c}", " ".join(words), source=f"o{c}")
            at = rng.uniform(0, 4 * WINDOW)
            events.append((at, fp))
            if rng.random() < 0.3:
                events.append((at + rng.uniform(0, 1.5 * WINDOW), fp))
    events.sort(key=lambda e: e[0])
    return [(fp, 20 * WINDOW + at) for at, fp in events]


async def test_redis_story__copies_from_three_outlets_share_one_story_with_outlet_count(
    redis: Redis, settings: Settings
) -> None:
    index = _index(redis, settings.redis_prefix)
    r1 = await index.assign(fingerprint("a1", BODY, source="Wire"))
    r2 = await index.assign(fingerprint("a2", BODY.replace("Tuesday", "Wednesday"), source="Daily"))
    r3 = await index.assign(fingerprint("a3", BODY + " More follows.", url="https://www.herald.example/x"))
    assert r1.new_story and r2.story_id == r3.story_id == "a1"
    info = await index.info("a1")
    assert info is not None and info["outlets"] == 3 and info["articles"] == 3 and info["first_id"] == "a1"
    assert info["first_at"] <= info["last_at"]
    assert await index.outlets("a1") == ["daily", "herald.example", "wire"]
    assert 0 < await redis.ttl(index.keys.story("a1")) <= 7200


async def test_redis_story__racing_copies_get_one_story(redis: Redis, settings: Settings) -> None:
    index = _index(redis, settings.redis_prefix)
    fps = [fingerprint(f"r{i}", BODY, source=f"outlet{i}") for i in range(20)]
    results = await asyncio.gather(*(index.assign(fp) for fp in fps))
    assert len({r.story_id for r in results}) == 1
    assert sum(r.new_story for r in results) == 1
    info = await index.info(results[0].story_id)
    assert info is not None and info["outlets"] == 20


async def test_redis_story__two_workers_racing_batches_of_copies_get_one_story(settings: Settings) -> None:
    # Two clients (two workers), each with a pipelined batch of copies; some ids in both (redelivery).
    clients = [Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)]
    try:
        indexes = [_index(c, settings.redis_prefix) for c in clients]
        batches = [
            [fingerprint(f"w{w}-{i}", BODY, source=f"o{w}-{i}") for i in range(2 * SCRIPT_BATCH)]
            + [fingerprint(f"both-{i}", BODY, source="shared") for i in range(5)]
            for w in range(2)
        ]
        results = await asyncio.gather(*(ix.assign_many(b) for ix, b in zip(indexes, batches, strict=True)))
        flat = [r for rs in results for r in rs]
        assert len({r.story_id for r in flat}) == 1
        assert sum(r.new_story for r in flat) == 1
        assert sum(r.repeated for r in flat) == 5
        info = await indexes[0].info(flat[0].story_id)
        assert info is not None and info["articles"] == 4 * SCRIPT_BATCH + 5
        assert info["outlets"] == 4 * SCRIPT_BATCH + 1
    finally:
        async for key in clients[0].scan_iter(match=f"{settings.redis_prefix}:*", count=1000):
            await clients[0].delete(key)
        for c in clients:
            await c.aclose()


async def test_redis_story__redelivery_is_idempotent(redis: Redis, settings: Settings) -> None:
    index = _index(redis, settings.redis_prefix)
    await index.assign(fingerprint("a1", BODY, source="Wire"))
    await index.assign(fingerprint("a2", BODY, source="Daily"))
    again = await index.assign(fingerprint("a2", BODY, source="Daily"))
    assert again.repeated and again.story_id == "a1"
    info = await index.info("a1")
    assert info is not None and info["articles"] == 2


async def test_redis_story__decisions_match_the_in_memory_index(redis: Redis, settings: Settings) -> None:
    mem, red = MemoryStoryIndex(), _index(redis, settings.redis_prefix)
    for i, t in enumerate(_variants(60, 3)):
        fp = fingerprint(f"d{i}", t, source=f"s{i % 5}")
        a, b = mem.assign(fp, now=1000.0), await red.assign(fp)
        assert _decision(a) == _decision(b), i
        assert b.similarity == pytest.approx(a.similarity, abs=0.0006)


async def test_redis_story__decisions_match_in_memory_across_slices_and_the_window(
    redis: Redis, settings: Settings
) -> None:
    # Copies join while the earlier article is within the window (also from the previous
    # slice); older entries in a still-read slice never match; redeliveries within the
    # window repeat and later ones are decided again.
    mem, red = MemoryStoryIndex(window_s=WINDOW), _index(redis, settings.redis_prefix)
    counts = {"joined": 0, "new": 0, "repeated": 0, "late redelivery": 0}
    seen: set[str] = set()
    for n, (fp, at) in enumerate(_sparse_stream(5, 40)):
        a, b = mem.assign(fp, now=at), await red.assign(fp, now=at)
        assert _decision(a) == _decision(b), n
        counts["repeated" if a.repeated else "new" if a.new_story else "joined"] += 1
        counts["late redelivery"] += fp.article_id in seen and not a.repeated
        seen.add(fp.article_id)
    assert min(counts.values()) >= 5, counts


async def test_redis_story__a_batch_is_decided_in_order_like_single_calls(redis: Redis, settings: Settings) -> None:
    stream = _stream(7, 3 * SCRIPT_BATCH, 0.0)
    mem = MemoryStoryIndex(window_s=WINDOW)
    expected = [_decision(mem.assign(fp, now=5000.0)) for fp, _ in stream]
    got = await _index(redis, settings.redis_prefix).assign_many([fp for fp, _ in stream], now=5000.0)
    assert [_decision(r) for r in got] == expected
    assert any(r.repeated for r in got) and any(not r.new_story and not r.repeated for r in got)


async def test_redis_story__bucket_keeps_the_newest_ids_as_the_in_memory_index(
    redis: Redis, settings: Settings
) -> None:
    index, mem = _index(redis, settings.redis_prefix), MemoryStoryIndex(window_s=WINDOW)
    fps = [fingerprint(f"c{i:02d}", BODY) for i in range(BUCKET_KEEP + 4)]
    await index.assign_many(fps, now=5000.0)
    for fp in fps:
        mem.assign(fp, now=5000.0)
    field = fps[0].bands[:BAND_FIELD]
    raw = await redis.hget(index.keys.slice(index.slice_s, 1), field)
    ids, pos = [], 0
    while pos < len(raw):
        n = int.from_bytes(raw[pos : pos + 2], "big")
        ids.append(raw[pos + 2 : pos + 2 + n].decode())
        pos += 2 + n
    assert ids == [f"c{i:02d}" for i in range(BUCKET_KEEP + 3, 3, -1)]
    assert ids == mem._slices[1].buckets[field]


async def test_redis_story__slice_expires_after_the_window_and_the_stale_one_is_unlinked(
    redis: Redis, settings: Settings
) -> None:
    index = _index(redis, settings.redis_prefix)
    t = 100 * WINDOW + 600.0  # 10 minutes into slice 100
    await index.assign(fingerprint("a", BODY), now=t - WINDOW + 100)  # slice 99
    await index.assign(fingerprint("b", BODY + " More."), now=t - 2 * WINDOW)  # slice 98
    old, prev, cur = (index.keys.slice(index.slice_s, k) for k in (98, 99, 100))
    assert await redis.exists(old, prev) == 2
    res = await index.assign(fingerprint("c", BODY), now=t)
    assert res.story_id == "a"  # from the previous slice; b (slice 98) is out of the window
    assert await redis.exists(old) == 0 and await redis.exists(prev, cur) == 2
    # Slice 100 ends at 101 windows and is read for one window more (plus the skew margin).
    assert abs(await redis.ttl(cur) - (WINDOW - 600 + WINDOW + CLOCK_SKEW_S)) <= 2
    keys = [k.decode() async for k in redis.scan_iter(match=f"{settings.redis_prefix}:*", count=5000)]
    assert keys and all("{stories}" in k for k in keys)


async def test_runtime_assign_stories__sets_story_id_on_the_articles(redis: Redis, settings: Settings) -> None:
    # The story stage needs no classifier.
    rt = Runtime(settings, classifier=None, rules=RuleSet.empty(), channels={})  # type: ignore[arg-type]
    try:
        first = Article(id="a_first", title="t", body=BODY, source="Wire")
        copy = Article(id="a_copy", title="t2", body=BODY, source="Daily")
        await rt.assign_stories([first])
        (res,) = await rt.assign_stories([copy])
        assert copy.story_id == "a_first" and res.outlets == 2
        # In one batch, as the worker calls it: the second copy joins the story within the batch.
        later = [Article(id=f"a_{n}", title="t", body=BODY, source=f"Outlet {n}") for n in range(2)]
        assert [r.story_id for r in await rt.assign_stories(later)] == ["a_first", "a_first"]
        assert [a.story_id for a in later] == ["a_first", "a_first"]
    finally:
        await rt.redis.aclose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    c = LocalCluster(Path(tmp_path_factory.mktemp("stories-cluster")))
    yield c
    c.stop()


@pytest.mark.timeout(180)
async def test_redis_story__cluster_gives_the_same_decisions(cluster: LocalCluster) -> None:
    client = connect_redis(cluster.url)
    prefix = f"nmtest-{uuid.uuid4().hex[:8]}"
    try:
        mem, red = MemoryStoryIndex(window_s=WINDOW), _index(client, prefix)
        stream = _stream(11, 2 * SCRIPT_BATCH + 3, 0.0)
        now = time.time()
        expected = [_decision(mem.assign(fp, now=now)) for fp, _ in stream]
        got = await red.assign_many([fp for fp, _ in stream], now=now)
        assert [_decision(r) for r in got] == expected
        again = await red.assign(stream[0][0], now=now)
        assert again.repeated and again.story_id == expected[0][0]
    finally:
        await client.aclose()
