"""Scale-out on the real broker: three workers share six partitions, one is killed mid-stream.

The expected alerts are computed offline by the domain code (normalize,
classify, match), so the test checks the distributed run against what a single
process says the input must raise: every expected alert arrives at the
receiver, nothing else does, and each (rule, story) has exactly one alert id
even though the killed worker's partitions are reprocessed by the survivors
and some stories are sent twice to different partitions.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from newsmon.classify import Classifier
from newsmon.config import Settings
from newsmon.ingest.normalize import normalize
from newsmon.kafka_util import bootstrap_servers, ensure_topics
from newsmon.rules.model import load_rules
from newsmon.runtime import Runtime
from newsmon.stories import MemoryStoryIndex, fingerprint
from newsmon.streams.records import ClassifiedArticle

from .conftest import eventually

PARTITIONS = 6
ARTICLES = 300
# Stories sent a second time, to another partition: two workers may race on them.
RESENT = range(0, ARTICLES, 10)

RULES = """
rules:
  - id: zebracorn
    name: Zebracorn sightings
    when: {keywords: [zebracorn]}
    channels: [webhook]
  - id: okapi
    name: Okapi sightings
    when: {keywords: [okapi]}
    channels: [webhook]
"""


# Words for the generated bodies: each article draws its own sequence, so no two
# are near-duplicates and every article is a story of its own.
VOCAB = (  # noqa: SIM905 (one string reads better than 50 quoted words)
    "harbour council budget river bridge festival museum library tram school market garden orchard "
    "railway station theatre stadium clinic bakery brewery workshop quarry meadow island lighthouse "
    "ferry canal tunnel airport vineyard forest glacier valley summit harvest parade concert lecture "
    "exhibition tournament election survey archive mural fountain square avenue district village"
).split()


def article(i: int) -> bytes:
    """Article ``i``: every third mentions a zebracorn, every fifth an okapi (every fifteenth both)."""
    rng = random.Random(i)
    words = [f"Zoo bulletin number {i}:", *rng.sample(VOCAB, 24)]
    if i % 3 == 0:
        words.append("Visitors reported a zebracorn near the pond.")
    if i % 5 == 0:
        words.append("An okapi was born overnight.")
    return orjson.dumps(
        {
            "title": f"Zoo bulletin {i}",
            "body": " ".join(words),
            "url": f"https://zoo.example/bulletins/{i}",
            "source": "scale-out-test",
        }
    )


def expected_alerts(payloads: list[bytes], rules_dir: Path, max_bytes: int) -> dict[str, tuple[str, str]]:
    """alert id -> (rule id, story id), from the domain code alone (no Kafka, no Redis)."""
    clf = Classifier.load()
    rt = Runtime.__new__(Runtime)
    rt.rules = load_rules([rules_dir])
    stories = MemoryStoryIndex()
    out: dict[str, tuple[str, str]] = {}
    for p in payloads:
        a = normalize(p, max_bytes=max_bytes)
        res = stories.assign(fingerprint(a.id, a.body, source=a.source, url=a.url))
        assert res.new_story, f"generated article {a.title!r} joined story {res.story_id}: make the bodies differ"
        a.story_id = res.story_id
        ca = ClassifiedArticle(a, clf.classify(a.title, a.body, language=a.language))
        for alert in Runtime.match(rt, ca):
            out[alert.alert_id] = (alert.rule_id, alert.story_id)
    return out


async def raw_assignment(settings: Settings) -> list[set[int]]:
    """Partitions of the raw topic held by each member of the worker group, as the broker sees it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(settings.kafka_broker))
    await admin.start()
    try:
        [desc] = await admin.describe_consumer_groups([settings.app_id])
        groups = desc.to_object()["groups"]
        out = []
        for member in groups[0]["members"] if groups else []:
            raw = member["member_assignment"]
            held: set[int] = set()
            if raw:
                for tp in ConsumerProtocolMemberAssignment.decode(raw).partitions():
                    if tp.topic == settings.topic_raw:
                        held.add(tp.partition)
            out.append(held)
        return out
    finally:
        await admin.close()


