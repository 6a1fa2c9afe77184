"""``newsmon`` exit codes for input the user must fix: one line naming the problem, status 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.cli import main


def test_rules_check__invalid_rule_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - id: r1\n    type: no-such-type\n")
    assert main(["rules", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsmon: ") and "Traceback" not in err


def test_ingest__invalid_setting_exits_2_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"title": "t", "body": "b"}\n')
    monkeypatch.setenv("NEWSMON_MAX_FILE_BYTES", "not-a-number")
    assert main(["ingest", "-q", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsmon: ") and "NEWSMON_MAX_FILE_BYTES" in err and "Traceback" not in err


def test_command_error_that_is_not_a_usage_error__propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    import newsmon.cli

    def boom(_args: object) -> int:
        raise RuntimeError("bug")

    monkeypatch.setattr(newsmon.cli, "cmd_worker", boom)
    with pytest.raises(RuntimeError, match="bug"):
        main(["worker"])
