"""Load the gazetteer and topic data files into Aho-Corasick automata.

Runs once, from :meth:`newsmon.classify.Classifier.load`; nothing here is
called per article. A missing or malformed data file raises
:class:`LexiconError` naming the file, so a broken deployment fails at start-up
instead of silently classifying nothing. The built lexicon is kept in a
per-user disk cache (:mod:`newsmon.classify.cache`), so later start-ups read
it back instead of building it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import logging
import math
import operator
import os
import pickle
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

import newsmon
from newsmon.classify import arabic
from newsmon.classify import cache as disk_cache
from newsmon.classify.compounds import CompoundHeads

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
LANG_DIR = "lang"
# Languages whose text and terms go through Arabic normalization and clitic rules.
CLITIC_LANGS = frozenset({"ar"})
# Languages that elide articles and prepositions into the next word (l'armée, d'Irak).
ELISION_LANGS = frozenset({"fr", "it", "ca"})
_LANG_CODE = re.compile(r"[a-z]{2}")

# Case modes of a pattern.
CASE_ANY = 0
CASE_TITLE = 1
CASE_EXACT = 2

# Cue flags.
F_SUPPORT = 1  # counts only when the country has other evidence
F_AMBIG = 2  # ambiguous word: needs context (see AmbiguityRule)
F_NUMBER = 4  # currency word that needs a number or "mln"/"billion" before it
F_IMPLICIT = 8  # weak market boilerplate cue
F_REGION = 16  # a region alias, not a country

# Suffix allowances: how many letters may follow a key inside the same word.
SUFFIX_NONE = 0
SUFFIX_ANY = -1

# How far into the body the lead sentence's company may end.
LEAD_COMPANY_CHARS = 120

# Capitals of micro-states double as surnames and company names (Morgan
# Stanley, McDonnell Douglas): they only support an otherwise named country.
SMALL_COUNTRY_POP = 200_000


class LexiconError(RuntimeError):
    """A data file is missing or malformed; the message names the file."""


def _reduce_by_fields(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a frozen slots dataclass as a call of its constructor.

    The dataclass default restores each object through ``fields()``, which
    made reading the cached lexicon (47,000 cues) cost as much as building it.
    ``__slots__`` lists the fields in the order of ``__init__``.
    """
    cls = type(obj)
    fields_of = _FIELD_GETTERS.get(cls)
    if fields_of is None:
        fields_of = _FIELD_GETTERS[cls] = operator.attrgetter(*cls.__slots__)
    return cls, fields_of(obj)


# Per class, a C getter of every field as a tuple (the classes have more than one field).
_FIELD_GETTERS: dict[type, Any] = {}


@dataclass(frozen=True, slots=True)
class AmbiguityRule:
    """Extra conditions for a name that is also a common word or a person."""

    # "support": only when the same country has other evidence; "context": also
    # when any other country is named; "free": unless a veto applies.
    context: str
    not_next: frozenset[str]
    not_prev: frozenset[str]
    require_prev: frozenset[str]
    person_check: bool  # veto when it looks like part of a person's name
    subdivision: str | None = None


@dataclass(frozen=True, slots=True)
class GeoCue:
    target: str  # ISO2 country or region slug
    kind: str
    weight: float
    case: int
    pattern: str
    flags: int
    place: dict[str, Any] | None = None
    rule: AmbiguityRule | None = None
    population: int = 0
    lang: str = ""  # set for translated names: only used for articles in that language

    __reduce__ = _reduce_by_fields


@dataclass(frozen=True, slots=True)
class SenseRule:
    """A term whose topic depends on its neighbours (lang/<code>/senses.yaml).

    Within ``window`` characters either side of the match, any ``unless``
    word drops the cue ("campaign" next to "security forces" is no election),
    and a ``needs`` pattern keeps it only when one of its words is there
    ("fire" is a disaster next to "blaze" or "firefighters", not in "opened
    fire" or "came under fire").
    """

    unless: re.Pattern[str] | None
    needs: re.Pattern[str] | None
    window: int
    normalize_arabic: bool = False
    # The first words of ``unless`` and ``needs`` (see _word_alternation), or None: search the whole window.
    unless_heads: Any = field(default=None, compare=False)
    needs_heads: Any = field(default=None, compare=False)

    __reduce__ = _reduce_by_fields

    def holds(self, low: str, start: int, end: int, more: str = "") -> bool:
        """Whether the sense holds around ``low[start:end]`` (``more``: extra context, the lead for a headline)."""
        window = self.window
        lo = start - window if start > window else 0
        hi = end + window
        if more or self.normalize_arabic:
            seg = low[lo:hi]
            if more:
                seg = seg + " \n " + more[: 2 * window]
            if self.normalize_arabic:
                seg = arabic.normalize(seg)
            if self.unless is not None and near(self.unless, self.unless_heads, seg):
                return False
            return self.needs is None or near(self.needs, self.needs_heads, seg)
        # Most checks (a body's words): the window is searched in place, as its slice would be.
        if self.unless is not None and near_in(self.unless, self.unless_heads, low, lo, hi):
            return False
        return self.needs is None or near_in(self.needs, self.needs_heads, low, lo, hi)


def near(words: re.Pattern[str], heads: Any, seg: str) -> bool:
    """Whether ``words`` (a :func:`_word_alternation`) matches somewhere in ``seg``.

    ``heads``, when given, finds where each alternative's first word occurs:
    a match can only start there, so the pattern is tried at those places
    alone. Searching the whole window makes the regex engine try every
    position (its lookbehind defeats the search's literal prefix scan), about
    four times the cost. A match at an offset still sees the character before
    it, as the search did.
    """
    if heads is None:
        return words.search(seg) is not None
    match = words.match
    return any(match(seg, end - size + 1) is not None for end, size in heads.iter(seg))


def near_in(words: re.Pattern[str], heads: Any, text: str, lo: int, hi: int) -> bool:
    """:func:`near` on ``text[lo:hi]``, without making the slice (most windows hold no first word).

    The automaton scans from ``lo`` to ``hi`` as it would scan the slice, and a
    match at a first word is bounded by ``hi`` as the slice's end bounds it. Only
    the lookbehind differs: at ``pos`` it still sees ``text[pos - 1]``, where at
    the slice's first character it sees nothing, so a first word found right at
    ``lo`` is tried on the slice itself.
    """
    if hi > len(text):
        hi = len(text)  # the automaton would read past the end (pyahocorasick does not bound it)
    if heads is None:
        return words.search(text[lo:hi]) is not None
    match = words.match
    for end, size in heads.iter(text, lo, hi):
        pos = end - size + 1
        if pos == lo and lo:
            if match(text[lo:hi]) is not None:
                return True
        elif match(text, pos, hi) is not None:
            return True
    return False


@dataclass(frozen=True, slots=True)
class TopicCue:
    code: str
    weight: float
    case: int
    pattern: str
    sense: SenseRule | None = None
    # Case or sense to check per match (most cues have neither).
    checked: bool = False
    # Written with "*" (for the data tests: a key's suffix allowance is the widest of its cues').
    prefix: bool = field(default=False, compare=False)

    __reduce__ = _reduce_by_fields


