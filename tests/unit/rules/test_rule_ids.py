"""Rule ids are matched whole: a trailing newline is not a valid id (issue 14, row 10)."""

from __future__ import annotations

import pytest

from newsmon.rules.model import RuleError, parse_rule


def spec(rid: object) -> dict:
    return {"id": rid, "when": {"countries": ["IQ"]}, "channels": ["log"]}


@pytest.mark.parametrize("rid", ["okid\n", "okid\r\n", "\nokid", "ok id", "OKID", "", "x" * 81])
def test_parse_rule__id_with_newline_or_bad_characters_refused(rid):
    with pytest.raises(RuleError, match=r"rules\[0\]\.id"):
        parse_rule(spec(rid), "r.yaml")


def test_parse_rule__plain_id_accepted():
    assert parse_rule(spec("ok-id.v2_1"), "r.yaml").id == "ok-id.v2_1"
