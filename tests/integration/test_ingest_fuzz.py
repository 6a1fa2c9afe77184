"""Fuzzed input end to end (issue 14): the HTTP ingest API and the raw topic, real Kafka, a real worker.

The cases come from the same hypothesis strategies as the unit fuzz tests
(derandomized: the same cases every run), fewer of them, because each one
travels through the broker and the worker process. Every id the API
accepted, and every raw record a producer wrote straight to the topic,
must come out of the worker: as a classified article, or as a dead letter
naming the raw record's offset. The worker must still be running at the end.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from hypothesis import HealthCheck, given, settings

from newsmon.config import Settings
from newsmon.ingest.normalize import normalize
from newsmon.kafka_util import bootstrap_servers, ensure_topics
from newsmon.streams.records import RecordError
from newsmon.web import ingest_api
from newsmon.web.context import WebContext
from newsmon.web.server import build_web_app
from tests.unit.ingest.fuzz_strategies import raw_payloads, request_bodies

from .test_web import ops_env

TOKEN = "integration-token-0123456789abcdef01"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
API_CASES = 250
RAW_CASES = 250


def collect(strategy: Any, n: int) -> list[bytes]:
    out: list[bytes] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(strategy)
    def gather(value: bytes) -> None:
        out.append(value)

    gather()
    return out


async def read_outputs(settings: Settings, want_ids: set[str], want_offsets: set[int], timeout: float) -> tuple:
    """Classified article ids and dead-letter raw offsets, read until every wanted one was seen."""
    consumer = AIOKafkaConsumer(
        settings.topic_classified, settings.topic_deadletter,
        bootstrap_servers=bootstrap_servers(settings.kafka_broker), auto_offset_reset="earliest",
        enable_auto_commit=False, group_id=None, max_partition_fetch_bytes=8 * 1024 * 1024,
    )  # fmt: skip
    ids: set[str] = set()
    offsets: set[int] = set()
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while not (want_ids <= ids and want_offsets <= offsets) and time.monotonic() < deadline:
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                for r in records:
                    obj = orjson.loads(r.value)
                    if tp.topic == settings.topic_classified:
                        ids.add(obj["article"]["id"])
                    elif obj.get("topic") == settings.topic_raw:
                        offsets.add(obj["offset"])
    finally:
        await consumer.stop()
    return ids, offsets


@pytest.mark.timeout(300)
async def test_fuzz__every_accepted_id_and_raw_record_reaches_classified_or_dead_letter(
    settings_env: dict[str, str], tmp_path: Path, worker_factory, redis
) -> None:
    env = {**ops_env(settings_env, tmp_path), "NEWSMON_PARTITIONS": "1", "NEWSMON_LOG_FORMAT": "text"}
    settings = Settings.from_env(env)
    await ensure_topics(settings, [settings.topic_raw, settings.topic_classified, settings.topic_deadletter])

    # The HTTP API with its own Kafka producer, as `newsmon ingest-api` runs it.
    ctx = WebContext(api_token=TOKEN, extras={ingest_api.SETTINGS_EXTRA: settings})
    accepted: set[str] = set()
    statuses: dict[int, int] = {}
    async with TestClient(TestServer(build_web_app(ctx, modules=[ingest_api.add_routes]))) as client:
        for body in collect(request_bodies(), API_CASES):
            resp = await client.post(ingest_api.PATH, data=body, headers=AUTH)
            statuses[resp.status] = statuses.get(resp.status, 0) + 1
            assert resp.status < 500, (resp.status, await resp.text(), body[:200])
            if resp.status == 202:
                accepted |= {a["id"] for a in (await resp.json())["accepted"]}
    assert accepted and statuses.get(422) and statuses.get(400), statuses

    # A producer writing straight to the raw topic: what the worker makes of each, checked locally.
    valid_ids: set[str] = set()
    invalid_offsets: set[int] = set()
    prod = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(settings.kafka_broker), acks="all",
                            max_request_size=4 * 1024 * 1024)  # fmt: skip
    await prod.start()
    try:
        for i, payload in enumerate(collect(raw_payloads, RAW_CASES)):
            meta = await prod.send_and_wait(settings.topic_raw, payload, key=f"fuzz-{i}".encode())
            try:
                valid_ids.add(normalize(payload, max_bytes=settings.max_article_bytes).id)
            except RecordError:
                invalid_offsets.add(meta.offset)
    finally:
        await prod.stop()
    assert valid_ids and invalid_offsets

    worker = worker_factory(env)
    await worker.wait_ready()
    ids, offsets = await read_outputs(settings, accepted | valid_ids, invalid_offsets, timeout=180)
    assert not (accepted - ids), f"{len(accepted - ids)} accepted ids never classified"
    assert not (valid_ids - ids), f"{len(valid_ids - ids)} valid raw records never classified"
    assert not (invalid_offsets - offsets), f"{len(invalid_offsets - offsets)} invalid raw records not dead-lettered"
    assert worker.proc is not None and worker.proc.poll() is None, worker.log()[-3000:]
