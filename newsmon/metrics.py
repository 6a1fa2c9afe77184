"""Prometheus metrics of the worker (one registry per process).

Stages record here as they run; ``/metrics`` exposes them and the dashboard
reads them. Label values are bounded: rule ids, channel names, region and
top-level topic codes, fixed stage and reason names; never article text.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
_STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)

ARTICLES_IN = Counter("newsmon_articles_in_total", "Raw records read by the classify agent.", registry=REGISTRY)
ARTICLES_CLASSIFIED = Counter(
    "newsmon_articles_classified_total", "Articles normalized and classified.", registry=REGISTRY
)
ARTICLES_BY_REGION = Counter(
    "newsmon_articles_by_region_total", "Classified articles per region tag.", ["region"], registry=REGISTRY
)
ARTICLES_BY_TOPIC = Counter(
    "newsmon_articles_by_topic_total", "Classified articles per top-level IPTC topic.", ["topic"], registry=REGISTRY
)
DEAD_LETTERS = Counter(
    "newsmon_dead_letters_total", "Records sent to the dead-letter topic.", ["stage", "reason"], registry=REGISTRY
)
STAGE_SECONDS = Histogram(
    "newsmon_stage_seconds", "Time spent in one pipeline stage per article.", ["stage"],
    buckets=_STAGE_BUCKETS, registry=REGISTRY,
)  # fmt: skip
RULE_MATCHES = Counter("newsmon_rule_matches_total", "Rule matches before dedup.", ["rule"], registry=REGISTRY)
ALERTS = Counter(
    "newsmon_alerts_total",
    "Alert decisions by outcome (created, duplicate, silenced, ...; replayed: the same article decided again).",
    ["rule", "outcome"],
    registry=REGISTRY,
)  # fmt: skip
ALERT_DECISION_SECONDS = Histogram(
    "newsmon_alert_decision_seconds", "From ingest to the alert decision (created in Redis).",
    buckets=_LATENCY_BUCKETS, registry=REGISTRY,
)  # fmt: skip
DELIVERIES = Counter(
    "newsmon_deliveries_total", "Delivery attempts by channel and outcome (sent, retry, dead).",
    ["channel", "outcome"], registry=REGISTRY,
)  # fmt: skip
DELIVERY_SECONDS = Histogram(
    "newsmon_delivery_seconds", "Duration of one delivery attempt.", ["channel"], buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)  # fmt: skip
END_TO_END_SECONDS = Histogram(
    "newsmon_end_to_end_seconds", "From ingest to successful delivery of the alert.", ["channel"],
    buckets=_LATENCY_BUCKETS, registry=REGISTRY,
)  # fmt: skip
OUTBOX_PENDING = Gauge(
    "newsmon_outbox_pending", "Alerts waiting for delivery per channel.", ["channel"], registry=REGISTRY
)
CONSUMER_LAG = Gauge(
    "newsmon_consumer_lag", "Records behind the end of the partition.", ["topic", "partition"], registry=REGISTRY
)
RULES_LOADED = Gauge("newsmon_rules_loaded", "Rules in the active rule set.", registry=REGISTRY)

# -- ingestion (newsmon/ingest): stories, feed poller, HTTP ingest API -------------------
_POLL_LAG_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 900)
STORY_ASSIGNMENTS = Counter(
    "newsmon_story_assignments_total", "Story decisions: new story, joined an earlier one, or repeated (redelivery).",
    ["outcome"], registry=REGISTRY,
)  # fmt: skip
FEED_POLLS = Counter(
    "newsmon_feed_polls_total", "Feed polls by result (ok, not_modified, error).", ["result"], registry=REGISTRY
)
FEED_ERRORS = Counter(
    "newsmon_feed_errors_total", "Failed feed polls by kind (timeout, http_4xx, http_5xx, parse, network, too_large).",
    ["kind"], registry=REGISTRY,
)  # fmt: skip
FEED_NEW_ITEMS = Counter("newsmon_feed_new_items_total", "Feed items published as new articles.", registry=REGISTRY)
FEED_POLL_LAG = Histogram(
    "newsmon_feed_poll_lag_seconds", "How late a poll started behind its schedule.", buckets=_POLL_LAG_BUCKETS,
    registry=REGISTRY,
)  # fmt: skip
FEED_SILENT = Gauge(
    "newsmon_feed_silent", "1 while a feed has had no new item for longer than expected (set once flagged).",
    ["feed"], registry=REGISTRY,
)  # fmt: skip
FEEDS_SILENT = Gauge("newsmon_feeds_silent", "Feeds currently flagged silent.", registry=REGISTRY)
FULLTEXT_FETCHES = Counter(
    "newsmon_fulltext_fetches_total", "Full-text fetches by result (ok, error, timeout, too_large, empty).",
    ["result"], registry=REGISTRY,
)  # fmt: skip
INGEST_API_ARTICLES = Counter(
    "newsmon_ingest_api_articles_total", "Articles posted to the ingest API by result (accepted, rejected).",
    ["result"], registry=REGISTRY,
)  # fmt: skip
INGEST_API_THROTTLED = Counter(
    "newsmon_ingest_api_throttled_total", "Ingest API requests answered 429 (back-pressure).", registry=REGISTRY
)

GC_PAUSE_SECONDS = Histogram(
    "newsmon_gc_pause_seconds", "Pauses of Python's cyclic garbage collector (the event loop stops meanwhile).",
    ["generation"], buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1), registry=REGISTRY,
)  # fmt: skip


class Children(dict[str, Any]):
    """A metric's children by label value, made on first use.

    ``labels()`` costs about a microsecond (argument checks and a lock); the
    per-article paths look the child up here instead.
    """

    def __init__(self, metric: Any) -> None:
        super().__init__()
        self.metric = metric

    def __missing__(self, value: str) -> Any:
        child = self[value] = self.metric.labels(value)
        return child


DEPENDENCY_RETRIES = Counter(
    "newsmon_dependency_retries_total",
    "Failed attempts to reach a dependency (kafka, redis, channel:<name>) that were retried.",
    ["dependency"],
    registry=REGISTRY,
)
DEPENDENCY_UP = Gauge(
    "newsmon_dependency_up", "0 while a dependency is unreachable, 1 once it answered again.", ["dependency"],
    registry=REGISTRY,
)  # fmt: skip
