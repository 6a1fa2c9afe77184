"""Precision by context: a word whose topic depends on its neighbours (lang/en/senses.yaml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsmon.classify import Classifier, LexiconError, arabic
from newsmon.classify import lexicon as lx
from newsmon.classify.lexicon import DATA_DIR

POLITICS = "medtop:11000000"
ELECTION = "medtop:20000574"
ARTS = "medtop:01000000"
DISASTER = "medtop:03000000"


def _topics(clf: Classifier, title: str, body: str) -> dict[str, list[str]]:
    r = clf.classify(title, body, "en")
    return {t.code: [e.text.lower() for e in t.evidence] for t in r.topics}


@pytest.mark.parametrize(
    "body",
    [
        "Security forces launched a campaign against militant cells in the eastern province on Sunday.",
        "The army said its campaign against the insurgents had killed dozens of fighters this week.",
        "Police widened their campaign against drug smuggling networks along the border, officials said.",
    ],
)
def test_campaign__in_security_text_is_no_politics_evidence(clf, body):
    topics = _topics(clf, "Crackdown widens", body)
    assert not any(w.startswith("campaign") for w in topics.get(POLITICS, []))
    assert ELECTION not in topics


@pytest.mark.parametrize(
    "body",
    [
        "The senator began her campaign for the party nomination with a rally of voters in Ohio.",
        "Both candidates spent the last day of the campaign courting undecided voters before the election.",
    ],
)
def test_campaign__in_election_text_still_counts(clf, body):
    topics = _topics(clf, "On the trail", body)
    assert any(w.startswith("campaign") for w in topics.get(POLITICS, []))


@pytest.mark.parametrize(
    "body",
    [
        "Police said the two suspects were released on bail after questioning and will appear in court next month.",
        "The journalist was released from prison on Tuesday after three years in detention.",
        "Militants released two hostages late on Friday, a week after the kidnapping.",
        "The statistics office released figures showing inflation rose to 4 percent in March.",
    ],
)
def test_released__in_arrest_or_data_reports_is_no_arts_evidence(clf, body):
    topics = _topics(clf, "Update", body)
    assert "released" not in topics.get(ARTS, [])


@pytest.mark.parametrize(
    "body",
    [
        "The band released its third album on Friday, and the single went straight into the charts.",
        "The studio released the trailer for the sequel, starring the same cast as the first film.",
    ],
)
def test_released__in_arts_text_still_counts(clf, body):
    topics = _topics(clf, "New music", body)
    assert ARTS in topics


@pytest.mark.parametrize(
    "body",
    [
        "Fans at the stadium came under fire from critics after the match, and the club will fire its coach.",
        "The striker was on fire at the stadium, scoring twice as the home side won the derby 3-0.",
        "Gunmen opened fire near the stadium, and the league suspended the match.",
    ],
)
def test_fire__without_flames_or_firefighters_is_no_disaster(clf, body):
    topics = _topics(clf, "Derby day", body)
    assert not any(w in ("fire", "fires") for w in topics.get(DISASTER, []))


@pytest.mark.parametrize(
    "body",
    [
        "A fire broke out in the main stand of the stadium and firefighters fought the flames for hours.",
        "Forest fires have burned 20,000 hectares and forced the evacuation of three villages.",
    ],
)
def test_fire__with_flames_or_firefighters_is_a_disaster(clf, body):
    topics = _topics(clf, "Blaze", body)
    assert any("fire" in w for w in topics.get(DISASTER, []))


@pytest.mark.parametrize(
    "body",
    [
        "Anonymous actors exploit the chaos to fuel tensions, residents said.",
        "Western officials blamed state actors for the cyber attacks on the grid.",
    ],
)
def test_actors__parties_to_a_conflict_are_no_arts_evidence(clf, body):
    assert "actors" not in _topics(clf, "Tensions", body).get(ARTS, [])


def test_television__quoted_as_a_source_is_no_arts_evidence(clf):
    body = "Ten people were detained, according to state television, after clashes in the capital."
    assert "television" not in _topics(clf, "Clashes", body).get(ARTS, [])


def test_senses__the_syrian_security_campaign_is_not_an_election_or_arts(clf, seed_articles):
    syria = next(a for a in seed_articles if "Homs" in a["title"] or "Syria" in a["title"])
    r = clf.classify(syria["title"], syria["body"])
    assert ELECTION not in {t.code for t in r.topics}
    assert ARTS not in {t.code for t in r.topics}


def test_senses__bad_topic_code_names_file_and_field(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "lang" / "en" / "senses.yaml"
    path.write_text(
        "language: en\nsenses:\n  - terms: [fire]\n    topics: [medtop:99]\n    needs_near: [blaze]\n",
        encoding="utf-8",
    )
    with pytest.raises(LexiconError, match=r"senses\.yaml: senses\[0\]\.topics"):
        Classifier.load(data)


SPORT = "medtop:15000000"
CONFLICT = "medtop:16000000"


@pytest.mark.parametrize(
    ("title", "body", "word"),
    [
        ("Sprint Corp agrees network deal", "The phone company will share masts with a rival carrier.", "sprint"),
        ("Ministers try again", "Officials will try to agree a budget before the deadline on Friday.", "try"),
        ("Firm set to expand", "The company has set up a new office and will set out its plans next week.", "set"),
        ("Retailer posts record profits", "Sales hit a record high over the holiday period.", "record"),
        ("Banks speed up transfers", "Money transfers between accounts will arrive within seconds.", "transfer"),
    ],
)
def test_sport_word__outside_sport_is_no_sport_evidence(clf, title, body, word):
    topics = _topics(clf, title, body)
    assert not any(w.startswith(word) for w in topics.get(SPORT, []))


@pytest.mark.parametrize(
    ("title", "body", "word"),
    [
        ("Gold for Jamaica", "She won the 100m sprint final in a championship record.", "sprint"),
        ("Wales edge Scotland", "The winger scored a late try to seal victory at the stadium.", "try"),
        ("Seed knocked out", "The top seed lost the first set on a tie-break at the Open.", "set"),
        ("Striker completes move", "The club agreed the transfer before the window shut.", "transfer"),
    ],
)
def test_sport_word__in_sport_text_still_counts(clf, title, body, word):
    topics = _topics(clf, title, body)
    assert any(w.startswith(word) for w in topics.get(SPORT, []))


@pytest.mark.parametrize(
    "body",
    [
        "Shares rally as investors cheer the rate cut, with the index up 2%.",
        "The dollar staged a late rally against the euro after the jobs figures.",
        "Oil prices rallied for a third day, the best run for traders since March.",
    ],
)
def test_rally__of_markets_is_no_conflict_evidence(clf, body):
    topics = _topics(clf, "Markets", body)
    assert not any(w.startswith("rall") for w in topics.get(CONFLICT, []))


@pytest.mark.parametrize(
    "body",
    [
        "Thousands joined a rally in the capital to demand the release of jailed activists.",
        "Police used tear gas to break up rallies outside parliament on Sunday.",
    ],
)
def test_rally__of_protesters_still_counts(clf, body):
    topics = _topics(clf, "Protests", body)
    assert any(w.startswith("rall") for w in topics.get(CONFLICT, []))


@pytest.mark.parametrize(
    "body",
    [
        "The club condemned offensive chants aimed at the visiting striker.",
        "The minister apologised for offensive remarks about nurses on a podcast.",
        "The offensive line gave the quarterback time to throw for 300 yards.",
    ],
)
def test_offensive__remarks_and_lines_are_no_conflict_evidence(clf, body):
    topics = _topics(clf, "Row", body)
    assert "offensive" not in topics.get(CONFLICT, [])


def test_offensive__a_military_offensive_still_counts(clf):
    topics = _topics(clf, "Army advances", "Troops launched an offensive on the rebel-held town at dawn.")
    assert "offensive" in topics.get(CONFLICT, [])


@pytest.mark.parametrize(
    "body",
    [
        "The golfer has played only twice on tour since his back surgery.",
        "The captain said no member of his side had doubts about the tour of Zimbabwe.",
    ],
)
def test_tour__of_golfers_and_cricket_sides_is_no_arts_evidence(clf, body):
    topics = _topics(clf, "Back on tour", body)
    assert "tour" not in topics.get(ARTS, [])


def test_tour__of_a_band_still_counts(clf):
    topics = _topics(clf, "Band announces tour", "The group will play 20 dates after the release of its new album.")
    assert "tour" in topics.get(ARTS, [])


HEALTH = "medtop:07000000"
WEATHER = "medtop:17000000"
TECH = "medtop:13000000"
ECONOMY = "medtop:04000000"


@pytest.mark.parametrize(
    "body",
    [
        "The champion was quickest in qualifying for the Italian GP, two tenths clear of his team-mate.",
        "After a slow pit stop he finished fourth at the Japanese GP, losing ground in the drivers' race.",
    ],
)
def test_gp__in_motor_racing_is_no_health_evidence(clf, body):
    assert "gp" not in _topics(clf, "Pole for the leader", body).get(HEALTH, [])


def test_gp__a_family_doctor_still_counts(clf):
    body = "Patients waited three weeks to see a GP as the surgery lost two of its doctors."
    assert "gp" in _topics(clf, "Surgery struggles", body).get(HEALTH, [])


@pytest.mark.parametrize(
    "body",
    [
        "Playing in cold wind and steady rain, she signed for a two-under-par round and a one-shot lead.",
        "The match was held up twice by rain before the home team sealed the win in the last over.",
    ],
)
def test_weather__in_a_match_report_is_no_weather_evidence(clf, body):
    topics = _topics(clf, "Leader holds on", body)
    assert WEATHER not in topics


def test_weather__without_a_game_still_counts(clf):
    body = "Forecasters expect heavy rain and strong winds across the north, with a storm arriving on Thursday."
    assert WEATHER in _topics(clf, "Storm warning", body)


@pytest.mark.parametrize(
    "body",
    [
        "The Olympic star, a swimmer from Perth, set a new personal best in the heats.",
        "The former league star joined the club's coaching staff on a two-year deal.",
    ],
)
def test_star__of_sport_is_no_arts_evidence(clf, body):
    assert "star" not in _topics(clf, "New role", body).get(ARTS, [])


def test_star__of_film_still_counts(clf):
    body = "The star of the hit comedy said filming the second series was the best year of her career."
    assert "star" in _topics(clf, "Comedy returns", body).get(ARTS, [])


@pytest.mark.parametrize(
    "body",
    [
        "A Liverpool hospital has opened a new ward for older patients after a year of building work.",
        "The bank will move 300 jobs from its London office to Leeds by the end of next year.",
        "Delegates met in Barcelona for a three-day conference on mobile networks.",
    ],
)
def test_city_club__named_as_a_place_is_no_sport_evidence(clf, body):
    topics = _topics(clf, "Update", body)
    assert not any(w in ("liverpool", "leeds", "barcelona", "newcastle") for w in topics.get(SPORT, []))


def test_city_club__in_a_match_report_still_counts(clf):
    body = "Liverpool came from behind to beat Newcastle 2-1, the striker scoring twice in the second half."
    assert "liverpool" in _topics(clf, "Late winner", body).get(SPORT, [])


@pytest.mark.parametrize(
    ("body", "code", "word"),
    [
        ("Georgia Tech ran for 250 yards and two touchdowns in the win over a ranked rival.", TECH, "tech"),
        ("The Rockets beat the Lakers by ten points, their guard scoring 31 in the game.", CONFLICT, "rockets"),
    ],
)
def test_tech_and_rockets__in_a_match_report_are_teams(clf, body, code, word):
    assert word not in _topics(clf, "College round-up", body).get(code, [])


def test_rockets__fired_in_a_conflict_still_count(clf):
    body = "Militants fired rockets at border towns overnight and the army answered with air strikes."
    assert "rockets" in _topics(clf, "Border attacks", body).get(CONFLICT, [])


@pytest.mark.parametrize(
    ("title", "body", "word"),
    [
        ("Dairies to merge", "The two cooperatives agreed to merge, creating the biggest milk producer.", "merge"),
        ("Currency slides", "The yuan weakened past seven to the dollar after the central bank cut rates.", "yuan"),
        ("Rupee hits record low", "The rupee fell for a fifth day as importers bought dollars.", "rupee"),
    ],
)
def test_economy__mergers_and_currencies_are_economy(clf, title, body, word):
    r = clf.classify(title, body, "en")
    top = [t for t in r.topics if t.parent is None]
    assert top and top[0].code == ECONOMY
    assert word in [e.text.lower() for e in top[0].evidence]


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ("The punter pinned them inside the ten twice, and the kicker added two late field goals.", "punter"),
        ("She rolled in a long putt on the last green to finish three under-par, one clear of the field.", "putt"),
        ("The goaltender made 40 saves for his second shutout of the month.", "goaltender"),
        ("He reached the men's singles quarter-finals without dropping a set.", "men's singles"),
    ],
)
def test_sport_positions_and_scoring_terms__are_sport(clf, body, word):
    r = clf.classify("", body, "en")
    top = [t for t in r.topics if t.parent is None]
    assert top and top[0].code == SPORT
    assert word in [e.text.lower() for e in top[0].evidence]


_NEAR_WORDS = ["fire brigade", "blaze", "firefight*", "ire", "set"]
_NEAR_SEGS = [
    "",
    "ire fighters came",  # a window that starts inside "fire": a word start there, as in the search
    "the fire brigade came",
    "the fire  \n brigade came",
    "the fire brigades",  # no "*": not a whole word
    "firefighters and a blaze",
    "ablaze",
    "reset the clocks",
    "'set' in quotes",
    "set",
    "sunset, set",
    "the blaze_ x",
    "\u00e9set",
]


@pytest.mark.parametrize("seg", _NEAR_SEGS)
@pytest.mark.parametrize("clitics", [False, True])
def test_near__with_first_words_agrees_with_searching_the_whole_window(seg, clitics):
    words, heads = lx._word_alternation(_NEAR_WORDS, clitics)
    assert heads is not None
    assert lx.near(words, heads, seg) is (words.search(seg) is not None)
    assert lx.near(words, None, seg) is (words.search(seg) is not None)


@pytest.mark.parametrize(
    "seg",
    [
        "",
        "\u0630\u0643\u0631\u062a \u0648\u0643\u0627\u0644\u0629",
        "\u0648\u0630\u0643\u0631\u062a",
        "\u0628\u062d\u0633\u0628",
        "\u0646\u0642\u0644\u0627 \u0639\u0646",
    ],
)
def test_near__arabic_words_with_clitics_agree_with_the_search(seg):
    words, heads = lx._word_alternation(
        ["\u0630\u0643\u0631\u062a", "\u0628\u062d\u0633\u0628", "\u0646\u0642\u0644*"], True
    )
    seg = arabic.normalize(seg)
    assert lx.near(words, heads, seg) is (words.search(seg) is not None)


def test_word_alternation__a_word_empty_once_stripped_has_no_first_words():
    words, heads = lx._word_alternation(["blaze", "*"], False)
    assert heads is None
    assert lx.near(words, heads, "a blaze")


def test_sense_rules__of_every_language_have_first_words(clf):
    rules = {
        id(c.sense): c.sense
        for p in clf.lex.packs.values()
        for _k, v in p.auto.items()
        for c in v[5]
        if c.sense is not None
    }
    assert rules
    for rule in rules.values():
        assert (rule.unless is None) is (rule.unless_heads is None)
        assert (rule.needs is None) is (rule.needs_heads is None)


@pytest.mark.parametrize(
    "body",
    [
        "The striker was injured in the first half of the game and will miss the next two league matches.",
        "Her team-mate was injured in a crash on lap 12 and the race was stopped for twenty minutes.",
        "The rookie had an accident in qualifying, losing the front wing before the grand prix.",
    ],
)
def test_injured_accident_crash__in_a_game_or_a_race_is_no_disaster_evidence(clf, body):
    topics = _topics(clf, "Setback", body)
    assert not any(w in ("injured", "crash", "accident") for w in topics.get(DISASTER, []))


@pytest.mark.parametrize(
    "body",
    [
        "Four people were injured when a bus and a lorry collided on the motorway on Friday morning.",
        "The crash closed the bridge for six hours while ambulances took the injured to hospital.",
    ],
)
def test_injured_accident_crash__on_the_road_still_counts(clf, body):
    topics = _topics(clf, "Motorway closed", body)
    assert any(w in ("injured", "crash") for w in topics.get(DISASTER, []))


@pytest.mark.parametrize(
    "body",
    [
        "Leaked documents show the ministry knew of the delays a year before the minister spoke.",
        "The company said customer details had leaked online and it had told the regulator.",
    ],
)
def test_leak__of_documents_or_data_is_no_disaster_evidence(clf, body):
    topics = _topics(clf, "Files reveal plans", body)
    assert not any(w.startswith("leak") for w in topics.get(DISASTER, []))


def test_leak__of_gas_still_counts(clf):
    body = "Residents were evacuated after a gas leak at the plant on the edge of town, firefighters said."
    assert any(w.startswith("leak") for w in _topics(clf, "Homes cleared", body).get(DISASTER, []))


@pytest.mark.parametrize(
    "body",
    [
        "The pitcher will have surgery on his elbow and miss the rest of the season, the coach said.",
        "The striker flew to Germany for treatment and the club's medical staff expect him back for the next game.",
    ],
)
def test_surgery_treatment__of_a_player_is_no_health_evidence(clf, body):
    topics = _topics(clf, "Setback for champions", body)
    assert not any(w in ("surgery", "treatment", "medical") for w in topics.get(HEALTH, []))


def test_surgery_treatment__of_patients_still_counts(clf):
    body = "Patients are waiting longer for hip surgery and cancer treatment as hospitals clear the backlog."
    topics = _topics(clf, "Waits grow", body)
    assert "surgery" in topics.get(HEALTH, []) and "treatment" in topics.get(HEALTH, [])


def test_lunar__in_the_lunar_new_year_is_no_science_evidence(clf):
    body = "Families visited temples and shared meals as the Lunar New Year holiday began."
    assert "lunar" not in _topics(clf, "Crowds gather for the festival", body).get(TECH, [])


def test_lunar__of_the_moon_still_counts(clf):
    body = "The craft will land near a crater at the lunar south pole and drill for ice, the space agency said."
    assert "lunar" in _topics(clf, "Probe heads for the Moon", body).get(TECH, [])
