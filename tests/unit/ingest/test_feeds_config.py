"""Feeds file validation, feed items to raw articles, and the poller's schedule (no services)."""

from __future__ import annotations

import random
from pathlib import Path

import feedparser
import pytest

from newsmon.config import Settings
from newsmon.ingest.feeds import FeedConfigError, entry_to_raw, item_key, load_feeds, parse_feeds
from newsmon.ingest.poller import Poller, PollResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
REPO = Path(__file__).resolve().parents[3]


def test_feeds_file__defaults_apply_and_feeds_override() -> None:
    feeds = [{"id": "a", "url": "https://a.example/rss"}, {"id": "b", "url": "https://b.example/rss", "interval_s": 60}]
    ff = parse_feeds({"defaults": {"interval_s": 600, "full_text": True}, "feeds": feeds})
    assert [(f.id, f.interval_s, f.full_text) for f in ff.feeds] == [("a", 600, True), ("b", 60, True)]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"feeds": [{"id": "a", "url": "ftp://x"}]}, "feed a: url"),
        ({"feeds": [{"id": "a", "url": "https://x", "intervl_s": 5}]}, "feed a: intervl_s"),
        ({"feeds": [{"id": "a", "url": "https://x"}, {"id": "a", "url": "https://y"}]}, "feed a: id: duplicate"),
        ({"defaults": {"timeout_s": -1}}, "defaults: timeout_s"),
        ({"poller": {"concurrency": 0}}, "poller: concurrency"),
        ({"feed": []}, "unknown top-level keys"),
    ],
)
def test_feeds_file__errors_name_the_feed_and_field(doc: dict, expected: str) -> None:
    with pytest.raises(FeedConfigError, match=expected):
        parse_feeds(doc, "feeds.yaml")


def test_feeds_example_config_is_valid() -> None:
    ff = load_feeds(REPO / "config" / "feeds.example.yaml")
    assert ff.feeds


def test_rss_item__becomes_a_raw_article_with_utc_time_source_and_language() -> None:
    parsed = feedparser.parse((FIXTURES / "rss2.xml").read_bytes())
    ff = parse_feeds({"feeds": [{"id": "hd", "url": "https://harbour-daily.example/rss"}]})
    raw = entry_to_raw(parsed.entries[0], ff.feeds[0], parsed.feed, ingested_at=1708074000.0)
    assert raw is not None
    assert raw["published"] == 1708070400.0 and raw["language"] == "en" and raw["feed"] == "hd"
    assert raw["source"] == "Harbour Daily — World"
    assert "talks with the port authority" in raw["body"]  # content:encoded preferred to the summary
    assert item_key(parsed.entries[0]) != item_key(parsed.entries[1])


def _poller(**kw: float) -> Poller:
    ff = parse_feeds({"poller": {"jitter": 0.1}, "defaults": {"interval_s": 300, "max_backoff_s": 3600, **kw},
                      "feeds": [{"id": "a", "url": "https://a.example/rss"}]})  # fmt: skip
    return Poller(Settings(), ff, producer=None, redis=None, rng=random.Random(1))


def test_schedule__success_is_one_interval_with_jitter() -> None:
    p = _poller()
    st = p.states["a"]
    dues = [p.next_due(st, PollResult("ok"), 0.0) for _ in range(200)]
    assert 270 <= min(dues) < 285 and 315 < max(dues) <= 330


def test_schedule__errors_back_off_exponentially_up_to_the_cap_and_honour_retry_after() -> None:
    p = _poller()
    st = p.states["a"]
    delays = []
    for n in range(1, 8):
        st.failures = n
        delays.append(p.next_due(st, PollResult("error"), 0.0))
    assert delays[0] <= 300 and delays[2] > 300 and max(delays) <= 3600
    st.failures = 1
    assert p.next_due(st, PollResult("error", retry_after=1800), 0.0) >= 1800
