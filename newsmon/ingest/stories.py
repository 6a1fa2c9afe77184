"""Near-duplicate stories: one story id however many outlets carry an article.

Runs in the classify agent right after normalization (``Runtime.assign_story``).
An article's normalized body is cut into word shingles and summarised by a
MinHash signature; locality-sensitive hashing over bands of the signature
finds earlier articles that may be copies, and the fraction of equal MinHash
values (an estimate of the Jaccard similarity of the shingle sets) decides.
A copy joins the story of its most similar earlier article; otherwise the
article opens a story whose id is its own id.

State lives in Redis for a time window (``NEWSMON_STORY_WINDOW_HOURS``):
band buckets and per-article signatures expire after it, so only copies
published within the window join a story. The decision and every write is
one Lua script, so two workers racing on two copies of one story still give
one story id, and a redelivered article gets the id it got before without
counting twice. Per story a hash keeps the number of articles and of
distinct outlets (sources), for alert history and the dashboard.

Everything except :class:`RedisStoryIndex` is plain Python; the in-memory
:class:`MemoryStoryIndex` makes the same decisions and serves unit tests and
the benchmark.
"""

from __future__ import annotations

import string
import time
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np

NUM_PERM = 128
BANDS = 42  # rows per band = NUM_PERM // BANDS (3); candidates from Jaccard ~0.3 upwards
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 3
# Below this many shingles a text is too short to tell a copy from a template
# ("Shr 10 cts vs 12 cts"); such articles keep their own story.
MIN_SHINGLES = 8
DEFAULT_THRESHOLD = 0.45
# Buckets keep the newest ids only: a bucket shared by hundreds of articles
# (a boilerplate-only text) must not turn every lookup into a scan.
BUCKET_KEEP = 16

_rng = np.random.default_rng(20240216)  # fixed: signatures must agree across processes and restarts
# Multiply-shift hashing: odd 64-bit multipliers, products wrap modulo 2**64 on purpose.
_A = _rng.integers(1, 1 << 63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 1 << 63, size=NUM_PERM, dtype=np.uint64)
_MIX = _rng.integers(1, 1 << 63, size=8, dtype=np.uint64) | np.uint64(1)
_SHIFT = np.uint64(32)
# Punctuation becomes a word break; a str.translate + split is several times faster than a regex.
_PUNCT = string.punctuation + "\u2018\u2019\u201c\u201d\u00ab\u00bb\u2013\u2014\u2026"
_BREAKS = str.maketrans(dict.fromkeys(_PUNCT, " "))
_word_hashes: dict[str, int] = {}
_WORD_CACHE_MAX = 500_000


def _word_hash(word: str) -> int:
    h = _word_hashes.get(word)
    if h is None:
        if len(_word_hashes) >= _WORD_CACHE_MAX:
            _word_hashes.clear()
        h = _word_hashes[word] = zlib.crc32(word.encode("utf-8"))
    return h


