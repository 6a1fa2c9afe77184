"""Feed configuration and feed items as raw articles (plain logic, no I/O).

The feeds file (``NEWSMON_FEEDS_PATH``, default ``feeds.yaml``; example in
``config/feeds.example.yaml``) lists RSS/Atom feeds with per-feed settings
over shared defaults::

    poller:            # the process: concurrency, limits, seen-set TTL
      concurrency: 200
    defaults:          # every feed unless it says otherwise
      interval_s: 300
    feeds:
      - id: example-world
        url: https://news.example/world/rss.xml
        source: Example News       # else the feed's title, else the URL host
        language: en               # else the feed's language, else detected
        full_text: true            # fetch the article page when the item has only a summary

Errors name the file, the feed and the field (:class:`FeedConfigError`).
"""

from __future__ import annotations

import calendar
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsmon.ingest.normalize import MAX_PUBLISHED_AHEAD_S, MIN_PUBLISHED, clean_text, is_language_tag
from newsmon.untrusted import YAMLLimitError, clip, load_yaml, short


class FeedConfigError(ValueError):
    """The feeds file is invalid; the message names the file, feed and field."""


class FeedDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval_s: float = Field(300.0, ge=1, le=7 * 86400)
    timeout_s: float = Field(20.0, gt=0, le=300)
    full_text: bool = False
    # A feed with no new item for this long is flagged silent (status and metric).
    silent_after_s: float = Field(2 * 86400.0, gt=0)
    max_backoff_s: float = Field(6 * 3600.0, gt=0)


class FeedConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,100}$")
    url: str
    source: str | None = None
    language: str | None = Field(None, max_length=16)
    interval_s: float = Field(300.0, ge=1, le=7 * 86400)
    timeout_s: float = Field(20.0, gt=0, le=300)
    full_text: bool = False
    silent_after_s: float = Field(2 * 86400.0, gt=0)
    max_backoff_s: float = Field(6 * 3600.0, gt=0)

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v

    @field_validator("language")
    @classmethod
    def _bcp47(cls, v: str | None) -> str | None:
        if v is not None and not is_language_tag(v):
            raise ValueError("not a BCP 47 language tag")
        return v


class FullTextConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concurrency: int = Field(16, ge=1, le=1000)
    per_host: int = Field(2, ge=1, le=100)
    timeout_s: float = Field(15.0, gt=0, le=300)
    max_bytes: int = Field(3_000_000, ge=10_000)
    # Items whose text (summary or content) is shorter than this get the page fetched.
    min_chars: int = Field(600, ge=0)
    # A link that redirects to another host is not followed: the feed vouches for
    # its own links, not for where a shortener or a compromised page sends them.
    follow_cross_host_redirects: bool = False
    max_redirects: int = Field(5, ge=0, le=20)


class PollerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concurrency: int = Field(200, ge=1, le=10_000)
    max_feed_bytes: int = Field(5_000_000, ge=10_000)
    seen_ttl_hours: float = Field(30 * 24.0, gt=0)
    # +- this fraction of the interval, so feeds added together drift apart.
    jitter: float = Field(0.1, ge=0, le=0.5)
    user_agent: str = "newsmon-feed-poller/0.1"
    fulltext: FullTextConfig = Field(default_factory=lambda: FullTextConfig.model_validate({}))


class FeedsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    poller: PollerConfig = Field(default_factory=lambda: PollerConfig.model_validate({}))
    feeds: list[FeedConfig] = Field(default_factory=list)


