"""The alert chain against the real Redis: rule types, dedup, silences, realert, digests.

Time is passed in (``now`` and the articles' ingest times), so windows,
silences and cooldowns are exact; digests that the dispatcher delivers use
the real clock because the outbox is scheduled in real time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from newsmon.alerting.delivery import Dispatcher, RetryPolicy
from newsmon.alerting.silences import parse_silence
from newsmon.channels.slack import SlackChannel
from newsmon.channels.webhook import WebhookChannel
from newsmon.config import Settings
from newsmon.rules.model import RuleSet, build_ruleset, load_rules_text
from newsmon.runtime import Runtime
from newsmon.streams.records import (
    Article,
    Classification,
    ClassifiedArticle,
    Evidence,
    PlaceTag,
    RegionTag,
    TopicTag,
)

from .conftest import SECRET, eventually

HOUR = 3600.0
# A bucket boundary, so "within the same window bucket" is easy to reason about.
T0 = float((1_700_000_000 // 86400) * 86400)


def ruleset(yaml_rules: str) -> RuleSet:
    return build_ruleset(load_rules_text("rules:\n" + yaml_rules, "test.yaml"))


def article(
    n: int | str,
    *,
    t: float = T0,
    story: str = "",
    published: float | None = None,
    regions: tuple[str, ...] = ("middle-east",),
    topics: tuple[tuple[str, str | None], ...] = (("medtop:16000000", None),),
    country: str = "IQ",
) -> ClassifiedArticle:
    title = f"Clashes in Baghdad {n}"
    ev = [Evidence("title", 11, 18, "Baghdad")]
    art = Article(
        id=f"a{n}", title=title, body="Iraqi forces clashed with militants.", url=f"https://example.com/{n}",
        source="wire", published_at=published, ingested_at=t, story_id=story,
    )  # fmt: skip
    cls = Classification(
        language="en",
        places=[PlaceTag(country, country, "focus", 0.9, ev)],
        regions=[RegionTag(r, r, 0.9, ev) for r in regions],
        topics=[TopicTag(code, code, 0.9, ev, parent) for code, parent in topics],
    )
    return ClassifiedArticle(art, cls)


@pytest_asyncio.fixture
async def make_rt(settings: Settings, redis) -> AsyncIterator[Callable[[RuleSet], Runtime]]:
    made: list[Runtime] = []

    def make(rules: RuleSet) -> Runtime:
        rt = Runtime(settings, None, rules, {})  # type: ignore[arg-type]
        made.append(rt)
        return rt

    yield make
    for rt in made:
        await rt.redis.aclose()


async def outcomes(rt: Runtime, item: ClassifiedArticle, now: float) -> list[str]:
    return [d.outcome for d in (await rt.decide_many([item], now=now))[0]]


ANY = """
  - id: me
    when: {regions: [middle-east]}
    channels: [webhook]
