"""Outages are reported quietly: a line when a dependency goes, at most one a minute while away, one when back."""

from __future__ import annotations

import logging

import pytest

from newsmon import metrics
from newsmon.outages import Outages, RepeatFilter, quiet_aiokafka


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "newsmon.outages"]


def retries(name: str) -> float:
    return metrics.DEPENDENCY_RETRIES.labels(name)._value.get()


def test_outage__ten_minutes_of_retries_8_a_second_log_eleven_lines(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    o = Outages(clock=clock)
    before = retries("redis-t1")
    caplog.set_level(logging.INFO)
    for _ in range(4800):  # 10 minutes, a retry every 125 ms
        o.failed("redis-t1", ConnectionError("Connection refused"))
        clock.t += 0.125
    assert o.down("redis-t1")
    assert o.snapshot()["redis-t1"]["retries"] == 4800
    o.ok("redis-t1")
    o.ok("redis-t1")  # up already: says nothing
    out = lines(caplog)
    # one when it went, one a minute after (minutes 1 to 9), one when back
    assert len(out) == 11
    assert out[0] == "redis-t1 unreachable (ConnectionError: Connection refused); retrying quietly"
    assert out[1].startswith("redis-t1 still unreachable after 1m00s, 481 retries")
    assert out[-1] == "redis-t1 reachable again after 10m00s, 4800 retries"
    assert retries("redis-t1") - before == 4800
    assert metrics.DEPENDENCY_UP.labels("redis-t1")._value.get() == 1
    assert not o.down("redis-t1") and o.snapshot() == {}


def test_outage__dependencies_are_reported_apart(caplog: pytest.LogCaptureFixture) -> None:
    o = Outages(clock=Clock())
    caplog.set_level(logging.INFO)
    o.failed("kafka-t2", "broker gone")
    o.failed("channel:webhook-t2", "HTTP 503")
    o.failed("kafka-t2", "broker gone")
    o.ok("channel:webhook-t2")
    assert set(o.snapshot()) == {"kafka-t2"}
    assert len(lines(caplog)) == 3


def test_repeat_filter__collapses_a_repeated_message_and_says_how_many_were_left_out() -> None:
    clock = Clock()
    o = Outages(clock=clock)
    flt = RepeatFilter("kafka-t3", o, clock=clock)
    log = logging.getLogger("aiokafka.test-t3")
    kept: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(record.getMessage())

    log.addFilter(flt)
    log.addHandler(Keep())
    log.propagate = False
    log.setLevel(logging.DEBUG)
    try:
        for _ in range(1600):  # 160 a second for 10 s, then again after a minute
            log.error("Unable connect to node with id %s: %s", 1, "Connect call failed")
            log.error("Unable to update metadata from %r", [1])
            clock.t += 1 / 160
        clock.t += 60
        log.error("Unable connect to node with id %s: %s", 1, "Connect call failed")
        log.info("Discovered coordinator %s", 1)  # below WARNING: never filtered
    finally:
        log.removeFilter(flt)
        log.propagate = True
    assert kept == [
        "Unable connect to node with id 1: Connect call failed",
        "Unable to update metadata from [1]",
        "Unable connect to node with id 1: Connect call failed [1599 more like this in the last 1m10s]",
        "Discovered coordinator 1",
    ]
    # The errors count as failed attempts to reach the broker.
    assert o.snapshot()["kafka-t3"]["retries"] == 3201


def test_quiet_aiokafka__installs_one_filter_on_every_aiokafka_logger() -> None:
    flt = quiet_aiokafka()
    assert quiet_aiokafka() is flt
    for name in ("aiokafka.conn", "aiokafka.client", "aiokafka.consumer.fetcher", "aiokafka.producer.sender"):
        assert logging.getLogger(name).filters.count(flt) == 1
