"""``newsmon classify`` and ``newsmon eval`` subcommands.

:func:`register` is called once by ``newsmon/cli.py`` while it builds the
argument parser; the handlers run when the user invokes the subcommand and
return a process exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from typing import IO, Any

import orjson

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``classify`` and ``eval`` subcommands to an argparse subparsers object."""
    p = subparsers.add_parser(
        "classify",
        help="classify JSONL articles (id, title, body) into places, regions and topics",
    )
    p.add_argument("file", nargs="?", default="-", help="JSONL input file, or - for stdin")
    p.set_defaults(func=cmd_classify)

    e = subparsers.add_parser("eval", help="print the classifier's accuracy and speed figures")
    e.add_argument("--limit", type=int, default=None, help="use only the first N lines per set")
    e.add_argument("--set", action="append", dest="only", default=None, help="only this set (repeatable)")
    e.set_defaults(func=cmd_eval)


def classify_lines(lines: Iterable[str | bytes], out: IO[bytes], clf: Any) -> tuple[int, int]:
    """Classify JSONL lines into ``out``; returns (ok, errors).

    A line that is not a JSON object with string ``title`` and ``body`` yields
    ``{"line": N, "error": "..."}`` (N counts from 1) and processing goes on.
    """
    ok = bad = 0
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("line is not a JSON object")
            title, body = obj.get("title"), obj.get("body")
            if not isinstance(title, str) or not isinstance(body, str):
                raise ValueError("'title' and 'body' must be strings")
            lang = obj.get("language")
            result = clf.classify(title, body, lang if isinstance(lang, str) else None)
            row = {
                "id": obj.get("id"),
                "language": result.language,
                "places": result.places,
                "regions": result.regions,
                "topics": result.topics,
                "coverage": result.coverage,
            }
            out.write(orjson.dumps(row) + b"\n")
            ok += 1
        except (ValueError, TypeError) as exc:  # orjson.JSONDecodeError is a ValueError
            out.write(orjson.dumps({"line": n, "error": str(exc)}) + b"\n")
            bad += 1
    return ok, bad


def cmd_classify(args: argparse.Namespace) -> int:
    from newsmon.classify import Classifier

    clf = Classifier.load()
    out = sys.stdout.buffer
    if args.file in (None, "-"):
        ok, bad = classify_lines(sys.stdin.buffer, out, clf)
    else:
        try:
            fh = open(args.file, "rb")  # noqa: SIM115 - closed below, errors reported first
        except OSError as exc:
            print(f"classify: cannot read {args.file}: {exc}", file=sys.stderr)
            return 2
        with fh:
            ok, bad = classify_lines(fh, out, clf)
    out.flush()
    logger.info("classified %d lines, %d bad", ok, bad)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from newsmon.classify import evaluate

    try:
        report = evaluate.run(limit=args.limit, only=getattr(args, "only", None))
    except FileNotFoundError as exc:
        print(f"eval: {exc}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    return 0
