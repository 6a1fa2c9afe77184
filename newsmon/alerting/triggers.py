"""Rule types beyond ``any``: frequency, spike and first_seen, counted in Redis.

Called by the trigger stage of the alert chain (:mod:`newsmon.alerting.stages`)
for every article a windowed rule matches. Counting is by ingest time
(``Article.ingested_at``): the window of an article ends at its own ingest
time, so a replay of the topic counts exactly as the first pass did. An
article published more than ``late_after_s`` before it was ingested is
*late*: it still matches, but it does not count toward frequency or spike.

Keys and what an alert is keyed on (the dedup unit inside the rule):

* frequency: ZSET of matching article ids scored by ingest time; fires when
  at least ``threshold`` lie in ``(t - window, t]``. Keyed on the window
  bucket ``floor(t / window)``, so a rule alerts at most once per bucket; the
  alert lists the articles in the window (up to :data:`MEMBER_LIMIT`).
* spike: the same ZSET; ``current`` counts ``(t - window, t]``, ``baseline``
  counts ``(t - baseline_window, t - window]`` and is scaled to one window.
  Fires when ``current >= min_count`` and ``current >= ratio * baseline``
  (an empty baseline fires at ``min_count``). Keyed like frequency.
* first_seen: a pair is ``"<region code>|<top-level IPTC code>"`` for every
  region tag and every topic tag (a second-level topic counts as its parent)
  of the matching article. The rule's HASH keeps, per pair, when it was last
  seen and by which article; a pair is new when it was never seen or last
  seen more than ``lookback`` before this article. Keyed on the sorted new
  pairs and the lookback bucket ``floor(t / lookback)``.

Every script is idempotent per article id, so a redelivered article neither
counts twice nor loses the alert it should have raised: it fires with the
same dedup unit again, and the alert chain gives it its original outcome
(a replay, see :mod:`newsmon.alerting.stages`). Window entries are kept
:data:`REPLAY_MARGIN_S` past the span the newest article needs, so an
article redelivered (or processed late) within that margin counts its
window as the first pass did; later than that, or a first_seen article whose
pair another article made new again after ``lookback``, the replay is
decided with the state of the moment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import orjson
from redis.asyncio import Redis

from newsmon.alerting.keys import Keys
from newsmon.rules.model import Rule
from newsmon.streams.records import Article, ClassifiedArticle

MEMBER_LIMIT = 20
# Window state outlives its span a little, so a slow stream does not lose counts.
TTL_MARGIN_S = 3600
# Entries older than the newest article's span are trimmed only after this much
# more: a redelivered article, or one ingested a little before articles already
# counted, still finds its whole window.
REPLAY_MARGIN_S = 3600

# KEYS: window zset, meta hash. ARGV: article id, t, add (1/0), member json,
# trim-below, current-from, baseline-from, ttl s, limit.
_WINDOW = """
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
end
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5], 'LIMIT', 0, 1000)
if #old > 0 then
  redis.call('ZREM', KEYS[1], unpack(old))
  redis.call('HDEL', KEYS[2], unpack(old))
