"""Records, topic roles and shared types: the one contract every stage imports.

Nothing here imports Faust, so the domain modules (classification, rules,
alerting, delivery) can use these types and stay testable without a broker.

Wire format: every record is a JSON object encoded with orjson and carries
``"v"`` (its schema version). Readers accept the current version and the one
before it (upgrading the older one on read); anything else is rejected with
:class:`RecordError`, which the agents turn into a dead letter.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeVar

import orjson

SCHEMA_VERSION = 1
"""Version written by this code. Readers also accept ``SCHEMA_VERSION - 1``."""

T = TypeVar("T")
Role = Literal["focus", "mention"]
FieldName = Literal["title", "body"]


class RecordError(ValueError):
    """A payload is not a valid record; ``reason`` is short and machine-groupable."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# --------------------------------------------------------------------------- helpers


def dumps(obj: Any) -> bytes:
    """Encode a record (dataclass or dict) as compact JSON bytes; non-str dict keys become strings."""
    try:
        # Records have str keys, and orjson encodes them about a quarter faster
        # without OPT_NON_STR_KEYS (the same bytes); it refuses other keys.
        return orjson.dumps(obj)
    except TypeError:  # a non-str key (or a value JSON cannot carry, refused again below)
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


def loads(data: bytes | str) -> Any:
    """Decode JSON; raises :class:`RecordError` ``invalid_json`` on failure."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RecordError("invalid_json", str(exc)) from None


def _check_version(obj: dict[str, Any], kind: str) -> int:
    v = obj.get("v", SCHEMA_VERSION)
    if not isinstance(v, int) or isinstance(v, bool):
        raise RecordError("bad_schema_version", f"{kind}.v must be an integer, got {v!r}")
    if v not in (SCHEMA_VERSION, SCHEMA_VERSION - 1) or v < 1:
        raise RecordError(
            "unsupported_schema_version",
            f"{kind}.v={v}; this reader accepts {SCHEMA_VERSION - 1}..{SCHEMA_VERSION}",
        )
    return v


def _from_dict(cls: type[T], obj: dict[str, Any], kind: str) -> T:
    """Build a dataclass from a decoded dict, ignoring unknown keys.

    Unknown keys are ignored on purpose: a newer writer may add optional
    fields, and an older reader must still accept the record.
    """
    if not isinstance(obj, dict):
        raise RecordError("not_an_object", f"{kind} must be a JSON object")
    _check_version(obj, kind)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    try:
        return cls(**{k: v for k, v in obj.items() if k in names})
    except TypeError as exc:
        raise RecordError("missing_field", f"{kind}: {exc}") from None


# --------------------------------------------------------------------------- classification


@dataclass(slots=True)
class Evidence:
    """One span that caused a tag: ``text == article.<field>[start:end]``."""

    field: FieldName
    start: int
    end: int
    text: str


def _evidence_dicts(items: list[Evidence]) -> list[dict[str, Any]]:
    """Evidence as the dicts orjson makes of it (see :meth:`Classification.to_dict`)."""
    out: list[dict[str, Any]] = []
    append = out.append
    for e in items:
        append({"field": e.field, "start": e.start, "end": e.end, "text": e.text})
    return out


@dataclass(slots=True)
class PlaceTag:
    """A country the article involves, with the places inside it that were seen."""

    country: str  # ISO 3166-1 alpha-2
    name: str
    role: Role
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    # Finer places that resolved to this country: {"name", "kind", "code"?}
    places: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class RegionTag:
    """A region (UN M49 or a named group such as ``middle-east``)."""

    code: str
    label: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class TopicTag:
    """An IPTC Media Topic, ``code`` like ``medtop:16000000``."""

    code: str
    label: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    parent: str | None = None


@dataclass(slots=True)
class Classification:
    language: str
    places: list[PlaceTag] = field(default_factory=list)
    regions: list[RegionTag] = field(default_factory=list)
    topics: list[TopicTag] = field(default_factory=list)
    # Which parts of the engine covered this language, e.g. {"places": "full"}.
    coverage: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The same JSON object orjson makes of the dataclass, built by hand.

        orjson's dataclass path is slow for records of many small objects
        (a classification has dozens of Evidence spans); dicts encode about
        twice as fast. A unit test keeps the two encodings byte-identical.
        Plain loops rather than comprehensions: each comprehension is a
        function call, and most lists here have one to four items.
        """
        places = []
        for p in self.places:
            places.append(
                {
                    "country": p.country,
                    "name": p.name,
                    "role": p.role,
                    "score": p.score,
                    "evidence": _evidence_dicts(p.evidence),
                    "places": p.places,
                }
            )
        regions = []
        for r in self.regions:
            regions.append(
                {"code": r.code, "label": r.label, "score": r.score, "evidence": _evidence_dicts(r.evidence)}
            )
        topics = []
        for t in self.topics:
            topics.append(
                {
                    "code": t.code,
                    "label": t.label,
                    "score": t.score,
                    "evidence": _evidence_dicts(t.evidence),
                    "parent": t.parent,
                }
            )
        return {"language": self.language, "places": places, "regions": regions, "topics": topics,
                "coverage": self.coverage}  # fmt: skip

    def focus_countries(self) -> list[str]:
        return [p.country for p in self.places if p.role == "focus"]

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> Classification:
        def ev(items: list[dict[str, Any]]) -> list[Evidence]:
            return [Evidence(**e) for e in items]

        return cls(
            language=obj.get("language", "und"),
            places=[PlaceTag(**{**p, "evidence": ev(p.get("evidence", []))}) for p in obj.get("places", [])],
            regions=[RegionTag(**{**r, "evidence": ev(r.get("evidence", []))}) for r in obj.get("regions", [])],
            topics=[TopicTag(**{**t, "evidence": ev(t.get("evidence", []))}) for t in obj.get("topics", [])],
            coverage=dict(obj.get("coverage", {})),
        )


