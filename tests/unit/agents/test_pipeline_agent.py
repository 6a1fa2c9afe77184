"""The pipeline agent's wiring (the batch machinery itself is tested in tests/unit/pipeline)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import mode

from newsmon.agents.pipeline import register
from newsmon.config import Settings
from newsmon.streams.app import create_app, declare_topics


def test_pipeline_agent__failure_stops_the_worker_instead_of_restarting_the_agent(tmp_path: Any) -> None:
    settings = Settings.from_env({"NEWSMON_DATA_DIR": str(tmp_path)})
    app = create_app(settings)
    rt = SimpleNamespace(settings=settings, rules_follower=None)
    agents = register(app, declare_topics(app, settings), rt)  # type: ignore[arg-type]
    assert agents["pipeline"].supervisor_strategy is mode.CrashingSupervisor
