"""Normalize a raw article payload into an :class:`Article`.

Runs in the classify agent for every record read from the raw topic, and in
``newsmon ingest`` before publishing (so users see rejections at once). Any
problem raises :class:`~newsmon.streams.records.RecordError` with a short
reason; the agent turns that into a dead letter and goes on.
"""

from __future__ import annotations

import functools
import hashlib
import html
import math
import re
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsmon.ingest.language import detect_language
from newsmon.streams.records import Article, RecordError, dumps, loads

# Default of NEWSMON_MAX_JSON_DEPTH (a top-level article object is depth 1).
MAX_JSON_DEPTH = 32
# ``published`` outside [1900, now + 1 day] is a producer's mistake or a lie (dates
# far ahead would keep an article "fresh" in every window).
MIN_PUBLISHED = -2_208_988_800.0  # 1900-01-01T00:00:00Z
MAX_PUBLISHED_AHEAD_S = 86_400.0

# RFC 5646 (BCP 47) well-formed tag, lower-cased: language[-extlang][-script][-region]
# (-variant)*(-extension)*[-x-private], or a private-use tag alone.
_BCP47 = re.compile(
    r"(?:(?P<lang>[a-z]{2,3})(?:-[a-z]{3}){0,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*(?:-x(?:-[a-z0-9]{1,8})+)?"
    r"|x(?:-[a-z0-9]{1,8})+)"
)

