"""Turn rule matches into alerts (pure; no I/O).

Called by the match agent after :func:`newsmon.rules.matcher.match_rules`.
The alert id is derived from (rule, story), so a redelivered or re-ingested
article always maps to the same id: Redis dedup keeps it from being raised
twice, and receivers can deduplicate retries on it.
"""

from __future__ import annotations

import hashlib
import time

from newsmon.rules.matcher import Reason, RuleMatch
from newsmon.streams.records import Alert, ClassifiedArticle

SNIPPET_CHARS = 280


def alert_id_for(rule_id: str, story_id: str) -> str:
    return "al_" + hashlib.sha256(f"{rule_id}\x00{story_id}".encode()).hexdigest()[:24]


def snippet(item: ClassifiedArticle, reasons: list[Reason]) -> str:
    """The body text around the first body evidence (or the start of the body)."""
    body = item.article.body
    start = next((int(r["start"]) for r in reasons if r.get("field") == "body" and "start" in r), 0)
    # Begin at the sentence or paragraph that holds the evidence; with no break
    # before it (rfind gives -1) that is the start of the body.
    sentence = body.rfind(". ", 0, start)
    begin = max(sentence + 2 if sentence >= 0 else 0, body.rfind("\n", 0, start) + 1)
    if start - begin > SNIPPET_CHARS // 2:
        begin = start - SNIPPET_CHARS // 2
    text = " ".join(body[begin : begin + SNIPPET_CHARS].split())
    return text + ("…" if begin + SNIPPET_CHARS < len(body) else "")


def build_alert(match: RuleMatch, item: ClassifiedArticle, now: float | None = None) -> Alert:
    art, cls = item.article, item.classification
    rule = match.rule
    seen: set[tuple[object, ...]] = set()
    evidence = []
    for r in match.reasons:
        key = (r.get("kind"), r.get("tag"), r.get("field"), r.get("start"))
        if key not in seen:
            seen.add(key)
            evidence.append(r)
    return Alert(
        alert_id=alert_id_for(rule.id, art.story_id),
        rule_id=rule.id,
        rule_name=rule.name,
        story_id=art.story_id,
        article_id=art.id,
        title=art.title,
        url=art.url,
        source=art.source,
        countries=[p.country for p in cls.places if p.role == "focus"],
        regions=[r.code for r in cls.regions],
        topics=[{"code": t.code, "label": t.label, "score": round(t.score, 3)} for t in cls.topics[:6]],
        evidence=evidence[:20],
        snippet=snippet(item, match.reasons),
        channels=list(rule.channels),
        created_at=time.time() if now is None else now,
        ingested_at=art.ingested_at,
        published_at=art.published_at,
        severity=rule.severity,
    )
