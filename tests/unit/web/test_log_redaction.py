"""Logs never carry a secret the process knows (issue 14, row 9).

Redaction works by the configured values themselves (settings secrets, every
channel URL and secret), by query parameters named like credentials, and by
shape (``u:pw@host`` with or without a scheme); it applies to every handler,
third-party loggers (httpx, aiokafka) included, and to extra/bound fields.
"""

from __future__ import annotations

import io
import logging

import orjson
import pytest

from newsmon import logging_setup
from newsmon.channels.registry import load_channels
from newsmon.config import Settings
from newsmon.logging_setup import bind, configure, redact


@pytest.fixture
def capture(monkeypatch):
    # A fresh registry of known secrets per test, and the root handlers restored after.
    if hasattr(logging_setup, "KnownSecrets"):
        monkeypatch.setattr(logging_setup, "_known", logging_setup.KnownSecrets())
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buf = io.StringIO()
    yield buf
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def httpx_line(url: str) -> None:
    # The shape of httpx's own request line (logger "httpx", INFO).
    logging.getLogger("httpx").info('HTTP Request: %s %s "%s %d %s"', "POST", url, "HTTP/1.1", 200, "OK")


def test_channel_urls__masked_by_their_configured_value_in_httpx_lines(capture, tmp_path):
    hook = "https://alerts.internal.example/hooks/team-ops/7f3a9c2e41d"
    secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
    channels = tmp_path / "channels.yaml"
    channels.write_text("channels:\n  - {name: hook, type: webhook, url_env: HOOK_URL, secret_env: HOOK_SECRET}\n")
    load_channels(channels, env={"HOOK_URL": hook, "HOOK_SECRET": secret})
    configure("json", "info", stream=capture)
    httpx_line(hook)
    logging.getLogger("newsmon.channels").warning("delivery to %s failed (signing with %s)", hook, secret[6:])
    out = capture.getvalue()
    assert "7f3a9c2e41d" not in out and "team-ops" not in out and "QUJDREVGR0hJ" not in out
    assert out.count("***") >= 3


def test_settings_secrets__masked_by_value_wherever_they_appear(capture):
    settings = Settings.from_env(
        {
            "NEWSMON_REDIS_PASSWORD": "plain-redis-pw-77",
            "NEWSMON_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "NEWSMON_KAFKA_SASL_USERNAME": "newsmon",
            "NEWSMON_KAFKA_SASL_PASSWORD": "sasl-pw-9911",
            "NEWSMON_API_TOKEN": "t0k3n" * 8,
        }
    )
    assert settings.api_token is not None
    configure("text", "info", stream=capture)
    log = logging.getLogger("aiokafka.conn")
    log.error("SASL auth failed for user newsmon with sasl-pw-9911")
    log.error("redis AUTH plain-redis-pw-77 refused; token %s", "t0k3n" * 8)
    out = capture.getvalue()
    assert "sasl-pw-9911" not in out and "plain-redis-pw-77" not in out and "t0k3n" not in out


@pytest.mark.parametrize("name", ["token", "key", "sig", "secret", "code", "access_token", "api_key", "TOKEN"])
def test_query_parameters_named_like_credentials__masked(name, capture):
    configure("json", "info", stream=capture)
    httpx_line(f"https://hooks.example.org/notify?team=ops&{name}=Zq81xVe0&x=1")
    msg = orjson.loads(capture.getvalue())["msg"]
    assert "Zq81xVe0" not in msg and "team=ops" in msg and "x=1" in msg


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("broker u:pw-kafka-1@broker-1:9092 unreachable", "pw-kafka-1"),
        ("connect kafka://svc:pw-kafka-2@broker-2:9093 failed", "pw-kafka-2"),
        ("brokers=admin:pw-kafka-3@b1:9092;admin:pw-kafka-3@b2:9092", "pw-kafka-3"),
        ("proxy 'ops:pw-proxy-4@10.0.0.1:3128'", "pw-proxy-4"),
    ],
)
def test_userinfo__masked_with_or_without_scheme(text, secret):
    out = redact(text)
    assert secret not in out and "***" in out


def test_every_handler__a_handler_added_later_with_a_plain_formatter_is_redacted_too(capture):
    configure("json", "info", stream=io.StringIO())
    logging_setup.register_secrets(["custom-channel-secret-123"])
    plain = logging.StreamHandler(capture)
    plain.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logging.getLogger().addHandler(plain)
    logging.getLogger("aiokafka.conn").error(
        "Unable to connect to kafka://u:pw-xyz@h:9092 (%s)", "custom-channel-secret-123"
    )
    httpx_line("https://hooks.example.org/x?token=abcdef123")
    try:
        raise ConnectionError("connect to kafka://u:pw-in-exc@h:9092 failed, key custom-channel-secret-123")
    except ConnectionError:
        logging.getLogger("aiokafka").exception("connection error")
    out = capture.getvalue()
    assert "pw-xyz" not in out and "abcdef123" not in out
    assert "pw-in-exc" not in out and "custom-channel-secret-123" not in out
    assert "ConnectionError" in out  # the traceback is kept, only masked


def test_extra_and_bound_fields__redacted(capture):
    configure("json", "info", stream=capture)
    logging_setup.register_secrets(["bound-secret-value-1"])
    with bind(target="https://h.example/x?sig=abcdef99"):
        logging.getLogger("newsmon.x").info(
            "sent", extra={"url": "redis://:pw-extra-5@r:6379", "k": "bound-secret-value-1"}
        )
    out = capture.getvalue()
    assert "abcdef99" not in out and "pw-extra-5" not in out and "bound-secret-value-1" not in out


def test_short_or_empty_values__not_registered(capture):
    logging_setup.register_secrets(["", "ab", None])
    assert redact("ab cd") == "ab cd"


def test_settings_urls__only_their_credentials_registered(capture):
    Settings.from_env(
        {
            "NEWSMON_REDIS_URL": "redis://:url-pw-4242@cache.internal:6379/0",
            "NEWSMON_KAFKA_BROKER": "kafka://app:broker-pw-77@b1:9092;kafka://b2:9092",
        }
    )
    assert "url-pw-4242" not in redact("AUTH url-pw-4242") and "broker-pw-77" not in redact("sasl broker-pw-77")
    # A URL without credentials is ordinary text: where we connect stays readable.
    Settings.from_env({"NEWSMON_REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert redact("connecting to redis://127.0.0.1:6379/0") == "connecting to redis://127.0.0.1:6379/0"


def test_redacted_record__still_formats_with_a_formatter_that_reformats_args(capture):
    from mode.utils.logging import ExtensionFormatter

    configure("json", "info", stream=io.StringIO())
    handler = logging.StreamHandler(capture)
    handler.setFormatter(ExtensionFormatter(stream=capture, fmt="%(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger("faust.x").info("Ready at 100%% with %s", "kafka://u:pw-mode-1@h:9092")
    logging.getLogger("faust.x").info("plain message")
    assert capture.getvalue().splitlines() == ["Ready at 100% with kafka://u:***@h:9092", "plain message"]


def test_bad_format_arguments__logged_masked_not_dumped_by_the_error_handler(capture, capsys):
    configure("text", "info", stream=capture)
    logging.getLogger("x").info("token %d", "redis://:pw-badfmt-3@h:6379")
    assert "pw-badfmt-3" not in capture.getvalue() + capsys.readouterr().err
    assert "redis://:***@h" in capture.getvalue()
