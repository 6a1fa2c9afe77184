"""The contract every channel class passes: one suite, one case per channel type.

Each case builds its channel through the registry (as the worker does, the
URL and secret from the environment) against a local HTTP receiver, and says
how to read two things off a received request: the idempotency key (the same
on every retry of one alert, different for another alert) and whether
untrusted article text arrived safely (signed, or escaped). The suite then
checks, for every case: success, which answers are retryable (with
``Retry-After``) and which permanent, timeouts and refused connections, the
idempotency key, untrusted text, and that neither errors nor newsmon's log
lines show the channel's URL or secret.

Adding a channel type is one module in newsmon/channels plus one entry in
``CASES``; the last test fails for a registered type without a case. A toy
channel, defined here, shows it.
"""

from __future__ import annotations

import asyncio
import base64
import html
import logging
import re
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from aiohttp import web
from slack_sdk.models.blocks import Block
from standardwebhooks import Webhook, WebhookVerificationError

from newsmon.channels.base import Channel, PermanentError, RetryableError, classify_http_status
from newsmon.channels.registry import (
    CHANNEL_TYPES,
    build_channel,
    register_channel_type,
    unregister_channel_type,
)
from newsmon.streams.records import Alert, dumps

SECRET = "whsec_" + base64.b64encode(b"contract-suite-secret-0123456789").decode()
TOKEN = "T0K3N-never-logged"
HOSTILE = '<!channel> <@U1> <http://evil.example|click> & "quoted" <script>x</script>'


# --------------------------------------------------------------------------- the toy channel


class ToyTeamsChannel:
    """A channel written for this suite: JSON with HTML-escaped text and an idempotency header."""

    type_name = "toy_teams"
    required = ("url",)
    optional = ("timeout_s", "rate_per_s")

    def __init__(self, name: str, *, url: str, timeout_s: float = 10.0, rate_per_s: float | None = None) -> None:
        self.name = name
        self.rate_per_s = rate_per_s
        self._url = url
        self._client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)

    async def send(self, alert: Alert) -> None:
        body = dumps({"title": html.escape(alert.title), "text": html.escape(alert.snippet)})
        headers = {"content-type": "application/json", "x-idempotency-key": alert.alert_id}
        try:
            resp = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise RetryableError(f"toy_teams {self.name}: {type(exc).__name__}") from None
        classify_http_status(resp.status_code, resp.headers.get("retry-after"), f"toy_teams {self.name}")

    async def aclose(self) -> None:
        await self._client.aclose()


@pytest.fixture(autouse=True)
def toy_channel_type() -> Iterator[None]:
    register_channel_type(ToyTeamsChannel)
    yield
    unregister_channel_type(ToyTeamsChannel.type_name)


