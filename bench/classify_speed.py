"""Speed of ``newsmon classify`` on one core, load and JSON output included, against a baseline checkout.

Usage: python bench/classify_speed.py FILE [FILE ...] [--baseline /path/to/other/checkout] [--rounds 3]

Each round runs ``taskset -c 0 python -m newsmon.cli classify FILE`` for this
checkout and, alternately, for the baseline (same interpreter, the baseline's
package first on PYTHONPATH), so both see the same machine load; the report is
the best round per side in articles/s and the ratio. Also prints start-up
(classify of an empty input) and peak RSS. Beside wall-clock seconds it
reports articles per CPU second (user + system time of the run): on a
machine shared with other jobs the wall clock measures the other jobs as
much as this one, CPU time much less so. Both checkouts' bytecode is compiled
first, as an installed package's is: with PYTHONDONTWRITEBYTECODE set (or a
read-only checkout) every measured run would otherwise compile each module
again, about 0.08 s of start-up.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(checkout: Path, path: str) -> tuple[float, float, float]:
    """Seconds, CPU seconds and peak RSS (MB) of one ``newsmon classify`` run pinned to core 0."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "NEWSMON_LOG_LEVEL": "WARNING"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        ["taskset", "-c", "0", sys.executable, "-m", "newsmon.cli", "classify", path],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=checkout,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"classify failed in {checkout} on {path} (exit {proc.returncode})")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--baseline", type=Path, default=None)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    for checkout in [REPO] + ([args.baseline] if args.baseline else []):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "newsmon")], check=True)
    empty = REPO / ".bench-empty.jsonl"
    empty.write_text("")
    try:
        sides = [("this", REPO)] + ([("baseline", args.baseline)] if args.baseline else [])
        for name, checkout in sides:
            runs = [_run(checkout, str(empty)) for _ in range(args.rounds)]
            start, start_cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            print(f"{name}: start-up (empty input) {start:.2f} s, {start_cpu:.2f} CPU s", flush=True)
        for path in args.files:
            with open(path, "rb") as fh:
                n = sum(1 for line in fh if line.strip())
            best: dict[str, float] = {}
            cpu: dict[str, float] = {}
            rss: dict[str, float] = {}
            for _ in range(args.rounds):
                for name, checkout in sides:
                    elapsed, used, peak = _run(checkout, path)
                    best[name] = min(best.get(name, float("inf")), elapsed)
                    cpu[name] = min(cpu.get(name, float("inf")), used)
                    rss[name] = max(rss.get(name, 0.0), peak)
            line = ", ".join(
                f"{k} {n / v:,.0f} articles/s ({v:.2f} s; {n / cpu[k]:,.0f} per CPU s, peak RSS {rss[k]:.0f} MB)"
                for k, v in best.items()
            )
            if "baseline" in best:
                line += f", ratio {best['baseline'] / best['this']:.2f}x wall, {cpu['baseline'] / cpu['this']:.2f}x CPU"
            print(f"{Path(path).name} ({n} articles): {line}", flush=True)
    finally:
        empty.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
