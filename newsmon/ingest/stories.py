"""Near-duplicate stories: one story id however many outlets carry an article.

Runs in the pipeline agent right after normalization (``Runtime.assign_stories``).
An article's normalized body is cut into word shingles, each hashed to 32
bits, and summarised twice: a MinHash signature whose bands are the buckets of
locality-sensitive hashing, which find earlier articles that may be copies,
and a bottom-k sketch (the ``SKETCH_SIZE`` smallest distinct shingle hashes)
from which the Jaccard similarity of two texts is estimated, exactly for texts
with fewer distinct shingles. A copy joins the story of its most similar
earlier article when the estimate reaches the threshold; otherwise the article
opens a story whose id is its own id.

State lives in Redis for a time window (``NEWSMON_STORY_WINDOW_HOURS``), in
time slices one window long: one hash per slice holds the LSH buckets of the
articles decided in it (the newest ids per bucket) and their records (time,
story, sketch). A decision reads the current and the previous slice with one
HMGET each (all its buckets and its own record at once), fetches the
candidates' records with one more, and writes the current slice with one
HSET: about a dozen Redis calls whatever the number of bands. Slices hold
entries older than the window; every record carries its time and older ones
never match, so only copies published within the window join a story. A
slice expires a window after it ends, and when a worker opens a new slice it
unlinks the one no decision reads any more (freed in the background: a large
hash expiring would block Redis while it is freed), so at most about two
windows of articles are kept.

The decisions and every write are one Lua script (several articles per call,
decided in order), so two workers racing on two copies of one story still give
one story id, and a redelivered article gets the id it got before without
counting twice. Per story a hash keeps the number of articles and of distinct
outlets (sources), for alert history and the dashboard.

Workers' clocks choose the slice: near a slice boundary, entries written by a
worker whose clock differs by more than ``CLOCK_SKEW_S`` can be missed by
another for that long (a copy then opens its own story).

The key layout and the hashing changed with the slices (before: one list per
bucket and one hash per article, and MinHash equality as the estimate); state
written by the older version is ignored and expires, so copies of articles
seen before the upgrade open new stories once.

Everything except :class:`RedisStoryIndex` is plain Python; the in-memory
:class:`MemoryStoryIndex` makes the same decisions and serves unit tests and
the benchmark.
"""

from __future__ import annotations

import math
import string
import struct
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np

BANDS = 42
ROWS = 3  # rows per band: candidates from Jaccard ~0.3 upwards
NUM_PERM = BANDS * ROWS  # MinHash values, for the LSH bands only
# The similarity estimate uses a bottom-k sketch: the SKETCH_SIZE smallest
# distinct shingle hashes. For a given size it estimates Jaccard with less
# variance than the fraction of equal MinHash values (sampling without
# replacement), and exactly for texts with fewer distinct shingles.
SKETCH_SIZE = 128
SHINGLE_WORDS = 3
# Below this many distinct shingles a text is too short to tell a copy from a template
# ("Shr 10 cts vs 12 cts"); such articles keep their own story.
MIN_SHINGLES = 8
DEFAULT_THRESHOLD = 0.45
# Buckets keep the newest ids only (per slice): a bucket shared by hundreds of
# articles (a boilerplate-only text) must not turn every lookup into a scan.
BUCKET_KEEP = 16
# Slices per window: more slices bound memory closer to one window (at most
# 1 + 1/SLICES_PER_WINDOW windows are kept) but cost one more HMGET per
# decision each, and those lookups are most of a decision's cost.
SLICES_PER_WINDOW = 1
# A decision also reads the next slice when it starts within this many seconds,
# so a worker whose clock runs a little ahead is still seen.
CLOCK_SKEW_S = 60
# Articles per script call: each costs Redis ~0.1 ms, and other clients wait
# while a script runs.
SCRIPT_BATCH = 32
MAX_ID_CHARS = 1000
# One LSH bucket is a hash field: the band's index as one byte (below 64, so
# never "@", which starts record fields) and the band's rows as they are.
BAND_FIELD = 1 + 4 * ROWS
assert ord("@") > BANDS

