"""Background jobs: one declaration per job, run under one supervisor (plain asyncio, no Faust).

The worker's jobs are declared in one table, :meth:`newsmon.runtime.Runtime.jobs`;
:class:`JobRunner` runs a list of them. A job that raises is logged once, with
its name and traceback, and restarted after a backoff (1 s doubling to 30 s);
further failures of the same streak are logged at debug level and its
recovery at info, so a broken job is never silent and never floods the log.
A job ends when the runner stops (cancels it) or when a loop job returns.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

logger = logging.getLogger(__name__)

#: Started with the worker, before the stream processors, and stopped after them
#: (the health probes and the dashboard keep their figures through a shutdown).
WITH_WORKER: Final = "worker"
#: Started once Faust runs the stream processors (after the first partition
#: assignment) and stopped with them.
WITH_STREAMS: Final = "streams"

Starts = Literal["worker", "streams"]


@dataclass(frozen=True, slots=True)
class Job:
    """One background job of the worker.

    ``interval_s`` None: ``run`` is a loop that runs until cancelled (it is
    restarted if it raises; if it returns, the job is over). A number: ``run``
    is one round, called again that many seconds after each round ends.
    """

    name: str
    interval_s: float | None
    run: Callable[[], Awaitable[object]]
    starts: Starts = WITH_WORKER


class JobRunner:
    """Runs ``jobs`` each in its own task until :meth:`stop`; a failing job restarts alone."""

    def __init__(self, jobs: Sequence[Job], *, backoff_s: float = 1.0, max_backoff_s: float = 30.0) -> None:
        names = [j.name for j in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.jobs = list(jobs)
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._tasks: dict[asyncio.Task[None], str] = {}

    def start(self) -> None:
        self._tasks = {asyncio.create_task(self._supervise(j), name=f"job:{j.name}"): j.name for j in self.jobs}

    async def stop(self, timeout_s: float = 5.0) -> None:
        """Cancel every job and wait for them to end; one that ignores the cancel is logged and left behind."""
        tasks, self._tasks = self._tasks, {}
        for t in tasks:
            t.cancel()
        if not tasks:
            return
        done, pending = await asyncio.wait(tasks, timeout=timeout_s)
        await asyncio.gather(*done, return_exceptions=True)
        for t in pending:
            # A shutdown that waits for it would never end: say where it hangs instead.
            where = io.StringIO()
            t.print_stack(limit=8, file=where)
            logger.error("job %s did not stop within %gs; left running:\n%s", tasks[t], timeout_s, where.getvalue())

    async def run(self) -> None:
        """Start the jobs and keep them until cancelled (for a host that stops its tasks by cancelling)."""
        self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    async def _supervise(self, job: Job) -> None:
        failures = 0
        while True:
            started = time.monotonic()
            try:
                await job.run()
            except Exception:  # not CancelledError: the runner stopping ends the job
                # A loop that ran well for longer than the longest backoff failed anew:
                # a new streak, logged in full again.
                if job.interval_s is None and time.monotonic() - started > self.max_backoff_s:
                    failures = 0
                failures += 1
                delay = min(self.max_backoff_s, self.backoff_s * 2 ** (failures - 1))
                if job.interval_s is not None:
                    delay = max(delay, job.interval_s)
                if failures == 1:
                    logger.exception("job %s failed; restarting in %.1fs", job.name, delay, extra={"job": job.name})
                else:
                    logger.debug("job %s failed again (%d in a row); restarting in %.1fs", job.name, failures, delay)
                await asyncio.sleep(delay)
                continue
            if failures:
                logger.info("job %s recovered after %d failures", job.name, failures, extra={"job": job.name})
                failures = 0
            if job.interval_s is None:
                logger.info("job %s finished", job.name, extra={"job": job.name})
                return
            await asyncio.sleep(job.interval_s)
