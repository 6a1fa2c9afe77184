"""Private Kafka and Redis instances for tests that kill them.

The shared services on the default ports are used by every other test, so a
test that SIGKILLs a broker or Redis starts its own copy on free ports with
``scripts/services.sh`` (same provisioning, other ports and data dirs).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICES = REPO / "scripts" / "services.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], env: dict[str, str], timeout: float = 180) -> None:
    res = subprocess.run(
        ["bash", str(SERVICES), *args], env={**os.environ, **env}, cwd=REPO,
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if res.returncode != 0:
        raise RuntimeError(f"services.sh {' '.join(args)} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")


def _kill_pidfile(pidfile: Path) -> None:
    pid = int(pidfile.read_text().strip())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # A killed daemon whose parent is gone may linger as a zombie: that is dead enough.
        try:
            if Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0:
                return
        except FileNotFoundError:
            return
        time.sleep(0.1)
    raise RuntimeError(f"pid {pid} survived SIGKILL")


class PrivateKafka:
    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.controller_port = free_port()
        self.run_dir = base / "kafka"
        self.env = {
            "NEWSMON_KAFKA_PORT": str(self.port),
            "NEWSMON_KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "NEWSMON_KAFKA_DATA_DIR": str(self.run_dir / "data"),
            "KAFKA_HEAP_OPTS": "-Xms128m -Xmx512m",
        }

    @property
    def url(self) -> str:
        return f"kafka://127.0.0.1:{self.port}"

    def up(self) -> None:
        _run(["up", "kafka"], self.env)

    def kill(self) -> None:
        _kill_pidfile(self.run_dir / "kafka.pid")

    def down(self) -> None:
        _run(["down", "kafka"], self.env)


class PrivateRedis:
    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.dir = base / "redis"
        self.env = {"NEWSMON_REDIS_PORT": str(self.port), "NEWSMON_REDIS_DIR": str(self.dir)}

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def up(self) -> None:
        _run(["up", "redis"], self.env)

    def kill(self) -> None:
        _kill_pidfile(self.dir / "redis.pid")

    def down(self) -> None:
        _run(["down", "redis"], self.env)
