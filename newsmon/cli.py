"""The ``newsmon`` command: worker, ingest, classify, eval and rules tools.

Every subcommand validates its configuration first and exits with status 2
and a message naming the variable, file or field when something is wrong.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from newsmon.logging_setup import FORMATS
from newsmon.logging_setup import configure as configure_logging

if TYPE_CHECKING:
    from newsmon.config import Settings

logger = logging.getLogger(__name__)

# Errors that mean "fix your input": one line and exit 2, no traceback. Named,
# not imported: their modules (pydantic, the HTTP channels, the rule schema)
# are loaded only by the commands that need them, so `classify` and `--help`
# start without them.
_USAGE_ERRORS = (
    ("newsmon.config", "ConfigError"),
    ("newsmon.rules.schema", "RuleError"),
    ("newsmon.channels.registry", "ChannelConfigError"),
)


def _usage_error(exc: Exception) -> bool:
    """Whether ``exc`` is one of :data:`_USAGE_ERRORS`.

    A module that is not loaded cannot have raised its error (nor a subclass
    of it), so only the loaded ones are looked up.
    """
    for module, name in _USAGE_ERRORS:
        mod = sys.modules.get(module)
        if mod is not None and isinstance(exc, getattr(mod, name)):
            return True
    return False


def _settings() -> Settings:
    from newsmon.config import Settings

    return Settings.from_env()


def cmd_worker(args: argparse.Namespace) -> int:
    from newsmon.worker import run_worker

    run_worker(_settings())
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from newsmon.ingest.files import ingest_paths
    from newsmon.untrusted import FileRefused, open_regular

    if args.watch:
        from newsmon.ingest.commands import cmd_watch

        return cmd_watch(args)
    if not args.files:
        print("newsmon ingest: give FILE... or --watch DIR", file=sys.stderr)
        return 2
    settings = _settings()
    paths = [Path(p) for p in args.files]
    for p in paths:
        if not p.exists():
            print(f"newsmon ingest: {p}: no such file", file=sys.stderr)
            return 2
        try:  # refused files (over NEWSMON_MAX_FILE_BYTES, not regular) fail before anything is sent
            open_regular(p, max_bytes=settings.max_file_bytes).close()
        except (FileRefused, OSError) as exc:
            print(f"newsmon ingest: {p}: {exc}", file=sys.stderr)
            return 2
    try:
        import asyncio

        report = asyncio.run(ingest_paths(paths, settings, progress=not args.quiet))
    except FileRefused as exc:  # changed after the check above
        print(f"newsmon ingest: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0 if report.sent or not report.rejected else 1


def cmd_rules_check(args: argparse.Namespace) -> int:
    from newsmon.rules.model import load_rules

    rs = load_rules(args.files)
    for r in rs.rules:
        print(f"ok  {r.id:<32} type={r.type:<10} channels={','.join(r.channels)}  ({r.source})")
    print(f"{len(rs.rules)} rules valid (version {rs.version})")
    return 0


def cmd_rules_apply(args: argparse.Namespace) -> int:
    """Validate rule files and publish them to the rules topic; every worker applies them."""
    import asyncio

    from newsmon.rules.distribution import publish_rules
    from newsmon.rules.model import load_rules

    rs = load_rules(args.files)
    settings = _settings()
    partition, offset = asyncio.run(publish_rules(settings, rs))
    print(
        f"published {len(rs.rules)} rules (version {rs.version}) to {settings.topic_rules} "
        f"(partition {partition}, offset {offset})"
    )
    return 0


def _rules_test_since(args: argparse.Namespace) -> int:
    """Dry run over classified articles replayed from the classified topic."""
    import asyncio

    from newsmon.alerting.policy import build_alert
    from newsmon.rules import types as rule_types
    from newsmon.rules.matcher import match_rules
    from newsmon.rules.model import load_rules, parse_duration
    from newsmon.rules.replay import replay_classified

    rs = load_rules(args.files)
    since = parse_duration(args.since, "--since", "", "since")

    async def run() -> tuple[int, int]:
        total = alerts = 0
        async for where, ca in replay_classified(_settings(), since):
            total += 1
            for m in match_rules(rs, ca):
                alerts += 1
                a = build_alert(m, ca)
                line = {"where": where, "rule": a.rule_id, "type": m.rule.type, "story_id": a.story_id,
                        "title": a.title, "countries": a.countries, "regions": a.regions, "topics": a.topics,
                        "evidence": a.evidence}  # fmt: skip
                sys.stdout.buffer.write(orjson.dumps(line) + b"\n")
        return total, alerts

    total, alerts = asyncio.run(run())
    counting = "/".join(n for n in rule_types.names() if not rule_types.get(n).keyed_by_story)
    print(
        f"{alerts} matches from {total} articles of the last {args.since} "
        f"({counting} rules show every match; their thresholds are not simulated)",
        file=sys.stderr,
    )
    return 0


def cmd_rules_test(args: argparse.Namespace) -> int:
    """Dry run: which articles of a file (or of the classified topic) would alert, and why."""
    if args.since is not None:
        return _rules_test_since(args)
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
    i.add_argument("files", nargs="*", metavar="FILE")
    i.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    i.add_argument("--watch", metavar="DIR", help="ingest files as they appear in DIR (done/ and failed/ inside it)")
    i.add_argument("--interval", type=float, default=2.0, help="--watch: seconds between scans of DIR")
    i.set_defaults(func=cmd_ingest)

    r = sub.add_parser("rules", help="validate and dry-run watch rules")
    rsub = r.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    rc = rsub.add_parser("check", help="validate rule files")
    rc.add_argument("files", nargs="+", metavar="FILE")
    rc.set_defaults(func=cmd_rules_check)
    rt = rsub.add_parser("test", help="show which articles of a file would alert, with evidence")
    rt.add_argument("files", nargs="+", metavar="FILE")
    src = rt.add_mutually_exclusive_group(required=True)
    src.add_argument("--articles", metavar="FILE", help="raw articles (JSONL or text dump)")
    src.add_argument("--since", metavar="DURATION", help="replay the classified topic, e.g. 24h")
    rt.set_defaults(func=cmd_rules_test)
    ra = rsub.add_parser("apply", help="validate rule files and publish them to every worker (rules topic)")
    ra.add_argument("files", nargs="+", metavar="FILE")
    ra.set_defaults(func=cmd_rules_apply)

    rv = sub.add_parser("receiver", help="local alert receiver for demos and tests (POST /webhook, /slack)")
    rv.add_argument("--host", default="127.0.0.1")
    rv.add_argument("--port", type=int, default=8787)
    rv.set_defaults(func=cmd_receiver)

    from newsmon.dlq import register as register_dlq

    register_dlq(sub)

    from newsmon.commands.classify import register as register_classify

    register_classify(sub)
    from newsmon.ingest.commands import register as register_ingest

    register_ingest(sub)
    from newsmon.web.commands import register as register_web

    register_web(sub)
    return p


def _log_format(command: str) -> str:
    """``NEWSMON_LOG_FORMAT``, else JSON for the long-running worker and text for interactive commands.

    Read before settings are validated, so a bad value falls back here and is
    reported by the settings check that follows.
    """
    fmt = os.environ.get("NEWSMON_LOG_FORMAT", "").strip().lower()
    if fmt in FORMATS:
        return fmt
    return "json" if command == "worker" else "text"


def _log_level() -> int:
    name = os.environ.get("NEWSMON_LOG_LEVEL", "info").strip().upper()
    level = logging.getLevelName(name)
    return level if isinstance(level, int) else logging.INFO


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(
        _log_format(args.command), level=logging.DEBUG if args.verbose else _log_level(), stream=sys.stderr
    )
    if args.command != "worker" and not args.verbose:
        # Interactive commands: the Kafka client's connection chatter is noise.
        logging.getLogger("aiokafka").setLevel(logging.WARNING)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not _usage_error(exc):
            raise
        print(f"newsmon: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
