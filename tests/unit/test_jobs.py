"""The job runner: a failing job is logged once with its name and restarted; stop ends every job."""

from __future__ import annotations

import asyncio
import logging

import pytest

from newsmon.jobs import Job, JobRunner


async def until(check, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.005)


def errors_of(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "newsmon.jobs" and r.levelno >= logging.ERROR]


async def test_job_runner__failing_loop_logged_once_with_its_name_and_restarted(caplog):
    calls = 0
    steady = asyncio.Event()

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls <= 3:
            raise RuntimeError(f"broken {calls}")
        steady.set()
        await asyncio.Event().wait()

    runner = JobRunner([Job("flaky", None, flaky)], backoff_s=0.001, max_backoff_s=0.01)
    with caplog.at_level(logging.DEBUG, logger="newsmon.jobs"):
        runner.start()
        await asyncio.wait_for(steady.wait(), 5)
        await runner.stop()
    assert calls == 4
    errors = errors_of(caplog)
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "job flaky failed" in errors[0].getMessage()
    assert errors[0].exc_info is not None and "broken 1" in str(errors[0].exc_info[1])


async def test_job_runner__failing_periodic_job_called_again_and_recovery_logged(caplog):
    calls = 0

    async def tick() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ValueError("first round fails")

    runner = JobRunner([Job("tick", 0.001, tick)], backoff_s=0.001, max_backoff_s=0.001)
    with caplog.at_level(logging.INFO, logger="newsmon.jobs"):
        runner.start()
        await until(lambda: calls >= 5)
        await runner.stop()
    assert len(errors_of(caplog)) == 1
    assert any("job tick recovered after 1 failures" in r.getMessage() for r in caplog.records)


async def test_job_runner__new_failure_after_a_healthy_run_is_logged_again(caplog):
    calls = 0

    async def fails_after_a_while() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)  # longer than the longest backoff: a healthy run
        raise RuntimeError("late failure")

    runner = JobRunner([Job("late", None, fails_after_a_while)], backoff_s=0.001, max_backoff_s=0.01)
    with caplog.at_level(logging.ERROR, logger="newsmon.jobs"):
        runner.start()
        await until(lambda: calls >= 3)
        await runner.stop()
    assert len(errors_of(caplog)) >= 2


async def test_job_runner__stop_cancels_every_job_and_one_failing_job_leaves_the_others_running():
    cancelled: list[str] = []
    rounds = 0

    async def forever(name: str) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.append(name)

    async def tick() -> None:
        nonlocal rounds
        rounds += 1

    async def broken() -> None:
        raise RuntimeError("always")

    runner = JobRunner(
        [Job("a", None, lambda: forever("a")), Job("b", None, lambda: forever("b")), Job("tick", 0.001, tick),
         Job("broken", None, broken)],
        backoff_s=0.001, max_backoff_s=0.001,
    )  # fmt: skip
    runner.start()
    await until(lambda: rounds >= 3)
    await runner.stop()
    assert sorted(cancelled) == ["a", "b"]
    settled = rounds
    await asyncio.sleep(0.02)
    assert rounds == settled, "a job ran on after stop"


async def test_job_runner__run_stops_the_jobs_when_cancelled():
    cancelled = asyncio.Event()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    host = asyncio.create_task(JobRunner([Job("f", None, forever)]).run())
    await asyncio.sleep(0.01)
    host.cancel()
    await asyncio.gather(host, return_exceptions=True)
    assert cancelled.is_set()


def test_job_runner__duplicate_names_refused():
    async def nothing() -> None:
        return None

    with pytest.raises(ValueError, match="unique"):
        JobRunner([Job("x", None, nothing), Job("x", 1.0, nothing)])


async def test_job_runner__stop_does_not_wait_forever_for_a_job_that_ignores_the_cancel(caplog):
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                continue  # swallowed, as a buggy client library might

    runner = JobRunner([Job("stubborn", None, stubborn)])
    runner.start()
    await asyncio.sleep(0.01)
    with caplog.at_level(logging.ERROR, logger="newsmon.jobs"):
        await asyncio.wait_for(runner.stop(timeout_s=0.05), 5)
    assert any("job stubborn did not stop within 0.05s" in r.getMessage() for r in errors_of(caplog))
    release.set()
    left = [t for t in asyncio.all_tasks() if t.get_name() == "job:stubborn"]
    for t in left:
        t.cancel()
    await asyncio.gather(*left, return_exceptions=True)
