"""The worker entry point: ``newsmon worker`` ends up here.

Configuration, rules and channels are loaded and validated before Faust
starts, so a bad setting stops the process with a clear message instead of a
half-started worker. Faust handles SIGTERM: agents finish the event in hand,
the producer is flushed and offsets are committed before exit.
"""

from __future__ import annotations

import asyncio
import logging

import faust

from newsmon.agents.pipeline import register
from newsmon.config import Settings
from newsmon.kafka_util import ensure_topics
from newsmon.runtime import Runtime, tune_gc
from newsmon.streams.app import create_app, declare_topics
from newsmon.web.service import attach_ops

logger = logging.getLogger(__name__)


def build(settings: Settings, runtime: Runtime | None = None) -> tuple[faust.App, Runtime]:
    rt = runtime or Runtime.create(settings)
    app = create_app(settings)
    topics = declare_topics(app, settings)
    register(app, topics, rt)
    return app, rt


def run_worker(settings: Settings) -> None:
    # Faust only creates its internal topics; ours get their partition count,
    # retention and (for the rules topic) compaction from configuration.
    asyncio.run(
        ensure_topics(
            settings,
            [
                settings.topic_raw,
                settings.topic_classified,
                settings.topic_alerts,
                settings.topic_deadletter,
                settings.topic_rules,
            ],
            compacted=[settings.topic_rules],
        )
    )
    app, rt = build(settings)
    tune_gc()
    # Our web server (/healthz, /readyz, /metrics, dashboard) and monitor loop:
    # started before the app and stopped after it (see newsmon.web.service).
    ops = attach_ops(app, rt, settings)
    # Logging was configured by newsmon.cli (JSON or text, secrets redacted);
    # Faust must not replace the handlers or print its banner to stdout.
    worker = faust.Worker(
        app, ops, loglevel=settings.log_level.upper(), override_logging=False, quiet=True, redirect_stdouts=False
    )
    # No terminal spinner (Faust drops it only when it sets up logging itself);
    # without it Faust logs "Ready" once the worker runs.
    worker.spinner = None
    worker.execute_from_commandline()
