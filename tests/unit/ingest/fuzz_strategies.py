"""Hypothesis strategies for what careless or hostile producers send (issue 14 fuzz tests).

Shared by the unit fuzz tests (HTTP API and raw topic against the worker's
own checks) and the integration one (real Kafka and a real worker).
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import strategies as st

GOOD_BODIES = [
    "The harbour reopened on Monday after the storm damaged the northern pier.",
    "Le gouvernement a annoncé mardi une nouvelle réforme des retraites.",
    "Протестующие собрались у здания парламента в столице.",  # noqa: RUF001 - Russian, meant
    "عقد وزراء الخارجية اجتماعا طارئا في القاهرة لبحث الأزمة.",
    "台风登陆后，沿海城市暂停了航班和铁路服务。",  # noqa: RUF001 - Chinese punctuation, meant
]
FRAKTUR_AND_EMOJI = (
    "\U0001d573\U0001d58a\U0001d591\U0001d591\U0001d594 "
    "\U0001f3f4\u200d\u2620\ufe0f\U0001f469\u200d\U0001f469\u200d\U0001f467"
)
ODD_STRINGS = [
    "", " ", "\x00", "\u202eevil\u202c", "\ufeffBOM", "e\u0301\u0301\u0301", FRAKTUR_AND_EMOJI,
    "<script>alert(1)</script>", "&amp;&lt;&#0;&#x110000;", "\r\n\r\n\r\n", "\t" * 50, "A" * 5000,
    "\u0000\u0001\u001f\u007f\u0085\u2028\u2029", "<p>" * 500, "http://", "١٢٣٤", "\U0010ffff",
]  # fmt: skip

odd_text = st.one_of(
    st.sampled_from(ODD_STRINGS),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=120),
)
# Every number orjson can encode, bools (strict validation must refuse them as numbers) and None.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=15,
)


def field(likely: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a plausible value, sometimes any JSON value (wrong types)."""
    return st.one_of(likely, likely, json_values)


articles = st.fixed_dictionaries(
    {"body": field(st.one_of(st.sampled_from(GOOD_BODIES), odd_text))},
    optional={
        "title": field(odd_text),
        "url": field(st.sampled_from(["https://example.org/a?utm_source=x", "http://x.example:99999/",
                                      "http://[::1", "javascript:alert(1)", "https://例え.jp/記事", "HTTPS://A.EXAMPLE"])),
        "source": field(odd_text),
        "language": field(st.sampled_from(["en", "EN-gb", "<script>", "english", "zh-Hant-TW", "x-klingon", "",
                                           "en_US", "und", "qaa", "i-klingon"])),
        "published": field(st.sampled_from([1e297, -1e12, "2024-01-01", "yesterday", 0, 1.7e9, 1.7e12,
                                            "9999-12-31T00:00:00Z", "1899-01-01", "2024-02-30"])),
        "ingested_at": field(st.sampled_from([-1e12, 1e300, 0, 1.7e9])),
        "v": field(st.sampled_from([1, 2, 0])),
        "extra": json_values,
    },
)  # fmt: skip


def nest(payload: bytes, depth: int) -> bytes:
    """``payload`` as the innermost value of ``depth`` arrays (deeper than orjson can encode)."""
    return b"[" * depth + payload + b"]" * depth


@st.composite
def deep_article(draw: st.DrawFn) -> bytes:
    """An article whose ``extra`` field nests 1..1100 levels deep."""
    art = {"body": draw(st.sampled_from(GOOD_BODIES)), "language": draw(st.sampled_from(["en", "xx", "fr"]))}
    depth = draw(st.integers(min_value=1, max_value=1100))
    return orjson.dumps(art)[:-1] + b',"extra":' + nest(b"0", depth) + b"}"


def huge_article(size: int) -> bytes:
    """An article of about ``size`` bytes (classifying one costs ~1 s per MB: used as explicit examples)."""
    return orjson.dumps({"title": "Huge", "body": ("word " * (size // 5 + 1))[:size]})


HUGE = [huge_article(n) for n in (200_000, 999_000, 1_001_000)]


one_article = st.one_of(articles.map(orjson.dumps), deep_article())


@st.composite
def request_bodies(draw: st.DrawFn) -> bytes:
    """What a producer may POST: one article, a batch (bare or wrapped), JSON of any shape, or not JSON."""
    kind = draw(st.sampled_from(["one", "one", "batch", "wrapped", "json", "bytes"]))
    if kind == "one":
        return draw(one_article)
    if kind in ("batch", "wrapped"):
        items = draw(st.lists(st.one_of(one_article, json_values.map(orjson.dumps)), min_size=0, max_size=5))
        batch = b"[" + b",".join(items) + b"]"
        return b'{"articles":' + batch + b"}" if kind == "wrapped" else batch
    if kind == "json":
        return orjson.dumps(draw(json_values))
    return draw(st.binary(max_size=500))


raw_payloads = st.one_of(
    one_article,
    one_article.map(lambda b: b.replace(b"a", b"\xff", 1)),  # invalid UTF-8 somewhere
    st.binary(max_size=500),
    json_values.map(orjson.dumps),
    deep_article().map(lambda b: nest(b, 3)),
)