@dataclass(slots=True)
class Topic:
    code: str
    label: str
    parent: str | None
    ancestors: tuple[str, ...] = ()

    @property
    def top(self) -> str:
        return self.ancestors[-1] if self.ancestors else self.code


@dataclass(slots=True)
class Region:
    code: str
    label: str
    members: frozenset[str]


@dataclass(frozen=True, slots=True)
class LeadCompany:
    """The lead sentence's subject is a company of a national legal form ("Acme Inc said")."""

    pattern: re.Pattern[str]  # see _lead_company_patterns
    country: str
    # Every form of the pattern contains one of these ("Incorporated" has "Inc"),
    # and a match ends its form within the first ``lead`` characters.
    cores: tuple[str, ...]
    lead: int

    def match(self, body: str) -> re.Match[str] | None:
        # The regex tries every start in the lead, which costs more than the
        # rest of the places step; most bodies have no legal form there at all.
        for core in self.cores:
            if body.find(core, 0, self.lead) >= 0:
                return self.pattern.match(body)
        return None


@dataclass(slots=True)
class LanguagePack:
    """What the engine needs for one language: the same passes run on each pack's data."""

    code: str
    stopwords: frozenset[str]
    clitics: bool  # Arabic normalization and clitic rules (see newsmon.classify.arabic)
    topic_terms: int
    # Also scan English's automaton for the shared place names (not its topics).
    shared_geo: bool = False
    # False for a language with place names but no folder: English's topic terms serve.
    has_topics: bool = True
    # An apostrophe ends a word (l'armée), so the word after it can match.
    elision: bool = False
    # Compound heads ("endings" in topics.yaml): "Millionenbetrug" counts as "Betrug".
    compounds: CompoundHeads | None = None
    # The automaton (the language's own place names plus its topic terms), or, until its first use when
    # loaded with ``lazy``, the arguments of build_automaton that make it, or its pickle from the cache.
    _auto: Any = None
    _parts: tuple[Any, ...] | None = None
    _pickled: bytes | memoryview | None = None

    @property
    def auto(self) -> Any:
        auto = self._auto
        if auto is None:
            if self._pickled is not None:
                with _gc_paused():
                    auto = self._auto = pickle.loads(self._pickled)  # noqa: S301 - see newsmon.classify.cache
                self._pickled = None
                logger.debug("automaton of language %s read from the cache on first use", self.code)
            elif self._parts is not None:
                with _gc_paused():
                    auto = self._auto = build_automaton(*self._parts)
                self._parts = None
                logger.debug("automaton of language %s built on first use", self.code)
            else:
                raise LexiconError(f"language pack {self.code!r} has no automaton")
        return auto


@dataclass(slots=True)
class Lexicon:
    auto: Any  # ahocorasick.Automaton, see build_automaton
    countries: dict[str, dict[str, Any]]
    regions: dict[str, Region]
    country_regions: dict[str, tuple[str, ...]]
    topics: dict[str, Topic]
    top_level: tuple[str, ...]
    weights: dict[str, float]
    stats: dict[str, int] = field(default_factory=dict)
    lead_company: tuple[LeadCompany, ...] = ()
    # (pattern, country): a headline company of that legal form, when nothing else decides.
    legal_form_fallback: tuple[tuple[re.Pattern[str], str], ...] = ()
    # Ticker exchange suffix ("F" in "<BMW.F>") -> ISO2 country of the exchange.
    exchange_suffixes: dict[str, str] = field(default_factory=dict)
    # One pack per language folder (lang/<code>/); ``auto`` is English's.
    packs: dict[str, LanguagePack] = field(default_factory=dict)
    # Read from the disk cache (newsmon.classify.cache) rather than built from the data files.
    cached: bool = False


def _read_yaml(path: Path) -> Any:
    # Imported here: a start-up served by the cache reads no YAML.
    import yaml

    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders only
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"cannot read {path}: {exc}") from exc


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise LexiconError(f"cannot read {path}: {exc}") from exc


def case_mode(pattern: str) -> tuple[str, int]:
    """Strip the "~" marker and derive the case rule documented in the data files."""
    if pattern.startswith("~"):
        return pattern[1:], CASE_ANY
    if pattern.islower():
        # No capital at all (most topic terms): every rule below needs one.
        return pattern, CASE_ANY
    if pattern.isascii():
        return pattern, _ascii_case_mode(_NOT_ASCII_LETTER.sub("", pattern))
    # map/filter with str methods: the per-letter tests run in C, not in a generator.
    letters = "".join(filter(str.isalpha, pattern))
    if not letters or not (any(map(str.isupper, letters)) or any(map(str.islower, letters))):
        return pattern, CASE_ANY  # scripts without case (Arabic)
    if len(letters) > 1 and all(map(str.isupper, letters)):
        return pattern, CASE_EXACT
    if letters[0].islower() and any(map(str.isupper, letters[1:])):
        return pattern, CASE_EXACT  # "iPod", "eBay": exact, as written
    if letters[0].isupper():
        return pattern, CASE_TITLE
    return pattern, CASE_ANY


_NOT_ASCII_LETTER = re.compile("[^A-Za-z]")


def _ascii_case_mode(letters: str) -> int:
    """:func:`case_mode` of an ASCII pattern, given its letters (the same rules with str methods, C speed)."""
    if not letters:
        return CASE_ANY
    if len(letters) > 1 and letters.isupper():
        return CASE_EXACT
    first, rest = letters[0], letters[1:]
    if first.islower() and not rest.islower() and rest:
        return CASE_EXACT  # "iPod", "eBay": exact, as written
    if first.isupper():
        return CASE_TITLE
    return CASE_ANY


_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


def _is_arabic(s: str) -> bool:
    """Whether ``s`` has a character of the Arabic block (U+0600-U+06FF)."""
    return not s.isascii() and _ARABIC_LETTER.search(s) is not None


def has_arabic(text: str) -> bool:
    """Whether ``text`` has a character of the Arabic block (U+0600-U+06FF)."""
    return _is_arabic(text)


