"""Alert store and delivery against the real Redis and a local HTTP receiver."""

from __future__ import annotations

import asyncio
import socket
import time

from redis.asyncio import Redis

from newsmon.alerting.delivery import Dispatcher, RetryPolicy
from newsmon.alerting.keys import Keys
from newsmon.alerting.store import AlertStore
from newsmon.channels.slack import SlackChannel
from newsmon.channels.webhook import WebhookChannel
from newsmon.streams.records import Alert

from .conftest import REDIS_URL, SECRET, eventually


def make_alert(n: int = 1, channels: tuple[str, ...] = ("webhook",)) -> Alert:
    return Alert(
        alert_id=f"al_{n}",
        rule_id="r",
        rule_name="Rule <!channel>",
        story_id=f"story-{n}",
        article_id=f"a{n}",
        title=f"Title {n}",
        url="https://example.com/x",
        source="wire",
        countries=["IQ"],
        regions=["middle-east"],
        topics=[],
        evidence=[],
        snippet="s",
        channels=list(channels),
        created_at=time.time(),
        ingested_at=time.time(),
    )


def store_for(redis: Redis, prefix: str) -> AlertStore:
    return AlertStore(redis, Keys(prefix, 4), dedup_ttl_s=3600)


FAST = RetryPolicy(max_attempts=5, max_age_s=120, base_s=0.05, cap_s=0.5, timeout_s=2)


async def test_dedup__same_story_after_restart(redis, settings):
    assert await store_for(redis, settings.redis_prefix).create(make_alert())
    # A new client stands for a restarted worker: the state is in Redis, not in the process.
    other = Redis.from_url(REDIS_URL)
    try:
        assert not await store_for(other, settings.redis_prefix).create(make_alert())
    finally:
        await other.aclose()
    assert (
        await redis.ttl(
            Keys(settings.redis_prefix, 4).dedup(Keys(settings.redis_prefix, 4).shard_of("story-1"), "r", "story-1")
        )
        > 3000
    )


async def test_dedup__two_workers_racing_create_one_alert(redis, settings):
    clients = [Redis.from_url(REDIS_URL) for _ in range(4)]
    try:
        stores = [store_for(c, settings.redis_prefix) for c in clients]
        results = await asyncio.gather(*(s.create(make_alert(7)) for s in stores for _ in range(10)))
    finally:
        for c in clients:
            await c.aclose()
    assert sum(results) == 1
    assert await store_for(redis, settings.redis_prefix).pending("webhook") == 1


async def run_dispatcher(d: Dispatcher, until, timeout: float, what: str) -> None:
    task = asyncio.create_task(d.run())
    try:
        await eventually(until, timeout, what)
    finally:
        d.stop()
        await task


async def test_delivery__500_500_200_delivers_once_with_same_webhook_id(redis, settings, receiver):
    rec, base = receiver
    rec.behaviour["webhook"].statuses = [500, 500]
    store = store_for(redis, settings.redis_prefix)
    ch = WebhookChannel("webhook", url=f"{base}/webhook", secret=SECRET)
    await store.create(make_alert(1))
    d = Dispatcher(store, {"webhook": ch}, FAST, poll_s=0.05)
    await run_dispatcher(d, lambda: len(rec.accepted("webhook")) == 1, 20, "delivery after two 500s")
    await ch.aclose()
    ids = [r.headers["webhook-id"] for r in rec.received]
    assert ids == ["al_1", "al_1", "al_1"]
    assert [r.status for r in rec.received] == [500, 500, 200]
    assert all(r.signature_ok for r in rec.received)
    assert await store.pending("webhook") == 0
    assert (await store.stats())["webhook:sent"] == 1


async def test_delivery__429_retry_after_is_honoured(redis, settings, receiver):
    rec, base = receiver
    rec.behaviour["webhook"].statuses = [429]
    rec.behaviour["webhook"].retry_after = "2"
    store = store_for(redis, settings.redis_prefix)
    ch = WebhookChannel("webhook", url=f"{base}/webhook")
    await store.create(make_alert(2))
    d = Dispatcher(store, {"webhook": ch}, FAST, poll_s=0.05)
    await run_dispatcher(d, lambda: len(rec.accepted("webhook")) == 1, 20, "delivery after 429")
    await ch.aclose()
    first, second = rec.received
    assert second.at - first.at >= 1.9


