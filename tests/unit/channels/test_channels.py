import base64
import time

import orjson
import pytest
from slack_sdk.models.blocks import Block
from standardwebhooks import Webhook, WebhookVerificationError

from newsmon.channels.base import PermanentError, RetryableError, classify_http_status
from newsmon.channels.registry import ChannelConfigError, load_channels
from newsmon.channels.slack import escape_mrkdwn, slack_message
from newsmon.channels.webhook import sign, webhook_body
from newsmon.streams.records import Alert, dumps

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def alert(**kw) -> Alert:
    base = dict(
        alert_id="al_1",
        rule_id="r",
        rule_name="Rule",
        story_id="s",
        article_id="a",
        title="Title",
        url="https://example.com/x",
        source="wire",
        countries=["IQ"],
        regions=["middle-east"],
        topics=[{"code": "medtop:16000000", "label": "conflict, war and peace", "score": 0.9}],
        evidence=[],
        snippet="snippet",
        channels=["webhook"],
        created_at=1.0,
        ingested_at=1.0,
    )
    base.update(kw)
    return Alert(**base)


def test_webhook_signature__verifies_with_standardwebhooks():
    body = dumps(webhook_body(alert()))
    ts = int(time.time())
    headers = {
        "webhook-id": "al_1",
        "webhook-timestamp": str(ts),
        "webhook-signature": sign(base64.b64decode(SECRET.removeprefix("whsec_")), "al_1", ts, body),
    }
    assert Webhook(SECRET).verify(body, headers)["alert_id"] == "al_1"


def test_webhook_signature__tampered_body_fails():
    body = dumps(webhook_body(alert()))
    ts = int(time.time())
    sig = sign(base64.b64decode(SECRET.removeprefix("whsec_")), "al_1", ts, body)
    headers = {"webhook-id": "al_1", "webhook-timestamp": str(ts), "webhook-signature": sig}
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"Title", b"Tit1e"), headers)


@pytest.mark.parametrize("evil", ["<!channel>", "<@U123>", "<http://x|y>", "<!here> & <#C1>"])
def test_slack__article_text_cannot_mention_or_link(evil):
    msg = slack_message(alert(title=f"Head {evil}", snippet=f"text {evil}", source=evil, rule_name=evil))
    raw = orjson.dumps(msg).decode()
    assert "<!" not in raw and "<@" not in raw and "<#" not in raw and "<http://x" not in raw
    for block in msg["blocks"]:
        assert Block.parse(block) is not None
        Block.parse(block).validate_json()


def test_slack__link_only_from_safe_article_url():
    msg = slack_message(alert(url="https://example.com/a?b=1"))
    assert "<https://example.com/a?b=1|wire>" in orjson.dumps(msg).decode()
    msg = slack_message(alert(url="javascript:alert(1)"))
    assert "javascript" not in orjson.dumps(msg).decode()


def test_escape_mrkdwn():
    assert escape_mrkdwn("a < b & c > d") == "a &lt; b &amp; c &gt; d"


@pytest.mark.parametrize(
    ("status", "retry_after", "error", "delay"),
    [
        (500, None, RetryableError, None),
        (503, "7", RetryableError, 7.0),
        (429, "2", RetryableError, 2.0),
        (408, None, RetryableError, None),
        (400, None, PermanentError, None),
        (404, None, PermanentError, None),
    ],
)
def test_http_status__retryable_or_permanent(status, retry_after, error, delay):
    with pytest.raises(error) as exc:
        classify_http_status(status, retry_after, "x")
    if delay is not None:
        assert exc.value.retry_after == delay


def test_http_status__2xx_is_success():
    classify_http_status(204, None, "x")


def write(tmp_path, text):
    p = tmp_path / "channels.yaml"
    p.write_text(text)
    return p


