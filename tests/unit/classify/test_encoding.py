"""The classified record's fast encoder must write exactly what the generic one writes."""

from __future__ import annotations

from newsmon.classify import Classifier
from newsmon.ingest.normalize import normalize
from newsmon.streams.records import ClassifiedArticle, dumps


def test_encode__seed_articles_byte_identical_to_dumps(clf: Classifier, seed_articles: list[dict[str, str]]):
    for i, raw in enumerate(seed_articles):
        art = normalize(dumps({**raw, "url": f"https://example.com/{i}", "source": "wire"}), max_bytes=1_000_000)
        item = ClassifiedArticle(art, clf.classify(art.title, art.body, language=art.language), classified_at=2.5)
        c = item.classification
        assert c.places and c.regions and c.topics and any(t.parent for t in c.topics), "seed too thin to compare"
        assert item.encode() == dumps(item)
        assert ClassifiedArticle.decode(item.encode()) == item


def test_encode__finer_places_and_coverage_kept(clf: Classifier):
    text = "Police in Aleppo and Homs arrested suspects, the interior ministry in Damascus said."
    item = ClassifiedArticle(*_classified(clf, "Syrian police arrest suspects in Aleppo", text))
    assert any(p.places for p in item.classification.places) and item.classification.coverage
    assert item.encode() == dumps(item)


def _classified(clf: Classifier, title: str, body: str) -> tuple:
    art = normalize(dumps({"title": title, "body": body, "url": "https://example.com/x"}), max_bytes=1_000_000)
    return art, clf.classify(art.title, art.body, language=art.language)