def safe_lower(text: str) -> str:
    """Lower-case without changing the length, so offsets stay valid.

    "İ" (Turkish capital dotted i) lower-cases to two code points; it becomes "i".
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    text = text.replace("\u0130", "i")
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


class _Builder:
    def __init__(self) -> None:
        self.entries: dict[str, tuple[int, list[Any]]] = {}

    def add(self, key: str, suffix: int, cue: Any) -> None:
        # ё is optional in Russian writing; text is folded the same way (engine._scan).
        key = safe_lower(key.strip()).replace("\u0451", "\u0435")
        if not key:
            return
        slot = self.entries.get(key)
        if slot is None:
            self.entries[key] = (suffix, [cue])
            return
        old_suffix, cues = slot
        if cue not in cues:
            cues.append(cue)
        if suffix != old_suffix:
            # Keep the more permissive suffix; exact-word cues re-check themselves.
            wider = SUFFIX_ANY if SUFFIX_ANY in (suffix, old_suffix) else max(suffix, old_suffix)
            self.entries[key] = (wider, cues)


def _boundary_tables() -> tuple[bytes, dict[int, int]]:
    """Translation tables that turn every word separator into a space.

    Keys and texts go through the same table, so "U.S." and "al-Qaeda" still
    match themselves while each key can carry a leading space: the automaton
    then only reports matches that start a word, instead of every "aid" inside
    "said", which used to be a third of all matches.
    """
    # Apostrophes stay: "Inc's" must not become "inc s" and shadow "Inc" in "Inc said".
    keep = {ord("'"), 0x2019}
    ascii_table = bytes(c if chr(c).isalnum() or c in keep else 0x20 for c in range(256))
    uni: dict[int, int] = {c: 0x20 for c in range(128) if not chr(c).isalnum() and c not in keep}
    extra = list(range(0xA0, 0xC0)) + list(range(0x2000, 0x2070)) + [0xD7, 0xF7, 0x060C, 0x061B, 0x061F, 0x06D4]
    uni.update({c: 0x20 for c in extra if not chr(c).isalnum() and c not in keep})
    return ascii_table, uni


_ASCII_BOUNDARY, _UNICODE_BOUNDARY = _boundary_tables()
# Non-ASCII text: UTF-8 never uses a byte below 0x80 inside a multi-byte
# character, so the ASCII separators can be mapped byte for byte (C speed,
# character positions unchanged); the few non-ASCII separators go through one
# regex, only when the text has one. About 2.5 times faster on Arabic than a
# character class over all of them, 5 times faster than str.translate.
_UTF8_BOUNDARY = bytes(c if c >= 0x80 else _ASCII_BOUNDARY[c] for c in range(256))
_NON_ASCII_BOUNDARY_RE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in sorted(_UNICODE_BOUNDARY) if c >= 0x80) + "]"
)


def boundary_text(low: str) -> str:
    """``low`` with word separators as spaces, same length (offsets stay valid)."""
    if low.isascii():
        return low.encode("ascii").translate(_ASCII_BOUNDARY).decode("ascii")
    out = low.encode("utf-8", "surrogatepass").translate(_UTF8_BOUNDARY).decode("utf-8", "surrogatepass")
    return _NON_ASCII_BOUNDARY_RE.sub(" ", out) if _NON_ASCII_BOUNDARY_RE.search(out) else out


# Joins keys for _each: a private-use character, which no table here maps and no data file writes.
_KEY_SEP = "\ue000"


def _each(per_char: Any, keys: Iterable[str]) -> list[str]:
    """``[per_char(k) for k in keys]`` in one call, for a function that maps each character on its own.

    boundary_text and str.translate change every character independently of
    its neighbours (and leave _KEY_SEP alone), so mapping the joined keys and
    splitting gives the same strings; one call on 40,000 keys instead of one
    each takes most of the cost of building the automata's keys.
    """
    keys = list(keys)
    joined = _KEY_SEP.join(keys)
    if keys and joined.count(_KEY_SEP) == len(keys) - 1:
        out = per_char(joined).split(_KEY_SEP)
        if len(out) == len(keys):
            return out
    return [per_char(k) for k in keys]  # no keys, or a key with the separator in it


def _same_cue(a: Any, b: Any) -> bool:
    """Two keys that differ only in punctuation ("Corp" and "Corp.") must not count twice."""
    if isinstance(a, TopicCue):
        return isinstance(b, TopicCue) and a.code == b.code
    return isinstance(b, GeoCue) and (a.target, a.kind, a.flags, a.place) == (b.target, b.kind, b.flags, b.place)


def _geo_by_capital(cues: tuple[GeoCue, ...]) -> tuple[tuple[GeoCue, ...], tuple[GeoCue, ...]] | None:
    """The cues that pass their case rule in a lower-case and in a capitalised match.

    Most keys carry only cues for every language whose case rule is "any" or
    "capital first"; for those, which cues a match keeps depends on one
    letter, so the engine picks one of these two tuples instead of testing
    every cue. None when a cue needs more (a language, exact case, a number
    before it).
    """
    for cue in cues:
        if cue.lang or cue.flags & F_NUMBER or cue.case not in (CASE_ANY, CASE_TITLE):
            return None
    return tuple(c for c in cues if c.case == CASE_ANY), cues


def build_automaton(geo: _Builder, topic: _Builder, bare_arabic: bool = False, elision: bool = False) -> Any:
    """One automaton for both kinds of cue, so each field is scanned once.

    Keys are stored as " " + boundary_text(key) so that a match always starts
    a word; scan " " + boundary_text(lower-cased field). With ``bare_arabic``
    (languages that glue clitics to words, see :mod:`newsmon.classify.arabic`)
    Arabic keys are stored bare and the engine checks the letters before and
    after them itself ("وبغداد", "للعراقيين").

    Value per key: (key length without the leading space and trailing
    punctuation, geo suffix allowance, topic suffix allowance, key is bare,
    geo cues, topic cues, trailing punctuation that the match may take when
    the text has it, geo cues by capital (see :func:`_geo_by_capital`)); an
    allowance is None when the key has no cue of that kind.
    """
    merged: dict[str, list[Any]] = {}
    for kind, builder in ((0, geo), (1, topic)):
        spaced_keys = _each(boundary_text, builder.entries)
        for (key, (suffix, cues)), spaced in zip(builder.entries.items(), spaced_keys, strict=True):
            bare = bare_arabic and _is_arabic(key)
            skey = spaced.rstrip()
            if elision:
                # The text's apostrophes end words (engine._scan); keys are split the same way.
                skey = skey.replace("'", " ").replace("\u2019", " ")
            if not skey.strip():
                continue
            # Trailing punctuation ("U.S.", "Corp.") is left to the engine: a
            # key ending in a separator would swallow the space the next key needs.
            tail = key[len(skey) :]
            if not bare:
                skey = " " + skey
            slot = merged.setdefault(skey, [len(key) - len(tail), None, None, bare, [], [], ""])
            if len(tail) > len(slot[6]):
                slot[6] = tail
            old = slot[1 + kind]
            if old is None:
                slot[1 + kind] = suffix
            elif suffix != old:
                slot[1 + kind] = SUFFIX_ANY if SUFFIX_ANY in (suffix, old) else max(suffix, old)
            have = slot[4 + kind]
            if not have:
                have.extend(cues)  # a key's first cues are kept as they are (no twin to merge with)
                continue
            for cue in cues:
                twin = next((i for i, c in enumerate(have) if _same_cue(c, cue)), None)
                if twin is None:
                    have.append(cue)
                elif cue.case < have[twin].case:
                    have[twin] = cue  # keep the more permissive case rule
    values: dict[str, tuple[Any, ...]] = {}
    for skey, (length, gsuf, tsuf, bare, gcues, tcues, tail) in merged.items():
        geo_cues = tuple(gcues)
        values[skey] = (length, gsuf, tsuf, bare, geo_cues, tuple(tcues), tail, _geo_by_capital(geo_cues))
    if bare_arabic:
        values[_SPACE_CHILD_KEY] = (1, None, None, True, (), (), "", None)
    return _automaton(values)


# With every key bare, no key starts with a space and the automaton's root has no space child:
# pyahocorasick then compares each space of the text (a fifth of Arabic text) with all of the root's
# children (65 for Arabic) before staying at the root. This key gives the root a space child, placed
# among the others by frequency; it never matches, as the Arabic comma is a separator and the scanned
# text has a space wherever the original had one (ant-ar: the scan's automaton pass ~27 -> ~25 us/article).
_SPACE_CHILD_KEY = " \u060c"


def _automaton(values: dict[str, tuple[Any, ...]]) -> Any:
    # pyahocorasick finds a node's child by scanning the children in the order
    # they were added. Adding the keys sorted by how common their letters are
    # puts frequent letters first at every node, which takes about a sixth off
    # the scan; the automaton's matches do not depend on the order.
    freq = Counter("".join(values))
    # Each letter becomes one character whose code is its frequency rank (equal counts, equal rank): sorting
    # the mapped keys as strings is sorting by the list of letter frequencies, without a list per key.
    ranks = {count: i for i, count in enumerate(sorted(set(freq.values()), reverse=True))}
    table = {ord(ch): ranks[count] + 1 for ch, count in freq.items()}
    auto = ahocorasick.Automaton()
    skeys = list(values)
    order = _each(lambda joined: joined.translate(table), skeys)
    for i in sorted(range(len(skeys)), key=order.__getitem__):
        skey = skeys[i]
        auto.add_word(skey, values[skey])
    auto.make_automaton()
    return auto


_GENERIC_WORDS = frozenset(
    (
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "north-west",
        "north-east",
        "south-west",
        "south-east",
        "northwest",
        "northeast",
        "southwest",
        "southeast",
        "upper",
        "lower",
        "middle",
        "capital",
        "coast",
        "coastal",
        "island",
        "islands",
        "region",
        "district",
        "province",
        "city",
        "greater",
        "inner",
        "outer",
        "far",
        "river",
        "lake",
        "lakes",
        "mountain",
        "mountains",
        "highlands",
        "lowlands",
        "centre",
        "center",
        "interior",
        "littoral",
        "plateau",
        "plateaux",
        "savanes",
        "maritime",
        "atlantic",
        "pacific",
        "east-central",
    )
)


def _generic_name(name: str) -> bool:
    """Subdivisions such as "Western" or "North-West" are words, not places."""
    words = name.lower().replace("-", " ").split()
    return all(w in _GENERIC_WORDS for w in words)


def _demonym_forms(word: str) -> list[str]:
    forms = [word]
    if word.endswith(("i", "an", "er", "ot", "ian")) and not word.endswith("ese"):
        forms.append(word + "s")
    return forms


def _foreign_key(name: str, lang: str) -> tuple[str, int]:
    """Inflected languages get a stem plus a short suffix allowance."""
    if lang == "ru":
        stem = name[:-1] if name[-1] in "аяйьоеыи" and len(name) > 4 else name
        return stem, 5
    if lang == "de":
        return name, 2
    return name, SUFFIX_NONE


class _GeoLoader:
    """Builds the gazetteer in named passes, one per kind of data (see :func:`_load_geo`)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.countries: dict[str, Any] = _read_json(data_dir / "countries.json")
        # Read once per build: the lexicon reads them again beside the gazetteer (_build_lexicon).
        self.extra: dict[str, Any] = _read_yaml(data_dir / "geo_extra.yaml")
        self.regions_doc: dict[str, Any] = _read_yaml(data_dir / "regions.yaml")
        self.weights = {str(k): float(v) for k, v in self.extra["weights"].items()}
        self.builder = _Builder()
        self.ambiguous: dict[str, AmbiguityRule] = {}
        self.amb_country: dict[str, str] = {}
        self.n_places = 0

    def add_cue(
        self,
        text: str,
        target: str,
        kind: str,
        flags: int = 0,
        place: dict[str, Any] | None = None,
        rule: AmbiguityRule | None = None,
        population: int = 0,
        suffix: int = SUFFIX_NONE,
        weight: float | None = None,
        lang: str = "",
    ) -> None:
        pattern, mode = case_mode(text)
        if len(pattern) < 2:
            return
        cue = GeoCue(
            target=target,
            kind=kind,
            weight=self.weights[kind] if weight is None else weight,
            case=mode,
            pattern=pattern,
            flags=flags,
            place=place,
            rule=rule,
            population=population or int(self.countries.get(target, {}).get("population", 0)),
            lang=lang,
        )
        self.builder.add(pattern, suffix, cue)
        if "\u0451" in pattern.lower():
            self.builder.add(pattern.replace("\u0451", "\u0435").replace("\u0401", "\u0415"), suffix, cue)

    def amb_flags(self, text: str) -> tuple[int, AmbiguityRule | None]:
        rule = self.ambiguous.get(text.lower())
        return (F_AMBIG, rule) if rule is not None else (0, None)

    def ambiguity_rules(self) -> None:
        """Names that are also words or people (Jordan, Chad, Nice): their context rule and vetoes."""
        for item in self.extra.get("ambiguous", []):
            ctx = item.get("context", "support")
            if ctx is True:
                ctx = "context"
            elif ctx is False:
                ctx = "free"
            if ctx not in ("support", "context", "free"):
                raise LexiconError(f"geo_extra.yaml: bad context {ctx!r} for {item.get('text')}")
            self.ambiguous[item["text"].lower()] = AmbiguityRule(
                context=ctx,
                not_next=frozenset(item.get("not_next", [])),
                not_prev=frozenset(item.get("not_prev", [])),
                require_prev=frozenset(item.get("require_prev", [])),
                person_check=True,
                subdivision=item.get("subdivision") or item.get("us_state"),
            )
            self.amb_country[item["text"].lower()] = item["country"]

    def country_names(self) -> None:
        """ISO names in every language of countries.json, and each capital (countries.json)."""
        for iso2, c in self.countries.items():
            for lang, names in c["names"].items():
                for n in names:
                    if lang == "en":
                        fl, rule = self.amb_flags(n)
                        self.add_cue(n, iso2, "name", fl, rule=rule)
                    else:
                        key, suffix = _foreign_key(n, lang)
                        self.add_cue(key, iso2, "name", suffix=suffix, lang=lang)
            cap = c.get("capital")
            if cap:
                fl, rule = self.amb_flags(cap)
                if int(c.get("population") or 0) < SMALL_COUNTRY_POP:
                    fl |= F_SUPPORT
                self.add_cue(cap, iso2, "capital", fl, rule=rule)

    def country_extras(self) -> None:
        """Aliases, institutions, leaders, currencies and demonyms (geo_extra.yaml ``countries``)."""
        for iso2, spec in (self.extra.get("countries") or {}).items():
            if not isinstance(iso2, str) or len(iso2) != 2:
                # YAML reads an unquoted NO (Norway) as false.
                raise LexiconError(f"geo_extra.yaml: country key {iso2!r} must be a quoted ISO2 code")
            for kind_key, kind in (
                ("aliases", "name"),
                ("institutions", "institution"),
                ("leaders", "leader"),
                ("currency", "currency"),
            ):
                for text in spec.get(kind_key, []) or []:
                    fl, rule = self.amb_flags(text)
                    if kind == "currency" and text[0].islower():
                        fl |= F_NUMBER
                    self.add_cue(text, iso2, kind, fl, rule=rule)
            for dem in spec.get("demonyms", []) or []:
                for form in _demonym_forms(dem):
                    self.add_cue(form, iso2, "demonym")

    def ambiguous_names(self) -> None:
        """Ambiguous names exist as cues even when no other pass made them ("Turkey")."""
        for text, iso2 in self.amb_country.items():
            rule = self.ambiguous[text]
            original = next(i["text"] for i in self.extra["ambiguous"] if i["text"].lower() == text)
            if rule.subdivision and rule.subdivision.startswith("US-"):
                place = {"name": original, "kind": "subdivision", "code": rule.subdivision}
                self.add_cue(original, "US", "subdivision", F_AMBIG, place=place, rule=rule)
            self.add_cue(original, iso2, "name", F_AMBIG, rule=rule)

    def cities_and_subdivisions(self) -> None:
        """GeoNames cities and ISO 3166-2 subdivisions (places.json); small ones only support."""
        for name, iso2, kind, code, pop, lang in _read_json(self.data_dir / "places.json"):
            if len(name) < (4 if lang == "en" else 3):
                continue
            if kind == "subdivision" and _generic_name(name):
                continue
            fl, rule = self.amb_flags(name)
            if kind == "subdivision":
                major = iso2 in ("US", "CA", "AU")
                cue_kind = "subdivision" if major else "subdivision_minor"
                fl |= 0 if major else F_SUPPORT
                place = {"name": name, "kind": "subdivision", "code": code}
            else:
                cue_kind = "capital" if kind == "capital" else ("city_major" if pop >= 1_000_000 else "city")
                if cue_kind == "city":
                    fl |= F_SUPPORT
                place = {"name": name, "kind": "city", "code": f"geonames:{code}"}
            key, suffix = (name, SUFFIX_NONE) if lang == "en" else _foreign_key(name, lang)
            if cue_kind == "capital" and int(self.countries.get(iso2, {}).get("population") or 0) < SMALL_COUNTRY_POP:
                fl |= F_SUPPORT
            self.add_cue(
                key,
                iso2,
                cue_kind,
                fl,
                place=place,
                rule=rule,
                population=max(int(pop), 1),
                suffix=suffix,
                lang="" if lang == "en" else lang,
            )
            self.n_places += 1

    def cldr_names(self) -> None:
        """Country names and major cities per language from CLDR (names_cldr.json)."""
        self.n_places += _add_cldr_names(self.data_dir, self.countries, self.add_cue)

    def region_aliases(self) -> None:
        """Names of regions ("the Gulf", "the Levant") from regions.yaml: they tag the region, not a country."""
        for slug, g in (self.regions_doc.get("groups") or {}).items():
            for alias in g.get("aliases", []) or []:
                self.add_cue(alias, slug, "name", F_REGION, weight=1.0)

    def seats_markets_venues(self) -> None:
        for section, kind in (("seats", "seat"), ("markets", "market"), ("venues", "venue")):
            for iso2, words in (self.extra.get(section) or {}).items():
                for text in words:
                    self.add_cue(text, iso2, kind)

    def boilerplate(self) -> None:
        """Market boilerplate (Inc, NYSE, plc): decides only when nothing named does."""
        for iso2, words in (self.extra.get("implicit") or {}).items():
            for text in words:
                self.add_cue(text, iso2, "implicit", F_IMPLICIT)


