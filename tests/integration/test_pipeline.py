"""The whole path on the real broker and Redis: ingest -> worker -> alerts at local receivers."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from newsmon.classify import Classifier
from newsmon.config import Settings
from newsmon.ingest.files import ingest_paths
from newsmon.ingest.normalize import normalize_raw, validate_raw
from newsmon.ingest.textdump import parse_text_dump
from newsmon.kafka_util import bootstrap_servers, ensure_topics
from newsmon.rules.model import load_rules
from newsmon.runtime import Runtime
from newsmon.streams.records import ClassifiedArticle, DeadLetter

from .conftest import REPO, consume_all, eventually

SENTINEL_RULE = """
rules:
  - id: sentinel
    name: Test sentinel
    when: {keywords: [zebracorn]}
    channels: [webhook]
"""


def expected_alerts(seed_text: str, rules_dir) -> dict[str, tuple[str, str]]:
    """What the domain code says the seed must raise, computed without any service."""
    clf = Classifier.load()
    rs = load_rules([rules_dir])
    out = {}
    for art in parse_text_dump(seed_text):
        a = normalize_raw(validate_raw({**art, "source": "seed-articles"}))
        ca = ClassifiedArticle(a, clf.classify(a.title, a.body))
        rt = Runtime.__new__(Runtime)
        rt.rules = rs
        for alert in Runtime.match(rt, ca):
            if "webhook" in alert.channels:
                out[alert.alert_id] = (alert.rule_id, a.title)
    return out


@pytest.fixture
def pipeline_env(settings_env, receiver, tmp_path):
    rec, base = receiver
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "seed.yaml").write_text((REPO / "rules" / "middle-east.yaml").read_text())
    (rules_dir / "sentinel.yaml").write_text(SENTINEL_RULE)
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "channels:\n"
        "  - {name: webhook, type: webhook, url_env: NEWSMON_WEBHOOK_URL, secret_env: NEWSMON_WEBHOOK_SECRET}\n"
        "  - {name: slack, type: slack, url_env: NEWSMON_SLACK_WEBHOOK_URL, rate_per_s: 20}\n"
    )
    env = {
        **settings_env,
        "NEWSMON_RULES_PATH": str(rules_dir),
        "NEWSMON_CHANNELS_PATH": str(channels),
        "NEWSMON_WEBHOOK_URL": f"{base}/webhook",
        "NEWSMON_SLACK_WEBHOOK_URL": f"{base}/slack",
        "NEWSMON_MAX_ARTICLE_BYTES": "20000",
    }
    return env, rec, rules_dir


async def send_raw(settings: Settings, payloads: list[bytes]) -> None:
    await ensure_topics(settings, [settings.topic_raw])
    prod = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(settings.kafka_broker),
        acks="all",
        enable_idempotence=True,
        max_request_size=4 * 1024 * 1024,
    )
    await prod.start()
    try:
        for p in payloads:
            await prod.send_and_wait(settings.topic_raw, p)
    finally:
        await prod.stop()


def sentinel(n: int) -> bytes:
    return orjson.dumps({"title": f"Sentinel {n}", "body": f"A zebracorn was seen, number {n}."})


async def test_pipeline__seed_alerts_reach_webhook_and_slack_once(pipeline_env, worker_factory, seed_text, tmp_path):
    env, rec, _ = pipeline_env
    settings = Settings.from_env(env)
    expected = expected_alerts(seed_text, REPO / "rules")
    assert expected, "the shipped rules must raise alerts for the seed articles"

    worker = worker_factory(env)
    await worker.wait_ready()
    seed = tmp_path / "seed-articles.txt"
    seed.write_text(seed_text)
    report = await ingest_paths([seed], settings, progress=False)
    assert report.sent == 2 and not report.rejected

    def hooks():
        return {r.headers["webhook-id"]: r for r in rec.accepted("webhook")}

    await eventually(lambda: set(hooks()) >= set(expected), 60, f"alerts {sorted(expected)}")
    got = hooks()
    for alert_id, (rule_id, title) in expected.items():
        body = got[alert_id].body
        assert body["rule"]["id"] == rule_id
        assert body["article"]["title"] == title
        assert got[alert_id].signature_ok
    iraq = [r.body for r in got.values() if r.body["article"]["title"].startswith("Withdrawal")]
    syria = [r.body for r in got.values() if r.body["article"]["title"].startswith("Former Regime")]
    assert iraq and "IQ" in iraq[0]["countries"] and "middle-east" in iraq[0]["regions"]
    assert syria and "SY" in syria[0]["countries"] and "levant" in syria[0]["regions"]
    assert any(t["code"] == "medtop:16000000" for t in iraq[0]["topics"])
    await eventually(lambda: len(rec.accepted("slack")) >= 1, 30, "a Slack message")

    # Re-ingest: same ids, so no second alert. The sentinel (same single partition,
    # sent after) proves the worker has processed the re-ingested articles.
    before = len(rec.accepted("webhook"))
    report = await ingest_paths([seed], settings, progress=False)
    assert report.sent == 2
    await send_raw(settings, [sentinel(1)])
    await eventually(lambda: len(rec.accepted("webhook")) == before + 1, 60, "the sentinel alert")
    titles = [r.body["article"]["title"] for r in rec.accepted("webhook")[before:]]
    assert titles == ["Sentinel 1"]
    ids = [r.headers["webhook-id"] for r in rec.accepted("webhook")]
    assert len(ids) == len(set(ids))


async def test_pipeline__malformed_records_go_to_dead_letters_and_stream_goes_on(pipeline_env, worker_factory):
    env, rec, _ = pipeline_env
    settings = Settings.from_env(env)
    worker = worker_factory(env)
    await worker.wait_ready()
    bad = {
        "invalid_json": b'{"title": "x", "body": ',
        "missing_field": orjson.dumps({"title": "no body"}),
        "invalid_field": orjson.dumps({"title": "t", "body": ["not", "a", "string"]}),
        "oversized": orjson.dumps({"title": "big", "body": "word " * 10_000}),
        "invalid_utf8": b'{"title": "t", "body": "caf\xe9"}',
    }
    await send_raw(settings, [*bad.values(), sentinel(2)])
    await eventually(lambda: len(rec.accepted("webhook")) == 1, 60, "the sentinel after the bad records")
    records = [DeadLetter.decode(r) for r in await consume_all(settings, settings.topic_deadletter, len(bad))]
    by_reason = {d.reason: d for d in records}
    assert set(by_reason) == set(bad)
    assert all(d.stage == "normalize" and d.detail and d.offset is not None for d in records)
    big = by_reason["oversized"]
    assert big.truncated and big.size == len(bad["oversized"]) and len(big.payload) < big.size
    assert by_reason["invalid_utf8"].payload_b64 is not None
    assert by_reason["invalid_json"].payload == bad["invalid_json"].decode()
    assert worker.proc is not None and worker.proc.poll() is None


@pytest.mark.timeout(120)
async def test_pipeline__offsets_not_committed_while_output_is_refused(pipeline_env, worker_factory):
    """A batch's input offsets are committed only after the broker stored its output.

    The classified topic first refuses the worker's records (its
    ``max.message.bytes`` is smaller than a classified article): nothing may be
    committed however long the worker runs. Once the topic accepts them, the
    worker's retries get through and the offsets are committed.
    """
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    from .test_shutdown import committed

    env, _, _ = pipeline_env
    settings = Settings.from_env(env)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(settings.kafka_broker))
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(settings.topic_classified, 1, 1, topic_configs={"max.message.bytes": "300"})]
        )
        n = 5
        await send_raw(settings, [sentinel(i) for i in range(n)])
        worker = worker_factory(env)
        await worker.wait_ready()
        await eventually(lambda: "not acknowledged" in worker.log(), 30, "the refused output to be retried")
        # Several commit intervals (0.5 s) and retries of the refused records.
        await asyncio.sleep(4)
        assert await committed(settings, settings.topic_raw, 1) == 0
        assert worker.proc is not None and worker.proc.poll() is None

        await admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, settings.topic_classified, {"max.message.bytes": "4194304"})]
        )
        deadline = asyncio.get_running_loop().time() + 40
        while await committed(settings, settings.topic_raw, 1) < n:
            assert asyncio.get_running_loop().time() < deadline, "offsets not committed after the topic took the output"
            await asyncio.sleep(0.5)
        assert len(await consume_all(settings, settings.topic_classified, n)) >= n
    finally:
        await admin.close()


FAILING_WORKER = """
import sys

