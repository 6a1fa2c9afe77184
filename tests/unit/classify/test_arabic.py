from __future__ import annotations

import pytest

from newsmon.classify import arabic


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("أحمد", "احمد"),  # hamza on alef
        ("إسرائيل", "اسراييل"),  # hamza under alef, hamza on yaa
        ("آثار", "اثار"),  # madda
        ("مدرسة", "مدرسه"),  # taa marbuta
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("مؤتمر", "موتمر"),  # hamza on waw
        ("عـــاجل", "عاجل"),  # tatweel
        ("الحُكُومَةُ", "الحكومه"),  # diacritics
    ],
)
def test_normalize__spelling_variants_become_one_form(written, plain):
    assert arabic.normalize(written) == plain


def test_normalize_with_map__offsets_point_into_the_original():
    text = "قالت الحُكُومَةُ العراقيّة"
    norm = arabic.normalize_with_map(text)
    start = norm.text.index("العراقيه")
    a, b = norm.orig(start), norm.orig(start + len("العراقيه"))
    assert text[a:b] == "العراقيّة"
    a = norm.orig(norm.text.index("الحكومه"))
    assert text[a:].startswith("الحُكُومَةُ")


def test_normalize_term__drops_the_article_but_not_short_words():
    assert arabic.normalize_term("العراق") == "عراق"
    assert arabic.normalize_term("الى") == "الي"  # a word, not al + one letter


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("بالعراق", True),
        ("للعراقيين", True),
        ("والعراقية", True),
        ("عراقهم", True),
        ("معراقل", False),  # mim is no clitic
        ("عراقستان", False),  # no such ending
    ],
)
def test_word_bounds__clitic_prefixes_and_suffixes(text, ok):
    norm = arabic.normalize(text)
    start = norm.index("عراق")
    assert arabic.word_bounds_ok(norm, start, start + 4, any_suffix=False) is ok


def test_classifier__iraq_found_through_clitics_with_original_evidence(clf):
    title = "انفجار في بغداد"
    body = "قُتل عشرة أشخاص بالعراق، وقالت مصادرُ للعراقيين إن الهجوم وقع في العاصمةِ العراقيّة."
    r = clf.classify(title, body, "ar")
    assert r.language == "ar"
    (iq,) = [p for p in r.places if p.country == "IQ"]
    assert iq.role == "focus"
    texts = {e.text for e in iq.evidence}
    assert {"بغداد", "بالعراق", "للعراقيين", "العراقيّة"} <= texts
    for e in iq.evidence:
        assert (title if e.field == "title" else body)[e.start : e.end] == e.text
    assert any(r.code == "middle-east" for r in r.regions)


def test_normalize_term__hamza_alef_lam_is_no_article():
    assert arabic.normalize_term("إلحاد") == "الحاد"  # atheism, not "sharp"
    assert arabic.normalize_term("ألمانيا") == "المانيا"


def test_word_bounds__accusative_tanween_alef_is_an_ending():
    norm = arabic.normalize("هجوماً")
    assert arabic.word_bounds_ok(norm, 0, 4, any_suffix=False)


def test_scan__a_key_inside_a_word_does_not_hide_the_real_match(clf):
    # "لقب" (a sport title) sits inside "القبض" (the arrest); only the arrest is a word here.
    r = clf.classify("تم القبض عليه", "", "ar")
    evidence = {e.text for t in r.topics for e in t.evidence}
    assert "القبض" in evidence
    assert "medtop:15000000" not in {t.code for t in r.topics}


def test_safe_lower__turkish_capital_dotted_i_keeps_length():
    from newsmon.classify.lexicon import safe_lower

    assert safe_lower("İhracat İslam") == "ihracat islam"


# The code-page path and the str path must agree: one text that fits the code page, and the same
# text with a character that does not (Arabic-Indic digit), which takes the str path.
_MIXED = "وقالت الحُكُومَةُ العراقيّة، في بيانٍ لـ«رويترز» (Reuters): إنّ الهجومَ وقع فجراً — ÉTÉ Œuvre"


@pytest.mark.parametrize("tail", ["", " \u0663"])
def test_normalize_with_map__code_page_and_str_paths_agree(tail):
    text = _MIXED + tail
    low = text.lower()
    norm = arabic.normalize_with_map(text, lambda s: s.replace("،", " ").replace("«", " "))
    assert norm.text == arabic.normalize(text)
    assert norm.scan == norm.text.replace("،", " ").replace("«", " ")
    assert norm.text == "".join(ch for ch in arabic._letters(low) if ch not in arabic._DROPPED)
    # Every kept character maps back to itself (normalized) in the original.
    for i, ch in enumerate(norm.text):
        assert arabic._letters(low[norm.orig(i)]) == ch


def test_code_page_tables__every_character_normalizes_as_the_str_path_does():
    for ch in arabic._CP_CHARS:
        for text in (ch, ch.upper()):
            norm = arabic.normalize_with_map(text, str)
            expect = arabic._normalize_with_map_str(text.lower(), str)
            assert (norm.text, norm._drops) == (expect.text, expect._drops), hex(ord(ch))
            assert arabic.normalize(text) == expect.text, hex(ord(ch))


