from __future__ import annotations

import itertools

import pytest

from newsmon.classify import Classifier, engine
from newsmon.classify import lexicon as lx
from newsmon.classify.engine import MAX_EVIDENCE
from newsmon.streams.records import Classification, Evidence, PlaceTag


def _focus(r: Classification) -> set[str]:
    return set(r.focus_countries())


def _roles(r: Classification) -> dict[str, str]:
    return {p.country: p.role for p in r.places}


def _topics(r: Classification) -> set[str]:
    return {t.code for t in r.topics}


def _regions(r: Classification) -> set[str]:
    return {x.code for x in r.regions}


def _assert_evidence_exact(title: str, body: str, r: Classification) -> int:
    fields = {"title": title, "body": body}
    n = 0
    for tag in [*r.places, *r.regions, *r.topics]:
        assert tag.evidence, f"{tag} has no evidence"
        for ev in tag.evidence:
            assert ev.text == fields[ev.field][ev.start : ev.end]
            assert ev.text.strip() == ev.text and ev.text
            n += 1
    return n


# ------------------------------------------------------------------ seed articles


def test_seed_iraq__focus_iraq_and_us_germany_only_mentioned(clf, seed_articles):
    a = seed_articles[0]
    r = clf.classify(a["title"], a["body"])
    assert r.language == "en"
    assert {"IQ", "US"} <= _focus(r)
    assert _roles(r).get("DE") == "mention"
    assert "DE" not in _focus(r)


def test_seed_iraq__regions_include_middle_east(clf, seed_articles):
    a = seed_articles[0]
    r = clf.classify(a["title"], a["body"])
    assert "middle-east" in _regions(r)


def test_seed_iraq__topics_politics_diplomacy_conflict_terrorism(clf, seed_articles):
    a = seed_articles[0]
    topics = _topics(clf.classify(a["title"], a["body"]))
    assert {"medtop:11000000", "medtop:20000639", "medtop:16000000", "medtop:20000053"} <= topics
    assert topics & {"medtop:20000056", "medtop:20000598"}  # armed conflict or defence


def test_seed_syria__focus_syria_regions_middle_east_and_levant(clf, seed_articles):
    a = seed_articles[1]
    r = clf.classify(a["title"], a["body"])
    assert _focus(r) == {"SY"}
    assert {"middle-east", "levant"} <= _regions(r)


def test_seed_syria__topics_crime_drug_trafficking_and_conflict(clf, seed_articles):
    a = seed_articles[1]
    topics = _topics(clf.classify(a["title"], a["body"]))
    assert {"medtop:02000000", "medtop:20000096", "medtop:16000000"} <= topics


def test_seed_articles__every_evidence_span_matches_its_field(clf, seed_articles):
    for a in seed_articles:
        r = clf.classify(a["title"], a["body"])
        assert _assert_evidence_exact(a["title"], a["body"], r) > 10


def test_regions__evidence_comes_from_focus_member_countries(clf, seed_articles):
    a = seed_articles[1]
    r = clf.classify(a["title"], a["body"])
    syria = {(e.field, e.start) for p in r.places if p.country == "SY" for e in p.evidence}
    levant = next(x for x in r.regions if x.code == "levant")
    assert {(e.field, e.start) for e in levant.evidence} <= syria


# ------------------------------------------------------------------ traps


def test_places__ambassador_is_not_assad(clf):
    r = clf.classify("Envoy meets officials", "The ambassador said the embassy would reopen.")
    assert "SY" not in _roles(r)


def test_places__rights_is_not_hts(clf):
    r = clf.classify("Report", "Human rights groups said the rights of detainees were ignored.")
    assert "SY" not in _roles(r)


def test_places__hts_acronym_is_syria(clf):
    r = clf.classify("Offensive", "HTS fighters seized the town, the observatory said.")
    assert "SY" in _focus(r)


def test_places__jordan_river_is_not_the_country(clf):
    r = clf.classify("Pilgrims", "Pilgrims were baptised in the Jordan River near the old ford.")
    assert "JO" not in _roles(r)


def test_places__jordan_with_neighbours_is_the_country(clf):
    r = clf.classify("Border talks", "Jordan and Syria agreed on border security, officials said.")
    assert "JO" in _focus(r)


def test_places__michael_jordan_is_a_person(clf):
    r = clf.classify("Legend", "Michael Jordan visited Israel and Egypt last week.")
    assert "JO" not in _roles(r)


