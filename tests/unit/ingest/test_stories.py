"""Near-duplicate story decisions (in-memory index; the Redis script is tested in integration)."""

from __future__ import annotations

import random

from newsmon.ingest.stories import MemoryStoryIndex, fingerprint, outlet_of, similarity

BODY = (
    "The central bank raised its benchmark interest rate by half a percentage point on Thursday, "
    "the largest increase in two decades, as policymakers tried to cool inflation that has run "
    "at its fastest pace in forty years. Officials said further increases were likely in the "
    "coming months, and markets fell sharply after the announcement. Analysts expected the "
    "decision to weigh on house prices and business investment through the rest of the year."
)
OTHER = (
    "Floods swept through three northern provinces after a week of heavy rain, forcing "
    "thousands of families from their homes and cutting roads to dozens of villages. Rescue "
    "teams used boats to reach people stranded on rooftops, and the government promised "
    "emergency funds for the worst hit districts while forecasters warned of more storms."
)


def _edit_words(text: str, frac: float, seed: int) -> str:
    rng = random.Random(seed)
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * frac)):
        words[i] = "zzword"
    return " ".join(words)


def test_signature__identical_text_has_similarity_one_and_unrelated_text_low() -> None:
    a, b, c = fingerprint("a", BODY), fingerprint("b", BODY), fingerprint("c", OTHER)
    assert a.sig is not None and b.sig is not None and c.sig is not None
    assert similarity(a.sig, b.sig) == 1.0
    assert similarity(a.sig, c.sig) < 0.1


def test_story__lightly_edited_copy_from_another_outlet_joins_the_first_story() -> None:
    index = MemoryStoryIndex()
    first = index.assign(fingerprint("a1", BODY, source="Wire"), now=100.0)
    copy = index.assign(fingerprint("a2", _edit_words(BODY, 0.1, 1), source="Daily"), now=101.0)
    assert first.new_story and first.story_id == "a1"
    assert not copy.new_story and copy.story_id == "a1"
    assert copy.outlets == 2 and copy.articles == 2


def test_story__unrelated_article_opens_its_own_story() -> None:
    index = MemoryStoryIndex()
    index.assign(fingerprint("a1", BODY), now=100.0)
    other = index.assign(fingerprint("b1", OTHER), now=101.0)
    assert other.new_story and other.story_id == "b1"


def test_story__same_outlet_twice_counts_one_outlet_two_articles() -> None:
    index = MemoryStoryIndex()
    index.assign(fingerprint("a1", BODY, source="Wire"), now=1.0)
    res = index.assign(fingerprint("a2", BODY + " Updated.", source="wire "), now=2.0)
    assert (res.outlets, res.articles) == (1, 2)


def test_story__redelivered_article_keeps_its_story_and_does_not_count_twice() -> None:
    index = MemoryStoryIndex()
    index.assign(fingerprint("a1", BODY, source="Wire"), now=1.0)
    index.assign(fingerprint("a2", BODY, source="Daily"), now=2.0)
    again = index.assign(fingerprint("a2", BODY, source="Daily"), now=3.0)
    assert again.repeated and again.story_id == "a1" and again.articles == 2


def test_story__copy_after_the_window_opens_a_new_story() -> None:
    index = MemoryStoryIndex(window_s=3600)
    index.assign(fingerprint("a1", BODY), now=0.0)
    late = index.assign(fingerprint("a2", BODY), now=7200.0)
    assert late.new_story and late.story_id == "a2"


def test_story__too_short_text_is_never_clustered() -> None:
    index = MemoryStoryIndex()
    index.assign(fingerprint("a1", "Shares rose 3 pct."), now=1.0)
    res = index.assign(fingerprint("a2", "Shares rose 3 pct."), now=2.0)
    assert res.story_id == "a2"


def test_outlet__source_name_wins_then_url_host() -> None:
    assert outlet_of(" Reuters ", "https://www.example.com/x") == "reuters"
    assert outlet_of(None, "https://www.Example.com/x") == "example.com"
    assert outlet_of(None, None) == "unknown"
