"""Every language folder loads and classifies text of its own (parametrized over the folders found).

The sentence is built from the folder's own data (its stop-words and its
strongest terms for one top-level topic), so a new folder is tested without
anyone writing code for it; the per-language tests under ``lang/`` hold
sentences written by hand.
"""

from __future__ import annotations

import pytest
import yaml

from newsmon.classify import Classifier
from newsmon.classify import lexicon as lx
from newsmon.classify.lexicon import DATA_DIR

CODES = lx.language_codes(DATA_DIR)


def _strong_terms(code: str, top_level: tuple[str, ...]) -> tuple[str, list[str]]:
    """A top-level topic of the folder and three of its weight-3/4 single-word terms."""
    doc = yaml.safe_load((DATA_DIR / "lang" / code / "topics.yaml").read_text(encoding="utf-8"))
    best: tuple[str, list[str]] = ("", [])
    for topic, spec in (doc.get("topics") or {}).items():
        if topic not in top_level:
            continue
        words = []
        for weight, text in (spec.get("terms") or {}).items():
            if int(weight) >= 3:
                words += [t.strip().rstrip("*") for t in str(text).split(",") if t.strip() and " " not in t.strip()]
        if len(words) > len(best[1]):
            best = (topic, words)
    return best[0], best[1][:3]


def test_languages__english_and_at_least_one_other_folder_exist():
    assert "en" in CODES and len(CODES) >= 2


@pytest.mark.parametrize("code", CODES)
def test_language_folder__loads_and_classifies_its_own_sentence(clf: Classifier, code: str):
    pack = clf.lex.packs[code]
    assert pack.has_topics and pack.topic_terms > 0
    topic, words = _strong_terms(code, clf.lex.top_level)
    assert topic and len(words) == 3, f"lang/{code}/topics.yaml has no top-level topic with 3 strong single words"
    stop = sorted(pack.stopwords)[:6] if pack.stopwords else []
    body = " ".join(w for pair in zip(words, stop + [""] * 3, strict=False) for w in pair if w) + "."
    r = clf.classify(words[0], body, code)
    assert r.language == code
    assert r.coverage["data"] == code and r.coverage["topics"] == "full"
    tops = [t for t in r.topics if t.parent is None]
    assert tops and tops[0].code == topic, (body, [(t.code, t.score) for t in tops])
    for ev in tops[0].evidence:
        text = words[0] if ev.field == "title" else body
        assert text[ev.start : ev.end] == ev.text


@pytest.mark.parametrize("code", [c for c in CODES if c != "en"])
def test_language_folder__its_stopwords_route_text_to_it(clf: Classifier, code: str):
    pack = clf.lex.packs[code]
    assert pack.stopwords, f"lang/{code}/stopwords.txt is missing or empty: every language folder has a stop-list"
    words = sorted(pack.stopwords)[:8]
    r = clf.classify("", " ".join(words))
    assert r.language == code
    assert r.coverage["language_source"] == "detected"
