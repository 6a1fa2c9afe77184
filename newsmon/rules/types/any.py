"""``any`` (the default): every article that matches the conditions is an alert, one per story."""

from __future__ import annotations

from typing import ClassVar

from newsmon.rules.types.base import RuleType


class AnyMatch(RuleType):
    name = "any"
    keyed_by_story: ClassVar[bool] = True


RULE_TYPE = AnyMatch()
