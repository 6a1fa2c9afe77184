"""Measure the classifier against the labelled sets in ``shared/eval``.

Run on demand (``newsmon eval`` or ``python bench/classify_bench.py``); never
imported by the pipeline. The eval files are read at run time from
``$NEWSMON_EVAL_DIR`` or ``../shared/eval`` next to the repository and are
never copied. A missing file raises :class:`FileNotFoundError` naming it.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

REUTERS = "reuters21578-dev.jsonl"
BBC = "bbc-news.jsonl"


def eval_dir() -> Path:
    env = os.environ.get("NEWSMON_EVAL_DIR")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    return (repo / ".." / "shared" / "eval").resolve()


def _read_jsonl(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    if not path.exists():
        raise FileNotFoundError(f"eval file not found: {path} (set NEWSMON_EVAL_DIR)")
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                return
            if line.strip():
                yield json.loads(line)


def rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass
class Report:
    load_seconds: float = 0.0
    rss_after_load_mb: float = 0.0
    countries: dict[str, float] = field(default_factory=dict)
    topics: dict[str, float] = field(default_factory=dict)
    speed: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        c, t, s = self.countries, self.topics, self.speed
        return [
            f"load time: {self.load_seconds:.2f} s   RSS after load: {self.rss_after_load_mb:.0f} MB",
            (
                f"countries (reuters, focus, micro, n={int(c.get('docs', 0))}): "
                f"P={c.get('precision', 0):.4f} R={c.get('recall', 0):.4f} F1={c.get('f1', 0):.4f}"
            ),
            (f"topics (bbc, top-1 of 17 top-level, n={int(t.get('docs', 0))}): accuracy={t.get('accuracy', 0):.4f}"),
            (
                f"speed (reuters, 1 core, n={int(s.get('docs', 0))}): "
                f"{s.get('articles_per_s', 0):,.0f} articles/s  {s.get('mb_per_s', 0):.2f} MB/s"
            ),
            f"peak RSS: {rss_mb():.0f} MB",
        ]


def eval_countries(
    clf: Any, path: Path, limit: int | None = None, errors: list[dict[str, Any]] | None = None
) -> dict[str, float]:
    tp = fp = fn = docs = 0
    for d in _read_jsonl(path, limit):
        gold = set(d.get("countries") or [])
        if not gold:
            continue
        docs += 1
        pred = set(clf.classify(d.get("title", ""), d.get("body", ""), "en").focus_countries())
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        if errors is not None and pred != gold:
            errors.append({"id": d.get("id"), "gold": sorted(gold), "pred": sorted(pred)})
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"docs": docs, "precision": p, "recall": r, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def eval_topics(
    clf: Any, path: Path, limit: int | None = None, errors: list[dict[str, Any]] | None = None
) -> dict[str, float]:
    right = docs = 0
    for d in _read_jsonl(path, limit):
        gold = d.get("iptc")
        if not gold:
            continue
        docs += 1
        scores = clf.top_level_scores(d.get("title", ""), d.get("body", ""))
        best = max(scores.items(), key=lambda kv: kv[1])[0] if any(scores.values()) else None
        if best == gold:
            right += 1
        elif errors is not None:
            errors.append({"id": d.get("id"), "gold": gold, "pred": best})
    return {"docs": docs, "accuracy": right / docs if docs else 0.0}


def eval_speed(clf: Any, path: Path, limit: int | None = None, rounds: int = 1) -> dict[str, float]:
    docs = [(d.get("title", ""), d.get("body", "")) for d in _read_jsonl(path, limit)]
    nbytes = sum(len(t.encode()) + len(b.encode()) for t, b in docs)
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for t, b in docs:
            clf.classify(t, b)  # language detection included
        best = min(best, time.perf_counter() - t0)
    return {
        "docs": len(docs),
        "seconds": best,
        "articles_per_s": len(docs) / best if best else 0.0,
        "mb_per_s": nbytes / 1e6 / best if best else 0.0,
    }


def run(limit: int | None = None, directory: Path | None = None) -> Report:
    """Load the engine, then measure countries, topics and speed."""
    from newsmon.classify import Classifier

    d = directory or eval_dir()
    t0 = time.perf_counter()
    clf = Classifier.load()
    rep = Report(load_seconds=time.perf_counter() - t0, rss_after_load_mb=rss_mb())
    rep.countries = eval_countries(clf, d / REUTERS, limit)
    rep.topics = eval_topics(clf, d / BBC, limit)
    rep.speed = eval_speed(clf, d / REUTERS, limit, rounds=2)
    return rep