def test_places__georgia_with_atlanta_is_the_us_state(clf):
    r = clf.classify("Storm", "Heavy rain hit Georgia on Monday and Atlanta schools were closed.")
    assert "GE" not in _roles(r)
    assert "US" in _focus(r)
    us = next(p for p in r.places if p.country == "US")
    assert any(p.get("code") == "US-GA" or p["name"] == "Atlanta" for p in us.places)


def test_places__georgia_with_tbilisi_is_the_country(clf):
    r = clf.classify("Protests", "Georgia and Russia traded accusations as crowds filled Tbilisi.")
    assert "GE" in _focus(r)
    assert "US" not in _roles(r)


def test_places__turkey_the_bird_is_not_a_country(clf):
    r = clf.classify("Holiday recipes", "Roast the turkey for three hours. Turkey is best with sauce.")
    assert "TR" not in _roles(r)


def test_places__turkey_with_greece_is_a_country(clf):
    r = clf.classify("Aegean dispute", "Turkey and Greece held talks on the Aegean dispute.")
    assert "TR" in _focus(r)


def test_places__chad_the_first_name_is_not_a_country(clf):
    r = clf.classify("Band news", "Chad Smith, the drummer, said the album would be out in May.")
    assert "TD" not in _roles(r)


def test_places__chad_next_to_sudan_is_a_country(clf):
    r = clf.classify("Clashes", "Chad and Sudan traded accusations over clashes near Darfur.")
    assert {"TD", "SD"} <= _focus(r)


def test_places__george_washington_is_a_person(clf):
    r = clf.classify("Statue unveiled", "A statue of George Washington was unveiled in the park.")
    assert r.places == []


def test_places__washington_metonym_is_the_us(clf):
    r = clf.classify("Talks", "Washington said it would send an envoy to Baghdad.")
    assert {"US", "IQ"} <= _focus(r)


def test_places__nice_and_reading_as_words_are_not_places(clf):
    r = clf.classify("Weekend", "It was a nice day and the reading room was full of students.")
    assert r.places == []


def test_places__ticker_in_angle_brackets_is_not_a_country(clf):
    r = clf.classify("ROCKWELL <ROK> GETS CONTRACT", "Rockwell International Corp got a contract.")
    assert "KR" not in _roles(r)


def test_places__repeated_caption_lines_count_once(clf):
    caption = "Officials meet in Munich, Germany, February 16, 2024. (Handout via Reuters)"
    story = "Iraq and Iraqi officials said Baghdad wants the US to leave."

    def germany(n: int) -> float:
        r = clf.classify("Iraq talks", "\n".join([caption] * n + [story]))
        return next(p.score for p in r.places if p.country == "DE")

    assert germany(6) == germany(1)


# ------------------------------------------------------------------ topics


def test_topics__sorted_by_score_descending(clf, seed_articles):
    for a in seed_articles:
        scores = [t.score for t in clf.classify(a["title"], a["body"]).topics]
        assert scores == sorted(scores, reverse=True)


def test_topics__parent_scores_at_least_best_child(clf, seed_articles):
    for a in seed_articles:
        topics = clf.classify(a["title"], a["body"]).topics
        by_code = {t.code: t for t in topics}
        children = [t for t in topics if t.parent]
        assert children
        for child in children:
            assert child.parent in by_code, f"{child.code} without its parent"
            assert by_code[child.parent].score >= child.score


def test_topics__child_alone_lifts_top_level_parent(clf):
    r = clf.classify("Cartel", "Police said drug traffickers smuggled cocaine and heroin.")
    codes = {t.code: t for t in r.topics}
    assert "medtop:20000096" in codes
    assert codes["medtop:02000000"].score >= codes["medtop:20000096"].score


def test_topics__three_level_chain_lifts_every_ancestor(clf):
    r = clf.classify("Cartel", "Police said drug traffickers smuggled cocaine and heroin.")
    codes = {t.code: t for t in r.topics}
    chain = ["medtop:20000096", "medtop:20000095", "medtop:20000082", "medtop:02000000"]
    assert set(chain) <= set(codes)
    for child, parent in itertools.pairwise(chain):
        assert codes[child].parent == parent
        assert codes[parent].score >= codes[child].score


def test_topics__armed_forces_story_reports_defence_under_government(clf):
    r = clf.classify(
        "Army deploys troops",
        "The defence ministry said soldiers and army troops were deployed to the border; "
        "the armed forces would stay there.",
    )
    codes = {t.code: t for t in r.topics}
    assert {"medtop:20000599", "medtop:20000598", "medtop:20000593", "medtop:11000000"} <= set(codes)
    assert codes["medtop:20000599"].parent == "medtop:20000598"
    assert codes["medtop:20000598"].label in ("defence", "defense")


