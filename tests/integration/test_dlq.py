"""``newsmon dlq list | show | replay`` against the real dead-letter topic."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from newsmon.config import Settings
from newsmon.kafka_util import bootstrap_servers, ensure_topics
from newsmon.runtime import dead_letter
from newsmon.streams.records import dumps

from .conftest import REPO, consume_all, eventually
from .test_web import ops_env

BAD_UTF8 = b"\xff\xfe{not utf-8 at all"
BAD_JSON = b'{"title": "broken", "body": '
GOOD_ARTICLE = orjson.dumps({"title": "Zebracorn after the fix", "body": "A zebracorn was seen near the bridge."})


def dlq(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "dlq", *args], env={**os.environ, **env}, cwd=REPO,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.timeout(180)
async def test_dlq__list_show_dry_run_and_replay_after_a_fix(settings_env, tmp_path, worker_factory, redis):
    env = {**ops_env(settings_env, tmp_path), "NEWSMON_MAX_ARTICLE_BYTES": "2048"}
    settings = Settings.from_env(env)
    await ensure_topics(settings, [settings.topic_raw, settings.topic_deadletter])
    oversized = orjson.dumps({"title": "Big", "body": "zebracorn " * 400})
    prod = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(settings.kafka_broker), acks="all")
    await prod.start()
    try:
        for payload in (BAD_UTF8, BAD_JSON, oversized):
            await prod.send_and_wait(settings.topic_raw, payload, key=b"k-" + str(len(payload)).encode())
        # As if an earlier classifier bug had rejected a good article (since fixed):
        # the fix is deployed, so replaying it must now raise the alert.
        past = dead_letter(GOOD_ARTICLE, "internal_error", "KeyError: 'x'", "classify",
                           topic=settings.topic_raw, partition=0, offset=0)  # fmt: skip
        await prod.send_and_wait(settings.topic_deadletter, dumps(past), key=b"story-key")
    finally:
        await prod.stop()

    worker = worker_factory(env)
    await worker.wait_ready()
    await consume_all(settings, settings.topic_deadletter, expect=4, timeout=60)

    listed = dlq(env, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [orjson.loads(line) for line in listed.stdout.splitlines()]
    by_reason = {r["reason"]: r for r in rows}
    assert set(by_reason) == {"invalid_utf8", "invalid_json", "oversized", "internal_error"}, rows
    assert by_reason["oversized"]["truncated"] is True and by_reason["oversized"]["size"] == len(oversized)
    assert by_reason["invalid_utf8"]["binary"] is True
    assert by_reason["invalid_json"]["source"].startswith(f"{settings.topic_raw}/")

    text = dlq(env, "list", "--stage", "normalize")
    assert text.returncode == 0 and len(text.stdout.strip().splitlines()) == 1 + 3, text.stdout

    shown = dlq(env, "show", by_reason["invalid_utf8"]["position"])
    assert shown.returncode == 0, shown.stderr
    full = orjson.loads(shown.stdout)
    assert base64.b64decode(full["payload_b64"]) == BAD_UTF8 and full["replayable"] is True
    assert dlq(env, "show", "9:999").returncode == 1

    dry = dlq(env, "replay", "--all", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("would replay") == 3
    assert f"cannot replay {by_reason['oversized']['position']}: truncated" in dry.stdout
    # A dry run publishes nothing: the raw topic still holds the three originals.
    assert len(await consume_all(settings, settings.topic_raw, expect=4, timeout=3)) == 3

    fixed = dlq(env, "replay", "--reason", "internal_error")
    assert fixed.returncode == 0, fixed.stderr
    assert f"replayed {by_reason['internal_error']['position']} -> {settings.topic_raw}" in fixed.stdout
    await eventually(lambda: "Zebracorn after the fix" in worker.log() and "delivered" in worker.log(), 30,
                     "the replayed article's alert")  # fmt: skip

    # Exact bytes: the non-UTF-8 payload goes back byte for byte (and dead-letters again, same reason).
    again = dlq(env, "replay", by_reason["invalid_utf8"]["position"])
    assert again.returncode == 0, again.stderr
    raw = await consume_all(settings, settings.topic_raw, expect=5, timeout=20)
    assert raw.count(BAD_UTF8) == 2 and GOOD_ARTICLE in raw
    await consume_all(settings, settings.topic_deadletter, expect=5, timeout=30)
    await asyncio.sleep(0)
    final = [orjson.loads(x) for x in dlq(env, "list", "--json", "--reason", "invalid_utf8").stdout.splitlines()]
    assert len(final) == 2
