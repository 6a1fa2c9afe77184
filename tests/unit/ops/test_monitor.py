"""Monitor._step: how a failing step is reported (no services: the steps are plain coroutines)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from newsmon.ops.monitor import Monitor, WorkerStatus


class _Settings:
    redis_prefix = "test"


class _Runtime:
    settings = _Settings()
    redis = None


def _monitor(status: WorkerStatus) -> Monitor:
    return Monitor(_Runtime(), status, worker="w1")  # type: ignore[arg-type]


class ConsumerNotStarted(Exception):
    """Stands in for Faust's exception of that name (the monitor imports no Faust)."""


async def _fails() -> Any:
    raise ConsumerNotStarted("Consumer thread not yet started")


async def _works() -> Any:
    return [1]


def _records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "newsmon.ops.monitor"]


async def test_step__lag_failing_before_the_first_read_is_info_not_warning(caplog):
    caplog.set_level(logging.INFO, logger="newsmon.ops.monitor")
    mon = _monitor(WorkerStatus())
    assert await mon._step("consumer lag", _fails) is None
    assert _records(caplog) == [
        (logging.INFO, "monitor: consumer lag not available yet: ConsumerNotStarted: Consumer thread not yet started")
    ]


async def test_step__lag_failing_after_a_good_read_is_a_warning_once_then_recovered(caplog):
    caplog.set_level(logging.INFO, logger="newsmon.ops.monitor")
    status = WorkerStatus()
    status.kafka_ok_at = 1.0
    mon = _monitor(status)
    await mon._step("consumer lag", _fails)
    assert status.kafka_error == "ConsumerNotStarted: Consumer thread not yet started"  # shown on /readyz
    await mon._step("consumer lag", _fails)  # still failing: no second line
    assert await mon._step("consumer lag", _works) == [1]
    assert [level for level, _ in _records(caplog)] == [logging.WARNING, logging.INFO]
    assert "recovered" in _records(caplog)[-1][1]


async def test_step__other_steps_failing_at_start_are_warnings(caplog):
    caplog.set_level(logging.INFO, logger="newsmon.ops.monitor")
    mon = _monitor(WorkerStatus())
    await mon._step("outbox size", _fails)
    assert [level for level, _ in _records(caplog)] == [logging.WARNING]
