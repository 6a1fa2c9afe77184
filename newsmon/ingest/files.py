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
from typing import Any

import orjson
from tqdm import tqdm

from newsmon.config import Settings
from newsmon.ingest.normalize import encode_raw, normalize_raw, validate_raw
from newsmon.ingest.textdump import parse_text_dump
from newsmon.kafka_util import ensure_topics, producer
from newsmon.streams.records import RecordError


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


def iter_items(path: Path) -> Iterator[Item]:
    if path.suffix in (".jsonl", ".ndjson"):
        with path.open("rb") as fh:
            for n, line in enumerate(fh, 1):
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
        text = path.read_text(encoding="utf-8", errors="strict")
        for i, art in enumerate(parse_text_dump(text), 1):
            yield Item(f"{path}#{i}", {**art, "source": path.stem})


async def ingest_paths(paths: list[Path], settings: Settings, *, progress: bool = True) -> IngestReport:
    await ensure_topics(settings, [settings.topic_raw])
    prod = producer(settings)
    await prod.start()
    try:
        return await ingest_with(prod, paths, settings, progress=progress)
    finally:
        await prod.stop()


async def ingest_with(prod: Any, paths: list[Path], settings: Settings, *, progress: bool = False) -> IngestReport:
    """Publish the articles of ``paths`` with a started producer; waits for every acknowledgement.

    Raises ``OSError`` / ``UnicodeDecodeError`` when a file cannot be read as a whole.
    """
    report = IngestReport()
    t0 = time.perf_counter()
    pending: list[tuple[str, asyncio.Future[Any]]] = []
    bar = tqdm(desc="ingest", unit="art", disable=not progress, file=sys.stderr)
    for path in paths:
        for item in iter_items(path):
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
