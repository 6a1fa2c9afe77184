"""Replays against the real Redis: the same article decided again gets its original outcome.

A decision is repeated when the send script ran but its reply was lost (the
caller retries), or when a worker crashed after the decision and before the
pipeline published its output (Kafka redelivers). Either way the repeat must
be ``created`` (``updated``, ``grouped``) again with the same alert id, so the
alert reaches the alerts topic and the history, and must queue nothing new;
another article of the same story stays a ``duplicate``. The lost reply is
real: a TCP proxy in front of the shared Redis forwards the script call and
throws its reply away.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio
from redis.asyncio import Redis

from newsmon import metrics
from newsmon.alerting import stages
from newsmon.alerting.policy import alert_id_for
from newsmon.alerting.silences import parse_silence
from newsmon.config import Settings
from newsmon.rules.model import RuleSet
from newsmon.runtime import Runtime

from .conftest import REDIS_PORT
from .test_alerting_chain import ANY, FIRST_SEEN, FREQUENCY, T0, article, ruleset

NOTIFY = """
  - id: upd
    when: {regions: [middle-east]}
    notify_on_update: true
    channels: [webhook]
"""
DIGEST = """
  - id: dig
    when: {regions: [middle-east]}
    group_window: 1m
    channels: [webhook]
"""


class ReplyDropper:
    """A TCP proxy in front of the shared Redis that loses one reply when armed.

    The first request after :meth:`arm` that calls the script ``sha`` goes to
    Redis, and once Redis answers (it answers after running the script) the
    answer is thrown away and the client's connection closed: a network cut
    between the script's run and its reply.
    """

    def __init__(self, sha: str) -> None:
        self.sha = sha.encode()
        self.armed = False
        self.dropped = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Future[None]] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def arm(self) -> None:
        self.armed = True

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        redis_r, redis_w = await asyncio.open_connection("127.0.0.1", REDIS_PORT)
        drop = asyncio.Event()

        async def up() -> None:
            while data := await client_r.read(65536):
                if self.armed and b"EVALSHA" in data.upper() and self.sha in data:
                    self.armed = False
                    drop.set()
                redis_w.write(data)
                await redis_w.drain()

        async def down() -> None:
            while data := await redis_r.read(65536):
                if drop.is_set():
                    self.dropped += 1
                    return
                client_w.write(data)
                await client_w.drain()

        tasks = {asyncio.ensure_future(up()), asyncio.ensure_future(down())}
        self._tasks |= tasks
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks -= tasks
            client_w.close()
            redis_w.close()


@pytest_asyncio.fixture
async def make_rt(settings_env: dict[str, str], redis: Redis) -> AsyncIterator[Callable[..., Runtime]]:
    """Runtimes on this test's key prefix; each stands for one worker (its own Redis client)."""
    made: list[Runtime] = []

    def make(rules: RuleSet, redis_url: str | None = None) -> Runtime:
        env = dict(settings_env)
        if redis_url is not None:
            env["NEWSMON_REDIS_URL"] = redis_url
        rt = Runtime(Settings.from_env(env), None, rules, {})  # type: ignore[arg-type]
        made.append(rt)
        return rt

    yield make
    for rt in made:
        await rt.redis.aclose()


async def alert_state(redis: Redis, prefix: str) -> dict[bytes, Any]:
    """Every alert key of the prefix with its content (the history stream aside)."""
    out: dict[bytes, Any] = {}
    async for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
        kind = (await redis.type(key)).decode()
        if kind == "string":
            out[key] = await redis.get(key)
        elif kind == "zset":
            out[key] = await redis.zrange(key, 0, -1, withscores=True)
        elif kind == "hash":
            out[key] = await redis.hgetall(key)
    return out


async def history(redis: Redis, prefix: str) -> list[dict[bytes, bytes]]:
    return [fields for _, fields in await redis.xrange(f"{prefix}:{{history}}:alerts")]


