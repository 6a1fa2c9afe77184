"""Pure parts of the alert chain: rule-type arithmetic, silences, group keys, digest rendering."""

from __future__ import annotations

import orjson
import pytest
from slack_sdk.models.blocks import Block

from newsmon.alerting.silences import InputError, parse_silence
from newsmon.alerting.stages import group_value
from newsmon.alerting.triggers import is_late
from newsmon.channels.slack import slack_message
from newsmon.channels.webhook import webhook_body
from newsmon.rules.model import RuleError, build_ruleset, load_rules_text
from newsmon.rules.types.first_seen import first_seen_pairs
from newsmon.rules.types.spike import spike_fires
from newsmon.streams.records import Alert, Article, TopicTag

from ..factories import classified


def test_is_late__by_published_age_at_ingest():
    a = Article(id="a", title="t", body="b", published_at=1000.0, ingested_at=1000.0 + 48 * 3600 + 1)
    assert is_late(a, 48 * 3600)
    a.ingested_at = 1000.0 + 48 * 3600
    assert not is_late(a, 48 * 3600)
    assert not is_late(Article(id="a", title="t", body="b", published_at=None, ingested_at=5.0), 1)


@pytest.mark.parametrize(
    ("current", "baseline", "fires"),
    [(2, 0, False), (3, 0, True), (3, 23, True), (2, 23, False), (5, 46, False), (6, 46, True)],
)
def test_spike_fires__ratio_against_baseline_per_window_and_min_count(current, baseline, fires):
    # 1h window, 24h baseline (23 windows before the current one), ratio 3, min_count 3.
    assert spike_fires(current, baseline, 3600, 86400, 3.0, 3) is fires


def test_first_seen_pairs__region_by_top_level_topic():
    item = classified(regions=("levant", "middle-east"), topics={"medtop:16000000": 0.9})
    item.classification.topics.append(TopicTag("medtop:16009000", "x", 0.5, [], "medtop:16000000"))
    item.classification.topics.append(TopicTag("medtop:02000000", "crime", 0.5, []))
    assert first_seen_pairs(item) == [
        "levant|medtop:02000000",
        "levant|medtop:16000000",
        "middle-east|medtop:02000000",
        "middle-east|medtop:16000000",
    ]


def test_parse_silence__normalizes_and_names_bad_fields():
    s = parse_silence(
        {"matchers": {"country": "iq", "region": "Middle-East"}, "duration": "2h", "author": "a", "comment": "c"}, 100.0
    )
    assert s.matchers == {"country": "IQ", "region": "middle-east"} and s.until == 100.0 + 7200
    assert parse_silence(
        {"matchers": {"rule": "r"}, "until": "2030-01-01T00:00:00Z", "author": "a", "comment": "c"}, 1893400000.0
    ).until == pytest.approx(1893456000.0)
    with pytest.raises(InputError) as e:
        parse_silence({"matchers": {"rule": "r"}, "until": "2030-01-01T00:00:00", "author": "a", "comment": "c"}, 0)
    assert e.value.field == "until"
    with pytest.raises(InputError) as e:
        parse_silence({"matchers": {"rule": "r"}, "duration": "1h", "author": "a", "comment": "c", "x": 1}, 0)
    assert e.value.field == "x"


def test_silence_matches__all_matchers_must_hold_topics_match_parent():
    item = classified(regions=("middle-east",), countries={"IQ": "focus"})
    item.classification.topics.append(TopicTag("medtop:16009000", "x", 0.5, [], "medtop:16000000"))
    body = {"duration": "1h", "author": "a", "comment": "c"}
    assert parse_silence({**body, "matchers": {"rule": "r", "country": "IQ"}}, 0).matches("r", item)
    assert not parse_silence({**body, "matchers": {"rule": "r", "country": "SY"}}, 0).matches("r", item)
    assert not parse_silence({**body, "matchers": {"rule": "other"}}, 0).matches("r", item)
    assert parse_silence({**body, "matchers": {"topic": "medtop:16000000"}}, 0).matches("r", item)


def test_group_by__parsed_validated_and_applied():
    rs = build_ruleset(
        load_rules_text(
            "rules:\n  - id: r\n    when: {keywords: [x]}\n    channels: [log]\n    group_by: country\n", "t"
        )
    )
    assert group_value(rs.rules[0], classified(countries={"SY": "focus"})) == "SY"
    with pytest.raises(RuleError, match="group_by"):
        load_rules_text(
            "rules:\n  - id: r\n    when: {keywords: [x]}\n    channels: [log]\n    group_by: planet\n", "t"
        )


def digest(**kw) -> Alert:
    members = [
        {"article_id": f"a{i}", "title": f"Headline {i} <!channel>", "url": f"https://example.com/{i}",
         "source": "<@U123>"}
        for i in range(12)
    ]  # fmt: skip
    base = dict(
        alert_id="al_d", rule_id="r", rule_name="Rule <http://x|y>", story_id="digest::1", article_id="",
        title="Rule", url=None, source=None, countries=[], regions=[], topics=[], evidence=[], snippet="",
        channels=["webhook"], created_at=1.0, ingested_at=1.0, kind="digest", members=members,
    )  # fmt: skip
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]


def test_digest__webhook_body_lists_members_with_digest_type():
    body = webhook_body(digest())
    assert body["type"] == "newsmon.digest" and body["count"] == 12
    assert [m["article_id"] for m in body["members"]][:2] == ["a0", "a1"]
    single = webhook_body(digest(kind="alert", members=[]))
    assert single["type"] == "newsmon.alert" and "members" not in single


def test_digest__slack_message_escaped_bounded_and_valid_block_kit():
    msg = slack_message(digest())
    raw = orjson.dumps(msg).decode()
    assert "12 matches" in msg["text"]
    assert "<!" not in raw and "<@" not in raw and "<http://x" not in raw
    assert "<https://example.com/0|Headline 0 &lt;!channel&gt;>" in raw
    assert "and 2 more" in raw
    for block in msg["blocks"]:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
