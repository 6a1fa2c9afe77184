from __future__ import annotations

import re

from newsmon.classify import arabic
from newsmon.classify import language as lang
from newsmon.classify.language import LanguageDetector

_ARABIC = "قال مسؤولون في الحكومة العراقية إن الهجوم وقع في بغداد صباح اليوم، وإن الشرطة فتحت تحقيقا"


def test_arabic_head__never_skips_what_looks_english_would_accept():
    mixed = [
        _ARABIC,
        "the report of the minister and the said agency was in Baghdad with " + _ARABIC[:20],
        "the report of the minister and the said agency was in Baghdad " * 5 + _ARABIC[:30],
        _ARABIC[:10] + " the of and to in said with on " * 10,
    ]
    for sample in mixed:
        if lang._too_arabic_for_english(sample):
            assert not LanguageDetector.looks_english(sample, strict=True)
    assert lang._too_arabic_for_english(_ARABIC)
    assert not lang._too_arabic_for_english("the of and to in " * 10 + _ARABIC[:5])


def test_stopword_hits__code_page_and_regex_paths_count_the_same():
    stop = {"ar": frozenset(arabic.normalize(w) for w in ("في", "إن", "قال")), "en": frozenset({"the", "in"})}
    det = LanguageDetector(stop)
    sample = _ARABIC + " the war in Iraq"
    expected = {
        code: sum(1 for w in re.findall(r"\w+", arabic.normalize(sample.lower())) if w in words)
        for code, words in stop.items()
    }
    assert det.stopword_hits(sample) == expected  # fits the code page: bytes path
    # An Arabic-Indic digit is outside the code page: the regex path, same counts.
    assert det.stopword_hits(sample + " \u0663") == expected
    assert expected["ar"] == 4 and expected["en"] == 2


def test_stopword_hits__capitals_in_arabic_text_count_as_their_lower_case():
    stop = {"ar": frozenset(arabic.normalize(w) for w in ("في", "إن", "قال")), "en": frozenset({"the", "in"})}
    det = LanguageDetector(stop)
    sample = _ARABIC + " THE war IN Iraq"
    assert det.stopword_hits(sample) == det.stopword_hits(sample.lower()) == {"ar": 4, "en": 2}


def test_detect_full__arabic_sample_with_capitals_detected_as_when_lower_cased():
    stop = {"ar": frozenset(arabic.normalize(w) for w in ("في", "إن", "قال")), "en": frozenset({"the", "in"})}
    det = LanguageDetector(stop)
    body = _ARABIC + " THE war IN Iraq"
    assert det.detect_full("", body) == det.detect_full("", body.lower())
    assert det.detect_full("", body).language == "ar"
