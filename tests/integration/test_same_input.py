"""Same input, same alerts: the same articles through the real broker and Redis give the same decisions.

A few hundred wire stories rich in near-duplicates go three times through a
one-partition topic, each run with its own topics, Redis keys and receiver:
twice undisturbed, once with the worker SIGKILLed while its first batch is
being decided (then restarted). Story ids and the alert ids the receiver got
must be identical across the three runs (docs/guarantees.md). Before the
chunks' decisions were chained in offset order, two undisturbed runs already
differed here.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import orjson
import pytest

from newsmon.config import Settings
from newsmon.devtools.receiver import Receiver, start_receiver
from newsmon.devtools.same_input import CHANNELS, rules_yaml
from newsmon.ingest.normalize import normalize_raw, validate_raw
from newsmon.stories import MemoryStoryIndex, fingerprint

from .conftest import SECRET, SHARED_EVAL, WorkerProcess, consume_all, eventually
from .test_fault_tolerance import produce

RULES = rules_yaml(counting=True)
ARTICLES = 400


def articles() -> list[bytes]:
    """Wire stories in their order in the set: every near-duplicate among the first 4,000, filled with others.

    No ingest time: the broker stamps each record as it is appended to the raw
    topic, and every run reads the same records, so time windows are the same
    in every run.
    """
    path = SHARED_EVAL / "reuters21578-dev.jsonl"
    if not path.exists():
        pytest.fail(f"evaluation data missing: {path}")
    index = MemoryStoryIndex()
    rows: list[tuple[dict, str]] = []
    with path.open("rb") as fh:
        for i, line in enumerate(fh):
            if i == 4000:
                break
            d = orjson.loads(line)
            obj = {"title": d["title"], "body": d["body"], "url": f"https://wire.test/{d['id']}", "source": "wire"}
            art = normalize_raw(validate_raw(obj))
            res = index.assign(fingerprint(art.id, art.body, source=art.source, url=art.url), now=0.0)
            rows.append((obj, res.story_id))
    sizes: dict[str, int] = {}
    for _, story in rows:
        sizes[story] = sizes.get(story, 0) + 1
    copies = [i for i, (_, story) in enumerate(rows) if sizes[story] > 1]
    others = [i for i, (_, story) in enumerate(rows) if sizes[story] == 1]
    step = max(1, len(others) // max(1, ARTICLES - len(copies)))
    chosen = sorted(copies[:ARTICLES] + others[::step][: max(0, ARTICLES - len(copies))])
    assert len(chosen) == ARTICLES
    return [orjson.dumps(rows[i][0]) for i in chosen]


def run_env(settings_env: dict[str, str], run: str, tmp_path: Path, base: str) -> dict[str, str]:
    """This run's own group, output topics, Redis keys and data dir; the rules of the test; webhooks to ``base``.

    The raw topic is the same for every run: the same records reprocessed by
    another instance (a restore, a staging copy) is what must give the same alerts.
    """
    test_id = settings_env["NEWSMON_APP_ID"]
    env = {k: v.replace(test_id, f"{test_id}-{run}") for k, v in settings_env.items()}
    env["NEWSMON_TOPIC_RAW"] = settings_env["NEWSMON_TOPIC_RAW"]
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    channels = tmp_path / "channels.yaml"
    channels.write_text(CHANNELS)
    return {
        **env,
        "NEWSMON_DATA_DIR": str(tmp_path / f"data-{run}"),
        "NEWSMON_RULES_PATH": str(rules),
        "NEWSMON_CHANNELS_PATH": str(channels),
        "NEWSMON_WEBHOOK_URL": f"{base}/webhook",
        "NEWSMON_DELIVERY_TIMEOUT_S": "2",
    }


class Run:
    def __init__(self, name: str, env: dict[str, str], rec: Receiver, tmp_path: Path) -> None:
        self.name, self.env, self.rec, self.tmp_path = name, env, rec, tmp_path
        self.settings = Settings.from_env(env)
        self.workers: list[WorkerProcess] = []

    def worker(self) -> WorkerProcess:
        w = WorkerProcess(self.env, self.tmp_path / f"worker-{self.name}-{len(self.workers)}.log").start()
        self.workers.append(w)
        return w

    def alert_ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.rec.accepted("webhook")]

    async def stories(self) -> dict[str, str]:
        """article id -> story id, from the classified topic (every article once at least)."""
        records = await consume_all(self.settings, self.settings.topic_classified, ARTICLES, timeout=120)
        out: dict[str, str] = {}
        for raw in records:
            art = orjson.loads(raw)["article"]
            assert out.setdefault(art["id"], art["story_id"]) == art["story_id"], f"{art['id']} in two stories"
        return out

    async def settled(self) -> None:
        """Every article classified and the receiver quiet for 3 s (the outbox drained)."""
        await self.stories()
        last, since = -1, time.monotonic()
        deadline = time.monotonic() + 60
        while time.monotonic() - since < 3.0:
            assert time.monotonic() < deadline, f"run {self.name}: deliveries did not settle"
            n = len(self.rec.accepted("webhook"))
            if n != last:
                last, since = n, time.monotonic()
            await asyncio.sleep(0.2)

    def stop(self) -> None:
        for w in self.workers:
            w.stop()


def logged_alerts(w: WorkerProcess) -> set[str]:
    return set(re.findall(r"alert created: alert=(\S+)", w.log()))


async def kill_when_first_alert_decided(w: WorkerProcess, timeout: float = 120) -> int:
    """SIGKILL ``w`` as soon as its log shows an alert decision; returns how many it had logged."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = w.log().count("alert created:")
        if n:
            w.kill()
            return n
        await asyncio.sleep(0.005)
    raise AssertionError(f"no alert decided within {timeout}s:\n{w.log()[-3000:]}")


