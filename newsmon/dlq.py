"""Dead-lettered records: list, show and replay the dead-letter topic (``newsmon dlq``).

A dead letter (:class:`~newsmon.streams.records.DeadLetter`) keeps the
original payload, why and where it failed, and the source topic, partition
and offset. Records are addressed by their own position in the dead-letter
topic, ``PARTITION:OFFSET``, which never changes.

Replay re-publishes the exact original bytes (``payload_b64`` when they were
not UTF-8, else the UTF-8 text, which encodes back to the same bytes) with
the original key, to the topic the record came from when that is the raw or
classified topic (a ``match``-stage failure holds a classified record), else
to the raw topic. Replayed records carry a ``newsmon-replay-of`` header.
Payloads that were truncated because they were oversized cannot be replayed:
the bytes are gone, so they are reported and skipped. Replaying twice is safe
for alerts (alert ids are deterministic and deduplicated) but the articles
are processed again.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from newsmon.config import Settings
    from newsmon.streams.records import DeadLetter

# asyncio, the Kafka client, the settings (pydantic) and the records are
# imported where they are used: :func:`register` runs for every ``newsmon`` command, and the ones that
# never touch the dead-letter topic (``classify``, ``--help``) should not pay
# for loading them.

logger = logging.getLogger(__name__)

REPLAY_HEADER = "newsmon-replay-of"


@dataclass(slots=True)
class Entry:
    """One record of the dead-letter topic."""

    partition: int
    offset: int
    key: bytes | None
    timestamp_ms: int
    dl: DeadLetter | None
    #: Why the record itself could not be decoded (then ``dl`` is None).
    error: str | None = None
    raw: bytes = b""

    @property
    def position(self) -> str:
        return f"{self.partition}:{self.offset}"

    def original_bytes(self) -> bytes | None:
        """The exact payload that failed, or None when it was truncated (or unreadable)."""
        if self.dl is None or self.dl.truncated:
            return None
        if self.dl.payload_b64 is not None:
            return base64.b64decode(self.dl.payload_b64)
        return self.dl.payload.encode("utf-8")


def parse_position(text: str) -> tuple[int, int]:
    part, sep, off = text.partition(":")
    if not sep or not part.isdigit() or not off.isdigit():
        raise ValueError(f"expected PARTITION:OFFSET (e.g. 0:42), not {text!r}")
    return int(part), int(off)


async def read_all(settings: Settings, *, timeout_s: float = 30.0) -> list[Entry]:
    """Every record now in the dead-letter topic, oldest first per partition (group-less, commits nothing)."""
    topic = settings.topic_deadletter
    parts = await _partitions(settings, topic)
    if not parts:
        return []
    from aiokafka import TopicPartition

    from newsmon.kafka_util import reader

    consumer = reader(settings)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        out: list[Entry] = []
        remaining = {tp for tp in tps if ends[tp] > 0}
        deadline = time.monotonic() + timeout_s
        while remaining:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic} took longer than {timeout_s:.0f}s")
            batch = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, records in batch.items():
                for r in records:
                    if r.offset < ends[tp]:
                        out.append(_entry(r))
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        out.sort(key=lambda e: (e.partition, e.offset))
        return out
    finally:
        await consumer.stop()


async def _partitions(settings: Settings, topic: str) -> list[int]:
    """Partition numbers of ``topic`` (none when it does not exist; never creates it)."""
    from aiokafka.admin import AIOKafkaAdminClient

    from newsmon.kafka_util import client_kwargs

    admin = AIOKafkaAdminClient(**client_kwargs(settings))
    await admin.start()
    try:
        if topic not in await admin.list_topics():
            return []
        (desc,) = await admin.describe_topics([topic])
        return sorted(p["partition"] for p in desc["partitions"])
    finally:
        await admin.close()


def _entry(r: Any) -> Entry:
    from newsmon.streams.records import DeadLetter, RecordError

    value: bytes = r.value or b""
    try:
        dl: DeadLetter | None = DeadLetter.decode(value)
        error = None
    except (RecordError, TypeError, ValueError) as exc:
        dl, error = None, f"unreadable dead letter: {exc}"
    return Entry(r.partition, r.offset, r.key, r.timestamp, dl, error, value)


def select(
    entries: Iterable[Entry],
    *,
    reason: str | None = None,
    stage: str | None = None,
    positions: Iterable[str] = (),
) -> list[Entry]:
    wanted = {parse_position(p) for p in positions}
    out = []
    for e in entries:
        if wanted and (e.partition, e.offset) not in wanted:
            continue
        if reason and (e.dl is None or e.dl.reason != reason):
            continue
        if stage and (e.dl is None or e.dl.stage != stage):
            continue
        out.append(e)
    return out


def target_topic(settings: Settings, e: Entry, override: str | None = None) -> str:
    if override:
        return override
    src = e.dl.topic if e.dl is not None else None
    if src in (settings.topic_raw, settings.topic_classified):
        return src
    return settings.topic_raw


@dataclass
class ReplayReport:
    sent: list[tuple[Entry, str]] = field(default_factory=list)
    skipped: list[tuple[Entry, str]] = field(default_factory=list)
    dry_run: bool = False


async def replay(
    settings: Settings, entries: list[Entry], *, dry_run: bool = False, to_topic: str | None = None
) -> ReplayReport:
    """Re-publish the payloads of ``entries``; waits for every send to be acknowledged (acks=all)."""
    report = ReplayReport(dry_run=dry_run)
    plan: list[tuple[Entry, str, bytes]] = []
    for e in entries:
        if e.dl is None:
            report.skipped.append((e, e.error or "unreadable"))
            continue
        payload = e.original_bytes()
        if payload is None:
            report.skipped.append((e, f"truncated: only {len(e.dl.payload.encode())} of {e.dl.size} bytes were kept"))
            continue
        plan.append((e, target_topic(settings, e, to_topic), payload))
    if dry_run or not plan:
        report.sent = [(e, t) for e, t, _ in plan]
        return report
    from newsmon.kafka_util import producer

    prod = producer(settings)
    await prod.start()
    try:
        for e, topic, payload in plan:
            origin = f"{settings.topic_deadletter}/{e.position}".encode()
            await prod.send_and_wait(topic, payload, key=e.key, headers=[(REPLAY_HEADER, origin)])
            report.sent.append((e, topic))
            logger.info("replayed dead letter %s to %s (%d bytes)", e.position, topic, len(payload))
    finally:
        await prod.stop()
    return report


def summary_row(e: Entry) -> dict[str, Any]:
    dl = e.dl
    return {
        "position": e.position,
        "at": dl.at if dl else e.timestamp_ms / 1000,
        "stage": dl.stage if dl else None,
        "reason": dl.reason if dl else "unreadable",
        "size": dl.size if dl else len(e.raw),
        "truncated": dl.truncated if dl else None,
        "binary": bool(dl and dl.payload_b64),
        "source": f"{dl.topic}/{dl.partition}:{dl.offset}" if dl and dl.topic is not None else None,
        "detail": (dl.detail if dl else e.error or "")[:120],
    }


# -- the ``newsmon dlq`` command --------------------------------------------------------


def _fmt_time(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _load(args: Any) -> tuple[Settings, list[Entry]]:
    from newsmon.config import Settings

    settings = Settings.from_env()
    import asyncio

    entries = asyncio.run(read_all(settings))
    return settings, entries


def cmd_list(args: Any) -> int:
    settings, entries = _load(args)
    rows = select(entries, reason=args.reason, stage=args.stage)[-args.limit :]
    if args.json:
        for e in rows:
            sys.stdout.buffer.write(orjson.dumps(summary_row(e)) + b"\n")
        return 0
    print(f"{'position':<10} {'time (UTC)':<20} {'stage':<9} {'reason':<16} {'bytes':>8}  source / detail")
    for e in rows:
        r = summary_row(e)
        flags = (" TRUNCATED" if r["truncated"] else "") + (" binary" if r["binary"] else "")
        print(
            f"{r['position']:<10} {_fmt_time(r['at']):<20} {r['stage'] or '?':<9} {r['reason']:<16} "
            f"{r['size']:>8}  {r['source'] or '-'}{flags}  {r['detail']}"
        )
    print(f"{len(rows)} of {len(entries)} dead letters in {settings.topic_deadletter}", file=sys.stderr)
    return 0


def cmd_show(args: Any) -> int:
    _, entries = _load(args)
    try:
        found = select(entries, positions=[args.position])
    except ValueError as exc:
        print(f"newsmon dlq show: {exc}", file=sys.stderr)
        return 2
    if not found:
        print(f"newsmon dlq show: no dead letter at {args.position}", file=sys.stderr)
        return 1
    e = found[0]
    body: dict[str, Any] = {"position": e.position, "key": e.key.decode("utf-8", "replace") if e.key else None}
    if e.dl is None:
        body.update(error=e.error, raw=e.raw.decode("utf-8", "replace"))
    else:
        body.update(dataclasses.asdict(e.dl))
        body["at_utc"] = _fmt_time(e.dl.at)
        body["replayable"] = e.original_bytes() is not None
    sys.stdout.buffer.write(orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n")
    return 0


def cmd_replay(args: Any) -> int:
    import asyncio

    if not (args.reason or args.stage or args.positions or args.all):
        print("newsmon dlq replay: choose what to replay: --reason, --stage, POSITION... or --all", file=sys.stderr)
        return 2
    settings, entries = _load(args)
    try:
        chosen = select(entries, reason=args.reason, stage=args.stage, positions=args.positions)
    except ValueError as exc:
        print(f"newsmon dlq replay: {exc}", file=sys.stderr)
        return 2
    report = asyncio.run(replay(settings, chosen, dry_run=args.dry_run, to_topic=args.to))
    verb = "would replay" if report.dry_run else "replayed"
    for e, topic in report.sent:
        size = len(e.original_bytes() or b"")
        print(f"{verb} {e.position} -> {topic} ({size} bytes, {e.dl.reason if e.dl else '?'})")
    for e, why in report.skipped:
        print(f"cannot replay {e.position}: {why}")
    print(f"{verb} {len(report.sent)}, skipped {len(report.skipped)} of {len(chosen)} selected", file=sys.stderr)
    return 1 if report.skipped and not report.sent else 0


def register(sub: Any) -> None:
    """Add ``newsmon dlq list|show|replay`` to the CLI's subparsers."""
    d = sub.add_parser("dlq", help="list, show and replay dead-lettered records")
    dsub = d.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")

    ls = dsub.add_parser("list", help="dead letters with position, time, stage, reason, size and source offset")
    ls.add_argument("--reason", help="only this reason (e.g. invalid_json)")
    ls.add_argument("--stage", help="only this stage (normalize, classify, match)")
    ls.add_argument("--limit", type=int, default=1000, help="the most recent N (default 1000)")
    ls.add_argument("--json", action="store_true", help="one JSON object per line")
    ls.set_defaults(func=cmd_list)

    sh = dsub.add_parser("show", help="one dead letter in full, payload included")
    sh.add_argument("position", metavar="PARTITION:OFFSET")
    sh.set_defaults(func=cmd_show)

    rp = dsub.add_parser("replay", help="re-publish the original payloads (after a fix)")
    rp.add_argument("positions", nargs="*", metavar="PARTITION:OFFSET")
    rp.add_argument("--reason", help="all dead letters with this reason")
    rp.add_argument("--stage", help="all dead letters of this stage")
    rp.add_argument("--all", action="store_true", help="every dead letter in the topic")
    rp.add_argument("--to", metavar="TOPIC", help="publish here instead of the source (or raw) topic")
    rp.add_argument("--dry-run", action="store_true", help="show what would be replayed; publish nothing")
    rp.set_defaults(func=cmd_replay)
