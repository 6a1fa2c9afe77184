"""The watch folder takes only regular files inside it (issue 14 row 1).

Runs the real scan loop with a producer that keeps what was sent instead of
Kafka; anything that is not a regular file must end in ``failed/`` with a
reason and never be published.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import orjson
import pytest

from newsmon.config import Settings
from newsmon.ingest import watch
from tests.unit.ingest.fakes import StartableFakeProducer

SECRET = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
ARTICLE = {"title": "Harbour reopens", "body": "The harbour reopened on Monday after the storm.", "language": "en"}


async def run_watch(folder: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings | None = None,
                    seconds: float = 0.8) -> StartableFakeProducer:  # fmt: skip
    prod = StartableFakeProducer()

    async def no_topics(*_a: object, **_k: object) -> None:
        return None

    monkeypatch.setattr(watch, "ensure_topics", no_topics)
    monkeypatch.setattr(watch, "producer", lambda _s: prod)
    stop = asyncio.Event()
    task = asyncio.create_task(watch.watch_folder(folder, settings or Settings(), stop=stop, interval=0.1))
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.wait_for(task, 10)
    return prod


def reason_of(folder: Path, name: str) -> str:
    return (folder / "failed" / f"{name}.reason.txt").read_text()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "watch"
    d.mkdir()
    return d


async def test_watch__symlink_to_a_file_outside_is_moved_to_failed_and_not_published(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET)
    (folder / "passwd.txt").symlink_to(secret)
    prod = await run_watch(folder, monkeypatch)
    assert prod.sent == []
    assert (folder / "failed" / "passwd.txt").is_symlink()
    assert "symlink" in reason_of(folder, "passwd.txt")
    assert secret.read_text() == SECRET  # the target is left alone


async def test_watch__fifo_is_moved_to_failed_without_blocking_the_scan(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(folder / "pipe.jsonl")
    (folder / "good.jsonl").write_bytes(orjson.dumps(ARTICLE) + b"\n")
    prod = await run_watch(folder, monkeypatch)
    assert "fifo" in reason_of(folder, "pipe.jsonl")
    assert len(prod.sent) == 1 and (folder / "done" / "good.jsonl").exists()


async def test_watch__hard_link_to_a_file_elsewhere_is_refused(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET)
    os.link(secret, folder / "passwd.txt")
    prod = await run_watch(folder, monkeypatch)
    assert prod.sent == []
    assert "hard link" in reason_of(folder, "passwd.txt")


async def test_watch__file_swapped_for_a_symlink_after_the_scan_is_refused_at_open(
    folder: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET)
    (folder / "late.txt").symlink_to(secret)
    prod = StartableFakeProducer()
    assert await watch.ingest_file(prod, folder / "late.txt", folder, Settings()) == "failed"
    assert prod.sent == [] and "symlink" in reason_of(folder, "late.txt")


async def test_watch__device_node_is_moved_to_failed_unread(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stat

    try:  # a /dev/zero twin: reading it would never end
        os.mknod(folder / "zero.jsonl", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    prod = await run_watch(folder, monkeypatch)
    assert prod.sent == []
    assert "character device" in reason_of(folder, "zero.jsonl")