# IPTC Media Topics codes the issue requires, with their broader topic.
REQUIRED_TOPICS = {
    "medtop:20000056": ("armed conflict", "medtop:16000000"),
    "medtop:20000053": ("act of terror", "medtop:16000000"),
    "medtop:20000639": ("diplomacy", "medtop:20000638"),
    "medtop:20000638": ("international relations", "medtop:11000000"),
    "medtop:20000574": ("election", "medtop:11000000"),
    "medtop:20000621": ("government policy", "medtop:11000000"),
    "medtop:20000082": ("crime", "medtop:02000000"),
    "medtop:20000096": ("drug trafficking", "medtop:20000095"),
    "medtop:20000133": ("police", "medtop:20000129"),
    "medtop:20000066": ("demonstration", "medtop:20000065"),
    "medtop:20000151": ("natural disaster", "medtop:20000148"),
    "medtop:20000139": ("accident and emergency incident", "medtop:03000000"),
    "medtop:20000449": ("epidemic", "medtop:20000448"),
    "medtop:20000645": ("refugees and internally displaced people", "medtop:20000638"),
    "medtop:20000642": ("economic sanction", "medtop:20000638"),
    "medtop:20000598": ("defence", "medtop:20000593"),
}


@pytest.mark.parametrize("code", sorted(REQUIRED_TOPICS))
def test_topics__required_code_has_iptc_label_and_parent(clf, code):
    label, parent = REQUIRED_TOPICS[code]
    topic = clf.lex.topics[code]
    assert (topic.label, topic.parent) == (label, parent)


def test_topics__sport_story_tops_with_sport(clf):
    r = clf.classify(
        "Arsenal beat Chelsea",
        "Arsenal striker Thierry Henry scored twice as the Premiership leaders won the match "
        "against Chelsea, with the goalkeeper beaten by a late penalty.",
    )
    assert r.topics[0].code == "medtop:15000000"


def test_topics__every_top_level_code_is_known(clf):
    assert len(clf.lex.top_level) == 17
    assert "medtop:17000000" in clf.lex.top_level


# ------------------------------------------------------------------ languages


@pytest.mark.parametrize(
    ("text", "lang", "country"),
    [
        (
            "Le gouvernement a annoncé mardi une nouvelle loi. La France et l'Allemagne ont signé un accord à Paris.",
            "fr",
            "FR",
        ),
        (
            "Die Bundesregierung in Berlin hat am Dienstag beschlossen, die Hilfe auszuweiten, teilte Deutschland mit.",
            "de",
            "DE",
        ),
        ("أعلنت الحكومة اليوم في بغداد عن خطة جديدة لمكافحة الإرهاب في العراق", "ar", "IQ"),
        ("El gobierno de España anunció el martes en Madrid una nueva ley sobre la inmigración.", "es", "ES"),
        (
            "Правительство объявило во вторник в Москве о новых мерах, сообщили власти Германии.",  # noqa: RUF001
            "ru",
            "DE",
        ),
    ],
)
def test_language__detected_and_country_names_found(clf, text, lang, country):
    r = clf.classify("", text)
    assert r.language == lang
    assert country in _roles(r)
    assert r.coverage["data"] == lang


def test_language__english_reports_full_coverage(clf):
    r = clf.classify("Talks", "The minister said the talks in Paris would resume on Monday.")
    assert r.language == "en"
    assert r.coverage["topics"] == "full" and r.coverage["data"] == "en"
    assert r.coverage["language_source"] == "detected"


def test_language__hint_does_not_override_clear_text(clf):
    r = clf.classify("", "Le gouvernement a annoncé mardi une loi sur les retraites et la santé.", language="EN")
    assert r.language == "fr"
    assert r.coverage["language_source"] == "detected"


def test_language__hint_decides_when_text_is_too_short(clf):
    r = clf.classify("", "Kaboul", language="fr")
    assert r.language == "fr"
    assert r.coverage["language_source"] == "hint"


def test_language__foreign_name_that_is_an_english_word_is_ignored_in_english(clf):
    # "Island" is Iceland in German; in English text it is just a word.
    r = clf.classify("Holiday", "The island was quiet and the Island Hotel was full.")
    assert "IS" not in _roles(r)


# ------------------------------------------------------------------ robustness