@pytest.mark.parametrize("text", [_MIXED, _MIXED.lower(), _MIXED + " \u0663", "ÉTÉ"])
def test_normalize__code_page_paths_and_str_path_agree(text):
    # in the code page as written, only once lower-cased ("É"), or not at all (Arabic-Indic digit)
    assert arabic.normalize(text) == arabic._DROP_RE.sub("", arabic._letters(text.lower()))


def test_normalized_words__same_words_as_the_regex_on_the_normalized_text():
    import re

    words = arabic.normalized_words(_MIXED.lower())
    assert words is not None
    assert sorted(w.decode("cp1256") for w in words) == sorted(re.findall(r"\w+", arabic.normalize(_MIXED.lower())))
    assert arabic.normalized_words(_MIXED + " \u0663") is None  # outside the code page: the caller uses the regex


def test_code_page_scan__one_translation_gives_the_separator_map_of_the_normalized_text():
    from newsmon.classify.lexicon import boundary_text

    for ch in arabic._CP_CHARS:
        for text in (ch, ch.upper(), f"ب{ch}ـً"):
            norm = arabic.normalize_with_map(text, boundary_text)
            assert norm.scan == boundary_text(arabic.normalize(text)), hex(ord(ch))


def test_cp_drops__normalized_positions_of_marks_anywhere_in_the_text():
    text = "ًب" + "ـــ" + "الحُكُومَةُ" + "ّ"  # a mark first, a tatweel run, marks inside and last
    raw = text.encode("cp1256")
    kept = raw.translate(None, arabic._CP_DROPPED)
    drops = arabic._cp_drops(raw, len(raw) - len(kept))
    expect = [i - n for n, i in enumerate(i for i, ch in enumerate(text) if ch in arabic._DROPPED)]
    assert drops == expect
    assert arabic._cp_drops(b"abc", 0) == []


def test_normalized__text_decoded_on_first_use_is_the_normalized_text():
    text = _MIXED.lower()  # "É" is outside the code page, "é" inside
    norm = arabic.normalize_with_map(text, str)
    assert norm._text is None  # the scan alone was made
    assert norm.text == arabic.normalize(text)
    assert arabic.normalize_with_map(text).text == arabic.normalize(text)


def test_normalized_words__text_not_lower_cased_first_gives_the_same_words():
    text = "IRAQ Reuters " + _MIXED.lower()
    assert arabic.normalized_words(text) == arabic.normalized_words(text.lower())
    # "É" is outside the code page and "é" inside: the lower-cased text is tried before giving up.
    assert arabic.normalized_words(_MIXED) == arabic.normalized_words(_MIXED.lower()) is not None


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("العراق", "العراق"),  # the key is the whole field: both ends are the field's
        ("بالعراق", "بالعراق"),  # a prefix at the start of the field
        ("وفد من العراقيين", "العراقيين"),  # an ending at the end of the field
        ("في العِراقِ، اليوم", "العِراقِ"),  # marks inside: the word in the original text
        ("قال: «بالعراقيين» اليوم", "بالعراقيين"),  # separators around the word
    ],
)
def test_scan_clitic__a_key_takes_its_whole_word_at_either_end_of_the_field(clf, text, word):
    from newsmon.classify import engine

    pack = clf.lex.packs["ar"]
    clf.classify("", text, "ar")  # builds the language's matcher (lazy loads)
    geo, _topics = engine._scan(pack, engine._Field("body", text, []))
    spans = {text[start:end] for start, end, cues, _by_capital in geo if any(c.target == "IQ" for c in cues)}
    assert spans == {word}


def test_scan_clitic__longer_word_around_the_key_is_no_match(clf):
    from newsmon.classify import engine

    pack = clf.lex.packs["ar"]
    text = "معراقل عراقستان"  # mim is no clitic, "ستان" no ending
    geo, _topics = engine._scan(pack, engine._Field("body", text, []))
    assert not [h for h in geo if any(c.target == "IQ" for c in h[2])]


def test_space_child_key__never_in_a_scanned_text(clf):
    from newsmon.classify import engine
    from newsmon.classify import lexicon as lx

    text = "قال ، العراق «،» ،"
    assert "\u060c" not in lx.boundary_text(text)
    assert "\u060c" not in arabic.normalize_with_map(text, lx.boundary_text).scan
    assert "\u060c" not in arabic.normalize_with_map(text + " \u0663", lx.boundary_text).scan  # str path
    pack = clf.lex.packs["ar"]
    clf.classify("", text, "ar")  # builds the language's matcher (lazy loads)
    assert pack.auto.exists(lx._SPACE_CHILD_KEY)
    geo, topics = engine._scan(pack, engine._Field("body", text, []))
    assert [text[s:e] for s, e, _cues, _by_capital in geo] == ["العراق"] and not topics
