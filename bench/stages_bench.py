"""Per-stage cost of the worker's batch loop, in-process, without Kafka.

Outside CI. Runs the pipeline agent's steps on batches of real evaluation
texts (``../shared/eval``) against the real Redis (``scripts/services.sh up``),
with the bench rule of ``pipeline_bench.py``, and prints microseconds per
article for each step and the articles/s the steps allow together: the
ceiling the Faust/Kafka part of the worker can approach.

Each step is given in wall time and in this process's CPU time: on a shared
machine the CPU time moves less with the other processes' load, and it leaves
out the waits for Redis, so it splits the worker's CPU per article (see
``pipeline_bench.py``) between the steps. To compare with an older checkout,
copy this file into its ``bench/`` and run both alternately.

    .venv/bin/python bench/stages_bench.py [--articles 20000] [--batch 500]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.pipeline_bench import BENCH_RULES, REDIS, drop_keys, load_texts, payloads  # noqa: E402
from newsmon.config import Settings  # noqa: E402
from newsmon.runtime import Runtime, tune_gc  # noqa: E402
from newsmon.streams.records import DeadLetter, dumps  # noqa: E402


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--source", choices=["all", "reuters", "bbc"], default="all", help="which texts")
    args = ap.parse_args()
    tag = uuid.uuid4().hex[:8]
    texts = [t for t in load_texts() if args.source == "all" or t["source"].startswith(args.source)]
    data = payloads(texts, args.articles, tag)
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(BENCH_RULES)
        channels = Path(tmp) / "channels.yaml"
        channels.write_text("channels:\n  - {name: sink, type: log, level: DEBUG}\n")
        settings = Settings.from_env({
            "NEWSMON_REDIS_URL": REDIS,
            "NEWSMON_REDIS_PREFIX": f"stages-{tag}",
            "NEWSMON_RULES_PATH": str(rules),
            "NEWSMON_CHANNELS_PATH": str(channels),
            "NEWSMON_DATA_DIR": tmp,
        })  # fmt: skip
        rt = Runtime.create(settings)
        tune_gc()
        spent: dict[str, float] = defaultdict(float)
        spent_cpu: dict[str, float] = defaultdict(float)
        alerts = 0
        t_all, cpu_all = time.perf_counter(), time.process_time()
        for i in range(0, len(data), args.batch):
            batch = data[i : i + args.batch]
            t0, c0 = time.perf_counter(), time.process_time()
            items = [r for r in (rt.process_raw(p, topic="raw", partition=0, offset=j) for j, p in enumerate(batch))
                     if not isinstance(r, DeadLetter)]  # fmt: skip
            t1, c1 = time.perf_counter(), time.process_time()
            await rt.assign_stories([x.article for x in items])
            t2, c2 = time.perf_counter(), time.process_time()
            decisions = await rt.decide_many(items)
            t3, c3 = time.perf_counter(), time.process_time()
            out = [dumps(x) for x in items]
            out += [dumps(d.publish) for ds in decisions for d in ds if d.publish is not None]
            alerts += sum(1 for ds in decisions for d in ds if d.publish is not None)
            t4, c4 = time.perf_counter(), time.process_time()
            steps = (("normalize+classify", t0, t1, c0, c1), ("story", t1, t2, c1, c2), ("decide", t2, t3, c2, c3),
                     ("encode", t3, t4, c3, c4))  # fmt: skip
            for k, a, b, ca, cb in steps:
                spent[k] += b - a
                spent_cpu[k] += cb - ca
        total, cpu_total = time.perf_counter() - t_all, time.process_time() - cpu_all
        await rt.close()
        await drop_keys(f"stages-{tag}")
    n = len(data)
    print(f"{'':20s} {'wall':>8s} {'CPU':>8s}  (us/article)")
    for k, v in spent.items():
        print(f"{k:20s} {1e6 * v / n:8.1f} {1e6 * spent_cpu[k] / n:8.1f}")
    print(
        f"{'all':20s} {1e6 * total / n:8.1f} {1e6 * cpu_total / n:8.1f}"
        f"  = {n / total:,.0f} articles/s ({alerts} alerts)"
    )


if __name__ == "__main__":
    asyncio.run(main())