def test_classify__empty_and_non_string_fields_give_empty_result(clf):
    r = clf.classify("", "")
    assert r.places == [] and r.topics == [] and r.regions == []
    r2 = clf.classify(None, 5)  # type: ignore[arg-type]
    assert r2.places == []


def test_load__returns_classifier_with_stats(clf):
    assert isinstance(clf, Classifier)
    assert clf.lex.stats["places"] > 5000


# ------------------------------------------------------------------ matching and cues


def test_scan__word_inside_another_word_never_matches(clf):
    # "aid" (disaster relief) sits inside "said"; "Oman" inside "Romania" would be worse.
    r = clf.classify("Update", "He said the statement was clear, the spokesman said.")
    assert "medtop:03000000" not in _topics(r)


def test_scan__name_wrapped_over_two_lines_matches(clf):
    r = clf.classify("Trade", "Exports to South\nKorea rose, the ministry said.")
    assert "KR" in _focus(r)
    kr = next(p for p in r.places if p.country == "KR")
    assert kr.evidence[0].text == "South\nKorea"


def test_scan__ussr_abbreviation_is_not_the_us(clf):
    r = clf.classify("Grain", "The U.S.S.R. bought wheat, traders said.")
    assert "US" not in _roles(r)


def test_places__lead_company_with_us_legal_form_makes_us_focus(clf):
    r = clf.classify("Acme names president", "Acme Widget Corp said it named John Smith president.")
    assert _focus(r) == {"US"}
    us = next(p for p in r.places if p.country == "US")
    assert any(e.text == "Corp" and e.field == "body" for e in us.evidence)


def test_places__town_in_hyphenated_company_name_is_not_a_place(clf):
    r = clf.classify("Vaccine test", "Bristol-Myers Co said it would test its vaccine in humans.")
    assert "GB" not in _roles(r)


def test_places__province_beats_foreign_town_of_the_same_name(clf):
    r = clf.classify("Mine", "The company said its mine in Ontario and its U.S. plant were sold.")
    ont = [p for p in r.places for x in p.evidence if x.text == "Ontario"]
    assert ont and ont[0].country == "CA"


def test_places__eurobond_involves_britain(clf):
    r = clf.classify("Bond issue", "Acme Finance is issuing a 100 mln dlr eurobond, the lead manager said.")
    assert "GB" in _focus(r)


def test_places__us_ticker_in_headline_makes_us_focus(clf):
    r = clf.classify(
        "ACME <ACW> TO BUY STAKE IN BRITISH FIRM", "Acme said it would buy 20 pct of a British pump maker."
    )
    assert _focus(r) == {"US", "GB"}
    us = next(p for p in r.places if p.country == "US")
    assert us.evidence[0].text == "<ACW>" and us.evidence[0].field == "title"


def test_places__foreign_issuer_ticker_is_not_us_evidence(clf):
    r = clf.classify("ACME MINES <ACMEF> SETS DRILLING", "Acme Mines said drilling starts in Alberta next month.")
    assert _focus(r) == {"CA"}


def test_places__exchange_suffix_ticker_names_home_country(clf):
    r = clf.classify(
        "ACME <ACMG.F> SETS U.S. VENTURE", "Acme AG said it formed a venture in the U.S. with a local firm."
    )
    assert _focus(r) == {"DE", "US"}
    de = next(p for p in r.places if p.country == "DE")
    assert any(e.text == "<ACMG.F>" and e.field == "title" for e in de.evidence)


def test_places__unknown_exchange_suffix_is_ignored(clf):
    r = clf.classify("Deal", "Acme Holdings <ACME.QQ> agreed to buy the unit, it said.")
    assert r.places == []


def test_places__ltd_headline_company_with_no_place_is_canadian(clf):
    r = clf.classify("<ACME RESOURCES LTD> YEAR NET", "Shr 52 cts vs 38 cts. Net 3,120,000 dlrs vs 2,215,000.")
    assert _focus(r) == {"CA"}


def test_places__ltd_headline_company_does_not_override_a_named_country(clf):
    r = clf.classify("<ACME HOLDINGS LTD> YEAR NET", "Acme Holdings, Australia's biggest miner, earned more.")
    assert _focus(r) == {"AU"}


def test_places__country_in_headline_is_focus_even_when_body_is_about_another(clf):
    body = (
        "Japan's surplus in trade with the U.S. grew in February, Japanese officials said. "
        "Japan's exports of cars rose and Japanese imports fell, and Tokyo expects Japan's "
        "surplus to grow. Japanese officials said Japan will act."
    )
    r = clf.classify("SOUTH KOREA WATCHES JAPAN TRADE FIGURES", body)
    assert {"JP", "KR"} <= _focus(r)


