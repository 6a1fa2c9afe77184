"""Quiet under faults: a broker or Redis outage writes a handful of log lines, and /readyz and /metrics show it.

Before, a 16-second broker outage wrote about 2,500 lines (aiokafka's
reconnect attempts, some 160 a second) and a 14-second Redis outage about
100 warnings (one per retry). Each test kills its own private service.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import orjson
import pytest

from newsmon.config import Settings

from .conftest import eventually
from .private_services import PrivateKafka, PrivateRedis
from .test_fault_tolerance import RULES, produce, reuters
from .test_web import get, metric_value, ops_env, web_base

OUTAGE_S = 16
# One line when it goes, one when it is back, plus what Faust and aiokafka say once
# per kind of failure (the repeats collapsed to one line a minute).
MAX_LINES = 40


def new_lines(log: str, start: int) -> list[str]:
    return [ln for ln in log[start:].splitlines() if ln.strip()]


async def readyz(base: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        status, body = await get(session, f"{base}/readyz")
        return status, orjson.loads(body)


async def metric(base: str, name: str, labels: str = "") -> float:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        _, text = await get(session, f"{base}/metrics")
    return metric_value(text, name, labels) or 0.0


async def retries_metric(base: str, dependency: str) -> float:
    return await metric(base, "newsmon_dependency_retries_total", f'dependency="{dependency}"')


@pytest.mark.timeout(300)
async def test_quiet__16s_broker_outage_logs_a_handful_of_lines(settings_env, tmp_path, worker_factory):
    kafka = PrivateKafka(tmp_path / "svc")
    kafka.up()
    try:
        env = {**ops_env(settings_env, tmp_path), "NEWSMON_KAFKA_BROKER": kafka.url}
        settings = Settings.from_env(env)
        worker = worker_factory(env)
        await worker.wait_ready()
        base = await web_base(env, worker)
        await produce(kafka.url, settings.topic_raw, [orjson.dumps(a) for a in reuters(50)])
        deadline = time.monotonic() + 60
        while await metric(base, "newsmon_articles_classified_total") < 50:
            assert time.monotonic() < deadline, "articles not classified before the outage"
            await asyncio.sleep(0.5)

        start = len(worker.log())
        kafka.kill()
        killed_at = time.monotonic()
        await eventually(lambda: "kafka unreachable" in worker.log()[start:], 30, "the outage line")
        status, body = await readyz(base)
        assert status == 503 and "kafka" in body["checks"]["dependencies"]["unreachable"], body
        await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - killed_at)))
        during = new_lines(worker.log(), start)
        retries = await retries_metric(base, "kafka")
        await asyncio.to_thread(kafka.up)
        await eventually(lambda: "kafka reachable again" in worker.log()[start:], 90, "the line when it is back")
        lines = new_lines(worker.log(), start)
        print(
            f"\nbroker SIGKILL for {OUTAGE_S}s: {len(during)} log lines during the outage, {len(lines)} until back; "
            f"{retries:.0f} retries counted"
        )
        print("\n".join(ln[:200] for ln in lines))
        assert len(lines) <= MAX_LINES
        assert sum("kafka unreachable" in ln for ln in lines) == 1
        assert sum("kafka reachable again" in ln for ln in lines) == 1
        assert retries >= 10, "aiokafka's attempts must be counted as retries"
        assert worker.proc is not None and worker.proc.poll() is None
    finally:
        kafka.down()


@pytest.mark.timeout(300)
async def test_quiet__14s_redis_outage_logs_a_handful_of_lines(settings_env, tmp_path, worker_factory):
    redis = PrivateRedis(tmp_path / "svc")
    redis.up()
    try:
        env = {**ops_env(settings_env, tmp_path), "NEWSMON_REDIS_URL": redis.url}
        settings = Settings.from_env(env)
        worker = worker_factory(env)
        await worker.wait_ready()
        base = await web_base(env, worker)
        start = len(worker.log())
        redis.kill()
        # Articles arrive while Redis is away: the stream retries them.
        await produce(settings.kafka_broker, settings.topic_raw, [orjson.dumps(a) for a in reuters(50)])
        await eventually(lambda: "redis unreachable" in worker.log()[start:], 30, "the outage line")
        status, body = await readyz(base)
        assert status == 503 and "redis" in body["checks"]["dependencies"]["unreachable"], body
        await asyncio.sleep(14)
        retries = await retries_metric(base, "redis")
        await asyncio.to_thread(redis.up)
        await eventually(lambda: "redis reachable again" in worker.log()[start:], 60, "the line when it is back")
        lines = new_lines(worker.log(), start)
        print(f"\nRedis SIGKILL for 14s: {len(lines)} log lines until back; {retries:.0f} retries counted")
        print("\n".join(ln[:200] for ln in lines))
        assert len(lines) <= MAX_LINES
        assert sum("redis unreachable" in ln for ln in lines) == 1
        assert retries >= 10
    finally:
        redis.down()


@pytest.fixture
def webhook_env(settings_env, receiver, tmp_path):
    rec, base = receiver
    (tmp_path / "rules.yaml").write_text(RULES)
    (tmp_path / "channels.yaml").write_text(
        "channels:\n  - {name: webhook, type: webhook, url_env: NEWSMON_WEBHOOK_URL, "
        "secret_env: NEWSMON_WEBHOOK_SECRET}\n"
    )
    env = {
        **settings_env,
        "NEWSMON_RULES_PATH": str(tmp_path / "rules.yaml"),
        "NEWSMON_CHANNELS_PATH": str(tmp_path / "channels.yaml"),
        "NEWSMON_WEBHOOK_URL": f"{base}/webhook",
        "NEWSMON_DELIVERY_TIMEOUT_S": "2",
        "NEWSMON_DELIVERY_MAX_ATTEMPTS": "1000",
        "NEWSMON_DELIVERY_BACKOFF_MAX_S": "1",
    }
    return env, rec


@pytest.mark.timeout(240)
async def test_quiet__receiver_down_for_10s_logs_one_line_not_one_per_alert(webhook_env, worker_factory):
    env, rec = webhook_env
    rec.behaviour["webhook"].default = 503
    settings = Settings.from_env(env)
    worker = worker_factory(env)
    await worker.wait_ready()
    start = len(worker.log())
    await produce(settings.kafka_broker, settings.topic_raw, [orjson.dumps(a) for a in reuters(600)])
    await eventually(lambda: "channel:webhook unreachable" in worker.log()[start:], 60, "the outage line")
    await asyncio.sleep(10)
    refused = len(rec.received)
    rec.behaviour["webhook"].default = 200
    await eventually(lambda: "channel:webhook reachable again" in worker.log()[start:], 60, "the line when back")
    noisy = [ln for ln in new_lines(worker.log(), start) if '"level":"warning"' in ln or '"level":"error"' in ln]
    print(f"\nreceiver down 10s: {refused} requests refused, {len(noisy)} warning/error lines")
    print("\n".join(ln[:200] for ln in noisy))
    assert refused >= 20, "the receiver must have refused many deliveries"
    assert len(noisy) <= 5
    assert sum("channel:webhook unreachable" in ln for ln in noisy) == 1
