from __future__ import annotations

import argparse
import io

import orjson
import pytest

from newsmon.commands.classify import classify_lines, register


def test_cli__bad_lines_get_numbered_errors_and_run_continues(clf):
    lines = [
        b'{"id": "a", "title": "Iraq talks", "body": "Baghdad said on Monday."}\n',
        b"not json\n",
        b"\n",
        b"[1, 2]\n",
        b'{"id": "b", "title": 5, "body": "x"}\n',
        b'{"id": "c", "title": "Syria", "body": "Damascus said."}\n',
    ]
    out = io.BytesIO()
    ok, bad = classify_lines(lines, out, clf)
    rows = [orjson.loads(x) for x in out.getvalue().splitlines()]
    assert (ok, bad) == (2, 3)
    assert [r.get("line") for r in rows if "error" in r] == [2, 4, 5]
    good = [r for r in rows if "error" not in r]
    assert [r["id"] for r in good] == ["a", "c"]
    assert good[0]["places"][0]["country"] == "IQ"
    assert {"id", "language", "places", "regions", "topics"} <= set(good[0])
    assert good[0]["places"][0]["evidence"][0]["text"] == "Iraq"


def test_cli__register_adds_classify_and_eval_with_handlers():
    ap = argparse.ArgumentParser()
    register(ap.add_subparsers())
    a = ap.parse_args(["classify", "x.jsonl"])
    assert a.file == "x.jsonl" and callable(a.func)
    e = ap.parse_args(["eval", "--limit", "5"])
    assert e.limit == 5 and callable(e.func)


def test_cli__unreadable_file_exits_non_zero(tmp_path, capsys):
    ap = argparse.ArgumentParser()
    register(ap.add_subparsers())
    a = ap.parse_args(["classify", str(tmp_path / "missing.jsonl")])
    assert a.func(a) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("payload", [b"{}", b'{"title": "t"}'])
def test_cli__missing_fields_are_errors_not_crashes(clf, payload):
    out = io.BytesIO()
    ok, bad = classify_lines([payload], out, clf)
    assert (ok, bad) == (0, 1)
    assert orjson.loads(out.getvalue())["line"] == 1


def test_cli__text_dump_file_is_classified_like_ingest_reads_it(tmp_path, capsysbinary):
    dump = tmp_path / "dump.txt"
    dump.write_text(
        "Car bomb kills ten in Baghdad\n\nA car bomb exploded in a Baghdad market, police said.\n\n\n"
        "Flood warning in Dhaka\n\nHeavy rain flooded Dhaka, Bangladesh, on Monday.\n",
        encoding="utf-8",
    )
    ap = argparse.ArgumentParser()
    register(ap.add_subparsers())
    a = ap.parse_args(["classify", str(dump)])
    assert a.func(a) == 0
    rows = [orjson.loads(x) for x in capsysbinary.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == ["dump#1", "dump#2"]
    assert not any("error" in r for r in rows)
    assert [r["places"][0]["country"] for r in rows] == ["IQ", "BD"]


def test_cli__jsonl_title_is_optional_as_in_ingest(clf):
    out = io.BytesIO()
    ok, bad = classify_lines([b'{"id": "w", "body": "Talks in Baghdad resumed on Monday."}'], out, clf)
    assert (ok, bad) == (1, 0)
    assert orjson.loads(out.getvalue())["places"][0]["country"] == "IQ"


@pytest.mark.parametrize(("head", "jsonl"), [(b'  {"body": "x"}', True), (b"Headline\n\nBody", False)])
def test_cli__stdin_is_sniffed_for_jsonl(head, jsonl):
    from newsmon.commands.classify import _is_jsonl

    assert _is_jsonl("-", head) is jsonl


def _classify_cli(path: str) -> int:
    ap = argparse.ArgumentParser()
    register(ap.add_subparsers())
    a = ap.parse_args(["classify", path])
    return int(a.func(a))


def test_cli__file_over_max_file_bytes_is_refused_unread(tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.jsonl"
    big.write_bytes(b'{"body": "Talks in Baghdad resumed."}\n' * 100)  # 3,800 bytes
    monkeypatch.setenv("NEWSMON_MAX_FILE_BYTES", "2048")
    assert _classify_cli(str(big)) == 2
    captured = capsys.readouterr()
    assert "too large" in captured.err and "NEWSMON_MAX_FILE_BYTES" in captured.err
    assert captured.out == ""  # nothing classified from a refused file


def test_cli__file_under_max_file_bytes_is_classified(tmp_path, capsysbinary, monkeypatch):
    small = tmp_path / "small.jsonl"
    small.write_bytes(b'{"id": "a", "body": "Talks in Baghdad resumed."}\n')
    monkeypatch.setenv("NEWSMON_MAX_FILE_BYTES", "2048")
    assert _classify_cli(str(small)) == 0
    assert orjson.loads(capsysbinary.readouterr().out)["id"] == "a"


def test_cli__stdin_over_max_file_bytes_is_refused(capsys, monkeypatch):
    class _Stdin:
        buffer = io.BytesIO(b'{"body": "Talks in Baghdad resumed."}\n' * 100)

    monkeypatch.setattr("sys.stdin", _Stdin)
    monkeypatch.setenv("NEWSMON_MAX_FILE_BYTES", "1024")
    assert _classify_cli("-") == 2
    assert "too large" in capsys.readouterr().err


def test_cli__directory_or_fifo_is_refused_without_blocking(tmp_path, capsys):
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert _classify_cli(str(fifo)) == 2
    assert "not a regular file: fifo" in capsys.readouterr().err
    assert _classify_cli(str(tmp_path)) == 2
    assert "not a regular file: directory" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["lots", "100", "-5"])
def test_cli__bad_max_file_bytes_setting_fails_naming_it(tmp_path, capsys, monkeypatch, value):
    monkeypatch.setenv("NEWSMON_MAX_FILE_BYTES", value)
    assert _classify_cli(str(tmp_path / "x.jsonl")) == 2
    err = capsys.readouterr().err
    assert "NEWSMON_MAX_FILE_BYTES" in err and value in err
