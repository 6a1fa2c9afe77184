"""YAML alias bombs and deep nesting are refused by every YAML loader of ours, and error
messages quote values shortened (issue 14, row 11)."""

from __future__ import annotations

import pytest

from newsmon.channels.registry import ChannelConfigError, build_channel, load_channels
from newsmon.ingest.feeds import FeedConfigError, load_feeds, parse_feeds
from newsmon.rules.model import RuleError, load_rules, load_rules_text, parse_rule


def bomb(levels: int) -> str:
    """A billion-laughs flow value: ``levels`` anchors, each a list of nine aliases of the one before."""
    expr = '&l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
    for i in range(1, levels):
        expr = f"&l{i} [{expr}," + ",".join([f"*l{i - 1}"] * 8) + "]"
    return expr


def test_rules__alias_bomb_refused_with_short_message():
    # 9**7 (4.8 million) strings once expanded; the whole file is under 600 bytes.
    text = "rules:\n  - {id: boom, when: {countries: " + bomb(7) + "}, channels: [log]}\n"
    assert len(text.encode()) < 700
    with pytest.raises(RuleError) as err:
        load_rules_text(text, "bomb.yaml")
    assert len(str(err.value)) < 500
    assert "bomb.yaml" in str(err.value)


def test_rules__small_alias_expansion_still_gets_a_short_error():
    # 9**4 strings: within the size bound, so the rule parser sees it and quotes the value shortened.
    text = "rules:\n  - {id: boom, when: {countries: " + bomb(5) + "}, channels: [log]}\n"
    with pytest.raises(RuleError) as err:
        load_rules_text(text, "bomb.yaml")
    assert len(str(err.value)) < 500 and "countries" in str(err.value)


def test_rules__deep_nesting_and_self_reference_refused_cleanly(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("rules: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(RuleError, match=r"deep\.yaml"):
        load_rules([deep])
    loop = tmp_path / "loop.yaml"
    loop.write_text("rules:\n  - &r {id: loop, when: {countries: [IQ]}, channels: [log], description: *r}\n")
    with pytest.raises(RuleError, match=r"loop\.yaml"):
        load_rules([loop])


def test_rules__ordinary_anchor_reuse_still_works():
    text = (
        "rules:\n  - {id: a, when: {countries: &c [IQ, SY]}, channels: &ch [log]}\n"
        "  - {id: b, when: {countries: *c}, channels: *ch}\n"
    )
    assert [r.id for r in load_rules_text(text, "ok.yaml")] == ["a", "b"]


def test_channels__alias_bomb_refused_with_short_message(tmp_path):
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  - {name: x, type: " + bomb(7) + "}\n")
    with pytest.raises(ChannelConfigError) as err:
        load_channels(path, env={})
    assert len(str(err.value)) < 500 and "channels.yaml" in str(err.value)


def test_channels__bad_type_value_quoted_shortened(tmp_path):
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  - {name: x, type: '" + "w" * 5000 + "'}\n")
    with pytest.raises(ChannelConfigError) as err:
        load_channels(path, env={})
    assert len(str(err.value)) < 500


def test_feeds__alias_bomb_refused_with_short_message(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds: " + bomb(7) + "\n")
    with pytest.raises(FeedConfigError) as err:
        load_feeds(path)
    assert len(str(err.value)) < 500 and "feeds.yaml" in str(err.value)


def test_huge_keys__shortened_in_rule_channel_and_feed_errors():
    # YAML caps implicit keys at 1024 characters, but a rule set also arrives as JSON
    # on the rules topic, and any loader may get a document built elsewhere.
    key = "k" * 100_000
    rule = {"id": "r", "when": {"countries": ["IQ"]}, "channels": ["log"]}
    cases = [
        (RuleError, lambda: parse_rule({**rule, key: 1}, "rules-topic")),
        (RuleError, lambda: parse_rule({**rule, "when": {"countries": {"codes": ["IQ"], key: 1}}}, "r.yaml")),
        (RuleError, lambda: parse_rule({**rule, "when": {key: ["IQ"]}}, "r.yaml")),
        (ChannelConfigError, lambda: build_channel("c.yaml", {"name": "x", "type": "log", key: 1}, {})),
        (FeedConfigError, lambda: parse_feeds({"feeds": [{"id": "f", "url": "https://example.org/rss", key: 1}]})),
        (FeedConfigError, lambda: parse_feeds({key: 1})),
    ]
    for exc_type, call in cases:
        with pytest.raises(exc_type) as err:
            call()
        assert len(str(err.value)) < 500, str(err.value)[:200]
