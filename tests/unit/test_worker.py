"""The worker's background jobs: one table (Runtime.jobs) names them all, and nothing else starts one."""

from __future__ import annotations

from typing import Any

from newsmon.channels.log import LogChannel
from newsmon.config import Settings
from newsmon.jobs import WITH_STREAMS, WITH_WORKER
from newsmon.ops.monitor import Monitor, WorkerStatus
from newsmon.rules.model import RuleSet
from newsmon.runtime import Runtime
from newsmon.web.service import attach_ops
from newsmon.worker import build


def runtime(tmp_path: Any, **env: str) -> Runtime:
    settings = Settings.from_env(
        {"NEWSMON_DATA_DIR": str(tmp_path), "NEWSMON_REDIS_URL": "redis://127.0.0.1:1/0"} | env
    )
    channels = {"ops-log": LogChannel("ops-log"), "audit": LogChannel("audit")}
    return Runtime(settings, None, RuleSet.empty(), channels)  # type: ignore[arg-type]


def test_runtime_jobs__table_names_every_background_job_with_interval_and_start(tmp_path):
    rt = runtime(tmp_path, NEWSMON_MONITOR_INTERVAL_S="3.5")
    jobs = rt.jobs(Monitor(rt, WorkerStatus()))
    assert [(j.name, j.interval_s, j.starts) for j in jobs] == [
        ("monitor", 3.5, WITH_WORKER),
        ("rules", None, WITH_STREAMS),
        ("deliver:ops-log", None, WITH_STREAMS),
        ("deliver:audit", None, WITH_STREAMS),
    ]


def test_worker_build__no_faust_task_besides_the_one_that_starts_the_streams_jobs(tmp_path):
    rt = runtime(tmp_path, NEWSMON_WEB_PORT="0")
    app, _ = build(rt.settings, rt)
    assert app._app_tasks == []  # the agents module declares the agent only
    attach_ops(app, rt, rt.settings)
    assert len(app._app_tasks) == 1