@pytest.mark.timeout(420)
async def test_same_input__two_runs_and_a_worker_sigkill_give_identical_stories_and_alert_ids(
    settings_env, kafka_up, redis_up, tmp_path
):
    payloads = articles()
    receivers = []
    runs: list[Run] = []
    try:
        for name in ("first", "second", "killed"):
            rec = Receiver(SECRET)
            runner, port = await start_receiver(rec)
            receivers.append(runner)
            runs.append(Run(name, run_env(settings_env, name, tmp_path, f"http://127.0.0.1:{port}"), rec, tmp_path))

        # The first worker declares the raw topic (broker-stamped times), then the input is produced once.
        for n, run in enumerate(runs[:2]):
            w = run.worker()
            await w.wait_ready()
            if n == 0:
                await produce(run.settings.kafka_broker, run.settings.topic_raw, payloads)
            await run.settled()
            run.stop()

        # The whole input waits in the topic, so the first batches are full and several chunks are in flight.
        killed = runs[2]
        first = killed.worker()
        await first.wait_ready()
        decided_before_kill = await kill_when_first_alert_decided(first)
        at_kill = len(set(killed.alert_ids()))
        second = killed.worker()
        await second.wait_ready()
        await eventually(lambda: "alert created:" in second.log(), 120, "the restarted worker deciding")
        await killed.settled()
        killed.stop()
        # Killed mid-batch: the restarted worker got the batch again and decided again (replays)
        # alerts the killed one had decided.
        redecided = len(logged_alerts(first) & logged_alerts(second))

        stories = [await r.stories() for r in runs]
        ids = [r.alert_ids() for r in runs]
        differ_story = [sum(1 for a, s in stories[0].items() if other.get(a) != s) for other in stories[1:]]
        differ_ids = [len(set(ids[0]) ^ set(x)) for x in ids[1:]]
        print(
            f"\n{ARTICLES} articles, {len(set(stories[0].values()))} stories, {len(set(ids[0]))} alerts; "
            f"second run: {differ_story[0]} articles in another story, {differ_ids[0]} alert ids differ; "
            f"killed run: {decided_before_kill} alerts logged and {at_kill} delivered before the SIGKILL, "
            f"{differ_story[1]} articles in another story, {differ_ids[1]} alert ids differ, "
            f"{len(ids[2]) - len(set(ids[2]))} retransmissions, {redecided} replayed decisions after restart"
        )
        assert len(set(ids[0])) >= 50, "the rules must alert often enough to compare"
        assert len(set(stories[0].values())) < ARTICLES - 50, "the input must hold near-duplicates"
        assert redecided > 0, "the SIGKILL must land before the first batch was committed"
        assert differ_story == [0, 0]
        assert set(ids[1]) == set(ids[0])
        assert set(ids[2]) == set(ids[0])
        assert len(ids[0]) == len(set(ids[0])) and len(ids[1]) == len(set(ids[1]))
    finally:
        for run in runs:
            run.stop()
        for runner in receivers:
            await runner.cleanup()
