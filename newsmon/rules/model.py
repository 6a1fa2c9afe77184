"""Watch rules: the YAML format, its validation, and the compiled form.

Rules are authored as YAML files (see ``rules/*.yaml`` and the README). Loading
validates everything up front and raises :class:`RuleError` naming the file,
the rule and the field, so a broken file never half-applies.

A rule file holds ``rules: [ ... ]``; each rule has an ``id``, a condition tree
under ``when`` and the ``channels`` it routes to. Condition nodes:

* combinators ``all: [...]``, ``any: [...]``, ``none: [...]`` (nest freely);
* leaves ``regions``, ``countries``, ``topics``, ``keywords``, ``sources``,
  ``languages``; each is a list, or a mapping with options
  (``countries: {codes: [IQ], role: focus|any}``,
  ``topics: {codes: [medtop:16000000], min_score: 0.3}``,
  ``keywords: {terms: [...], exclude: [...]}``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson
import yaml

from newsmon.rules.keywords import KeywordPattern

RULE_TYPES = ("any", "frequency", "spike", "first_seen")
LEAF_KINDS = ("regions", "countries", "topics", "keywords", "sources", "languages")
COMBINATORS = ("all", "any", "none")
GROUP_BY = ("", "country", "region", "source")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


class RuleError(ValueError):
    """A rule file is invalid. ``str()`` names file, rule and field."""

    def __init__(self, source: str, rule: str | None, path: str, message: str) -> None:
        where = source
        if rule:
            where += f": rule {rule!r}"
        if path:
            where += f": {path}"
        super().__init__(f"{where}: {message}")
        self.source, self.rule, self.path, self.message = source, rule, path, message


# --------------------------------------------------------------------------- compiled nodes


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


def parse_duration(value: Any, source: str, rule: str, path: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return float(m.group(1)) * _UNIT[m.group(2)]
    raise RuleError(source, rule, path, f"expected a duration like 30s, 10m, 1h, 7d; got {value!r}")


def _str_list(value: Any, source: str, rule: str, path: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise RuleError(source, rule, path, "expected a non-empty list of strings")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise RuleError(source, rule, f"{path}[{i}]", f"expected a non-empty string, got {item!r}")
        out.append(item.strip())
    return tuple(out)


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
        values = _str_list(value[key], source, rule, f"{path}.{key}")
        opts = {k: v for k, v in value.items() if k != key}
    else:
        values = _str_list(value, source, rule, path)

    if kind == "countries":
        values = tuple(v.upper() for v in values)
        for i, v in enumerate(values):
            if not re.fullmatch(r"[A-Z]{2}", v):
                raise RuleError(source, rule, f"{path}[{i}]", f"expected an ISO 3166-1 alpha-2 code, got {v!r}")
        role = opts.get("role", "focus")
        if role not in ("focus", "any"):
            raise RuleError(source, rule, f"{path}.role", f"expected 'focus' or 'any', got {role!r}")
        return Leaf(kind, values, role=role)
    if kind == "topics":
        for i, v in enumerate(values):
            if not re.fullmatch(r"medtop:\d{8}", v):
                raise RuleError(source, rule, f"{path}[{i}]", f"expected an IPTC code like medtop:16000000, got {v!r}")
        ms = opts.get("min_score", 0.0)
        if not isinstance(ms, int | float) or isinstance(ms, bool) or not 0 <= ms <= 1:
            raise RuleError(source, rule, f"{path}.min_score", f"expected a number between 0 and 1, got {ms!r}")
        return Leaf(kind, values, min_score=float(ms))
    if kind == "keywords":
        exclude = _str_list(opts["exclude"], source, rule, f"{path}.exclude") if "exclude" in opts else ()
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


def _parse_when(value: Any, source: str, rule: str) -> Node:
    if not isinstance(value, dict) or not value:
        raise RuleError(source, rule, "when", "required: a mapping of conditions")
    # A mapping with several keys is shorthand for all of them.
    children = tuple(_parse_node({k: v}, source, rule, "when") for k, v in value.items())
    if len(children) == 1 and isinstance(children[0], Node):
        return children[0]
    return Node("all", children)


_RULE_KEYS = {
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
    "threshold",
    "window",
    "baseline_window",
    "ratio",
    "min_count",
    "lookback",
    "enabled",
    "group_by",
}


def parse_rule(spec: Any, source: str, index: int = 0) -> Rule:
    if not isinstance(spec, dict):
        raise RuleError(source, None, f"rules[{index}]", "expected a mapping")
    rid = spec.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RuleError(
            source, None, f"rules[{index}].id", "required: lowercase letters, digits, '.', '_', '-' (max 80)"
        )
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise RuleError(source, rid, sorted(unknown)[0], f"unknown field; allowed: {sorted(_RULE_KEYS)}")
    rtype = spec.get("type", "any")
    if rtype not in RULE_TYPES:
        raise RuleError(source, rid, "type", f"expected one of {list(RULE_TYPES)}, got {rtype!r}")
    when = _parse_when(spec.get("when"), source, rid)
    channels = _str_list(spec.get("channels"), source, rid, "channels") if "channels" in spec else ()
    if not channels:
        raise RuleError(source, rid, "channels", "required: at least one channel name")
    severity = spec.get("severity", "info")
    if severity not in ("info", "warning", "critical"):
        raise RuleError(source, rid, "severity", f"expected info, warning or critical, got {severity!r}")
    options: dict[str, Any] = {}
    if rtype == "frequency":
        options["threshold"] = _positive_int(spec, "threshold", source, rid)
        options["window_s"] = parse_duration(spec.get("window", "1h"), source, rid, "window")
    elif rtype == "spike":
        options["window_s"] = parse_duration(spec.get("window", "1h"), source, rid, "window")
        options["baseline_s"] = parse_duration(spec.get("baseline_window", "24h"), source, rid, "baseline_window")
        ratio = spec.get("ratio", 3.0)
        if not isinstance(ratio, int | float) or isinstance(ratio, bool) or ratio <= 1:
            raise RuleError(source, rid, "ratio", f"expected a number > 1, got {ratio!r}")
        options["ratio"] = float(ratio)
        options["min_count"] = _positive_int(spec, "min_count", source, rid, default=3)
        if options["baseline_s"] <= options["window_s"]:
            raise RuleError(source, rid, "baseline_window", "must be longer than window")
    elif rtype == "first_seen":
        options["lookback_s"] = parse_duration(spec.get("lookback", "7d"), source, rid, "lookback")
    for key in ("threshold", "window", "baseline_window", "ratio", "min_count", "lookback"):
        if key in spec and not _option_applies(rtype, key):
            raise RuleError(source, rid, key, f"not an option of rule type {rtype!r}")
    notify = spec.get("notify_on_update", False)
    if not isinstance(notify, bool):
        raise RuleError(source, rid, "notify_on_update", "expected true or false")
    group_by = spec.get("group_by", "")
    if group_by not in GROUP_BY:
        raise RuleError(source, rid, "group_by", f"expected one of {list(GROUP_BY[1:])}, got {group_by!r}")
    name = spec.get("name", rid)
    if not isinstance(name, str):
        raise RuleError(source, rid, "name", "expected a string")
    return Rule(
        id=rid,
        name=name,
        description=str(spec.get("description", "")),
        type=rtype,
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


def _option_applies(rtype: str, key: str) -> bool:
    return (
        key
        in {
            "frequency": {"threshold", "window"},
            "spike": {"window", "baseline_window", "ratio", "min_count"},
            "first_seen": {"lookback"},
            "any": set(),
        }[rtype]
    )


def _positive_int(spec: Mapping[str, Any], key: str, source: str, rid: str, default: int | None = None) -> int:
    value = spec.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RuleError(source, rid, key, f"required: a whole number >= 1, got {value!r}")
    return value


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
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise RuleError(source, None, "", f"invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
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
