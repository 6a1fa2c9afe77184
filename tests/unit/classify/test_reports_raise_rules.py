"""News reports in Arabic, French and German raise the alerts a rule author expects from the example rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.classify import Classifier
from newsmon.ingest.normalize import normalize_raw, validate_raw
from newsmon.rules.matcher import match_rules
from newsmon.rules.model import load_rules
from newsmon.streams.records import ClassifiedArticle

REPORTS = [
    (
        "ar",
        "مقتل عشرة أشخاص في انفجار سيارة مفخخة ببغداد",
        "قُتل عشرة أشخاص وأصيب عشرون آخرون في انفجار سيارة مفخخة استهدف سوقاً شعبياً في بغداد، "
        "وفق مصادر أمنية. وقالت وزارة الداخلية العراقية إن الهجوم الإرهابي نُفّذ بعبوة ناسفة.",
        "middle-east-conflict",
    ),
    (
        "fr",
        "Attentat à la voiture piégée à Bagdad : dix morts",
        "Une voiture piégée a explosé lundi sur un marché de Bagdad, tuant dix personnes, selon des sources "
        "sécuritaires irakiennes. L'attaque terroriste n'a pas été revendiquée ; l'armée a renforcé les "
        "contrôles dans la capitale.",
        "middle-east-conflict",
    ),
    (
        "de",
        "Autobombe in Bagdad: zehn Tote",
        "Bei der Explosion einer Autobombe auf einem Markt in Bagdad sind am Montag zehn Menschen getötet "
        "worden, teilten irakische Sicherheitskräfte mit. Zu dem Terroranschlag bekannte sich zunächst "
        "niemand; die Armee verstärkte die Kontrollen in der Hauptstadt.",
        "middle-east-conflict",
    ),
]


@pytest.mark.parametrize(("lang", "title", "body", "rule_id"), REPORTS, ids=[r[0] for r in REPORTS])
def test_report__raises_the_example_rule(clf: Classifier, lang, title, body, rule_id):
    rs = load_rules([Path(__file__).resolve().parents[3] / "rules"])
    art = normalize_raw(validate_raw({"title": title, "body": body, "source": "test"}))
    c = clf.classify(art.title, art.body)
    assert c.language == lang
    matched = {m.rule.id: m for m in match_rules(rs, ClassifiedArticle(art, c))}
    assert rule_id in matched, ([(t.code, t.score) for t in c.topics], [r.code for r in c.regions])
    texts = [r.get("text", "") for r in matched[rule_id].reasons]
    assert all(t for t in texts)  # every reason carries its evidence span
