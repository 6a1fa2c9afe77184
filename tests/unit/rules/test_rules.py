import pytest

from newsmon.rules.matcher import match_rules
from newsmon.rules.model import RuleError, RuleSet, build_ruleset, load_rules, load_rules_text

from ..factories import classified

BASIC = """
rules:
  - id: me-conflict
    name: ME conflict
    when:
      all:
        - regions: [middle-east]
        - topics: {codes: [medtop:16000000], min_score: 0.5}
      none:
        - keywords: [football]
    channels: [webhook]
"""


def rules(text: str) -> RuleSet:
    return build_ruleset(load_rules_text(text, "test.yaml"))


def test_match__region_and_topic_with_evidence():
    rs = rules(BASIC)
    (m,) = match_rules(rs, classified(regions=("middle-east",)))
    kinds = {r["kind"] for r in m.reasons}
    assert kinds == {"region", "topic"}
    assert all("field" in r and "start" in r for r in m.reasons)


def test_match__topic_below_min_score_does_not_fire():
    assert match_rules(rules(BASIC), classified(regions=("middle-east",), topics={"medtop:16000000": 0.4})) == []


def test_match__none_excludes():
    item = classified(regions=("middle-east",), body="The football match in Baghdad.")
    assert match_rules(rules(BASIC), item) == []


def test_keywords__word_boundaries_and_case():
    rs = rules("""
rules:
  - id: kw
    when: {keywords: [HTS, security forces]}
    channels: [log]
""")
    assert match_rules(rs, classified(title="t", body="Human rights groups said")) == []
    (m,) = match_rules(rs, classified(title="t", body="the Security\nForces of Iraq; hts fighters"))
    assert sorted(r["text"].lower() for r in m.reasons) == ["hts", "security\nforces"]


def test_keywords__exclude_vetoes_the_article():
    rs = rules("""
rules:
  - id: kw
    when: {keywords: {terms: [attack], exclude: [heart attack]}}
    channels: [log]
""")
    assert match_rules(rs, classified(body="an attack on a base")) != []
    assert match_rules(rs, classified(body="an attack, and a heart attack")) == []


@pytest.mark.parametrize(
    "body",
    [
        "هاجم تنظيم داعش القرية",  # bare
        "قتلى في هجوم لداعش",  # li- prefix
        "وداعش تتبنى الهجوم",  # wa- prefix
        "تنظيم دَاعِشٌ الإرهابي",  # diacritics
    ],
)
def test_keywords__arabic_term_matches_clitic_and_diacritic_forms_with_original_offsets(body):
    rs = rules("""
rules:
  - id: kw
    when: {keywords: [داعش]}
    channels: [log]
""")
    (m,) = match_rules(rs, classified(title="t", body=body))
    (reason,) = m.reasons
    assert body[reason["start"] : reason["end"]] == reason["text"]
    assert "عش" in reason["text"].replace("ِ", "").replace("ٌ", "")


def test_keywords__arabic_term_needs_a_whole_word():
    rs = rules("""
rules:
  - id: kw
    when: {keywords: [نار]}
    channels: [log]
""")
    # "fire" is inside "lighthouse" (منار), but mim is no clitic.
    assert match_rules(rs, classified(title="t", body="زار السياح منار الميناء")) == []
    assert match_rules(rs, classified(title="t", body="أطلقوا النار على الحشد")) != []


def test_countries__role_focus_by_default():
    rs = rules("""
rules:
  - id: de
    when: {countries: [de]}
    channels: [log]
  - id: de-any
    when: {countries: {codes: [DE], role: any}}
    channels: [log]
""")
    ids = [m.rule.id for m in match_rules(rs, classified(countries={"IQ": "focus", "DE": "mention"}))]
    assert ids == ["de-any"]


def test_topics__parent_code_matches_child_topic():
    from newsmon.streams.records import TopicTag

    item = classified(topics={})
    item.classification.topics.append(TopicTag("medtop:20000065", "act of terror", 0.7, [], parent="medtop:16000000"))
    rs = rules("rules:\n  - id: t\n    when: {topics: [medtop:16000000]}\n    channels: [log]\n")
    assert [m.rule.id for m in match_rules(rs, item)] == ["t"]


def test_any__sources_and_languages():
    rs = rules("""
rules:
  - id: src
    when:
      any:
        - sources: [Reuters]
        - languages: [fr]
    channels: [log]
""")
    assert match_rules(rs, classified(source="reuters")) != []
    assert match_rules(rs, classified(source="afp", language="fr")) != []
    assert match_rules(rs, classified(source="afp", language="en")) == []


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("rules:\n  - id: x\n    when: {regions: [a]}\n", "test.yaml: rule 'x': channels: required"),
        ("rules:\n  - id: Bad Id\n", "test.yaml: rules[0].id"),
        ("rules:\n  - id: x\n    when: {topics: [conflict]}\n    channels: [a]\n", "rule 'x': when.topics[0]"),
        (
            "rules:\n  - id: x\n    when: {topics: {codes: [medtop:16000000], min_score: 2}}\n    channels: [a]\n",
            "rule 'x': when.topics.min_score",
        ),
        ("rules:\n  - id: x\n    when: {countries: [IRQ]}\n    channels: [a]\n", "rule 'x': when.countries[0]"),
        ("rules:\n  - id: x\n    when: {all: [{colour: [red]}]}\n    channels: [a]\n", "when.all[0].colour"),
        ("rules:\n  - id: x\n    type: sometimes\n    when: {regions: [a]}\n    channels: [a]\n", "rule 'x': type"),
        (
            "rules:\n  - id: x\n    type: frequency\n    when: {regions: [a]}\n    channels: [a]\n",
            "rule 'x': threshold",
        ),
        ("rules:\n  - id: x\n    when: {regions: [a]}\n    channels: [a]\n    realert: soon\n", "rule 'x': realert"),
        ("rules: [\n", "test.yaml: invalid YAML (line"),
        ("rulez: []\n", "test.yaml: rules"),
    ],
)
def test_rule_errors__name_file_rule_and_field(text, where):
    with pytest.raises(RuleError) as exc:
        rules(text)
    assert where in str(exc.value)


def test_ruleset__duplicate_ids_rejected_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text("rules:\n  - id: x\n    when: {regions: [a]}\n    channels: [log]\n")
    (tmp_path / "b.yaml").write_text("rules:\n  - id: x\n    when: {regions: [b]}\n    channels: [log]\n")
    with pytest.raises(RuleError, match="duplicate rule id"):
        load_rules([tmp_path])


def test_ruleset__payload_roundtrip_keeps_version():
    rs = rules(BASIC)
    again = RuleSet.from_payload(rs.to_payload())
    assert again.version == rs.version
    assert [r.id for r in again.rules] == ["me-conflict"]


def test_shipped_rules_are_valid(repo_root):
    rs = load_rules([repo_root / "rules"])
    assert len(rs.rules) >= 3


def test_rules_payload__round_trip_keeps_version_and_broken_payloads_are_rejected():
    from newsmon.rules.distribution import decode_payload

    rs = rules(BASIC)
    back = decode_payload(rs.to_payload())
    assert back.version == rs.version and [r.id for r in back.rules] == ["me-conflict"]
    for bad in (b"", b"{not json", b'{"v": 1}', b'{"v": 1, "rules": [{"id": "BAD"}]}'):
        with pytest.raises(RuleError):
            decode_payload(bad)
