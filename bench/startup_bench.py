"""Start-up cost of the classifier: CPU seconds of a fresh process, best of N.

Measures, each in a new Python process pinned to one core (``taskset -c 0``
when it exists), the user+system CPU time of

* ``classify``: ``python -m newsmon.cli classify <empty file>`` (lazy load, imports, exit),
* ``load``: ``Classifier.load()`` (eager, every language, as the worker loads it),

with the lexicon cache ``cold`` (an empty cache directory each round), ``warm``
(filled by the round before) and ``off`` (NEWSMON_CLASSIFY_CACHE=off). With
``--baseline CHECKOUT`` the same commands also run against that checkout
(its own code on PYTHONPATH), alternating with this one.

Both checkouts' ``newsmon`` bytecode is compiled first (``compileall``), as
an installed package has it: with PYTHONDONTWRITEBYTECODE set, a changed
module would otherwise be compiled again by every measured process.

    python bench/startup_bench.py --rounds 5 --baseline /work/main
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
LOAD = "from newsmon.classify import Classifier; Classifier.load()"


def _child_cpu(cmd: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # cwd: ``-m`` and ``-c`` put the working directory before PYTHONPATH on sys.path.
    subprocess.run(
        cmd, env=env, cwd=env["PYTHONPATH"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _command(what: str, empty: Path) -> list[str]:
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    if what == "classify":
        return [*pin, sys.executable, "-m", "newsmon.cli", "classify", str(empty)]
    return [*pin, sys.executable, "-c", LOAD]


def _env(checkout: Path, cache_dir: Path, mode: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(checkout), NEWSMON_CLASSIFY_CACHE_DIR=str(cache_dir))
    env.pop("NEWSMON_CLASSIFY_CACHE", None)
    if mode == "off":
        env["NEWSMON_CLASSIFY_CACHE"] = "off"
    return env


def measure(checkout: Path, what: str, mode: str, work: Path) -> float:
    """One round: CPU seconds of one process (cold: after emptying the cache; warm: after filling it)."""
    cache_dir = work / f"cache-{checkout.name}-{what}"
    empty = work / "empty.txt"
    cmd = _command(what, empty)
    if mode == "cold":
        shutil.rmtree(cache_dir, ignore_errors=True)
    elif mode == "warm" and not cache_dir.exists():
        _child_cpu(cmd, _env(checkout, cache_dir, mode))  # fill it
    return _child_cpu(cmd, _env(checkout, cache_dir, mode))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--baseline", type=Path, help="another checkout to measure alternately (e.g. of 72a490c)")
    ap.add_argument("--what", nargs="+", default=["classify", "load"], choices=["classify", "load"])
    ap.add_argument("--modes", nargs="+", default=["cold", "warm", "off"], choices=["cold", "warm", "off"])
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    sides = {"this": HERE}
    if args.baseline:
        sides["baseline"] = args.baseline.resolve()
    for checkout in sides.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "newsmon")], check=True)
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="newsmon-startup-") as tmp:
        work = Path(tmp)
        (work / "empty.txt").write_bytes(b"")
        for _ in range(args.rounds):
            for what in args.what:
                for mode in args.modes:
                    for side, checkout in sides.items():
                        label = f"{what} {mode}"
                        secs = measure(checkout, what, mode, work)
                        results.setdefault(label, {}).setdefault(side, []).append(secs)
    print(f"{'CPU s, best (median) of ' + str(args.rounds):34}" + "".join(f"{s:>20}" for s in sides))
    for label, by_side in results.items():
        cells = []
        for side in sides:
            vals = sorted(by_side[side])
            cells.append(f"{vals[0]:.3f} ({vals[len(vals) // 2]:.3f})")
        print(f"{label:34}" + "".join(f"{c:>20}" for c in cells))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
