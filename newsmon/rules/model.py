"""Watch rules: the rule-file format, its validation, and the compiled form.

Rules are authored as YAML files (see ``rules/*.yaml`` and docs/rules.md).
Loading validates everything up front and raises :class:`RuleError` naming
the file, the rule and the field, so a broken file never half-applies.

A rule file holds ``rules: [ ... ]``; each rule has an ``id``, a condition
tree under ``when`` (:mod:`newsmon.rules.conditions`), the ``channels`` it
routes to, and a ``type`` (:mod:`newsmon.rules.types`, one module per type,
which also declares the type's own fields).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from newsmon.rules import types as rule_types
from newsmon.rules.conditions import COMBINATORS, LEAF_KINDS, Leaf, Node, parse_when
from newsmon.rules.rule import Rule
from newsmon.rules.schema import RuleError, parse_duration, str_list
from newsmon.untrusted import YAMLLimitError, load_yaml, short

# Re-exported: what callers of the rule model have always imported from here.
__all__ = [
    "COMBINATORS",
    "GROUP_BY",
    "LEAF_KINDS",
    "Leaf",
    "Node",
    "Rule",
    "RuleError",
    "RuleSet",
    "build_ruleset",
    "load_rules",
    "load_rules_text",
    "parse_duration",
    "parse_rule",
    "rule_files",
]

GROUP_BY = ("", "country", "region", "source")
# Matched with fullmatch: "$" alone would accept a trailing newline ("okid\n").
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,79}")


# --------------------------------------------------------------------------- compiled rules


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    version: str

    @classmethod
    def empty(cls) -> RuleSet:
        return cls((), "empty")

    def to_payload(self) -> bytes:
        """The form published on the rules topic: source specs, re-validated by readers."""
        return orjson.dumps(
            {"v": 1, "version": self.version, "rules": [dict(r.spec) | {"_source": r.source} for r in self.rules]}
        )

    @classmethod
    def from_payload(cls, data: bytes) -> RuleSet:
        obj = orjson.loads(data)
        rules = []
        for spec in obj["rules"]:
            spec = dict(spec)
            source = spec.pop("_source", "rules-topic")
            rules.append(parse_rule(spec, source))
        return build_ruleset(rules)


# --------------------------------------------------------------------------- parsing


# Fields every rule may have; each rule type adds its own (rule_types.fields()).
_COMMON_KEYS = {
    "id",
    "name",
    "description",
    "type",
    "when",
    "channels",
    "severity",
    "notify_on_update",
    "realert",
    "group_window",
    "enabled",
    "group_by",
}


def _rule_id(spec: Any, source: str, index: int) -> str:
    if not isinstance(spec, dict):
        raise RuleError(source, None, f"rules[{index}]", "expected a mapping")
    rid = spec.get("id")
    if not isinstance(rid, str) or not _ID.fullmatch(rid):
        raise RuleError(
            source, None, f"rules[{index}].id", "required: lowercase letters, digits, '.', '_', '-' (max 80)"
        )
    return rid


def _rule_type(spec: Mapping[str, Any], source: str, rid: str) -> rule_types.RuleType:
    type_fields = rule_types.fields()
    allowed = _COMMON_KEYS | set(type_fields)
    unknown = set(spec) - allowed
    if unknown:
        raise RuleError(source, rid, sorted(unknown)[0], f"unknown field; allowed: {sorted(allowed)}")
    name = spec.get("type", "any")
    try:
        kind = rule_types.get(name)
    except (KeyError, TypeError):
        raise RuleError(source, rid, "type", f"expected one of {list(rule_types.names())}, got {short(name)}") from None
    for key in type_fields:
        if key in spec and key not in kind.fields:
            raise RuleError(source, rid, key, f"not an option of rule type {short(name)}")
    return kind


def parse_rule(spec: Any, source: str, index: int = 0) -> Rule:
    rid = _rule_id(spec, source, index)
    kind = _rule_type(spec, source, rid)
    when = parse_when(spec.get("when"), source, rid)
    channels = str_list(spec.get("channels"), source, rid, "channels") if "channels" in spec else ()
    if not channels:
        raise RuleError(source, rid, "channels", "required: at least one channel name")
    severity = spec.get("severity", "info")
    if severity not in ("info", "warning", "critical"):
        raise RuleError(source, rid, "severity", f"expected info, warning or critical, got {short(severity)}")
    options = kind.parse_options(spec, source, rid)
    notify = spec.get("notify_on_update", False)
    if not isinstance(notify, bool):
        raise RuleError(source, rid, "notify_on_update", "expected true or false")
    group_by = spec.get("group_by", "")
    if group_by not in GROUP_BY:
        raise RuleError(source, rid, "group_by", f"expected one of {list(GROUP_BY[1:])}, got {short(group_by)}")
    name = spec.get("name", rid)
    if not isinstance(name, str):
        raise RuleError(source, rid, "name", "expected a string")
    return Rule(
        id=rid,
        name=name,
        description=str(spec.get("description", "")),
        type=kind.name,
        when=when,
        channels=channels,
        severity=severity,
        options=options,
        notify_on_update=notify,
        realert_s=parse_duration(spec.get("realert", 0), source, rid, "realert"),
        group_window_s=parse_duration(spec.get("group_window", 0), source, rid, "group_window"),
        group_by=group_by,
        source=source,
        spec=spec,
    )


def build_ruleset(rules: Iterable[Rule]) -> RuleSet:
    rules = tuple(rules)
    seen: dict[str, str] = {}
    for r in rules:
        if r.id in seen:
            raise RuleError(r.source, r.id, "id", f"duplicate rule id (also in {seen[r.id]})")
        seen[r.id] = r.source
    digest = hashlib.sha256(orjson.dumps([dict(r.spec) for r in rules], option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
    return RuleSet(rules, digest)


def load_rules_text(text: str, source: str) -> list[Rule]:
    try:
        doc = load_yaml(text)
    except YAMLLimitError as exc:
        raise RuleError(source, None, "", str(exc)) from None
    if doc is None:
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise RuleError(source, None, "rules", "expected a top-level 'rules:' list")
    extra = set(doc) - {"rules"}
    if extra:
        raise RuleError(source, None, sorted(extra)[0], "unknown top-level key; only 'rules' is allowed")
    return [parse_rule(spec, source, i) for i, spec in enumerate(doc["rules"])]


def rule_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml")))
        elif p.exists():
            files.append(p)
        else:
            raise RuleError(str(p), None, "", "no such file or directory")
    return files


def load_rules(paths: Iterable[str | Path]) -> RuleSet:
    """Load and validate rule files (or directories of ``*.yaml``); all or nothing."""
    rules: list[Rule] = []
    for f in rule_files(paths):
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleError(str(f), None, "", f"cannot read: {exc}") from None
        rules.extend(load_rules_text(text, str(f)))
    return build_ruleset(rules)
