"""Same input, same alerts, at scale and under faults: the 4,000-article check (outside CI).

Needs Kafka and Redis up (``scripts/services.sh up``; the ports from
``NEWSMON_KAFKA_PORT`` / ``NEWSMON_REDIS_PORT``) and the evaluation texts in
``../shared/eval`` (read at run time). Every run has its own topics, Redis
keys and signed-webhook receiver; the input is the same.

    .venv/bin/python bench/fault_same_input.py one-partition   # 2 undisturbed runs, worker SIGKILL, Redis SIGKILL
    .venv/bin/python bench/fault_same_input.py three-workers   # 3 partitions, 3 workers, one SIGKILLed

``one-partition``: the first 4,000 Reuters stories into one partition; the
second undisturbed run, the run whose worker is SIGKILLed 2 s after the
input was published (then restarted), and the run whose Redis (a private
instance with its append-only file) is SIGKILLed 2 s after and restarted 5 s
later, each compared with the first: alert ids that differ, retransmissions
(the same webhook-id again), articles classified.

``three-workers``: the same input keyed by article id into 3 partitions, 3
workers; one undisturbed run and one with a worker SIGKILLed 2 s after
publication (not restarted: its partitions move). Every rule and article that
alerted in the undisturbed run must alert in the other, as its own alert or
as a member of its story; ids that differ are listed with the partitions of
their story's copies (a story whose copies sit on different partitions may be
opened by another copy: not guaranteed, see docs/guarantees.md).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newsmon.devtools.receiver import Receiver, start_receiver
from newsmon.devtools.same_input import CHANNELS, rules_yaml
from newsmon.ingest.normalize import normalize_raw, validate_raw

REPO = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("NEWSMON_EVAL_DIR", REPO.parent / "shared" / "eval"))
KAFKA_PORT = int(os.environ.get("NEWSMON_KAFKA_PORT", "9092"))
REDIS_PORT = int(os.environ.get("NEWSMON_REDIS_PORT", "6379"))
BROKER = f"127.0.0.1:{KAFKA_PORT}"
SECRET = "whsec_" + base64.b64encode(b"fault-bench-secret-of-32-bytes!!").decode()
RULES = rules_yaml(counting=False)


def load_articles(n: int) -> list[tuple[str, bytes]]:
    """(article id, payload) of the first ``n`` stories, with a fixed ingest time each (as ingest gives)."""
    base = time.time()
    out = []
    with (EVAL / "reuters21578-dev.jsonl").open("rb") as fh:
        for i, line in enumerate(fh):
            if i == n:
                break
            d = orjson.loads(line)
            obj = {"title": d["title"], "body": d["body"], "url": f"https://wire.test/{d['id']}", "source": "wire"}
            art_id = normalize_raw(validate_raw(obj)).id
            out.append((art_id, orjson.dumps({**obj, "ingested_at": base + i * 0.01})))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """A Redis of its own (append-only file on) that the run may SIGKILL."""

    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.env = {"NEWSMON_REDIS_PORT": str(self.port), "NEWSMON_REDIS_DIR": str(base / "redis")}
        self.pidfile = base / "redis" / "redis.pid"

    def services(self, cmd: str) -> None:
        subprocess.run(
            ["bash", str(REPO / "scripts" / "services.sh"), cmd, "redis"], env={**os.environ, **self.env},
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def kill(self) -> None:
        os.kill(int(self.pidfile.read_text().strip()), signal.SIGKILL)


@dataclass
class Run:
    name: str
    partitions: int
    tmp: Path
    redis_url: str = f"redis://127.0.0.1:{REDIS_PORT}/0"
    rec: Receiver = field(default_factory=lambda: Receiver(SECRET))
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    run_id: str = field(default_factory=lambda: f"fault-{uuid.uuid4().hex[:8]}")

    def env(self, base_url: str) -> dict[str, str]:
        rid = self.run_id
        (self.tmp / "rules.yaml").write_text(RULES)
        (self.tmp / "channels.yaml").write_text(CHANNELS)
        return {
            "NEWSMON_APP_ID": rid, "NEWSMON_KAFKA_BROKER": f"kafka://{BROKER}", "NEWSMON_REDIS_URL": self.redis_url,
            "NEWSMON_REDIS_PREFIX": rid, "NEWSMON_TOPIC_RAW": f"{rid}.raw", "NEWSMON_TOPIC_CLASSIFIED": f"{rid}.cls",
            "NEWSMON_TOPIC_ALERTS": f"{rid}.alerts", "NEWSMON_TOPIC_DEADLETTER": f"{rid}.dl",
            "NEWSMON_TOPIC_RULES": f"{rid}.rules", "NEWSMON_PARTITIONS": str(self.partitions),
            "NEWSMON_SESSION_TIMEOUT": "10", "NEWSMON_HEARTBEAT_INTERVAL": "1", "NEWSMON_COMMIT_INTERVAL": "0.5",
            "NEWSMON_WEB_PORT": "0", "NEWSMON_RULES_PATH": str(self.tmp / "rules.yaml"),
            "NEWSMON_CHANNELS_PATH": str(self.tmp / "channels.yaml"), "NEWSMON_WEBHOOK_URL": f"{base_url}/webhook",
            "NEWSMON_WEBHOOK_SECRET": SECRET, "NEWSMON_DELIVERY_TIMEOUT_S": "5",
            "NEWSMON_DELIVERY_BACKOFF_BASE_S": "0.2", "NEWSMON_DELIVERY_POLL_S": "0.1",
        }  # fmt: skip

    def start_worker(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        n = len(self.procs)
        log = (self.tmp / f"worker-{n}.log").open("ab")
        data = {"NEWSMON_DATA_DIR": str(self.tmp / f"data-{n}")}
        p = subprocess.Popen(
            [sys.executable, "-m", "newsmon.cli", "worker"], env={**os.environ, **env, **data, "PYTHONUNBUFFERED": "1"},
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.procs.append(p)
        return p

    def log(self, n: int) -> str:
        return (self.tmp / f"worker-{n}.log").read_text(errors="replace")

    async def wait_ready(self, n: int, within_s: float = 120) -> None:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            if self.procs[n].poll() is not None:
                raise RuntimeError(f"{self.name}: worker {n} exited:\n{self.log(n)[-3000:]}")
            text = self.log(n)
            if "Worker ready" in text and "Seek stream partitions to committed offsets" in text:
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name}: worker {n} not ready:\n{self.log(n)[-3000:]}")

    def kill(self, n: int) -> None:
        p = self.procs[n]
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(30)

    def stop_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.rec.accepted("webhook")]


async def produce(topic: str, articles: list[tuple[str, bytes]], keyed: bool) -> None:
    prod = AIOKafkaProducer(bootstrap_servers=BROKER, acks="all", enable_idempotence=True, linger_ms=20)
    await prod.start()
    try:
        futs = [await prod.send(topic, p, key=a.encode() if keyed else None) for a, p in articles]
        await asyncio.gather(*futs)
    finally:
        await prod.stop()


async def classified(run: Run, expect: int, within_s: float = 300) -> dict[str, tuple[str, int]]:
    """article id -> (story id, raw partition) from the classified topic, once ``expect`` articles are there."""
    consumer = AIOKafkaConsumer(
        f"{run.run_id}.cls", bootstrap_servers=BROKER, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    out: dict[str, tuple[str, int]] = {}
    deadline = time.monotonic() + within_s
    try:
        while len(out) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for records in batch.values():
                for r in records:
                    d = orjson.loads(r.value)
                    out[d["article"]["id"]] = (d["article"]["story_id"], d["article"].get("partition", -1))
    finally:
        await consumer.stop()
    return out


async def settle(run: Run, n_articles: int, quiet_s: float = 5.0, within_s: float = 600) -> dict[str, tuple[str, int]]:
    stories = await classified(run, n_articles)
    last, since, deadline = -1, time.monotonic(), time.monotonic() + within_s
    while time.monotonic() - since < quiet_s and time.monotonic() < deadline:
        n = len(run.rec.received)
        if n != last:
            last, since = n, time.monotonic()
        await asyncio.sleep(0.5)
    return stories


async def one_run(
    name: str, articles: list[tuple[str, bytes]], tmp: Path, *, partitions: int = 1, workers: int = 1,
    fault: str | None = None, keyed: bool = False,
) -> tuple[Run, dict[str, tuple[str, int]], float]:  # fmt: skip
    run_tmp = tmp / name
    run_tmp.mkdir()
    redis = PrivateRedis(run_tmp) if fault == "redis" else None
    run = Run(name, partitions, run_tmp)
    if redis is not None:
        redis.services("up")
        run.redis_url = f"redis://127.0.0.1:{redis.port}/0"
    runner, port = await start_receiver(run.rec)
    env = run.env(f"http://127.0.0.1:{port}")
    t0 = time.monotonic()
    try:
        for _ in range(workers):
            run.start_worker(env)
        await asyncio.gather(*(run.wait_ready(i) for i in range(workers)))
        t0 = time.monotonic()
        await produce(f"{run.run_id}.raw", articles, keyed)
        if fault:
            await asyncio.sleep(2.0)
        if fault == "worker" and workers == 1:
            run.kill(0)
            print(f"  {name}: worker SIGKILLed 2 s after publication; {len(set(run.ids()))} alerts delivered by then")
            run.start_worker(env)
            await run.wait_ready(1)
        elif fault == "worker":
            run.kill(0)
            print(f"  {name}: worker 0 of {workers} SIGKILLed 2 s after publication (not restarted)")
        elif fault == "redis":
            assert redis is not None
            redis.kill()
            print(f"  {name}: Redis SIGKILLed 2 s after publication; restarted 5 s later")
            await asyncio.sleep(5.0)
            await asyncio.to_thread(redis.services, "up")
        stories = await settle(run, len(articles))
        took = time.monotonic() - t0
    finally:
        run.stop_all()
        await runner.cleanup()
        if redis is not None:
            await asyncio.to_thread(redis.services, "down")
    return run, stories, took


def report(
    base: Run, base_st: dict[str, tuple[str, int]], other: Run, st: dict[str, tuple[str, int]], took: float
) -> int:
    a, b = set(base.ids()), set(other.ids())
    ids = other.ids()
    moved = sum(1 for k, (s, _) in base_st.items() if st.get(k, ("", 0))[0] != s)
    print(
        f"  {other.name:>14}: {len(ids):,} alerts delivered ({len(b):,} distinct), {len(st):,} articles classified, "
        f"{len(a ^ b)} ids differ from {base.name}, {moved} articles in another story, "
        f"{len(ids) - len(b)} retransmissions, {took:.0f} s"
    )
    return len(a ^ b)


async def one_partition(n: int, tmp: Path) -> bool:
    articles = load_articles(n)
    print(f"{n} articles, 1 partition, rules: US focus, economy >= 0.5, Japan anywhere")
    first, st1, t1 = await one_run("first", articles, tmp)
    print(f"  {'first':>14}: {len(first.ids()):,} alerts delivered ({len(set(first.ids())):,} distinct), "
          f"{len(st1):,} articles classified, {t1:.0f} s")  # fmt: skip
    ok = True
    for name, fault in (("second", None), ("worker-sigkill", "worker"), ("redis-sigkill", "redis")):
        run, st, took = await one_run(name, articles, tmp, fault=fault)
        ok &= report(first, st1, run, st, took) == 0 and len(st) == n
    return ok


async def three_workers(n: int, tmp: Path) -> bool:
    articles = load_articles(n)
    print(f"{n} articles keyed by article id, 3 partitions, 3 workers")
    calm, st1, t1 = await one_run("undisturbed", articles, tmp, partitions=3, workers=3, keyed=True)
    print(f"  {'undisturbed':>14}: {len(calm.ids()):,} alerts ({len(set(calm.ids())):,} distinct), {t1:.0f} s")
    hit, st2, took = await one_run("one-killed", articles, tmp, partitions=3, workers=3, fault="worker", keyed=True)
    report(calm, st1, hit, st2, took)
    # alert id -> body (rule, story, article) per run
    bodies = [{r.headers["webhook-id"]: r.body for r in run.rec.accepted("webhook")} for run in (calm, hit)]
    raw_partition = await partitions_of(calm.run_id, articles)
    runs_st = (st1, st2)
    members: list[dict[str, set[str]]] = [defaultdict(set), defaultdict(set)]
    for i, st in enumerate(runs_st):
        for art, (story, _) in st.items():
            members[i][story].add(art)

    # (rule, article) pairs that alerted undisturbed, and those covered after the SIGKILL:
    # the alert's own article or any article of its story.
    want = {(b["rule"]["id"], b["article"]["id"]) for b in bodies[0].values()}
    got = {(b["rule"]["id"], a) for b in bodies[1].values() for a in {*members[1][b["story_id"]], b["article"]["id"]}}
    missing = want - got
    differ = sorted(set(bodies[0]) ^ set(bodies[1]))
    spans = []
    for aid in differ:
        i = 0 if aid in bodies[0] else 1
        story = bodies[i][aid]["story_id"]
        # The story's copies in this run, and the copies they sat with in the other run.
        arts = set(members[i][story])
        for a in list(arts):
            arts |= members[1 - i][runs_st[1 - i][a][0]] if a in runs_st[1 - i] else set()
        spans.append(len({raw_partition.get(a, -1) for a in arts}))
    single = sum(1 for s in spans if s <= 1)
    print(
        f"  rule+article pairs that alerted undisturbed: {len(want):,}; without an alert after the SIGKILL: "
        f"{len(missing)}; alert ids that differ: {len(differ)}, of which {len(differ) - single} belong to "
        f"stories whose copies sit on different partitions and {single} to single-partition stories"
    )
    dump = tmp.parent / f"fault-three-workers-{calm.run_id}.json"
    dump.write_bytes(orjson.dumps({"bodies": bodies, "stories": runs_st, "partitions": raw_partition}))
    print(f"  raw data: {dump}")
    return not missing and single == 0


async def partitions_of(run_id: str, articles: list[tuple[str, bytes]]) -> dict[str, int]:
    """article id -> partition of the raw topic it was published to."""
    consumer = AIOKafkaConsumer(
        f"{run_id}.raw", bootstrap_servers=BROKER, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    out: dict[str, int] = {}
    deadline = time.monotonic() + 60
    try:
        while len(out) < len(articles) and time.monotonic() < deadline:
            for tp, records in (await consumer.getmany(timeout_ms=1000, max_records=5000)).items():
                for r in records:
                    if r.key:
                        out[r.key.decode()] = tp.partition
    finally:
        await consumer.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", choices=["one-partition", "three-workers"])
    ap.add_argument("--articles", type=int, default=4000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsmon-fault-") as d:
        fn = one_partition if args.scenario == "one-partition" else three_workers
        ok = asyncio.run(fn(args.articles, Path(d)))
    print("OK" if ok else "DIFFERENCES (see above)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
