"""Evaluate watch rules against a classified article, keeping the evidence.

Pure functions, called by the match agent for every classified article and by
``newsmon rules test`` for dry runs. Each rule's type decides whether it
matches (by default its conditions, :func:`newsmon.rules.conditions.evaluate`);
a match carries the reasons, so an alert can show why it fired.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsmon.rules import types as rule_types
from newsmon.rules.conditions import Reason, evaluate
from newsmon.rules.model import Rule, RuleSet
from newsmon.streams.records import ClassifiedArticle

__all__ = ["Reason", "RuleMatch", "evaluate", "match_rules"]


@dataclass(slots=True)
class RuleMatch:
    rule: Rule
    reasons: list[Reason]


def match_rules(ruleset: RuleSet, item: ClassifiedArticle) -> list[RuleMatch]:
    """All rules that match ``item``, with their reasons."""
    matches = []
    for rule in ruleset.rules:
        reasons = rule_types.get(rule.type).match(rule, item)
        if reasons is not None:
            matches.append(RuleMatch(rule, reasons))
    return matches
