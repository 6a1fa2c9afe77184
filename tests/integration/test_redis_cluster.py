"""The alert store on every Redis topology newsmon accepts: standalone and a local three-node Cluster.

The Cluster is three ``redis-server`` masters on private loopback ports,
joined with ``redis-cli --cluster create``, started once for this module and
stopped after it. The same flows run on both: create and dedup, two workers
racing on one story, claim with a lease, retry, dead letters, and a full
delivery through the dispatcher to a local receiver. Shard keys of one story
share a hash slot, so the Lua scripts and MGET run on Cluster unchanged.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from newsmon.alerting.delivery import Dispatcher, RetryPolicy
from newsmon.alerting.keys import Keys
from newsmon.alerting.store import AlertStore
from newsmon.channels.webhook import WebhookChannel
from newsmon.redis_conn import connect_redis
from newsmon.streams.records import Alert

from .conftest import REDIS_URL, SECRET, eventually
from .redis_nodes import LocalCluster, cli

SHARDS = 8


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    c = LocalCluster(Path(tmp_path_factory.mktemp("redis-cluster")))
    yield c
    c.stop()


@pytest.fixture(params=["standalone", "cluster"])
def topology(request: pytest.FixtureRequest) -> str:
    if request.param == "standalone":
        request.getfixturevalue("redis_up")
        return REDIS_URL
    return request.getfixturevalue("cluster").url


@pytest_asyncio.fixture
async def make_store(topology: str) -> AsyncIterator[Any]:
    """Factory of AlertStores on fresh clients (one client per simulated worker), same key prefix."""
    prefix = f"nmtest-{uuid.uuid4().hex[:8]}"
    clients: list[Any] = []

    def make() -> AlertStore:
        client = connect_redis(topology)
        clients.append(client)
        return AlertStore(client, Keys(prefix, SHARDS), dedup_ttl_s=600)

    yield make
    cleaner = connect_redis(topology)
    try:
        keys = Keys(prefix, SHARDS)
        names = [keys.history(), keys.stats(), keys.dead("webhook")]
        for s in range(SHARDS):
            names += [keys.outbox(s, "webhook"), keys.attempts(s, "webhook")]
        for n in names:  # one key per call: a multi-key DEL across slots fails on Cluster
            await cleaner.delete(n)
        # Dedup and body keys expire with their TTL (600 s).
    finally:
        await cleaner.aclose()
        for c in clients:
            await c.aclose()


def alert(n: int, story: str | None = None) -> Alert:
    story = story or f"story-{n}"
    return Alert(
        alert_id=f"al_{n}", rule_id="r1", rule_name="Rule", story_id=story, article_id=f"a{n}", title=f"Title {n}",
        url="https://example.com/x", source="wire", countries=["IQ"], regions=["middle-east"], topics=[],
        evidence=[], snippet="s", channels=["webhook"], created_at=time.time(), ingested_at=time.time(),
    )  # fmt: skip


def test_cluster__three_masters_cover_all_slots(cluster: LocalCluster):
    info = cli(cluster.ports[0], "cluster", "info")
    assert "cluster_state:ok" in info
    assert "cluster_slots_assigned:16384" in info
    assert "cluster_known_nodes:3" in info and "cluster_size:3" in info


async def test_store__create_then_duplicate_is_refused(make_store):
    store = make_store()
    assert await store.create(alert(1))
    # A new client stands for another worker (or a restart): dedup lives in Redis.
    assert not await make_store().create(alert(1))
    assert await store.pending("webhook") == 1
    keys = store.keys
    shard = keys.shard_of("story-1")
    assert 0 < await store.redis.ttl(keys.dedup(shard, "r1", "story-1")) <= 600


async def test_store__workers_racing_on_one_story_create_one_alert(make_store):
    stores = [make_store() for _ in range(4)]
    results = await asyncio.gather(*(s.create(alert(7)) for s in stores for _ in range(10)))
    assert sum(results) == 1
    assert await stores[0].pending("webhook") == 1


async def test_store__claim_leases_spread_over_shards(make_store):
    store, other = make_store(), make_store()
    alerts = [alert(n) for n in range(40)]
    for a in alerts:
        assert await store.create(a)
    shards = {store.keys.shard_of(a.story_id) for a in alerts}
    assert len(shards) > 1, "the stories must land on several shards (several slots on Cluster)"
    claimed = []
    for s in range(SHARDS):
        claimed += await store.claim(s, "webhook", limit=100, lease_s=30)
    assert sorted(c.alert_id for c in claimed) == sorted(a.alert_id for a in alerts)
    assert all(c.alert is not None and c.alert.story_id == f"story-{c.alert_id[3:]}" for c in claimed)
    # Leased: another worker claims nothing until the lease runs out.
    for s in range(SHARDS):
        assert await other.claim(s, "webhook", limit=100, lease_s=30) == []
    for c in claimed:
        await store.delivered(c)
    assert await store.pending("webhook") == 0
    assert (await store.stats())["webhook:sent"] == 40


async def test_store__retry_then_dead_letter(make_store):
    store = make_store()
    await store.create(alert(3))
    shard = store.keys.shard_of("story-3")
    [c] = await store.claim(shard, "webhook", limit=10, lease_s=30)
    assert await store.retry_later(c, time.time() - 1, "HTTP 500") == 1
    [c] = await store.claim(shard, "webhook", limit=10, lease_s=30)
    assert c.attempts == 1
    await store.dead(c, "HTTP 404")
    dead = await store.dead_letters("webhook")
    assert [(d["alert_id"], d["error"], d["attempts"]) for d in dead] == [("al_3", "HTTP 404", 2)]
    assert await store.pending("webhook") == 0
    events = await store.redis.xrange(store.keys.history())
    assert [e[1][b"event"] for e in events] == [b"created", b"dead"]


async def test_dispatcher__delivers_every_alert_once(make_store, receiver):
    rec, base = receiver
    store = make_store()
    for n in range(12):
        await store.create(alert(n))
    ch = WebhookChannel("webhook", url=f"{base}/webhook", secret=SECRET)
    policy = RetryPolicy(max_attempts=3, max_age_s=60, base_s=0.05, cap_s=0.2, timeout_s=2)
    d = Dispatcher(store, {"webhook": ch}, policy, poll_s=0.05)
    task = asyncio.create_task(d.run())
    try:
        await eventually(lambda: len(rec.accepted("webhook")) >= 12, 20, "12 deliveries")
    finally:
        d.stop()
        await task
        await ch.aclose()
    ids = sorted(r.headers["webhook-id"] for r in rec.accepted("webhook"))
    assert ids == sorted(f"al_{n}" for n in range(12))
    assert all(r.signature_ok for r in rec.accepted("webhook"))


async def test_decide_many__batch_round_trip_works_on_every_topology(topology: str):
    from newsmon.config import Settings
    from newsmon.runtime import Runtime

    from .test_alerting_chain import ANY, article, ruleset

    settings = Settings.from_env(
        {"NEWSMON_REDIS_URL": topology, "NEWSMON_REDIS_PREFIX": f"nmtest-{uuid.uuid4().hex[:8]}"}
    )
    rt = Runtime(settings, None, ruleset(ANY), {})  # type: ignore[arg-type]
    try:
        now = time.time()
        first = await rt.decide_many([article(n, t=now) for n in range(6)])
        # The same articles again are replays (same outcomes and alert ids); other
        # articles of their stories are duplicates.
        again = await rt.decide_many([article(n, t=now) for n in range(6)])
        others = await rt.decide_many([article(f"{n}b", t=now, story=f"a{n}") for n in range(6)])
        assert [d.outcome for ds in first for d in ds] == ["created"] * 6
        assert [(d.outcome, d.alert.alert_id) for ds in again for d in ds] == [
            ("created", d.alert.alert_id) for ds in first for d in ds
        ]
        assert [d.outcome for ds in others for d in ds] == ["duplicate"] * 6
        # Unknown to the pre-check, so the send script decides (its answer is the
        # existing value for the losers): one article of the story wins, both
        # copies of the same article get the same outcome.
        mixed = await rt.decide_many([article("x1", t=now), article("x2", t=now, story="ax1"), article("x1", t=now)])
        x1, x2, x1_again = (ds[0].outcome for ds in mixed)
        assert x1 == x1_again and sorted([x1, x2]) == ["created", "duplicate"]
        assert await rt.store.pending("webhook") == 7
    finally:
        await rt.redis.aclose()
