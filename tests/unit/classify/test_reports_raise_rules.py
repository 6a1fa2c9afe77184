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
    (
        "ar",
        "ضبط أربعة ملايين حبة كبتاغون في مرفأ بيروت",
        "ضبطت القوى الأمنية اللبنانية أكثر من أربعة ملايين حبة كبتاغون مخبأة في شحنة برتقال في مرفأ بيروت "
        "كانت معدة للتهريب إلى السعودية. وأوقفت ثلاثة مشتبه بهم، بحسب وزارة الداخلية.",
        "levant-crime",
    ),
    (
        "fr",
        "Saisie record de Captagon au port de Beyrouth",
        "Les forces de sécurité libanaises ont saisi plus de quatre millions de comprimés de Captagon cachés "
        "dans une cargaison d'oranges au port de Beyrouth. Trois suspects ont été arrêtés pour trafic de "
        "drogue, selon le ministère de l'Intérieur.",
        "levant-crime",
    ),
    (
        "de",
        "Rekordfund im Hafen von Beirut: Millionen Captagon-Tabletten beschlagnahmt",
        "Libanesische Sicherheitskräfte haben im Hafen von Beirut mehr als vier Millionen Captagon-Tabletten "
        "sichergestellt, die in einer Ladung Orangen versteckt waren. Drei Verdächtige wurden wegen "
        "Drogenschmuggels festgenommen, teilte das Innenministerium mit.",
        "levant-crime",
    ),
]

# Reports from the same region that a rule author would not want the conflict rule to raise.
QUIET = [
    (
        "de",
        "Asien-Cup: Jordanien besiegt den Irak in der Nachspielzeit",
        "Die jordanische Nationalmannschaft hat im Achtelfinale des Asien-Cups den Irak mit 3:2 besiegt. "
        "Das Siegtor fiel in der Nachspielzeit, der Trainer lobte die Moral seiner Mannschaft. Im "
        "Viertelfinale trifft Jordanien auf Tadschikistan.",
    ),
    (
        "fr",
        "Coupe d'Asie : la Jordanie bat l'Irak au bout du temps additionnel",
        "La sélection jordanienne s'est imposée 3-2 face à l'Irak en huitième de finale de la Coupe d'Asie. "
        "Le but de la victoire est tombé dans le temps additionnel ; en quart de finale, la Jordanie "
        "affrontera le Tadjikistan.",
    ),
]


@pytest.mark.parametrize(("lang", "title", "body", "rule_id"), REPORTS, ids=[f"{r[0]}-{r[3]}" for r in REPORTS])
def test_report__raises_the_example_rule(clf: Classifier, lang, title, body, rule_id):
    rs = load_rules([Path(__file__).resolve().parents[3] / "rules"])
    art = normalize_raw(validate_raw({"title": title, "body": body, "source": "test"}))
    c = clf.classify(art.title, art.body)
    assert c.language == lang
    matched = {m.rule.id: m for m in match_rules(rs, ClassifiedArticle(art, c))}
    assert rule_id in matched, ([(t.code, t.score) for t in c.topics], [r.code for r in c.regions])
    texts = [r.get("text", "") for r in matched[rule_id].reasons]
    assert all(t for t in texts)  # every reason carries its evidence span


@pytest.mark.parametrize(("lang", "title", "body"), QUIET, ids=[q[0] for q in QUIET])
def test_sports_report_from_the_region__raises_no_conflict_rule(clf: Classifier, lang, title, body):
    rs = load_rules([Path(__file__).resolve().parents[3] / "rules"])
    art = normalize_raw(validate_raw({"title": title, "body": body, "source": "test"}))
    c = clf.classify(art.title, art.body)
    assert c.language == lang
    assert any(r.code == "middle-east" for r in c.regions)  # the region is there: only the topic keeps it quiet
    matched = {m.rule.id for m in match_rules(rs, ClassifiedArticle(art, c))}
    assert not matched & {"middle-east-conflict", "levant-conflict-spike"}, [(t.code, t.score) for t in c.topics]