def test_places__list_of_countries_in_lead_makes_every_member_focus(clf):
    body = (
        "Finance ministers of Britain, France, Italy and Canada met today to discuss currencies, "
        "officials said. Britain and France said rates would stay. France said the talks went well."
    )
    r = clf.classify("MINISTERS MEET ON CURRENCIES", body)
    assert {"GB", "FR", "IT", "CA"} <= _focus(r)


def test_places__country_first_named_after_the_lead_with_little_evidence_is_a_mention(clf):
    filler = "The company said output would rise and prices would hold this year. " * 5
    tail = "Sweden buys most of it, and Swedish refiners want more."
    body = "Norway's state oil company raised output, Norwegian officials said. " + filler + tail
    r = clf.classify("OUTPUT RISES", body)
    assert _roles(r).get("NO") == "focus"
    assert _roles(r).get("SE") == "mention"


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("profit of 40 mln H.K. dlrs", "HK"),
        ("a 50 mln N.Z. dlr issue", "NZ"),
        ("S. Africa raised gold output", "ZA"),
        ("a 250 mln dlr euro-commercial paper program", "GB"),
    ],
)
def test_places__wire_abbreviations_and_markets_name_their_country(clf, text, country):
    r = clf.classify("Markets", f"Officials said {text} this week.")
    assert country in _roles(r)


def test_places__sentence_initial_name_the_article_writes_in_lower_case_is_that_word(clf):
    r = clf.classify("Réunion à Damas en Syrie", "Les ministres se sont retrouvés pour une réunion à Damas.", "fr")
    assert "RE" not in {p.country for p in r.places}
    assert "SY" in r.focus_countries()


def test_places__sentence_initial_country_name_still_counts(clf):
    r = clf.classify("Irak : attentat à Bagdad", "Une voiture piégée a explosé lundi, selon la police.", "fr")
    assert r.focus_countries() == ["IQ"]


def test_language__distinctive_letters_route_a_short_item(clf):
    # Turkish dotless i (\u0131): one stop-word only ("ve"), but letters no other folder uses.
    text = (
        "Temsilcimiz Avrupa Ligi'nin 8. haftas\u0131nda deplasmanda rakibini son saniye basketiyle 81-80 yendi "
        "ve gruptaki iddias\u0131n\u0131 s\u00fcrd\u00fcrd\u00fc."
    )
    r = clf.classify("", text)
    assert r.language == "tr" and r.coverage["language_source"] == "detected"


@pytest.mark.parametrize(
    "text",
    [
        "Le président français s'est rendu à Washington puis à New York pour parler du football et de l'économie.",
        "Die Regierung in Berlin und der Präsident der Vereinigten Staaten sprachen über Tennis, Internet und China.",
        "El gobierno de Madrid y la policía de Buenos Aires investigan el mercado y el fútbol.",
    ],
)
def test_scan_geo_only__same_place_hits_as_the_full_scan(clf: Classifier, text: str):
    en = clf.lex.packs["en"]
    f = engine._Field("body", text, [])
    geo, topics = engine._scan(en, f)
    assert geo and topics
    assert engine._scan(en, f, geo_only=True)[0] == geo


def _cue(target: str, *, case: int = 0, flags: int = 0, lang: str = "") -> lx.GeoCue:
    return lx.GeoCue(target=target, kind="name", weight=1.0, case=case, pattern=target, flags=flags, lang=lang)


def test_cue_entry__no_check_at_the_match_is_plain_in_its_language(clf: Classifier):
    assert clf._cue_entry((_cue("FR"),))[1] == ""
    assert clf._cue_entry((_cue("FR", lang="fr"), _cue("BE")))[1] == "fr"


@pytest.mark.parametrize(
    "cues",
    [
        (_cue("US", case=lx.CASE_EXACT),),
        (_cue("JP", flags=lx.F_NUMBER),),
        (_cue("DE", lang="de"), _cue("AT", lang="fr")),
    ],
)
def test_cue_entry__a_check_at_the_match_or_two_languages_is_not_plain(clf: Classifier, cues):
    assert clf._cue_entry(cues)[1] is None


def test_cue_entry__flags_leave_no_static_decision_and_one_country_picks_its_cue(clf: Classifier):
    assert clf._cue_entry((_cue("EU", flags=lx.F_REGION),))[2] is None
    one = _cue("FR")
    assert clf._cue_entry((one,))[2] == (("FR",), (one, None), False)


