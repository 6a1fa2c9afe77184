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


def _has(topics: dict[str, list[str]], code: str, word: str) -> bool:
    return any(w.startswith(word) for w in topics.get(code, []))


def _sense_holds(clf: Classifier, word: str, code: str, text: str) -> bool:
    """Whether ``word``'s sense rule under ``code`` lets it count at its first place in ``text``.

    Checks the rule itself, for sentences where a longer term ("social media", "went viral") would take the
    word's match first, so the classification alone could not show what the rule does.
    """
    cues = [c for c in clf.lex.packs["en"].auto.get(" " + word)[5] if c.code == code]
    assert cues and cues[0].sense is not None, f"{word!r} has no sense rule under {code}"
    low = text.lower()
    start = low.index(word)
    return bool(cues[0].sense.holds(low, start, start + len(word)))


@pytest.mark.parametrize(
    ("title", "body", "word"),
    [
        ("Banker to serve time", "The former banker will serve a four-year sentence for the fraud.", "serve"),
        ("Retailer cuts prices", "The chain ran a promotion on winter coats and promoted two staff.", "promot"),
    ],
)
def test_sport_word__needing_sport_around_it_is_not_its_own_context(clf, title, body, word):
    assert not _has(_topics(clf, title, body), SPORT, word)


def test_sport_word__a_serve_in_a_tennis_match_still_counts(clf):
    body = "She dropped her serve twice in the second set but took the match on a tie-break."
    assert _has(_topics(clf, "Open upset", body), SPORT, "serve")


@pytest.mark.parametrize(
    ("title", "body", "word"),
    [
        ("Regulator weighs fines", "The watchdog said penalties on the bank would be set out next month.", "penalt"),
        ("Bill clears committee", "Opponents of the tax bill said it would hurt small firms.", "opponent"),
        ("Nurses win extra pay", "Overtime pay for night shifts will rise from April, the hospital said.", "overtime"),
        ("Queues at dawn", "Shoppers began to line up outside the stores before dawn for the sale.", "line"),
    ],
)
def test_penalties_opponents_overtime_lineup__outside_sport_are_no_sport_evidence(clf, title, body, word):
    assert not _has(_topics(clf, title, body), SPORT, word)


@pytest.mark.parametrize(
    ("title", "body", "word"),
    [
        ("Late drama", "The striker scored from the penalty spot in stoppage time to win the match.", "penalty"),
        ("Sixth straight win", "The quarterback threw for 300 yards to beat a division opponent.", "opponent"),
        ("Double overtime", "The Kings won in overtime after the goaltender made 45 saves in the game.", "overtime"),
        ("Coach names side", "The coach named an unchanged line-up for the cup final on Saturday.", "line-up"),
    ],
)
def test_penalties_opponents_overtime_lineup__in_sport_still_count(clf, title, body, word):
    assert _has(_topics(clf, title, body), SPORT, word)


@pytest.mark.parametrize(
    ("title", "body", "word"),
    [
        ("Builder wins contract", "The firm won a contract to build the new bridge, beating three rivals.", "won"),
        ("Senator wins", "She won the election by a wide margin, with turnout up among young voters.", "won"),
        ("Results beat forecasts", "Quarterly profit beat estimates as sales grew 8 percent.", "beat"),
    ],
)
def test_win_and_beat__of_contracts_elections_and_forecasts_are_no_sport_evidence(clf, title, body, word):
    assert not _has(_topics(clf, title, body), SPORT, word)


def test_win__of_a_match_still_counts(clf):
    body = "The home side won 2-1 after a late goal, their third win in a row."
    assert _has(_topics(clf, "Derby", body), SPORT, "won")


def test_fans__of_video_games_are_no_sport_evidence(clf):
    body = "Video game fans queued overnight to buy the new console on its first day."
    assert not _has(_topics(clf, "Launch night", body), SPORT, "fans")


def test_fans__at_a_stadium_still_count(clf):
    body = "Fans filled the stadium to watch the club's first match of the season."
    assert _has(_topics(clf, "Opening day", body), SPORT, "fans")


def test_team__of_scientists_is_no_sport_evidence(clf):
    body = "A team of scientists said the probe had sent back images of the comet's surface."
    assert not _has(_topics(clf, "Probe images", body), SPORT, "team")


def test_team__in_a_league_still_counts(clf):
    body = "The team moved top of the league after a third straight win on Sunday."
    assert _has(_topics(clf, "Top spot", body), SPORT, "team")


@pytest.mark.parametrize(
    "body",
    [
        "The survey shows that households are spending less on food than a year ago.",
        "Official figures show exports fell for a third month.",
        "The carmaker shows off its new electric model at the motor fair.",
    ],
)
def test_show__as_a_verb_is_no_arts_evidence(clf, body):
    assert not _has(_topics(clf, "Update", body), ARTS, "show")


def test_show__on_stage_or_screen_still_counts(clf):
    body = "The comedian returns with a new show, and tickets for the London dates sold out in an hour."
    assert _has(_topics(clf, "On tour", body), ARTS, "show")