def parse_feeds(data: Any, origin: str = "<feeds>") -> FeedsFile:
    """Validate a decoded feeds document; defaults apply to feeds that do not set a field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FeedConfigError(f"{origin}: expected a mapping with 'feeds'")
    try:
        defaults = FeedDefaults.model_validate(data.get("defaults") or {})
    except ValidationError as exc:
        raise FeedConfigError(f"{origin}: defaults: {_first(exc)}") from None
    feeds = []
    seen: set[str] = set()
    raw_feeds = data.get("feeds") or []
    if not isinstance(raw_feeds, list):
        raise FeedConfigError(f"{origin}: feeds: must be a list")
    for n, item in enumerate(raw_feeds):
        name = item.get("id", f"#{n + 1}") if isinstance(item, dict) else f"#{n + 1}"
        if not isinstance(item, dict):
            raise FeedConfigError(f"{origin}: feed {name}: must be a mapping")
        try:
            feed = FeedConfig.model_validate({**defaults.model_dump(), **item})
        except ValidationError as exc:
            raise FeedConfigError(f"{origin}: feed {name}: {_first(exc)}") from None
        if feed.id in seen:
            raise FeedConfigError(f"{origin}: feed {feed.id}: id: duplicate")
        seen.add(feed.id)
        feeds.append(feed)
    try:
        poller = PollerConfig.model_validate(data.get("poller") or {})
    except ValidationError as exc:
        raise FeedConfigError(f"{origin}: poller: {_first(exc)}") from None
    unknown = set(data) - {"poller", "defaults", "feeds"}
    if unknown:
        raise FeedConfigError(f"{origin}: unknown top-level keys: {short(sorted(unknown))}")
    return FeedsFile(poller=poller, feeds=feeds)


def load_feeds(path: str | Path) -> FeedsFile:
    p = Path(path)
    try:
        data = load_yaml(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FeedConfigError(f"{p}: cannot read: {exc.strerror}") from None
    except YAMLLimitError as exc:
        raise FeedConfigError(f"{p}: {exc}") from None
    return parse_feeds(data, str(p))


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err.get("loc", ())) or "(value)"
    return f"{clip(loc)}: {clip(err['msg'], 300)}"


# --------------------------------------------------------------------------- items


def item_key(entry: Any) -> str:
    """Identity of a feed item for the seen-set: its guid, else link, else content hash."""
    basis = entry.get("id") or entry.get("link") or (entry.get("title", "") + "\n" + entry.get("summary", ""))
    return hashlib.blake2b(str(basis).encode("utf-8"), digest_size=10).hexdigest()


def _entry_time(entry: Any) -> str | None:
    # feedparser gives struct_time in UTC.
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(name)
        if t:
            return f"{calendar.timegm(t)}"
    return None


def entry_text(entry: Any) -> str:
    """The richest text an item carries: full content, else summary (may be HTML)."""
    best = ""
    for c in entry.get("content") or []:
        value = c.get("value") or ""
        if len(value) > len(best):
            best = value
    summary = entry.get("summary") or ""
    return best if len(best) >= len(summary) else summary


def feed_source(feed: FeedConfig, parsed_feed: Any) -> str:
    if feed.source:
        return feed.source
    title = clean_text(parsed_feed.get("title") or "").replace("\n", " ").strip()
    if title:
        return title[:200]
    return (urlsplit(feed.url).hostname or feed.id).removeprefix("www.")


def feed_language(feed: FeedConfig, parsed_feed: Any) -> str | None:
    if feed.language:
        return feed.language
    lang = (parsed_feed.get("language") or "").strip().lower()
    # "en-us" -> "en": the classifier works with ISO 639-1 codes. A declaration
    # that is no language ("English") is dropped: the worker detects the language.
    primary = lang.split("-")[0].split("_")[0][:16]
    return primary if primary and is_language_tag(primary) else None


def entry_to_raw(entry: Any, feed: FeedConfig, parsed_feed: Any, *, ingested_at: float) -> dict[str, Any] | None:
    """A raw-topic article (see :class:`newsmon.ingest.normalize.RawArticle`) or None without text."""
    title = entry.get("title") or ""
    body = entry_text(entry) or title
    if not body.strip():
        return None
    published = _entry_time(entry)
    if published is not None and not (MIN_PUBLISHED <= float(published) <= ingested_at + MAX_PUBLISHED_AHEAD_S):
        # A feed's wrong date is no reason to lose its item.
        published = None
    raw: dict[str, Any] = {
        "v": 1,
        "title": title,
        "body": body,
        "source": feed_source(feed, parsed_feed),
        "published": float(published) if published else None,
        "ingested_at": ingested_at,
        "feed": feed.id,
    }
    link = entry.get("link")
    if isinstance(link, str) and link.lower().startswith(("http://", "https://")):
        raw["url"] = link
    lang = feed_language(feed, parsed_feed)
    if lang:
        raw["language"] = lang
    return raw