async def test_send__same_article_retried_after_lost_reply_is_created_again(make_rt, settings, redis):
    proxy = ReplyDropper(hashlib.sha1(stages._SEND.encode()).hexdigest())
    port = await proxy.start()
    try:
        rt = make_rt(ruleset(ANY), redis_url=f"redis://127.0.0.1:{port}/0")
        now = time.time()
        proxy.arm()
        ((d,),) = await asyncio.wait_for(rt.decide_many([article(1, t=now)]), 30)
        # The script ran and its answer was lost: what decided is the retry.
        assert proxy.dropped == 1
        assert d.outcome == "created" and d.detail.get("replay") == 1
        assert d.alert.alert_id == alert_id_for("me", "a1") and d.publish is d.alert
        assert await rt.store.pending("webhook") == 1
        assert [(e[b"event"], e[b"alert_id"]) for e in await history(redis, settings.redis_prefix)] == [
            (b"created", d.alert.alert_id.encode())
        ]
    finally:
        await proxy.close()


async def test_send__same_article_retried_without_batch_precheck_is_created_again(make_rt, settings, redis):
    # Same loss for a rule whose dedup key is known only after its trigger (not pre-checked
    # with the batch): the dedup stage reads the key itself.
    proxy = ReplyDropper(hashlib.sha1(stages._SEND.encode()).hexdigest())
    port = await proxy.start()
    try:
        rt = make_rt(
            ruleset(FREQUENCY.replace("threshold: 3", "threshold: 1")), redis_url=f"redis://127.0.0.1:{port}/0"
        )
        proxy.arm()
        ((d,),) = await asyncio.wait_for(rt.decide_many([article(1)], now=T0), 30)
        assert proxy.dropped == 1
        assert d.outcome == "created" and d.detail.get("replay") == 1 and d.key.startswith("window:")
        assert await rt.store.pending("webhook") == 1
    finally:
        await proxy.close()


async def test_send__other_article_same_story_is_duplicate(make_rt):
    rt = make_rt(ruleset(ANY))
    (first,) = (await rt.decide_many([article(1, story="s1")], now=T0))[0]
    (other,) = (await rt.decide_many([article(2, story="s1")], now=T0 + 1))[0]
    assert first.outcome == "created"
    assert other.outcome == "duplicate" and "replay" not in other.detail and other.publish is None
    # The batch path, with the replay and another article of the story in one batch.
    got = await make_rt(ruleset(ANY)).decide_many([article(1, story="s1"), article(3, story="s1")])
    assert [[d.outcome for d in ds] for ds in got] == [["created"], ["duplicate"]]
    assert got[0][0].alert.alert_id == first.alert.alert_id
    assert await rt.store.pending("webhook") == 1


async def test_decide_many__same_items_twice_same_outcomes_and_ids_nothing_new_queued(make_rt, settings, redis):
    rules = ruleset(ANY + NOTIFY + DIGEST)
    items = [article(1, story="s1"), article(2, story="s1"), article(3, story="s2"), article(4, story="s3")]
    created = metrics.ALERTS.labels("me", "created")._value.get()
    first = await make_rt(rules).decide_many(items)
    created_first = metrics.ALERTS.labels("me", "created")._value.get() - created
    replayed = metrics.ALERTS.labels("me", "replayed")._value.get()
    state = await alert_state(redis, settings.redis_prefix)
    # A second worker stands for the restarted one that gets the batch again.
    again = await make_rt(rules).decide_many(items)
    # Replays are counted apart: the alerts are not counted as created twice.
    assert metrics.ALERTS.labels("me", "created")._value.get() - created == created_first == 3
    assert metrics.ALERTS.labels("me", "replayed")._value.get() - replayed == 3

    def summary(res: list[list[stages.Decision]]) -> list[tuple[str, str, str, str | None]]:
        return [(d.rule.id, d.outcome, d.alert.alert_id, d.alert.digest_id) for ds in res for d in ds]

    assert summary(again) == summary(first)
    outcomes = sorted(o for _, o, _, _ in summary(first))
    # me: one of a1/a2 wins story s1, a3 and a4 alert; upd: s1 is created and updated;
    # dig: three stories join the rule's digest, the other article of s1 is a duplicate.
    assert outcomes == sorted(["created"] * 3 + ["duplicate"] * 2 + ["created"] * 3 + ["updated"] + ["grouped"] * 3)
    assert all(d.detail.get("replay") == 1 for ds in again for d in ds if d.outcome != "duplicate")
    assert await alert_state(redis, settings.redis_prefix) == state
    # The history has the replayed events (marked), and shows each decision once.
    events = await history(redis, settings.redis_prefix)
    assert sum(e.get(b"replay") == b"1" for e in events) == len(events) // 2
    shown = [(a["alert_id"], e["event"]) for a in await make_rt(rules).store.recent(50) for e in a["events"]]
    assert len(shown) == len(set(shown)) == len(events) // 2


