"""Which topic comes first: the first top-level tag is "the" topic of an article.

Sentences written here. Each case is built so that two topics report the same
score, where the old order (score, then topic code) put the lower code first.
"""

from __future__ import annotations

from newsmon.classify import Classifier
from newsmon.streams.records import Classification

SPORT = "medtop:15000000"
ARTS = "medtop:01000000"
ECONOMY = "medtop:04000000"


def _top_level(r: Classification) -> list[tuple[str, float]]:
    return [(t.code, t.score) for t in r.topics if t.parent is None]


def _first(r: Classification) -> str:
    return _top_level(r)[0][0]


def _assert_scores_kept(r: Classification) -> None:
    """Scores stay in 0..1 and never rise down the list (a rule's min_score means what it meant)."""
    scores = [t.score for t in r.topics]
    assert all(0.0 <= s <= 1.0 for s in scores)
    top = [s for _c, s in _top_level(r)]
    assert top == sorted(top, reverse=True)


RELEGATED_TITLE = "Relegated club faces a summer of sales as the season ends"
RELEGATED_BODY = (
    "The club's owners told shareholders on Monday that revenue fell after the team was relegated from the Premier "
    "League, and the bank that holds its debt wants a new budget before the transfer window opens. "
    "The manager, who was sacked in March, left a squad of expensive players on long contracts. "
    "Investors were told the stadium would stay, but the training ground may be sold to a property developer to cover "
    "losses. The striker who scored twenty goals last season is expected to leave, and the goalkeeper and the captain "
    "are on the market too. Supporters marched to the ground before the final match, a defeat at home, and the coach "
    "said the players had given everything. Economists who follow football finance say wages at the club were above "
    "the league's average and that profit is rare outside the top clubs. The chief executive said the company would "
    "cut costs, freeze spending and look for a buyer, while the share price fell on the stock market. Next season the "
    "team will play in the Championship against clubs with smaller budgets, and the fixtures are published in June. "
    "Fans hope a new coach, a younger squad and a cup run can bring the club back to the top flight within two "
    "seasons, although the league's financial rules limit how much an owner can invest, and inflation has raised the "
    "cost of running the stadium. Its annual accounts show a pre-tax loss, rising interest payments on bonds and a tax "
    "bill owed to the revenue service. Creditors and lenders want the debt refinanced, analysts expect the shares to "
    "be delisted, and the auditors warned of insolvency unless the owners find new investment. The business has "
    "borrowed from a hedge fund, and the pension scheme for its staff is in deficit. The midfielder, the winger and "
    "the head coach are expected to follow the striker out."
)


def test_long_article_both_topics_saturated__more_evidence_first_not_lower_code(clf: Classifier) -> None:
    r = clf.classify(RELEGATED_TITLE, RELEGATED_BODY)
    scores = dict(_top_level(r))
    # Both saturate: the score alone cannot tell them apart.
    assert scores[SPORT] == scores[ECONOMY] == 1.0
    assert _first(r) == SPORT
    _assert_scores_kept(r)


def test_short_item_exact_tie__headline_topic_beats_lead_topic(clf: Classifier) -> None:
    # One sport word in the headline and two arts words in the lead weigh the same.
    r = clf.classify("Goalkeeper waits", "The music and the comedy kept everyone waiting on Sunday.")
    scores = dict(_top_level(r))
    assert scores[SPORT] == scores[ARTS] > 0.0
    assert _first(r) == SPORT
    _assert_scores_kept(r)


def test_short_item_exact_tie_in_headline__topic_named_first_wins(clf: Classifier) -> None:
    r = clf.classify("Goalkeeper turns to film", "He said on Sunday that the goalkeeper was excited about the film.")
    scores = dict(_top_level(r))
    assert scores[SPORT] == scores[ARTS] > 0.0
    assert _first(r) == SPORT
    _assert_scores_kept(r)


def test_short_item_exact_tie_in_headline__order_follows_the_headline_not_the_code(clf: Classifier) -> None:
    # The same two words the other way round: now the arts word comes first.
    r = clf.classify("Film turns to goalkeeper", "He said on Sunday that the film was about a goalkeeper.")
    scores = dict(_top_level(r))
    assert scores[SPORT] == scores[ARTS] > 0.0
    assert _first(r) == ARTS
    _assert_scores_kept(r)


def test_clear_winner__order_matches_score_order(clf: Classifier) -> None:
    r = clf.classify(
        "Striker scores twice as the club wins the cup final",
        "The striker scored two goals in the final and the team won the cup; the club's fans celebrated the victory.",
    )
    assert _first(r) == SPORT
    _assert_scores_kept(r)
