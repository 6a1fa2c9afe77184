"""``newsmon ingest --watch``: files are ingested once and filed into done/ or failed/."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest

from newsmon.config import Settings
from newsmon.ingest.watch import watch_folder
from tests.integration.conftest import consume_all, eventually


@pytest.mark.timeout(60)
async def test_watch__good_file_to_done_bad_file_to_failed_with_reason(
    tmp_path: Path, settings: Settings, kafka_up: None
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(watch_folder(tmp_path, settings, stop=stop, interval=0.2))
    try:
        lines = [{"title": f"Story {i}", "body": f"Body of story number {i} about the river."} for i in range(3)]
        lines.append({"title": "no body"})
        (tmp_path / "batch.jsonl").write_bytes(b"\n".join(orjson.dumps(x) for x in lines))
        (tmp_path / "junk.jsonl").write_bytes(b"{broken\n[1,2]\n")
        (tmp_path / "partial.jsonl.part").write_bytes(b"{}")
        await eventually(lambda: (tmp_path / "done" / "batch.jsonl").exists(), 20, "batch.jsonl in done/")
        await eventually(lambda: (tmp_path / "failed" / "junk.jsonl").exists(), 20, "junk.jsonl in failed/")
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
    reason = (tmp_path / "failed" / "junk.jsonl.reason.txt").read_text()
    assert "invalid_json" in reason and "not_an_object" in reason
    assert "missing_field" in (tmp_path / "done" / "batch.jsonl.rejected.txt").read_text()
    assert (tmp_path / "partial.jsonl.part").exists()  # still being written: left alone
    raw = await consume_all(settings, settings.topic_raw, expect=4, timeout=5)
    assert sorted(orjson.loads(r)["title"] for r in raw) == ["Story 0", "Story 1", "Story 2"]