# --------------------------------------------------------------------------- articles


@dataclass(slots=True)
class Article:
    """A normalized article: clean text, stable id, UTC times.

    ``id`` is derived from the canonical URL when there is one, else from a
    hash of the cleaned title and body, so a re-ingest or a redelivery maps
    to the same id. ``story_id`` groups near-duplicates (same as ``id`` until
    a story grouper assigns another).
    """

    id: str
    title: str
    body: str
    url: str | None = None
    source: str | None = None
    language: str | None = None
    published_at: float | None = None  # epoch seconds, UTC
    ingested_at: float = 0.0  # epoch seconds when newsmon normalized it (never the producer's claim)
    story_id: str = ""
    v: int = SCHEMA_VERSION
    # The producer's own ingest time, kept for latency measurements; nothing decides by it.
    ingested_at_hint: float | None = None

    def __post_init__(self) -> None:
        if not self.story_id:
            self.story_id = self.id


@dataclass(slots=True)
class ClassifiedArticle:
    article: Article
    classification: Classification
    classified_at: float = 0.0
    v: int = SCHEMA_VERSION

    def encode(self) -> bytes:
        """``dumps(self)``, faster (see :meth:`Classification.to_dict`); the pipeline agent's hot path."""
        return dumps(
            {"article": self.article, "classification": self.classification.to_dict(),
             "classified_at": self.classified_at, "v": self.v}
        )  # fmt: skip

    @classmethod
    def decode(cls, data: bytes | dict[str, Any]) -> Self:
        obj = loads(data) if isinstance(data, bytes | bytearray | str) else data
        if not isinstance(obj, dict):
            raise RecordError("not_an_object", "classified article must be a JSON object")
        _check_version(obj, "classified")
        try:
            art = _from_dict(Article, obj["article"], "article")
            cls_ = Classification.from_dict(obj["classification"])
        except (KeyError, TypeError) as exc:
            raise RecordError("missing_field", f"classified: {exc}") from None
        return cls(article=art, classification=cls_, classified_at=obj.get("classified_at", 0.0))


# --------------------------------------------------------------------------- alerts


@dataclass(slots=True)
class Alert:
    """One alert: exactly one id per (rule, story).

    ``alert_id`` is what receivers deduplicate on (it is the webhook-id); a
    redelivery carries the same id.
    """

    alert_id: str
    rule_id: str
    rule_name: str
    story_id: str
    article_id: str
    title: str
    url: str | None
    source: str | None
    countries: list[str]
    regions: list[str]
    topics: list[dict[str, Any]]  # {"code", "label", "score"}
    evidence: list[dict[str, Any]]  # {"kind", "tag", "field", "start", "end", "text"}
    snippet: str
    channels: list[str]
    created_at: float
    ingested_at: float
    published_at: float | None = None
    severity: str = "info"
    # "alert" (one story), "update" (a new article of a story that alerted, with
    # notify_on_update), "digest" (one message for several matches), or the rule
    # type that fired it: "frequency", "spike", "first_seen".
    kind: str = "alert"
    # Digest members, or the articles that made a frequency/spike/first_seen rule fire:
    # {"article_id", "story_id", "title", "url", "source", "ingested_at", ...}.
    members: list[dict[str, Any]] = field(default_factory=list)
    # What the alert chain decided (alerts topic and history): "created", "updated",
    # "grouped" (joined digest ``digest_id``), "silenced" (``silence_id``).
    outcome: str = "created"
    digest_id: str | None = None
    silence_id: str | None = None
    v: int = SCHEMA_VERSION

    @classmethod
    def decode(cls, data: bytes | dict[str, Any]) -> Self:
        obj = loads(data) if isinstance(data, bytes | bytearray | str) else data
        return _from_dict(cls, obj, "alert")


# --------------------------------------------------------------------------- dead letters


@dataclass(slots=True)
class DeadLetter:
    """A record that could not be processed, kept with the reason.

    ``payload`` is the original bytes decoded as UTF-8 with replacement when
    possible; ``payload_b64`` keeps the exact bytes when they were not valid
    UTF-8, so nothing is lost. Oversized payloads are truncated to the
    configured limit and ``size`` records the full length.
    """

    reason: str
    detail: str
    stage: str
    payload: str
    size: int
    truncated: bool = False
    payload_b64: str | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    at: float = field(default_factory=time.time)
    v: int = SCHEMA_VERSION

    @classmethod
    def decode(cls, data: bytes | dict[str, Any]) -> Self:
        obj = loads(data) if isinstance(data, bytes | bytearray | str) else data
        return _from_dict(cls, obj, "deadletter")
