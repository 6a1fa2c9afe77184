"""Private Redis processes for tests: a three-master Cluster, a TLS server, a Sentinel.

Each runs Debian's ``redis-server`` on loopback ports of its own (never the
shared 6379), in a temporary directory, and is stopped by the fixture that
started it. Nothing here is used by the service itself.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(n: int, *, bus_offset: int | None = None) -> list[int]:
    """``n`` free loopback ports (and, for Cluster, each port + ``bus_offset`` free too)."""
    out: list[int] = []
    rng = random.Random()
    while len(out) < n:
        p = rng.randrange(20000, 40000)
        if p in out or not _free(p) or (bus_offset is not None and not _free(p + bus_offset)):
            continue
        out.append(p)
    return out


def cli(port: int, *args: str, extra: Sequence[str] = (), timeout: float = 10) -> str:
    res = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *extra, *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    return res.stdout + res.stderr


class RedisProc:
    """One ``redis-server`` (or ``--sentinel``) process started from a config file."""

    def __init__(self, workdir: Path, port: int, lines: Sequence[str], *, sentinel: bool = False) -> None:
        self.port = port
        self.dir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.conf = workdir / ("sentinel.conf" if sentinel else "redis.conf")
        base = [
            f"port {port}",
            "bind 127.0.0.1",
            f'dir "{workdir}"',
            f'logfile "{workdir / "redis.log"}"',
            'save ""',
            "appendonly no",
        ]
        self.conf.write_text("\n".join(base + list(lines)) + "\n")
        cmd = ["redis-server", str(self.conf)] + (["--sentinel"] if sentinel else [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def log(self) -> str:
        p = self.dir / "redis.log"
        return p.read_text(errors="replace")[-3000:] if p.exists() else ""

    def wait_port(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server on {self.port} exited with {self.proc.returncode}:\n{self.log()}")
            with socket.socket() as s:
                s.settimeout(0.5)
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} not listening after {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


class LocalCluster:
    """Three masters, no replicas, all 16384 slots covered."""

    def __init__(self, workdir: Path) -> None:
        self.ports = free_ports(3, bus_offset=10000)
        self.nodes: list[RedisProc] = []
        try:
            for p in self.ports:
                self.nodes.append(
                    RedisProc(
                        workdir / str(p),
                        p,
                        ["cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 5000"],
                    )
                )
            for n in self.nodes:
                n.wait_port()
            out = subprocess.run(
                ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports), "--cluster-yes"],
                capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
            if out.returncode != 0:
                raise RuntimeError(f"redis-cli --cluster create failed:\n{out.stdout}\n{out.stderr}")
            self._wait_ok()
        except BaseException:
            self.stop()
            raise

    def _wait_ok(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all("cluster_state:ok" in cli(p, "cluster", "info") for p in self.ports):
                return
            time.sleep(0.1)
        raise RuntimeError("cluster did not reach cluster_state:ok: " + cli(self.ports[0], "cluster", "info"))

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def stop(self) -> None:
        for n in self.nodes:
            n.stop()
