"""Print the classifier's figures: Reuters focus-country P/R/F1, BBC top-1
topic accuracy, articles/s and MB/s on one core, load time and RSS.

Usage: python bench/classify_bench.py [--limit N] [--errors FILE]
Eval data is read from $NEWSMON_EVAL_DIR or ../shared/eval (never copied).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from newsmon.classify import Classifier
from newsmon.classify import evaluate as ev


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None, help="first N lines of each file")
    ap.add_argument("--errors", default=None, help="write mismatches as JSON lines here")
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args(argv)
    d = ev.eval_dir()
    t0 = time.perf_counter()
    clf = Classifier.load()
    rep = ev.Report(load_seconds=time.perf_counter() - t0, rss_after_load_mb=ev.rss_mb())
    errs_c: list[dict] = []
    errs_t: list[dict] = []
    rep.countries = ev.eval_countries(clf, d / ev.REUTERS, args.limit, errs_c)
    rep.topics = ev.eval_topics(clf, d / ev.BBC, args.limit, errs_t)
    if not args.skip_speed:
        rep.speed = ev.eval_speed(clf, d / ev.REUTERS, args.limit, rounds=2)
    for line in rep.lines():
        print(line)
    if args.errors:
        with open(args.errors, "w", encoding="utf-8") as fh:
            for e in errs_c + errs_t:
                fh.write(json.dumps(e) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
