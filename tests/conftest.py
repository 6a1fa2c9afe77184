"""Shared fixtures: paths, sample data, and the service endpoints for integration tests."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """The shared data (seed articles, eval sets): NEWSMON_SHARED_DIR, else ``shared/`` beside the checkout.

    A clone of a local checkout made elsewhere (``git clone . /tmp/x``, as a
    clean-clone check does) has nothing beside it: it finds ``shared/`` beside
    the checkout it was cloned from.
    """
    env = os.environ.get("NEWSMON_SHARED_DIR")
    if env:
        return Path(env)
    beside = REPO.parent / "shared"
    if beside.is_dir():
        return beside
    try:
        url = subprocess.run(
            ["git", "-C", str(REPO), "remote", "get-url", "origin"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        url = ""
    if url.startswith("/"):  # a local path, not a URL or host:path
        origin = Path(url).resolve()
        for cand in (origin.parent / "shared", origin.parent.parent / "shared"):  # a bare ``*.git`` origin too
            if cand.is_dir():
                return cand
    return beside


SHARED = _shared_dir()
SEED = SHARED / "seed-articles.txt"

_cache_dir: tempfile.TemporaryDirectory[str] | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Every test run starts with an empty classifier cache of its own.

    Set before collection, so that no test and no subprocess a test starts
    reads or writes the user's cache (~/.cache/newsmon): a run from a fresh
    clone and a run on a developer's machine build the lexicon alike.
    """
    global _cache_dir
    _cache_dir = tempfile.TemporaryDirectory(prefix="newsmon-test-cache-")
    os.environ["NEWSMON_CLASSIFY_CACHE_DIR"] = _cache_dir.name
    os.environ.pop("NEWSMON_CLASSIFY_CACHE", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _cache_dir is not None:
        _cache_dir.cleanup()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.exists():
        pytest.fail(f"seed file missing: {SEED} (set NEWSMON_SHARED_DIR)")
    return SEED.read_text(encoding="utf-8")
