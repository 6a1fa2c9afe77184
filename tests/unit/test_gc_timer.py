"""The collector timer: every collection is observed, long ones are logged."""

from __future__ import annotations

import gc
import logging

import pytest

from newsmon import metrics, runtime


def _count(generation: str) -> float:
    value = metrics.REGISTRY.get_sample_value("newsmon_gc_pause_seconds_count", {"generation": generation})
    return value or 0.0


def test_gc_timer__collection_observed_and_long_pause_logged(monkeypatch: pytest.MonkeyPatch, caplog):
    monkeypatch.setattr(runtime, "GC_PAUSE_WARN_S", 0.0)  # every pause counts as long here
    before = _count("2")
    gc.callbacks.append(runtime._gc_timer)
    try:
        with caplog.at_level(logging.WARNING, logger="newsmon.runtime"):
            gc.collect(2)
    finally:
        gc.callbacks.remove(runtime._gc_timer)
    assert _count("2") == before + 1
    assert any("garbage collection paused the worker" in r.getMessage() for r in caplog.records)
