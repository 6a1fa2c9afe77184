from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsmon.classify import Classifier, LexiconError
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
