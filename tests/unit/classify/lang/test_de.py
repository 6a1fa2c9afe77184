"""German topics, on news texts written for these tests (de_news.jsonl).

de_news.jsonl holds 281 headlines with two to five sentences each, written here
in the register of Austrian and German newspapers (Inland, International,
Wirtschaft, Web, Wissenschaft, Kultur, Etat, Panorama, Sport), each with the
IPTC top-level topic a reader would give it. Every text must get that topic
first (de_news_heldout.jsonl is an evaluation set only, `newsmon eval --set de-heldout`:
never tuned on, never a test). Without the German folder (lang/de) the texts fall back to English
terms, and the routing test below checks that German terms were used.
"""

from __future__ import annotations

import json
from pathlib import Path

from newsmon.classify import Classifier
from tests.unit.classify.lang.topics import (
    ARTS,
    CRIME,
    HEALTH,
    POLITICS,
    SCITECH,
    covers_every_topic_check,
    routed_check,
    subtopic_check,
    topic_first_check,
)

_LINES = Path(__file__).with_name("de_news.jsonl").read_text(encoding="utf-8").splitlines()
TEXTS = [json.loads(line) for line in _LINES]
CASES = [(t["id"], t["title"], t["body"], t["iptc"]) for t in TEXTS]

test_german_text_gets_its_topic_first = topic_first_check(CASES)
test_german_texts_cover_every_top_level_topic = covers_every_topic_check(CASES, at_least=60)
test_german_monitored_subtopic_is_tagged = subtopic_check(
    [
        (
            "Selbstmordanschlag in der Hauptstadt",
            "Ein Attentäter hat sich vor einem Regierungsgebäude in die Luft gesprengt. Die Terrormiliz bekannte sich.",
            "medtop:20000053",  # act of terror
        ),
        (
            "Landtagswahl: Wahlbeteiligung gestiegen",
            "Die Wähler gaben ihre Stimme in 2.000 Wahllokalen ab, die Hochrechnung sieht die Opposition vorn.",
            "medtop:20000574",  # election
        ),
        (
            "Drei Einbrecher festgenommen",
            "Die Polizei nahm die Verdächtigen nach einer Verfolgungsjagd fest, sie sitzen in Untersuchungshaft.",
            "medtop:20000130",  # arrest
        ),
        (
            "Erdbeben erschüttert Küstenregion",
            "Das Beben der Stärke 7,1 löste eine Tsunamiwarnung aus, Rettungskräfte suchen nach Verschütteten.",
            "medtop:20000151",  # natural disaster
        ),
        (
            "Luftangriffe auf Stellungen der Rebellen",
            "Die Armee flog Luftangriffe, am Boden lieferten sich Soldaten und Milizen heftige Gefechte.",
            "medtop:20000056",  # armed conflict
        ),
        (
            "Tausende bei Kundgebung gegen Sparpaket",
            "Die Demonstranten zogen vor das Parlament, die Polizei setzte Tränengas ein.",
            "medtop:20000066",  # demonstration
        ),
        (
            "Masern-Epidemie breitet sich aus",
            "Die Gesundheitsbehörde meldet 300 neue Fälle, die Epidemie trifft vor allem ungeimpfte Kinder.",
            "medtop:20000449",  # epidemic
        ),
    ],
    ids=["terror", "election", "arrest", "natural_disaster", "armed_conflict", "demonstration", "epidemic"],
)


def test_german_compound_words_listed_in_the_lexicon_count(clf: Classifier) -> None:
    # A compound listed whole is matched whole (compound heads: tests/unit/classify/test_compounds.py).
    title = "Nach der Bundestagswahl: Koalitionsgespräche beginnen"
    tops = [t for t in clf.classify(title, "").topics if t.parent is None]
    assert tops and tops[0].code == POLITICS
    assert any(ev.text == "Bundestagswahl" for ev in tops[0].evidence)


def test_german_verb_forms_are_not_nouns(clf: Classifier) -> None:
    # "betrug" (amounted to) and "gewinnen" (to win) are not "Betrug" (fraud) or "Gewinn" (profit).
    body = "Der Umsatz betrug 40 Millionen Euro. Die Spieler wollen das nächste Spiel gewinnen."
    codes = {t.code for t in clf.classify("Quartalszahlen", body).topics}
    assert CRIME not in codes


# German terms, not the English fallback.
test_german_text_is_routed_to_german = routed_check(CASES[:1], "de", own_terms=True)


# Senses: the same word, told apart by its neighbours.
SENSE_CASES = [
    (
        "video_game_players",
        "Neues Spiel für die Konsole",
        "Die Spieler erkunden in dem Videospiel eine offene Welt, das Spiel erscheint für PlayStation und Xbox.",
        SCITECH,
    ),
    (
        "hacker_attack",
        "Angriff auf Server der Stadtverwaltung",
        "Hacker haben bei dem Angriff Schadsoftware eingeschleust, die Server sind seit Tagen offline.",
        SCITECH,
    ),
    (
        "race_for_office",
        "Rennen um das Kanzleramt",
        "Im Rennen um das Amt des Kanzlers liegt der Kandidat der Opposition laut Umfrage vorn.",
        POLITICS,
    ),
    (
        "electoral_victory",
        "Wahlsieg für die Opposition",
        "Die Partei hat die Wahl mit 38 Prozent der Stimmen gewonnen, der Sieg gilt als historisch.",
        POLITICS,
    ),
    (
        "epidemic_curfew",
        "Corona: Regeln gelockert",
        "Die Regierung hebt die Ausgangssperre auf, die Zahl der Infektionen in der Pandemie sinkt.",
        HEALTH,
    ),
    (
        "crime_series_review",
        "Neuer Sonntagskrimi: Mord im Weinkeller",
        "Die Ermittlerin sucht den Mörder eines Winzers. Die Episode lebt von ihren Darstellern und läuft am "
        "Sonntag im Hauptabendprogramm.",
        ARTS,
    ),
    (
        "murder_report",
        "Mord im Weinkeller: Nachbar festgenommen",
        "Die Ermittler nahmen den Nachbarn des getöteten Winzers fest. In der Folge wurde auch seine Wohnung "
        "durchsucht, der Mann sitzt in Untersuchungshaft.",
        CRIME,
    ),
]
test_german_word_sense_follows_its_neighbours = topic_first_check(SENSE_CASES)
