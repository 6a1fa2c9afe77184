"""``newsmon feeds status`` when Redis cannot be reached (issue 14 row 14): one line, no traceback, no password."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from newsmon.cli import main


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_feeds_status__redis_down_prints_one_line_with_the_url_and_the_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - id: a\n    url: https://a.example/rss\n")
    port = closed_port()
    monkeypatch.setenv("NEWSMON_REDIS_URL", f"redis://feeder:s3cret-pw@127.0.0.1:{port}/0")
    assert main(["feeds", "status", "--feeds", str(feeds)]) == 2
    out = capsys.readouterr()
    lines = [ln for ln in out.err.splitlines() if ln.strip()]
    assert len(lines) == 1, out.err
    assert f"127.0.0.1:{port}" in lines[0] and "refused" in lines[0].lower()
    assert "s3cret-pw" not in out.err + out.out and "Traceback" not in out.err