def test_registry__builds_channels_from_env(tmp_path):
    p = write(
        tmp_path,
        "channels:\n  - {name: hook, type: webhook, url_env: U, secret_env: S}\n"
        "  - {name: sl, type: slack, url_file: " + str(tmp_path / "u") + "}\n",
    )
    (tmp_path / "u").write_text("https://hooks.example/x\n")
    chans = load_channels(p, {"U": "http://127.0.0.1:1/h", "S": SECRET})
    assert sorted(chans) == ["hook", "log", "sl"]
    assert chans["sl"].rate_per_s == 1.0


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("channels:\n  - {name: h, type: webhook, url_env: U}\n", {}, "channel 'h': url_env: environment variable 'U'"),
        ("channels:\n  - {name: h, type: webhook, url: 'http://x'}\n", {}, "channel 'h': url: credentials must"),
        ("channels:\n  - {name: h, type: webhook}\n", {}, "channel 'h': url: required"),
        ("channels:\n  - {name: h, type: pager}\n", {}, "channel 'h': type: expected one of"),
        ("channels:\n  - {name: h, type: [webhook]}\n", {}, "channel 'h': type: expected one of"),
        ("channels:\n  - {name: h, type: slack, url_env: U, colour: red}\n", {"U": "http://x"}, "colour: unknown"),
        (
            "channels:\n  - {name: h, type: webhook, url_env: U, secret_env: S}\n",
            {"U": "http://x", "S": "%%"},
            "channel 'h': secret:",
        ),
        ("channels:\n  - {name: h, type: slack, url_env: U, rate_per_s: -1}\n", {"U": "http://x"}, "rate_per_s"),
        ("channels: 3\n", {}, "expected a top-level 'channels:' list"),
    ],
)
def test_registry__invalid_config_names_file_channel_and_option(tmp_path, text, env, message):
    p = write(tmp_path, text)
    with pytest.raises(ChannelConfigError) as exc:
        load_channels(p, env)
    assert str(exc.value).startswith(str(p))
    assert message in str(exc.value)
    # Secrets never appear in errors.
    assert "%%" not in str(exc.value)


def test_slack__header_fits_limit_after_escaping():
    msg = slack_message(alert(title="<" * 300))
    header = msg["blocks"][0]["text"]["text"]
    assert len(header) <= 150
    assert header.startswith("&lt;") and header.endswith("…")
    Block.parse(msg["blocks"][0]).validate_json()


BLAST = "\u0627\u0646\u0641\u062c\u0627\u0631"  # "explosion"
IN_IRAQ = "\u0628\u0627\u0644\u0639\u0631\u0627\u0642"  # "in Iraq"
BAGHDAD = "\u0628\u063a\u062f\u0627\u062f"
ARABIC_EVIDENCE = [
    {"kind": "topic", "tag": "medtop:16000000", "field": "title", "start": 0, "end": 6, "text": BLAST},
    {"kind": "region", "tag": "middle-east", "field": "body", "start": 9, "end": 16, "text": IN_IRAQ},
    {"kind": "keyword", "tag": "x", "field": "body", "start": 20, "end": 30, "text": f"<!channel> {BAGHDAD}\u202e"},
]


def test_slack__arabic_evidence_is_isolated_escaped_and_valid_block_kit():
    msg = slack_message(alert(title=f"{BLAST} {BAGHDAD}", evidence=ARABIC_EVIDENCE))
    (section,) = [b for b in msg["blocks"] if b.get("text", {}).get("text", "").startswith("*Evidence*")]
    text = section["text"]["text"]
    # Each span is its own bidi isolate, so Arabic does not reorder the labels around it.
    assert f"\u2068{BLAST}\u2069" in text and f"\u2068{IN_IRAQ}\u2069" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "\u202e" not in text  # a stray right-to-left override in article text is dropped
    for block in msg["blocks"]:
        Block.parse(block).validate_json()


def test_slack__no_evidence_section_without_evidence():
    msg = slack_message(alert(evidence=[]))
    assert not any(b.get("text", {}).get("text", "").startswith("*Evidence*") for b in msg["blocks"])
