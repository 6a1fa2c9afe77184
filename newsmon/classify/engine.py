"""Region and topic classification: gazetteer + lexicon scoring with evidence.

:meth:`Classifier.load` runs once per process (the classify agent calls it at
start-up); :meth:`Classifier.classify` runs per article and never raises on
odd text: empty or non-string fields are treated as empty.

Scoring in one paragraph: each field is scanned once by one automaton that
holds places and topics together; keys start with a space and the text's
separators are mapped to spaces, so only matches that start a word are
reported. Each accepted match adds ``weight x position`` (title x2,
the first 300 characters of the body x1.5) to its country or topic; lines
that repeat earlier lines (photo captions in scraper dumps) are skipped.
Ambiguous names (Jordan, Chad, Georgia, Turkey, Nice, ...) count only with
supporting evidence; small cities and minor subdivisions only support a
country that is named otherwise. A country is ``focus`` when its score is at
least ``FOCUS_MIN`` and ``FOCUS_RATIO`` of the best country's; otherwise it is a
``mention``. Three corrections follow: a country named in the headline (or
an offshore market named up front) is focus once it reaches ``ANCHOR_MIN``,
whatever the best country scores; a list of countries up front ("Britain,
France and Japan") makes every member focus; a country first named after the
lead needs ``LATE_MIN`` when another country is named up front. Market
boilerplate (Inc, NYSE, plc) only decides when no named country reaches
focus; a company of a national legal form that is the subject of the lead
sentence ("Acme Corp said") counts as real evidence, and so does a wire
ticker: "<DD>" in a headline is a US listing, "<BMW.F>" names its exchange.
International bodies only hint at their seat country (GATT is not a story
about Switzerland).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import re
import time
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsmon.classify import arabic
from newsmon.classify import lexicon as lx
from newsmon.classify.language import LanguageDetector
from newsmon.streams.records import (
    Classification,
    Evidence,
    FieldName,
    PlaceTag,
    RegionTag,
    Role,
    TopicTag,
)

logger = logging.getLogger(__name__)

TITLE_FACTOR = 2.0
LEAD_FACTOR = 1.5
LEAD_CHARS = 300
FOCUS_MIN = 1.2
FOCUS_RATIO = 0.4
IMPLICIT_MIN = 0.1
# A country named in the headline is what the story is about even when a
# longer body talks more about another one.
ANCHOR_MIN = 1.2
_ANCHOR_KINDS = frozenset({"name", "demonym"})
# Named only after the lead while another country is named up front: usually
# a comparison or a counterparty, so it takes two plain mentions' worth.
LATE_MIN = 2.0
# "Britain, France, West Germany and Japan" in the headline or lead: the list
# is the subject and every member is focus.
LIST_MIN_MEMBERS = 3
_LIST_SEP = re.compile(r"\s*(?:,|and|or|, and|, or)\s*")
# Wire headlines mark exchange-listed companies with a ticker in angle
# brackets: a bare one ("<DD>") is a US listing, the company the story is
# about; five letters ending in F or Y are foreign issuers and ADRs, which
# only hint at the US. A dotted one ("<BMW.F>") carries its exchange
# (see ``exchange_suffixes`` in geo_extra.yaml).
_TICKER = re.compile(r"<[A-Z]{1,5}>")
_LISTING = re.compile(r"<[A-Z0-9][A-Z0-9&]{0,7}\.([A-Z]{1,3})>")
TICKER_COUNTRY = "US"
TICKER_WEIGHT = 0.3
MAX_EVIDENCE = 8
TOPIC_MIN = 2.0
# Feed items: below this many characters (headline + body) one weight-1 word is enough for a
# low-scored topic (agnews +0.003, the long sets unchanged, precision at 0.3 unchanged).
SHORT_ITEM_CHARS = 400
TOPIC_MIN_SHORT = 1.0
TOPIC_RATIO = 0.12
SUBTOPIC_MIN = 2.5
TERM_REPEAT_CAP = 3
TOPIC_TITLE_FACTOR = 2.0
# The first LEAD_CHARS of the body say what the story is about (measured:
# masakhanews-en +0.004, bbc +0.003, agnews -0.001 against 1.0).
TOPIC_LEAD_FACTOR = 1.5
SCORE_SCALE_PLACE = 3.0
SCORE_SCALE_TOPIC = 12.0

_STRONG_KINDS = frozenset(
    {"name", "demonym", "capital", "institution", "leader", "currency", "city_major", "subdivision", "seat", "market"}
)
_TOWN_KINDS = frozenset({"city", "city_major"})
_COMPOUND_VETO_KINDS = frozenset({"city", "city_major", "subdivision_minor"})
_NUMBER_WORDS = frozenset({"million", "billion", "bn", "trillion", "thousand", "of", "in", "billions", "millions"})
_PLACE_PREFIXES = frozenset(
    {
        "new",
        "north",
        "south",
        "east",
        "west",
        "central",
        "northern",
        "southern",
        "eastern",
        "western",
        "upper",
        "lower",
        "greater",
        "the",
        "in",
        "of",
        "and",
        "from",
        "to",
        "for",
        "with",
        "said",
    }
)
_SENTENCE_END = frozenset(".!?:;\n\"'(\u201c\u201d\u2018\u2019")

# Cue flags read in the per-match loops, bound once here.
_F_NUMBER = lx.F_NUMBER
_F_AMBIG = lx.F_AMBIG
_F_SUPPORT = lx.F_SUPPORT
_F_IMPLICIT = lx.F_IMPLICIT
_F_REGION = lx.F_REGION
_NOT_STRONG = lx.F_AMBIG | lx.F_SUPPORT | lx.F_IMPLICIT | lx.F_REGION

# Coverage by how much data the language has: its own topic terms, its own
# place names, or neither (then the English data and the shared names serve).
_COVERAGE_FULL = {"places": "full", "regions": "full", "topics": "full"}


class _Field:
    """One article field prepared for matching."""

    __slots__ = ("_upper", "dups", "low", "name", "text")

    def __init__(self, name: FieldName, text: str, dups: list[tuple[int, int]]) -> None:
        self.name = name
        self.text = text
        self.low = lx.safe_lower(text)
        self._upper: bool | None = None
        self.dups = dups

    @property
    def upper(self) -> bool:
        """Whether the text is in capitals (an all-caps headline); known on first use.

        Few articles ask, and text without case (Arabic) is read to its end to
        answer: about as long as lower-casing it.
        """
        if self._upper is None:
            self._upper = self.text.isupper()
        return self._upper


_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_LATIN_LETTER = re.compile("[A-Za-z]")


def _duplicate_spans(title: str, body: str) -> list[tuple[int, int]]:
    """Spans of body lines that repeat the title or an earlier line.

    Scraper dumps repeat photo captions and the headline; counting them would
    let a caption's venue outweigh the story.
    """
    if "\n" not in body:
        return []
    lines = body.split("\n")
    stripped_title = title.strip()
    if len(set(lines)) == len(lines) and (not stripped_title or stripped_title not in body):
        return []  # the common case: nothing repeats
    spans: list[tuple[int, int]] = []
    seen = {stripped_title} if stripped_title else set()
    pos = 0
    for line in lines:
        stripped = line.strip()
        if len(stripped) >= 20:
            if stripped in seen:
                spans.append((pos, pos + len(line)))
            else:
                seen.add(stripped)
        pos += len(line) + 1
    return spans


def _in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


# Accepted matches: (start, end, geo cues, geo cues by capital) and
# (start, end, topic cues); see lexicon.build_automaton for the cue tuples.
_GeoHit = tuple[int, int, tuple[lx.GeoCue, ...], Any]
_TopicHit = tuple[int, int, tuple[lx.TopicCue, ...]]
# A matched span with the cues that passed their checks, its position factor and, when the cues are one of
# the automaton's tuples and what they decide does not depend on the article, that (see Classifier._cue_entry).
_GeoSpan = tuple["_Field", int, int, float, Sequence[lx.GeoCue], "_Static | None"]
# Flagless cues: (their strong countries, (the one cue and finer place of a span) or None with several countries,
# False); boilerplate only (Inc, Corp, plc): ((), None, True).
_Static = tuple[tuple[str, ...], tuple[lx.GeoCue, Any] | None, bool]
# A cue tuple, the one language it is limited to when no match needs a check (else None), and its _Static.
_CueEntry = tuple[tuple[lx.GeoCue, ...], str | None, _Static | None]


# A match before overlaps are resolved: (start, -key length, order found, end, geo cues, topic cues, by capital).
_Found = tuple[int, int, int, int, Any, Any, Any]


def _scan(
    pack: lx.LanguagePack, f: _Field, elision: bool = False, geo_only: bool = False
) -> tuple[list[_GeoHit], list[_TopicHit]]:
    """Whole-word matches, split into (geo hits, topic hits); case is checked per cue.

    Keys carry a leading space (see :func:`lexicon.build_automaton`), so the
    start of a word is checked by the automaton itself; only the end is
    checked here. Arabic text of a clitic language is scanned for every
    match (``iter``), because a key that starts inside a word ("لقب" in
    "القبض") must not hide the real one: a bare key counts only after an
    allowed prefix at a word start and before an allowed ending, and among
    those the leftmost, longest ones win. Positions returned are in the
    original text even when the scan ran on the Arabic-normalized text.
    Returning the two kinds apart saves both consumers a pass over the other
    kind's matches. ``geo_only`` (English's shared place names scanned for
    another language) skips matches without a place cue as soon as they come:
    leftmost-longest selection does not depend on what is accepted, so the
    place hits are the same.
    """
    low = f.low
    if pack.clitics and not low.isascii() and _ARABIC_LETTER.search(low) is not None:
        return _scan_clitic(pack, f, elision)
    if "\u0451" in low:
        low = low.replace("\u0451", "\u0435")  # ё written or not, one spelling (same length)
    n = len(low)
    scan = lx.boundary_text(low)
    if elision and ("'" in scan or "\u2019" in scan):
        # l'armée, d'Irak: the elided word ends at its apostrophe (same length).
        scan = scan.replace("'", " ").replace("\u2019", " ")
        low = scan
    geo_hits: list[_GeoHit] = []
    topic_hits: list[_TopicHit] = []
    dups = f.dups
    # Leftmost-longest matches come in text order: accepted ones go straight to their list (one pass).
    for e, (keylen, gsuf, tsuf, bare, geo, topic, tail, geo_by_capital) in pack.auto.iter_long(" " + scan):
        if geo_only and not geo:
            continue
        start = e - keylen
        end = e
        if bare:
            # A clitic language's bare key in text without Arabic letters (rare): same checks as there.
            bounds = _clitic_bounds(scan, low, n, start, end, gsuf, tsuf, geo, topic)
            if bounds is None:
                continue
            start, end, geo, topic = bounds
        else:
            if tail and low.startswith(tail, end):
                end += len(tail)  # "U.S." in full; "U.S.S.R." then fails the check below
            # A space in ``scan`` is never a letter or digit in ``low``: most matches end there, one compare.
            if end < n and scan[end] != " " and low[end].isalnum():
                if not gsuf and not tsuf:
                    continue  # no cue of the key takes a longer word ("it" in "its"): no need to find its end
                j = end + 1
                while j < n and low[j].isalnum():
                    j += 1
                ext = j - end
                if not (gsuf and (gsuf < 0 or ext <= gsuf)):
                    geo = ()
                if not (tsuf and (tsuf < 0 or ext <= tsuf)):
                    topic = ()
                if not geo and not topic:
                    continue
                end = j
        if dups and _in_spans(start, dups):
            continue
        if geo:
            geo_hits.append((start, end, geo, geo_by_capital))
        if topic:
            topic_hits.append((start, end, topic))
    return geo_hits, topic_hits


def _clitic_bounds(
    scan: str, low: str, n: int, start: int, end: int, gsuf: Any, tsuf: Any, geo: Any, topic: Any
) -> tuple[int, int, Any, Any] | None:
    """The word around a bare key between an allowed prefix and ending, or None (see :func:`_scan_clitic`)."""
    lo = start - 5 if start > 5 else 0
    ws = scan.rfind(" ", lo, start) + 1
    if ws == 0 and lo:
        return None  # more than four letters before the key: inside a longer word
    if ws != start and low[ws:start] not in arabic.PREFIXES:
        return None
    we = scan.find(" ", end)
    if we < 0:
        we = n
    if we > end and low[end:we] not in arabic.SUFFIXES:
        if gsuf != lx.SUFFIX_ANY:
            geo = ()
        if tsuf != lx.SUFFIX_ANY:
            topic = ()
        if not geo and not topic:
            return None
    return ws, we, geo, topic


def _scan_clitic(pack: lx.LanguagePack, f: _Field, elision: bool) -> tuple[list[_GeoHit], list[_TopicHit]]:
    """:func:`_scan` for Arabic text of a clitic language: every match, then leftmost-longest among accepted ones."""
    norm = arabic.normalize_with_map(f.text, lx.boundary_text)
    scan = norm.scan
    # The separator map keeps letters and makes anything else a space, so inside a word ``scan`` is the
    # normalized text: clitics are read from it, and the text itself is decoded only for a key that is not
    # bare (rare in Arabic text) or when elision or ё rewrite it.
    low: str | None = None
    if "\u0451" in scan:
        # ё written or not, one spelling (same length; both are letters, so the separator map keeps them)
        low = norm.text.replace("\u0451", "\u0435")
        scan = scan.replace("\u0451", "\u0435")
    if elision and ("'" in scan or "\u2019" in scan):
        scan = scan.replace("'", " ").replace("\u2019", " ")
        low = scan
    n = len(scan)
    suffixes = arabic.SUFFIXES
    prefixes = arabic.PREFIXES
    any_suffix = lx.SUFFIX_ANY
    # Padded on both sides, so that the letters just before and after a key are one index each (the
    # trailing space ends no key: keys never end in a separator).
    padded = " " + scan + " "
    found: list[_Found] = []
    append = found.append
    for order, (e, (keylen, gsuf, tsuf, bare, geo, topic, tail, geo_by_capital)) in enumerate(pack.auto.iter(padded)):
        start = e - keylen
        end = e  # ``e`` indexes ``padded``: the key's last letter there is its end in ``scan``
        if bare:
            # Clitics: conjunction/preposition/article before, pronoun or
            # plural ending after ("وبالعراقيين"); the evidence is the whole word.
            # Word bounds from the separator-mapped text (C-speed finds, no per-letter loop); a key that
            # starts or ends its word (most) needs no find on that side.
            if padded[start] != " ":
                lo = start - 5 if start > 5 else 0
                ws = scan.rfind(" ", lo, start) + 1
                if ws == 0 and lo:
                    continue  # more than four letters before the key: inside a longer word
                if scan[ws:start] not in prefixes:
                    continue
                start = ws
            if padded[e + 1] != " ":
                end = scan.find(" ", e)
                if end < 0:
                    end = n
                if scan[e:end] not in suffixes:
                    if gsuf != any_suffix:
                        geo = ()
                    if tsuf != any_suffix:
                        topic = ()
                    if not geo and not topic:
                        continue
        else:
            if low is None:
                low = norm.text
            # The word-end rule of _scan, written out here as there: a call per match costs more than the check.
            if tail and low.startswith(tail, end):
                end += len(tail)
            if end < n and low[end].isalnum():
                j = end + 1
                while j < n and low[j].isalnum():
                    j += 1
                ext = j - end
                if not (gsuf and (gsuf < 0 or ext <= gsuf)):
                    geo = ()
                if not (tsuf and (tsuf < 0 or ext <= tsuf)):
                    topic = ()
                if not geo and not topic:
                    continue
                end = j
        append((start, -keylen, order, end, geo, topic, geo_by_capital))
    return _select_clitic(found, norm._drops, f.dups)


def _select_clitic(
    found: list[_Found], drops: list[int], dups: list[tuple[int, int]]
) -> tuple[list[_GeoHit], list[_TopicHit]]:
    """Non-overlapping matches of :func:`_scan_clitic`, leftmost then longest key, in original positions.

    What iter_long does, but among accepted matches: candidates sort as plain tuples, no key function;
    selection and the map back share one loop.
    """
    geo_hits: list[_GeoHit] = []
    topic_hits: list[_TopicHit] = []
    found.sort()
    last_end = -1
    for start, _negkey, _order, end, geo, topic, geo_by_capital in found:
        if start < last_end:
            continue
        last_end = end
        if drops:
            # Normalized to original positions (arabic.Normalized.orig, inlined).
            start += bisect_right(drops, start)
            end += bisect_right(drops, end)
        if dups and _in_spans(start, dups):
            continue
        if geo:
            geo_hits.append((start, end, geo, geo_by_capital))
        if topic:
            topic_hits.append((start, end, topic))
    return geo_hits, topic_hits


def _case_ok(f: _Field, start: int, case: int, pattern: str) -> bool:
    if case == 0:
        return True
    text = f.text
    if case == 1:
        return text[start].isupper()
    if f.upper:
        # In an all-caps headline a short acronym is indistinguishable from a word.
        return sum(c.isalpha() for c in pattern) >= 3 or "." in pattern
    return text.startswith(pattern, start)


def _cue_here(f: _Field, start: int, cue: lx.GeoCue, lang: str) -> bool:
    """Whether a place cue passes the checks at its match: the article's language, its case, a number before it."""
    return (
        (not cue.lang or cue.lang == lang)
        and (not cue.case or _case_ok(f, start, cue.case, cue.pattern))
        and not (cue.flags & _F_NUMBER and not _prev_is_number(f, start))
    )


