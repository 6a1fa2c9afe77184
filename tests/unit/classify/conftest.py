from __future__ import annotations

import re

import pytest

from newsmon.classify import Classifier
from tests.conftest import SHARED

SEED = SHARED / "seed-articles.txt"


@pytest.fixture(scope="session")
def clf() -> Classifier:
    return Classifier.load()


def _split_dump(text: str) -> list[dict[str, str]]:
    try:
        from newsmon.ingest.textdump import parse_text_dump
    except ImportError:
        parse_text_dump = None
    if parse_text_dump is not None:
        return parse_text_dump(text)
    out = []
    for block in re.split(r"\n\s*\n\s*\n+", text):
        block = block.strip()
        if block:
            title, _, body = block.partition("\n")
            out.append({"title": title.strip(), "body": body.strip()})
    return out


@pytest.fixture(scope="session")
def seed_articles() -> list[dict[str, str]]:
    if not SEED.exists():
        pytest.fail(f"seed articles not found at {SEED} (set NEWSMON_SHARED_DIR)")
    arts = _split_dump(SEED.read_text(encoding="utf-8"))
    assert len(arts) == 2
    return arts