# --------------------------------------------------------------------------- the receiver


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Local HTTP endpoint: answers from ``answers`` in order (then 200), records each request."""

    base: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str], float]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(Received({k.lower(): v for k, v in request.headers.items()}, await request.read()))
        status, headers, delay = self.answers.pop(0) if self.answers else (200, {}, 0.0)
        if delay:
            await asyncio.sleep(delay)
        return web.Response(status=status, headers=headers, text="ok")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", rec.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    rec.base = f"http://{host}:{port}"
    yield rec
    await runner.cleanup()


# --------------------------------------------------------------------------- the cases


def _webhook_untrusted(req: Received, alert: Alert) -> None:
    # Signed: the standard verifier accepts the body as received, and the text is in it unchanged.
    payload = Webhook(SECRET).verify(req.body, req.headers)
    assert payload["article"]["title"] == alert.title
    tampered = req.body.replace(b"quoted", b"qu0ted")
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(tampered, req.headers)


def _slack_untrusted(req: Received, alert: Alert) -> None:
    # Escaped: no mention, channel ping or foreign link survives, and the blocks are valid Block Kit.
    msg = orjson.loads(req.body)
    raw = req.body.decode()
    assert "<!" not in raw and "<@" not in raw and "<http://evil" not in raw
    for block in msg["blocks"]:
        Block.parse(block).validate_json()


def _slack_key(req: Received) -> str:
    (key,) = re.findall(r"alert `([^`]+)`", req.body.decode())
    return key


def _toy_untrusted(req: Received, alert: Alert) -> None:
    body = orjson.loads(req.body)
    assert "<" not in body["title"] and html.unescape(body["title"]) == alert.title


@dataclass(frozen=True)
class Case:
    type: str
    #: Channel spec options beyond name/type; ``url_env``/``secret_env`` name the variables below.
    options: dict[str, Any]
    idempotency_key: Callable[[Received], str]
    untrusted_text_arrives_safely: Callable[[Received, Alert], None]
    #: Values that must never appear in an error or a log line.
    secrets: tuple[str, ...] = (TOKEN,)


CASES = [
    Case(
        "webhook",
        {"url_env": "URL", "secret_env": "SECRET"},
        lambda r: r.headers["webhook-id"],
        _webhook_untrusted,
        (TOKEN, SECRET, SECRET.removeprefix("whsec_")),
    ),
    Case("slack", {"url_env": "URL", "rate_per_s": 100}, _slack_key, _slack_untrusted),
    Case("toy_teams", {"url_env": "URL"}, lambda r: r.headers["x-idempotency-key"], _toy_untrusted),
]
# Channels that make no outbound call: they have no network contract. Each has its own tests.
LOCAL_ONLY = {"log": "writes a log line (tests/integration/test_delivery.py)"}


def make(case: Case, url: str, **extra: Any) -> Channel:
    spec = {"name": f"c-{case.type}", "type": case.type, **case.options, **extra}
    return build_channel("contract.yaml", spec, {"URL": url, "SECRET": SECRET})


def alert(n: int = 1, **kw: Any) -> Alert:
    base: dict[str, Any] = dict(
        alert_id=f"al_{n}", rule_id="r", rule_name="Rule", story_id=f"s{n}", article_id=f"a{n}",
        title=f"Title {n}", url="https://example.com/x", source="wire", countries=["IQ"],
        regions=["middle-east"], topics=[], evidence=[], snippet="snippet", channels=["c"],
        created_at=1.0, ingested_at=1.0,
    )  # fmt: skip
    base.update(kw)
    return Alert(**base)


@pytest.fixture(params=CASES, ids=lambda c: c.type)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param


# --------------------------------------------------------------------------- the contract


async def test_contract__2xx_delivers_one_request(case: Case, receiver: Receiver):
    ch = make(case, f"{receiver.base}/hook/{TOKEN}")
    try:
        await ch.send(alert())
    finally:
        await ch.aclose()
    assert len(receiver.requests) == 1 and receiver.requests[0].headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [(500, {}, None), (503, {"Retry-After": "7"}, 7.0), (429, {"Retry-After": "2"}, 2.0), (408, {}, None)],
)
async def test_contract__server_errors_throttling_and_timeouts_answered_are_retryable(
    case: Case, receiver: Receiver, status: int, headers: dict[str, str], retry_after: float | None
):
    receiver.answers.append((status, headers, 0.0))
    ch = make(case, f"{receiver.base}/hook/{TOKEN}")
    try:
        with pytest.raises(RetryableError) as exc:
            await ch.send(alert())
    finally:
        await ch.aclose()
    assert exc.value.retry_after == retry_after


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
async def test_contract__other_client_errors_are_permanent(case: Case, receiver: Receiver, status: int):
    receiver.answers.append((status, {}, 0.0))
    ch = make(case, f"{receiver.base}/hook/{TOKEN}")
    try:
        with pytest.raises(PermanentError):
            await ch.send(alert())
    finally:
        await ch.aclose()


async def test_contract__a_receiver_slower_than_the_timeout_is_retryable(case: Case, receiver: Receiver):
    receiver.answers.append((200, {}, 5.0))
    ch = make(case, f"{receiver.base}/hook/{TOKEN}", timeout_s=0.2)
    try:
        with pytest.raises(RetryableError):
            await asyncio.wait_for(ch.send(alert()), 4.0)  # the channel's own timeout ends it, not this one
    finally:
        await ch.aclose()


def closed_port_url() -> str:
    """A URL on a port nobody listens on: bound, then closed again."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook/{TOKEN}"


async def test_contract__a_refused_connection_is_retryable(case: Case):
    ch = make(case, closed_port_url())
    try:
        with pytest.raises(RetryableError):
            await ch.send(alert())
    finally:
        await ch.aclose()


async def test_contract__idempotency_key_same_on_retry_and_differs_per_alert(case: Case, receiver: Receiver):
    receiver.answers.append((503, {}, 0.0))
    ch = make(case, f"{receiver.base}/hook/{TOKEN}")
    try:
        with pytest.raises(RetryableError):
            await ch.send(alert(1))
        await ch.send(alert(1))
        await ch.send(alert(2))
    finally:
        await ch.aclose()
    keys = [case.idempotency_key(r) for r in receiver.requests]
    assert keys[0] == keys[1] and keys[0] != keys[2]


async def test_contract__untrusted_article_text_arrives_signed_or_escaped(case: Case, receiver: Receiver):
    evil = alert(title=f"Head {HOSTILE}", snippet=f"Body {HOSTILE}", source=HOSTILE, rule_name=HOSTILE)
    ch = make(case, f"{receiver.base}/hook/{TOKEN}")
    try:
        await ch.send(evil)
    finally:
        await ch.aclose()
    (req,) = receiver.requests
    case.untrusted_text_arrives_safely(req, evil)


async def test_contract__errors_and_newsmon_logs_never_show_url_or_secret(
    case: Case, receiver: Receiver, caplog: pytest.LogCaptureFixture
):
    receiver.answers += [(500, {}, 0.0), (404, {}, 0.0), (200, {}, 5.0)]
    errors: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="newsmon"):
        for timeout in (10.0, 10.0, 0.2):
            ch = make(case, f"{receiver.base}/hook/{TOKEN}", timeout_s=timeout)
            try:
                await ch.send(alert())
            except (RetryableError, PermanentError) as exc:
                errors.append(str(exc))
            finally:
                await ch.aclose()
        ch = make(case, closed_port_url())
        try:
            await ch.send(alert())
        except RetryableError as exc:
            errors.append(str(exc))
        finally:
            await ch.aclose()
    assert len(errors) == 4 and all(f"c-{case.type}" in e for e in errors)
    shown = "\n".join(errors + [r.getMessage() for r in caplog.records if r.name.startswith("newsmon")])
    for secret in case.secrets:
        assert secret not in shown


def test_contract__every_registered_channel_type_has_a_case():
    covered = {c.type for c in CASES} | set(LOCAL_ONLY)
    assert set(CHANNEL_TYPES) == covered, "add a Case for the new channel type to CASES"
