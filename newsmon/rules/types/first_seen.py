"""``first_seen``: a region and top-level topic seen together for the first time within ``lookback`` (default 7d).

A pair is ``"<region code>|<top-level IPTC code>"`` for every region tag and
every topic tag (a second-level topic counts as its parent) of the matching
article; a pair is new when the rule never saw it or last saw it more than
``lookback`` before this article. Keyed on the sorted new pairs and the
lookback bucket ``floor(t / lookback)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from newsmon.rules.rule import Rule
from newsmon.rules.schema import parse_duration
from newsmon.rules.types.base import CountPairs, RuleType, Trigger, member_of
from newsmon.streams.records import ClassifiedArticle


def first_seen_pairs(item: ClassifiedArticle) -> list[str]:
    """The region|topic pairs of an article (second-level topics count as their parent)."""
    c = item.classification
    tops = sorted({t.parent or t.code for t in c.topics})
    regions = sorted({r.code for r in c.regions})
    return [f"{r}|{t}" for r in regions for t in tops]


class FirstSeen(RuleType):
    name = "first_seen"
    fields = ("lookback",)

    def parse_options(self, spec: Mapping[str, Any], source: str, rid: str) -> dict[str, Any]:
        return {"lookback_s": parse_duration(spec.get("lookback", "7d"), source, rid, "lookback")}

    def count(self, rule: Rule, item: ClassifiedArticle, t: float) -> CountPairs | Trigger:
        pairs = first_seen_pairs(item)
        if not pairs:
            return Trigger(False, "seen_before", detail={"pairs": []})
        return CountPairs(tuple(pairs), float(rule.options["lookback_s"]))

    def decide(self, rule: Rule, item: ClassifiedArticle, t: float, counted: list[str]) -> Trigger:
        new = counted
        if not new:
            return Trigger(False, "seen_before", detail={"pairs": first_seen_pairs(item)})
        bucket = math.floor(t / float(rule.options["lookback_s"]))
        return Trigger(
            True, "", key=f"first_seen:{','.join(new)}:{bucket}", members=[member_of(item)], detail={"new_pairs": new}
        )

    def title(self, rule: Rule, trigger: Trigger) -> str:
        return f"{rule.name}: first seen {', '.join(trigger.detail['new_pairs'])}"


RULE_TYPE = FirstSeen()
