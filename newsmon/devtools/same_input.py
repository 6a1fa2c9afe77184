"""The watch rules and channel of the same-input checks: same articles, same alerts.

Shared by the integration test (tests/integration/test_same_input.py) and
the fault benchmark (bench/fault_same_input.py), which must judge the same
rules: the issue's plain rules (one focus country, a topic with a score
floor, a country anywhere), and for the test, whose records carry the
broker's time, one windowed and one first_seen rule, whose counts must
follow the order too.
"""

from __future__ import annotations

PLAIN_RULES = """\
  - id: us-focus
    name: United States in focus
    when: {countries: {codes: [US], role: focus}}
    channels: [webhook]
  - id: economy
    name: Economy
    when: {topics: {codes: [medtop:04000000], min_score: 0.5}}
    channels: [webhook]
  - id: japan-any
    name: Japan anywhere
    when: {countries: {codes: [JP], role: any}}
    channels: [webhook]
"""

COUNTING_RULES = """\
  - id: grain-burst
    name: Three grain stories within 2 seconds of ingest
    type: frequency
    threshold: 3
    window: 2s
    when: {keywords: [wheat, grain, corn]}
    channels: [webhook]
  - id: first-pair
    name: A region and topic pair first seen
    type: first_seen
    lookback: 1h
    when: {countries: {codes: [GB, FR, DE, CA], role: any}}
    channels: [webhook]
"""

#: The one channel the rules route to: a signed webhook, its URL and secret from the environment.
CHANNELS = (
    "channels:\n  - {name: webhook, type: webhook, url_env: NEWSMON_WEBHOOK_URL, secret_env: NEWSMON_WEBHOOK_SECRET}\n"
)


def rules_yaml(*, counting: bool) -> str:
    """The rules file: the plain rules, and with ``counting`` the windowed and first_seen ones."""
    return "rules:\n" + PLAIN_RULES + (COUNTING_RULES if counting else "")