"""


async def test_dedup__second_alert_suppressed_across_restart(make_rt):
    rt = make_rt(ruleset(ANY))
    assert await outcomes(rt, article(1), T0) == ["created"]
    # A second runtime (own Redis connection) stands for the restarted worker;
    # another article of the story is suppressed (the same article would be a
    # replay: test_alerting_replay).
    restarted = make_rt(ruleset(ANY))
    assert await outcomes(restarted, article(11, story="a1"), T0 + 60) == ["duplicate"]
    assert await outcomes(restarted, article(2), T0 + 60) == ["created"]


async def test_dedup__two_workers_racing_on_one_story_create_one_alert(make_rt):
    workers = [make_rt(ruleset(ANY)) for _ in range(4)]
    results = await asyncio.gather(
        *(outcomes(w, article(f"{i}-{k}", story="s1"), T0) for i, w in enumerate(workers) for k in range(5))
    )
    flat = [o for r in results for o in r]
    assert flat.count("created") == 1 and flat.count("duplicate") == 19
    assert await workers[0].store.pending("webhook") == 1


async def test_decide_many__batch_gives_the_outcomes_of_one_at_a_time(make_rt):
    rt = make_rt(ruleset(ANY))
    now = time.time()
    assert [d.outcome for d in (await rt.decide_many([article(1, t=now)], now=now))[0]] == ["created"]
    older = parse_silence({"matchers": {"country": "sy"}, "duration": "1h", "author": "a", "comment": "c"}, now - 2)
    s = parse_silence(
        {"matchers": {"rule": "me", "country": "sy"}, "duration": "1h", "author": "b", "comment": "c"}, now - 1
    )
    await rt.silences.add(s)
    await rt.silences.add(older)  # hash order is not age order; the newest matching silence is named
    batch = [
        article(11, t=now, story="a1"), article(4, t=now), article(5, t=now, story="a4"),
        article(6, t=now, country="SY"),
    ]  # fmt: skip
    got = [[d.outcome for d in ds] for ds in await rt.decide_many(batch)]
    # Story a1 alerted before the batch (pre-check); a4 and a5 are one story decided
    # concurrently (the send script lets one win); a6 is muted by the silence.
    assert got[0] == ["duplicate"]
    assert sorted(got[1] + got[2]) == ["created", "duplicate"]
    assert (
        got[3] == ["silenced"]
        and (await rt.decide_many([article(7, t=now, country="SY")]))[0][0].alert.silence_id == s.id
    )
    assert await rt.store.pending("webhook") == 2
    # The batch path writes the history of a chunk in one round trip: all of it.
    events = sorted(e["event"] for a in await rt.store.recent(20) for e in a["events"])
    assert events == ["created", "created", "silenced", "silenced"]


async def test_decide_many__chunks_in_flight_never_exhaust_the_redis_pool(make_rt, caplog):
    # The pipeline keeps a batch's chunks in flight together; 12 x 100 matches
    # once asked for more connections than redis-py's pool holds (100), and
    # each refusal cost a 0.2 s retry pause.
    rt = make_rt(ruleset(ANY))
    now = time.time()
    chunks = [[article(f"{c}-{n}", t=now) for n in range(100)] for c in range(12)]
    with caplog.at_level("WARNING", logger="newsmon.runtime"):
        results = await asyncio.gather(*(rt.decide_many(chunk) for chunk in chunks))
    assert [d.outcome for r in results for ds in r for d in ds] == ["created"] * 1200
    assert not [r for r in caplog.records if "Too many connections" in r.getMessage()]


async def test_notify_on_update__new_article_of_alerted_story_notifies_again(make_rt):
    rt = make_rt(ruleset(ANY + "    notify_on_update: true\n"))
    assert await outcomes(rt, article(1, story="s1"), T0) == ["created"]
    (d,) = (await rt.decide_many([article(2, story="s1")], now=T0 + 1))[0]
    assert d.outcome == "updated" and d.alert.kind == "update"
    # The same article again is a replay of its update, not a third alert.
    (again,) = (await rt.decide_many([article(2, story="s1")], now=T0 + 2))[0]
    assert again.outcome == "updated" and again.alert.kind == "update" and again.alert.alert_id == d.alert.alert_id
    assert await rt.store.pending("webhook") == 2
    off = make_rt(ruleset(ANY.replace("id: me", "id: me-off")))
    assert await outcomes(off, article(1, story="s2"), T0) == ["created"]
    assert await outcomes(off, article(2, story="s2"), T0) == ["duplicate"]


FREQUENCY = """
  - id: freq
    type: frequency
    threshold: 3
    window: 1h
    when: {regions: [middle-east]}
    channels: [webhook]
"""


async def test_frequency__fires_at_the_nth_match_within_the_window(make_rt):
    rt = make_rt(ruleset(FREQUENCY))
    assert await outcomes(rt, article(1, t=T0 + 60), T0 + 60) == ["pending_threshold"]
    assert await outcomes(rt, article(2, t=T0 + 600), T0 + 600) == ["pending_threshold"]
    (d,) = (await rt.decide_many([article(3, t=T0 + 1200)], now=T0 + 1200))[0]
    assert d.outcome == "created" and d.alert.kind == "frequency"
    assert [m["article_id"] for m in d.alert.members] == ["a1", "a2", "a3"]
    # The same window bucket has alerted: a fourth match is a duplicate.
    assert await outcomes(rt, article(4, t=T0 + 1800), T0 + 1800) == ["duplicate"]
    # A redelivered article is not counted twice.
    assert d.detail["count"] == 3


async def test_frequency__matches_spread_wider_than_the_window_never_fire(make_rt):
    rt = make_rt(ruleset(FREQUENCY))
    for i in range(5):
        t = T0 + i * 2000.0  # 3 matches never fall inside one hour
        assert await outcomes(rt, article(i, t=t), t) == ["pending_threshold"]
    # Redelivery of one article does not count twice either.
    assert await outcomes(rt, article(4, t=T0 + 8000), T0 + 8000) == ["pending_threshold"]


async def test_frequency__late_articles_do_not_count(make_rt):
    rt = make_rt(ruleset(FREQUENCY))
    late = T0 - 3 * 86400  # published three days before ingest (default late age 48 h)
    assert await outcomes(rt, article(1, t=T0 + 10), T0 + 10) == ["pending_threshold"]
    assert await outcomes(rt, article(2, t=T0 + 20, published=late), T0 + 20) == ["late"]
    assert await outcomes(rt, article(3, t=T0 + 30, published=T0), T0 + 30) == ["pending_threshold"]
    (d,) = (await rt.decide_many([article(4, t=T0 + 40)], now=T0 + 40))[0]
    assert d.outcome == "created"
    assert [m["article_id"] for m in d.alert.members] == ["a1", "a3", "a4"]


SPIKE = """
  - id: spike
    type: spike
    window: 1h
    baseline_window: 24h
    ratio: 3
    min_count: 3
    when: {regions: [middle-east]}
    channels: [webhook]
