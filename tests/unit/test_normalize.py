import orjson
import pytest

from newsmon.ingest.normalize import article_id, canonical_url, clean_text, normalize, parse_time
from newsmon.streams.records import RecordError

LIMIT = 1_000_000


def payload(**kw):
    return orjson.dumps({"title": "Headline", "body": "Some body text.", **kw})


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe{}", "invalid_utf8"),
        (b"[1, 2]", "not_an_object"),
        (orjson.dumps({"title": "t"}), "missing_field"),
        (orjson.dumps({"title": "t", "body": 42}), "invalid_field"),
        (orjson.dumps({"title": ["x"], "body": "b"}), "invalid_field"),
        (orjson.dumps({"body": "b", "url": "ftp://x/y"}), "invalid_field"),
        (orjson.dumps({"body": "b", "published": "yesterday"}), "invalid_field"),
        (orjson.dumps({"body": "b", "v": 9}), "unsupported_schema_version"),
        (orjson.dumps({"body": "   \n  "}), "empty_body"),
    ],
)
def test_normalize__bad_input_names_reason(raw, reason):
    with pytest.raises(RecordError) as exc:
        normalize(raw, max_bytes=LIMIT)
    assert exc.value.reason == reason


def test_normalize__oversized_is_rejected_before_parsing():
    with pytest.raises(RecordError) as exc:
        normalize(payload(body="x" * 5000), max_bytes=2048)
    assert exc.value.reason == "oversized"
    assert "> limit 2048" in exc.value.detail


def test_normalize__wrong_type_error_names_the_field():
    with pytest.raises(RecordError) as exc:
        normalize(orjson.dumps({"title": "t", "body": 42}), max_bytes=LIMIT)
    assert exc.value.detail.startswith("body:")


def test_id__same_url_with_tracking_params_is_same_article():
    a = normalize(payload(url="https://Example.com/a/b/?utm_source=x&id=3#top"), max_bytes=LIMIT)
    b = normalize(payload(url="https://example.com/a/b?id=3&fbclid=zz", body="other text"), max_bytes=LIMIT)
    assert a.id == b.id
    assert a.url == "https://example.com/a/b?id=3"


def test_id__without_url_content_hash_ignores_whitespace_and_case():
    assert article_id(None, "Title", "Body  text\n") == article_id(None, "title", "body text")
    assert article_id(None, "Title", "Body text") != article_id(None, "Title", "Other text")


def test_clean_text__html_and_repeated_paragraphs():
    html = "<p>First &amp; foremost</p><script>alert(1)</script><p>Caption</p><p>Caption</p><p>Last</p>"
    assert clean_text(html) == "First & foremost\n\nCaption\n\nLast"


def test_normalize__headline_repeated_as_first_paragraph_is_dropped():
    art = normalize(payload(title="Big News", body="Big News\n\nThe text."), max_bytes=LIMIT)
    assert art.body == "The text."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-16T10:00:00Z", 1708077600.0),
        ("2024-02-16T12:00:00+02:00", 1708077600.0),
        ("2024-02-16T10:00:00", 1708077600.0),
        (1708077600, 1708077600.0),
        (1708077600000, 1708077600.0),
        (None, None),
    ],
)
def test_parse_time__utc_epoch(value, expected):
    assert parse_time(value) == expected


def test_canonical_url__default_port_and_trailing_slash():
    assert canonical_url("HTTP://Example.COM:80/path/") == "http://example.com/path"
    assert canonical_url("https://example.com:8443/") == "https://example.com:8443/"
