"""``frequency``: at least ``threshold`` matching articles within ``window`` (default 1h).

Fires at most once per window bucket ``floor(t / window)``; the alert lists
the articles in the window. Late articles are listed but never counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsmon.rules.rule import Rule
from newsmon.rules.schema import parse_duration, positive_int
from newsmon.rules.types.base import CountWindow, RuleType, Trigger, WindowCount, fmt_seconds, window_trigger
from newsmon.streams.records import ClassifiedArticle


class Frequency(RuleType):
    name = "frequency"
    fields = ("threshold", "window")

    def parse_options(self, spec: Mapping[str, Any], source: str, rid: str) -> dict[str, Any]:
        return {
            "threshold": positive_int(spec, "threshold", source, rid),
            "window_s": parse_duration(spec.get("window", "1h"), source, rid, "window"),
        }

    def count(self, rule: Rule, item: ClassifiedArticle, t: float) -> CountWindow:
        return CountWindow(float(rule.options["window_s"]))

    def decide(self, rule: Rule, item: ClassifiedArticle, t: float, counted: WindowCount) -> Trigger:
        window = float(rule.options["window_s"])
        detail = {"count": counted.current, "window_s": window, "ingested_at": t}
        return window_trigger(counted, counted.current >= int(rule.options["threshold"]), detail, t, window)

    def title(self, rule: Rule, trigger: Trigger) -> str:
        return f"{rule.name}: {trigger.detail['count']} articles within {fmt_seconds(trigger.detail['window_s'])}"


RULE_TYPE = Frequency()
