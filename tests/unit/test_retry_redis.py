"""_retry_redis: transient Redis answers stall the stream; script bugs are raised."""

from __future__ import annotations

import pytest
from redis.exceptions import ClusterDownError, ConnectionError, OutOfMemoryError, ResponseError, TryAgainError

from newsmon import runtime


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    async def instant(_s: float) -> None:
        return None

    monkeypatch.setattr(runtime.asyncio, "sleep", instant)


async def test_retry_redis__transient_answers_are_waited_out():
    failures = [ConnectionError("down"), OutOfMemoryError("OOM"), ClusterDownError("down"), TryAgainError("again")]

    async def call() -> str:
        if failures:
            raise failures.pop(0)
        return "ok"

    assert await runtime._retry_redis(call, "testing") == "ok"
    assert not failures


async def test_retry_redis__script_error_is_raised_not_retried():
    calls = 0

    async def call() -> str:
        nonlocal calls
        calls += 1
        raise ResponseError("ERR user_script:1: attempt to compare nil")

    with pytest.raises(ResponseError):
        await runtime._retry_redis(call, "testing")
    assert calls == 1
