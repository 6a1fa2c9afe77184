"""Generic webhook channel: JSON body signed per the Standard Webhooks spec.

Headers: ``webhook-id`` (the alert id, identical on every retry so receivers
can deduplicate), ``webhook-timestamp`` (Unix seconds) and
``webhook-signature`` (``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``).
The secret is given as ``whsec_<base64>`` (the spec's format) and read only
from the environment or a secret file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from typing import Any

import httpx

from newsmon.channels.base import RetryableError, classify_http_status
from newsmon.streams.records import Alert, dumps

logger = logging.getLogger(__name__)

USER_AGENT = "newsmon-webhook/1"


def decode_secret(secret: str) -> bytes:
    """Key bytes of a ``whsec_``-prefixed base64 secret (the prefix is optional)."""
    raw = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        raise ValueError("webhook secret must be base64, optionally prefixed with 'whsec_'") from None


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    to_sign = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def webhook_body(alert: Alert) -> dict[str, Any]:
    """The documented JSON body (see docs/rules.md, 'Channels'): ``newsmon.alert`` or ``newsmon.digest``."""
    rule = {"id": alert.rule_id, "name": alert.rule_name, "severity": alert.severity}
    if alert.kind == "digest":
        return {
            "type": "newsmon.digest",
            "alert_id": alert.alert_id,
            "rule": rule,
            "group": alert.story_id,
            "count": len(alert.members),
            "members": alert.members,
            "created_at": alert.created_at,
        }
    body: dict[str, Any] = {
        "type": "newsmon.alert",
        "alert_id": alert.alert_id,
        "rule": rule,
        "story_id": alert.story_id,
        "article": {
            "id": alert.article_id,
            "title": alert.title,
            "url": alert.url,
            "source": alert.source,
            "published_at": alert.published_at,
            "ingested_at": alert.ingested_at,
        },
        "countries": alert.countries,
        "regions": alert.regions,
        "topics": alert.topics,
        "evidence": alert.evidence,
        "snippet": alert.snippet,
        "created_at": alert.created_at,
        "kind": alert.kind,
    }
    if alert.members:
        # frequency / spike / first_seen: the articles that made the rule fire.
        body["members"] = alert.members
    return body


class WebhookChannel:
    type_name = "webhook"
    required = ("url",)
    optional = ("secret", "timeout_s", "rate_per_s", "headers")

    def __init__(
        self,
        name: str,
        *,
        url: str,
        secret: str | None = None,
        timeout_s: float = 10.0,
        rate_per_s: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.rate_per_s = rate_per_s
        self._url = url
        self._key = decode_secret(secret) if secret else None
        self._headers = dict(headers or {})
        self._client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)

    async def send(self, alert: Alert) -> None:
        body = dumps(webhook_body(alert))
        ts = int(time.time())
        headers = {
            **self._headers,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": alert.alert_id,
            "webhook-timestamp": str(ts),
        }
        if self._key is not None:
            headers["webhook-signature"] = sign(self._key, alert.alert_id, ts, body)
        try:
            resp = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            # The URL may hold a token: name the channel, not the URL.
            raise RetryableError(f"webhook {self.name}: {type(exc).__name__}") from None
        classify_http_status(resp.status_code, resp.headers.get("retry-after"), f"webhook {self.name}")

    async def aclose(self) -> None:
        await self._client.aclose()


CHANNEL = WebhookChannel
