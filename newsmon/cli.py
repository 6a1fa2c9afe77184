"""The ``newsmon`` command: worker, ingest, classify, eval and rules tools.

Every subcommand validates its configuration first and exits with status 2
and a message naming the variable, file or field when something is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson

from newsmon.channels.registry import ChannelConfigError
from newsmon.config import ConfigError, Settings
from newsmon.rules.model import RuleError

logger = logging.getLogger(__name__)


def _settings() -> Settings:
    return Settings.from_env()


def cmd_worker(args: argparse.Namespace) -> int:
    from newsmon.streams.worker import run_worker

    run_worker(_settings())
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from newsmon.ingest.files import ingest_paths

    settings = _settings()
    paths = [Path(p) for p in args.files]
    for p in paths:
        if not p.is_file():
            print(f"newsmon ingest: {p}: no such file", file=sys.stderr)
            return 2
    report = asyncio.run(ingest_paths(paths, settings, progress=not args.quiet))
    print(report.summary())
    return 0 if report.sent or not report.rejected else 1


def cmd_rules_check(args: argparse.Namespace) -> int:
    from newsmon.rules.model import load_rules

    rs = load_rules(args.files)
    for r in rs.rules:
        print(f"ok  {r.id:<32} type={r.type:<10} channels={','.join(r.channels)}  ({r.source})")
    print(f"{len(rs.rules)} rules valid (version {rs.version})")
    return 0


def cmd_rules_test(args: argparse.Namespace) -> int:
    """Dry run: which articles of a file would alert, and why."""
    from newsmon.alerting.policy import build_alert
    from newsmon.classify import Classifier
    from newsmon.ingest.files import iter_items
    from newsmon.ingest.normalize import normalize_raw, validate_raw
    from newsmon.rules.matcher import match_rules
    from newsmon.rules.model import load_rules
    from newsmon.streams.records import ClassifiedArticle, RecordError

    rs = load_rules(args.files)
    clf = Classifier.load()
    total = alerts = 0
    for item in iter_items(Path(args.articles)):
        if item.obj is None:
            print(f"{item.where}: skipped: {item.error}", file=sys.stderr)
            continue
        try:
            art = normalize_raw(validate_raw(item.obj))
        except RecordError as exc:
            print(f"{item.where}: skipped: {exc}", file=sys.stderr)
            continue
        total += 1
        ca = ClassifiedArticle(art, clf.classify(art.title, art.body, language=art.language))
        for m in match_rules(rs, ca):
            alerts += 1
            a = build_alert(m, ca)
            sys.stdout.buffer.write(
                orjson.dumps(
                    {
                        "where": item.where,
                        "rule": a.rule_id,
                        "title": a.title,
                        "countries": a.countries,
                        "regions": a.regions,
                        "topics": a.topics,
                        "evidence": a.evidence,
                    }
                )
                + b"\n"
            )
    print(f"{alerts} alerts from {total} articles", file=sys.stderr)
    return 0


def cmd_receiver(args: argparse.Namespace) -> int:
    import os

    from newsmon.devtools.receiver import serve

    serve(args.host, args.port, os.environ.get("NEWSMON_WEBHOOK_SECRET"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsmon", description="Always-on news monitor on Kafka, Faust and Redis.")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    w = sub.add_parser("worker", help="run the stream worker (classify, match, alert, deliver)")
    w.set_defaults(func=cmd_worker)

    i = sub.add_parser("ingest", help="publish articles from JSONL or text-dump files to the raw topic")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    i.set_defaults(func=cmd_ingest)

    r = sub.add_parser("rules", help="validate and dry-run watch rules")
    rsub = r.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    rc = rsub.add_parser("check", help="validate rule files")
    rc.add_argument("files", nargs="+", metavar="FILE")
    rc.set_defaults(func=cmd_rules_check)
    rt = rsub.add_parser("test", help="show which articles of a file would alert, with evidence")
    rt.add_argument("files", nargs="+", metavar="FILE")
    rt.add_argument("--articles", required=True, metavar="FILE")
    rt.set_defaults(func=cmd_rules_test)

    rv = sub.add_parser("receiver", help="local alert receiver for demos and tests (POST /webhook, /slack)")
    rv.add_argument("--host", default="127.0.0.1")
    rv.add_argument("--port", type=int, default=8787)
    rv.set_defaults(func=cmd_receiver)

    try:
        from newsmon.classify.commands import register as register_classify
    except ImportError:  # pragma: no cover - the classifier package is always shipped
        pass
    else:
        register_classify(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args) or 0)
    except (ConfigError, RuleError, ChannelConfigError) as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
