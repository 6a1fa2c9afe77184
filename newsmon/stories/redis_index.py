"""The shared story index in Redis: every decision and write in one Lua script.

A decision reads the current and the previous slice with one HMGET each (all
its buckets and its own record at once), fetches the candidates' records with
one more, and writes the current slice with one HSET: about a dozen Redis
calls whatever the number of bands. A slice expires a window after it ends,
and when a worker opens a new slice it unlinks the one no decision reads any
more (freed in the background: a large hash expiring would block Redis while
it is freed), so at most about two windows of articles are kept.

The script decides several articles per call, in order, so two workers racing
on two copies of one story still give one story id, and a redelivered article
gets the id it got before without counting twice. Per story a hash keeps the
number of articles and of distinct outlets (sources), for alert history and
the dashboard.

The key layout changed with the slices (before: one list per bucket and one
hash per article); state written by the older version is ignored and expires.
"""

from __future__ import annotations

import math
import struct
import time
from typing import Any

from newsmon.stories.fingerprints import BAND_FIELD, BANDS, SKETCH_SIZE, Fingerprint
from newsmon.stories.index import (
    BUCKET_KEEP,
    CLOCK_SKEW_S,
    DEFAULT_THRESHOLD,
    StoryAssignment,
    slice_range,
    slice_seconds,
    time_stamp,
)

# Articles per script call: each costs Redis ~0.1 ms, and other clients wait
# while a script runs.
SCRIPT_BATCH = 32