def test_record__outside_music_is_no_arts_evidence(clf):
    body = "The airline reported a record number of passengers and a record profit for the year."
    assert not _has(_topics(clf, "Busy summer", body), ARTS, "record")


def test_record__of_a_band_still_counts(clf):
    body = "The band will record a new album with the same producer in the spring."
    assert _has(_topics(clf, "Back in the studio", body), ARTS, "record")


@pytest.mark.parametrize(
    "body",
    [
        "The country is the world's third-largest oil producer, and the biggest producer of pork in the region.",
        "The copper producer reported record output for the quarter.",
    ],
)
def test_producer__of_oil_food_or_metals_is_no_arts_evidence(clf, body):
    assert not _has(_topics(clf, "Output rises", body), ARTS, "producer")


def test_producer__of_a_film_still_counts(clf):
    body = "The film's producer said shooting would start in the summer, with the director's usual cast."
    assert _has(_topics(clf, "Sequel confirmed", body), ARTS, "producer")


@pytest.mark.parametrize(
    "body",
    [
        "The clip spread quickly on social media after it was posted on Tuesday.",
        "Three people were arrested, state media reported, after the protest in the capital.",
    ],
)
def test_media__as_a_platform_or_a_source_is_no_arts_evidence(clf, body):
    assert not _has(_topics(clf, "Update", body), ARTS, "media")
    assert not _sense_holds(clf, "media", ARTS, body)


def test_media__as_the_press_still_counts(clf):
    body = "The media group owns two newspapers and a radio station in the north."
    assert _has(_topics(clf, "Press deal", body), ARTS, "media")
    assert _sense_holds(clf, "media", ARTS, body)


@pytest.mark.parametrize(
    "body",
    [
        "The company plans to buy a smaller rival and cut costs, the chief executive said.",
        "The two banks are in merger talks that would create the country's biggest lender.",
    ],
)
def test_plans_and_talks__of_a_company_are_no_politics_evidence(clf, body):
    word = "plans" if "plans" in body else "talks"
    # Politics may go unreported here for other reasons: the rule itself must drop the word.
    assert not _sense_holds(clf, word, POLITICS, body)
    topics = _topics(clf, "Deal ahead", body)
    assert not _has(topics, POLITICS, "plan")
    assert not _has(topics, POLITICS, "talks")


def test_plans_and_talks__of_governments_still_count(clf):
    body = "The two governments resumed talks on the border dispute, and the minister set out plans for a vote."
    topics = _topics(clf, "Border talks", body)
    assert _has(topics, POLITICS, "talks")
    assert _sense_holds(clf, "talks", POLITICS, body)
    assert _sense_holds(clf, "plans", POLITICS, body)


def test_poll__ranking_teams_is_no_politics_evidence(clf):
    body = "The unbeaten side moved up to third in the college football poll after the win."
    assert not _has(_topics(clf, "Rankings", body), POLITICS, "poll")


def test_poll__of_voters_still_counts(clf):
    body = "A poll of voters puts the opposition party four points ahead before the election."
    assert _has(_topics(clf, "Race tightens", body), POLITICS, "poll")


def test_policy_and_cabinet__of_insurers_and_offices_are_no_politics_evidence(clf):
    body = "The insurance policy was kept in a file cabinet in the office."
    topics = _topics(clf, "Lost papers", body)
    assert not _has(topics, POLITICS, "policy")
    assert not _has(topics, POLITICS, "cabinet")


def test_policy_and_cabinet__of_a_government_still_count(clf):
    body = "The cabinet agreed a new policy on housing, the prime minister said."
    topics = _topics(clf, "Housing plan", body)
    assert _has(topics, POLITICS, "policy")
    assert _has(topics, POLITICS, "cabinet")


def test_operations__of_a_company_are_no_conflict_evidence(clf):
    body = "The company will close its operations in two factories and move production abroad."
    assert not _has(_topics(clf, "Plants close", body), CONFLICT, "operation")


def test_operations__of_an_army_still_count(clf):
    body = "The army said its operations against the rebels in the north would continue."
    assert _has(_topics(clf, "Offensive", body), CONFLICT, "operation")


def test_sport_words__in_a_video_game_story_are_no_sport_evidence(clf):
    body = (
        "Gamers from twelve countries will compete in the video game tournament, and the winning team takes the prize."
    )
    topics = _topics(clf, "Console champions", body)
    assert not _has(topics, SPORT, "tournament")
    assert not _has(topics, SPORT, "team")


def test_sport_words__in_a_match_report_still_count(clf):
    body = "The team reached the final of the tournament after a 2-0 win over the holders."
    topics = _topics(clf, "Into the final", body)
    assert _has(topics, SPORT, "tournament")
    assert _has(topics, SPORT, "team")


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ("The team's medical staff cleared the striker to play in the match on Sunday.", "team"),
        ("Millions of fans watched on TV as the club lifted the cup.", "fans"),
    ],
)
def test_team_and_fans__with_doctors_or_television_around_still_count(clf, body, word):
    assert _has(_topics(clf, "Cup day", body), SPORT, word)