async def test_delivery__permanent_4xx_goes_to_dead_letters_with_reason(redis, settings, receiver):
    rec, base = receiver
    rec.behaviour["webhook"].default = 404
    store = store_for(redis, settings.redis_prefix)
    ch = WebhookChannel("webhook", url=f"{base}/webhook")
    await store.create(make_alert(3))
    d = Dispatcher(store, {"webhook": ch}, FAST, poll_s=0.05)

    dead: list[dict] = []

    async def poll_dead() -> None:
        dead[:] = await store.dead_letters("webhook")

    task = asyncio.create_task(d.run())
    try:
        for _ in range(100):
            await poll_dead()
            if dead:
                break
            await asyncio.sleep(0.1)
    finally:
        d.stop()
        await task
    await ch.aclose()
    assert len(rec.received) == 1
    assert len(dead) == 1 and dead[0]["alert_id"] == "al_3"
    assert "HTTP 404" in dead[0]["error"] and dead[0]["alert"]["title"] == "Title 3"
    assert await store.pending("webhook") == 0


async def test_delivery__gives_up_after_max_attempts(redis, settings, receiver):
    rec, base = receiver
    rec.behaviour["webhook"].default = 503
    store = store_for(redis, settings.redis_prefix)
    ch = WebhookChannel("webhook", url=f"{base}/webhook")
    await store.create(make_alert(4))
    policy = RetryPolicy(max_attempts=3, max_age_s=60, base_s=0.05, cap_s=0.1, timeout_s=2)
    d = Dispatcher(store, {"webhook": ch}, policy, poll_s=0.05)
    await run_dispatcher(d, lambda: len(rec.received) >= 3, 20, "three attempts")
    await ch.aclose()
    dead = await store.dead_letters("webhook")
    assert len(rec.received) == 3
    assert dead and "gave up after 3 attempts" in dead[0]["error"]


async def test_delivery__receiver_down_for_30s_then_delivered(redis, settings):
    from newsmon.devtools.receiver import Receiver, start_receiver

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = store_for(redis, settings.redis_prefix)
    ch = WebhookChannel("webhook", url=f"http://127.0.0.1:{port}/webhook")
    await store.create(make_alert(5))
    policy = RetryPolicy(max_attempts=100, max_age_s=300, base_s=0.5, cap_s=3, timeout_s=2)
    d = Dispatcher(store, {"webhook": ch}, policy, poll_s=0.05)
    task = asyncio.create_task(d.run())
    rec = Receiver()
    runner = None
    try:
        await asyncio.sleep(30)  # nothing listens: every attempt is refused and rescheduled
        assert await store.pending("webhook") == 1
        assert (await store.stats()).get("webhook:retried", 0) >= 5
        runner, _ = await start_receiver(rec, port=port)
        await eventually(lambda: len(rec.accepted("webhook")) == 1, 10, "delivery after the receiver is back")
    finally:
        d.stop()
        await task
        await ch.aclose()
        if runner is not None:
            await runner.cleanup()
    assert rec.accepted("webhook")[0].headers["webhook-id"] == "al_5"
    assert await store.dead_letters("webhook") == []


async def test_delivery__slow_channel_does_not_hold_up_another(redis, settings, receiver):
    rec, base = receiver
    rec.behaviour["slack"].delay_s = 3.0
    store = store_for(redis, settings.redis_prefix)
    hook = WebhookChannel("webhook", url=f"{base}/webhook")
    slack = SlackChannel("slack", url=f"{base}/slack", rate_per_s=None)
    for n in range(10, 15):
        await store.create(make_alert(n, channels=("webhook", "slack")))
    d = Dispatcher(store, {"webhook": hook, "slack": slack}, FAST, poll_s=0.05, concurrency=1)
    started = time.monotonic()
    await run_dispatcher(d, lambda: len(rec.accepted("webhook")) == 5, 10, "webhook deliveries")
    assert time.monotonic() - started < 3.0
    await hook.aclose()
    await slack.aclose()
