"""The building blocks of rule-file validation: the error type and the field parsers.

Shared by the rule model (:mod:`newsmon.rules.model`), the conditions
(:mod:`newsmon.rules.conditions`) and every rule type
(:mod:`newsmon.rules.types`), so that all of them name file, rule and field
the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from newsmon.untrusted import clip, short

_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


class RuleError(ValueError):
    """A rule file is invalid. ``str()`` names file, rule and field."""

    def __init__(self, source: str, rule: str | None, path: str, message: str) -> None:
        where = source
        if rule:
            where += f": rule {short(rule)}"
        if path:
            # Paths hold the keys of the document: an unknown key can be any size.
            where += f": {clip(path)}"
        super().__init__(f"{where}: {message}")
        self.source, self.rule, self.path, self.message = source, rule, path, message


def parse_duration(value: Any, source: str, rule: str, path: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str):
        m = _DURATION.fullmatch(value)
        if m:
            return float(m.group(1)) * _UNIT[m.group(2)]
    raise RuleError(source, rule, path, f"expected a duration like 30s, 10m, 1h, 7d; got {short(value)}")


def str_list(value: Any, source: str, rule: str, path: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise RuleError(source, rule, path, "expected a non-empty list of strings")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise RuleError(source, rule, f"{path}[{i}]", f"expected a non-empty string, got {short(item)}")
        out.append(item.strip())
    return tuple(out)


def positive_int(spec: Mapping[str, Any], key: str, source: str, rid: str, default: int | None = None) -> int:
    value = spec.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RuleError(source, rid, key, f"required: a whole number >= 1, got {short(value)}")
    return value


def number_above(spec: Mapping[str, Any], key: str, default: float, low: float, source: str, rid: str) -> float:
    """A number greater than ``low`` (booleans are not numbers here)."""
    value = spec.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= low:
        raise RuleError(source, rid, key, f"expected a number > {low:g}, got {short(value)}")
    return float(value)
