"""Fields a producer must not control (issue 14 row 5): ``ingested_at``, ``published`` range, ``language`` tag.

Every way in ends in :func:`normalize_raw` (the worker on the raw topic, and
the HTTP API, files and feeds before publishing), so these tests hold for all.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest

from newsmon.config import Settings
from newsmon.ingest.feeds import FeedConfig, entry_to_raw
from newsmon.ingest.files import ingest_with
from newsmon.ingest.normalize import normalize, normalize_raw, validate_raw
from newsmon.streams.records import ClassifiedArticle, RecordError
from tests.unit.ingest.fakes import FakeProducer

NOW = 1_800_000_000.0
BODY = "The harbour reopened on Monday after the storm."


def norm(**fields: object):
    return normalize(orjson.dumps({"body": BODY, **fields}), max_bytes=1_000_000, now=NOW)


@pytest.mark.parametrize("claimed", [-1e12, 0.5, 1e300, NOW - 86400 * 30])
def test_normalize__ingested_at_is_stamped_by_newsmon_and_the_producers_value_is_only_a_hint(claimed: float) -> None:
    art = norm(ingested_at=claimed)
    assert art.ingested_at == NOW
    assert art.ingested_at_hint == claimed


def test_normalize__ingested_at_hint_survives_the_classified_record() -> None:
    from newsmon.streams.records import Classification

    art = norm(ingested_at=123.0)
    back = ClassifiedArticle.decode(ClassifiedArticle(art, Classification(language="en")).encode())
    assert back.article.ingested_at == NOW and back.article.ingested_at_hint == 123.0


@pytest.mark.parametrize(
    "published",
    [1e297, -1e12, "1899-12-31T23:59:59Z", "0001-01-01T00:00:00", NOW + 86400 + 60, "9999-12-31T00:00:00Z"],
)
def test_normalize__published_before_1900_or_more_than_a_day_ahead_is_invalid_field(published: object) -> None:
    with pytest.raises(RecordError) as err:
        norm(published=published)
    assert err.value.reason == "invalid_field" and err.value.detail.startswith("published:")


@pytest.mark.parametrize("published", ["1900-01-01T00:00:00Z", 0, NOW + 3600, NOW * 1000, "2024-05-01T10:00:00+02:00"])
def test_normalize__published_within_range_is_kept(published: object) -> None:
    assert norm(published=published).published_at is not None


@pytest.mark.parametrize("tag", ["<script>", "english", "en_US", "e", "en--gb", "xx-", "123", "en-GB-", "zz"])
def test_normalize__language_that_is_not_a_bcp47_tag_is_invalid_field(tag: str) -> None:
    with pytest.raises(RecordError) as err:
        norm(language=tag)
    assert err.value.reason == "invalid_field" and err.value.detail.startswith("language:")


@pytest.mark.parametrize(
    ("tag", "kept"),
    [("en", "en"), ("EN-gb", "en-gb"), ("zh-Hant-TW", "zh-hant-tw"), ("und", "und"), ("sr-Latn", "sr-latn"),
     ("gsw", "gsw"), ("es-419", "es-419"), ("de-CH-1996", "de-ch-1996"), ("en-x-wire", "en-x-wire")],
)  # fmt: skip
def test_normalize__bcp47_language_tags_are_accepted(tag: str, kept: str) -> None:
    assert norm(language=tag).language == kept


async def test_ingest_file__line_with_out_of_range_published_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(orjson.dumps({"body": BODY, "published": 1e297}) + b"\n" + orjson.dumps({"body": BODY}) + b"\n")
    report = await ingest_with(FakeProducer(), [path], Settings())
    assert report.sent == 1
    assert [r.split(":", 1)[0] for _, r in report.rejected] == ["invalid_field"]


def test_feed_item__feed_language_that_is_no_tag_is_dropped_not_the_item() -> None:
    feed = FeedConfig(id="f", url="https://feed.example/rss")
    entry = {"title": "T", "summary": BODY}
    for declared, expect in (("English", None), ("en_US", "en"), ("fr-FR", "fr")):
        raw = entry_to_raw(entry, feed, SimpleNamespace(get={"language": declared}.get), ingested_at=NOW)
        assert raw is not None and raw.get("language") == expect
        normalize_raw(validate_raw(raw), now=NOW)


def test_feed_item__published_out_of_range_is_dropped_not_the_item() -> None:
    feed = FeedConfig(id="f", url="https://feed.example/rss")
    entry = {"title": "T", "summary": BODY, "published_parsed": (2999, 1, 1, 0, 0, 0, 0, 1, 0)}
    raw = entry_to_raw(entry, feed, {}, ingested_at=NOW)
    assert raw is not None and raw["published"] is None
    normalize_raw(validate_raw(raw), now=NOW)


def test_feed_config__language_that_is_no_tag_fails_at_load() -> None:
    with pytest.raises(ValueError, match="language"):
        FeedConfig(id="f", url="https://feed.example/rss", language="<script>")
