"""Files are capped and streamed (issue 14 row 2): ``newsmon ingest FILE`` and the watch folder.

Memory is measured with tracemalloc (every bytes object a read makes is a
Python allocation): reading a file whole, or one huge line whole, shows up
as a peak of the file's size.
"""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsmon.config import Settings
from newsmon.ingest.files import ingest_with
from newsmon.untrusted import FileRefused
from tests.unit.ingest.fakes import FakeProducer
from tests.unit.ingest.test_watch_files import reason_of, run_watch

ARTICLE = {"title": "Harbour reopens", "body": "The harbour reopened on Monday after the storm.", "language": "en"}
BIG = 30_000_000  # bytes; far over the default article limit (1 MB)


async def ingest_measured(path: Path, cfg: Settings) -> tuple[object, int]:
    tracemalloc.start()
    try:
        report = await ingest_with(FakeProducer(), [path], cfg)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return report, peak


async def test_ingest_file__jsonl_line_over_the_article_limit_is_rejected_alone_without_holding_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.jsonl"
    with path.open("wb") as fh:
        fh.write(orjson.dumps(ARTICLE) + b"\n")
        fh.write(b'{"body": "' + b"x" * BIG + b'"}\n')
        fh.write(orjson.dumps({**ARTICLE, "title": "Second"}) + b"\n")
    report, peak = await ingest_measured(path, Settings())
    assert report.sent == 2
    assert [(w, r.split(":")[0]) for w, r in report.rejected] == [(f"{path}:2", "oversized")]
    assert peak < 8_000_000, f"peak {peak} bytes: the long line was held in memory"


async def test_ingest_file__text_dump_is_streamed_and_an_oversized_article_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    with path.open("wb") as fh:
        fh.write(b"First headline\n\nFirst body text about the harbour.\n\n\n")
        fh.write(b"Huge headline\n\n" + b"word " * (BIG // 5) + b"\n\n\n")
        fh.write(b"Third headline\n\nThird body text about the rail strike.\n")
    report, peak = await ingest_measured(path, Settings())
    assert report.sent == 2
    assert [r.split(":")[0] for _, r in report.rejected] == ["oversized"]
    assert peak < 8_000_000, f"peak {peak} bytes: the dump was read whole"


async def test_ingest_file__sparse_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "sparse.jsonl"
    with path.open("wb") as fh:
        fh.truncate(2_000_000_000)  # 2 GB of holes: no disk used, and no newline anywhere
    cfg = Settings(max_file_bytes=100_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(FileRefused, match="100000000"):
            await ingest_with(FakeProducer(), [path], cfg)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


async def test_watch__file_over_the_size_cap_goes_to_failed_with_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "watch"
    folder.mkdir()
    with (folder / "big.jsonl").open("wb") as fh:
        fh.truncate(50_000_000)
    prod = await run_watch(folder, monkeypatch, Settings(max_file_bytes=10_000_000))
    assert prod.sent == []
    assert "10000000" in reason_of(folder, "big.jsonl")


def test_settings__file_size_cap_comes_from_the_environment() -> None:
    assert Settings.from_env({"NEWSMON_MAX_FILE_BYTES": "5000000"}).max_file_bytes == 5_000_000
    assert Settings().max_file_bytes >= Settings().max_article_bytes


def test_cli_ingest__file_over_the_size_cap_exits_2_naming_it_before_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsmon.cli import main

    path = tmp_path / "sparse.jsonl"
    with path.open("wb") as fh:
        fh.truncate(20_000_000)
    monkeypatch.setenv("NEWSMON_MAX_FILE_BYTES", "1000000")
    # No broker on this port: reaching the send would fail differently.
    monkeypatch.setenv("NEWSMON_KAFKA_BROKER", "kafka://127.0.0.1:1")
    assert main(["ingest", "-q", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "1000000" in err and "Traceback" not in err


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Headline", "Body text here.", "", " ", "\t", "TT", "Caption", "Más texto.", "x" * 40]),
        max_size=40,
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_text_dump__streamed_articles_equal_the_whole_file_parse(lines: list[str], eol: str) -> None:
    import io

    from newsmon.ingest.files import iter_items
    from newsmon.ingest.textdump import parse_text_dump

    data = eol.join(lines).encode()
    whole = [{**a, "source": "d"} for a in parse_text_dump(data.decode())]
    streamed = [i.obj for i in iter_items(Path("d.txt"), io.BytesIO(data))]
    assert streamed == whole


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_cli_ingest__device_or_fifo_is_refused_naming_its_kind(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.cli import main

    path = Path("/dev/zero") if kind == "device" else tmp_path / "pipe.jsonl"
    if kind == "fifo":
        os.mkfifo(path)
    monkeypatch.setenv("NEWSMON_KAFKA_BROKER", "kafka://127.0.0.1:1")
    assert main(["ingest", "-q", str(path)]) == 2
    assert "not a regular file" in capsys.readouterr().err
