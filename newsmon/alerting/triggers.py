"""The Redis counters behind the rule types that count across articles.

Rule types (:mod:`newsmon.rules.types`) say what to count and decide when
they fire; this module runs the counts with Lua scripts in the rule's shard.
Counting is by ingest time (``Article.ingested_at``): the window of an
article ends at its own ingest time, so a replay of the topic counts exactly
as the first pass did. An article published more than ``late_after_s``
before it was ingested is *late*: it is listed, but it does not count.

* :class:`~newsmon.rules.types.CountWindow` (``frequency``, ``spike``): ZSET
  of matching article ids scored by ingest time and a hash of their
  listings; counts ``(t - window, t]`` and, with a baseline,
  ``(t - baseline_window, t - window]``; returns the articles in the window
  (up to :data:`MEMBER_LIMIT`).
* :class:`~newsmon.rules.types.CountPairs` (``first_seen``): the rule's HASH keeps, per pair, when it was last
  seen and by which article; a pair is new when it was never seen or last
  seen more than ``lookback`` before this article.

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

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from newsmon.alerting.keys import Keys
from newsmon.rules import types as rule_types
from newsmon.rules.model import Rule
from newsmon.rules.types import CountPairs, CountWindow, RuleType, Trigger, WindowCount, member_of
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


# One trigger's Redis call: the script, its keys and arguments, and how its reply becomes a Trigger.
_Call = tuple[Any, list[str], list[Any], Callable[[Any], Trigger]]


class Triggers:
    """Runs the counts of the rule types (:mod:`newsmon.rules.types`) in Redis, in the rule's shard."""

    def __init__(self, redis: Redis, keys: Keys, late_after_s: float) -> None:
        self.redis = redis
        self.keys = keys
        self.late_after_s = late_after_s
        self._window = redis.register_script(_WINDOW)
        self._first_seen = redis.register_script(_FIRST_SEEN)

    async def check(self, rule: Rule, item: ClassifiedArticle, now: float) -> Trigger:
        """Count one matching article for a rule whose type counts (at its ingest time, else ``now``)."""
        call = self._call(rule, item, now)
        if isinstance(call, Trigger):
            return call
        script, keys, args, parse = call
        return parse(await script(keys=keys, args=args))

    async def check_many(self, checks: Sequence[tuple[Rule, ClassifiedArticle, float]]) -> list[Trigger | Exception]:
        """:meth:`check` for many matches, applied by Redis in the order given, in one round trip.

        The order is what a rule's counts depend on: a frequency window or a
        first_seen pair sees exactly the articles counted before it. A script
        error (a ``ResponseError``) is returned in the match's place; a
        connection error raises, and the whole call is safe to repeat (every
        script is idempotent per article, and the order is the same again).
        On Redis Cluster, whose pipelines refuse scripts, the calls go one
        after another.
        """
        from redis.asyncio import RedisCluster  # the check only

        calls = [self._call(rule, item, now) for rule, item, now in checks]
        remote = [c for c in calls if not isinstance(c, Trigger)]
        replies: list[Any] = []
        if remote and isinstance(self.redis, RedisCluster):
            for script, keys, args, _ in remote:
                try:
                    replies.append(await script(keys=keys, args=args))
                except ResponseError as exc:
                    replies.append(exc)
        elif remote:
            async with self.redis.pipeline(transaction=False) as pipe:
                for script, keys, args, _ in remote:
                    await script(keys=keys, args=args, client=pipe)
                replies = await pipe.execute(raise_on_error=False)
            for r in replies:
                if isinstance(r, Exception) and not isinstance(r, ResponseError):
                    raise r
        out: list[Trigger | Exception] = []
        it = iter(replies)
        for c in calls:
            if isinstance(c, Trigger):
                out.append(c)
                continue
            reply = next(it)
            out.append(reply if isinstance(reply, Exception) else c[3](reply))
        return out

    def _call(self, rule: Rule, item: ClassifiedArticle, now: float) -> _Call | Trigger:
        kind = rule_types.get(rule.type)
        if kind.keyed_by_story:
            raise ValueError(f"rule type {rule.type!r} has no trigger")
        t = item.article.ingested_at or now
        counting = kind.count(rule, item, t)
        if isinstance(counting, Trigger):
            return counting
        if isinstance(counting, CountWindow):
            return self._windowed(rule, item, t, counting, kind)
        return self._pairs(rule, item, t, counting, kind)

    def _windowed(self, rule: Rule, item: ClassifiedArticle, t: float, c: CountWindow, kind: RuleType) -> _Call:
        span = c.baseline_s if c.baseline_s is not None else c.window_s
        late = is_late(item.article, self.late_after_s)
        shard = self.keys.rule_shard(rule.id)
        keys = [self.keys.window(shard, rule.id), self.keys.window_meta(shard, rule.id)]
        args = [
            item.article.id,
            repr(t),
            "0" if late else "1",
            orjson.dumps(member_of(item)),
            repr(t - span - REPLAY_MARGIN_S),
            repr(t - c.window_s),
            repr(t - span) if c.baseline_s is not None else "",
            int(span + TTL_MARGIN_S),
            MEMBER_LIMIT,
        ]

        def parse(res: Any) -> Trigger:
            count = WindowCount(int(res[0]), int(res[1]), [orjson.loads(m) for m in res[2] if m], late)
            return kind.decide(rule, item, t, count)

        return self._window, keys, args, parse

    def _pairs(self, rule: Rule, item: ClassifiedArticle, t: float, c: CountPairs, kind: RuleType) -> _Call:
        shard = self.keys.rule_shard(rule.id)
        keys = [self.keys.seen_pairs(shard, rule.id)]
        args = [repr(t), item.article.id, c.lookback_s, int(c.lookback_s + 86400), *c.pairs]

        def parse(res: Any) -> Trigger:
            return kind.decide(rule, item, t, sorted(x.decode() if isinstance(x, bytes) else x for x in res))

        return self._first_seen, keys, args, parse
