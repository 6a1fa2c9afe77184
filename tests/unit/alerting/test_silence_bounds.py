"""Silences end within a bound (issue 14, row 6): ``until``/``duration`` past it are refused naming the field."""

from __future__ import annotations

import math

import pytest

from newsmon.alerting.silences import InputError, parse_silence

NOW = 1_700_000_000.0


def body(**when: object) -> dict:
    return {"matchers": {"rule": "r"}, "author": "ana", "comment": "maintenance", **when}


@pytest.mark.parametrize(
    ("when", "field"),
    [
        ({"until": 1e308}, "until"),
        ({"until": math.inf}, "until"),
        ({"until": math.nan}, "until"),
        ({"until": "9999-12-31T00:00:00Z"}, "until"),
        ({"until": NOW + 91 * 86400}, "until"),
        ({"duration": "99999999999d"}, "duration"),
        ({"duration": "9" * 400 + "d"}, "duration"),
        ({"duration": "91d"}, "duration"),
    ],
)
def test_parse_silence__beyond_default_90_days_refused_naming_field(when, field):
    with pytest.raises(InputError) as err:
        parse_silence(body(**when), NOW)
    assert err.value.field == field
    assert len(str(err.value)) < 300


def test_parse_silence__within_90_days_accepted():
    assert parse_silence(body(duration="90d"), NOW).until == NOW + 90 * 86400
    assert parse_silence(body(until=NOW + 89 * 86400), NOW).until == NOW + 89 * 86400


def test_parse_silence__bound_is_configurable():
    with pytest.raises(InputError) as err:
        parse_silence(body(duration="2h"), NOW, max_s=3600)
    assert err.value.field == "duration" and "1h" in err.value.message
    assert parse_silence(body(duration="30m"), NOW, max_s=3600).until == NOW + 1800
