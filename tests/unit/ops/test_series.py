"""Dashboard series: which counters feed which fields, and increases across samples."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from newsmon.ops.series import BUCKET_S, PartitionLag, bucket_of, fields_of, increases, snapshot


def test_fields_of__maps_counters_to_dashboard_fields():
    assert list(fields_of("newsmon_articles_in", {}, 3)) == [("in", 3)]
    assert list(fields_of("newsmon_articles_by_region", {"region": "europe"}, 2)) == [("region:europe", 2)]
    assert list(fields_of("newsmon_alerts", {"rule": "r1", "outcome": "created"}, 1)) == [
        ("alerts", 1), ("alert:r1", 1),
    ]  # fmt: skip
    assert list(fields_of("newsmon_alerts", {"rule": "r1", "outcome": "duplicate"}, 1)) == []
    assert ("delivery_failed", 4) in list(fields_of("newsmon_deliveries", {"channel": "slack", "outcome": "retry"}, 4))
    assert list(fields_of("newsmon_unrelated", {}, 1)) == []


def test_snapshot__sums_label_sets_into_fields():
    reg = CollectorRegistry()
    c = Counter("newsmon_rule_matches_total", "x", ["rule"], registry=reg)
    c.labels("a").inc(2)
    c.labels("b").inc(3)
    snap = snapshot([c])
    assert snap == {"matches": 5, "match:a": 2, "match:b": 3}


def test_increases__whole_deltas_and_restart_counts_from_zero():
    assert increases({"in": 5, "dead": 1}, {"in": 8, "dead": 1, "sent": 2}) == {"in": 3, "sent": 2}
    # A counter that went down means the process restarted: its value is all new.
    assert increases({"in": 10}, {"in": 4}) == {"in": 4}


def test_partition_lag__nothing_committed_counts_from_start():
    assert PartitionLag("t", 0, None, 42).lag == 42
    assert PartitionLag("t", 0, 40, 42).lag == 2
    assert PartitionLag("t", 0, 50, 42).lag == 0


def test_bucket_of__aligns_to_bucket_width():
    assert bucket_of(1000.0 * BUCKET_S + 3.7) == 1000 * BUCKET_S
