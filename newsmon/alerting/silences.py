"""Silences and acknowledgements, stored in Redis.

A *silence* mutes matching alerts until a time. It names one or more of
``rule``, ``region``, ``country`` and ``topic`` (all given must hold), an
``author`` and a ``comment``. The silence stage of the alert chain asks
:meth:`SilenceStore.matching` for every alert it sees; the HTTP API creates,
lists and expires them. Expiring sets ``until`` to now, so the record stays
listable; records are purged a day after they ended.

An *acknowledgement* records who took an alert in hand and when. It is kept
as long as alert bodies are (the dedup TTL) and shows in the alert history.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import orjson
from redis.asyncio import Redis

from newsmon.alerting.keys import Keys
from newsmon.rules.model import parse_duration
from newsmon.streams.records import ClassifiedArticle
from newsmon.untrusted import short

MATCHER_FIELDS = ("rule", "region", "country", "topic")
PURGE_AFTER_S = 86400.0
MAX_TEXT = 1000
# A silence that outlives everyone's memory of it mutes alerts for good; the
# operator can change the bound (NEWSMON_SILENCE_MAX_DAYS).
DEFAULT_MAX_SILENCE_S = 90 * 86400.0


class InputError(ValueError):
    """Invalid input for a silence or acknowledgement; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(slots=True)
