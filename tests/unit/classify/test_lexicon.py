from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsmon.classify import Classifier, LexiconError
from newsmon.classify import lexicon as lx
from newsmon.classify.lexicon import CASE_ANY, CASE_EXACT, CASE_TITLE, DATA_DIR, case_mode, safe_lower


@pytest.mark.parametrize(
    ("pattern", "mode"),
    [
        ("US", CASE_EXACT),
        ("Jordan", CASE_TITLE),
        ("war", CASE_ANY),
        ("~Fed", CASE_ANY),
        ("iPod", CASE_EXACT),
        ("بغداد", CASE_ANY),
    ],
)
def test_case_mode__follows_data_file_rules(pattern, mode):
    assert case_mode(pattern)[1] == mode


def test_safe_lower__keeps_length_for_expanding_characters():
    text = "İstanbul Straße"
    assert len(safe_lower(text)) == len(text)


def test_load__unquoted_norway_key_is_rejected(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    regions = data / "regions.yaml"
    regions.write_text(regions.read_text(encoding="utf-8").replace('"NO"', "NO"), encoding="utf-8")
    with pytest.raises(LexiconError, match="quoted ISO2"):
        Classifier.load(data)


def test_load__missing_data_file_names_the_file(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "topics.yaml").unlink()
    with pytest.raises(LexiconError, match=r"topics\.yaml"):
        Classifier.load(data)


def test_load__exchange_suffix_given_for_two_countries_is_rejected(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    extra = data / "geo_extra.yaml"
    text = extra.read_text(encoding="utf-8").replace("  JP: [T, TOK]\n", "  JP: [T, TOK, L]\n")
    extra.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match="two countries"):
        Classifier.load(data)


def test_load__exchange_suffixes_map_to_countries():
    clf = Classifier.load()
    assert clf.lex.exchange_suffixes["L"] == "GB"
    assert clf.lex.exchange_suffixes["T"] == "JP"
    assert "N" not in clf.lex.exchange_suffixes  # a US listing says nothing about the company


# ------------------------------------------------------------------ automata


def _geo_cue(pattern: str, case: int = CASE_ANY, flags: int = 0, lang: str = "") -> lx.GeoCue:
    return lx.GeoCue(target="IN", kind="city", weight=1.0, case=case, pattern=pattern, flags=flags, lang=lang)


def test_has_arabic__only_arabic_block_characters_count():
    assert lx.has_arabic("talks in \u0628\u063a\u062f\u0627\u062f")
    assert not lx.has_arabic("talks in Baghdad")
    assert not lx.has_arabic("Zürich, Москва, Αθήνα")


def test_geo_by_capital__splits_cues_by_their_case_rule():
    title, plain = _geo_cue("Nice", CASE_TITLE), _geo_cue("nice")
    lower, capital = lx._geo_by_capital((title, plain))
    assert lower == (plain,)
    assert capital == (title, plain)


@pytest.mark.parametrize(
    "cue",
    [
        _geo_cue("US", CASE_EXACT),
        _geo_cue("Japan", CASE_TITLE, lang="de"),
        _geo_cue("yen", flags=lx.F_NUMBER),
    ],
)
def test_geo_by_capital__none_when_a_cue_needs_more_than_a_capital(cue):
    assert lx._geo_by_capital((_geo_cue("x"), cue)) is None


def test_automaton__insertion_order_does_not_change_matches(clf):
    full = clf.lex.auto
    values = dict(full.items())
    reversed_order = lx.ahocorasick.Automaton()
    for key in reversed(list(values)):
        reversed_order.add_word(key, values[key])
    reversed_order.make_automaton()
    text = " " + lx.boundary_text(
        "the u.s. and new york city said trade talks with japan's ministry of finance resumed"
    )
    assert list(full.iter_long(text)) == list(reversed_order.iter_long(text))
    assert len(list(full.iter_long(text))) >= 5


# ------------------------------------------------------------------ lead company


def test_lead_company__quick_test_agrees_with_the_regex(clf):
    (lead,) = clf.lex.lead_company
    bodies = ["Acme Widget Corp said it named a president.", "Prices rose, the ministry said.", ""]
    for pos in range(95, 135):
        for form in ("Inc", "Corp", "Co Inc", "Corporation", "Incorporated"):
            for verb in ("said", "sold"):
                bodies.append("x" * (pos - 1) + " " + form + " " + verb + " it would buy shares.")
                bodies.append("A. " + "x" * (pos - 4) + " " + form + " " + verb + " it would buy shares.")
    matched = 0
    for body in bodies:
        expected = lead.pattern.match(body)
        got = lead.match(body)
        assert (got and got.span("form")) == (expected and expected.span("form")), body
        matched += expected is not None
    assert 50 < matched < len(bodies)


def test_load__lead_company_without_forms_is_rejected(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    extra = data / "geo_extra.yaml"
    text = extra.read_text(encoding="utf-8")
    assert "  US: [Inc, Corp, Co Inc, Corporation, Incorporated]\n" in text
    extra.write_text(
        text.replace("  US: [Inc, Corp, Co Inc, Corporation, Incorporated]\n", "  US: []\n"), encoding="utf-8"
    )
    with pytest.raises(LexiconError, match="legal forms"):
        Classifier.load(data)


@pytest.mark.parametrize(
    "text",
    [
        "zürich \u2014 l\u2019état «x» \u00d7\u00f7 5% (u.s.) inc's",
        "\u0642\u0627\u0644\u060c \u0627\u0644\u0639\u0631\u0627\u0642\u061f #\u0643\u0627\u0638\u0645_\u0627\u0644"
        "\u0633\u0627\u0647\u0631 \u2014 (cnn)",
        "москва, 1 января\u00a0— «тасс»",
        "\U0001f600 emoji\u200ckeeps",
    ],
)
def test_boundary_text__same_as_the_character_table_and_same_length(text):
    expected = "".join(" " if ord(ch) in lx._UNICODE_BOUNDARY else ch for ch in text)
    out = lx.boundary_text(text)
    assert out == expected and len(out) == len(text)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("language: de\ntopics: {}\n", r"lang/xx/topics\.yaml: language: expected 'xx'"),
        ("language: xx\ntopics:\n  medtop:99999999: {terms: {3: x}}\n", r"medtop:99999999: unknown IPTC code"),
        ("language: xx\ntopics:\n  medtop:15000000: {terms: {7: 'fútbol'}}\n", r"terms: weight must be 1-4"),
        ("language: xx\ntopics:\n  medtop:15000000: {terms: {3: [a, b]}}\n", r"terms\.3: expected a comma-separated"),
    ],
)
def test_load__bad_language_folder_names_file_and_field(tmp_path: Path, doc: str, message: str):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "lang" / "xx").mkdir()
    (data / "lang" / "xx" / "topics.yaml").write_text(doc, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        Classifier.load(data)


def test_load__language_folder_without_topics_file_is_rejected(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "lang" / "xx").mkdir()
    (data / "lang" / "xx" / "stopwords.txt").write_text("und\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lang/xx/topics\.yaml: missing"):
        Classifier.load(data)


def test_load_lazy__other_languages_are_built_on_their_first_article_with_the_same_result(clf: Classifier):
    lazy = Classifier.load(lazy=True)
    assert lazy.lex.packs["en"]._auto is not None
    assert all(p._auto is None for code, p in lazy.lex.packs.items() if code != "en")
    title = "Explosion à Bagdad"
    body = "Une voiture piégée a explosé dans le centre de Bagdad, en Irak, tuant dix personnes."
    assert lazy.classify(title, body, "fr").to_dict() == clf.classify(title, body, "fr").to_dict()
    assert lazy.lex.packs["fr"]._auto is not None
    assert lazy.lex.packs["de"]._auto is None


def test_load_lazy__bad_language_folder_still_fails_at_start_up(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "lang" / "xx").mkdir()
    (data / "lang" / "xx" / "topics.yaml").write_text("language: xx\ntopics:\n  medtop:1: {}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lang/xx/topics\.yaml: topics\.medtop:1: unknown IPTC code"):
        Classifier.load(data, lazy=True)