# One call decides several articles in order (SCRIPT_BATCH at most, so Redis is
# not held for long), as if each had its own call.
# KEYS: 1..n the slice hashes a decision reads, oldest first; n+1 the slice no
#       decision reads any more (unlinked when the current slice is created).
# ARGV: 1 now, 2 window s, 3 story ttl s, 4 threshold, 5 key prefix for story
#       keys, 6 bucket keep, 7 index of the current slice in KEYS, 8 its ttl s;
#       then per article: id, sketch (packed, may be empty), outlet, band fields
#       (BAND_FIELD bytes each, concatenated; empty without a sketch).
# A slice hash holds: field '@'..id -> record pack('>dI2', at, #story)..story..sketch;
# field band -> bucket: entries pack('>I2', #id)..id, newest first, at most keep.
# Returns one string, per article: pack('>I2', #story)..story..
#   pack('>I2I4I4BB', similarity*1000, outlets, articles, new, repeated).
# Stories' keys are derived in the script; all keys share one hash tag, so this
# is valid on Redis Cluster.
_ASSIGN = """
local now_s = ARGV[1]
local now, window, story_ttl, threshold = tonumber(now_s), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local story_pfx, keep, cur, slice_ttl = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local nslices = #KEYS - 1
local fields_fmt = string.rep('cBAND_FIELD', BANDS)

-- Of the SKETCH_SIZE smallest values of the union of two ascending sketches
-- (unpacked), the fraction in both: merge the two lists.
local function similarity(mine, na, theirs, no)
  local p, q, taken, same = 1, 1, 0, 0
  while taken < SKETCH_SIZE do
    if p > na then
      taken = math.min(SKETCH_SIZE, taken + no - q + 1)
      break
    elseif q > no then
      taken = math.min(SKETCH_SIZE, taken + na - p + 1)
      break
    end
    local x, y = mine[p], theirs[q]
    if x == y then
      same = same + 1
      p, q = p + 1, q + 1
    elseif x < y then
      p = p + 1
    else
      q = q + 1
    end
    taken = taken + 1
  end
  return same / taken
end

local function assign(aid, sketch, outlet, bands)
  local afield = '@' .. aid
  local nb, fields = 0, {}
  if #sketch > 0 then
    nb = BANDS
    fields = {struct.unpack(fields_fmt, bands)}
    fields[nb + 1] = nil  -- struct.unpack appends the next position
  end
  -- One HMGET per slice: this article's own record (redelivery) and its buckets.
  local prior, cands, cur_vals, cuts = false, {}, {}, {}
  for s = 1, nslices do
    local vals = redis.call('HMGET', KEYS[s], afield, unpack(fields))
    local rec = vals[1]
    if rec and not prior then
      local at, n = struct.unpack('>dI2', rec)
      if now - at <= window then prior = string.sub(rec, 11, 10 + n) end
    end
    local seen, list = {}, {}
    for b = 1, nb do
      local v = vals[b + 1]
      if v then
        local pos, len, cnt = 1, #v, 0
        while pos <= len do
          local n = struct.unpack('>I2', v, pos)
          local id = string.sub(v, pos + 2, pos + 1 + n)
          pos = pos + 2 + n
          cnt = cnt + 1
          if cnt == keep - 1 and s == cur then cuts[b] = pos - 1 end
          if not seen[id] then
            seen[id] = true
            list[#list + 1] = id
          end
        end
      end
    end
    cands[s] = list
    if s == cur then cur_vals = vals end
  end
  if prior then
    local st = redis.call('HMGET', story_pfx .. prior, 'outlets', 'articles')
    return prior, 1000, tonumber(st[1] or '0'), tonumber(st[2] or '0'), 0, 1
  end
  local best, best_sim, best_story = false, -1, false
  if nb > 0 then
    local na = #sketch / 4
    local mine = false
    for s = 1, nslices do
      local list = cands[s]
      if #list > 0 then
        local fs = {}
        for i = 1, #list do fs[i] = '@' .. list[i] end
        local recs = redis.call('HMGET', KEYS[s], unpack(fs))
        for i = 1, #list do
          local rec = recs[i]
          if rec then
            local at, ln = struct.unpack('>dI2', rec)
            if now - at <= window then
              local other = string.sub(rec, 11 + ln)
              local sim = -1
              -- Lua strings are interned: an exact copy is one pointer comparison.
              if other == sketch then
                sim = 1
              elseif #other > 0 then
                -- struct.unpack is one C call; comparing numbers beats string.sub calls.
                if not mine then mine = {struct.unpack('<' .. string.rep('I4', na), sketch)} end
                local no = #other / 4
                sim = similarity(mine, na, {struct.unpack('<' .. string.rep('I4', no), other)}, no)
              end
              local cand = list[i]
              if sim >= 0 and (sim > best_sim or (sim == best_sim and best and cand < best)) then
                best, best_sim, best_story = cand, sim, string.sub(rec, 11, 10 + ln)
              end
            end
          end
        end
      end
    end
  end
  local story, new, sim = aid, 1, 1
  if best and best_sim >= threshold then story, new, sim = best_story, 0, best_sim end
  -- One HSET writes this article's record and all its buckets in the current slice.
  local args = {KEYS[cur], afield, struct.pack('>dI2', now, #story) .. story .. sketch}
  if nb > 0 then
    local entry = struct.pack('>I2', #aid) .. aid
    for b = 1, nb do
      local v = cur_vals[b + 1]
      if v then
        if cuts[b] then v = string.sub(v, 1, cuts[b]) end
        v = entry .. v
      else
        v = entry
      end
      args[#args + 1] = fields[b]
      args[#args + 1] = v
    end
  end
  redis.call('HSET', unpack(args))
  local sh = story_pfx .. story
  local oset = sh .. ':outlets'
  redis.call('SADD', oset, outlet)
  local outlets = redis.call('SCARD', oset)
  local articles = redis.call('HINCRBY', sh, 'articles', 1)
  if new == 1 then
    redis.call('HSET', sh, 'outlets', outlets, 'last_at', now_s, 'first_id', aid, 'first_at', now_s)
  else
    redis.call('HSET', sh, 'outlets', outlets, 'last_at', now_s)
  end
  redis.call('EXPIRE', sh, story_ttl)
  redis.call('EXPIRE', oset, story_ttl)
  return story, math.floor(sim * 1000 + 0.5), outlets, articles, new, 0
end

local out = {}
for a = 9, #ARGV, 4 do
  local story, sim, outlets, articles, new, repeated = assign(ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3])
  out[#out + 1] = struct.pack('>I2', #story) .. story .. struct.pack('>I2I4I4BB', sim, outlets, articles, new, repeated)
end
-- A slice's expiry is fixed when it is created. The slice that no decision
-- reads any more is unlinked on every call (a no-op once gone), so it is freed
-- in the background even when no write lands in the minute before its TTL
-- (a large hash expiring would block Redis while it is freed).
redis.call('EXPIRE', KEYS[cur], slice_ttl, 'NX')
redis.call('UNLINK', KEYS[nslices + 1])
return table.concat(out)
"""
for _name, _value in (("BAND_FIELD", BAND_FIELD), ("BANDS", BANDS), ("SKETCH_SIZE", SKETCH_SIZE)):
    _ASSIGN = _ASSIGN.replace(_name, str(_value))
_RESULT = struct.Struct(">HIIBB")


class StoryKeys:
    """Key layout; every key carries the one hash tag ``{stories}``.

    One tag keeps the whole decision in one script on Redis Cluster, at the
    cost of placing story state on one node (a slice hash is one key: a few
    KB per article of the slice, and it cannot be split across nodes).
    """

    def __init__(self, prefix: str) -> None:
        self.base = f"{prefix}:{{stories}}"

    def slice(self, slice_s: int, number: int) -> str:
        """HASH of the articles decided from ``number * slice_s`` for ``slice_s`` seconds (epoch time).

        Field ``@<article id>``: the article's record, ``pack(">dH", at,
        len(story)) + story + sketch``. Field ``<band index byte><band rows>``
        (``BAND_FIELD`` bytes): an LSH bucket, the newest ``BUCKET_KEEP`` ids of
        the slice whose signature has this band, each ``pack(">H", len(id)) +
        id``. Expires a window after the slice ends; unlinked earlier when a
        worker opens the slice after next.
        """
        return f"{self.base}:w:{slice_s}:{number}"

    def story(self, story_id: str) -> str:
        """HASH first_id, first_at, last_at, articles, outlets (distinct sources)."""
        return f"{self.base}:s:{story_id}"

    def outlets(self, story_id: str) -> str:
        """SET of outlet names that carried the story."""
        return f"{self.story(story_id)}:outlets"


