"""The worker's own web server on the real broker and Redis: probes, /metrics (checked by promtool), alert rules."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from pathlib import Path

import aiohttp
import orjson
import pytest
from aiokafka import AIOKafkaProducer

from newsmon.config import Settings
from newsmon.kafka_util import bootstrap_servers, ensure_topics

from .conftest import REPO, WorkerProcess, eventually

KEYWORD_RULE = """
rules:
  - id: zebracorn-watch
    name: Zebracorn sightings
    severity: warning
    when: {keywords: [zebracorn]}
    channels: [log]
"""


def ops_env(settings_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A worker env with the web server on an ephemeral port and a fast monitor."""
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "watch.yaml").write_text(KEYWORD_RULE)
    channels = tmp_path / "channels.yaml"
    channels.write_text("channels:\n  - {name: log, type: log}\n")
    return {
        **settings_env,
        "NEWSMON_PARTITIONS": "2",
        "NEWSMON_RULES_PATH": str(rules),
        "NEWSMON_CHANNELS_PATH": str(channels),
        "NEWSMON_WEB_PORT": "-1",
        "NEWSMON_WEB_ADDR_FILE": str(tmp_path / "web-addr"),
        "NEWSMON_MONITOR_INTERVAL_S": "1",
        "NEWSMON_LOG_FORMAT": "json",
    }


async def web_base(env: dict[str, str], worker: WorkerProcess, timeout: float = 60.0) -> str:
    """Wait for the worker's web server and return its base URL."""
    path = Path(env["NEWSMON_WEB_ADDR_FILE"])
    deadline = time.monotonic() + timeout
    while (addr := _read(path)) is None:
        assert worker.proc is not None
        if worker.proc.poll() is not None:
            raise AssertionError(f"worker exited with {worker.proc.returncode}:\n{worker.log()[-4000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no web address after {timeout}s:\n{worker.log()[-4000:]}")
        await asyncio.sleep(0.1)
    return f"http://{addr}"


def _read(path: Path) -> str | None:
    return path.read_text().strip() if path.exists() else None


async def send_articles(settings: Settings, articles: list[dict[str, str]]) -> None:
    await ensure_topics(settings, [settings.topic_raw])
    prod = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(settings.kafka_broker), acks="all")
    await prod.start()
    try:
        for a in articles:
            await prod.send_and_wait(settings.topic_raw, orjson.dumps(a))
    finally:
        await prod.stop()


async def get(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url) as resp:
        return resp.status, await resp.text()


def metric_value(text: str, name: str, labels: str = "") -> float | None:
    prefix = f"{name}{{{labels}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    return None


