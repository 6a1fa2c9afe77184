"""Parse plain-text dumps as a scraper writes them (the seed format).

Format: articles are separated by two or more blank lines, paragraphs by one;
the first line of an article is its headline. Scrapers repeat the headline and
photo captions and leave short marker lines (``TT``); those are dropped so the
result is one clean title and body per article.
"""

from __future__ import annotations

import re

_ARTICLE_SPLIT = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_PARAGRAPH_SPLIT = re.compile(r"\n[ \t]*\n")
# Layout debris such as "TT": a line of one to three capital letters carries no text.
_MARKER_LINE = re.compile(r"^[A-Z]{1,3}$")
_WS = re.compile(r"\s+")


def _key(line: str) -> str:
    return _WS.sub(" ", line).strip().casefold()


def parse_text_dump(text: str) -> list[dict[str, str]]:
    """Split a dump into ``[{"title", "body"}]``; blocks without a body are skipped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    articles: list[dict[str, str]] = []
    for block in _ARTICLE_SPLIT.split(text):
        lines = [ln.strip() for ln in block.split("\n")]
        nonempty = [ln for ln in lines if ln]
        if not nonempty:
            continue
        title = _WS.sub(" ", nonempty[0])
        seen = {_key(title)}
        paragraphs: list[str] = []
        for para in _PARAGRAPH_SPLIT.split(block):
            kept: list[str] = []
            for raw in para.split("\n"):
                line = raw.strip()
                if not line or _MARKER_LINE.match(line):
                    continue
                k = _key(line)
                # Repeated headlines and captions: keep the first copy only.
                if k in seen:
                    continue
                seen.add(k)
                kept.append(_WS.sub(" ", line))
            if kept:
                paragraphs.append(" ".join(kept) if len(kept) > 1 and _is_wrapped(kept) else "\n".join(kept))
        body = "\n\n".join(paragraphs)
        if body:
            articles.append({"title": title, "body": body})
    return articles


def _is_wrapped(lines: list[str]) -> bool:
    """True when a paragraph is hard-wrapped prose (no line ends a sentence but the last)."""
    return not any(ln.endswith((".", "!", "?", ")", "”", '"')) for ln in lines[:-1])