end
redis.call('EXPIRE', KEYS[1], ARGV[8])
redis.call('EXPIRE', KEYS[2], ARGV[8])
local current = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[6], ARGV[2])
local baseline = 0
if ARGV[7] ~= '' then
  baseline = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[7], ARGV[6])
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[6], ARGV[2], 'LIMIT', 0, tonumber(ARGV[9]))
local members = {}
if #ids > 0 then members = redis.call('HMGET', KEYS[2], unpack(ids)) end
return {current, baseline, members}
"""

# KEYS: seen hash. ARGV: t, article id, lookback s, ttl s, pairs...
# Value per pair: "<t>|<article id>|<1 if that article made the pair new>|<maker>",
# the maker being the article that last made the pair new: its redelivery
# still finds the pair new after later articles saw it (values written before
# the maker field have none; their makers are known only while still the last).
_FIRST_SEEN = """
local t = tonumber(ARGV[1])
local new = {}
for i = 5, #ARGV do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  local fresh = false
  local replayed = false
  local last = nil
  local maker = ''
  if not v then
    fresh = true
  else
    local a = string.find(v, '|', 1, true)
    local b = string.find(v, '|', a + 1, true)
    local c = string.find(v, '|', b + 1, true)
    last = tonumber(string.sub(v, 1, a - 1))
    local by = string.sub(v, a + 1, b - 1)
    local flag = string.sub(v, b + 1, (c or 0) - 1)
    if c then maker = string.sub(v, c + 1) end
    if by == ARGV[2] then
      fresh = flag == '1'
    elseif maker == ARGV[2] then
      replayed = true
    elseif t - last > tonumber(ARGV[3]) then
      fresh = true
    end
  end
  if fresh then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1] .. '|' .. ARGV[2] .. '|1|' .. ARGV[2])
    table.insert(new, ARGV[i])
  elseif replayed then
    -- Unchanged: the last sighting stays the later article's.
    table.insert(new, ARGV[i])
  elseif last == nil or t > last then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1] .. '|' .. ARGV[2] .. '|0|' .. maker)
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return new
"""


def is_late(article: Article, late_after_s: float) -> bool:
    """Published longer than ``late_after_s`` before it was ingested (unknown times: not late)."""
    if article.published_at is None or not article.ingested_at:
        return False
    return article.ingested_at - article.published_at > late_after_s


def spike_fires(current: int, baseline: int, window_s: float, baseline_s: float, ratio: float, min_count: int) -> bool:
    """Whether ``current`` matches in one window are a spike against the baseline window."""
    if current < min_count:
        return False
    per_window = baseline * window_s / (baseline_s - window_s)
    return current >= ratio * per_window


def first_seen_pairs(item: ClassifiedArticle) -> list[str]:
    """The region|topic pairs of an article (second-level topics count as their parent)."""
    c = item.classification
    tops = sorted({t.parent or t.code for t in c.topics})
    regions = sorted({r.code for r in c.regions})
    return [f"{r}|{t}" for r in regions for t in tops]


def member_of(item: ClassifiedArticle, *, late: bool = False) -> dict[str, Any]:
    """How one article is listed in a frequency/spike/first_seen alert or a digest."""
    a = item.article
    return {
        "article_id": a.id,
        "story_id": a.story_id,
        "title": a.title[:300],
        "url": a.url,
        "source": a.source,
        "ingested_at": a.ingested_at,
        "published_at": a.published_at,
        "late": late,
    }


@dataclass(slots=True)
class Trigger:
    """The result of counting one article for a windowed rule."""

    fired: bool
    outcome: str  # why it did not fire: "pending_threshold", "late", "seen_before"
    key: str = ""  # the dedup unit inside the rule when it fired
    members: list[dict[str, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


class Triggers:
    """Redis-backed counters of the windowed rule types (state in the rule's shard)."""

    def __init__(self, redis: Redis, keys: Keys, late_after_s: float) -> None:
        self.keys = keys
        self.late_after_s = late_after_s
        self._window = redis.register_script(_WINDOW)
        self._first_seen = redis.register_script(_FIRST_SEEN)

    async def check(self, rule: Rule, item: ClassifiedArticle, now: float) -> Trigger:
        t = item.article.ingested_at or now
        if rule.type in ("frequency", "spike"):
            return await self._windowed(rule, item, t)
        if rule.type == "first_seen":
            return await self._first(rule, item, t)
        raise ValueError(f"rule type {rule.type!r} has no trigger")

    async def _windowed(self, rule: Rule, item: ClassifiedArticle, t: float) -> Trigger:
        o = rule.options
        window = float(o["window_s"])
        span = float(o.get("baseline_s", window))
        late = is_late(item.article, self.late_after_s)
        shard = self.keys.rule_shard(rule.id)
        res = await self._window(
            keys=[self.keys.window(shard, rule.id), self.keys.window_meta(shard, rule.id)],
            args=[
                item.article.id,
                repr(t),
                "0" if late else "1",
                orjson.dumps(member_of(item)),
                repr(t - span - REPLAY_MARGIN_S),
                repr(t - window),
                repr(t - span) if rule.type == "spike" else "",
                int(span + TTL_MARGIN_S),
                MEMBER_LIMIT,
            ],
        )
        current, baseline = int(res[0]), int(res[1])
        members = [orjson.loads(m) for m in res[2] if m]
        detail = {"count": current, "window_s": window, "ingested_at": t}
        if rule.type == "spike":
            detail["baseline"] = baseline
            fired = spike_fires(current, baseline, window, span, float(o["ratio"]), int(o["min_count"]))
        else:
            fired = current >= int(o["threshold"])
        if late:
            # A late article never triggers, even if older ones already fill the window.
            return Trigger(False, "late", detail=detail)
        if not fired:
            return Trigger(False, "pending_threshold", detail=detail)
        bucket = math.floor(t / window)
        return Trigger(True, "", key=f"window:{bucket}", members=members, detail=detail | {"bucket": bucket})

    async def _first(self, rule: Rule, item: ClassifiedArticle, t: float) -> Trigger:
        pairs = first_seen_pairs(item)
        if not pairs:
            return Trigger(False, "seen_before", detail={"pairs": []})
        lookback = float(rule.options["lookback_s"])
        shard = self.keys.rule_shard(rule.id)
        new = await self._first_seen(
            keys=[self.keys.seen_pairs(shard, rule.id)],
            args=[repr(t), item.article.id, lookback, int(lookback + 86400), *pairs],
        )
        new = sorted(x.decode() if isinstance(x, bytes) else x for x in new)
        if not new:
            return Trigger(False, "seen_before", detail={"pairs": pairs})
        bucket = math.floor(t / lookback)
        return Trigger(
            True, "", key=f"first_seen:{','.join(new)}:{bucket}", members=[member_of(item)], detail={"new_pairs": new}
        )