@pytest.mark.timeout(150)
async def test_web__probes_metrics_and_promtool_on_a_running_worker(settings_env, tmp_path, worker_factory, redis):
    env = ops_env(settings_env, tmp_path)
    settings = Settings.from_env(env)
    worker = worker_factory(env)
    base = await web_base(env, worker)

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        status, body = await get(session, f"{base}/healthz")
        assert status == 200 and orjson.loads(body)["status"] == "alive"

        await worker.wait_ready()
        ready_status = {"code": 0}

        async def poll_ready() -> None:
            ready_status["code"], ready_status["body"] = await get(session, f"{base}/readyz")

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            await poll_ready()
            if ready_status["code"] == 200:
                break
            await asyncio.sleep(0.3)
        assert ready_status["code"] == 200, ready_status
        checks = orjson.loads(ready_status["body"])["checks"]
        assert checks["redis"]["ok"] and checks["kafka"]["ok"] and checks["rules"]["count"] == 1

        articles = [
            {"title": f"Zebracorn number {i}", "body": f"A zebracorn was seen near the harbour, sighting {i}."}
            for i in range(3)
        ] + [{"title": "Quiet day", "body": "Nothing at all happened in the town today."}]
        await send_articles(settings, [*articles, {"title": "no body"}])

        texts: dict[str, str] = {}

        async def scrape() -> bool:
            _, texts["m"] = await get(session, f"{base}/metrics")
            sent = metric_value(texts["m"], "newsmon_deliveries_total", 'channel="log",outcome="sent"')
            dead = metric_value(texts["m"], "newsmon_dead_letters_total", 'reason="missing_field",stage="normalize"')
            return sent == 3 and dead == 1

        deadline = time.monotonic() + 30
        while not await scrape():
            assert time.monotonic() < deadline, texts["m"][-3000:]
            await asyncio.sleep(0.3)
        text = texts["m"]
        assert metric_value(text, "newsmon_articles_in_total") == 5
        assert metric_value(text, "newsmon_alerts_total", 'outcome="created",rule="zebracorn-watch"') == 3
        assert metric_value(text, "newsmon_end_to_end_seconds_count", 'channel="log"') == 3
        assert metric_value(text, "newsmon_rules_loaded") == 1

        # Lag gauges appear per assigned partition once the monitor has run, and drain to 0.
        async def lag_zero() -> bool:
            _, m = await get(session, f"{base}/metrics")
            vals = [metric_value(m, "newsmon_consumer_lag", f'partition="{p}",topic="{settings.topic_raw}"')
                    for p in (0, 1)]  # fmt: skip
            return vals == [0.0, 0.0]

        deadline = time.monotonic() + 20
        while not await lag_zero():
            assert time.monotonic() < deadline, "consumer lag gauges never reached 0 for both raw partitions"
            await asyncio.sleep(0.5)
        _, text = await get(session, f"{base}/metrics")

    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not installed: run scripts/tools.sh (scripts/test.sh does)")
    out = await asyncio.to_thread(
        subprocess.run, [promtool, "check", "metrics"], input=text.encode(), capture_output=True, timeout=30
    )
    assert out.returncode == 0, out.stdout.decode() + out.stderr.decode()


@pytest.mark.timeout(120)
async def test_web__readyz_is_503_with_reasons_when_redis_is_unreachable(settings_env, tmp_path, worker_factory):
    # A port nothing listens on: the worker starts (Redis connects lazily) but is not ready.
    env = {**ops_env(settings_env, tmp_path), "NEWSMON_REDIS_URL": "redis://127.0.0.1:1/0"}
    worker = worker_factory(env)
    base = await web_base(env, worker)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        status, body = await get(session, f"{base}/readyz")
        assert status == 503
        data = orjson.loads(body)
        assert not data["checks"]["redis"]["ok"]
        assert any(r.startswith("redis:") for r in data["reasons"])
        status, _ = await get(session, f"{base}/healthz")
        assert status == 200


def test_prometheus_alert_rules__pass_promtool_check_rules():
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not installed: run scripts/tools.sh (scripts/test.sh does)")
    rules = REPO / "deploy" / "prometheus" / "newsmon-alerts.yml"
    out = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, timeout=30)
    assert out.returncode == 0, out.stdout.decode() + out.stderr.decode()
    assert b"SUCCESS" in out.stdout


def test_prometheus_alert_rules__fire_on_synthetic_series():
    """promtool's rule unit tests: each alert fires on the bad series and stays quiet on the good one."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not installed: run scripts/tools.sh (scripts/test.sh does)")
    tests = REPO / "deploy" / "prometheus" / "newsmon-alerts.test.yml"
    out = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stdout.decode() + out.stderr.decode()


async def test_web__unknown_route_is_404_and_mutation_needs_token(settings_env, tmp_path, worker_factory):
    env = ops_env(settings_env, tmp_path)
    worker = worker_factory(env)
    base = await web_base(env, worker)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        status, _ = await get(session, f"{base}/no-such-page")
        assert status == 404
        async with session.post(f"{base}/api/alerts/al_x/ack", json={"by": "me"}) as resp:
            # No NEWSMON_API_TOKEN configured: mutating endpoints refuse rather than run unprotected.
            assert resp.status == 503
    await eventually(lambda: "web server listening" in worker.log(), 5, "web server log line")
