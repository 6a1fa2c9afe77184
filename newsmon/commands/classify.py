"""``newsmon classify`` and ``newsmon eval`` subcommands.

:func:`register` is called once by ``newsmon/cli.py`` while it builds the
argument parser; the handlers run when the user invokes the subcommand and
return a process exit code.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from newsmon.untrusted import MAX_FILE_BYTES, FileRefused, clip, open_regular

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``classify`` and ``eval`` subcommands to an argparse subparsers object."""
    p = subparsers.add_parser(
        "classify",
        help="classify articles (what `newsmon ingest` reads: JSONL or a plain-text dump) into places, regions, topics",
    )
    p.add_argument(
        "file",
        nargs="?",
        default="-",
        help="a .jsonl/.ndjson file, any other file as a plain-text dump, or - for stdin (JSONL if it starts with '{')",
    )
    p.set_defaults(func=cmd_classify)

    e = subparsers.add_parser("eval", help="print the classifier's accuracy and speed figures")
    e.add_argument("--limit", type=int, default=None, help="use only the first N lines per set")
    e.add_argument("--set", action="append", dest="only", default=None, help="only this set (repeatable)")
    e.add_argument(
        "--split",
        choices=["even", "odd"],
        default=None,
        help="only the even or the odd records of each set (tune on one half, measure the other held out)",
    )
    e.set_defaults(func=cmd_eval)


def classify_lines(lines: Iterable[str | bytes], out: IO[bytes], clf: Any) -> tuple[int, int]:
    """Classify JSONL lines into ``out``; returns (ok, errors).

    A line that is not a JSON object with a string ``body`` (and, if present,
    a string ``title``), as ``newsmon ingest`` requires, yields
    ``{"line": N, "error": "..."}`` (N counts from 1) and processing goes on.
    """
    ok = bad = 0
    # isspace() rather than strip(): the same test (the same whitespace either way) without copying the text.
    for n, line in enumerate(lines, start=1):
        if not line or line.isspace():
            continue
        try:
            obj = orjson.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("line is not a JSON object")
            title, body = obj.get("title", ""), obj.get("body")
            if not isinstance(body, str) or not body or body.isspace():
                raise ValueError("'body' must be a non-empty string")
            if not isinstance(title, str):
                raise ValueError("'title' must be a string")
            lang = obj.get("language")
            _write(out, obj.get("id"), clf.classify(title, body, lang if isinstance(lang, str) else None))
            ok += 1
        except (ValueError, TypeError) as exc:  # orjson.JSONDecodeError is a ValueError
            out.write(orjson.dumps({"line": n, "error": str(exc)}) + b"\n")
            bad += 1
    return ok, bad


def _write(out: IO[bytes], art_id: Any, result: Any) -> None:
    # Classification.to_dict is the dataclass encoding built by hand (about
    # twice as fast for orjson as the dataclasses themselves).
    out.write(orjson.dumps({"id": art_id, **result.to_dict()}, option=orjson.OPT_APPEND_NEWLINE))


def classify_dump(text: str, name: str, out: IO[bytes], clf: Any) -> tuple[int, int]:
    """Classify a plain-text dump (the format ``newsmon ingest`` reads); ids are ``name#N``."""
    from newsmon.ingest.textdump import parse_text_dump

    ok = 0
    for n, art in enumerate(parse_text_dump(text), start=1):
        _write(out, f"{name}#{n}", clf.classify(art["title"], art["body"]))
        ok += 1
    return ok, 0


def _is_jsonl(name: str, head: bytes) -> bool:
    if name.endswith((".jsonl", ".ndjson")):
        return True
    return name == "-" and head.lstrip()[:1] == b"{"


def _max_file_bytes() -> int:
    """``NEWSMON_MAX_FILE_BYTES`` as ``newsmon ingest`` reads it.

    Read here rather than through ``newsmon.config``: importing the settings
    model costs about 0.17 s, a tenth of classifying a 10,000-article file.
    """
    raw = os.environ.get("NEWSMON_MAX_FILE_BYTES")
    if raw is None:
        return MAX_FILE_BYTES
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if limit < 1024:
        raise ValueError(f"NEWSMON_MAX_FILE_BYTES must be a whole number of bytes >= 1024, not {clip(raw, 40)!r}")
    return limit


def _read_input(name: str, limit: int) -> bytes:
    """The whole input, refused before it is read when it is not a regular file or is over ``limit`` bytes."""
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        with open_regular(Path(name), max_bytes=limit) as fh:
            data = fh.read(limit + 1)  # a file that grows after the size check stops here
    if len(data) > limit:
        raise FileRefused(f"too large: over the limit of {limit} bytes (NEWSMON_MAX_FILE_BYTES)")
    return data


def cmd_classify(args: argparse.Namespace) -> int:
    from newsmon.classify import Classifier

    name = args.file or "-"
    try:
        data = _read_input(name, _max_file_bytes())
    except ValueError as exc:
        print(f"classify: {exc}", file=sys.stderr)
        return 2
    except (FileRefused, OSError) as exc:
        print(f"classify: cannot read {name}: {exc}", file=sys.stderr)
        return 2
    # A batch is often one language: the others' matchers are built only if an article needs them.
    clf = Classifier.load(lazy=True)
    # The lexicon lives as long as the process: out of the cyclic collector's view, the
    # collections that per-article garbage triggers do not walk its objects again.
    gc.freeze()
    out = sys.stdout.buffer
    if _is_jsonl(name, data[:4096]):
        ok, bad = classify_lines(data.splitlines(), out, clf)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            print(f"classify: {name} is not UTF-8 text: {exc}", file=sys.stderr)
            return 2
        ok, bad = classify_dump(text, Path(name).stem if name != "-" else "stdin", out, clf)
    out.flush()
    logger.info("classified %d lines, %d bad", ok, bad)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from newsmon.classify import evaluate

    try:
        report = evaluate.run(limit=args.limit, only=getattr(args, "only", None), split=getattr(args, "split", None))
    except FileNotFoundError as exc:
        print(f"eval: {exc}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    return 0