def _load_geo(data_dir: Path) -> _GeoLoader:
    """The gazetteer for every language; the passes run in this order because later ones read earlier rules."""
    g = _GeoLoader(data_dir)
    g.ambiguity_rules()
    g.country_names()
    g.country_extras()
    g.ambiguous_names()
    g.cities_and_subdivisions()
    g.cldr_names()
    g.region_aliases()
    g.seats_markets_venues()
    g.boilerplate()
    return g


def _add_cldr_names(data_dir: Path, countries: dict[str, Any], add_cue: Any) -> int:
    """Country names and major cities per language from CLDR (names_cldr.json, see build_data)."""
    path = data_dir / "names_cldr.json"
    if not path.exists():
        return 0
    doc = _read_json(path)
    n = 0
    for lang, spec in (doc.get("languages") or {}).items():
        if not isinstance(lang, str) or not _LANG_CODE.fullmatch(lang):
            raise LexiconError(f"{path}: languages.{_short(lang)}: expected an ISO 639-1 code")
        for iso2, names in (spec.get("countries") or {}).items():
            if iso2 not in countries:
                continue
            for name in names:
                key, suffix = _foreign_key(name, lang)
                add_cue(key, iso2, "name", suffix=suffix, lang=lang)
        for name, iso2, geonameid, pop, english in spec.get("cities") or []:
            if iso2 not in countries:
                continue
            capital = english == countries[iso2].get("capital")
            kind = "capital" if capital else ("city_major" if pop >= 1_000_000 else "city")
            flags = F_SUPPORT if kind == "city" else 0
            key, suffix = _foreign_key(name, lang)
            place = {"name": english, "kind": "city", "code": f"geonames:{geonameid}"}
            add_cue(key, iso2, kind, flags, place=place, population=max(int(pop), 1), suffix=suffix, lang=lang)
            n += 1
    return n


