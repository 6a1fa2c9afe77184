"""Fault tolerance on the real services: kill things mid-stream, lose nothing, alert once.

Expected alerts are computed offline by the domain code for the same articles
(normalize -> classify -> rules), then compared with what reaches the local
HTTP receiver. Each test is bounded in time and talks only to loopback.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from newsmon.classify import Classifier
from newsmon.config import Settings
from newsmon.ingest.normalize import normalize, normalize_raw, validate_raw
from newsmon.kafka_util import bootstrap_servers
from newsmon.rules.matcher import match_rules
from newsmon.rules.model import build_ruleset, load_rules_text
from newsmon.stories import MemoryStoryIndex, fingerprint
from newsmon.streams.records import ClassifiedArticle, DeadLetter, RecordError

from .conftest import SHARED_EVAL, consume_all, eventually
from .private_services import PrivateKafka, PrivateRedis

RULES = """
rules:
  - id: watch-gb-ca-jp
    name: Britain, Canada or Japan
    when: {countries: [GB, CA, JP]}
    channels: [webhook]
"""


def reuters(n: int) -> list[dict]:
    """n real wire stories, none a near-duplicate of another.

    The worker groups near-duplicates into one story (one alert per story), and
    which copy founds the story depends on timing across partitions; keeping
    only distinct stories makes the expected alerts exact and order-free.
    """
    path = SHARED_EVAL / "reuters21578-dev.jsonl"
    if not path.exists():
        pytest.fail(f"evaluation data missing: {path}")
    index = MemoryStoryIndex()
    out = []
    with path.open("rb") as fh:
        for line in fh:
            d = orjson.loads(line)
            obj = {"title": d["title"], "body": d["body"], "url": f"https://wire.test/{d['id']}", "source": "wire"}
            art = normalize_raw(validate_raw(obj))
            if not index.assign(fingerprint(art.id, art.body, source=art.source, url=art.url), now=0.0).new_story:
                continue
            out.append(obj)
            if len(out) == n:
                break
    assert len(out) == n, f"only {len(out)} distinct stories in {path}"
    return out


def expected_alert_ids(articles: list[dict]) -> dict[str, str]:
    """alert id -> article id, as the domain code decides it without any service."""
    from newsmon.alerting.policy import alert_id_for

    clf = Classifier.load()
    rs = build_ruleset(load_rules_text(RULES, "fault-rules.yaml"))
    out = {}
    for obj in articles:
        art = normalize_raw(validate_raw(obj))
        ca = ClassifiedArticle(art, clf.classify(art.title, art.body, language=art.language))
        for m in match_rules(rs, ca):
            out[alert_id_for(m.rule.id, art.story_id)] = art.id
    return out


async def produce(broker_url: str, topic: str, payloads: list[bytes]) -> None:
    prod = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(broker_url),
        acks="all",
        enable_idempotence=True,
        linger_ms=20,
        max_batch_size=256 * 1024,
    )
    await prod.start()
    try:
        futs = [await prod.send(topic, p) for p in payloads]
        await asyncio.gather(*futs)
    finally:
        await prod.stop()


async def ready_worker(worker_factory, env: dict[str, str]):
    """A started worker that has joined its group (it creates the topics at start)."""
    worker = worker_factory(env)
    await worker.wait_ready()
    return worker


async def send_articles(settings: Settings, articles: list[dict]) -> None:
    await produce(settings.kafka_broker, settings.topic_raw, [orjson.dumps(a) for a in articles])


@pytest.fixture
def fault_env(settings_env, receiver, tmp_path):
    rec, base = receiver
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "channels:\n  - {name: webhook, type: webhook, url_env: NEWSMON_WEBHOOK_URL, "
        "secret_env: NEWSMON_WEBHOOK_SECRET}\n"
    )
    env = {
        **settings_env,
        "NEWSMON_PARTITIONS": "4",
        "NEWSMON_RULES_PATH": str(rules),
        "NEWSMON_CHANNELS_PATH": str(channels),
        "NEWSMON_WEBHOOK_URL": f"{base}/webhook",
        "NEWSMON_DELIVERY_TIMEOUT_S": "2",
        "NEWSMON_DELIVERY_MAX_ATTEMPTS": "1000",
        "NEWSMON_DELIVERY_BACKOFF_MAX_S": "2",
    }
    return env, rec


def received_report(rec) -> tuple[set[str], int, dict[tuple[str, str], set[str]]]:
    accepted = rec.accepted("webhook")
    ids = [r.headers["webhook-id"] for r in accepted]
    per_story: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in accepted:
        per_story[(r.body["rule"]["id"], r.body["story_id"])].add(r.headers["webhook-id"])
    return set(ids), len(ids) - len(set(ids)), per_story


@pytest.mark.timeout(420)
async def test_fault__worker_sigkill_mid_stream_then_restart_loses_no_alert(fault_env, worker_factory):
    env, rec = fault_env
    settings = Settings.from_env(env)
    articles = reuters(10_000)
    expected = expected_alert_ids(articles)
    assert len(expected) >= len(articles) // 10, f"only {len(expected)} alerts expected: the rule must hit >= 10%"

    first = await ready_worker(worker_factory, env)
    await send_articles(settings, articles)
    await eventually(lambda: len(rec.accepted("webhook")) >= 50, 120, "first alerts before the kill")
    first.kill()
    at_kill = len(set(r.headers["webhook-id"] for r in rec.accepted("webhook")))
    await ready_worker(worker_factory, env)
    try:
        await eventually(lambda: received_report(rec)[0] >= set(expected), 300, f"all {len(expected)} expected alerts")
    except AssertionError:
        missing = set(expected) - received_report(rec)[0]
        print(f"\nmissing {len(missing)} of {len(expected)}: e.g. {sorted(missing)[:5]}")
        raise
    ids, retransmissions, per_story = received_report(rec)
    print(
        f"\nworker SIGKILL: {len(expected)} expected alerts, {at_kill} distinct before the kill, "
        f"{len(ids)} distinct after, {retransmissions} retransmissions of an alert id"
    )
    assert ids == set(expected)
    assert all(len(v) == 1 for v in per_story.values())


@pytest.mark.timeout(420)
async def test_fault__broker_sigkill_mid_stream_then_restart_loses_no_article(fault_env, worker_factory, tmp_path):
    env, rec = fault_env
    kafka = PrivateKafka(tmp_path / "svc")
    kafka.up()
    try:
        env = {**env, "NEWSMON_KAFKA_BROKER": kafka.url}
        settings = Settings.from_env(env)
        articles = reuters(3000)
        expected = expected_alert_ids(articles)
        await ready_worker(worker_factory, env)
        await send_articles(settings, articles)
        await eventually(lambda: len(rec.accepted("webhook")) >= 20, 120, "first alerts before the kill")
        kafka.kill()
        await asyncio.sleep(5)
        await asyncio.to_thread(kafka.up)
        await eventually(lambda: received_report(rec)[0] >= set(expected), 240, f"all {len(expected)} alerts")
        ids, retransmissions, per_story = received_report(rec)
        classified = await consume_all(settings, settings.topic_classified, len(articles), timeout=60)
        seen = {orjson.loads(c)["article"]["id"] for c in classified}
        want = {normalize_raw(validate_raw(a)).id for a in articles}
        print(
            f"\nbroker SIGKILL: {len(want - seen)} articles missing from the classified topic, "
            f"{len(classified) - len(seen)} classified twice, {retransmissions} alert retransmissions"
        )
        assert want <= seen
        assert ids == set(expected)
        assert all(len(v) == 1 for v in per_story.values())
    finally:
        kafka.down()


@pytest.mark.timeout(300)
async def test_fault__redis_sigkill_for_30s_delays_alerts_loses_none(fault_env, worker_factory, tmp_path):
    env, rec = fault_env
    redis = PrivateRedis(tmp_path / "svc")
    redis.up()
    try:
        env = {**env, "NEWSMON_REDIS_URL": redis.url}
        settings = Settings.from_env(env)
        articles = reuters(2000)
        expected = expected_alert_ids(articles)
        worker = await ready_worker(worker_factory, env)
        await send_articles(settings, articles[:1000])
        await eventually(lambda: len(rec.accepted("webhook")) >= 20, 120, "first alerts before the kill")
        redis.kill()
        await send_articles(settings, articles[1000:])
        down_since = time.monotonic()
        await asyncio.sleep(30)
        during = len(rec.accepted("webhook"))
        assert worker.proc is not None and worker.proc.poll() is None, "the worker must stay up without Redis"
        await asyncio.to_thread(redis.up)
        await eventually(lambda: received_report(rec)[0] >= set(expected), 180, f"all {len(expected)} alerts")
        ids, retransmissions, per_story = received_report(rec)
        print(
            f"\nRedis SIGKILL for {time.monotonic() - down_since:.0f}s: {during} alerts accepted before the "
            f"restart, {len(ids)} after, {retransmissions} retransmissions"
        )
        assert ids == set(expected)
        assert all(len(v) == 1 for v in per_story.values())
    finally:
        redis.down()


@pytest.mark.timeout(240)
@pytest.mark.parametrize("mode", ["slow", "failing"])
async def test_fault__slow_or_failing_receiver_does_not_block_the_stream(fault_env, worker_factory, mode):
    env, rec = fault_env
    if mode == "slow":
        rec.behaviour["webhook"].delay_s = 5.0
    else:
        rec.behaviour["webhook"].default = 500
    settings = Settings.from_env(env)
    articles = reuters(1000)
    expected = expected_alert_ids(articles)
    await ready_worker(worker_factory, env)
    started = time.monotonic()
    await send_articles(settings, articles)
    # Every alert is decided and published while the receiver is slow or down.
    alerts = await consume_all(settings, settings.topic_alerts, len(expected), timeout=90)
    took = time.monotonic() - started
    got = {orjson.loads(a)["alert_id"] for a in alerts}
    print(
        f"\nreceiver {mode}: {len(got)} of {len(expected)} alerts decided in {took:.1f}s; "
        f"{len(rec.accepted('webhook'))} delivered so far"
    )
    assert got == set(expected)
    assert took < 60
    assert len(rec.accepted("webhook")) < len(expected)


# ---------------------------------------------------------------------------------------------------------------


def _malformed_payloads(n: int) -> list[bytes]:
    """n payloads that the normalizer must reject, generated by hypothesis with a fixed seed."""
    json_scalar = (
        st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=20)
    )
    wrong_body = st.fixed_dictionaries(
        {"title": st.text(max_size=30)},
        optional={
            "body": json_scalar | st.lists(st.text(max_size=5), max_size=3),
            "url": st.text(max_size=20),
            "published": st.text(max_size=12),
            "v": st.integers(-3, 9),
        },
    )
    payload = st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.recursive(
            json_scalar,
            lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
            max_leaves=10,
        ).map(orjson.dumps),
        wrong_body.map(orjson.dumps),
        wrong_body.map(lambda d: orjson.dumps(d)[:-1]),
    )
    out: list[bytes] = []

    @seed(20261129)
    @hsettings(
        max_examples=n * 3, database=None, deadline=None, derandomize=False, suppress_health_check=list(HealthCheck)
    )
    @given(payload)
    def collect(p: bytes) -> None:
        if len(out) >= n:
            return
        try:
            normalize(p, max_bytes=1_000_000)
        except RecordError:
            out.append(p)

    collect()
    return out


@pytest.mark.timeout(300)
async def test_fault__10000_generated_malformed_payloads_all_dead_lettered(fault_env, worker_factory):
    env, rec = fault_env
    settings = Settings.from_env(env)
    payloads = _malformed_payloads(10_000)
    assert len(payloads) == 10_000
    worker = await ready_worker(worker_factory, env)
    await produce(settings.kafka_broker, settings.topic_raw, payloads)
    dead = [DeadLetter.decode(d) for d in await consume_all(settings, settings.topic_deadletter, 10_000, timeout=180)]
    reasons = Counter(d.reason for d in dead)
    print(f"\nmalformed payloads: {len(dead)} dead letters, reasons {dict(reasons)}")
    assert len(dead) == 10_000
    assert all(d.reason and d.stage == "normalize" for d in dead)
    assert worker.proc is not None and worker.proc.poll() is None
    assert rec.accepted("webhook") == []