class RedisStoryIndex:
    """The shared index in Redis: each decision is atomic, in a Lua call for up to ``SCRIPT_BATCH`` articles.

    Needs a client that returns bytes (no ``decode_responses``): the script's
    answer is packed binary.
    """

    def __init__(
        self, redis: Any, prefix: str, *, window_s: int, story_ttl_s: int, threshold: float = DEFAULT_THRESHOLD
    ) -> None:
        self.redis = redis
        self.keys = StoryKeys(prefix)
        self.window_s = max(1, int(window_s))
        self.slice_s = slice_seconds(self.window_s)
        self.story_ttl_s = int(max(story_ttl_s, window_s))
        self.threshold = threshold
        self._story_pfx = self.keys.base + ":s:"
        self._script = redis.register_script(_ASSIGN)
        from redis.asyncio import RedisCluster  # here: the decision logic above needs no Redis client

        # redis-py refuses EVALSHA in a Cluster pipeline: there the calls go one after another, in order.
        self._pipelined = not isinstance(redis, RedisCluster)

    def _context(self, now: float) -> tuple[list[str], list[Any]]:
        """KEYS and the leading ARGV shared by every decision at ``now``."""
        now = time_stamp(now)
        lo, cur, hi = slice_range(now, self.window_s, self.slice_s)
        keys = [self.keys.slice(self.slice_s, k) for k in range(lo, hi + 1)]
        keys.append(self.keys.slice(self.slice_s, lo - 1))
        ttl = math.ceil((cur + 1) * self.slice_s + self.window_s + CLOCK_SKEW_S - now) + 1
        head = [f"{now:.3f}", self.window_s, self.story_ttl_s, self.threshold, self._story_pfx, BUCKET_KEEP,
                cur - lo + 1, ttl]  # fmt: skip
        return keys, head

    @staticmethod
    def _results(raw: bytes) -> list[StoryAssignment]:
        out = []
        pos = 0
        while pos < len(raw):
            n = int.from_bytes(raw[pos : pos + 2], "big")
            story = raw[pos + 2 : pos + 2 + n].decode()
            pos += 2 + n
            sim, outlets, articles, new, repeated = _RESULT.unpack_from(raw, pos)
            pos += _RESULT.size
            out.append(StoryAssignment(story, sim / 1000.0, outlets, articles, bool(new), bool(repeated)))
        return out

    async def assign(self, fp: Fingerprint, now: float | None = None) -> StoryAssignment:
        (res,) = await self.assign_many([fp], now)
        return res

    async def assign_many(self, fps: list[Fingerprint], now: float | None = None) -> list[StoryAssignment]:
        """Assign a batch in one round trip, ``SCRIPT_BATCH`` articles per script call.

        The articles are decided in order, so copies within a batch join.
        """
        if not fps:
            return []
        keys, head = self._context(time.time() if now is None else now)
        calls = []
        for i in range(0, len(fps), SCRIPT_BATCH):
            args = list(head)
            for fp in fps[i : i + SCRIPT_BATCH]:
                if fp.sketch:
                    args += (fp.article_id, fp.sketch, fp.outlet, fp.bands)
                else:
                    args += (fp.article_id, b"", fp.outlet, b"")
            calls.append(args)
        if self._pipelined:
            async with self.redis.pipeline(transaction=False) as pipe:
                for args in calls:
                    await self._script(keys=keys, args=args, client=pipe)
                replies = await pipe.execute()
        else:
            replies = [await self._script(keys=keys, args=args) for args in calls]
        out = [a for raw in replies for a in self._results(raw)]
        if len(out) != len(fps):
            raise RuntimeError(f"story script answered {len(out)} assignments for {len(fps)} articles")
        return out

    async def info(self, story_id: str) -> dict[str, Any] | None:
        """The story's counters for alert history and the dashboard; None once expired."""
        raw = await self.redis.hgetall(self.keys.story(story_id))
        if not raw:
            return None
        out: dict[str, Any] = {k.decode() if isinstance(k, bytes) else k: v for k, v in raw.items()}
        for k, v in list(out.items()):
            s = v.decode() if isinstance(v, bytes) else v
            out[k] = int(s) if k in ("articles", "outlets") else (float(s) if k.endswith("_at") else s)
        out["story_id"] = story_id
        return out

    async def outlets(self, story_id: str) -> list[str]:
        members = await self.redis.smembers(self.keys.outlets(story_id))
        return sorted(m.decode() if isinstance(m, bytes) else m for m in members)