# Query parameters that identify a campaign or a click, never the article.
_TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref|ref_src|cmpid|ocid|smid|at_medium|at_campaign)$",
    re.IGNORECASE,
)
_HTML_HINT = re.compile(r"<(?:p|br|div|span|a|b|i|em|strong|h[1-6]|li|ul|ol|figure|img|table)\b", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n\s*\n+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Blanks that open a line; stripping would drop them anyway (Reuters indents paragraphs).
_INDENTS = re.compile(r"\n[ \t]+")
# Whitespace that _SPACES folds even when alone.
_ODD_SPACES = re.compile(r"[\t\u00a0\u2000-\u200b\u202f\u205f\u3000]")
_EDGE_PUNCT = " \t.,:;!?-\u2013\u2014|>»«\u2026\"'()[]"


def _boilerplate_patterns() -> list[str]:
    # Data file: one pattern per line, full-line matches only (see the file's header).
    path = Path(__file__).with_name("boilerplate.txt")
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in _boilerplate_patterns()), re.IGNORECASE)
# The same patterns as whole lines of a text with "\n" put in front (the leading
# newline lets the search jump from line to line). Every line that is_boilerplate()
# accepts matches this, so when a text has no match, no line needs checking.
_EDGES = f"[\\s{re.escape(_EDGE_PUNCT)}]*"
_BOILERPLATE_LINE = re.compile(rf"\n{_EDGES}(?:{_BOILERPLATE.pattern}){_EDGES}(?=\n|\Z)", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def is_language_tag(tag: str) -> bool:
    """A well-formed BCP 47 tag whose primary language is in ISO 639 (or reserved for local use)."""
    m = _BCP47.fullmatch(tag.lower())
    if m is None:
        return False
    lang = m.group("lang")
    if lang is None:  # x-... private use
        return True
    if len(lang) == 3 and "qaa" <= lang <= "qtz":
        return True
    import pycountry  # its language table loads on first use

    found = pycountry.languages.get(**{"alpha_2" if len(lang) == 2 else "alpha_3": lang})
    return found is not None


def check_published(ts: float, now: float) -> float:
    """``ts`` when it lies in [1900, now + 1 day]; else ``invalid_field``."""
    if not (MIN_PUBLISHED <= ts <= now + MAX_PUBLISHED_AHEAD_S) or math.isnan(ts):
        raise RecordError("invalid_field", f"published: {ts:.6g} is before 1900 or more than a day ahead")
    return ts


def is_boilerplate(line: str) -> bool:
    """True when a whole line is subscription, sharing, copyright or navigation debris."""
    core = line.strip(_EDGE_PUNCT)
    return len(core) < 160 and _BOILERPLATE.fullmatch(core) is not None


class RawArticle(BaseModel):
    """The input contract of the raw topic (schema version 1).

    Only ``body`` is required; ``title`` may be empty for wire items. Extra
    keys are allowed and ignored so producers can add their own metadata.
    """

    model_config = ConfigDict(extra="ignore", strict=True)

    v: int = 1
    title: str = ""
    body: str = Field(min_length=1)
    url: str | None = None
    source: str | None = None
    language: str | None = Field(None, max_length=16)
    published: str | float | int | None = None
    # Only a hint: newsmon stamps its own ingest time (windowed rules count by it).
    ingested_at: float | int | None = None

    @field_validator("url")
    @classmethod
    def _url_scheme(cls, v: str | None) -> str | None:
        if v is not None and v.strip():
            if not v.strip().lower().startswith(("http://", "https://")):
                raise ValueError("must be an http(s) URL")
            try:
                # canonical_url() needs the port and host; a URL urlsplit refuses is refused here.
                urlsplit(v.strip()).port  # noqa: B018
            except ValueError as exc:
                raise ValueError(f"not a valid URL: {exc}") from None
        return v

    @field_validator("language")
    @classmethod
    def _bcp47(cls, v: str | None) -> str | None:
        if v is not None and v.strip() and not is_language_tag(v.strip()):
            raise ValueError("not a BCP 47 language tag")
        return v


class _TextExtractor(HTMLParser):
    _BLOCK = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "figure", "section", "article", "blockquote"}
    )
    _SKIP = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(text: str) -> str:
    """Strip tags when the text looks like HTML; otherwise only unescape entities."""
    if not _HTML_HINT.search(text):
        return html.unescape(text) if "&" in text else text
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def clean_text(text: str) -> str:
    """HTML to text, control characters out, whitespace folded, repeated paragraphs and boilerplate dropped.

    Paragraphs are separated by blank lines; in each, lines are stripped and
    empty ones dropped. This runs on every article in the worker, so the
    per-line regex work is skipped when a check over the whole text shows
    there is nothing to fold and no line that can be boilerplate.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = html_to_text(text)
    # Control characters and the spaces _SPACES folds even when alone are all
    # unprintable, so one C-speed check clears most texts of both.
    printable = text.replace("\n", "").isprintable()
    if not printable:
        text = _CONTROL.sub("", text)
    text = _INDENTS.sub("\n", text)
    fold = "  " in text or (not printable and _ODD_SPACES.search(text) is not None)
    # The line check below sees lines as they are, so it is only exact on text with nothing to fold.
    check_lines = fold or _BOILERPLATE_LINE.search("\n" + text) is not None
    paragraphs: list[str] = []
    seen: set[str] = set()
    for para in _BLANKS.split(text):
        if fold:
            para = _SPACES.sub(" ", para)
        if "\n" in para:
            lines = [ln.strip() for ln in para.split("\n")]
            p = "\n".join(ln for ln in lines if ln and not (check_lines and is_boilerplate(ln)))
        else:  # one line, as most web paragraphs are: spare the list work
            p = para.strip()
            if check_lines and p and is_boilerplate(p):
                p = ""
        if not p:
            continue
        key = p.casefold()
        # Captions and boilerplate repeated verbatim by scrapers carry no new text.
        if key in seen:
            continue
        seen.add(key)
        paragraphs.append(p)
    return "\n\n".join(paragraphs)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop fragment, default port and tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = ""
    if parts.query:
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k)]
        query = urlencode(sorted(pairs))
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    return urlunsplit((scheme, host, path, query, ""))


def source_from_url(url: str | None) -> str | None:
    """The outlet's host (``www.`` dropped) when a producer sent no source name."""
    if not url:
        return None
    host = (urlsplit(url.strip()).hostname or "").lower()
    return host.removeprefix("www.") or None


def article_id(url: str | None, title: str, body: str) -> str:
    """Stable id: from the canonical URL when known, else from the cleaned content."""
    return _article_id(canonical_url(url) if url else None, title, body)