def _lead_company_patterns(extra: dict[str, Any]) -> tuple[LeadCompany, ...]:
    """Regexes for "<Name> Inc said" at the start of the body, from geo_extra.yaml."""
    out = []
    for iso2, forms in (extra.get("lead_company") or {}).items():
        if not isinstance(iso2, str) or len(iso2) != 2:
            raise LexiconError(f"geo_extra.yaml: lead_company key {iso2!r} must be a quoted ISO2 code")
        if not forms or not all(isinstance(f, str) and f for f in forms):
            raise LexiconError(f"geo_extra.yaml: lead_company {iso2} needs a list of legal forms")
        alt = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        # Within the first sentence (no full stop), the company is the one that speaks.
        out.append(
            LeadCompany(
                re.compile(rf"[^.]{{0,{LEAD_COMPANY_CHARS}}}?\b(?P<form>{alt})\b>?,?\s+(?:said|reported|announced)\b"),
                iso2,
                tuple(f for f in forms if not any(other != f and other in f for other in forms)),
                LEAD_COMPANY_CHARS + max(map(len, forms)),
            )
        )
    return tuple(out)


def _legal_form_fallback(extra: dict[str, Any]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Regexes for a legal form anywhere in the headline, from geo_extra.yaml."""
    out = []
    for iso2, forms in (extra.get("legal_form_fallback") or {}).items():
        if not isinstance(iso2, str) or len(iso2) != 2:
            raise LexiconError(f"geo_extra.yaml: legal_form_fallback key {iso2!r} must be a quoted ISO2 code")
        alt = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        # Case-insensitive: wire headlines are in capitals ("<ACME LTD>").
        out.append((re.compile(rf"\b(?:{alt})\b", re.IGNORECASE), iso2))
    return tuple(out)


def _exchange_suffixes(extra: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for iso2, suffixes in (extra.get("exchange_suffixes") or {}).items():
        if not isinstance(iso2, str) or len(iso2) != 2:
            raise LexiconError(f"geo_extra.yaml: exchange_suffixes key {iso2!r} must be a quoted ISO2 code")
        for suffix in suffixes:
            if not isinstance(suffix, str) or not suffix.isalpha() or not suffix.isupper():
                raise LexiconError(f"geo_extra.yaml: exchange suffix {suffix!r} must be upper-case letters")
            if out.get(suffix, iso2) != iso2:
                raise LexiconError(f"geo_extra.yaml: exchange suffix {suffix!r} given for two countries")
            out[suffix] = iso2
    return out


def _load_regions(data_dir: Path, regions_doc: dict[str, Any]) -> tuple[dict[str, Region], dict[str, tuple[str, ...]]]:
    """M49 regions (regions_m49.json) and the named groups of ``regions_doc`` (regions.yaml)."""
    regions: dict[str, Region] = {}
    m49 = _read_json(data_dir / "regions_m49.json")
    named = regions_doc.get("groups") or {}
    for source in (m49, named):
        for slug, g in source.items():
            bad = [m for m in g["members"] if not isinstance(m, str) or len(m) != 2]
            if bad:
                raise LexiconError(f"region {slug}: members must be quoted ISO2 codes: {bad}")
            regions[slug] = Region(code=slug, label=g["label"], members=frozenset(g["members"]))
    by_country: dict[str, list[str]] = {}
    for slug, r in regions.items():
        for iso2 in r.members:
            by_country.setdefault(iso2, []).append(slug)
    return regions, {k: tuple(sorted(v)) for k, v in by_country.items()}


def _load_topic_tree(data_dir: Path) -> tuple[dict[str, Topic], tuple[str, ...]]:
    """Codes, labels and parents, shared by every language (topics.yaml)."""
    path = data_dir / "topics.yaml"
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("topics"), dict):
        raise LexiconError(f"{path}: expected a mapping with a 'topics' mapping")
    topics: dict[str, Topic] = {}
    for code, spec in doc["topics"].items():
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            raise LexiconError(f"{path}: topics.{code}: needs a 'label'")
        topics[code] = Topic(code=code, label=spec["label"], parent=spec.get("parent"))
    for t in topics.values():
        chain: list[str] = []
        p = t.parent
        while p is not None:
            if p not in topics or p in chain:
                raise LexiconError(f"topics.yaml: bad parent chain for {t.code} at {p}")
            chain.append(p)
            p = topics[p].parent
        t.ancestors = tuple(chain)
    top = tuple(sorted(c for c, t in topics.items() if t.parent is None))
    if len(top) != 17:
        raise LexiconError(f"topics.yaml: expected 17 top-level topics, found {len(top)}")
    return topics, top


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


SENSE_WINDOW = 100


def _word_alternation(words: list[str], clitics: bool) -> tuple[re.Pattern[str], Any]:
    """A pattern that matches any of ``words`` as whole words, and an automaton of their first words for :func:`near`.

    The automaton is None when a word is empty once stripped (the pattern then matches at any word start).
    """
    alts = []
    heads: Any = ahocorasick.Automaton()
    for w in sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True):
        prefix = w.endswith("*")
        w = w.rstrip("*").strip()
        if clitics and _is_arabic(w):
            w = arabic.normalize_term(w)
        parts = w.lower().split()
        body = r"\s+".join(re.escape(part) for part in parts)
        alts.append(body + (r"\w*" if prefix else ""))
        if parts and heads is not None:
            heads.add_word(parts[0], len(parts[0]))  # every match of the alternative starts with it
        else:
            heads = None
    if heads is not None:
        heads.make_automaton()
    # Arabic context words may carry clitics, so only their end is checked there.
    start = "" if clitics else r"(?<!\w)"
    return re.compile(start + "(?:" + "|".join(alts) + r")(?!\w)"), heads


_NO_WORDS = (None, None)


def _load_senses(path: Path, code: str, topics: dict[str, Topic]) -> dict[str, list[tuple[frozenset[str], SenseRule]]]:
    """Sense rules of one language (optional lang/<code>/senses.yaml): term -> [(topics, rule)]."""
    if not path.exists():
        return {}
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or doc.get("language") != code or not isinstance(doc.get("senses"), list):
        raise LexiconError(f"{path}: expected 'language: {code}' and a 'senses' list")
    clitics = code in CLITIC_LANGS
    out: dict[str, list[tuple[frozenset[str], SenseRule]]] = {}
    for i, item in enumerate(doc["senses"]):
        where = f"{path}: senses[{i}]"
        if not isinstance(item, dict):
            raise LexiconError(f"{where}: expected a mapping")
        unknown = set(item) - {"terms", "topics", "unless_near", "needs_near", "window", "note"}
        if unknown:
            raise LexiconError(f"{where}.{sorted(unknown)[0]}: unknown key")
        terms, codes = item.get("terms"), item.get("topics")
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
            raise LexiconError(f"{where}.terms: expected a list of terms as written in topics.yaml")
        if not isinstance(codes, list) or not codes or any(c not in topics for c in codes):
            raise LexiconError(f"{where}.topics: expected a list of IPTC codes from topics.yaml, got {_short(codes)}")
        lists = {}
        for key in ("unless_near", "needs_near"):
            words = item.get(key)
            if words is not None and (not isinstance(words, list) or not all(isinstance(w, str) for w in words)):
                raise LexiconError(f"{where}.{key}: expected a list of words")
            lists[key] = words
        if not lists["unless_near"] and not lists["needs_near"]:
            raise LexiconError(f"{where}: needs 'unless_near' or 'needs_near'")
        window = item.get("window", SENSE_WINDOW)
        if isinstance(window, bool) or not isinstance(window, int) or not 10 <= window <= 1000:
            raise LexiconError(f"{where}.window: expected characters between 10 and 1000, got {_short(window)}")
        unless, unless_heads = _word_alternation(lists["unless_near"], clitics) if lists["unless_near"] else _NO_WORDS
        needs, needs_heads = _word_alternation(lists["needs_near"], clitics) if lists["needs_near"] else _NO_WORDS
        rule = SenseRule(unless, needs, window, clitics, unless_heads, needs_heads)
        for term in terms:
            key = term.strip().rstrip("*").strip()
            key = arabic.normalize_term(key) if clitics and _is_arabic(key) else key.lower()
            out.setdefault(key, []).append((frozenset(codes), rule))
    return out


def _sense_for(
    senses: dict[str, list[tuple[frozenset[str], SenseRule]]], pattern: str, code: str, topics: dict[str, Topic]
) -> SenseRule | None:
    for codes, rule in senses.get(pattern.lower(), ()):
        if code in codes or any(a in codes for a in topics[code].ancestors):
            return rule
    return None


def _load_compounds(path: Path, doc: dict[str, Any], topics: dict[str, Topic]) -> CompoundHeads | None:
    """The compound heads of a language: ``endings`` per topic and the top-level ``compound_exceptions``."""
    heads: dict[str, list[TopicCue]] = {}
    for topic_code, spec in (doc.get("topics") or {}).items():
        endings = spec.get("endings") if isinstance(spec, dict) else None
        if endings is None:
            continue
        where = f"{path}: topics.{topic_code}.endings"
        if not isinstance(endings, dict):
            raise LexiconError(f"{where}: expected a mapping weight -> comma-separated head words")
        for weight, text in endings.items():
            if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 4:
                raise LexiconError(f"{where}: weight must be 1-4, got {_short(weight)}")
            if not isinstance(text, str):
                raise LexiconError(f"{where}.{weight}: expected a comma-separated string, got {_short(text)}")
            for raw in text.split(","):
                head = raw.strip().lower()
                if not head:
                    continue
                if len(head) < 3 or not head.isalpha():
                    raise LexiconError(f"{where}.{weight}: head {_short(raw.strip())} must be 3 or more letters")
                cue = TopicCue(topic_code, float(weight), CASE_ANY, head)
                cues = heads.setdefault(head, [])
                if all(c.code != topic_code for c in cues):
                    cues.append(cue)
    if not heads:
        return None
    exc = doc.get("compound_exceptions") or []
    if not isinstance(exc, list) or not all(isinstance(w, str) and w.strip() for w in exc):
        raise LexiconError(f"{path}: compound_exceptions: expected a list of words")
    return CompoundHeads.build({h: tuple(c) for h, c in heads.items()}, tuple(w.strip().lower() for w in exc))


def _load_language_topics(
    path: Path, code: str, topics: dict[str, Topic]
) -> tuple[_Builder, int, CompoundHeads | None]:
    """One language's topic terms (lang/<code>/topics.yaml), checked against the topic tree."""
    senses = _load_senses(path.parent / "senses.yaml", code, topics)
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        raise LexiconError(f"{path}: expected a mapping with 'language' and 'topics'")
    if doc.get("language") != code:
        raise LexiconError(f"{path}: language: expected {code!r} (the folder name), got {_short(doc.get('language'))}")
    entries = doc.get("topics") or {}
    if not isinstance(entries, dict):
        raise LexiconError(f"{path}: topics: expected a mapping of IPTC codes")
    clitics = code in CLITIC_LANGS
    b = _Builder()
    n_terms = 0
    for topic_code, spec in entries.items():
        where = f"{path}: topics.{topic_code}"
        if topic_code not in topics:
            raise LexiconError(f"{where}: unknown IPTC code (codes and labels live in topics.yaml)")
        terms = spec.get("terms") if isinstance(spec, dict) else None
        if terms is None and isinstance(spec, dict) and "endings" in spec:
            continue  # compound heads only (see _load_compounds)
        if not isinstance(terms, dict):
            raise LexiconError(f"{where}: expected 'terms' mapping weight -> comma-separated terms")
        for weight, text in terms.items():
            if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 4:
                raise LexiconError(f"{where}.terms: weight must be 1-4, got {_short(weight)}")
            if not isinstance(text, str):
                raise LexiconError(f"{where}.terms.{weight}: expected a comma-separated string, got {_short(text)}")
            for raw in text.split(","):
                term = raw.strip()
                if not term:
                    continue
                suffix = SUFFIX_NONE
                if term.endswith("*"):
                    term, suffix = term[:-1].strip(), SUFFIX_ANY
                pattern, mode = case_mode(term)
                if clitics and _is_arabic(pattern):
                    pattern = arabic.normalize_term(pattern)
                if not pattern:
                    raise LexiconError(f"{where}.terms.{weight}: term {_short(raw.strip())} is empty once normalized")
                sense = _sense_for(senses, pattern, topic_code, topics) if senses else None
                checked = bool(mode) or sense is not None
                cue = TopicCue(topic_code, float(weight), mode, pattern, sense, checked, suffix == SUFFIX_ANY)
                b.add(pattern, suffix, cue)
                n_terms += 1
    return b, n_terms, _load_compounds(path, doc, topics)


def _load_stopwords(path: Path, code: str) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"cannot read {path}: {exc}") from exc
    words = (w.strip() for w in lines)
    norm = arabic.normalize if code in CLITIC_LANGS else str.lower
    return frozenset(norm(w) for w in words if w and not w.startswith("#"))