"""


async def feed_baseline(rt: Runtime, per_hour: int, end: float) -> None:
    # Baseline (end - 24h, end - 1h]: 23 hours at a steady rate.
    n = 0
    for h in range(23):
        for k in range(per_hour):
            t = end - HOUR - h * HOUR - k * 60 - 1800
            assert await outcomes(rt, article(f"b{n}", t=t), t) == ["pending_threshold"]
            n += 1


async def test_spike__fires_when_current_window_exceeds_ratio_times_baseline(make_rt):
    rt = make_rt(ruleset(SPIKE))
    end = T0 + 30 * HOUR
    await feed_baseline(rt, 1, end)  # one per hour: a spike needs 3 in the current hour
    assert await outcomes(rt, article("c1", t=end - 1000), end - 1000) == ["pending_threshold"]
    assert await outcomes(rt, article("c2", t=end - 500), end - 500) == ["pending_threshold"]
    (d,) = (await rt.decide_many([article("c3", t=end - 10)], now=end - 10))[0]
    assert d.outcome == "created" and d.alert.kind == "spike"
    assert d.detail["count"] == 3 and d.detail["baseline"] == 23


async def test_spike__same_count_against_a_busier_baseline_does_not_fire(make_rt):
    rt = make_rt(ruleset(SPIKE.replace("id: spike", "id: spike-busy")))
    end = T0 + 30 * HOUR
    await feed_baseline(rt, 2, end)  # two per hour: 3 in the current hour is no spike (needs 6)
    for i, dt in enumerate((1000, 500, 10)):
        assert await outcomes(rt, article(f"c{i}", t=end - dt), end - dt) == ["pending_threshold"]


FIRST_SEEN = """
  - id: fs
    type: first_seen
    lookback: 7d
    when: {regions: [middle-east, levant]}
    channels: [webhook]