def test_show__that_kicked_off_is_still_a_show(clf):
    body = "The late-night show kicked off its new series with a sketch about the royal family."
    assert _has(_topics(clf, "Back on air", body), ARTS, "show")


def test_talks__about_co_operation_between_governments_still_count(clf):
    body = "The foreign ministers held talks on security co-operation along the border."
    assert _has(_topics(clf, "Border talks", body), POLITICS, "talks")


def test_rally__of_fans_before_a_victory_parade_is_no_conflict_evidence(clf):
    body = "Fans held a rally in the square before the victory parade to celebrate the title."
    assert not _has(_topics(clf, "City celebrates", body), CONFLICT, "rall")


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


ENVIRONMENT = "medtop:06000000"


@pytest.mark.parametrize(
    "body",
    [
        "A video of the puppy riding a skateboard went viral, with millions of views in a day.",
        "Her post about the queue at the airport became a viral hit overnight on social media.",
    ],
)
def test_viral__of_a_video_or_a_post_is_no_health_evidence(clf, body):
    assert "viral" not in _topics(clf, "Owner surprised", body).get(HEALTH, [])
    assert not _sense_holds(clf, "viral", HEALTH, body)


def test_viral__of_an_infection_still_counts(clf):
    body = "Doctors said the child had a viral infection of the lungs and would stay on the ward for a week."
    assert "viral" in _topics(clf, "Child recovering", body).get(HEALTH, [])
    assert _sense_holds(clf, "viral", HEALTH, body)


@pytest.mark.parametrize(
    "body",
    [
        "The minister said the border question would not become a bargaining chip in the talks.",
        "Neighbours agreed to chip in for a new roof on the village hall after the storm.",
    ],
)
def test_chip__as_a_bargaining_chip_or_chipping_in_is_no_technology_evidence(clf, body):
    topics = _topics(clf, "Talks resume", body)
    assert not any(w.startswith("chip") for w in topics.get(TECH, []))


def test_chip__chipped_and_blue_chip_are_no_technology_evidence(clf):
    body = "The blue-chip index fell and the striker's chipped finish was ruled offside."
    topics = _topics(clf, "Markets slip", body)
    assert not any("chip" in w for w in topics.get(TECH, []))


def test_chip__of_a_computer_still_counts(clf):
    body = "The new chips are twice as fast and use half the power of the last generation, the designer said."
    assert any(w.startswith("chip") for w in _topics(clf, "Faster chips", body).get(TECH, []))


@pytest.mark.parametrize(
    "body",
    [
        "The retailer said the business environment remained tough as shoppers cut back.",
        "Managers described a difficult operating environment with higher costs for fuel and staff.",
    ],
)
def test_environment__of_a_business_is_no_environment_evidence(clf, body):
    topics = _topics(clf, "Profits fall", body)
    assert not any(w.startswith("environment") for w in topics.get(ENVIRONMENT, []))


def test_environment__of_nature_still_counts(clf):
    body = "Campaigners said the new road would harm the environment and the wildlife of the valley."
    assert any(w.startswith("environment") for w in _topics(clf, "Road plan opposed", body).get(ENVIRONMENT, []))


@pytest.mark.parametrize("seg", _NEAR_SEGS)
def test_near_in__a_window_in_place_agrees_with_its_slice(seg):
    words, heads = lx._word_alternation(_NEAR_WORDS, False)
    text = "x" + seg + " y"
    for lo in range(len(text) + 1):
        for hi in range(lo, len(text) + 3):
            assert lx.near_in(words, heads, text, lo, hi) is lx.near(words, heads, text[lo:hi]), (lo, hi)
            assert lx.near_in(words, None, text, lo, hi) is lx.near(words, None, text[lo:hi]), (lo, hi)


def test_injury_rules__a_coach_crash_with_casualties_in_hospital_is_still_health_and_disaster(clf):
    # "coach" is a bus too: the players'-injury rules must not take a road crash's hospital or crash away.
    body = (
        "A coach carrying tourists crashed on the motorway on Sunday. Twenty passengers were injured and taken to "
        "hospital for treatment, police said."
    )
    topics = _topics(clf, "Coach crash on motorway", body)
    assert _has(topics, HEALTH, "hospital")
    assert _has(topics, DISASTER, "crash")


def test_penalties_and_opponents__of_a_draft_law_are_no_sport_evidence(clf):
    # "draft", "title" or "points" are no sport context on their own.
    body = "Opponents of the draft law say the penalties for late filing are too harsh for small traders."
    topics = _topics(clf, "Tax rules criticised", body)
    assert not _has(topics, SPORT, "penalt")
    assert not _has(topics, SPORT, "opponent")
    assert not _sense_holds(clf, "penalties", SPORT, body)


def test_record__a_track_record_is_no_arts_evidence(clf):
    body = "The new chief executive has a long track record in retail and joins from a supermarket chain."
    assert not _has(_topics(clf, "New chief named", body), ARTS, "record")
    assert not _sense_holds(clf, "record", ARTS, body)