def _article_id(canonical: str | None, title: str, body: str) -> str:
    # normalize_raw() has the canonical URL already; canonicalizing costs more than hashing.
    if canonical is not None:
        basis = "url:" + canonical
    else:
        basis = "text:" + " ".join(title.split()).casefold() + "\n" + " ".join(body.split()).casefold()
    return "a_" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def parse_time(value: str | float | int | None) -> float | None:
    """Published time as UTC epoch seconds; ISO 8601 (naive means UTC) or epoch numbers."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        ts = float(value)
        # Producers in JavaScript send milliseconds.
        return ts / 1000.0 if ts > 1e11 else ts
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RecordError("invalid_field", f"published: not an ISO 8601 time: {value[:40]!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _too_deep(obj: Any, limit: int) -> bool:
    """True when containers nest deeper than ``limit`` (iterative: deep input must not exhaust the stack)."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def check_depth(obj: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise ``too_deep`` when a decoded document nests deeper than ``limit``."""
    if isinstance(obj, dict | list) and _too_deep(obj, limit):
        raise RecordError("too_deep", f"JSON nested deeper than {limit} levels")


def encode_raw(obj: Any, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> bytes:
    """The raw-topic payload of a decoded article, checked as the worker will check it.

    Entry points (HTTP API, files, feeds) call this before publishing, so a
    value that cannot be encoded or is nested too deep is refused alone with a
    reason instead of failing the request or the file.
    """
    check_depth(obj, max_depth)
    try:
        payload = dumps(obj)
    except TypeError as exc:  # orjson.JSONEncodeError: a value JSON cannot carry
        raise RecordError("unserialisable", str(exc)[:200]) from None
    if len(payload) > max_bytes:
        raise RecordError("oversized", f"{len(payload)} bytes > limit {max_bytes}")
    return payload


def validate_raw(obj: Any) -> RawArticle:
    if not isinstance(obj, dict):
        raise RecordError("not_an_object", f"expected a JSON object, got {type(obj).__name__}")
    v = obj.get("v", 1)
    if v != 1:
        raise RecordError("unsupported_schema_version", f"raw article v={v!r}; this reader accepts 1")
    try:
        return RawArticle.model_validate(obj)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err.get("loc", ())) or "(record)"
        reason = "missing_field" if err.get("type") == "missing" else "invalid_field"
        raise RecordError(reason, f"{field}: {err['msg']}") from None


def normalize(payload: bytes, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH, now: float | None = None) -> Article:
    """Raw topic payload to :class:`Article`; raises :class:`RecordError` for bad input."""
    if len(payload) > max_bytes:
        raise RecordError("oversized", f"{len(payload)} bytes > limit {max_bytes}")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError("invalid_utf8", str(exc)) from None
    obj = loads(text)
    # Fewer brackets than the limit cannot nest past it: most articles skip the walk.
    if payload.count(b"{") + payload.count(b"[") > max_depth:
        check_depth(obj, max_depth)
    raw = validate_raw(obj)
    return normalize_raw(raw, now=now)


def normalize_raw(raw: RawArticle, *, now: float | None = None) -> Article:
    title = clean_text(raw.title).replace("\n", " ")
    body = clean_text(raw.body)
    if not body:
        raise RecordError("empty_body", "body has no text after cleaning")
    if title:
        # Scrapers often repeat the headline as the first paragraph.
        first, _, rest = body.partition("\n\n")
        if first.casefold() == title.casefold() and rest:
            body = rest
    url = raw.url.strip() if raw.url and raw.url.strip() else None
    now = time.time() if now is None else now
    published = parse_time(raw.published)
    if published is not None:
        check_published(published, now)
    canonical = canonical_url(url) if url else None
    return Article(
        id=_article_id(canonical, title, body),
        title=title,
        body=body,
        url=canonical,
        source=(raw.source or "").strip() or source_from_url(url),
        language=(raw.language or "").strip().lower() or detect_language(title, body),
        published_at=published,
        ingested_at=now,
        ingested_at_hint=None if raw.ingested_at is None else float(raw.ingested_at),
    )