from newsmon import cli, runtime


async def fail(self, items):
    raise ValueError("injected failure in decide_many")


runtime.Runtime.decide_many = fail
sys.argv = ["newsmon", "worker"]
sys.exit(cli.main())
"""


@pytest.mark.timeout(150)
async def test_pipeline__failed_batch_stops_the_worker_and_is_redelivered(pipeline_env, worker_factory, tmp_path):
    """A batch whose alert decisions fail stops the worker (exit 1) with nothing committed;
    the next worker processes the same articles."""
    import os
    import sys

    from .test_shutdown import committed

    env, rec, _ = pipeline_env
    settings = Settings.from_env(env)
    n = 3
    await send_raw(settings, [sentinel(i) for i in range(n)])
    script = tmp_path / "failing_worker.py"
    script.write_text(FAILING_WORKER)
    log = tmp_path / "failing-worker.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(script), env={**os.environ, **env}, cwd=REPO, stdout=out, stderr=out
        )
        try:
            rc = await asyncio.wait_for(proc.wait(), 90)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    text = log.read_text(errors="replace")
    assert rc == 1, text[-3000:]
    assert "batch failed, stopping the worker" in text and "injected failure" in text
    assert await committed(settings, settings.topic_raw, 1) == 0

    worker = worker_factory(env)
    await worker.wait_ready()
    await eventually(lambda: len(rec.accepted("webhook")) == n, 60, "the articles of the failed batch, redelivered")
