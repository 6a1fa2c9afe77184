"""Shared fixtures: paths, sample data, and the service endpoints for integration tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSMON_SHARED_DIR", REPO.parent / "shared"))
SEED = SHARED / "seed-articles.txt"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.exists():
        pytest.fail(f"seed file missing: {SEED} (set NEWSMON_SHARED_DIR)")
    return SEED.read_text(encoding="utf-8")