async def test_decide_many__same_article_racing_on_workers_all_created_one_alert_id(make_rt):
    workers = [make_rt(ruleset(ANY)) for _ in range(4)]
    results = await asyncio.gather(*(w.decide_many([article(1)], now=T0) for w in workers for _ in range(5)))
    flat = [d for r in results for ds in r for d in ds]
    assert [d.outcome for d in flat] == ["created"] * 20
    assert {d.alert.alert_id for d in flat} == {alert_id_for("me", "a1")}
    assert sum("replay" not in d.detail for d in flat) == 1
    assert await workers[0].store.pending("webhook") == 1


async def test_replay__silence_begun_since_keeps_the_original_outcome(make_rt):
    rt = make_rt(ruleset(ANY))
    now = time.time()
    assert [d.outcome for d in (await rt.decide_many([article(1, t=now)], now=now))[0]] == ["created"]
    s = parse_silence({"matchers": {"rule": "me"}, "duration": "1h", "author": "a", "comment": "c"}, now)
    await rt.silences.add(s)
    assert [d.outcome for d in (await rt.decide_many([article(1, t=now)], now=now + 1))[0]] == ["created"]
    batch = await rt.decide_many([article(1, t=now), article(2, t=now)])
    assert [[d.outcome for d in ds] for ds in batch] == [["created"], ["silenced"]]


async def test_group__member_replayed_in_a_later_window_stays_in_its_digest(make_rt, settings, redis):
    rt = make_rt(ruleset(DIGEST))
    (d,) = (await rt.decide_many([article(1)], now=T0))[0]
    assert d.outcome == "grouped" and d.detail["digest_opened"] is True
    state = await alert_state(redis, settings.redis_prefix)
    # Redelivered two windows later: the digest it joined, not a new one.
    (again,) = (await rt.decide_many([article(1)], now=T0 + 120))[0]
    assert again.outcome == "grouped" and again.alert.digest_id == d.alert.digest_id
    assert again.detail["digest_opened"] is True and again.detail["replay"] == 1
    (other,) = (await rt.decide_many([article(2, story="a1")], now=T0 + 120))[0]
    assert other.outcome == "duplicate"
    assert await alert_state(redis, settings.redis_prefix) == state
    assert await rt.store.pending("webhook") == 1


async def test_frequency__firing_article_redelivered_after_the_window_moved_on_is_created_again(make_rt):
    rt = make_rt(ruleset(FREQUENCY))
    for n, dt in ((1, 60), (2, 600)):
        assert [d.outcome for d in (await rt.decide_many([article(n, t=T0 + dt)], now=T0 + dt))[0]] == [
            "pending_threshold"
        ]
    (d,) = (await rt.decide_many([article(3, t=T0 + 1200)], now=T0 + 1200))[0]
    assert d.outcome == "created"
    # A later article's window no longer holds a1 (and fires for its own bucket).
    (later,) = (await rt.decide_many([article(4, t=T0 + 3700)], now=T0 + 3700))[0]
    assert later.outcome == "created" and later.alert.alert_id != d.alert.alert_id
    (again,) = (await rt.decide_many([article(3, t=T0 + 1200)], now=T0 + 3800))[0]
    assert again.outcome == "created" and again.alert.alert_id == d.alert.alert_id
    assert [m["article_id"] for m in again.alert.members] == ["a1", "a2", "a3"]
    assert await rt.store.pending("webhook") == 2


