"""The same-input rules (shared by the integration test and the fault benchmark) load, and route to the one channel."""

from __future__ import annotations

import base64

from newsmon.channels.registry import load_channels
from newsmon.devtools.same_input import CHANNELS, rules_yaml
from newsmon.rules.model import build_ruleset, load_rules_text
from newsmon.runtime import check_routes

SECRET = "whsec_" + base64.b64encode(b"same-input-test-secret-32-bytes!").decode()


def test_same_input_rules__plain_and_counting_sets_load_and_route_to_the_webhook(tmp_path):
    channels = tmp_path / "channels.yaml"
    channels.write_text(CHANNELS)
    env = {"NEWSMON_WEBHOOK_URL": "http://127.0.0.1:1/webhook", "NEWSMON_WEBHOOK_SECRET": SECRET}
    chans = load_channels(channels, env)
    plain = load_rules_text(rules_yaml(counting=False), "plain.yaml")
    counting = load_rules_text(rules_yaml(counting=True), "counting.yaml")
    assert [r.id for r in plain] == ["us-focus", "economy", "japan-any"]
    assert [(r.id, r.type) for r in counting][3:] == [("grain-burst", "frequency"), ("first-pair", "first_seen")]
    check_routes(build_ruleset(counting), chans)
