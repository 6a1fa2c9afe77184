"""What ``newsmon classify`` loads (issue 15 speed row: start-up counts in articles/s).

The other commands' Kafka, HTTP and Faust clients must be imported only when
those commands run; a fresh interpreter shows what one ``classify`` run loads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("faust", "mode", "aiokafka", "httpx", "aiohttp")

_PROBE = """
import sys
from newsmon.cli import main

code = main(["classify", sys.argv[1]])
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2].split(",")))
print("exit", code, "heavy", ",".join(heavy) or "-", file=sys.stderr)
"""


def _probe(args: list[str], tmp_path: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("name", ["empty.jsonl", "empty.txt"])
def test_classify_of_an_empty_input__imports_no_kafka_http_or_faust_client(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert _probe([str(path), ",".join(HEAVY)], tmp_path) == "exit 0 heavy -"


def test_probe__reports_a_heavy_module_that_was_imported(tmp_path: Path) -> None:
    # The check above must be able to fail: a module the probe itself loaded is reported.
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    assert _probe([str(path), "orjson,argparse"], tmp_path) == "exit 0 heavy argparse,orjson"
