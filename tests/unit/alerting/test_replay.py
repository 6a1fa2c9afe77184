"""Pure parts of replays: the dedup value and how a decision takes its original outcome from it."""

from __future__ import annotations

from newsmon.alerting.keys import Keys
from newsmon.alerting.policy import alert_id_for, build_alert
from newsmon.alerting.stages import AlertChain, Decision, replay
from newsmon.alerting.store import DedupValue, dedup_value, parse_dedup_value
from newsmon.rules.matcher import RuleMatch
from newsmon.rules.model import build_ruleset, load_rules_text

from ..factories import classified

RULES = """rules:
  - id: me
    when: {regions: [middle-east]}
    channels: [webhook]
"""


def decision(article_id: str = "a_1", story: str = "s1") -> Decision:
    (rule,) = build_ruleset(load_rules_text(RULES, "t.yaml")).rules
    item = classified(regions=("middle-east",), article_id=article_id, story_id=story)
    alert = build_alert(RuleMatch(rule, []), item, now=100.0)
    keys = Keys("t", 4)
    return Decision(rule, item, [], 100.0, alert, story, keys.shard_of(story))


def test_dedup_value__round_trip_keeps_an_article_id_with_separators():
    raw = dedup_value("al_1", "created", "a|b|c").encode()
    assert parse_dedup_value(raw) == DedupValue("al_1", "created", "a|b|c")
    assert parse_dedup_value(raw.decode()) == DedupValue("al_1", "created", "a|b|c")


def test_dedup_value__absent_or_older_bare_alert_id_parses_to_none():
    assert parse_dedup_value(None) is None
    assert parse_dedup_value(b"al_0123456789abcdef01234567") is None
    assert parse_dedup_value("al_1|created") is None


def test_replay__same_article_gets_created_again_and_is_marked():
    d = decision()
    assert replay(d, dedup_value(d.alert.alert_id, "created", "a_1")) == "created"
    assert d.detail["replay"] == 1 and d.alert.kind == "alert"


def test_replay__other_article_of_the_story_is_duplicate():
    d = decision(article_id="a_2")
    assert replay(d, dedup_value(d.alert.alert_id, "created", "a_1")) == "duplicate"
    assert "replay" not in d.detail


def test_replay__bare_value_of_the_old_format_is_duplicate_even_for_the_same_article():
    d = decision()
    assert replay(d, d.alert.alert_id.encode()) == "duplicate"


def test_replay__value_for_another_alert_id_is_duplicate():
    # AlertStore.create may have keyed the story with an alert id the chain would not use.
    d = decision()
    assert replay(d, dedup_value("al_other", "created", "a_1")) == "duplicate"


def test_replay__unknown_outcome_word_is_duplicate():
    d = decision()
    assert replay(d, dedup_value(d.alert.alert_id, "exploded", "a_1")) == "duplicate"


def test_replay__updated_restores_the_update_kind():
    d = decision()
    assert replay(d, dedup_value(d.alert.alert_id, "updated", "a_1")) == "updated"
    assert d.alert.kind == "update"


def test_replay__digest_opener_gets_its_digest_and_opened_event_without_due():
    d = decision()
    digest = alert_id_for("me", "digest::42")
    assert replay(d, dedup_value(digest, "opened", "a_1")) == "grouped"
    assert d.alert.digest_id == digest and d.detail["digest_opened"] is True
    d.outcome = "grouped"
    events = AlertChain._events(d)
    assert [(e, i) for e, i, _ in events] == [("digest_opened", digest), ("grouped", d.alert.alert_id)]
    assert "due" not in events[0][2] and events[0][2]["replay"] == 1 and events[1][2]["replay"] == 1


def test_replay__member_that_joined_is_grouped_without_opening():
    d = decision()
    digest = alert_id_for("me", "digest::42")
    assert replay(d, dedup_value(digest, "grouped", "a_1")) == "grouped"
    assert d.detail["digest_opened"] is False
