"""Per-article CPU cost of ``newsmon classify`` after start-up, in-process, whole and by stage.

Usage: python bench/classify_stages.py FILE [FILE ...] [--rounds 3] [--stages]

Loads the classifier once, classifies every file once to warm it (lazy
matchers, caches), then measures process CPU time (``time.process_time``)
of ``classify_lines`` over each whole file, writing to an in-memory buffer:
the per-article cost of ``newsmon classify`` (read, parse, classify, JSON
write) without its start-up. The best of ``--rounds`` is reported, in
microseconds per article. This mode uses only the public entry points, so
the same file can be copied into an older checkout's ``bench/`` to compare.

``--stages`` also splits the cost into stages, each timed as one loop over
all articles (a timer call per article and stage would cost as much as the
small stages themselves): JSON parse, language detection, field scan, places,
regions, topics, ``to_dict`` and the JSON write. It calls the engine's
internals, so it follows their names in this checkout. cProfile inflates
small calls; these figures do not, but the stages sum to a little more than
the whole because each loop also stores its results for the next. The
cyclic collector is off during the stage loops: the results they keep
would otherwise trigger full collections that ``newsmon classify``, which
drops each result once written, does not pay.
"""

from __future__ import annotations

import argparse
import functools
import gc
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsmon.classify import Classifier  # noqa: E402
from newsmon.commands.classify import classify_lines  # noqa: E402


def _best(rounds: int, fn: Callable[[], Any], collect: bool = True) -> float:
    best = float("inf")
    for _ in range(rounds):
        if not collect:
            gc.disable()
        try:
            t0 = time.process_time()
            fn()
            best = min(best, time.process_time() - t0)
        finally:
            gc.enable()
    return best


def _stages(clf: Any, lines: list[bytes], rounds: int) -> dict[str, float]:
    best = functools.partial(_best, rounds, collect=False)
    """CPU seconds per stage over all ``lines`` (best of ``rounds``)."""
    from newsmon.classify import engine

    out: dict[str, float] = {}
    objs: list[dict[str, Any]] = []
    out["parse"] = best(lambda: objs.__setitem__(slice(None), [orjson.loads(x) for x in lines]))
    arts = [(o.get("title", ""), o["body"], o.get("language")) for o in objs]
    dets: list[Any] = []
    detect = clf.detector.detect_full
    out["detect"] = best(lambda: dets.__setitem__(slice(None), [detect(t, b, h) for t, b, h in arts]))
    packs = [clf.lex.packs.get(d.language) or clf.lex.packs["en"] for d in dets]
    scanned: list[Any] = []

    def scan() -> None:
        res = []
        for (title, body, _h), pack in zip(arts, packs, strict=True):
            fields = (
                engine._Field("title", title, []),
                engine._Field("body", body, engine._duplicate_spans(title, body)),
            )
            ts = clf._scan_field(pack, fields[0]) if title else ([], [])
            bs = clf._scan_field(pack, fields[1]) if body else ([], [])
            res.append((fields, ts, bs))
        scanned[:] = res

    out["scan"] = best(scan)
    placed: list[Any] = []

    def places() -> None:
        placed[:] = [
            clf._places(fields, (ts[0], bs[0]), d.language) for (fields, ts, bs), d in zip(scanned, dets, strict=True)
        ]

    out["places"] = best(places)
    out["regions"] = best(lambda: [clf._regions(p[0], p[2]) for p in placed])
    out["topics"] = best(lambda: [clf._topics(fields, (ts[1], bs[1])) for fields, ts, bs in scanned])
    results = [clf.classify(t, b, h) for t, b, h in arts]
    dicts: list[Any] = []
    out["to_dict"] = best(lambda: dicts.__setitem__(slice(None), [r.to_dict() for r in results]))
    ids = [o.get("id") for o in objs]
    opt = orjson.OPT_APPEND_NEWLINE
    out["write"] = best(
        lambda: io.BytesIO().writelines(
            orjson.dumps({"id": i, **d}, option=opt) for i, d in zip(ids, dicts, strict=True)
        )
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--stages", action="store_true", help="also time each stage (this checkout's internals)")
    args = ap.parse_args(argv)
    t0 = time.process_time()
    clf = Classifier.load(lazy=True)
    print(f"load {time.process_time() - t0:.2f} CPU s ({REPO})")
    for path in args.files:
        lines = [x for x in path.read_bytes().splitlines() if x.strip()]
        n = len(lines)
        classify_lines(lines, io.BytesIO(), clf)  # warm: lazy matchers, caches
        whole = _best(args.rounds, lambda: classify_lines(lines, io.BytesIO(), clf))  # noqa: B023
        print(f"{path.name}: {n} articles, {whole / n * 1e6:.1f} us/article (classify_lines, best of {args.rounds})")
        if args.stages:
            parts = _stages(clf, lines, args.rounds)
            print("  " + ", ".join(f"{k} {v / n * 1e6:.1f}" for k, v in parts.items()) + " us/article")
    return 0


if __name__ == "__main__":
    sys.exit(main())
