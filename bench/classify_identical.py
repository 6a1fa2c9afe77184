"""Check that a speed change leaves ``newsmon classify`` output unchanged, against a baseline checkout.

Usage: python bench/classify_identical.py --baseline /path/to/other/checkout [FILE ...]

Runs ``python -m newsmon.cli classify FILE`` for this checkout and for the
baseline (the baseline's package first on PYTHONPATH) and compares the JSON
lines byte for byte: same ids, places, regions, topics, scores, evidence and
coverage. Without FILE it uses every ``*.jsonl`` set in NEWSMON_EVAL_DIR. The
baseline's output is kept in ``--keep DIR`` (when given) so that later checks
against the same baseline commit skip re-running it. Exit status 1 when any
line differs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _classify(checkout: Path, path: Path) -> list[bytes]:
    env = {**os.environ, "PYTHONPATH": str(checkout), "NEWSMON_LOG_LEVEL": "WARNING"}
    proc = subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "classify", str(path)],
        env=env,
        cwd=checkout,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"classify failed in {checkout} on {path}: {proc.stderr.decode()[-500:]}")
    return proc.stdout.splitlines()


def _head(checkout: Path) -> str:
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True, check=False)
    return out.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--baseline", type=Path, required=True)
    ap.add_argument("--keep", type=Path, default=None, help="directory for the baseline's output, reused by commit")
    args = ap.parse_args(argv)
    files = args.files or sorted(Path(os.environ.get("NEWSMON_EVAL_DIR", "../shared/eval")).glob("*.jsonl"))
    if not files:
        print("no evaluation sets found (set NEWSMON_EVAL_DIR or give FILE)", file=sys.stderr)
        return 2
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "newsmon"], cwd=args.baseline, capture_output=True, text=True
    )
    # A baseline with local changes has no commit to name its kept output by.
    reuse = args.keep is not None and not dirty.stdout.strip()
    total = differ = 0
    for path in files:
        base: list[bytes] | None = None
        kept = None
        if reuse and args.keep is not None:
            tag = hashlib.sha256(f"{_head(args.baseline)}:{path.resolve()}".encode()).hexdigest()[:16]
            kept = args.keep / f"{path.stem}-{tag}.jsonl"
            if kept.exists():
                base = kept.read_bytes().splitlines()
        if base is None:
            base = _classify(args.baseline, path)
            if kept is not None:
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_bytes(b"\n".join(base) + b"\n")
        new = _classify(REPO, path)
        bad = [i for i, (a, b) in enumerate(zip(base, new, strict=False)) if a != b]
        if len(base) != len(new):
            bad.append(min(len(base), len(new)))
        total += len(base)
        differ += len(bad)
        status = "identical" if not bad else f"{len(bad)} lines differ, first at line {bad[0] + 1}"
        print(f"{path.name}: {len(base)} articles, {status}")
    print(f"all sets: {total} articles, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
