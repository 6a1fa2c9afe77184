import re

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsmon.ingest.normalize import (
    article_id,
    canonical_url,
    clean_text,
    html_to_text,
    is_boilerplate,
    normalize,
    parse_time,
)
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


def test_normalize__id_is_the_public_article_id_of_the_url():
    art = normalize(payload(url="https://Example.com/a/?utm_source=x&b=2&a=1"), max_bytes=LIMIT)
    assert art.id == article_id("https://Example.com/a/?utm_source=x&b=2&a=1", art.title, art.body)
    assert art.url == "https://example.com/a?a=1&b=2"


def test_clean_text__indents_tabs_and_odd_spaces_fold_to_one_space():
    text = "Shares rose  sharply\n    on Monday,\tdealers\u00a0said.\u3000\n\n\u2009Second paragraph. "
    assert clean_text(text) == "Shares rose sharply\non Monday, dealers said.\n\nSecond paragraph."


def test_clean_text__line_of_only_a_zero_width_space_does_not_split_the_paragraph():
    # U+200B is folded like a space but is not whitespace, so its line is not blank.
    assert clean_text("First line\n\u200b\nlast line") == "First line\nlast line"
    assert clean_text("First line\n\nlast line") == "First line\n\nlast line"


def test_clean_text__boilerplate_found_after_folding_and_around_punctuation():
    text = "Markets fell.\nRead\u00a0more\n  -- Share this article --  \n\n\u00bb Advertisement\n\nThe end."
    assert clean_text(text) == "Markets fell.\n\nThe end."


def test_clean_text__control_characters_removed_and_carriage_returns_are_line_breaks():
    assert clean_text("Al\x00pha\x07 beta\r\n\r\ngamma\rdelta\x7f") == "Alpha beta\n\ngamma\ndelta"


def _clean_line_by_line(text: str) -> str:
    """clean_text as specified: every line folded, stripped and checked on its own."""
    text = html_to_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    out: list[str] = []
    seen: set[str] = set()
    for para in re.split(r"\n\s*\n+", text):
        lines = [re.sub(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+", " ", ln).strip() for ln in para.split("\n")]
        p = "\n".join(ln for ln in lines if ln and not is_boilerplate(ln))
        if p and p.casefold() not in seen:
            seen.add(p.casefold())
            out.append(p)
    return "\n\n".join(out)


# Pieces that exercise each shortcut of clean_text: whitespace of every kind,
# control characters, entities and tags, boilerplate lines and near misses.
_PIECES = [
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r",
    "\r\n",
    "\t",
    "\u00a0",
    "\u200b",
    "\u2009",
    "\u3000",
    "\x85",
    "\u2028",
    "\x00",
    "\x0b",
    "\x1c",
    "\x7f",
    "-",
    "|",
    "\u00bb",
    "\u2026",
    "(",
    ")",
    '"',
    ".",
    "&amp;",
    "&#13;",
    "&nbsp;",
    "<p>",
    "</p>",
    "<br>",
    "word",
    "News",
    "Read more",
    "read\u00a0more",
    "READ  MORE",
    "Share this article",
    "Advertisement",
    "\u00a9 2024 Foo. All rights reserved",
    "Related",
    "related stories",
    "\u017fhare this article",
    "\u0131",
    "\u00df",
    "Click here to subscribe",
    "x" * 170,
]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_clean_text__same_as_line_by_line_cleaning(text):
    assert clean_text(text) == _clean_line_by_line(text)