def language_codes(data_dir: Path) -> list[str]:
    """The language folders under ``data_dir/lang`` (each an ISO 639-1 code)."""
    root = data_dir / LANG_DIR
    if not root.is_dir():
        raise LexiconError(f"{root}: missing language folder (needs at least lang/en/)")
    codes = sorted(p.name for p in root.iterdir() if p.is_dir() and _LANG_CODE.fullmatch(p.name))
    if "en" not in codes:
        raise LexiconError(f"{root}: lang/en/ is required (English is the fallback language)")
    return codes


def _split_geo(geo: _Builder) -> dict[str, _Builder]:
    """The gazetteer keys by the language of their cues ("" for the shared names)."""
    out: dict[str, _Builder] = {}
    for key, (suffix, cues) in geo.entries.items():
        first = cues[0].lang
        if all(cue.lang == first for cue in cues):
            # Most keys name places of one language only.
            b = out.get(first)
            if b is None:
                b = out[first] = _Builder()
            b.entries[key] = (suffix, list(cues))
            continue
        by_lang: dict[str, list[Any]] = {}
        for cue in cues:
            by_lang.setdefault(cue.lang, []).append(cue)
        for lang, lcues in by_lang.items():
            b = out.setdefault(lang, _Builder())
            b.entries[key] = (suffix, lcues)
    return out


