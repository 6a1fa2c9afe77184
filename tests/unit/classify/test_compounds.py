"""Compound heads (``endings`` in a language's topics.yaml): a noun that ends in a listed head word counts for it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsmon.classify import Classifier, LexiconError
from newsmon.classify.compounds import CompoundHeads
from newsmon.classify.lexicon import DATA_DIR, TopicCue
from tests.unit.classify.lang.topics import CRIME, EDUCATION, POLITICS, SPORT, top_topics

_CUE = TopicCue("medtop:02000000", 3.0, 0, "betrug")
# A German sentence without topic words, so that the headline is routed to German.
NEUTRAL = "Das wurde am Montag bekannt, wie es hieß, und mehr ist dazu noch nicht zu sagen."
HEADS = CompoundHeads.build({"betrug": (_CUE,)}, ("vorbetrug",))


def test_hits__a_capitalised_compound_ending_in_a_head_is_found_as_the_whole_word():
    text = "Der Millionenbetrug flog auf."
    [(start, end, cues)] = HEADS.hits(text, [], [])
    assert text[start:end] == "Millionenbetrug"
    assert cues == (_CUE,)


@pytest.mark.parametrize(
    "text",
    [
        "Der Betrug flog auf.",  # the head alone is a whole word: the automaton's business
        "Das millionenbetrug wurde klein geschrieben.",  # not a noun
        "Ein Abbetrug ist kein Wort.",  # two letters before the head
        "Der Vorbetrug ist eine Ausnahme.",  # listed exception
    ],
)
def test_hits__no_match_for_a_lone_head_lower_case_short_prefix_or_exception(text: str):
    assert HEADS.hits(text, [], []) == []


def test_hits__a_word_matched_at_its_start_keeps_that_match_alone():
    text = "Der Millionenbetrug flog auf."
    own = [(4, 19, ("own",))]
    assert HEADS.hits(text, own, []) == own


def test_hits__a_compound_in_a_duplicated_span_is_skipped():
    text = "Der Millionenbetrug flog auf."
    assert HEADS.hits(text, [], [(0, len(text))]) == []


def test_hits__added_hits_keep_text_order():
    text = "Ein Millionenbetrug und noch ein Steuerbetrug."
    own = [(24, 28, ("noch",))]
    starts = [h[0] for h in HEADS.hits(text, own, [])]
    assert starts == sorted(starts) and len(starts) == 3


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Millionenbetrug mit Anlegergeldern aufgeflogen", CRIME),
        ("Ganztagsschulen bekommen mehr Geld", EDUCATION),
        ("Bürgermeisterwahl in der Kleinstadt angesetzt", POLITICS),
        ("Heimniederlage für den Tabellenletzten", SPORT),
    ],
)
def test_german_compound_heads_give_the_topic_of_their_head(clf: Classifier, title: str, expected: str):
    assert expected in top_topics(clf, title, NEUTRAL)


def test_german_compound_exception_is_not_its_head(clf: Classifier):
    # "Auswahl" (selection) ends in "wahl" (election) but is not an election.
    assert POLITICS not in top_topics(clf, "Große Auswahl beim Bauernmarkt", NEUTRAL)


def _with_german_topics(tmp_path: Path, edit) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "lang" / "de" / "topics.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return data


def test_load__a_head_shorter_than_three_letters_names_file_and_field(tmp_path: Path):
    head = "    endings:\n      3: streik,"
    data = _with_german_topics(tmp_path, lambda s: s.replace(head, "    endings:\n      3: ab,", 1))
    with pytest.raises(LexiconError, match=r"de/topics\.yaml: topics\.medtop:09000000\.endings"):
        Classifier.load(data)


def test_load__compound_exceptions_must_be_a_list_of_words(tmp_path: Path):
    data = _with_german_topics(tmp_path, lambda s: s.replace("compound_exceptions: [", "compound_exceptions: [3, ", 1))
    with pytest.raises(LexiconError, match="compound_exceptions"):
        Classifier.load(data)
