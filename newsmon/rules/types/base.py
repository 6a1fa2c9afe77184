"""What a rule type is: its options (schema), its matcher and its trigger.

A rule type is one module in :mod:`newsmon.rules.types` that defines
``RULE_TYPE``, an instance of a :class:`RuleType` subclass. The alert chain
asks the rule's type whether an article matches, and for types that count
across articles what to count (:class:`CountWindow`, :class:`CountPairs`)
and whether the counts fire. The counting itself is the alerting layer's
(Redis scripts, batched), so the types stay plain Python without I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from newsmon.rules.conditions import Reason, evaluate
from newsmon.rules.rule import Rule
from newsmon.streams.records import ClassifiedArticle


@dataclass(slots=True)
class Trigger:
    """The result of counting one article for a rule that counts."""

    fired: bool
    outcome: str  # why it did not fire: "pending_threshold", "late", "seen_before"
    key: str = ""  # the dedup unit inside the rule when it fired
    members: list[dict[str, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CountWindow:
    """Count the rule's matches by ingest time: ``(t - window, t]`` and, with a baseline, the span before it."""

    window_s: float
    baseline_s: float | None = None  # the whole span counted, current window included; None: no baseline


@dataclass(frozen=True, slots=True)
class CountPairs:
    """Record ``pairs`` as seen at ``t``; the answer is the sorted pairs the rule had not seen within ``lookback_s``."""

    pairs: tuple[str, ...]
    lookback_s: float


#: What a rule type asks the shared state to count for one article.
Counting = CountWindow | CountPairs


@dataclass(slots=True)
class WindowCount:
    """The answer to :class:`CountWindow`."""

    current: int  # in (t - window, t]
    baseline: int  # in (t - baseline window, t - window]; 0 without a baseline window
    members: list[dict[str, Any]]  # the articles in the current window (bounded)
    late: bool  # this article is late: listed, never counted


class RuleType:
    """One rule type. Subclasses set ``name`` and override what differs from a plain match."""

    name: ClassVar[str]
    #: Rule-file fields this type accepts besides the common ones (id, when, channels...).
    fields: ClassVar[tuple[str, ...]] = ()
    #: True: every match is an alert candidate keyed on its story, nothing is counted.
    #: False: :meth:`count` and :meth:`decide` say when it fires and name the dedup key.
    keyed_by_story: ClassVar[bool] = False

    def parse_options(self, spec: Mapping[str, Any], source: str, rid: str) -> dict[str, Any]:
        """Validate this type's fields of a rule spec into ``Rule.options`` (raise RuleError)."""
        return {}

    def match(self, rule: Rule, item: ClassifiedArticle) -> list[Reason] | None:
        """Reasons when the rule matches the article, else None: its conditions by default."""
        return evaluate(rule.when, item)

    def count(self, rule: Rule, item: ClassifiedArticle, t: float) -> Counting | Trigger:
        """What to count for a matching article ingested at ``t`` (or the outcome, when there is nothing to count).

        Called only when ``keyed_by_story`` is False. The alerting layer runs
        the count in Redis (idempotent per article, so safe to repeat) and
        hands the answer to :meth:`decide`.
        """
        raise NotImplementedError(f"rule type {self.name!r} counts nothing")

    def decide(self, rule: Rule, item: ClassifiedArticle, t: float, counted: Any) -> Trigger:
        """Whether the rule fires, from the answer to :meth:`count` (a :class:`WindowCount` or the new pairs)."""
        raise NotImplementedError(f"rule type {self.name!r} counts nothing")

    def title(self, rule: Rule, trigger: Trigger) -> str:
        """The alert title when :meth:`decide` fired."""
        return rule.name


def member_of(item: ClassifiedArticle, *, late: bool = False) -> dict[str, Any]:
    """How one article is listed in an alert of a counting rule or in a digest."""
    a = item.article
    return {
        "article_id": a.id,
        "story_id": a.story_id,
        "title": a.title[:300],
        "url": a.url,
        "source": a.source,
        "ingested_at": a.ingested_at,
        "published_at": a.published_at,
        "late": late,
    }


def fmt_seconds(s: float) -> str:
    """A duration as a rule file would write it (``5400`` is ``90m``, ``3600`` is ``1h``)."""
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= n and s % n == 0:
            return f"{int(s // n)}{unit}"
    return f"{s:g}s"


def window_trigger(count: WindowCount, fired: bool, detail: dict[str, Any], t: float, window_s: float) -> Trigger:
    """The outcome of a windowed count: late, pending, or fired once per window bucket ``floor(t / window)``."""
    if count.late:
        # A late article never triggers, even if older ones already fill the window.
        return Trigger(False, "late", detail=detail)
    if not fired:
        return Trigger(False, "pending_threshold", detail=detail)
    bucket = math.floor(t / window_s)
    return Trigger(True, "", key=f"window:{bucket}", members=count.members, detail=detail | {"bucket": bucket})
