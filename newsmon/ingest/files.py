"""Read articles from files and publish them to the raw topic (``newsmon ingest``).

JSONL files hold one article object per line; any other file is read as a
plain-text dump (see :mod:`newsmon.ingest.textdump`). Every article is checked
before it is sent (size, schema, non-empty body) so users see rejections with
their reasons at once; what is sent is the raw object, normalized later by
the worker.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from tqdm import tqdm

from newsmon.config import Settings
from newsmon.ingest.normalize import encode_raw, normalize_raw, validate_raw
from newsmon.ingest.textdump import parse_text_dump
from newsmon.kafka_util import ensure_topics, producer
from newsmon.streams.records import RecordError
from newsmon.untrusted import FileRefused, open_regular


@dataclass(slots=True)
class Item:
    where: str  # file:line, for messages
    obj: dict[str, Any] | None
    error: str | None = None


@dataclass(slots=True)
class IngestReport:
    sent: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    ids: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        reasons = Counter(r.split(":", 1)[0] for _, r in self.rejected)
        lines = [f"sent {self.sent}, rejected {len(self.rejected)} in {self.seconds:.1f}s"]
        lines += [f"  rejected {n} x {reason}" for reason, n in reasons.most_common()]
        lines += [f"  {where}: {reason}" for where, reason in self.rejected[:20]]
        if len(self.rejected) > 20:
            lines.append(f"  ... and {len(self.rejected) - 20} more")
        return "\n".join(lines)


_SKIP_CHUNK = 1 << 16


def _lines(fh: BinaryIO, max_line: int, max_total: int | None) -> Iterator[bytes | None]:
    """Lines of ``fh``; ``None`` for a line over ``max_line`` bytes, which is skipped unread.

    Memory stays at one line: a file without newlines (a sparse or binary
    file) is read in chunks and dropped, never held whole. Reading stops at
    ``max_total`` bytes (a file that grew past the cap while it was read).
    """
    total = 0
    while True:
        line = fh.readline(max_line + 1)
        if not line:
            return
        total += len(line)
        if len(line) > max_line and not line.endswith(b"\n"):
            while True:  # the rest of the long line, discarded
                chunk = fh.readline(_SKIP_CHUNK)
                total += len(chunk)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield None
        else:
            yield line
        if max_total is not None and total > max_total:
            raise FileRefused(f"grew past the limit of {max_total} bytes while read (NEWSMON_MAX_FILE_BYTES)")


def _text_blocks(lines: Iterator[bytes | None], max_block: int) -> Iterator[bytes | None]:
    """Articles of a text dump one at a time (two or more blank lines end one); ``None`` for one over ``max_block``."""
    block: list[bytes] = []
    size = blanks = 0
    too_big = False
    for line in lines:
        blank = line is not None and not line.strip(b" \t\r\n")
        if not blank and blanks >= 2 and (block or too_big):
            yield None if too_big else b"".join(block)
            block, size, too_big = [], 0, False
        blanks = blanks + 1 if blank else 0
        if line is None:
            too_big, block = True, []
            continue
        size += len(line)
        if size > max_block:
            too_big, block = True, []
        elif not too_big:
            block.append(line)
    if block or too_big:
        yield None if too_big else b"".join(block)


def iter_items(
    path: Path, fh: BinaryIO | None = None, *, max_article_bytes: int = 1_000_000, max_file_bytes: int | None = None
) -> Iterator[Item]:
    """Articles of ``path`` (read from ``fh`` when the caller opened it), streamed.

    A JSONL line or a text-dump article over ``max_article_bytes`` is rejected
    alone (``oversized``) without being held in memory.
    """
    if fh is None:
        with open_regular(path, max_bytes=max_file_bytes) as own:
            yield from iter_items(path, own, max_article_bytes=max_article_bytes, max_file_bytes=max_file_bytes)
        return
    lines = _lines(fh, max_article_bytes, max_file_bytes)
    if path.suffix in (".jsonl", ".ndjson"):
        for n, line in enumerate(lines, 1):
            if line is None:
                yield Item(f"{path}:{n}", None, f"oversized: line over the limit of {max_article_bytes} bytes")
                continue
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield Item(f"{path}:{n}", None, f"invalid_json: {exc}")
                continue
            if not isinstance(obj, dict):
                yield Item(f"{path}:{n}", None, "not_an_object: expected a JSON object per line")
                continue
            yield Item(f"{path}:{n}", obj)
    else:
        i = 0
        for block in _text_blocks(lines, max_article_bytes):
            if block is None:
                i += 1
                yield Item(f"{path}#{i}", None, f"oversized: article over the limit of {max_article_bytes} bytes")
                continue
            try:
                text = block.decode("utf-8", errors="strict")
            except UnicodeDecodeError as exc:
                i += 1
                yield Item(f"{path}#{i}", None, f"invalid_utf8: {exc}")
                continue
            for art in parse_text_dump(text):
                i += 1
                yield Item(f"{path}#{i}", {**art, "source": path.stem})


async def ingest_paths(paths: list[Path], settings: Settings, *, progress: bool = True) -> IngestReport:
    await ensure_topics(settings, [settings.topic_raw])
    prod = producer(settings)
    await prod.start()
    try:
        return await ingest_with(prod, paths, settings, progress=progress)
    finally:
        await prod.stop()


async def ingest_with(
    prod: Any, paths: list[Path], settings: Settings, *, progress: bool = False, follow_symlinks: bool = True
) -> IngestReport:
    """Publish the articles of ``paths`` with a started producer; waits for every acknowledgement.

    Raises :class:`FileRefused` for a file that is not a regular file, and
    ``OSError`` / ``UnicodeDecodeError`` when a file cannot be read as a whole.
    """
    report = IngestReport()
    t0 = time.perf_counter()
    pending: list[tuple[str, asyncio.Future[Any]]] = []
    bar = tqdm(desc="ingest", unit="art", disable=not progress, file=sys.stderr)
    for path in paths:
        with open_regular(path, follow_symlinks=follow_symlinks, max_bytes=settings.max_file_bytes) as fh:
            await _send_items(prod, path, fh, settings, report, pending, bar)
    bar.close()
    for aid, fut in pending:
        try:
            await fut
        except Exception as exc:
            report.rejected.append((aid, f"send_failed: {type(exc).__name__}: {exc}"))
        else:
            report.sent += 1
            report.ids.append(aid)
    report.seconds = time.perf_counter() - t0
    return report


async def _send_items(
    prod: Any,
    path: Path,
    fh: BinaryIO,
    settings: Settings,
    report: IngestReport,
    pending: list[tuple[str, asyncio.Future[Any]]],
    bar: Any,
) -> None:
    items = iter_items(path, fh, max_article_bytes=settings.max_article_bytes, max_file_bytes=settings.max_file_bytes)
    for item in items:
        bar.update(1)
        if item.obj is None:
            report.rejected.append((item.where, item.error or "invalid"))
            continue
        obj = {**item.obj, "ingested_at": time.time()}
        try:
            payload = encode_raw(obj, max_bytes=settings.max_article_bytes, max_depth=settings.max_json_depth)
            art = normalize_raw(validate_raw(obj))
        except RecordError as exc:
            report.rejected.append((item.where, str(exc)))
            continue
        fut = await prod.send(settings.topic_raw, payload, key=art.id.encode())
        pending.append((art.id, fut))
