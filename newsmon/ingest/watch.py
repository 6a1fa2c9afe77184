"""Watch a folder (``newsmon ingest --watch DIR``): every new file is ingested once.

A file is taken once its size and modification time stopped changing between
two scans (writers that are still copying are left alone; names starting
with ``.`` or ending in ``.tmp``/``.part`` are ignored). Afterwards it moves to
``DIR/done/`` (with ``NAME.rejected.txt`` listing rejected articles, if any)
or, when nothing in it could be used, to ``DIR/failed/`` with
``NAME.reason.txt``. When Kafka does not acknowledge, the file stays where it
is and is tried again on a later scan: moving it would lose articles.

Only regular files are read: symlinks (the link itself is moved, never its
target), FIFOs, devices, sockets and hard links to files elsewhere go to
``DIR/failed/`` unread, with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import stat
import time
from pathlib import Path

from newsmon.config import Settings
from newsmon.ingest.files import IngestReport, ingest_with
from newsmon.kafka_util import ensure_topics, producer
from newsmon.untrusted import FileRefused, file_kind

logger = logging.getLogger(__name__)

IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")


def _candidates(folder: Path) -> tuple[dict[Path, tuple[int, int]], dict[Path, str]]:
    """Regular files with their (size, mtime) signature, and entries refused at once with the reason.

    Nothing is followed: a symlink, FIFO, device or socket is refused without
    being opened (opening a FIFO would block, a device may never end).
    Directories (``done/``, ``failed/``, others) are left alone.
    """
    out: dict[Path, tuple[int, int]] = {}
    refused: dict[Path, str] = {}
    with os.scandir(folder) as entries:
        for e in entries:
            if e.name.startswith(".") or e.name.endswith(IGNORED_SUFFIXES):
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISDIR(st.st_mode):
                continue
            if not stat.S_ISREG(st.st_mode):
                refused[Path(e.path)] = f"not a regular file: {file_kind(st.st_mode)}"
                continue
            out[Path(e.path)] = (st.st_size, st.st_mtime_ns)
    return out, refused


def _move(path: Path, target_dir: Path) -> Path:
    target_dir.mkdir(exist_ok=True)
    dest = target_dir / path.name
    if dest.exists():
        dest = target_dir / f"{path.stem}.{time.strftime('%Y%m%dT%H%M%S')}{path.suffix}"
    shutil.move(str(path), dest)
    return dest


def refuse(path: Path, folder: Path, why: str) -> None:
    """Move ``path`` (the entry itself, never a link's target) to ``failed/`` with its reason."""
    dest = _move(path, folder / "failed")
    dest.with_name(dest.name + ".reason.txt").write_text(why + "\n")
    logger.warning("watch: %s refused: %s", path.name, why)


async def ingest_file(prod: object, path: Path, folder: Path, settings: Settings) -> str:
    """Ingest one file and file it away; returns ``done``, ``failed`` or ``retry``."""
    try:
        report: IngestReport = await ingest_with(prod, [path], settings, follow_symlinks=False)
    except FileRefused as exc:
        refuse(path, folder, str(exc))
        return "failed"
    except (OSError, UnicodeDecodeError) as exc:
        dest = _move(path, folder / "failed")
        dest.with_name(dest.name + ".reason.txt").write_text(f"unreadable: {type(exc).__name__}: {exc}\n")
        logger.warning("watch: %s failed: %s", path.name, exc)
        return "failed"
    if any(reason.startswith("send_failed") for _, reason in report.rejected):
        logger.warning("watch: %s: Kafka did not acknowledge; will retry", path.name)
        return "retry"
    if report.sent == 0:
        dest = _move(path, folder / "failed")
        why = report.summary() if report.rejected else "no articles found in the file"
        dest.with_name(dest.name + ".reason.txt").write_text(why + "\n")
        logger.warning("watch: %s failed: %s", path.name, why.splitlines()[0])
        return "failed"
    dest = _move(path, folder / "done")
    if report.rejected:
        dest.with_name(dest.name + ".rejected.txt").write_text(report.summary() + "\n")
    logger.info("watch: %s: sent %d, rejected %d", path.name, report.sent, len(report.rejected))
    return "done"


async def watch_folder(folder: Path, settings: Settings, *, stop: asyncio.Event, interval: float = 2.0) -> None:
    """Scan ``folder`` every ``interval`` seconds until ``stop`` is set."""
    (folder / "done").mkdir(exist_ok=True)
    (folder / "failed").mkdir(exist_ok=True)
    await ensure_topics(settings, [settings.topic_raw])
    prod = producer(settings)
    await prod.start()
    previous: dict[Path, tuple[int, int]] = {}
    try:
        while not stop.is_set():
            current, refused = _candidates(folder)
            for path, why in refused.items():
                refuse(path, folder, why)
            for path, sig in current.items():
                if previous.get(path) == sig and not stop.is_set():
                    await ingest_file(prod, path, folder, settings)
            # A file left for retry keeps its signature, so it is tried again next scan.
            previous = current
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        await prod.stop()
