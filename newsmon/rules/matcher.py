"""Evaluate watch rules against a classified article, keeping the evidence.

Pure functions, called by the match agent for every classified article and by
``newsmon rules test`` for dry runs. A match carries the reasons: which
condition held and the text spans (field and offsets) that made it hold, so an
alert can show why it fired.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsmon.rules.model import Leaf, Node, Rule, RuleSet
from newsmon.streams.records import ClassifiedArticle, Evidence

Reason = dict[str, Any]


@dataclass(slots=True)
class RuleMatch:
    rule: Rule
    reasons: list[Reason]


def _ev(kind: str, tag: str, evidence: list[Evidence], limit: int = 3) -> list[Reason]:
    if not evidence:
        return [{"kind": kind, "tag": tag}]
    return [
        {"kind": kind, "tag": tag, "field": e.field, "start": e.start, "end": e.end, "text": e.text}
        for e in evidence[:limit]
    ]


def _leaf(leaf: Leaf, item: ClassifiedArticle) -> list[Reason] | None:
    c = item.classification
    art = item.article
    if leaf.kind == "regions":
        out = [r for r in c.regions if r.code in leaf.values]
        return [x for r in out for x in _ev("region", r.code, r.evidence)] if out else None
    if leaf.kind == "countries":
        places = [p for p in c.places if p.country in leaf.values and (leaf.role == "any" or p.role == "focus")]
        return [x for p in places for x in _ev("country", p.country, p.evidence)] if places else None
    if leaf.kind == "topics":
        topics = [
            t for t in c.topics if t.score >= leaf.min_score and (t.code in leaf.values or (t.parent in leaf.values))
        ]
        return [x for t in topics for x in _ev("topic", t.code, t.evidence)] if topics else None
    if leaf.kind == "keywords":
        assert leaf.pattern is not None
        reasons: list[Reason] = []
        for fname, text in (("title", art.title), ("body", art.body)):
            if leaf.exclude_pattern is not None and leaf.exclude_pattern.search(text):
                return None
            for start, end in leaf.pattern.finditer(text):
                reasons.append(
                    {
                        "kind": "keyword",
                        "tag": text[start:end].lower(),
                        "field": fname,
                        "start": start,
                        "end": end,
                        "text": text[start:end],
                    }
                )
                if len(reasons) >= 5:
                    break
        return reasons or None
    if leaf.kind == "sources":
        src = (art.source or "").casefold()
        return [{"kind": "source", "tag": src}] if src and src in leaf.values else None
    if leaf.kind == "languages":
        lang = (c.language or art.language or "").lower()
        return [{"kind": "language", "tag": lang}] if lang in leaf.values else None
    raise AssertionError(f"unknown leaf kind {leaf.kind}")


def evaluate(node: Node | Leaf, item: ClassifiedArticle) -> list[Reason] | None:
    """Reasons if the condition holds (possibly empty for ``none``), else ``None``."""
    if isinstance(node, Leaf):
        return _leaf(node, item)
    if node.op == "all":
        out: list[Reason] = []
        for child in node.children:
            r = evaluate(child, item)
            if r is None:
                return None
            out.extend(r)
        return out
    if node.op == "any":
        out = []
        hit = False
        for child in node.children:
            r = evaluate(child, item)
            if r is not None:
                hit = True
                out.extend(r)
        return out if hit else None
    # none
    for child in node.children:
        if evaluate(child, item) is not None:
            return None
    return []


def match_rules(ruleset: RuleSet, item: ClassifiedArticle) -> list[RuleMatch]:
    """All rules whose conditions hold for ``item``, with their reasons."""
    matches = []
    for rule in ruleset.rules:
        reasons = evaluate(rule.when, item)
        if reasons is not None:
            matches.append(RuleMatch(rule, reasons))
    return matches
