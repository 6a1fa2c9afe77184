"""``spike``: matches within ``window`` (default 1h) at least ``ratio`` (default 3) times the baseline.

``current`` counts ``(t - window, t]``; ``baseline`` counts ``(t - baseline_window,
t - window]`` (default 24h) and is scaled to one window. Fires when ``current >=
min_count`` (default 3) and ``current >= ratio * baseline`` (an empty baseline
fires at ``min_count``), at most once per window bucket, like ``frequency``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsmon.rules.rule import Rule
from newsmon.rules.schema import RuleError, number_above, parse_duration, positive_int
from newsmon.rules.types.base import CountWindow, RuleType, Trigger, WindowCount, fmt_seconds, window_trigger
from newsmon.streams.records import ClassifiedArticle


def spike_fires(current: int, baseline: int, window_s: float, baseline_s: float, ratio: float, min_count: int) -> bool:
    """Whether ``current`` matches in one window are a spike against the baseline window."""
    if current < min_count:
        return False
    per_window = baseline * window_s / (baseline_s - window_s)
    return current >= ratio * per_window


class Spike(RuleType):
    name = "spike"
    fields = ("window", "baseline_window", "ratio", "min_count")

    def parse_options(self, spec: Mapping[str, Any], source: str, rid: str) -> dict[str, Any]:
        options = {
            "window_s": parse_duration(spec.get("window", "1h"), source, rid, "window"),
            "baseline_s": parse_duration(spec.get("baseline_window", "24h"), source, rid, "baseline_window"),
            "ratio": number_above(spec, "ratio", 3.0, 1, source, rid),
            "min_count": positive_int(spec, "min_count", source, rid, default=3),
        }
        if options["baseline_s"] <= options["window_s"]:
            raise RuleError(source, rid, "baseline_window", "must be longer than window")
        return options

    def count(self, rule: Rule, item: ClassifiedArticle, t: float) -> CountWindow:
        return CountWindow(float(rule.options["window_s"]), float(rule.options["baseline_s"]))

    def decide(self, rule: Rule, item: ClassifiedArticle, t: float, counted: WindowCount) -> Trigger:
        o = rule.options
        window, span = float(o["window_s"]), float(o["baseline_s"])
        detail = {"count": counted.current, "window_s": window, "ingested_at": t, "baseline": counted.baseline}
        fired = spike_fires(counted.current, counted.baseline, window, span, float(o["ratio"]), int(o["min_count"]))
        return window_trigger(counted, fired, detail, t, window)

    def title(self, rule: Rule, trigger: Trigger) -> str:
        return f"{rule.name}: {trigger.detail['count']} articles within {fmt_seconds(trigger.detail['window_s'])}"


RULE_TYPE = Spike()