async def wait_for_assignment(settings: Settings, members: int, timeout: float, what: str) -> list[set[int]]:
    """Until ``members`` members of the group together hold every raw partition, each at least one."""
    deadline = time.monotonic() + timeout
    last: list[set[int]] = []
    while time.monotonic() < deadline:
        last = await raw_assignment(settings)
        if len(last) == members and all(last) and set().union(*last) == set(range(PARTITIONS)):
            return last
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last assignment: {last})")


@pytest.mark.timeout(150)
async def test_scale_out__killed_worker_partitions_move_and_every_alert_arrives_once(
    settings_env, worker_factory, receiver, tmp_path
):
    t_start = time.monotonic()
    rec, base = receiver
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "zoo.yaml").write_text(RULES)
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "channels:\n"
        "  - {name: webhook, type: webhook, url_env: NEWSMON_WEBHOOK_URL, secret_env: NEWSMON_WEBHOOK_SECRET}\n"
    )
    env = {
        **settings_env,
        "NEWSMON_PARTITIONS": str(PARTITIONS),
        "NEWSMON_RULES_PATH": str(rules_dir),
        "NEWSMON_CHANNELS_PATH": str(channels),
        "NEWSMON_WEBHOOK_URL": f"{base}/webhook",
        "NEWSMON_DELIVERY_TIMEOUT_S": "2",
    }
    settings = Settings.from_env(env)
    payloads = [article(i) for i in range(ARTICLES)]
    expected = expected_alerts(payloads, rules_dir, settings.max_article_bytes)
    stories = {story for _, story in expected.values()}
    # 100 zebracorn + 60 okapi alerts on 140 stories (20 have both): the rules must really hold.
    assert len(expected) == 160 and len(stories) == 140

    await ensure_topics(settings, [settings.topic_raw, settings.topic_classified])
    workers = [worker_factory({**env, "NEWSMON_DATA_DIR": str(tmp_path / f"data-{n}")}) for n in range(3)]
    await asyncio.gather(*(w.wait_ready(timeout=90) for w in workers))
    before = await wait_for_assignment(settings, 3, 30, "three workers sharing the partitions")

    prod = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(settings.kafka_broker), acks="all")
    await prod.start()
    try:
        half = ARTICLES // 2

        async def send(indices: range | list[int], shift: int = 0) -> None:
            # Explicit partitions: every partition carries records before and after the kill.
            await asyncio.gather(
                *[
                    prod.send_and_wait(settings.topic_raw, payloads[i], partition=(i + shift) % PARTITIONS)
                    for i in indices
                ]
            )

        await send(range(half))
        await eventually(lambda: len(rec.accepted("webhook")) >= 10, 45, "first alerts before the kill")
        workers[0].kill()  # SIGKILL: no leave-group, no commit, leases held until they expire
        t_kill = time.monotonic()
        await send(range(half, ARTICLES))
        await send(list(RESENT), shift=1)
    finally:
        await prod.stop()

    # The group notices the dead member after the session timeout and hands its partitions on.
    after = await wait_for_assignment(settings, 2, 40, "the two survivors to take over every partition")

    def received_ids() -> set[str]:
        return {r.headers["webhook-id"] for r in rec.accepted("webhook")}

    await eventually(lambda: received_ids() >= set(expected), 75, f"all {len(expected)} expected alerts")
    t_all = time.monotonic()
    await asyncio.sleep(1.0)  # anything extra would show up now

    got = rec.accepted("webhook")
    assert received_ids() == set(expected), f"unexpected alert ids: {sorted(received_ids() - set(expected))[:5]}"
    by_rule_story: dict[tuple[str, str], set[str]] = {}
    for r in got:
        assert r.signature_ok
        rule_id, story = r.body["rule"]["id"], r.body["story_id"]
        assert expected[r.headers["webhook-id"]] == (rule_id, story)
        by_rule_story.setdefault((rule_id, story), set()).add(r.headers["webhook-id"])
    assert all(len(ids) == 1 for ids in by_rule_story.values())
    assert len(by_rule_story) == len(expected)
    for w in workers[1:]:
        assert w.proc is not None and w.proc.poll() is None, w.log()[-2000:]
    print(
        f"scale-out: assignment {sorted(map(sorted, before))} -> {sorted(map(sorted, after))}; "
        f" {len(expected)} alerts, {len(got)} deliveries "
        f"({len(got) - len(expected)} redelivered), all arrived {t_all - t_kill:.1f}s after the kill, "
        f"test {time.monotonic() - t_start:.1f}s"
    )
