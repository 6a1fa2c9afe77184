"""Content limits on every way in (issue 14 row 4): JSON depth, values that cannot be encoded, unparsable URLs.

The raw topic is checked by :func:`normalize` (what the worker runs on every
record), files by :func:`ingest_with` (``newsmon ingest`` and the watch folder).
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from newsmon.config import Settings
from newsmon.ingest.files import ingest_with
from newsmon.ingest.normalize import normalize
from newsmon.streams.records import RecordError
from tests.unit.ingest.fakes import FakeProducer

GOOD = {"title": "Harbour reopens", "body": "The harbour reopened on Monday after the storm.", "language": "en"}


def with_nested_extra(article: dict[str, str], depth: int) -> bytes:
    return orjson.dumps(article)[:-1] + b',"extra":' + b'{"k":' * depth + b'"x"' + b"}" * depth + b"}"


@pytest.mark.parametrize("depth", [40, 300, 1000])
def test_normalize__raw_record_nested_deeper_than_the_limit_is_too_deep(depth: int) -> None:
    with pytest.raises(RecordError) as err:
        normalize(with_nested_extra(GOOD, depth), max_bytes=1_000_000)
    assert err.value.reason == "too_deep"


def test_normalize__raw_record_nested_within_the_limit_is_accepted() -> None:
    assert normalize(with_nested_extra(GOOD, 10), max_bytes=1_000_000).title == "Harbour reopens"


def test_normalize__depth_limit_is_configurable() -> None:
    with pytest.raises(RecordError):
        normalize(with_nested_extra(GOOD, 10), max_bytes=1_000_000, max_depth=5)


def test_normalize__unparsable_url_is_invalid_field_url_not_an_exception() -> None:
    for url in ("http://example.org:99999/a", "http://[::1/a"):
        with pytest.raises(RecordError) as err:
            normalize(orjson.dumps({**GOOD, "url": url}), max_bytes=1_000_000)
        assert err.value.reason == "invalid_field" and err.value.detail.startswith("url:")


async def test_ingest_file__deep_line_is_rejected_alone_and_the_rest_is_sent(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(with_nested_extra(GOOD, 300) + b"\n" + orjson.dumps(GOOD) + b"\n")
    prod = FakeProducer()
    report = await ingest_with(prod, [path], Settings())
    assert report.sent == 1 and len(prod.sent) == 1
    assert [(w, r.split(":")[0]) for w, r in report.rejected] == [(f"{path}:1", "too_deep")]


def test_encode_raw__value_json_cannot_carry_is_unserialisable_not_an_exception() -> None:
    from newsmon.ingest.normalize import encode_raw

    with pytest.raises(RecordError) as err:
        encode_raw({**GOOD, "extra": {1, 2}}, max_bytes=1_000_000)
    assert err.value.reason == "unserialisable"
