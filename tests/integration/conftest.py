"""Fixtures for tests against the real Kafka broker and Redis.

The services are started by ``scripts/services.sh up`` (the test command does
it). Each test gets its own topics, consumer group and Redis key prefix, so
tests neither collide nor see each other's data. Workers run as real
``newsmon worker`` subprocesses, so a test can kill one.
"""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer
from redis.asyncio import Redis

from newsmon.config import Settings
from newsmon.devtools.receiver import Receiver, start_receiver
from newsmon.kafka_util import bootstrap_servers
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[2]
KAFKA_PORT = int(os.environ.get("NEWSMON_KAFKA_PORT", "9092"))
REDIS_PORT = int(os.environ.get("NEWSMON_REDIS_PORT", "6379"))
KAFKA_URL = f"kafka://127.0.0.1:{KAFKA_PORT}"
SHARED_EVAL = Path(os.environ.get("NEWSMON_EVAL_DIR", SHARED / "eval"))
REDIS_URL = os.environ.get("NEWSMON_TEST_REDIS_URL", f"redis://127.0.0.1:{REDIS_PORT}/0")
SECRET = "whsec_" + base64.b64encode(b"integration-test-secret-32bytes!").decode()


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def _require(name: str, port: int) -> None:
    # Fail, never skip: a suite that silently skips its integration tests proves nothing.
    if not _port_open(port):
        pytest.fail(f"{name} not reachable on 127.0.0.1:{port}: run `scripts/services.sh up` (or `make test`)")


@pytest.fixture(scope="session")
def kafka_up() -> None:
    _require("Kafka", KAFKA_PORT)


@pytest.fixture(scope="session")
def redis_up() -> None:
    _require("Redis", REDIS_PORT)


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def test_id() -> str:
    return unique("nmtest")


@pytest.fixture
def settings_env(test_id: str, tmp_path: Path) -> dict[str, str]:
    """Environment for a worker or CLI in this test: isolated topics, group and keys."""
    return {
        "NEWSMON_APP_ID": test_id,
        "NEWSMON_KAFKA_BROKER": KAFKA_URL,
        "NEWSMON_REDIS_URL": REDIS_URL,
        "NEWSMON_REDIS_PREFIX": test_id,
        "NEWSMON_TOPIC_RAW": f"{test_id}.raw",
        "NEWSMON_TOPIC_CLASSIFIED": f"{test_id}.classified",
        "NEWSMON_TOPIC_ALERTS": f"{test_id}.alerts",
        "NEWSMON_TOPIC_DEADLETTER": f"{test_id}.deadletter",
        "NEWSMON_TOPIC_RULES": f"{test_id}.rules",
        "NEWSMON_PARTITIONS": "1",
        "NEWSMON_SESSION_TIMEOUT": "10",
        "NEWSMON_HEARTBEAT_INTERVAL": "1",
        "NEWSMON_COMMIT_INTERVAL": "0.5",
        "NEWSMON_WEB_PORT": "0",
        "NEWSMON_DATA_DIR": str(tmp_path / "worker-data"),
        "NEWSMON_DELIVERY_BACKOFF_BASE_S": "0.2",
        "NEWSMON_DELIVERY_POLL_S": "0.1",
        "NEWSMON_WEBHOOK_SECRET": SECRET,
    }


@pytest.fixture
def settings(settings_env: dict[str, str]) -> Settings:
    return Settings.from_env(settings_env)


@pytest_asyncio.fixture
async def redis(settings: Settings, redis_up: None) -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    # Remove this test's keys so the shared Redis does not grow run after run.
    async for key in client.scan_iter(match=f"{settings.redis_prefix}:*", count=1000):
        await client.delete(key)
    await client.aclose()


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    rec = Receiver(SECRET)
    runner, port = await start_receiver(rec)
    yield rec, f"http://127.0.0.1:{port}"
    await runner.cleanup()


class WorkerProcess:
    """A ``newsmon worker`` subprocess with its log captured to a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        full = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newsmon.cli", "worker"],
            env=full,
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.log()[-4000:]}")
            if "Worker ready" in self.log() and "Seek stream partitions to committed offsets" in self.log():
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"worker not ready after {timeout}s:\n{self.log()[-4000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        if hasattr(self, "_log"):
            self._log.close()


@pytest.fixture
def worker_factory(
    tmp_path: Path, kafka_up: None, redis_up: None
) -> Iterator[Callable[[dict[str, str]], WorkerProcess]]:
    started: list[WorkerProcess] = []

    def make(env: dict[str, str]) -> WorkerProcess:
        w = WorkerProcess(env, tmp_path / f"worker-{len(started)}.log").start()
        started.append(w)
        return w

    yield make
    for w in started:
        w.stop()


async def consume_all(settings: Settings, topic: str, expect: int, timeout: float = 30.0) -> list[bytes]:
    """Read ``topic`` from the start until ``expect`` records arrived (or time out)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers(settings.kafka_broker),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    out: list[bytes] = []
    try:
        deadline = time.monotonic() + timeout
        while len(out) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                out.extend(r.value for r in records if r.value is not None)
    finally:
        await consumer.stop()
    return out


async def eventually(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
