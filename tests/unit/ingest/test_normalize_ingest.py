"""Normalization additions of the ingestion layer: boilerplate lines, source and language."""

from __future__ import annotations

import pytest

from newsmon.ingest import language
from newsmon.ingest.normalize import clean_text, is_boilerplate, normalize_raw, validate_raw


def test_clean_text__drops_whole_boilerplate_lines_but_keeps_sentences_using_the_words() -> None:
    text = (
        "The minister resigned on Monday.\n\nClick here to subscribe!\n\nRead more\n\n"
        "© 2024 Example Media. All rights reserved.\n\nShe said people should read more books."
    )
    assert clean_text(text) == "The minister resigned on Monday.\n\nShe said people should read more books."


def test_is_boilerplate__news_sentences_are_not_boilerplate() -> None:
    assert is_boilerplate("Share this article")
    assert is_boilerplate("ADVERTISEMENT")
    assert not is_boilerplate("The advertisement campaign was banned by regulators.")
    assert not is_boilerplate("Investors were told to follow us on the path to growth, the chief executive said.")


def test_normalize__source_from_url_host_when_the_producer_sent_none() -> None:
    art = normalize_raw(validate_raw({"body": "Some text about the harbour.", "url": "https://www.Harbour.example/a"}))
    assert art.source == "harbour.example"
    named = normalize_raw(validate_raw({"body": "Some text.", "url": "https://x.example/a", "source": "Wire"}))
    assert named.source == "Wire"


def test_normalize__language_detected_when_missing_and_kept_when_given() -> None:
    fr = "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui sera présentée au parlement."
    assert normalize_raw(validate_raw({"body": fr})).language == "fr"
    assert normalize_raw(validate_raw({"body": fr, "language": "EN"})).language == "en"


class _FixedDetector:
    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.calls = 0

    def detect(self, title: str, body: str) -> str:
        self.calls += 1
        return self.answer


def test_use_detector__normalize_detects_with_the_shared_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "_detector", language._detector)  # both restored after the test
    monkeypatch.setattr(language, "_unavailable", language._unavailable)
    shared = _FixedDetector("sw")
    language.use_detector(shared)
    assert normalize_raw(validate_raw({"body": "Some text."})).language == "sw"
    assert normalize_raw(validate_raw({"body": "Some text.", "language": "de"})).language == "de"
    assert shared.calls == 1
    language.use_detector(_FixedDetector("und"))
    assert normalize_raw(validate_raw({"body": "Some text."})).language is None


def test_normalize__language_detected_for_non_latin_scripts() -> None:
    ru = "Правительство во вторник объявило о новой пенсионной реформе, которую представят парламенту."  # noqa: RUF001
    ar = "أعلنت الحكومة يوم الثلاثاء عن إصلاح جديد لنظام التقاعد سيعرض على البرلمان."
    assert normalize_raw(validate_raw({"title": "", "body": ru})).language == "ru"
    assert normalize_raw(validate_raw({"title": "", "body": ar})).language == "ar"