class Silence:
    id: str
    matchers: dict[str, str]
    until: float
    author: str
    comment: str
    created_at: float
    expired_by: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def active(self, now: float) -> bool:
        return self.until > now

    def matches(self, rule_id: str, item: ClassifiedArticle) -> bool:
        """All matchers hold for this rule and article (topics also match their parent)."""
        c = item.classification
        for k, v in self.matchers.items():
            if k == "rule" and v != rule_id:
                return False
            if k == "region" and v not in {r.code for r in c.regions}:
                return False
            if k == "country" and v not in {p.country for p in c.places}:
                return False
            if k == "topic" and v not in {t.code for t in c.topics} | {t.parent for t in c.topics if t.parent}:
                return False
        return True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _text(obj: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise InputError(key, "required: a non-empty string")
    if len(value) > MAX_TEXT:
        raise InputError(key, f"at most {MAX_TEXT} characters")
    return value.strip()


def _time(value: Any, key: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(key, f"expected epoch seconds or an ISO 8601 time with zone, got {short(value)}") from None
        if dt.tzinfo is None:
            raise InputError(key, "the time needs a zone (e.g. 2024-02-16T10:00:00Z)")
        return dt.timestamp()
    raise InputError(key, "expected epoch seconds or an ISO 8601 time")


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def parse_silence(obj: Any, now: float, max_s: float = DEFAULT_MAX_SILENCE_S) -> Silence:
    """Validate an API request body into a :class:`Silence`; :class:`InputError` names the field.

    Body: ``{"matchers": {"rule"?, "region"?, "country"?, "topic"?}, "until" | "duration",
    "author", "comment"}``; ``until`` is epoch seconds or ISO 8601, ``duration`` like ``2h``.
    The silence must end within ``max_s`` seconds of ``now``.
    """
    if not isinstance(obj, dict):
        raise InputError("body", "expected a JSON object")
    unknown = set(obj) - {"matchers", "until", "duration", "author", "comment"}
    if unknown:
        raise InputError(sorted(unknown)[0], "unknown field")
    m = obj.get("matchers")
    if not isinstance(m, dict) or not m:
        raise InputError("matchers", f"required: an object with one or more of {list(MATCHER_FIELDS)}")
    matchers: dict[str, str] = {}
    for k, v in m.items():
        if k not in MATCHER_FIELDS:
            raise InputError(f"matchers.{k}", f"unknown matcher; allowed: {list(MATCHER_FIELDS)}")
        if not isinstance(v, str) or not v.strip():
            raise InputError(f"matchers.{k}", "expected a non-empty string")
        v = v.strip()
        matchers[k] = v.upper() if k == "country" else v.lower() if k == "region" else v
    if ("until" in obj) == ("duration" in obj):
        raise InputError("until", "give exactly one of 'until' (a time) or 'duration' (e.g. 2h)")
    if "until" in obj:
        key = "until"
        until = _time(obj["until"], "until")
    else:
        key = "duration"
        try:
            until = now + parse_duration(obj["duration"], "request", "", "duration")
        except ValueError:
            got = short(obj["duration"])
            raise InputError("duration", f"expected a duration like 30m, 2h, 1d; got {got}") from None
    # NaN compares false with everything, so test for it before the range checks.
    if not math.isfinite(until) or until - now > max_s:
        raise InputError(key, f"a silence may last at most {_span(max_s)} (NEWSMON_SILENCE_MAX_DAYS)")
    if until <= now:
        raise InputError("until", "must be in the future")
    return Silence(
        id="si_" + uuid.uuid4().hex[:16],
        matchers=matchers,
        until=until,
        author=_text(obj, "author"),
        comment=_text(obj, "comment"),
        created_at=now,
    )


class SilenceStore:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    async def add(self, s: Silence) -> None:
        await self.redis.hset(self.keys.silences(), s.id, orjson.dumps(s.to_json()))

    async def all(self, now: float | None = None) -> list[Silence]:
        """Every silence still on record (ended ones purged after a day), newest first."""
        now = time.time() if now is None else now
        raw = await self.redis.hgetall(self.keys.silences())
        silences = self.parse(raw)
        stale = [k for k, s in zip(raw, silences, strict=True) if s.until < now - PURGE_AFTER_S]
        out = [s for s in silences if s.until >= now - PURGE_AFTER_S]
        if stale:
            await self.redis.hdel(self.keys.silences(), *stale)
        return sorted(out, key=lambda s: s.created_at, reverse=True)

    @staticmethod
    def parse(raw: Mapping[Any, bytes | str]) -> list[Silence]:
        """Silences from the hash's values (HGETALL reply), in the hash's order."""
        return [Silence(**orjson.loads(v)) for v in raw.values()]

    async def active(self, now: float) -> list[Silence]:
        return [s for s in await self.all(now) if s.active(now)]

    async def matching(self, rule_id: str, item: ClassifiedArticle, now: float) -> Silence | None:
        """The first active silence that mutes this rule and article, if any."""
        for s in await self.active(now):
            if s.matches(rule_id, item):
                return s
        return None

    async def expire(self, silence_id: str, now: float, by: str | None = None) -> Silence | None:
        """End a silence now (kept on record); None if unknown. Ending an ended one changes nothing."""
        raw = await self.redis.hget(self.keys.silences(), silence_id)
        if raw is None:
            return None
        s = Silence(**orjson.loads(raw))
        if s.active(now):
            s.until = now
            s.expired_by = by
            await self.add(s)
        return s


class AckStore:
    def __init__(self, redis: Redis, keys: Keys, ttl_s: int) -> None:
        self.redis = redis
        self.keys = keys
        self.ttl = ttl_s

    async def ack(self, alert_id: str, by: str, comment: str, now: float) -> tuple[dict[str, Any], bool]:
        """Record the acknowledgement; returns it and whether it is new (the first one wins)."""
        entry = {"alert_id": alert_id, "by": by, "comment": comment, "at": now}
        key = self.keys.ack(alert_id)
        if await self.redis.set(key, orjson.dumps(entry), nx=True, ex=self.ttl):
            return entry, True
        raw = await self.redis.get(key)
        return (orjson.loads(raw) if raw else entry), False

    async def get_many(self, alert_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not alert_ids:
            return {}
        raw = await self.redis.mget([self.keys.ack(a) for a in alert_ids])
        return {a: orjson.loads(v) for a, v in zip(alert_ids, raw, strict=True) if v}