_rng = np.random.default_rng(20240216)  # fixed: hashes must agree across processes and restarts
# Multiply-shift mixing of word hashes into shingle hashes: odd 64-bit
# multipliers, products wrap modulo 2**64 on purpose.
_MIX = _rng.integers(1, 1 << 63, size=8, dtype=np.uint64) | np.uint64(1)
_SHIFT = np.uint64(32)
# MinHash permutations x -> a*x mod 2**32 (a odd, so a bijection). Shingle hashes
# are already well mixed; 32-bit products run on twice the SIMD lanes of 64-bit
# ones. They only pick LSH candidates; the sketch decides.
_PERM = _rng.integers(1, 1 << 32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
_BAND_TEMPLATE = np.zeros((BANDS, BAND_FIELD), dtype=np.uint8)
_BAND_TEMPLATE[:, 0] = np.arange(BANDS)

# Words are maximal runs of bytes that are neither ASCII punctuation, whitespace
# nor NUL, in the UTF-8 of the case-folded text; the non-ASCII quotes, dashes
# and spaces below become spaces first. Words are hashed in numpy (a polynomial
# hash summed per run), not one Python object per word.
_UNICODE_BREAKS = [
    c.encode("utf-8")
    for c in "\u2018\u2019\u201c\u201d\u00ab\u00bb\u2013\u2014\u2026"  # punctuation
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"  # what str.split() takes for spaces
]
# Byte -> its value inside words, 0 for a break.
_WORD_BYTE = np.arange(256, dtype=np.uint64)
_WORD_BYTE[list((string.punctuation + string.whitespace + "\x1c\x1d\x1e\x1f\x00").encode())] = 0
_POLY = _rng.integers(1 << 62, 1 << 63, dtype=np.uint64) | np.uint64(1)
_POLY_INV = _POLY
with np.errstate(over="ignore"):
    for _ in range(6):  # Newton's iteration for the inverse modulo 2**64 (odd numbers have one)
        _POLY_INV = _POLY_INV * (np.uint64(2) - _POLY * _POLY_INV)
_FINAL = np.uint64(0xBF58476D1CE4E5B9)  # odd; with the xor-shift, high bits depend on every byte
_SHIFT31 = np.uint64(31)
_tables: tuple[np.ndarray, np.ndarray] = (np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint64))


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """POLY**i and POLY**-i modulo 2**64 for i < n (at least), grown by doubling."""
    global _tables
    tables = _tables  # one read: another thread may grow them meanwhile
    if tables[0].size < n:
        size = max(1 << 16, 1 << (n - 1).bit_length())
        with np.errstate(over="ignore"):
            tables = _tables = (
                np.cumprod(np.full(size, _POLY, dtype=np.uint64), dtype=np.uint64) * _POLY_INV,
                np.cumprod(np.full(size, _POLY_INV, dtype=np.uint64), dtype=np.uint64) * _POLY,
            )
    return tables


def word_hashes(text: str) -> np.ndarray:
    """A 64-bit hash (uint64) per word of ``text``, case-folded, in order."""
    folded = text.casefold()
    data = folded.encode("utf-8")
    if not folded.isascii():
        for seq in _UNICODE_BREAKS:
            data = data.replace(seq, b" ")
    # A space on both sides: every word starts after a flip from break to word.
    values = _WORD_BYTE.take(np.frombuffer(b" " + data + b" ", dtype=np.uint8))
    inword = values.astype(bool)
    starts = np.flatnonzero(inword[1:] != inword[:-1])[0::2] + 1
    if starts.size == 0:
        return np.empty(0, dtype=np.uint64)
    pw, inv = _power_tables(values.size)
    with np.errstate(over="ignore"):
        values *= pw[: values.size]
        # Breaks are 0, so a run from one start to the next sums just one word;
        # times POLY**-start it is the same wherever the word stands.
        w = np.add.reduceat(values, starts) * inv[starts]
        w ^= w >> _SHIFT31
        w *= _FINAL
    return w