def test_cue_entry__boilerplate_only_is_filed_whatever_the_article(clf: Classifier):
    cues = (_cue("US", flags=lx.F_IMPLICIT), _cue("US", flags=lx.F_IMPLICIT, case=lx.CASE_EXACT))
    assert clf._cue_entry(cues)[2] == ((), None, True)
    assert clf._cue_entry((_cue("US", flags=lx.F_IMPLICIT), _cue("GB", flags=lx.F_AMBIG)))[2] is None


def test_tally_add_implicit__counts_apart_and_keeps_at_most_max_evidence_spans():
    tally = engine._Tally()
    f = engine._Field("body", "Acme Inc said", [])
    for _ in range(MAX_EVIDENCE + 2):
        tally.add_implicit(_cue("US", flags=lx.F_IMPLICIT), 1.5, f, 5, 8)
    assert tally.implicit == {"US": 1.5 * (MAX_EVIDENCE + 2)}
    assert len(tally.implicit_spans["US"]) == MAX_EVIDENCE and not tally.scores


def test_cue_entry__the_same_tuple_is_worked_out_once(clf: Classifier):
    cues = (_cue("FR"),)
    assert clf._cue_entry(cues) is clf._cue_entry(cues)


def _place(country: str, role: str, score: float) -> PlaceTag:
    return PlaceTag(country, country, role, score, [Evidence("body", i, i + 2, "xx") for i in range(6)])  # type: ignore[arg-type]


def test_regions__one_focus_country_gives_its_regions_by_slug_with_four_spans(clf: Classifier):
    out = clf._regions([_place("FR", "focus", 0.5), _place("DE", "mention", 0.4)], {})
    assert [r.code for r in out] == sorted(slug for slug, _label in clf._region_labels["FR"])
    assert all(r.score == 0.5 and len(r.evidence) == 4 for r in out)


def test_regions__two_focus_countries_share_a_region_at_the_higher_score(clf: Classifier):
    out = clf._regions([_place("FR", "focus", 0.5), _place("DE", "focus", 0.7)], {})
    shared = {slug for slug, _ in clf._region_labels["FR"]} & {slug for slug, _ in clf._region_labels["DE"]}
    assert shared
    by_code = {r.code: r for r in out}
    assert all(by_code[s].score == 0.7 and len(by_code[s].evidence) == MAX_EVIDENCE for s in shared)
    assert [(-r.score, r.code) for r in out] == sorted((-r.score, r.code) for r in out)


@pytest.mark.parametrize(
    ("text", "cue", "lang", "expected"),
    [
        ("the U.S. said", _cue("U.S.", case=lx.CASE_EXACT), "en", True),
        ("the u.s. said", _cue("U.S.", case=lx.CASE_EXACT), "en", False),
        ("the U.S. said", _cue("U.S.", lang="fr"), "en", False),
        ("500 billion yen", _cue("yen", flags=lx.F_NUMBER), "en", True),
        ("the yen rose", _cue("yen", flags=lx.F_NUMBER), "en", False),
    ],
)
def test_cue_here__language_case_and_number_checks_at_the_match(text, cue, lang, expected):
    f = engine._Field("body", text, [])
    assert engine._cue_here(f, text.lower().index(cue.pattern.lower()), cue, lang) is expected


@pytest.mark.parametrize("text", ["", "ACME CORP SAYS PROFIT UP", "Acme Corp says", "قال مسؤولون ACME", "ΑΘΗΝΑ"])
def test_field_upper__known_on_first_use_as_str_isupper(text: str):
    f = engine._Field("title", text, [])
    assert f.upper is text.isupper()
    assert f.upper is text.isupper()  # the second read is the kept answer


@pytest.mark.parametrize(
    "text",
    [
        "Its unit said itself that U.S. banks, not the U.S.S.R., raised rates 5 pct in Italy's markets.",
        "Firefighters fought the fires; the IT firm's shares fell.",
        "it",
        "The bank",
    ],
)
def test_scan__every_hit_is_whole_words(clf: Classifier, text: str):
    f = engine._Field("body", text, [])
    geo, topics = engine._scan(clf.lex.packs["en"], f)
    assert geo or topics
    for start, end, *_ in geo + topics:
        assert start == 0 or not f.low[start - 1].isalnum()
        assert end == len(text) or not f.low[end].isalnum()