"""


async def test_first_seen__pair_alerts_once_then_again_after_lookback(make_rt):
    rt = make_rt(ruleset(FIRST_SEEN))
    first = article(1, t=T0, topics=(("medtop:16009000", "medtop:16000000"),))
    (d,) = (await rt.decide_many([first], now=T0))[0]
    assert d.outcome == "created" and d.alert.kind == "first_seen"
    assert d.detail["new_pairs"] == ["middle-east|medtop:16000000"]
    # A redelivery of the first article fires the same alert again (a replay), never lost.
    assert await outcomes(rt, first, T0 + 1) == ["created"]
    # The same pair a day later: seen; the first article's redelivery is still its replay.
    assert await outcomes(rt, article(2, t=T0 + 86400), T0 + 86400) == ["seen_before"]
    assert await outcomes(rt, first, T0 + 86401) == ["created"]
    assert await rt.store.pending("webhook") == 1
    # A new region for the same topic is a new pair.
    (d,) = (await rt.decide_many([article(3, t=T0 + 86400, regions=("levant",))], now=T0 + 86400))[0]
    assert d.outcome == "created" and d.detail["new_pairs"] == ["levant|medtop:16000000"]
    # Not seen for more than 7 days (last seen at T0 + 1 day): new again.
    later = T0 + 86400 + 7 * 86400 + 60
    assert await outcomes(rt, article(4, t=later), later) == ["created"]


async def test_silence__mutes_matching_alerts_then_expires(make_rt):
    rt = make_rt(ruleset(ANY))
    s = parse_silence(
        {"matchers": {"region": "middle-east"}, "until": T0 + 100, "author": "ops", "comment": "known event"}, T0
    )
    await rt.silences.add(s)
    (d,) = (await rt.decide_many([article(1)], now=T0 + 50))[0]
    assert d.outcome == "silenced" and d.alert.silence_id == s.id and d.publish is d.alert
    assert await rt.store.pending("webhook") == 0
    # After the silence ends the same story alerts.
    assert await outcomes(rt, article(1), T0 + 150) == ["created"]
    events = [e["event"] for a in await rt.store.recent(10) for e in a["events"]]
    assert "silenced" in events and "created" in events
    # A silence on another country does not mute; an expired one neither.
    other = parse_silence({"matchers": {"country": "sy"}, "duration": "1h", "author": "a", "comment": "c"}, T0)
    await rt.silences.add(other)
    assert await outcomes(rt, article(2), T0 + 200) == ["created"]
    s3 = parse_silence({"matchers": {"rule": "me"}, "duration": "1h", "author": "a", "comment": "c"}, T0)
    await rt.silences.add(s3)
    assert await outcomes(rt, article(3), T0 + 210) == ["silenced"]
    expired = await rt.silences.expire(s3.id, T0 + 220)
    assert expired is not None and expired.until == T0 + 220
    assert [x.id for x in await rt.silences.active(T0 + 230)] == [other.id]
    assert await outcomes(rt, article(3), T0 + 230) == ["created"]


async def test_realert__cooldown_per_rule_and_group(make_rt):
    rt = make_rt(ruleset(ANY + "    realert: 10m\n    group_by: country\n"))
    assert await outcomes(rt, article(1), T0) == ["created"]
    assert await outcomes(rt, article(2), T0 + 60) == ["throttled"]
    assert await outcomes(rt, article(3, country="SY"), T0 + 60) == ["created"]  # another group
    assert await outcomes(rt, article(4), T0 + 601) == ["created"]
    # The alert that opened the cooldown, redelivered: its replay, not throttled;
    # another article of its story is a duplicate.
    assert await outcomes(rt, article(1), T0 + 602) == ["created"]
    assert await outcomes(rt, article(11, story="a1"), T0 + 602) == ["duplicate"]


@pytest.mark.timeout(60)
async def test_digest__groups_n_matches_into_one_message(make_rt, receiver):
    rec, base = receiver
    rt = make_rt(ruleset(ANY.replace("[webhook]", "[webhook, slack]") + "    group_window: 2s\n"))
    now = time.time()
    # Stay inside one 2-second window bucket.
    start = (int(now / 2) + 1) * 2.0
    await asyncio.sleep(start - now)
    results = [await outcomes(rt, article(i), start + 0.1 * i) for i in range(4)]
    assert results == [["grouped"]] * 4
    # A redelivered member is its replay; another article of its story a duplicate.
    assert await outcomes(rt, article(0), start + 0.5) == ["grouped"]
    assert await outcomes(rt, article(10, story="a0"), start + 0.5) == ["duplicate"]
    hook = WebhookChannel("webhook", url=f"{base}/webhook", secret=SECRET)
    slack = SlackChannel("slack", url=f"{base}/slack", rate_per_s=None)
    d = Dispatcher(rt.store, {"webhook": hook, "slack": slack}, RetryPolicy(base_s=0.1, timeout_s=2), poll_s=0.05)
    task = asyncio.create_task(d.run())
    try:
        await eventually(
            lambda: len(rec.accepted("webhook")) >= 1 and len(rec.accepted("slack")) >= 1, 15, "the digest"
        )
        await asyncio.sleep(0.5)  # nothing else may follow
    finally:
        d.stop()
        await task
        await hook.aclose()
        await slack.aclose()
    (msg,) = rec.accepted("webhook")
    assert msg.body["type"] == "newsmon.digest" and msg.body["count"] == 4
    assert [m["article_id"] for m in msg.body["members"]] == ["a0", "a1", "a2", "a3"]
    assert msg.signature_ok and msg.at >= start + 2.0
    (sl,) = rec.accepted("slack")
    assert "4 matches" in sl.body["text"]
    events = {e["event"] for a in await rt.store.recent(20) for e in a["events"]}
    assert {"digest_opened", "grouped", "delivered"} <= events


async def test_toy_rule_type__one_class_runs_through_the_chain_on_redis(make_rt):
    # The rule type of tests/unit/rules/test_rule_types.py: registered, nothing else changed.
    from newsmon.rules import types as rule_types

    from ..unit.rules.test_rule_types import EveryNth

    rule_types.register(EveryNth())
    try:
        rt = make_rt(ruleset("  - id: nth\n    type: every_nth\n    every: 2\n    when: {regions: [middle-east]}\n"
                             "    channels: [webhook]\n"))  # fmt: skip
        got = [(await rt.decide_many([article(n, t=T0 + n)], now=T0 + n))[0] for n in range(1, 5)]
    finally:
        rule_types.unregister("every_nth")
    assert [[d.outcome for d in ds] for ds in got] == [["pending_threshold"], ["created"]] * 2
    fired = [ds[0].alert for ds in got[1::2]]
    assert [a.title for a in fired] == ["nth: article number 2", "nth: article number 4"]
    assert [a.kind for a in fired] == ["every_nth"] * 2 and [len(a.members) for a in fired] == [2, 4]
    assert await rt.store.pending("webhook") == 2
