"""The rule-type registry: a new rule type is one class, shown with a toy type defined here.

The toy type ``every_nth`` declares a field of its own (``every``), a matcher
(its conditions, and only titles that end in a digit) and a trigger (it asks
for its matches to be counted in a one-hour window and fires on every n-th).
Registering it is the only step: rule files, matching and the alert chain's
trigger stage pick it up (tests/integration/test_alerting_chain.py runs it
through the chain on Redis).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from newsmon.alerting.keys import Keys
from newsmon.alerting.policy import build_alert
from newsmon.alerting.stages import Decision, TriggerStage
from newsmon.rules import types as rule_types
from newsmon.rules.conditions import Reason, evaluate
from newsmon.rules.matcher import match_rules
from newsmon.rules.model import Rule, RuleError, build_ruleset, load_rules_text
from newsmon.rules.schema import positive_int
from newsmon.rules.types import CountWindow, RuleType, Trigger, WindowCount
from newsmon.streams.records import ClassifiedArticle

from ..factories import classified


class EveryNth(RuleType):
    name = "every_nth"
    fields = ("every",)

    def parse_options(self, spec: Mapping[str, Any], source: str, rid: str) -> dict[str, Any]:
        return {"every": positive_int(spec, "every", source, rid)}

    def match(self, rule: Rule, item: ClassifiedArticle) -> list[Reason] | None:
        if not item.article.title[-1:].isdigit():
            return None
        return evaluate(rule.when, item)

    def count(self, rule: Rule, item: ClassifiedArticle, t: float) -> CountWindow:
        return CountWindow(3600.0)

    def decide(self, rule: Rule, item: ClassifiedArticle, t: float, counted: WindowCount) -> Trigger:
        detail = {"count": counted.current}
        if counted.current % rule.options["every"]:
            return Trigger(False, "pending_threshold", detail=detail)
        return Trigger(True, "", key=f"nth:{counted.current}", members=counted.members, detail=detail)

    def title(self, rule: Rule, trigger: Trigger) -> str:
        return f"{rule.name}: article number {trigger.detail['count']}"


class MemoryTriggers:
    """Stands in for alerting.triggers.Triggers: counts windows in memory, by article id."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}

    async def check(self, rule: Rule, item: ClassifiedArticle, now: float) -> Trigger:
        kind = rule_types.get(rule.type)
        t = item.article.ingested_at or now
        counting = kind.count(rule, item, t)
        assert isinstance(counting, CountWindow)
        self.seen[item.article.id] = t
        members = [{"article_id": a} for a, at in self.seen.items() if t - counting.window_s < at <= t]
        return kind.decide(rule, item, t, WindowCount(len(members), 0, members, late=False))


@pytest.fixture
def toy() -> Iterator[EveryNth]:
    kind = rule_types.register(EveryNth())
    yield kind
    rule_types.unregister(kind.name)


RULES = """
rules:
  - id: toy
    type: every_nth
    every: 2
    when: {countries: [IQ]}
    channels: [log]
"""


def test_registry__shipped_types_are_found_from_their_modules():
    assert set(rule_types.names()) == {"any", "frequency", "spike", "first_seen"}
    assert rule_types.names()[0] == "any"
    assert not rule_types.get("frequency").keyed_by_story and rule_types.get("any").keyed_by_story


def test_toy_type__unknown_until_registered():
    with pytest.raises(RuleError, match=r"rule 'toy': every: unknown field"):
        load_rules_text(RULES, "toy.yaml")
    with pytest.raises(RuleError, match=r"rule 'toy': type: expected one of \['any', .*got 'every_nth'"):
        load_rules_text(RULES.replace("    every: 2\n", ""), "toy.yaml")


@pytest.mark.usefixtures("toy")
def test_toy_type__its_field_is_validated_and_belongs_to_it_alone():
    (rule,) = load_rules_text(RULES, "toy.yaml")
    assert rule.type == "every_nth" and rule.options == {"every": 2}
    with pytest.raises(RuleError, match=r"toy.yaml: rule 'toy': every: required: a whole number >= 1, got 0"):
        load_rules_text(RULES.replace("every: 2", "every: 0"), "toy.yaml")
    plain = RULES.replace("type: every_nth", "type: any")
    with pytest.raises(RuleError, match=r"every: not an option of rule type 'any'"):
        load_rules_text(plain, "toy.yaml")


@pytest.mark.usefixtures("toy")
def test_toy_type__its_matcher_decides_which_articles_match():
    rs = build_ruleset(load_rules_text(RULES, "toy.yaml"))
    assert match_rules(rs, classified(title="Clashes near Baghdad")) == []
    (m,) = match_rules(rs, classified(title="Clashes near Baghdad 2"))
    assert m.rule.id == "toy" and m.reasons[0]["kind"] == "country"
    assert match_rules(rs, classified(title="Clashes 2", countries={"SY": "focus"})) == []


@pytest.mark.usefixtures("toy")
async def test_toy_type__the_trigger_stage_runs_its_trigger_and_title():
    rs = build_ruleset(load_rules_text(RULES, "toy.yaml"))
    stage = TriggerStage(MemoryTriggers(), Keys())  # type: ignore[arg-type]
    got = []
    for n in range(1, 5):
        item = classified(title=f"Clashes {n}", article_id=f"a{n}", story_id=f"s{n}")
        (m,) = match_rules(rs, item)
        d = Decision(m.rule, item, m.reasons, 100.0, build_alert(m, item, now=100.0), item.article.story_id, 0)
        outcome = await stage.run(d)
        got.append((outcome, d.key, d.alert.kind, d.alert.title if outcome is None else ""))
    assert got == [
        ("pending_threshold", "s1", "alert", ""),
        (None, "nth:2", "every_nth", "toy: article number 2"),
        ("pending_threshold", "s3", "alert", ""),
        (None, "nth:4", "every_nth", "toy: article number 4"),
    ]