def _own_geo(own: _Builder | None, clitics: bool) -> _Builder:
    """A language's own place names, with Arabic keys normalized for clitic languages."""
    b = _Builder()
    if own is None:
        return b
    if not clitics:
        return own
    for key, (suffix, cues) in own.entries.items():
        if _is_arabic(key):
            key = arabic.normalize_term(key)
            if len(key) < 3:
                continue  # two letters are a particle once the article is gone
            # The nisba (demonym, adjective) of a name in -a drops the alef
            # (سوريا -> سوري, فرنسا -> فرنسي), of a name in -iyya its taa
            # marbuta (السعودية -> سعودي); other names take it as a suffix.
            stem = key[:-1] if key.endswith(("\u0627", "\u064a\u0647")) and " " not in key else ""
            # "دولة فلسطين" (State of Palestine): news writes the name alone.
            head, _, rest = key.partition(" ")
            if head in _ARABIC_STATE_WORDS and len(rest) >= 3:
                for cue in cues:
                    if cue.kind == "name":
                        b.add(rest, suffix, cue)
            for cue in cues:
                if len(stem) >= 3 and cue.kind == "name" and not cue.flags:
                    b.add(stem, suffix, GeoCue(**{**_cue_fields(cue), "kind": "demonym", "pattern": stem}))
        for cue in cues:
            b.add(key, suffix, cue)
    return b


# Arabic state-form words (normalized) that official country names start with.
_ARABIC_STATE_WORDS = frozenset({"\u062f\u0648\u0644\u0647", "\u062c\u0645\u0647\u0648\u0631\u064a\u0647"})


def _cue_fields(cue: GeoCue) -> dict[str, Any]:
    return {f: getattr(cue, f) for f in GeoCue.__slots__}


def _latin_script(*builders: _Builder) -> bool:
    """Whether most of a language's own keys are written in Latin letters."""
    latin = other = 0
    for b in builders:
        for key in b.entries:
            if key.isascii() or all(ch < "\u0250" for ch in key):
                latin += 1
            else:
                other += 1
    return latin >= other


