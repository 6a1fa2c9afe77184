"""What the per-language topic tests share: the IPTC top-level codes and checks built from a language's own texts.

A language file keeps its texts; the functions here return test functions, which pytest collects under the
name the language file gives them, so every language's test ids stay its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from newsmon.classify import Classifier

ARTS = "medtop:01000000"
CRIME = "medtop:02000000"
DISASTER = "medtop:03000000"
ECONOMY = "medtop:04000000"
EDUCATION = "medtop:05000000"
ENVIRONMENT = "medtop:06000000"
HEALTH = "medtop:07000000"
HUMAN_INTEREST = "medtop:08000000"
LABOUR = "medtop:09000000"
LIFESTYLE = "medtop:10000000"
POLITICS = "medtop:11000000"
RELIGION = "medtop:12000000"
SCITECH = "medtop:13000000"
SOCIETY = "medtop:14000000"
SPORT = "medtop:15000000"
CONFLICT = "medtop:16000000"
WEATHER = "medtop:17000000"
# The 17 top-level codes are numbered 01 to 17.
TOP_LEVEL = frozenset(f"medtop:{n:02d}000000" for n in range(1, 18))

# A case is (id, title, body, expected top-level code), the shape every language file uses.
Case = tuple[str, str, str, str]
Check = Callable[..., None]


def top_topic(clf: Classifier, title: str, body: str) -> str | None:
    tops = [t for t in clf.classify(title, body).topics if t.parent is None]
    return tops[0].code if tops else None


def top_topics(clf: Classifier, title: str, body: str) -> set[str]:
    return {t.code for t in clf.classify(title, body).topics if t.parent is None}


def case_text(cases: Sequence[Case], case_id: str) -> tuple[str, str]:
    return next((c[1], c[2]) for c in cases if c[0] == case_id)


def topic_first_check(cases: Sequence[Case]) -> Check:
    """Each case's text gets its expected top-level topic first."""

    @pytest.mark.parametrize(("title", "body", "expected"), [c[1:] for c in cases], ids=[c[0] for c in cases])
    def check(clf: Classifier, title: str, body: str, expected: str) -> None:
        assert top_topic(clf, title, body) == expected

    return check


# A word case is (id, title, body, word): the word of the text (lower-case, as its evidence reads) the check is about.
WordCase = tuple[str, str, str, str]


def evidence_words(clf: Classifier, title: str, body: str, code: str) -> set[str] | None:
    """The lower-cased evidence of ``code`` in the text, or None when the topic is not reported."""
    tags = {t.code: t for t in clf.classify(title, body).topics}
    tag = tags.get(code)
    return None if tag is None else {ev.text.lower() for ev in tag.evidence}


def word_evidence_check(cases: Sequence[WordCase], code: str, *, first: bool = False) -> Check:
    """Each case's word is evidence for ``code``; with ``first``, ``code`` is also the top-level topic."""

    @pytest.mark.parametrize(("title", "body", "word"), [c[1:] for c in cases], ids=[c[0] for c in cases])
    def check(clf: Classifier, title: str, body: str, word: str) -> None:
        if first:
            assert top_topic(clf, title, body) == code
        words = evidence_words(clf, title, body, code)
        assert words is not None
        assert word in words

    return check


def word_no_evidence_check(cases: Sequence[WordCase], code: str) -> Check:
    """Each case's word brings no evidence to ``code`` (the topic may still be reported for other words)."""

    @pytest.mark.parametrize(("title", "body", "word"), [c[1:] for c in cases], ids=[c[0] for c in cases])
    def check(clf: Classifier, title: str, body: str, word: str) -> None:
        words = evidence_words(clf, title, body, code)
        assert words is None or word not in words

    return check


def covers_every_topic_check(cases: Sequence[Case], at_least: int = 0) -> Check:
    def check() -> None:
        assert len(cases) >= at_least
        assert {c[3] for c in cases} == TOP_LEVEL

    return check


def subtopic_check(rows: Sequence[Any], ids: Sequence[str] | None = None) -> Check:
    """rows are (title, body, monitored subtopic code); the subtopic must be among the tags."""

    @pytest.mark.parametrize(("title", "body", "subtopic"), rows, ids=ids)
    def check(clf: Classifier, title: str, body: str, subtopic: str) -> None:
        assert subtopic in {t.code for t in clf.classify(title, body).topics}

    return check


def case_subtopic_check(cases: Sequence[Case], pairs: Sequence[tuple[str, str]]) -> Check:
    """pairs are (case id, subtopic code); ids read "<case id>-<code>"."""
    rows = [(*case_text(cases, case_id), code) for case_id, code in pairs]
    return subtopic_check(rows, ids=[f"{case_id}-{code}" for case_id, code in pairs])


def routed_check(cases: Sequence[Case], language: str, *, own_terms: bool) -> Check:
    """The cases' texts are detected as `language`; with own_terms, its own folder's terms are used, not English."""

    def check(clf: Classifier) -> None:
        for _, title, body, _ in cases:
            result = clf.classify(title, body)
            assert result.language == language
            if own_terms:
                assert result.coverage["data"] == language
                assert result.coverage["topics"] == "full"

    return check


def sense_check(rows: Sequence[tuple[str, str, str]], ids: Sequence[str]) -> Check:
    """rows are (title, body, code a word of the text would wrongly bring); its neighbours must keep it out."""

    @pytest.mark.parametrize(("title", "body", "not_expected"), rows, ids=ids)
    def check(clf: Classifier, title: str, body: str, not_expected: str) -> None:
        assert not_expected not in top_topics(clf, title, body)

    return check
