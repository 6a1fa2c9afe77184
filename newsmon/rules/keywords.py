"""Keyword conditions: whole-word, case-insensitive, and Arabic-aware.

Arabic terms are matched the way the classifier matches its Arabic lexicon
(:mod:`newsmon.classify.arabic`): the text is normalized (hamza and alef forms,
taa marbuta, alef maqsura, diacritics, tatweel) and a term may carry clitics,
so ``داعش`` also matches "لداعش" and "وداعش". Offsets always point into the
original text, for evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsmon.classify import arabic


class KeywordPattern:
    """Finds any of ``terms`` in a text; ``finditer`` yields (start, end) in the original text."""

    __slots__ = ("_arabic", "_plain")

    def __init__(self, terms: Iterable[str]) -> None:
        terms = [t for t in terms if t.strip()]
        plain = [t for t in terms if not arabic.has_arabic_script(t)]
        arab = [t for t in terms if arabic.has_arabic_script(t)]
        self._plain: re.Pattern[str] | None = None
        self._arabic: re.Pattern[str] | None = None
        if plain:
            # Longest first so a phrase wins over its first word; whitespace inside a
            # phrase matches any run of whitespace (line breaks in bodies).
            alts = sorted({r"\s+".join(re.escape(w) for w in t.split()) for t in plain}, key=len, reverse=True)
            self._plain = re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)
        if arab:
            sources = sorted({arabic.keyword_regex_source(t) for t in arab}, key=len, reverse=True)
            self._arabic = re.compile("|".join(f"(?:{s})" for s in sources))

    def finditer(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        if self._plain is not None:
            spans.extend(m.span() for m in self._plain.finditer(text))
        if self._arabic is not None and not text.isascii() and arabic.has_arabic_script(text):
            norm = arabic.normalize_with_map(text)
            spans.extend((norm.orig(m.start()), norm.orig(m.end())) for m in self._arabic.finditer(norm.text))
            spans.sort()
        return spans

    def search(self, text: str) -> bool:
        if self._plain is not None and self._plain.search(text):
            return True
        return bool(self.finditer(text)) if self._arabic is not None else False