def _prev_word(f: _Field, start: int) -> tuple[str, bool]:
    """Previous word (lower-case) and whether it is capitalised mid-sentence."""
    low = f.low
    i = start - 1
    while i >= 0 and low[i] == " ":
        i -= 1
    if i < 0 or low[i] in _SENTENCE_END:
        return "", False
    j = i
    while j >= 0 and (low[j].isalpha() or low[j] in "-'"):
        j -= 1
    word = low[j + 1 : i + 1]
    if not word:
        return "", False
    k = j
    while k >= 0 and low[k] == " ":
        k -= 1
    sentence_start = k < 0 or low[k] in _SENTENCE_END
    capital = f.text[j + 1].isupper() and not sentence_start
    return word, capital


def _next_word(f: _Field, end: int) -> tuple[str, bool]:
    low = f.low
    n = len(low)
    i = end
    while i < n and low[i] == " ":
        i += 1
    j = i
    while j < n and (low[j].isalpha() or low[j] in "-"):
        j += 1
    word = low[i:j]
    return word, bool(word) and f.text[i].isupper()


# Raw scores repeat from article to article (sums of a few weights), and
# rounding a float to n digits costs more than looking it up.
@functools.lru_cache(maxsize=4096)
def _place_score(raw: float) -> float:
    return round(1.0 - math.exp(-raw / SCORE_SCALE_PLACE), 3)


