"""Rule conditions (the ``when`` tree): their YAML form, validation, compiled nodes and evaluation.

Condition nodes:

* combinators ``all: [...]``, ``any: [...]``, ``none: [...]`` (nest freely);
* leaves ``regions``, ``countries``, ``topics``, ``keywords``, ``sources``,
  ``languages``; each is a list, or a mapping with options
  (``countries: {codes: [IQ], role: focus|any}``,
  ``topics: {codes: [medtop:16000000], min_score: 0.3}``,
  ``keywords: {terms: [...], exclude: [...]}``).

Evaluation is pure: it keeps the evidence (which condition held and the text
spans that made it hold), so an alert can show why it fired.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from newsmon.rules.keywords import KeywordPattern
from newsmon.rules.schema import RuleError, str_list
from newsmon.streams.records import ClassifiedArticle, Evidence
from newsmon.untrusted import short

LEAF_KINDS = ("regions", "countries", "topics", "keywords", "sources", "languages")
COMBINATORS = ("all", "any", "none")


@dataclass(frozen=True, slots=True)
class Leaf:
    kind: str
    values: tuple[str, ...]
    role: Literal["focus", "any"] = "focus"
    min_score: float = 0.0
    exclude: tuple[str, ...] = ()
    pattern: KeywordPattern | None = None
    exclude_pattern: KeywordPattern | None = None


@dataclass(frozen=True, slots=True)
class Node:
    op: Literal["all", "any", "none"]
    children: tuple[Node | Leaf, ...]


def _keyword_pattern(terms: Iterable[str]) -> KeywordPattern:
    return KeywordPattern(terms)


def _parse_leaf(kind: str, value: Any, source: str, rule: str, path: str) -> Leaf:
    opts: dict[str, Any] = {}
    if isinstance(value, dict):
        allowed = {
            "regions": {"codes"},
            "countries": {"codes", "role"},
            "topics": {"codes", "min_score"},
            "keywords": {"terms", "exclude"},
            "sources": {"codes"},
            "languages": {"codes"},
        }[kind]
        unknown = set(value) - allowed
        if unknown:
            raise RuleError(source, rule, f"{path}.{sorted(unknown)[0]}", f"unknown option; allowed: {sorted(allowed)}")
        key = "terms" if kind == "keywords" else "codes"
        if key not in value:
            raise RuleError(source, rule, f"{path}.{key}", "required")
        values = str_list(value[key], source, rule, f"{path}.{key}")
        opts = {k: v for k, v in value.items() if k != key}
    else:
        values = str_list(value, source, rule, path)

    if kind == "countries":
        values = tuple(v.upper() for v in values)
        for i, v in enumerate(values):
            if not re.fullmatch(r"[A-Z]{2}", v):
                raise RuleError(source, rule, f"{path}[{i}]", f"expected an ISO 3166-1 alpha-2 code, got {short(v)}")
        role = opts.get("role", "focus")
        if role not in ("focus", "any"):
            raise RuleError(source, rule, f"{path}.role", f"expected 'focus' or 'any', got {short(role)}")
        return Leaf(kind, values, role=role)
    if kind == "topics":
        for i, v in enumerate(values):
            if not re.fullmatch(r"medtop:\d{8}", v):
                msg = f"expected an IPTC code like medtop:16000000, got {short(v)}"
                raise RuleError(source, rule, f"{path}[{i}]", msg)
        ms = opts.get("min_score", 0.0)
        if not isinstance(ms, int | float) or isinstance(ms, bool) or not 0 <= ms <= 1:
            raise RuleError(source, rule, f"{path}.min_score", f"expected a number between 0 and 1, got {short(ms)}")
        return Leaf(kind, values, min_score=float(ms))
    if kind == "keywords":
        exclude = str_list(opts["exclude"], source, rule, f"{path}.exclude") if "exclude" in opts else ()
        return Leaf(
            kind,
            values,
            exclude=exclude,
            pattern=_keyword_pattern(values),
            exclude_pattern=_keyword_pattern(exclude) if exclude else None,
        )
    if kind == "regions":
        return Leaf(kind, tuple(v.lower() for v in values))
    if kind == "languages":
        return Leaf(kind, tuple(v.lower() for v in values))
    return Leaf(kind, tuple(v.casefold() for v in values))


def _parse_node(value: Any, source: str, rule: str, path: str) -> Node | Leaf:
    if not isinstance(value, dict) or len(value) != 1:
        raise RuleError(
            source, rule, path, f"expected a mapping with exactly one key of {list(COMBINATORS + LEAF_KINDS)}"
        )
    ((key, inner),) = value.items()
    if key in COMBINATORS:
        if not isinstance(inner, list) or not inner:
            raise RuleError(source, rule, f"{path}.{key}", "expected a non-empty list of conditions")
        return Node(key, tuple(_parse_node(c, source, rule, f"{path}.{key}[{i}]") for i, c in enumerate(inner)))
    if key in LEAF_KINDS:
        return _parse_leaf(key, inner, source, rule, f"{path}.{key}")
    raise RuleError(
        source, rule, f"{path}.{key}", f"unknown condition; expected one of {list(COMBINATORS + LEAF_KINDS)}"
    )


def parse_when(value: Any, source: str, rule: str) -> Node:
    if not isinstance(value, dict) or not value:
        raise RuleError(source, rule, "when", "required: a mapping of conditions")
    # A mapping with several keys is shorthand for all of them.
    children = tuple(_parse_node({k: v}, source, rule, "when") for k, v in value.items())
    if len(children) == 1 and isinstance(children[0], Node):
        return children[0]
    return Node("all", children)


# --------------------------------------------------------------------------- evaluation

Reason = dict[str, Any]


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
