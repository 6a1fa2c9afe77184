"""Normalization additions of the ingestion layer: boilerplate lines, source and language."""

from __future__ import annotations

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