@functools.lru_cache(maxsize=4096)
def _topic_score(raw: float) -> float:
    return round(1.0 - math.exp(-raw / SCORE_SCALE_TOPIC), 4)


@functools.lru_cache(maxsize=1024)
def _coverage(data: str, has_topics: bool, lang: str, source: str, share: float) -> dict[str, str]:
    """The ``coverage`` of a classification (a template: callers copy it); the same for most articles."""
    if data == lang and has_topics:
        coverage = dict(_COVERAGE_FULL)
    elif data == lang:
        coverage = {"places": "names", "regions": "names", "topics": "english-terms"}
    else:
        # No folder for this language: English terms and the shared
        # (mostly Latin-script) place names still find what they can.
        coverage = {"places": "shared-names", "regions": "shared-names", "topics": "english-terms"}
    coverage["data"] = data
    coverage["language_source"] = source
    coverage["text"] = f"{share:.2f}"
    return coverage


def _topic_tie_break(head: float, lead: float, distinct: int, first: tuple[bool, int]) -> tuple[Any, ...]:
    """Order of top-level topics whose uncapped sums tie: headline, lead, distinct words, first mention.

    Exact ties are common on feed items (one weight-3 word each in a headline)
    and used to go to the lowest topic code (arts, crime, economy before
    science or sport). ``distinct`` counts the different words among the cited
    evidence (at most MAX_EVIDENCE spans); ``first`` is (not in the headline,
    offset) of the first cited span.
    """
    return (-head, -lead, -distinct, first)


