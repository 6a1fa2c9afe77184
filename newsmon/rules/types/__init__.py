"""The rule types, one module each: adding a rule type is writing one module here.

A module ``newsmon/rules/types/<name>.py`` defines ``RULE_TYPE``, an instance
of a :class:`~newsmon.rules.types.base.RuleType` subclass that declares the
type's rule-file fields and how they are validated (``parse_options``), when
a rule of the type matches an article (``match``) and, for a type that counts
across articles, what to count, when it fires and what its alerts are keyed
on (``count``, ``decide``, ``title``). Every module of this package except ``base`` and private ones is
loaded at import, so nothing else names the types.
"""

from __future__ import annotations

from newsmon.registry import Registry
from newsmon.rules.types.base import Counting, CountPairs, CountWindow, RuleType, Trigger, WindowCount, member_of

__all__ = [
    "CountPairs",
    "CountWindow",
    "Counting",
    "RuleType",
    "Trigger",
    "WindowCount",
    "fields",
    "get",
    "member_of",
    "names",
    "register",
    "unregister",
]

_TYPES: Registry[RuleType] = Registry("rule type", lambda kind: kind.name)


def register(rule_type: RuleType) -> RuleType:
    """Make a rule type known by its name (the modules of this package register themselves)."""
    return _TYPES.register(rule_type)


def unregister(name: str) -> None:
    """Forget a rule type (tests that register a type of their own)."""
    _TYPES.unregister(name)


def get(name: str) -> RuleType:
    """The rule type called ``name``; KeyError when there is none."""
    return _TYPES[name]


def names() -> tuple[str, ...]:
    """Names of the known rule types, ``any`` (the default) first."""
    return tuple(sorted(_TYPES, key=lambda n: (n != "any", n)))


def fields() -> tuple[str, ...]:
    """Every rule-file field some rule type accepts, in a stable order."""
    return tuple(dict.fromkeys(f for n in names() for f in _TYPES[n].fields))


_TYPES.load(__name__, "RULE_TYPE", skip=("base",))