def shingles(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Stable 32-bit hashes (uint32) of the ``k``-word shingles of ``text`` (case-folded words)."""
    w = word_hashes(text)
    if w.size == 0:
        return np.empty(0, dtype=np.uint32)
    k = min(k, w.size)  # a text shorter than a shingle is one shingle
    n = w.size - k + 1
    with np.errstate(over="ignore"):
        acc = w[:n] * _MIX[0]
        for j in range(1, k):
            acc += w[j : j + n] * _MIX[j]
    # Repeated shingles are left in: they cannot change a minimum.
    out = np.empty(n, dtype=np.uint32)
    np.right_shift(acc, _SHIFT, out=out, casting="unsafe")
    return out


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature: ``NUM_PERM`` uint32 minima of the (uint32) shingle hashes under the permutations."""
    return np.multiply(hashes[:, None], _PERM).min(axis=0)


def band_fields(sig: np.ndarray) -> bytes:
    """The LSH buckets of a signature, one ``BAND_FIELD``-byte hash field per band, concatenated.

    A bucket is the band's index and its rows as they are (hashing them would
    save 5 bytes per field at more CPU), so equal rows in different bands are
    different buckets.
    """
    out = _BAND_TEMPLATE.copy()
    out[:, 1:] = sig[: BANDS * ROWS].view(np.uint8).reshape(BANDS, BAND_FIELD - 1)
    return out.tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two texts from their packed sketches.

    Of the ``SKETCH_SIZE`` smallest hashes of the union (a bottom-k sketch of
    the union, found from the two sketches), the fraction in both; the Lua
    script computes the same by merging the two sorted lists.
    """
    va = np.frombuffer(a, dtype="<u4")
    vb = np.frombuffer(b, dtype="<u4")
    union = np.union1d(va, vb)[:SKETCH_SIZE]
    both = np.intersect1d(va, vb, assume_unique=True)
    return float(np.count_nonzero(both <= union[-1])) / union.size


def outlet_of(source: str | None, url: str | None) -> str:
    """The outlet that carried an article: its source name, else the URL's host."""
    if source and source.strip():
        return source.strip().casefold()
    if url:
        host = (urlsplit(url).hostname or "").lower()
        return host.removeprefix("www.") or "unknown"
    return "unknown"


@dataclass(slots=True)
class Fingerprint:
    """What the index needs of an article; ``sketch`` is None when the text is too short.

    ``sketch``: the bottom-k sketch, ascending little-endian uint32; ``bands``:
    :func:`band_fields` of the MinHash signature (empty without a sketch).
    """

    article_id: str
    outlet: str
    sketch: bytes | None
    bands: bytes = b""


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values; np.unique costs several times more on arrays this small."""
    if values.size == 0:
        return values
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def fingerprint(article_id: str, body: str, *, source: str | None = None, url: str | None = None) -> Fingerprint:
    """Everything the story index needs of an article (pure CPU, no I/O).

    Raises ValueError for an id longer than ``MAX_ID_CHARS`` (ids are 26
    characters; the script stores lengths in two bytes).
    """
    if len(article_id) > MAX_ID_CHARS:
        raise ValueError(f"article id longer than {MAX_ID_CHARS} characters")
    distinct = _distinct(shingles(body))
    outlet = outlet_of(source, url)
    if distinct.size < MIN_SHINGLES:
        return Fingerprint(article_id, outlet, None)
    return Fingerprint(
        article_id, outlet, distinct[:SKETCH_SIZE].astype("<u4", copy=False).tobytes(), band_fields(signature(distinct))
    )


@dataclass(slots=True)
class StoryAssignment:
    story_id: str
    similarity: float  # to the matched article; 1.0 for a story's first article
    outlets: int
    articles: int
    new_story: bool
    repeated: bool = False  # this article id was assigned before (redelivery)


def slice_seconds(window_s: float) -> int:
    """Length of one time slice for a window."""
    return max(1, int(window_s) // SLICES_PER_WINDOW)


def slice_range(now: float, window_s: float, slice_s: int) -> tuple[int, int, int]:
    """Slices a decision at ``now`` reads (``lo`` to ``hi``, inclusive) and the one it writes (``cur``)."""
    return (
        math.floor((now - window_s) / slice_s),
        math.floor(now / slice_s),
        math.floor((now + CLOCK_SKEW_S) / slice_s),
    )


def _stamp(now: float) -> float:
    # Redis stores the time as this 3-decimal string parsed by Lua; both
    # indexes compare the same double.
    return float(f"{now:.3f}")


@dataclass(slots=True)
class _Slice:
    buckets: dict[bytes, list[str]]  # band field -> newest article ids first
    records: dict[str, tuple[float, str, bytes | None]]  # article id -> at, story, sketch


class MemoryStoryIndex:
    """In-process index with the same decisions as the Redis script (tests, benchmarks).

    Expiry is by the ``now`` passed in: entries older than ``window_s`` are
    ignored, and slices no decision can read any more are dropped.
    """

    def __init__(self, *, threshold: float = DEFAULT_THRESHOLD, window_s: float = 72 * 3600) -> None:
        self.threshold = threshold
        self.window_s = max(1, int(window_s))  # as RedisStoryIndex has it
        self.slice_s = slice_seconds(self.window_s)
        self._slices: dict[int, _Slice] = {}
        self._outlets: dict[str, set[str]] = {}
        self._count: dict[str, int] = {}

    def assign(self, fp: Fingerprint, now: float | None = None) -> StoryAssignment:
        now = _stamp(time.time() if now is None else now)
        lo, cur, hi = slice_range(now, self.window_s, self.slice_s)
        slices = [s for s in (self._slices.get(k) for k in range(lo, hi + 1)) if s is not None]
        for sl in slices:
            prior = sl.records.get(fp.article_id)
            if prior is not None and now - prior[0] <= self.window_s:
                story = prior[1]
                return StoryAssignment(story, 1.0, len(self._outlets[story]), self._count[story], False, True)
        fields = [fp.bands[i : i + BAND_FIELD] for i in range(0, len(fp.bands), BAND_FIELD)] if fp.sketch else []
        best_id, best_sim, best_story = None, 0.0, ""
        if fp.sketch is not None:
            for sl in slices:
                seen: set[str] = set()
                for f in fields:
                    for cand in sl.buckets.get(f, ()):
                        if cand in seen:
                            continue
                        seen.add(cand)
                        rec = sl.records.get(cand)
                        if rec is None or now - rec[0] > self.window_s or rec[2] is None:
                            continue
                        sim = similarity(fp.sketch, rec[2])
                        if sim > best_sim or (sim == best_sim and best_id is not None and cand < best_id):
                            best_id, best_sim, best_story = cand, sim, rec[1]
        if best_id is not None and best_sim >= self.threshold:
            story, new, sim = best_story, False, best_sim
        else:
            story, new, sim = fp.article_id, True, 1.0
        if cur not in self._slices:
            for k in [k for k in self._slices if k < lo]:
                del self._slices[k]
            self._slices[cur] = _Slice({}, {})
        target = self._slices[cur]
        target.records[fp.article_id] = (now, story, fp.sketch)
        # New bucket contents from the old ones, as the script builds them.
        target.buckets.update({f: [fp.article_id, *target.buckets.get(f, ())[: BUCKET_KEEP - 1]] for f in fields})
        self._outlets.setdefault(story, set()).add(fp.outlet)
        self._count[story] = self._count.get(story, 0) + 1
        return StoryAssignment(story, sim, len(self._outlets[story]), self._count[story], new)


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
        now = _stamp(now)
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