def _capital_rank(cue: lx.GeoCue) -> tuple[bool, int]:
    """Which of several countries a shared name means: a capital, then the larger place."""
    return (cue.kind == "capital", cue.population)


def _place_rank(cue: lx.GeoCue) -> tuple[bool, int]:
    """Which finer place a span names: a city, then the larger place."""
    return (cue.place is not None and cue.place["kind"] == "city", cue.population)


def _headline_style(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalpha()]
    if len(words) < 3:
        return False
    return sum(w[0].isupper() for w in words) / len(words) > 0.6


def _common_word_here(fields: tuple[_Field, ...], f: _Field, start: int, end: int) -> bool:
    """A sentence-initial capitalised single word that the article also writes in lower case.

    (_geo_hits tests the capital first, without a call: most matches in most scripts start with none.)
    """
    word = f.text[start:end]
    if " " in word or not word[:1].isupper():
        return False
    i = start - 1
    low = f.low
    while i >= 0 and low[i] in " \t":
        i -= 1
    if i >= 0 and low[i] not in _SENTENCE_END:
        return False
    lower = word.lower()
    if lower == word:
        return False
    pattern = re.compile(r"(?<!\w)" + re.escape(lower) + r"(?!\w)")
    return any(pattern.search(g.text) for g in fields)


def _prev_is_number(f: _Field, start: int) -> bool:
    word, _ = _prev_word(f, start)
    if word in _NUMBER_WORDS:
        return True
    i = start - 1
    while i >= 0 and f.low[i] == " ":
        i -= 1
    return i >= 0 and f.low[i].isdigit()


def _lead_list_members(listed: list[tuple[_Field, int, int, str]]) -> set[str]:
    """Countries of a list ("A, B, C and D") that starts in the headline or the lead."""
    out: set[str] = set()
    if len({item[3] for item in listed}) < LIST_MIN_MEMBERS:
        return out  # too few countries for any list
    run: list[tuple[_Field, int, int, str]] = []

    def close() -> None:
        f, start = run[0][0], run[0][1]
        members = {t for _f, _s, _e, t in run}
        if len(members) >= LIST_MIN_MEMBERS and (f.name == "title" or start < LEAD_CHARS):
            out.update(members)

    for item in listed:
        if run and run[-1][0] is item[0] and _LIST_SEP.fullmatch(item[0].low, run[-1][2], item[1]):
            run.append(item)
            continue
        if run:
            close()
        if item[0].name != "title" and item[1] >= LEAD_CHARS:
            return out  # spans come in text order: every list from here on starts after the lead
        run = [item]
    if run:
        close()
    return out


class _Tally:
    """What the place passes find, handed from one pass to the next.

    A plain class: one per article, and a dataclass's default factories cost more than the literals.
    """

    __slots__ = (
        "anchored",
        "early",
        "evidence",
        "finer",
        "implicit",
        "implicit_spans",
        "listed",
        "region_named",
        "scores",
    )

    def __init__(self) -> None:
        self.scores: dict[str, float] = {}
        self.evidence: dict[str, list[Evidence]] = {}
        # Boilerplate (Inc, NYSE, plc): counted apart, and evidence only when it decides.
        self.implicit: dict[str, float] = {}
        self.implicit_spans: dict[str, list[tuple[_Field, int, int]]] = {}
        self.finer: dict[str, dict[str, dict[str, Any]]] = {}
        self.region_named: dict[str, list[Evidence]] = {}
        self.anchored: set[str] = set()  # named in the headline (or an offshore market up front)
        self.early: set[str] = set()  # named in the headline or the lead
        self.listed: list[tuple[_Field, int, int, str]] = []  # name/demonym spans, for lists

    def add_implicit(self, cue: lx.GeoCue, pos: float, f: _Field, start: int, end: int) -> None:
        """Boilerplate: its score counted apart, its span kept in case it decides."""
        self.implicit[cue.target] = self.implicit.get(cue.target, 0.0) + cue.weight * pos
        spans = self.implicit_spans.setdefault(cue.target, [])
        if len(spans) < MAX_EVIDENCE:
            spans.append((f, start, end))

    def add(self, country: str, score: float, ev: Evidence) -> None:
        self.scores[country] = self.scores.get(country, 0.0) + score
        have = self.evidence.get(country)
        if have is None:
            self.evidence[country] = [ev]
        elif len(have) < MAX_EVIDENCE:
            have.append(ev)


