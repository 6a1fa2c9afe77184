"""Near-duplicate story decisions (in-memory index; the Redis script is tested in integration)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from newsmon.stories import fingerprints as fingerprints_module
from newsmon.stories.fingerprints import (
    BAND_FIELD,
    BANDS,
    SKETCH_SIZE,
    band_fields,
    fingerprint,
    fingerprint_many,
    outlet_of,
    shingles,
    signature,
    similarity,
    word_hashes,
)
from newsmon.stories.index import BUCKET_KEEP, MemoryStoryIndex

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
HOUR = 3600.0


def _edit_words(text: str, frac: float, seed: int) -> str:
    rng = random.Random(seed)
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * frac)):
        words[i] = "zzword"
    return " ".join(words)


def _long_text(seed: int, words: int = 600) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(words))


def _jaccard(a: str, b: str) -> float:
    sa, sb = set(shingles(a).tolist()), set(shingles(b).tolist())
    return len(sa & sb) / len(sa | sb)


def test_signature__identical_text_has_similarity_one_and_unrelated_text_low() -> None:
    a, b, c = fingerprint("a", BODY), fingerprint("b", BODY), fingerprint("c", OTHER)
    assert a.sketch is not None and b.sketch is not None and c.sketch is not None
    assert similarity(a.sketch, b.sketch) == 1.0
    assert similarity(a.sketch, c.sketch) < 0.1


def test_similarity__texts_with_fewer_distinct_shingles_than_the_sketch_get_exact_jaccard() -> None:
    edited = _edit_words(BODY, 0.2, 4)
    a, b = fingerprint("a", BODY), fingerprint("b", edited)
    assert a.sketch is not None and b.sketch is not None
    assert len(a.sketch) // 4 < SKETCH_SIZE
    assert similarity(a.sketch, b.sketch) == pytest.approx(_jaccard(BODY, edited))


def test_similarity__long_texts_use_the_smallest_hashes_of_the_union() -> None:
    a_text = _long_text(1)
    b_text = " ".join(a_text.split()[:400]) + " " + _long_text(2, 200)
    a, b = fingerprint("a", a_text), fingerprint("b", b_text)
    assert a.sketch is not None and b.sketch is not None
    assert len(a.sketch) // 4 == SKETCH_SIZE == len(b.sketch) // 4
    sa, sb = set(shingles(a_text).tolist()), set(shingles(b_text).tolist())
    sample = sorted(sa | sb)[:SKETCH_SIZE]
    expected = sum(1 for x in sample if x in sa and x in sb) / SKETCH_SIZE
    assert similarity(a.sketch, b.sketch) == expected
    # An estimate, so near the true Jaccard (~0.5) but not equal to it.
    assert abs(expected - _jaccard(a_text, b_text)) < 0.15


def test_words__same_word_same_hash_wherever_it_stands_and_whatever_the_case_or_punctuation() -> None:
    a = word_hashes("Rates rose, said the Bank.")
    b = word_hashes("the bank said: rates ROSE")
    assert sorted(a.tolist()) == sorted(b.tolist())
    assert len(set(a.tolist())) == 5
    assert word_hashes("").size == 0 and word_hashes(" ... ").size == 0


def test_words__text_longer_than_the_power_tables_hashes_its_words_as_a_short_one() -> None:
    long_text = "filler " * 20_000 + "rates rose"
    assert len(long_text) > 1 << 17
    assert word_hashes(long_text)[-2:].tolist() == word_hashes("rates rose").tolist()


def test_words__typographic_quotes_dashes_and_spaces_break_words_as_ascii_ones_do() -> None:
    plain = shingles('"Rates" rose - again... said the bank')
    fancy = shingles("\u201cRates\u201d rose\u2014again\u2026 said\u00a0the\u2003bank")
    assert plain.tolist() == fancy.tolist()
    assert word_hashes("caf\u00e9 na\u00efve").size == 2


def test_bands__one_field_per_band_carrying_its_index_and_rows() -> None:
    sig = signature(np.unique(shingles(BODY)))
    blob = band_fields(sig)
    assert len(blob) == BANDS * BAND_FIELD
    fields = [blob[i : i + BAND_FIELD] for i in range(0, len(blob), BAND_FIELD)]
    assert [f[0] for f in fields] == list(range(BANDS))
    assert len(set(fields)) == BANDS
    # Record fields start with "@": a band field never does.
    assert all(f[:1] != b"@" for f in fields)


def test_fingerprint__overlong_id_is_refused() -> None:
    with pytest.raises(ValueError):
        fingerprint("a" * 5000, BODY)


@pytest.mark.parametrize("group_bytes", [fingerprints_module.GROUP_BYTES, 600])
def test_fingerprint_many__a_chunk_gets_what_each_article_gets_alone(
    group_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fingerprints_module, "GROUP_BYTES", group_bytes)
    texts = [
        BODY,
        "",  # no words
        "Shares rose.",  # fewer words than a shingle
        "Shares rose 3 pct vs 2 pct a year ago, the company said.",  # too few distinct shingles
        OTHER,
        "buy " * 200,  # many shingles, one distinct
        "\u201cStra\u00dfe\u201d caf\u00e9 \u2014 na\u00efve " * 30 + BODY,  # casefold lengthens, non-ASCII breaks
        _edit_words(BODY, 0.2, seed=1),
        _long_text(7, words=3000),  # longer than the sketch
        "\u0627\u0644\u0628\u0646\u0643 \u0627\u0644\u0645\u0631\u0643\u0632\u064a \u0631\u0641\u0639 " * 20,
    ]
    items = [(f"a{i}", text, "Wire" if i % 2 else None, f"https://www.x{i}.example/p") for i, text in enumerate(texts)]
    alone = [fingerprint(aid, text, source=source, url=url) for aid, text, source, url in items]
    assert sum(fp.sketch is not None for fp in alone) >= 5 and sum(fp.sketch is None for fp in alone) >= 4
    assert fingerprint_many(items) == alone
    assert fingerprint_many(items[::-1]) == alone[::-1]
    assert [fingerprint_many([item]) for item in items] == [[fp] for fp in alone]
    assert fingerprint_many([]) == []


def test_fingerprint_many__overlong_id_is_refused() -> None:
    with pytest.raises(ValueError):
        fingerprint_many([("a", BODY, None, None), ("a" * 5000, BODY, None, None)])


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


def test_story__copy_in_the_previous_slice_joins_while_within_the_window() -> None:
    index = MemoryStoryIndex(window_s=int(HOUR))
    index.assign(fingerprint("a1", BODY), now=0.5 * HOUR)  # slice 0
    res = index.assign(fingerprint("a2", BODY), now=1.4 * HOUR)  # slice 1 reads slice 0
    assert res.story_id == "a1" and not res.new_story


def test_story__entry_older_than_the_window_never_matches_though_its_slice_is_still_read() -> None:
    index = MemoryStoryIndex(window_s=int(HOUR))
    index.assign(fingerprint("a1", BODY), now=0.2 * HOUR)  # slice 0
    # At 1.3 h slice 0 is still read (it holds entries from 0.3 h on), but a1 is 1.1 h old.
    res = index.assign(fingerprint("a2", BODY), now=1.3 * HOUR)
    assert res.new_story and res.story_id == "a2"


def test_story__story_carries_on_through_a_later_copy_while_the_first_ages_out() -> None:
    index = MemoryStoryIndex(window_s=int(HOUR))
    index.assign(fingerprint("a1", BODY), now=0.2 * HOUR)
    index.assign(fingerprint("a2", BODY), now=0.9 * HOUR)
    res = index.assign(fingerprint("a3", BODY), now=1.5 * HOUR)  # a1 too old, a2 is not
    assert res.story_id == "a1" and res.articles == 3


def test_story__redelivery_after_the_window_is_a_new_decision() -> None:
    index = MemoryStoryIndex(window_s=int(HOUR))
    index.assign(fingerprint("a1", BODY), now=0.0)
    res = index.assign(fingerprint("a1", BODY), now=1.5 * HOUR)
    assert not res.repeated and res.story_id == "a1" and res.articles == 2


def test_story__slices_no_decision_reads_are_dropped() -> None:
    index = MemoryStoryIndex(window_s=int(HOUR))
    for i in range(10):
        index.assign(fingerprint(f"a{i}", _long_text(i)), now=i * HOUR)
    assert sorted(index._slices) == [8, 9]


def test_story__bucket_keeps_only_the_newest_ids() -> None:
    index = MemoryStoryIndex()
    n = BUCKET_KEEP + 5
    for i in range(n):
        index.assign(fingerprint(f"a{i:02d}", BODY), now=float(i))
    fp = fingerprint("x", BODY)
    (sl,) = index._slices.values()
    bucket = sl.buckets[fp.bands[:BAND_FIELD]]
    assert bucket == [f"a{i:02d}" for i in range(n - 1, n - 1 - BUCKET_KEEP, -1)]


def test_story__too_short_text_is_never_clustered() -> None:
    index = MemoryStoryIndex()
    index.assign(fingerprint("a1", "Shares rose 3 pct."), now=1.0)
    res = index.assign(fingerprint("a2", "Shares rose 3 pct."), now=2.0)
    assert res.story_id == "a2"


def test_story__repeated_words_are_too_few_distinct_shingles() -> None:
    assert fingerprint("a", "buy " * 200).sketch is None


def test_outlet__source_name_wins_then_url_host() -> None:
    assert outlet_of(" Reuters ", "https://www.example.com/x") == "reuters"
    assert outlet_of(None, "https://www.Example.com/x") == "example.com"
    assert outlet_of(None, None) == "unknown"
