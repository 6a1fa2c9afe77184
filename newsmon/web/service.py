"""The worker's ops service: newsmon's aiohttp server and the background jobs, in Faust's lifecycle.

:func:`attach_ops` is called by the worker entry point before Faust starts.
The service is a dependency of the Faust worker, started *before* the app, so
``/healthz`` answers while partitions are still being assigned (``/readyz``
says 503 until the stream processors run), and stopped *after* the app, so
probes and scrapes keep answering while in-flight events finish and offsets
are committed.

The jobs are declared in one table, :meth:`newsmon.runtime.Runtime.jobs`: the
ones that start with the worker run with this service, the ones that start
with the streams in one Faust app task (app tasks start after the first
partition assignment and are cancelled when the app stops).

The measurements themselves (monitor, consumer lag, series) are in
:mod:`newsmon.ops`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

import faust
from aiohttp import web
from mode import Service

from newsmon.config import Settings
from newsmon.jobs import WITH_STREAMS, WITH_WORKER, JobRunner
from newsmon.ops.lag import FaustLag
from newsmon.ops.monitor import Monitor, WorkerStatus
from newsmon.web.context import WebContext
from newsmon.web.server import build_web_app, web_context

logger = logging.getLogger(__name__)


class OpsService(Service):
    """Web server (when ``web_port`` != 0) and the jobs that start with the worker."""

    def __init__(self, app: faust.App, runtime: Any, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rt = runtime
        self.settings = settings
        self.status = WorkerStatus(interval_s=settings.monitor_interval_s)
        self.status.stopping = lambda: bool(app.should_stop)
        self.lag = FaustLag(app, settings)
        self.monitor = Monitor(runtime, self.status, self.lag)
        self._jobs: JobRunner | None = None
        self._runner: web.AppRunner | None = None
        self.bound: tuple[str, int] | None = None
        # Checked here, before Faust starts: a server that would expose reads
        # beyond loopback without a token stops the worker with ConfigError.
        self.web_ctx: WebContext | None = None
        if settings.web_port != 0:
            extras = {"status": self.status, "settings": settings, "faust_app": app}
            self.web_ctx = web_context(settings, runtime=runtime, extras=extras)

    async def on_start(self) -> None:
        if self.settings.web_port != 0:
            await self._start_web()
        self._jobs = JobRunner([j for j in self.rt.jobs(self.monitor) if j.starts == WITH_WORKER])
        self._jobs.start()

    async def _start_web(self) -> None:
        assert self.web_ctx is not None
        runner = web.AppRunner(build_web_app(self.web_ctx), access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        port = 0 if self.settings.web_port < 0 else self.settings.web_port
        site = web.TCPSite(runner, self.settings.web_host, port)
        await site.start()
        self._runner = runner
        host, bound_port = runner.addresses[0][:2]
        self.bound = (host, bound_port)
        logger.info("web server listening on http://%s:%d/", host, bound_port, extra={"web_port": bound_port})
        if self.settings.web_addr_file:
            await asyncio.to_thread(_write_atomic, Path(self.settings.web_addr_file), f"{host}:{bound_port}\n")

    async def on_stop(self) -> None:
        # Runs after the Faust app stopped (offsets committed): one last sample
        # so the dashboard counts the final events, then close.
        if self._jobs is not None:
            await self._jobs.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.monitor.recorder.flush(), timeout=2.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.lag.close()
        if self.settings.web_addr_file:
            await asyncio.to_thread(Path(self.settings.web_addr_file).unlink, missing_ok=True)


def _write_atomic(path: Path, text: str) -> None:
    # Readers (tests, scripts) never see a half-written address.
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def attach_ops(app: faust.App, runtime: Any, settings: Settings) -> OpsService:
    """Create the ops service for ``app``; once Faust runs its tasks, mark streams started and start their jobs."""
    ops = OpsService(app, runtime, settings)

    @app.task
    async def _streams_started() -> None:
        # App tasks start after the first assignment and table recovery.
        ops.status.streams_started = True
        logger.info("stream processing started")
        jobs = JobRunner([j for j in runtime.jobs(ops.monitor) if j.starts == WITH_STREAMS])
        try:
            await jobs.run()  # until the app stops and cancels its tasks
        finally:
            await runtime.close_channels()

    return ops