class Classifier:
    """Tags an article with countries, regions and IPTC topics plus evidence."""

    def __init__(self, lexicon: lx.Lexicon, detector: LanguageDetector) -> None:
        self.lex = lexicon
        self.detector = detector
        # (slug, label) of each country's regions, in the order of country_regions.
        self._region_labels = {
            iso2: tuple((slug, lexicon.regions[slug].label) for slug in slugs)
            for iso2, slugs in lexicon.country_regions.items()
        }
        # The same by slug, for a country without repeated slugs: the order of its regions when it is the only
        # focus country (see _regions).
        self._region_order = {
            iso2: tuple(sorted(labels))
            for iso2, labels in self._region_labels.items()
            if len(set(labels)) == len(labels)
        }
        self._country_names: dict[str, str] = {iso2: c["name"] for iso2, c in lexicon.countries.items() if c}
        # What cue tuples decide, filled as they are first matched (see _cue_entry).
        self._static: dict[int, _CueEntry] = {}
        # (label, parent, top-level code, ancestors) per topic code, read for every scored topic.
        self._topic_info = {code: (t.label, t.parent, t.top, t.ancestors) for code, t in lexicon.topics.items()}
        self.load_seconds = 0.0

    @classmethod
    def load(cls, data_dir: Path | str | None = None, lazy: bool = False) -> Classifier:
        """Build the engine from the data files; call once per process.

        Raises :class:`newsmon.classify.lexicon.LexiconError` when a data file is
        missing or malformed, so a bad deployment fails at start-up. ``lazy``
        (batch commands) builds a language's matcher on its first article
        instead; the files are read and checked at start-up all the same.
        """
        t0 = time.perf_counter()
        lexicon = lx.load_lexicon(Path(data_dir) if data_dir else None, lazy=lazy)
        # The statistical model (seconds to load) is only asked when no
        # stop-list decides, so it loads on first use, not at start-up.
        detector = LanguageDetector({code: p.stopwords for code, p in lexicon.packs.items()})
        clf = cls(lexicon, detector)
        clf.load_seconds = time.perf_counter() - t0
        logger.info("classifier ready in %.2fs (%s)", clf.load_seconds, "cached" if lexicon.cached else "built")
        return clf

    # ------------------------------------------------------------------ public

    def classify(self, title: str, body: str, language: str | None = None) -> Classification:
        """Classify one article with its detected language; ``language`` (ISO 639-1) is a hint.

        The hint decides only when the text does not (too short, no clear
        winner). ``coverage`` says which language's data was used and how much.
        """
        title = title if isinstance(title, str) else ""
        body = body if isinstance(body, str) else ""
        det = self.detector.detect_full(title, body, language if isinstance(language, str) else None)
        lang = det.language
        pack = self.lex.packs.get(lang) or self.lex.packs["en"]
        fields = (
            _Field("title", title, []),
            _Field("body", body, _duplicate_spans(title, body)),
        )
        title_scan = self._scan_field(pack, fields[0]) if title else ([], [])
        body_scan = self._scan_field(pack, fields[1]) if body else ([], [])
        places, _focus, named = self._places(fields, (title_scan[0], body_scan[0]), lang)
        regions = self._regions(places, named)
        topics = self._topics(fields, (title_scan[1], body_scan[1]))
        # A copy: the record's dict is the caller's to change.
        coverage = dict(_coverage(pack.code, pack.has_topics, lang, det.source, det.share))
        return Classification(language=lang, places=places, regions=regions, topics=topics, coverage=coverage)

    def _scan_field(self, pack: lx.LanguagePack, f: _Field) -> tuple[list[_GeoHit], list[_TopicHit]]:
        """The language's own matches plus, for a language other than English, the shared place names."""
        geo, topic = _scan(pack, f, pack.elision)
        if pack.compounds is not None:
            topic = pack.compounds.hits(f.text, topic, f.dups)
        if not pack.shared_geo or (pack.has_topics and not f.text.isascii() and _LATIN_LETTER.search(f.text) is None):
            return geo, topic
        shared, english_topics = _scan(self.lex.packs["en"], f, pack.elision, geo_only=pack.has_topics)
        if not pack.has_topics:
            topic = english_topics
        if shared:
            if geo:
                own_starts = {h[0] for h in geo}
                geo = sorted(geo + [h for h in shared if h[0] not in own_starts], key=lambda h: h[0])
            else:
                geo = shared
        return geo, topic

    # ------------------------------------------------------------------ places

    def _geo_hits(self, fields: tuple[_Field, ...], scans: tuple[list[_GeoHit], ...], lang: str) -> list[_GeoSpan]:
        """Matches grouped by span, with cues that pass case, language and number checks."""
        spans: list[_GeoSpan] = []
        known = self._static.get  # _cue_entry's cache, read inline: most spans are of a tuple seen before
        for f, hits in zip(fields, scans, strict=True):
            title_field = f.name == "title"
            text = f.text
            for start, end, cues, by_capital in hits:
                if start > 0 and text[start - 1] == "<":
                    continue  # <ROK> is a ticker symbol, not South Korea
                pos = TITLE_FACTOR if title_field else (LEAD_FACTOR if start < LEAD_CHARS else 1.0)
                if by_capital is not None:
                    # Fixed tuples: which one the case of the first letter says, with no other check.
                    cues = by_capital[1] if text[start].isupper() else by_capital[0]
                entry = known(id(cues))
                if entry is None or entry[0] is not cues:
                    entry = self._cue_entry(cues)
                ok: Sequence[lx.GeoCue] = cues
                static = entry[2]
                if by_capital is None and entry[1] != "" and entry[1] != lang:
                    if len(cues) == 1:
                        # Most such tuples ("U.S.", "yen"): one call, no list.
                        if not _cue_here(f, start, cues[0], lang):
                            continue
                    else:
                        kept = [cue for cue in cues if _cue_here(f, start, cue, lang)]
                        if len(kept) != len(cues):
                            ok = kept
                            static = None
                        # else every cue passed ("Nasdaq" in its case): the tuple and its decision hold
                if ok and end + 1 < len(text) and text[end] == "-" and text[end + 1].isupper():
                    # "Bristol-Myers", "Allis-Chalmers": a town in a compound name is a company.
                    ok = [cue for cue in ok if cue.kind not in _COMPOUND_VETO_KINDS]
                    static = None
                if ok and lang != "en" and text[start].isupper() and _common_word_here(fields, f, start, end):
                    # A capital says nothing at the start of a sentence: a place name that the same
                    # article also writes in lower case ("Réunion à Damas" ... "une réunion") is
                    # that word there, and only supports a country named otherwise.
                    ok = [
                        dataclasses.replace(cue, flags=cue.flags | _F_SUPPORT) if cue.case == lx.CASE_TITLE else cue
                        for cue in ok
                    ]
                    static = None
                if ok:
                    spans.append((f, start, end, pos, ok, static))
        return spans

    def _cue_entry(self, cues: tuple[lx.GeoCue, ...]) -> _CueEntry:
        """What a cue tuple of the automaton says before any match, worked out on its first match.

        ``(cues, plain, static)``. ``plain`` is the language the cues are limited to ("" for none) when no cue
        needs a check at the match (case, a number before it), else None: every match in that language keeps
        them all. ``static`` is what the cues decide whatever the article, else None. Cues without flags (the
        number one aside: it is checked at the match) name the same strong countries at every match, and with
        a single country ``_span_cue`` and ``_tally_spans`` would pick the same cue and finer place; cues that
        are all boilerplate are only filed as such. Most spans are of one kind or the other. Keyed by
        identity (the tuple is kept, so its id is not reused).
        """
        entry = self._static.get(id(cues))
        if entry is not None and entry[0] is cues:
            return entry
        langs = {cue.lang for cue in cues if cue.lang}
        plain = None
        if len(langs) <= 1 and not any(cue.case or cue.flags & _F_NUMBER for cue in cues):
            plain = langs.pop() if langs else ""
        info: _Static | None = None
        # The number flag is checked at the match (_geo_hits); past that it is as no flag.
        if all(not cue.flags & ~_F_NUMBER for cue in cues):
            strong = tuple({cue.target: None for cue in cues if cue.kind in _STRONG_KINDS})
            pick = None
            if len({cue.target for cue in cues}) == 1:
                best = cues[0]
                for cue in cues[1:]:
                    if cue.weight > best.weight:
                        best = cue
                own = [cue for cue in cues if cue.place is not None]
                pick = (best, max(own, key=_place_rank).place if own else None)
            info = (strong, pick, False)
        elif all(cue.flags == _F_IMPLICIT for cue in cues):
            info = ((), None, True)  # only filed as boilerplate (see _span_cue), whatever the article
        entry = self._static[id(cues)] = (cues, plain, info)
        return entry

    def _ambiguous_ok(
        self, f: _Field, start: int, end: int, cue: lx.GeoCue, strong: set[str], any_strong: bool
    ) -> bool:
        rule = cue.rule
        if rule is None:
            return cue.target in strong
        prev, prev_cap = _prev_word(f, start)
        nxt, next_cap = _next_word(f, end)
        if rule.require_prev and prev not in rule.require_prev:
            return False
        if prev in rule.not_prev or nxt in rule.not_next:
            return False
        if rule.person_check and cue.kind != "leader" and not f.upper:
            headline = f.name == "title" and _headline_style(f.text)
            if not headline:
                if prev_cap and prev not in _PLACE_PREFIXES:
                    return False  # "Michael Jordan", "Harold Washington"
                if next_cap and nxt not in _PLACE_PREFIXES and cue.target not in strong:
                    return False  # "Chad Smith", "Victoria Beckham"
        if cue.target in strong:
            return True
        if rule.context == "free":
            return True
        return rule.context == "context" and any_strong

    def _places(
        self, fields: tuple[_Field, ...], scans: tuple[list[_GeoHit], ...], lang: str
    ) -> tuple[list[PlaceTag], set[str], dict[str, list[Evidence]]]:
        """Places in named passes; every language runs the same passes on its own matches.

        1. ``_geo_hits``: matches that pass case, language and number checks;
        2. ``_strong_countries``: countries named unambiguously (the context for the rest);
        3. ``_tally_spans``: one country per span, scored by weight x position;
        4. ``_lead_company``, ``_headline_ticker``, ``_listings``: wire conventions;
        5. ``_decide_focus``: thresholds, headline anchors, late mentions, lists;
        6. ``_legal_form_fallback``, ``_weak_cue_fallback``: when nothing named decides;
        7. ``_place_tags``.
        """
        spans = self._geo_hits(fields, scans, lang)
        title = fields[0].text
        if not spans and "<" not in title and not self.lex.lead_company:
            return [], set(), {}
        strong = self._strong_countries(spans)
        tally = self._tally_spans(spans, strong)
        self._lead_company(fields[1], tally)
        self._headline_ticker(fields[0], tally)
        if self.lex.exchange_suffixes and ("<" in title or "<" in fields[1].text):
            self._listings(fields, tally)
        focus = self._decide_focus(tally)
        if not focus:
            focus = self._legal_form_fallback(title, tally)
        if not focus:
            focus = self._weak_cue_fallback(tally)
        return self._place_tags(tally, focus), focus, tally.region_named

    def _strong_countries(self, spans: list[_GeoSpan]) -> set[str]:
        """Countries named by an unambiguous name, demonym, capital, institution, leader or market."""
        strong: set[str] = set()
        free_ambiguous: list[tuple[_Field, int, int, lx.GeoCue]] = []
        for f, start, end, _p, cues, static in spans:
            if static is not None:
                strong.update(static[0])
                continue
            for cue in cues:
                if cue.kind in _STRONG_KINDS:
                    flags = cue.flags
                    if not flags & _NOT_STRONG:
                        strong.add(cue.target)
                    elif flags & _F_AMBIG and cue.rule is not None and cue.rule.context == "free":
                        free_ambiguous.append((f, start, end, cue))
        # Ambiguous names that may stand alone (Washington, Sudan) are strong
        # evidence once they pass their vetoes.
        for f, start, end, cue in free_ambiguous:
            if cue.target not in strong and self._ambiguous_ok(f, start, end, cue, strong, True):
                strong.add(cue.target)
        return strong

    def _span_cue(
        self, f: _Field, start: int, end: int, pos: float, cues: Sequence[lx.GeoCue], strong: set[str], tally: _Tally
    ) -> tuple[lx.GeoCue, list[lx.GeoCue]] | None:
        """The one country cue a span stands for (region names and boilerplate are filed on the way)."""
        any_strong = bool(strong)
        best: dict[str, lx.GeoCue] = {}
        place_cues: list[lx.GeoCue] = []
        for cue in cues:
            flags = cue.flags
            if flags:
                if flags & _F_REGION:
                    tally.region_named.setdefault(cue.target, []).append(
                        Evidence(f.name, start, end, f.text[start:end])
                    )
                    continue
                if flags & _F_IMPLICIT:
                    tally.add_implicit(cue, pos, f, start, end)
                    continue
                if flags & _F_AMBIG:
                    if not self._ambiguous_ok(f, start, end, cue, strong, any_strong):
                        continue
                elif flags & _F_SUPPORT and cue.target not in strong:
                    # With no named country at all, a sizeable city may stand alone,
                    # unless it reads as part of a name ("Morgan Stanley").
                    if any_strong or cue.kind != "city" or f.upper:
                        continue
                    _prev, prev_cap = _prev_word(f, start)
                    if prev_cap and _prev not in _PLACE_PREFIXES:
                        continue
                    _nxt, next_cap = _next_word(f, end)
                    if next_cap:
                        continue  # "George Washington" is a person, not George (ZA)
            if cue.place is not None:
                place_cues.append(cue)
            cur = best.get(cue.target)
            if cur is None or cue.weight > cur.weight:
                best[cue.target] = cue
        if not best:
            return None
        if len(best) == 1:
            return next(iter(best.values())), place_cues
        # One surface name, several countries (Georgia, Valencia, Hyderabad):
        # keep one, preferring a country named elsewhere, then population.
        # A province or state outranks a town of the same name abroad
        # (Ontario, California is no reason to drop the province).
        pool = [c for c in best.values() if c.kind not in _TOWN_KINDS] or list(best.values())
        pool = [c for c in pool if c.target in strong] or pool
        return best[max(pool, key=_capital_rank).target], place_cues

    def _tally_spans(self, spans: list[_GeoSpan], strong: set[str]) -> _Tally:
        tally = _Tally()
        scores, evidence = tally.scores, tally.evidence
        scores_get, evidence_get = scores.get, evidence.get
        for f, start, end, pos, cues, static in spans:
            if static is not None and static[1] is not None:
                cue, place = static[1]
            elif static is not None and static[2]:
                for cue in cues:
                    tally.add_implicit(cue, pos, f, start, end)
                continue
            else:
                picked = self._span_cue(f, start, end, pos, cues, strong, tally)
                if picked is None:
                    continue
                cue, place_cues = picked
                place = None
                if place_cues:
                    own = [c for c in place_cues if c.target == cue.target]
                    if own:
                        place = max(own, key=_place_rank).place
            target, kind = cue.target, cue.kind
            title_field = f.name == "title"
            if title_field or start < LEAD_CHARS:
                tally.early.add(target)
                if kind == "market" or (title_field and kind in _ANCHOR_KINDS and not cue.flags & _F_AMBIG):
                    tally.anchored.add(target)
            if kind in _ANCHOR_KINDS:
                tally.listed.append((f, start, end, target))
            # _Tally.add written out: the Evidence is made only when the country has room for it.
            scores[target] = scores_get(target, 0.0) + cue.weight * pos
            have = evidence_get(target)
            if have is None:
                evidence[target] = [Evidence(f.name, start, end, f.text[start:end])]
            elif len(have) < MAX_EVIDENCE:
                have.append(Evidence(f.name, start, end, f.text[start:end]))
            if place is not None:
                tally.finer.setdefault(target, {}).setdefault(place["name"], place)
        return tally

    def _lead_company(self, body: _Field, tally: _Tally) -> None:
        """A company of a national legal form that is the subject of the lead sentence ("Acme Corp said")."""
        if not body.text or not self.lex.lead_company:
            return
        for lead in self.lex.lead_company:
            lm = lead.match(body.text)
            if lm is None:
                continue
            a, b = lm.span("form")
            tally.add(lead.country, self.lex.weights.get("lead_company", 0.0), Evidence("body", a, b, body.text[a:b]))
            return

    def _headline_ticker(self, title: _Field, tally: _Tally) -> None:
        """A bare ticker in the headline ("<DD>") is a US listing; 5 letters ending F/Y only hint."""
        if "<" not in title.text:
            return
        m = _TICKER.search(title.text)
        if not m:
            return
        if len(m.group(0)) == 7 and m.group(0)[5] in "FY":
            tally.implicit[TICKER_COUNTRY] = tally.implicit.get(TICKER_COUNTRY, 0.0) + TICKER_WEIGHT
            tally.implicit_spans.setdefault(TICKER_COUNTRY, []).insert(0, (title, m.start(), m.end()))
            return
        w = self.lex.weights.get("ticker", 0.0) * TITLE_FACTOR
        tally.scores[TICKER_COUNTRY] = tally.scores.get(TICKER_COUNTRY, 0.0) + w
        tally.evidence.setdefault(TICKER_COUNTRY, []).insert(0, Evidence("title", m.start(), m.end(), m.group(0)))
        tally.early.add(TICKER_COUNTRY)

    def _listings(self, fields: tuple[_Field, ...], tally: _Tally) -> None:
        """Tickers with an exchange suffix ("<BMW.F>", "<BP.L>"): the company's home market."""
        weight = self.lex.weights.get("listing", 0.0)
        suffixes = self.lex.exchange_suffixes
        for f in fields:
            if "<" not in f.text:
                continue
            title_field = f.name == "title"
            for m in _LISTING.finditer(f.text):
                country = suffixes.get(m.group(1))
                if country is None:
                    continue
                start = m.start()
                pos = TITLE_FACTOR if title_field else (LEAD_FACTOR if start < LEAD_CHARS else 1.0)
                tally.add(country, weight * pos, Evidence(f.name, start, m.end(), m.group(0)))
                if title_field or start < LEAD_CHARS:
                    tally.early.add(country)

    @staticmethod
    def _decide_focus(tally: _Tally) -> set[str]:
        """Focus by score (FOCUS_MIN, FOCUS_RATIO), then the headline, late-mention and list corrections."""
        scores = tally.scores
        for target, extra in tally.implicit.items():
            if target in scores:
                scores[target] += extra
        least = max(FOCUS_MIN, FOCUS_RATIO * max(scores.values(), default=0.0))
        early = tally.early
        # One loop, not a comprehension per rule: an article has one or two countries, and each
        # comprehension costs more than its few items.
        focus: set[str] = set()
        for c, s in scores.items():
            if s >= least and (not early or c in early or s >= LATE_MIN):
                focus.add(c)
        for c in tally.anchored:
            if scores.get(c, 0.0) >= ANCHOR_MIN:
                focus.add(c)
        if focus and len(tally.listed) >= LIST_MIN_MEMBERS:  # fewer spans cannot name a list (most articles)
            focus.update(_lead_list_members(tally.listed))
        return focus

    def _legal_form_fallback(self, title: str, tally: _Tally) -> set[str]:
        """A headline company of a legal form the US does not use ("<Acme Ltd> year net").

        On a North American wire that is a Canadian company.
        """
        for pattern, country in self.lex.legal_form_fallback:
            lm = pattern.search(title)
            if lm is not None:
                tally.scores[country] = tally.scores.get(country, 0.0) + self.lex.weights.get("legal_form", 0.0)
                tally.evidence.setdefault(country, []).insert(0, Evidence("title", lm.start(), lm.end(), lm.group(0)))
                return {country}
        return set()

    @staticmethod
    def _weak_cue_fallback(tally: _Tally) -> set[str]:
        """Only weak cues (a smaller city, market boilerplate): the strongest still says where, if strong enough."""
        scores = tally.scores
        combined = dict(tally.implicit)
        for c, v in scores.items():
            combined[c] = combined.get(c, 0.0) + (0.0 if c in tally.implicit else v)
        if not combined:
            return set()
        cand, val = max(combined.items(), key=lambda kv: kv[1])
        if val < IMPLICIT_MIN:
            return set()
        scores[cand] = max(scores.get(cand, 0.0), val)
        if not tally.evidence.get(cand):
            tally.evidence[cand] = [
                Evidence(f.name, a, b, f.text[a:b]) for f, a, b in tally.implicit_spans.get(cand, ())
            ]
        return {cand}

    def _place_tags(self, tally: _Tally, focus: set[str]) -> list[PlaceTag]:
        names, evidence, finer = self._country_names, tally.evidence, tally.finer
        tags: list[tuple[bool, float, str, PlaceTag]] = []
        for c, raw in tally.scores.items():
            places = finer.get(c)
            role: Role = "focus" if c in focus else "mention"
            score = _place_score(raw)
            tag = PlaceTag(
                c, names.get(c, c), role, score, evidence.get(c, []), list(places.values()) if places else []
            )
            tags.append((role != "focus", -score, c, tag))
        # Focus first, then by score and code: codes are unique, so the tags themselves are never compared.
        tags.sort()
        return [t[3] for t in tags]

    # ------------------------------------------------------------------ regions

    def _regions(self, places: list[PlaceTag], named: dict[str, list[Evidence]]) -> list[RegionTag]:
        """Regions of focus countries, plus regions named in the text."""
        if not named and places and places[0].role == "focus" and (len(places) == 1 or places[1].role != "focus"):
            # One focus country (focus tags come first) and no region named, as in most articles: its regions,
            # all at its score, so in slug order.
            tag = places[0]
            order = self._region_order.get(tag.country)
            if order is not None:
                return [RegionTag(slug, label, tag.score, tag.evidence[:4]) for slug, label in order]
        out: dict[str, RegionTag] = {}
        for tag in places:
            if tag.role != "focus":
                continue
            for slug, label in self._region_labels.get(tag.country, ()):
                r = out.get(slug)
                if r is None:
                    out[slug] = RegionTag(slug, label, tag.score, tag.evidence[:4])
                else:
                    if tag.score > r.score:
                        r.score = tag.score
                    if len(r.evidence) < MAX_EVIDENCE:
                        r.evidence.extend(tag.evidence[: MAX_EVIDENCE - len(r.evidence)])
        for slug, evs in named.items():
            named_reg = self.lex.regions.get(slug)
            if named_reg is None:
                continue
            raw = sum(2.0 if e.field == "title" else 1.0 for e in evs)
            score = _place_score(raw)
            r = out.get(slug)
            if r is None:
                out[slug] = RegionTag(slug, named_reg.label, score, evs[:MAX_EVIDENCE])
            else:
                r.score = max(r.score, score)
                r.evidence = (evs + r.evidence)[:MAX_EVIDENCE]
        return sorted(out.values(), key=lambda r: (-r.score, r.code))

    # ------------------------------------------------------------------ topics

    def _topics(self, fields: tuple[_Field, ...], scans: tuple[list[_TopicHit], ...]) -> list[TopicTag]:
        raw: dict[str, float] = {}
        # Sums after the headline and after the lead (hits come in text order): they break ties in the top-1
        # order. Snapshots, not per-cue sums, keep the loop below as fast as before.
        head: dict[str, float] = {}
        upto_lead: dict[str, float] | None = None
        spans: dict[str, list[tuple[_Field, int, int]]] = {}
        counts: dict[int, int] = {}
        # Bound once: this loop runs for every topic cue of every match.
        counts_get, raw_get, spans_get, cap = counts.get, raw.get, spans.get, TERM_REPEAT_CAP
        # The last sense check (rule, span, field) and its result.
        last_sense: lx.SenseRule | None = None
        last_start, last_end, last_field, last_ok = -1, -1, fields[0], True
        for f, hits in zip(fields, scans, strict=True):
            title_field = f.name == "title"
            # A headline is too short to tell a sense: its context includes the lead.
            more = fields[1].low if title_field else ""
            if not title_field:
                head = dict(raw)
            for start, end, cues in hits:
                if title_field:
                    factor = TOPIC_TITLE_FACTOR
                elif start < LEAD_CHARS:
                    factor = TOPIC_LEAD_FACTOR
                else:
                    factor = 1.0
                    if upto_lead is None:
                        upto_lead = dict(raw)
                span = (f, start, end)
                for cue in cues:
                    # The repeat cap first: a capped cue is skipped whatever its checks say, and they cost more.
                    key = id(cue)
                    n = counts_get(key, 0)
                    if n >= cap:
                        continue
                    if cue.checked:
                        if cue.case and not _case_ok(f, start, cue.case, cue.pattern):
                            continue
                        sense = cue.sense
                        if sense is not None:
                            # A word under several topics often has one rule for them all: checked once here.
                            if sense is not last_sense or start != last_start or end != last_end or f is not last_field:
                                last_ok = sense.holds(f.low, start, end, more)
                                last_sense, last_start, last_end, last_field = sense, start, end, f
                            if not last_ok:
                                continue  # another sense of the word, told by its neighbours
                    counts[key] = n + 1
                    code = cue.code
                    raw[code] = raw_get(code, 0.0) + cue.weight * factor
                    sp = spans_get(code)
                    if sp is None:
                        spans[code] = [span]
                    elif len(sp) < MAX_EVIDENCE and (sp[-1][1] != start or sp[-1][0] is not f):
                        sp.append(span)
        if not raw:
            return []
        info = self._topic_info
        # Lift ancestors: an ancestor scores at least its best descendant; one without evidence of its own
        # cites its first descendant's spans.
        lifted = dict(raw)
        for code, val in raw.items():
            for anc in info[code][3]:
                if lifted.get(anc, 0.0) < val:
                    lifted[anc] = val
                    if anc not in spans:
                        spans[anc] = spans[code]
        # The best top-level score: the best raw score, since every topic's top-level ancestor (or the topic
        # itself) is lifted to at least its score (lexicon.Topic: every parent chain ends at a top-level topic).
        best_top = max(raw.values())
        # A feed item (a headline and a sentence) has room for one or two topic words: one counts.
        short = len(fields[0].text) + len(fields[1].text) < SHORT_ITEM_CHARS
        floor = max(TOPIC_MIN_SHORT if short else TOPIC_MIN, TOPIC_RATIO * best_top)
        # Tags with their order (see below): codes are unique, so the tags themselves are never compared.
        keyed: list[tuple[float, bool, str, TopicTag]] = []
        tops: list[float] = []
        for code, val in lifted.items():
            label, parent, top, _anc = info[code]
            # A sub-topic is only reported under a reported top-level topic.
            if parent is None:
                if val < floor:
                    continue
                tops.append(val)
            elif val < SUBTOPIC_MIN or lifted[top] < floor:
                continue
            ev_list = [Evidence(f.name, a, b, f.text[a:b]) for f, a, b in spans[code]]
            keyed.append((-val, parent is not None, code, TopicTag(code, label, _topic_score(val), ev_list, parent)))
        # Strongest first by the uncapped sum (an ancestor before its descendants): the first top-level tag is
        # "the" topic. Only top-level topics whose sums tie need the tie-break evidence (rare: built only for them).
        # Weights (1-4) times position factors (1, 1.5, 2) are exact in binary: equal sums compare equal.
        if len(set(tops)) == len(tops):
            keyed.sort()
            return [k[3] for k in keyed]
        out = [k[3] for k in keyed]
        ties = self._tie_keys(out, fields, raw, lifted, head, upto_lead, spans)
        out.sort(key=lambda t: (-lifted[t.code], t.parent is not None, ties.get(t.code, ()), t.code))
        return out

    def _tie_keys(
        self,
        tags: list[TopicTag],
        fields: tuple[_Field, ...],
        raw: dict[str, float],
        lifted: dict[str, float],
        head: dict[str, float],
        upto_lead: dict[str, float] | None,
        spans: dict[str, list[tuple[_Field, int, int]]],
    ) -> dict[str, tuple[Any, ...]]:
        """Tie-break keys (see :func:`_topic_tie_break`) of the top-level tags whose sums tie."""
        by_val: dict[float, list[str]] = {}
        for t in tags:
            if t.parent is None:
                by_val.setdefault(lifted[t.code], []).append(t.code)
        info = self._topic_info
        keys: dict[str, tuple[Any, ...]] = {}
        for val, codes in by_val.items():
            if len(codes) < 2:
                continue
            for code in codes:
                # Where the score comes from: the topic's own evidence, or the first descendant (in order
                # found) with the lifted score.
                if raw.get(code) == val:
                    src = code
                else:
                    src = next(d for d, v in raw.items() if v == val and code in info[d][3])
                src_spans = spans[src]
                in_head = head.get(src, 0.0)
                in_lead = (raw[src] if upto_lead is None else upto_lead.get(src, 0.0)) - in_head
                keys[code] = _topic_tie_break(
                    in_head,
                    in_lead,
                    len({f.low[a:b] for f, a, b in src_spans}),
                    (src_spans[0][0] is not fields[0], src_spans[0][1]),
                )
        return keys
