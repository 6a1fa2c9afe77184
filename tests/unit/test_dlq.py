"""Dead-letter selection and exact-bytes recovery (no Kafka)."""

from __future__ import annotations

import pytest

from newsmon.config import Settings
from newsmon.dlq import Entry, parse_position, select, target_topic
from newsmon.runtime import dead_letter


def entry(payload: bytes, reason: str = "invalid_json", stage: str = "normalize", **kw) -> Entry:
    dl = dead_letter(payload, reason, "d", stage, topic=kw.pop("topic", "raw"), partition=0, offset=kw.pop("off", 0),
                     keep_bytes=kw.pop("keep", None))  # fmt: skip
    return Entry(kw.pop("p", 0), kw.pop("o", 0), None, 0, dl)


def test_original_bytes__exact_for_text_and_binary_none_when_truncated():
    assert entry(b'{"a": "\xc3\xa9"').original_bytes() == b'{"a": "\xc3\xa9"'
    assert entry(b"\xff\xfe\x00bin").original_bytes() == b"\xff\xfe\x00bin"
    assert entry(b"x" * 100, reason="oversized", keep=10).original_bytes() is None


def test_select__by_reason_stage_and_position():
    es = [entry(b"a", "invalid_json", o=1), entry(b"b", "oversized", o=2), entry(b"c", "invalid_json", "match", o=3)]
    assert [e.offset for e in select(es, reason="invalid_json")] == [1, 3]
    assert [e.offset for e in select(es, stage="match")] == [3]
    assert [e.offset for e in select(es, positions=["0:2"])] == [2]


@pytest.mark.parametrize("bad", ["1", "a:2", "1:", ":3", "1:2:3"])
def test_parse_position__rejects_malformed(bad):
    with pytest.raises(ValueError, match="PARTITION:OFFSET"):
        parse_position(bad)


def test_target_topic__source_when_pipeline_topic_else_raw():
    s = Settings(topic_raw="r", topic_classified="c")
    assert target_topic(s, entry(b"x", topic="c")) == "c"
    assert target_topic(s, entry(b"x", topic="elsewhere")) == "r"
    assert target_topic(s, entry(b"x", topic="c"), override="o") == "o"