def shingles(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Stable 32-bit hashes of the ``k``-word shingles of ``text`` (case-folded words)."""
    words = text.casefold().translate(_BREAKS).split()
    if not words:
        return np.empty(0, dtype=np.uint64)
    w = np.fromiter((_word_hash(x) for x in words), dtype=np.uint64, count=len(words))
    k = min(k, len(w))
    n = len(w) - k + 1
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            acc += w[j : j + n] * _MIX[j]
    # Repeated shingles are left in: they cannot change a minimum.
    return acc >> _SHIFT


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` big-endian uint32 values) of shingle hashes."""
    with np.errstate(over="ignore"):
        hv = (np.outer(_A, hashes) + _B[:, None]) >> _SHIFT
    return hv.min(axis=1).astype(">u4")


def band_keys(sig: np.ndarray) -> list[str]:
    """One bucket name per band: band index and a hash of its rows."""
    raw = sig.tobytes()
    width = ROWS * 4
    return [f"{b}:{zlib.crc32(raw[b * width : (b + 1) * width]):08x}" for b in range(BANDS)]


def similarity(a: bytes, b: bytes) -> float:
    """Fraction of equal MinHash values of two packed signatures (estimates Jaccard)."""
    va = np.frombuffer(a, dtype=">u4")
    vb = np.frombuffer(b, dtype=">u4")
    return float(np.count_nonzero(va == vb)) / len(va)


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
    """What the index needs of an article; ``sig`` is None when the text is too short."""

    article_id: str
    outlet: str
    sig: bytes | None
    bands: list[str] = field(default_factory=list)


def fingerprint(article_id: str, body: str, *, source: str | None = None, url: str | None = None) -> Fingerprint:
    hs = shingles(body)
    if hs.size < MIN_SHINGLES or (hs.size < 4 * MIN_SHINGLES and np.unique(hs).size < MIN_SHINGLES):
        return Fingerprint(article_id, outlet_of(source, url), None)
    sig = signature(hs)
    return Fingerprint(article_id, outlet_of(source, url), sig.tobytes(), band_keys(sig))


@dataclass(slots=True)
class StoryAssignment:
    story_id: str
    similarity: float  # to the matched article; 1.0 for a story's first article
    outlets: int
    articles: int
    new_story: bool
    repeated: bool = False  # this article id was assigned before (redelivery)


class MemoryStoryIndex:
    """In-process index with the same decisions as the Redis script (tests, benchmarks).

    Expiry is by the ``now`` passed in: entries older than ``window_s`` are ignored.
    """

    def __init__(self, *, threshold: float = DEFAULT_THRESHOLD, window_s: float = 72 * 3600) -> None:
        self.threshold = threshold
        self.window_s = window_s
        self._buckets: dict[str, list[tuple[str, float]]] = {}
        self._articles: dict[str, tuple[bytes | None, str, float]] = {}  # id -> sig, story, at
        self._outlets: dict[str, set[str]] = {}
        self._count: dict[str, int] = {}

    def assign(self, fp: Fingerprint, now: float | None = None) -> StoryAssignment:
        now = time.time() if now is None else now
        prior = self._articles.get(fp.article_id)
        if prior is not None and now - prior[2] <= self.window_s:
            story = prior[1]
            return StoryAssignment(story, 1.0, len(self._outlets[story]), self._count[story], False, True)
        best_id, best_sim = None, 0.0
        if fp.sig is not None:
            seen: set[str] = set()
            for band in fp.bands:
                for cand, at in self._buckets.get(band, ()):
                    if cand in seen or now - at > self.window_s:
                        continue
                    seen.add(cand)
                    other = self._articles.get(cand)
                    if other is None or other[0] is None:
                        continue
                    sim = similarity(fp.sig, other[0])
                    if sim > best_sim or (sim == best_sim and best_id is not None and cand < best_id):
                        best_id, best_sim = cand, sim
        if best_id is not None and best_sim >= self.threshold:
            story, new, sim = self._articles[best_id][1], False, best_sim
        else:
            story, new, sim = fp.article_id, True, 1.0
        self._articles[fp.article_id] = (fp.sig, story, now)
        if fp.sig is not None:
            for band in fp.bands:
                bucket = self._buckets.setdefault(band, [])
                bucket.insert(0, (fp.article_id, now))
                del bucket[BUCKET_KEEP:]
        self._outlets.setdefault(story, set()).add(fp.outlet)
        self._count[story] = self._count.get(story, 0) + 1
        return StoryAssignment(story, sim, len(self._outlets[story]), self._count[story], new)


# KEYS: 1 article hash, 2 story hash (of this article as a new story), 3 outlets set
#       (of this article as a new story), 4.. band lists.
# ARGV: 1 article id, 2 signature (packed, may be empty), 3 outlet, 4 window s,
#       5 story ttl s, 6 threshold, 7 now, 8 key prefix for story keys, 9 bucket keep,
#       10 key prefix for article keys.
# Returns {story id, similarity*1000, outlets, articles, new(0/1), repeated(0/1)}.
# Candidate keys are derived in the script; all keys share one hash tag, so this
# is valid on Redis Cluster.
_ASSIGN = """
local aid, sig, outlet = ARGV[1], ARGV[2], ARGV[3]
local window, story_ttl, threshold, now = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local story_pfx, keep, art_pfx = ARGV[8], tonumber(ARGV[9]), ARGV[10]
local prior = redis.call('HGET', KEYS[1], 'story')
if prior then
  local sh = story_pfx .. prior
  return {prior, 1000, tonumber(redis.call('HGET', sh, 'outlets') or '0'),
          tonumber(redis.call('HGET', sh, 'articles') or '0'), 0, 1}
end
local best, best_sim = false, -1
if #sig > 0 then
  local n = #sig / 4
  local fmt = '>' .. string.rep('I4', n)
  -- struct.unpack is one C call; comparing numbers beats 2n string.sub calls.
  local mine = {struct.unpack(fmt, sig)}
  local seen = {}
  for i = 4, #KEYS do
    local ids = redis.call('LRANGE', KEYS[i], 0, keep - 1)
    for _, cand in ipairs(ids) do
      if not seen[cand] then
        seen[cand] = true
        local other = redis.call('HGET', art_pfx .. cand, 'sig')
        if other and #other == #sig then
          local theirs = {struct.unpack(fmt, other)}
          local same = 0
          for j = 1, n do
            if mine[j] == theirs[j] then same = same + 1 end
          end
          local sim = same / n
          if sim > best_sim or (sim == best_sim and best and cand < best) then
            best, best_sim = cand, sim
          end
        end
      end
    end
  end
end
local story, new, sim = aid, 1, 1
if best and best_sim >= threshold then
  local s = redis.call('HGET', art_pfx .. best, 'story')
  if s then story, new, sim = s, 0, best_sim end
end
redis.call('HSET', KEYS[1], 'sig', sig, 'story', story, 'at', now)
redis.call('EXPIRE', KEYS[1], window)
if #sig > 0 then
  for i = 4, #KEYS do
    if redis.call('LPUSH', KEYS[i], aid) > keep then
      redis.call('LTRIM', KEYS[i], 0, keep - 1)
    end
    redis.call('EXPIRE', KEYS[i], window)
  end
end
local sh = story_pfx .. story
local oset = sh .. ':outlets'
redis.call('SADD', oset, outlet)
local outlets = redis.call('SCARD', oset)
local articles = redis.call('HINCRBY', sh, 'articles', 1)
if new == 1 then redis.call('HSET', sh, 'first_id', aid, 'first_at', now) end
redis.call('HSET', sh, 'outlets', outlets, 'last_at', now)
redis.call('EXPIRE', sh, story_ttl)
redis.call('EXPIRE', oset, story_ttl)
return {story, math.floor(sim * 1000 + 0.5), outlets, articles, new, 0}
"""


class StoryKeys:
    """Key layout; every key carries the one hash tag ``{stories}``.

    One tag keeps the whole decision in one script on Redis Cluster, at the
    cost of placing story state on one node (small: ~1 KB per article in
    the window).
    """

    def __init__(self, prefix: str) -> None:
        self.base = f"{prefix}:{{stories}}"

    def article(self, article_id: str) -> str:
        """HASH sig (packed MinHash), story, at; expires with the window."""
        return f"{self.base}:a:{article_id}"

    def band(self, band: str) -> str:
        """LIST of the newest article ids whose signature has this band; expires with the window."""
        return f"{self.base}:b:{band}"

    def story(self, story_id: str) -> str:
        """HASH first_id, first_at, last_at, articles, outlets (distinct sources)."""
        return f"{self.base}:s:{story_id}"

    def outlets(self, story_id: str) -> str:
        """SET of outlet names that carried the story."""
        return f"{self.story(story_id)}:outlets"


class RedisStoryIndex:
    """The shared index in Redis; :meth:`assign` is one atomic Lua call."""

    def __init__(
        self, redis: Any, prefix: str, *, window_s: int, story_ttl_s: int, threshold: float = DEFAULT_THRESHOLD
    ) -> None:
        self.redis = redis
        self.keys = StoryKeys(prefix)
        self.window_s = int(window_s)
        self.story_ttl_s = int(max(story_ttl_s, window_s))
        self.threshold = threshold
        self._script = redis.register_script(_ASSIGN)

    def _call(self, fp: Fingerprint, now: float) -> tuple[list[str], list[Any]]:
        keys = [self.keys.article(fp.article_id), self.keys.story(fp.article_id), self.keys.outlets(fp.article_id)]
        keys += [self.keys.band(b) for b in fp.bands]
        args = [
            fp.article_id, fp.sig or b"", fp.outlet, self.window_s, self.story_ttl_s, self.threshold,
            f"{now:.3f}", self.keys.base + ":s:", BUCKET_KEEP, self.keys.base + ":a:",
        ]  # fmt: skip
        return keys, args

    @staticmethod
    def _result(res: Any) -> StoryAssignment:
        story = res[0].decode() if isinstance(res[0], bytes) else str(res[0])
        return StoryAssignment(
            story_id=story,
            similarity=int(res[1]) / 1000.0,
            outlets=int(res[2]),
            articles=int(res[3]),
            new_story=bool(int(res[4])),
            repeated=bool(int(res[5])),
        )

    async def assign(self, fp: Fingerprint, now: float | None = None) -> StoryAssignment:
        keys, args = self._call(fp, time.time() if now is None else now)
        return self._result(await self._script(keys=keys, args=args))

    async def assign_many(self, fps: list[Fingerprint], now: float | None = None) -> list[StoryAssignment]:
        """Assign a batch in one round trip; the scripts run in order, so copies within a batch join."""
        if not fps:
            return []
        now = time.time() if now is None else now
        async with self.redis.pipeline(transaction=False) as pipe:
            for fp in fps:
                keys, args = self._call(fp, now)
                await self._script(keys=keys, args=args, client=pipe)
            results = await pipe.execute()
        return [self._result(r) for r in results]

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
