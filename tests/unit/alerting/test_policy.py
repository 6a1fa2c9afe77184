import random

from newsmon.alerting.delivery import RateLimiter, RetryPolicy
from newsmon.alerting.keys import Keys
from newsmon.alerting.policy import alert_id_for, build_alert
from newsmon.rules.matcher import match_rules
from newsmon.rules.model import build_ruleset, load_rules_text
from newsmon.runtime import dead_letter

from ..factories import classified

RULES = build_ruleset(
    load_rules_text("rules:\n  - id: r1\n    when: {keywords: [militants]}\n    channels: [webhook, slack]\n", "t")
)


def test_alert_id__deterministic_per_rule_and_story():
    assert alert_id_for("r1", "s1") == alert_id_for("r1", "s1")
    assert alert_id_for("r1", "s1") != alert_id_for("r2", "s1")
    assert alert_id_for("r1", "s1") != alert_id_for("r1", "s2")


def test_build_alert__carries_evidence_snippet_and_routes():
    item = classified(body="Intro sentence. Iraqi security forces clashed with militants near Mosul.")
    (m,) = match_rules(RULES, item)
    a = build_alert(m, item, now=5.0)
    assert a.alert_id == alert_id_for("r1", item.article.story_id)
    assert a.channels == ["webhook", "slack"]
    assert a.countries == ["IQ"]
    assert a.evidence[0]["text"] == "militants"
    assert a.snippet.startswith("Iraqi security forces")


def test_keys__one_story_one_shard_and_hash_tags():
    k = Keys("nm", 8)
    s = k.shard_of("story-1")
    assert s == k.shard_of("story-1")
    tags = {key.split("{")[1].split("}")[0] for key in (k.dedup(s, "r", "story-1"), k.alert(s, "a"), k.outbox(s, "c"))}
    assert tags == {f"s{s}"}


def test_backoff__grows_caps_and_jitters():
    p = RetryPolicy(base_s=1, cap_s=10)
    rng = random.Random(1)
    delays = [p.backoff(n, rng) for n in range(1, 8)]
    assert 0.5 <= delays[0] <= 1.0
    assert 4.0 <= delays[3] <= 8.0
    assert all(d <= 10 for d in delays)
    assert len({round(p.backoff(3, rng), 6) for _ in range(10)}) > 1


async def test_rate_limiter__spaces_sends():
    t = [0.0]
    rl = RateLimiter(2.0, clock=lambda: t[0])
    await rl.wait()
    assert rl._next == 0.5
    t[0] = 10.0
    await rl.wait()
    assert rl._next == 10.5


def test_dead_letter__invalid_utf8_kept_exactly_and_oversized_truncated():
    dl = dead_letter(b"\xff\xfeabc", "invalid_utf8", "bad", "normalize")
    assert dl.payload_b64 is not None and __import__("base64").b64decode(dl.payload_b64) == b"\xff\xfeabc"
    big = dead_letter(b"x" * 100, "oversized", "too big", "normalize", keep_bytes=10)
    assert big.truncated and big.size == 100 and len(big.payload) == 10
