"""Per-stage CPU of ``newsmon classify`` on one file, in-process: where an article's time goes.

Outside CI. Loads the classifier once, warms it on the first 300 articles,
then times each stage over every article of FILE with ``time.process_time``
(best of ``--rounds``, garbage collector off) and prints microseconds per
article. Stages timed on their own run faster than inside the whole loop (warm
caches), so the first line, the whole read-classify-write loop, is the figure
to compare; the others say where it goes. It imports ``newsmon`` from
PYTHONPATH, so the same file measures another checkout:

    PYTHONPATH=. python bench/classify_stages.py FILE
    PYTHONPATH=/path/to/baseline python bench/classify_stages.py FILE
"""

from __future__ import annotations

import argparse
import gc
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from newsmon.classify import Classifier
from newsmon.classify import engine as eng
from newsmon.commands.classify import _write, classify_lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    lines = args.file.read_bytes().splitlines()
    objs = [orjson.loads(line) for line in lines]
    arts = [(o.get("id"), o.get("title", ""), o["body"], o.get("language")) for o in objs]
    clf: Any = Classifier.load(lazy=True)
    for _id, title, body, lang in arts[:300]:
        clf.classify(title, body, lang)
    n = len(arts)
    det = [clf.detector.detect_full(title, body, lang) for _id, title, body, lang in arts]
    packs = [clf.lex.packs.get(d.language) or clf.lex.packs["en"] for d in det]
    fields = [
        (eng._Field("title", title, []), eng._Field("body", body, eng._duplicate_spans(title, body)))
        for _id, title, body, _lang in arts
    ]
    scans = [
        tuple(clf._scan_field(p, f) if f.text else ([], []) for f in fs) for p, fs in zip(packs, fields, strict=True)
    ]
    places = [clf._places(fs, (s[0][0], s[1][0]), d.language) for fs, s, d in zip(fields, scans, det, strict=True)]
    results = [clf.classify(title, body, lang) for _id, title, body, lang in arts]
    stages: list[tuple[str, Callable[[], Any]]] = [
        ("read + classify + write (classify_lines)", lambda: classify_lines(lines, io.BytesIO(), clf)),
        ("  classify()", lambda: [clf.classify(t, b, lang) for _i, t, b, lang in arts]),
        ("    language detection", lambda: [clf.detector.detect_full(t, b, lang) for _i, t, b, lang in arts]),
        (
            "    fields (lower, duplicate lines)",
            lambda: [
                (eng._Field("title", t, []), eng._Field("body", b, eng._duplicate_spans(t, b))) for _i, t, b, _l in arts
            ],
        ),
        (
            "    scan (normalize, automaton, clitics)",
            lambda: [[clf._scan_field(p, f) for f in fs if f.text] for p, fs in zip(packs, fields, strict=True)],
        ),
        (
            "    _places",
            lambda: [
                clf._places(fs, (s[0][0], s[1][0]), d.language) for fs, s, d in zip(fields, scans, det, strict=True)
            ],
        ),
        ("    _regions", lambda: [clf._regions(pl[0], pl[2]) for pl in places]),
        ("    _topics", lambda: [clf._topics(fs, (s[0][1], s[1][1])) for fs, s in zip(fields, scans, strict=True)]),
        (
            "  output (to_dict + orjson)",
            lambda: [_write(io.BytesIO(), a[0], r) for a, r in zip(arts, results, strict=True)],
        ),
        ("  input (orjson.loads)", lambda: [orjson.loads(line) for line in lines]),
    ]
    gc.disable()
    print(f"{args.file.name}: {n} articles, best of {args.rounds} rounds, CPU us per article")
    for name, fn in stages:
        best = float("inf")
        for _ in range(args.rounds):
            t0 = time.process_time()
            fn()
            best = min(best, time.process_time() - t0)
        print(f"{name:42s} {best / n * 1e6:8.1f}")


if __name__ == "__main__":
    main()
