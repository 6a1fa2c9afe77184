"""Slack incoming-webhook channel: one Block Kit message per alert.

Article text is untrusted: every piece of it is escaped (``&``, ``<``, ``>``)
before it goes into mrkdwn, so it can never mention ``@channel``, ping a user
or smuggle a link; links are built only from the article URL we normalized.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import httpx

from newsmon.channels.base import RetryableError, classify_http_status
from newsmon.streams.records import Alert, dumps

logger = logging.getLogger(__name__)

_SEVERITY_ICON = {"info": ":newspaper:", "warning": ":warning:", "critical": ":rotating_light:"}


def escape_mrkdwn(text: str) -> str:
    """Slack's control characters as entities; Slack then shows them literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(text: str, limit: int) -> str:
    # Bounded and on one line; escaping happens where the text is placed.
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escaped_within(text: str, limit: int) -> str:
    """Escape, then shorten the source text until the escaped form fits (never cut an entity)."""
    out = escape_mrkdwn(text)
    while len(out) > limit:
        keep = min(len(text) - 1, len(text) * (limit - 1) // len(out))
        text = text[: max(0, keep)]
        out = escape_mrkdwn(text) + "…"
    return out


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # '|' and '>' would end Slack's <url|label> syntax early.
    if any(c in url for c in "<>| \n"):
        return None
    return url


# First Strong Isolate ... Pop Directional Isolate: a right-to-left span
# (Arabic, Persian, Hebrew) keeps its own order without reordering the
# left-to-right text around it ("keyword: داعش (body)").
_FSI, _PDI = "\u2068", "\u2069"
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
EVIDENCE_ITEMS = 6


def isolate(text: str) -> str:
    """``text`` as one bidi-isolated run; stray direction controls in it are dropped."""
    return _FSI + text.translate(_BIDI_CONTROLS) + _PDI


def _evidence_line(evidence: list[dict[str, Any]]) -> str:
    """Why the alert fired: "kind tag: «text»" per span, escaped and bidi-isolated."""
    parts = []
    for e in evidence[:EVIDENCE_ITEMS]:
        text = e.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        label = escape_mrkdwn(_plain(f"{e.get('kind', '')} {e.get('tag', '')}".strip(), 60))
        parts.append(f"{label}: {isolate(escape_mrkdwn(_plain(text, 80)))}")
    return "; ".join(parts)


MEMBER_LINES = 10


def _member_lines(members: list[dict[str, Any]]) -> str:
    """One escaped line per member article (linked only through a safe URL)."""
    lines = []
    for m in members[:MEMBER_LINES]:
        title = escape_mrkdwn(_plain(str(m.get("title") or "(no headline)"), 120))
        url = _safe_url(m.get("url"))
        source = escape_mrkdwn(_plain(str(m.get("source") or ""), 40))
        head = f"<{url}|{title}>" if url else title
        lines.append(f"• {head}" + (f" ({source})" if source else ""))
    if len(members) > MEMBER_LINES:
        lines.append(f"… and {len(members) - MEMBER_LINES} more")
    # Block Kit section text is limited to 3000 characters.
    return "\n".join(lines)[:2900]


def digest_message(alert: Alert) -> dict[str, Any]:
    """One message for a digest: how many matched, then the member articles."""
    rule = _plain(alert.rule_name, 120)
    n = len(alert.members)
    header = _escaped_within(f"{n} match{'es' if n != 1 else ''}: {rule}", 150)
    context = f"digest `{alert.alert_id}` · rule `{escape_mrkdwn(alert.rule_id)}`"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _member_lines(alert.members) or "-"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
    ]
    icon = _SEVERITY_ICON.get(alert.severity, ":newspaper:")
    return {"text": f"{icon} {header}", "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def slack_message(alert: Alert) -> dict[str, Any]:
    if alert.kind == "digest":
        return digest_message(alert)
    title = _plain(alert.title or "(no headline)", 150)
    regions = ", ".join(alert.regions) or "-"
    countries = ", ".join(alert.countries) or "-"
    topics = ", ".join(f"{t.get('label', t.get('code'))} ({t.get('score', 0):.2f})" for t in alert.topics[:4]) or "-"
    url = _safe_url(alert.url)
    source = escape_mrkdwn(_plain(alert.source or "source", 80))
    link = f"<{url}|{source}>" if url else source
    rule = escape_mrkdwn(_plain(alert.rule_name, 120))
    fields = [
        {"type": "mrkdwn", "text": f"*Rule*\n{rule}"},
        {"type": "mrkdwn", "text": f"*Source*\n{link}"},
        {"type": "mrkdwn", "text": f"*Countries*\n{escape_mrkdwn(countries)}"},
        {"type": "mrkdwn", "text": f"*Regions*\n{escape_mrkdwn(regions)}"},
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _escaped_within(title, 150), "emoji": False}},
        {"type": "section", "fields": fields},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Topics*: {escape_mrkdwn(topics)}"}},
    ]
    evidence = _evidence_line(alert.evidence)
    if evidence:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Evidence*: {evidence}"[:2900]}})
    if alert.snippet:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": "> " + escape_mrkdwn(_plain(alert.snippet, 500))}}
        )
    if alert.members:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _member_lines(alert.members)}})
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"alert `{alert.alert_id}` · story `{alert.story_id}`"}],
        }
    )
    icon = _SEVERITY_ICON.get(alert.severity, ":newspaper:")
    return {"text": f"{icon} {escape_mrkdwn(title)}", "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


class SlackChannel:
    type_name = "slack"
    required = ("url",)
    optional = ("timeout_s", "rate_per_s")

    def __init__(self, name: str, *, url: str, timeout_s: float = 10.0, rate_per_s: float | None = 1.0) -> None:
        self.name = name
        # Slack allows about one message per second per incoming webhook.
        self.rate_per_s = rate_per_s
        self._url = url
        self._client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)

    async def send(self, alert: Alert) -> None:
        body = dumps(slack_message(alert))
        try:
            resp = await self._client.post(self._url, content=body, headers={"content-type": "application/json"})
        except httpx.HTTPError as exc:
            raise RetryableError(f"slack {self.name}: {type(exc).__name__}") from None
        classify_http_status(resp.status_code, resp.headers.get("retry-after"), f"slack {self.name}")

    async def aclose(self) -> None:
        await self._client.aclose()


CHANNEL = SlackChannel
