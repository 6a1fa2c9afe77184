"""A local alert receiver: stands in for a webhook endpoint and Slack's.

``newsmon receiver`` (used by the run command and the integration tests)
accepts POSTs on ``/webhook`` (verifying Standard Webhooks signatures when a
secret is given) and ``/slack``, keeps what arrived, and shows it at ``/`` as
an HTML page (article text escaped) and at ``/received`` as JSON. Each path
can be told to fail or slow down, to exercise retries.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

logger = logging.getLogger(__name__)


@dataclass
class Behaviour:
    """Scripted answers: statuses are popped one per request, then ``default`` applies."""

    statuses: list[int] = field(default_factory=list)
    default: int = 200
    delay_s: float = 0.0
    retry_after: str | None = None


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    at: float
    status: int
    signature_ok: bool | None


class Receiver:
    def __init__(self, secret: str | None = None) -> None:
        self.key = base64.b64decode(secret.removeprefix("whsec_")) if secret else None
        self.received: list[Received] = []
        self.behaviour: dict[str, Behaviour] = {"webhook": Behaviour(), "slack": Behaviour()}
        self.arrived = asyncio.Event()

    def _verify(self, headers: dict[str, str], raw: bytes) -> bool | None:
        if self.key is None:
            return None
        msg = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + raw
        expected = base64.b64encode(hmac.new(self.key, msg, hashlib.sha256).digest()).decode()
        sigs = [s.split(",", 1)[-1] for s in headers.get("webhook-signature", "").split()]
        return any(hmac.compare_digest(expected, s) for s in sigs)

    async def handle(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        beh = self.behaviour.setdefault(kind, Behaviour())
        raw = await request.read()
        if beh.delay_s:
            await asyncio.sleep(beh.delay_s)
        status = beh.statuses.pop(0) if beh.statuses else beh.default
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            body = raw.decode("utf-8", "replace")
        sig = self._verify(headers, raw) if kind == "webhook" else None
        self.received.append(Received(kind, headers, body, time.time(), status, sig))
        self.arrived.set()
        resp_headers = {"retry-after": beh.retry_after} if status == 429 and beh.retry_after else None
        return web.Response(status=status, text="ok" if status < 300 else "error", headers=resp_headers)

    def accepted(self, kind: str) -> list[Received]:
        return [r for r in self.received if r.path == kind and 200 <= r.status < 300]

    async def page(self, request: web.Request) -> web.Response:
        rows = []
        for r in reversed(self.received[-200:]):
            b = r.body if isinstance(r.body, dict) else {}
            if r.path == "webhook":
                art = b.get("article", {})
                title, rule = art.get("title", ""), b.get("rule", {}).get("name", "")
                extra = ", ".join(b.get("countries", [])) + " | " + ", ".join(b.get("regions", []))
                extra += " | " + ", ".join(t.get("label", "") for t in b.get("topics", []))
            else:
                title, rule, extra = str(b.get("text", "")), "", ""
            rows.append(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                    *(
                        html.escape(str(x))
                        for x in (time.strftime("%H:%M:%S", time.localtime(r.at)), r.path, r.status, rule, title, extra)
                    )
                )
            )
        page = (
            "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=3>"
            "<title>newsmon alerts received</title><style>body{font:14px sans-serif}td{padding:2px 8px;"
            "border-bottom:1px solid #ddd}</style><h1>Alerts received</h1>"
            f"<p>{len(self.accepted('webhook'))} webhook, {len(self.accepted('slack'))} Slack messages accepted</p>"
            "<table><tr><th>time</th><th>channel</th><th>status</th><th>rule</th><th>headline</th><th>tags</th></tr>"
            + "".join(rows)
            + "</table>"
        )
        return web.Response(text=page, content_type="text/html")

    async def as_json(self, request: web.Request) -> web.Response:
        data = [
            {
                "path": r.path,
                "status": r.status,
                "at": r.at,
                "headers": r.headers,
                "body": r.body,
                "signature_ok": r.signature_ok,
            }
            for r in self.received
        ]
        return web.Response(body=orjson.dumps(data), content_type="application/json")

    def app(self) -> web.Application:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_get("/", self.page)
        app.router.add_get("/received", self.as_json)
        app.router.add_post("/{kind}", self.handle)
        return app


async def start_receiver(receiver: Receiver, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(receiver.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else port
    return runner, bound


def serve(host: str, port: int, secret: str | None) -> None:
    async def main() -> None:
        rec = Receiver(secret)
        runner, bound = await start_receiver(rec, host, port)
        logger.info("receiver listening on http://%s:%d/ (POST /webhook, /slack)", host, bound)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())