def _load_packs(data_dir: Path, geo: _Builder, topics: dict[str, Topic], lazy: bool = False) -> dict[str, LanguagePack]:
    """One pack per language folder.

    The shared names (English and international, mostly Latin script) are
    built once, into English's automaton; other languages scan that automaton
    for places only, beside their own (their place names and topic terms), so
    start-up does not grow with every language by the size of the gazetteer.
    With ``lazy``, every file is still read and checked here, but the
    automaton of a language other than English is built when its first
    article comes (a batch of one language does not build the other seven).
    """
    by_lang = _split_geo(geo)
    shared = by_lang.pop("", _Builder())
    packs: dict[str, LanguagePack] = {}
    folders = language_codes(data_dir)
    # A language with place names in the gazetteer but no folder yet gets its
    # places, and English's topic terms (see LanguagePack.has_topics).
    for code in sorted(set(folders) | set(by_lang)):
        folder = data_dir / LANG_DIR / code
        path = folder / "topics.yaml"
        if code in folders:
            if not path.exists():
                raise LexiconError(f"{path}: missing (every language folder needs topics.yaml)")
            topic_b, n_terms, compounds = _load_language_topics(path, code, topics)
        else:
            topic_b, n_terms = _Builder(), 0
            compounds = None
        clitics = code in CLITIC_LANGS
        geo_b = shared if code == "en" else _own_geo(by_lang.get(code), clitics)
        parts = (geo_b, topic_b, clitics, code in ELISION_LANGS)
        packs[code] = LanguagePack(
            code=code,
            stopwords=_load_stopwords(folder / "stopwords.txt", code),
            clitics=clitics,
            topic_terms=n_terms,
            # Non-Latin scripts (Arabic, Cyrillic) rarely name places in Latin letters;
            # scanning their whole text again for them would cost a third of the time.
            shared_geo=code != "en" and _latin_script(geo_b, topic_b),
            has_topics=code in folders,
            elision=code in ELISION_LANGS,
            compounds=compounds,
            _parts=parts,
        )
        if not lazy or code == "en":
            packs[code].auto  # noqa: B018 - built now: English serves every language's shared names
    return packs


def _build_lexicon(data_dir: Path, lazy: bool) -> Lexicon:
    """Read every data file and build the matchers; ``lazy``: see :func:`_load_packs`."""
    gaz = _load_geo(data_dir)
    geo, countries, n_places, weights, extra = gaz.builder, gaz.countries, gaz.n_places, gaz.weights, gaz.extra
    regions, country_regions = _load_regions(data_dir, gaz.regions_doc)
    topics, top = _load_topic_tree(data_dir)
    packs = _load_packs(data_dir, geo, topics, lazy)
    if not math.isfinite(sum(weights.values())):
        raise LexiconError("geo_extra.yaml: weights must be finite numbers")
    lex = Lexicon(
        auto=packs["en"].auto,
        packs=packs,
        countries=countries,
        regions=regions,
        country_regions=country_regions,
        topics=topics,
        top_level=top,
        weights=weights,
        stats={
            "geo_keys": len(geo.entries),
            "places": n_places,
            "languages": len(packs),
            "topic_terms": sum(p.topic_terms for p in packs.values()),
        },
        lead_company=_lead_company_patterns(extra),
        legal_form_fallback=_legal_form_fallback(extra),
        exchange_suffixes=_exchange_suffixes(extra),
    )
    return lex


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a lexicon is built or read.

    Both create hundreds of thousands of long-lived objects and no garbage;
    each collection they trigger walks all of them again, a quarter of the
    build's time and two thirds of reading the cache.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# The pickles in the cache; the key also names the Python build, so the newest protocol is safe.
_PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL


def cache_key(data_dir: Path) -> str:
    """What the cached lexicon of ``data_dir`` depends on (see :func:`newsmon.classify.cache.fingerprint`)."""
    code = sorted(Path(__file__).resolve().parent.glob("*.py"))
    ext = getattr(ahocorasick, "__file__", None) or ""
    try:
        st = os.stat(ext)
        # A reinstalled or rebuilt extension has another size or time: its pickles may differ.
        ext_id = f"{os.path.basename(ext)} {st.st_size} {st.st_mtime_ns}"
    except OSError:
        ext_id = ext
    extra = (
        f"newsmon {newsmon.__version__}",
        f"pyahocorasick {ext_id} unicode={getattr(ahocorasick, 'unicode', '')}",
        f"pickle {_PICKLE_PROTOCOL}",
    )
    return disk_cache.fingerprint(data_dir, code, extra)


_AUTO_SECTION = "automaton:"


def _to_cache(lex: Lexicon) -> dict[str, bytes]:
    """The lexicon without its automata, and each language's automaton apart (lazy start-ups read only theirs)."""
    bare = dataclasses.replace(
        lex,
        auto=None,
        packs={code: dataclasses.replace(p, _auto=None, _parts=None, _pickled=None) for code, p in lex.packs.items()},
    )
    sections = {"lexicon": pickle.dumps(bare, _PICKLE_PROTOCOL)}
    for code, p in lex.packs.items():
        sections[_AUTO_SECTION + code] = pickle.dumps(p.auto, _PICKLE_PROTOCOL)
    return sections


def _from_cache(sections: dict[str, memoryview], lazy: bool) -> Lexicon:
    """Undo :func:`_to_cache`; raises on anything that is not such a payload (the caller rebuilds)."""
    lex = pickle.loads(sections["lexicon"])  # noqa: S301 - trusted as __pycache__ is, see newsmon.classify.cache
    if not isinstance(lex, Lexicon) or "en" not in lex.packs:
        raise TypeError("not a cached lexicon")
    for code, pack in lex.packs.items():
        pack._pickled = sections[_AUTO_SECTION + code]
        if not lazy or code == "en":
            pack.auto  # noqa: B018 - read now, as load_lexicon would build it now
    lex.auto = lex.packs["en"].auto
    lex.cached = True
    return lex


def _through_cache(store: disk_cache.Store, data_dir: Path, lazy: bool) -> Lexicon:
    try:
        key = cache_key(data_dir)
    except OSError:
        # An unreadable data file: the build names it in a LexiconError.
        return _built(data_dir, lazy)
    sections = store.read(key)
    if sections is not None:
        try:
            lex = _from_cache(sections, lazy)
        except Exception as exc:  # any damage means a rebuild, never a failed start
            where = store.path / store.name(key)
            logger.warning("classifier cache %s unreadable (%s); building the lexicon", where, exc)
        else:
            logger.info("classifier lexicon loaded from the cache: %s", lex.stats)
            return lex
    # Every language's matcher, so that the file serves lazy and eager start-ups alike.
    lex = _built(data_dir, lazy=False)
    if store.write(key, _to_cache(lex)):
        logger.info("classifier lexicon cached in %s", store.path)
    return lex


def _built(data_dir: Path, lazy: bool) -> Lexicon:
    lex = _build_lexicon(data_dir, lazy)
    logger.info("classifier lexicon loaded: %s", lex.stats)
    return lex


def load_lexicon(data_dir: Path | None = None, lazy: bool = False) -> Lexicon:
    """The lexicon of ``data_dir``: from the disk cache when it has this data and code, else built.

    Building reads every data file and makes the matchers (most of a second);
    ``lazy``: see :func:`_load_packs`. A build that can be cached makes every
    language's matcher, so that the cache serves lazy and eager start-ups alike.
    """
    data_dir = data_dir or DATA_DIR
    with _gc_paused():
        store = disk_cache.open_store()
        if store is None:
            return _built(data_dir, lazy)
        with store:
            return _through_cache(store, data_dir, lazy)
