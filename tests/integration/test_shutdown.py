"""Graceful shutdown on SIGTERM mid-stream: in-flight work finishes, offsets are committed, little is redone."""

from __future__ import annotations

import asyncio
import signal
import time

import aiohttp
import orjson
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from newsmon.config import Settings
from newsmon.kafka_util import bootstrap_servers, ensure_topics

from .conftest import consume_all
from .test_web import metric_value, ops_env, web_base

N = 3000


async def committed(settings: Settings, topic: str, partitions: int) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(settings.kafka_broker))
    await admin.start()
    try:
        offs = await admin.list_consumer_group_offsets(
            settings.app_id, partitions=[TopicPartition(topic, p) for p in range(partitions)]
        )
    finally:
        await admin.close()
    return sum(max(0, m.offset) for m in offs.values())


@pytest.mark.timeout(240)
async def test_shutdown__sigterm_mid_stream_commits_what_was_processed(settings_env, tmp_path, worker_factory, redis):
    env = ops_env(settings_env, tmp_path)
    settings = Settings.from_env(env)
    await ensure_topics(settings, [settings.topic_raw, settings.topic_classified])
    prod = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(settings.kafka_broker), acks="all", linger_ms=20)
    await prod.start()
    try:
        futs = [
            await prod.send(settings.topic_raw, orjson.dumps(
                {"title": f"Harbour report {i}", "body": f"Ships number {i} arrived in Rotterdam, the Netherlands."}
            ))
            for i in range(N)
        ]  # fmt: skip
        await asyncio.gather(*futs)
    finally:
        await prod.stop()

    worker = worker_factory(env)
    base = await web_base(env, worker)
    await worker.wait_ready()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        seen = 0.0
        deadline = time.monotonic() + 60
        while seen < 200:
            assert time.monotonic() < deadline, "worker never got going"
            async with session.get(f"{base}/metrics") as resp:
                seen = metric_value(await resp.text(), "newsmon_articles_in_total") or 0.0
            await asyncio.sleep(0.05)
    assert seen < N, "the worker finished before SIGTERM: make N larger"

    t0 = time.monotonic()
    assert worker.proc is not None
    worker.kill(signal.SIGTERM)  # waits for the exit
    stop_s = time.monotonic() - t0
    log = worker.log()
    assert worker.proc.returncode == 0, log[-3000:]
    assert stop_s < 15, f"shutdown took {stop_s:.1f}s"
    assert "Signal received: 15" in log

    # Everything committed on the raw topic was classified and its output flushed.
    done = await committed(settings, settings.topic_raw, 2)
    out = await consume_all(settings, settings.topic_classified, expect=N, timeout=5)
    produced = len(out)
    assert 0 < done < N, f"committed {done} of {N}: not mid-stream"
    assert produced >= done, f"committed {done} raw offsets but only {produced} classified records exist (lost work)"
    redo = produced - done  # processed but not committed: a restart does these again
    assert redo <= 50, f"{redo} records processed but not committed at shutdown"

    # A restart resumes from the committed offsets: every article is classified, few twice.
    worker2 = worker_factory({**env, "NEWSMON_WEB_ADDR_FILE": str(tmp_path / "web-addr-2")})
    await worker2.wait_ready()
    out = await consume_all(settings, settings.topic_classified, expect=N + redo, timeout=90)
    ids = [orjson.loads(v)["article"]["id"] for v in out]
    assert len(set(ids)) == N, f"{N - len(set(ids))} articles never classified"
    assert len(ids) - N == redo
    print(
        f"SIGTERM after {seen:.0f} read: stopped in {stop_s:.2f}s, committed {done}, output {produced}, redone {redo}"
    )
