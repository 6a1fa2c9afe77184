"""Records a producer writes straight to the raw topic (issue 14 rows 4 and 5), through a real worker.

Too deep, out-of-range ``published`` and a ``language`` that is no tag go to
the dead-letter topic with the reason, the worker going on; a producer's
``ingested_at`` does not place an article in time: the worker stamps its own
and keeps the claim as ``ingested_at_hint``.
"""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from newsmon.config import Settings
from newsmon.kafka_util import bootstrap_servers, ensure_topics

from .conftest import consume_all
from .test_web import ops_env


def article(n: int, **extra: object) -> dict[str, object]:
    return {"title": f"Harbour story {n}", "body": f"The harbour of town {n} reopened on Monday after the storm.",
            **extra}  # fmt: skip


@pytest.mark.timeout(180)
async def test_raw_topic__untrusted_fields_dead_letter_or_are_restamped_and_the_worker_goes_on(
    settings_env: dict[str, str], tmp_path: Path, worker_factory, redis
) -> None:
    env = {**ops_env(settings_env, tmp_path), "NEWSMON_PARTITIONS": "1", "NEWSMON_LOG_FORMAT": "text"}
    settings = Settings.from_env(env)
    await ensure_topics(settings, [settings.topic_raw, settings.topic_classified, settings.topic_deadletter])
    deep = orjson.dumps(article(1))[:-1] + b',"extra":' + b"[" * 300 + b"0" + b"]" * 300 + b"}"
    bad = {
        deep: "too_deep",
        orjson.dumps(article(2, published=1e297)): "invalid_field",
        orjson.dumps(article(3, published="1850-01-01T00:00:00Z")): "invalid_field",
        orjson.dumps(article(4, language="<script>")): "invalid_field",
    }
    claims = {"Harbour story 5": -1e12, "Harbour story 6": 1e300}
    good = [orjson.dumps(article(5, ingested_at=-1e12)), orjson.dumps(article(6, ingested_at=1e300))]
    prod = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(settings.kafka_broker), acks="all")
    await prod.start()
    offsets: dict[int, str] = {}
    try:
        for payload in [*bad, *good]:
            meta = await prod.send_and_wait(settings.topic_raw, payload, key=b"producer")
            if payload in bad:
                offsets[meta.offset] = bad[payload]
    finally:
        await prod.stop()
    t0 = time.time()
    worker = worker_factory(env)
    await worker.wait_ready()

    dead = [orjson.loads(v) for v in await consume_all(settings, settings.topic_deadletter, expect=4, timeout=60)]
    assert {d["offset"]: d["reason"] for d in dead} == offsets, dead
    assert all(d["stage"] == "normalize" for d in dead)
    done = [orjson.loads(v) for v in await consume_all(settings, settings.topic_classified, expect=2, timeout=60)]
    arts = {c["article"]["title"]: c["article"] for c in done}
    assert set(arts) == set(claims)
    for title, claimed in claims.items():
        assert t0 - 5 <= arts[title]["ingested_at"] <= time.time(), arts[title]
        assert arts[title]["ingested_at_hint"] == claimed
    assert worker.proc is not None and worker.proc.poll() is None, worker.log()[-3000:]
