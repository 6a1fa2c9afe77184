"""Near-duplicate stories: one story id however many outlets carry an article.

Runs in the pipeline agent right after normalization (``Runtime.assign_stories``),
in the worker, not in the producers. An article's normalized body is cut into
word shingles and summarised (:mod:`~newsmon.stories.fingerprints`); a copy
joins the story of its most similar earlier article when the estimated Jaccard
similarity reaches the threshold, otherwise the article opens a story whose id
is its own id. :mod:`~newsmon.stories.index` holds the decision rules and an
in-memory index (unit tests, the benchmark); :mod:`~newsmon.stories.redis_index`
makes the same decisions atomically in Redis with one Lua script.
"""

from newsmon.stories.fingerprints import Fingerprint, fingerprint, fingerprint_many
from newsmon.stories.index import MemoryStoryIndex, StoryAssignment
from newsmon.stories.redis_index import RedisStoryIndex, StoryKeys

__all__ = [
    "Fingerprint",
    "MemoryStoryIndex",
    "RedisStoryIndex",
    "StoryAssignment",
    "StoryKeys",
    "fingerprint",
    "fingerprint_many",
]
