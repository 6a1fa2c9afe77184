"""A compiled watch rule: what the rule model builds and the rule types read.

Apart from :mod:`newsmon.rules.model` (which parses rule files into it and
depends on the rule types) so that the types can name it without a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from newsmon.rules.conditions import Node


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    when: Node
    channels: tuple[str, ...]
    type: str = "any"
    severity: str = "info"
    description: str = ""
    # Rule-type options (seconds / counts); meaning depends on ``type``.
    options: Mapping[str, Any] = field(default_factory=dict)
    notify_on_update: bool = False
    realert_s: float = 0.0
    group_window_s: float = 0.0
    # What realert cooldowns and digests are kept per: "" (the whole rule),
    # "country" (first focus country), "region" (first region), "source".
    group_by: str = ""
    source: str = ""
    spec: Mapping[str, Any] = field(default_factory=dict, compare=False)
