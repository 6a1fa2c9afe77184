"""Compound heads: a capitalised word that ends in a listed head word counts for that word's topics.

German (and Dutch, Swedish ...) write compounds as one word, and the head, the
word's meaning, comes last: "Millionenbetrug", "Ganztagsschule",
"Gemeinderatswahl". The automaton matches keys at word starts only, so a
language lists such heads under ``endings`` in its topics.yaml and this pass
finds the nouns that end in one. Data, not code: the heads and their exceptions
("Auswahl" is not an election, "Beispiel" not a match) live in the language
folder. Only capitalised words (nouns) are compounds here, the part before the
head has at least ``MIN_PREFIX`` letters, and a word that a listed term already
matched at its start keeps that match alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MIN_PREFIX = 3
# Capitalised words of letters only (a hyphen already splits "Corona-Impfung" into words the automaton sees);
# Latin capitals with their accented forms cover the languages that write compounds as one word.
_NOUN = re.compile(r"(?<![^\W\d_])[A-Z\u00c0-\u00d6\u00d8-\u00de][^\W\d_]{5,}")
TAIL = 3  # heads are looked up by their last letters: one dict lookup per noun


@dataclass(frozen=True, slots=True)
class CompoundHeads:
    # last TAIL letters -> (head, topic cues) pairs, longest head first (the longest head wins)
    tails: dict[str, tuple[tuple[str, tuple[Any, ...]], ...]]
    exceptions: tuple[str, ...]  # lower-case word endings that are not compounds of a head

    @classmethod
    def build(cls, heads: dict[str, tuple[Any, ...]], exceptions: tuple[str, ...]) -> CompoundHeads:
        tails: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
        for head in sorted(heads, key=len, reverse=True):
            tails.setdefault(head[-TAIL:], []).append((head, heads[head]))
        return cls({t: tuple(v) for t, v in tails.items()}, exceptions)

    def hits(self, text: str, hits: list[Any], dups: list[tuple[int, int]]) -> list[Any]:
        """``hits`` (start, end, cues) in text order, with the compound-head matches of ``text`` added."""
        tails, exceptions = self.tails, self.exceptions
        taken = {h[0] for h in hits}
        extra = []
        for m in _NOUN.finditer(text):
            low = m.group().lower()
            found = tails.get(low[-TAIL:])
            if found is None or m.start() in taken:
                continue
            for head, cues in found:
                if len(head) + MIN_PREFIX <= len(low) and low.endswith(head):
                    if not low.endswith(exceptions) and not any(a <= m.start() < b for a, b in dups):
                        extra.append((m.start(), m.end(), cues))
                    break
        if not extra:
            return hits
        return sorted(hits + extra, key=lambda h: h[0])
