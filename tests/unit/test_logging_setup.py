"""Structured logs: one JSON object per line, ids included, secrets masked."""

from __future__ import annotations

import asyncio
import io
import logging

import orjson
import pytest

from newsmon.logging_setup import bind, configure, redact, set_fields


@pytest.fixture
def capture():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buf = io.StringIO()
    yield buf
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def lines(buf: io.StringIO) -> list[dict]:
    return [orjson.loads(line) for line in buf.getvalue().splitlines()]


def test_json__one_object_per_line_with_extra_and_bound_ids(capture):
    configure("json", "info", stream=capture)
    log = logging.getLogger("newsmon.test")
    with bind(article_id="a_1", story_id="a_1"):
        log.info("alert %s raised", "al_9", extra={"alert_id": "al_9"})
    log.warning("multi\nline message")
    first, second = lines(capture)
    assert first["msg"] == "alert al_9 raised" and first["level"] == "info" and first["logger"] == "newsmon.test"
    assert first["alert_id"] == "al_9" and first["article_id"] == "a_1"
    assert "article_id" not in second and second["msg"] == "multi\nline message"
    assert first["ts"].endswith("+00:00")


def test_json__exception_is_one_event_with_traceback(capture):
    configure("json", "info", stream=capture)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("failed")
    (event,) = lines(capture)
    assert "ValueError: boom" in event["exc"] and event["level"] == "error"


def test_set_fields__is_per_task(capture):
    configure("json", "info", stream=capture)
    log = logging.getLogger("t")

    async def agent(name: str) -> None:
        set_fields(article_id=name)
        await asyncio.sleep(0)
        log.info("processing")

    async def main() -> None:
        await asyncio.gather(agent("a_one"), agent("a_two"))

    asyncio.run(main())
    assert sorted(e["article_id"] for e in lines(capture)) == ["a_one", "a_two"]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("connecting to redis://:hunter2pass@redis:6379/0", "hunter2pass"),
        ("rediss://default:s3cr3t-pw@host:6380", "s3cr3t-pw"),
        ("header Authorization: Bearer abc.DEF-123_tok", "abc.DEF-123_tok"),
        ("secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw in config", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("posting to https://hooks.slack.com/services/T000/B000/XXXXSECRET", "XXXXSECRET"),
        ("api_token=tok-123456 loaded", "tok-123456"),
    ],
)
def test_redact__masks_credentials(text, secret):
    out = redact(text)
    assert secret not in out and "***" in out


def test_redact__leaves_ordinary_text_alone():
    text = "delivered alert=al_1 channel=webhook to http://127.0.0.1:8787/webhook attempt=1"
    assert redact(text) == text


def test_text_and_json__both_redact_messages(capture):
    configure("text", "info", stream=capture)
    logging.getLogger("x").info("url %s", "redis://:pw12345@h:6379/0")
    assert "pw12345" not in capture.getvalue() and "redis://:***@h" in capture.getvalue()


def test_configure__rejects_unknown_format():
    with pytest.raises(ValueError, match="log format"):
        configure("xml")