async def test_first_seen__maker_redelivered_after_another_article_saw_the_pair_is_created_again(make_rt):
    rt = make_rt(ruleset(FIRST_SEEN))
    (d,) = (await rt.decide_many([article(1, t=T0)], now=T0))[0]
    assert d.outcome == "created"
    assert [x.outcome for x in (await rt.decide_many([article(2, t=T0 + 60)], now=T0 + 60))[0]] == ["seen_before"]
    (again,) = (await rt.decide_many([article(1, t=T0)], now=T0 + 120))[0]
    assert again.outcome == "created" and again.alert.alert_id == d.alert.alert_id
    # The replay did not move the pair's last sighting back to a1's time: within
    # the lookback of a2 (but not of a1), the pair is not new.
    t3 = T0 + 7 * 86400 + 30
    assert [x.outcome for x in (await rt.decide_many([article(3, t=t3)], now=t3))[0]] == ["seen_before"]
    t5 = t3 + 7 * 86400 + 1
    assert [x.outcome for x in (await rt.decide_many([article(5, t=t5)], now=t5))[0]] == ["created"]


async def test_store_create__value_names_its_article_for_the_chain(make_rt):
    rt = make_rt(ruleset(ANY))
    (d,) = (await rt.decide_many([article(9)], now=T0))[0]  # builds the alert the chain would raise
    await rt.redis.delete(rt.keys.dedup(d.shard, "me", "a9"), rt.keys.alert(d.shard, d.alert.alert_id))
    await rt.redis.zrem(rt.keys.outbox(d.shard, "webhook"), d.alert.alert_id)
    assert await rt.store.create(d.alert)
    assert [x.outcome for x in (await rt.decide_many([article(9)], now=T0 + 1))[0]] == ["created"]
    assert [x.outcome for x in (await rt.decide_many([article(10, story="a9")], now=T0 + 1))[0]] == ["duplicate"]


async def test_send__dedup_value_of_the_older_format_is_duplicate_for_the_same_article(make_rt):
    rt = make_rt(ruleset(ANY))
    key = rt.keys.dedup(rt.keys.shard_of("a1"), "me", "a1")
    await rt.redis.set(key, alert_id_for("me", "a1"), ex=600)
    assert [d.outcome for d in (await rt.decide_many([article(1)], now=T0))[0]] == ["duplicate"]
    assert [d.outcome for ds in await rt.decide_many([article(1)]) for d in ds] == ["duplicate"]


async def test_history__repeated_decision_event_shows_once_and_delivered_stays_the_status(make_rt):
    store = make_rt(ruleset(ANY)).store
    await store.history("created", "al_x", rule="me", story="s")
    await store.history("delivered", "al_x", channel="webhook")
    await store.history("created", "al_x", rule="me", story="s", replay=1)
    await store.history("silenced", "al_y", rule="me", story="t")
    await store.history("silenced", "al_y", rule="me", story="t")
    got = {a["alert_id"]: a for a in await store.recent(10)}
    assert [e["event"] for e in got["al_x"]["events"]] == ["created", "delivered"]
    assert got["al_x"]["status"] == "delivered" and "replay" not in got["al_x"]["events"][0]
    # Events that may repeat for one alert id (each silenced article) all show.
    assert [e["event"] for e in got["al_y"]["events"]] == ["silenced", "silenced"]
