"""Story decisions: which earlier article a copy joins, and the in-memory index.

State is kept for a time window (``NEWSMON_STORY_WINDOW_HOURS``) in time slices
one window long: each slice holds the LSH buckets of the articles decided in
it (the newest ids per bucket) and their records (time, story, sketch). A
decision reads the current and the previous slice; every record carries its
time and older ones never match, so only copies published within the window
join a story. Workers' clocks choose the slice: near a slice boundary, entries
written by a worker whose clock differs by more than ``CLOCK_SKEW_S`` can be
missed by another for that long (a copy then opens its own story).

:class:`MemoryStoryIndex` makes the same decisions as the Redis script of
:mod:`newsmon.stories.redis_index` and serves unit tests and the benchmark.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from newsmon.stories.fingerprints import BAND_FIELD, Fingerprint, similarity

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


def time_stamp(now: float) -> float:
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
        now = time_stamp(time.time() if now is None else now)
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
