# ruff: noqa: RUF001, RUF003 - Arabic letters are the point of this module
"""Arabic orthographic normalization and clitic rules, shared by the classifier and the rules.

Arabic spells one word several ways (hamza seats, taa marbuta written as haa,
alef maqsura as yaa, optional diacritics, tatweel for justification) and glues
conjunctions, prepositions and the article to the next word ("بالعراق" is
"in Iraq"), and pronouns and plural endings to its end. Terms are written
once in their plain form; the text and the terms both go through
:func:`normalize`, and a match may sit between an allowed prefix and an
allowed suffix (:data:`PREFIXES`, :data:`SUFFIXES`).

:func:`normalize` drops characters (diacritics, tatweel), so positions in the
normalized text differ from positions in the original; :class:`Normalized`
maps them back so that evidence always points into the original text.
"""

from __future__ import annotations

import bisect
import codecs
import encodings.cp1256
import functools
import re
from collections.abc import Callable

# One letter for another: hamza seats on alef to bare alef, taa marbuta to
# haa, alef maqsura to yaa, hamza on waw / yaa to the bare letter, the Persian
# forms of kaf and yaa (common in Gulf and Iraqi typing) to the Arabic ones.
_SAME_LENGTH = {
    "\u0623": "\u0627",  # أ
    "\u0625": "\u0627",  # إ
    "\u0622": "\u0627",  # آ
    "\u0671": "\u0627",  # ٱ
    "\u0629": "\u0647",  # ة -> ه
    "\u0649": "\u064a",  # ى -> ي
    "\u0624": "\u0648",  # ؤ -> و
    "\u0626": "\u064a",  # ئ -> ي
    "\u06cc": "\u064a",  # ی -> ي
    "\u06a9": "\u0643",  # ک -> ك
}
# Diacritics (harakat, tanwin, shadda, sukun, dagger alef), Quranic marks and tatweel.
_DROPPED = [chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640"] + [chr(c) for c in range(0x06D6, 0x06EE)]
_DROP_RE = re.compile("[" + "".join(_DROPPED) + "]")

# Conjunctions (wa, fa), prepositions (bi, li, ka), the article and their
# combinations, as written before a noun. "لل" is li + al with the alef elided.
PREFIXES = frozenset(
    {
        "",
        "و",
        "ف",
        "ب",
        "ل",
        "ك",
        "ال",
        "وال",
        "فال",
        "بال",
        "كال",
        "لل",
        "ولل",
        "فلل",
        "وب",
        "فب",
        "ول",
        "فل",
        "وك",
        "فك",
        "وبال",
        "فبال",
        "وكال",
    }
)
# Pronoun endings, nisba (demonym/adjective) endings, sound plurals and duals,
# all after normalization (taa marbuta is haa here).
SUFFIXES = frozenset(
    {
        "",
        "\u0627",  # accusative tanween alef once the tanween is dropped (هجوماً -> هجوما)
        "ه",
        "ها",
        "هم",
        "هما",
        "هن",
        "ك",
        "كم",
        "كما",
        "نا",
        "ي",
        "يه",
        "يون",
        "يين",
        "يان",
        "يات",
        "ييه",
        "يتين",
        "يتان",
        "ون",
        "ين",
        "ان",
        "ات",
        "تان",
        "تين",
        "اته",
        "اتها",
        "اتهم",
    }
)
_ARTICLE = "\u0627\u0644"  # ال
# Words shorter than this after stripping the article are left alone: "الى"
# is a word, not al + "ى".
_MIN_STEM = 3


_PAIRS = tuple(_SAME_LENGTH.items())


def _letters(text: str) -> str:
    # str.translate with a mapping looks every character up in a dict; a few
    # replaces (each a C loop, skipped when the letter is absent) are ten times faster.
    for old, new in _PAIRS:
        if old in text:
            text = text.replace(old, new)
    return text


def normalize(text: str) -> str:
    """Lower-case and normalize Arabic letters; drops diacritics and tatweel."""
    try:
        # Text in the code page (see normalize_with_map) is lower-cased by the table, not by str.lower
        # (which looks up every letter: on a sense's window, as long as all the rest).
        return _cp_decode(_cp_encode(text).translate(_CP_LOWER_NORM, _CP_DROPPED))
    except UnicodeEncodeError:
        pass
    low = text.lower()
    try:
        # An upper-case letter outside the code page can have its lower case inside it ("É", "é").
        return _cp_decode(_cp_encode(low).translate(_CP_NORM, _CP_DROPPED))
    except UnicodeEncodeError:  # a character outside the code page
        return _DROP_RE.sub("", _letters(low))


def normalize_term(term: str) -> str:
    """A term's key: normalized, without a leading article (the text's article is a prefix).

    Only a bare alef + lam is the article: "إلحاد" and "ألمانيا" begin with a
    hamza-alef, which normalization turns into the same letters, so the test
    runs on the term as written.
    """
    term = term.strip()
    key = normalize(term)
    if term.startswith(_ARTICLE) and key.startswith(_ARTICLE) and len(key) - 2 >= _MIN_STEM:
        key = key[2:]
    return key


class Normalized:
    """A normalized text and the map from its positions back to the original."""

    __slots__ = ("_drops", "_raw", "_text", "scan")

    def __init__(self, text: str | None, drops: list[int], scan: str = "", raw: bytes = b"") -> None:
        # ``text`` None: the text is the code-page bytes ``raw`` normalized, on first use (the
        # classifier's scan reads ``scan`` and needs the text only for a rare non-Arabic key).
        self._text = text
        self._raw = raw
        # Normalized position of each dropped character, in order (see orig()).
        self._drops = drops
        # ``boundary(text)`` when normalize_with_map was given ``boundary``, else "".
        self.scan = scan

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _cp_decode(self._raw.translate(_CP_LOWER_NORM, _CP_DROPPED))
        return self._text

    def orig(self, pos: int) -> int:
        """Original position of normalized position ``pos`` (an end maps past trailing marks)."""
        if not self._drops:
            return pos
        return pos + bisect.bisect_right(self._drops, pos)


# Almost every Arabic news text fits the Windows Arabic code page, one byte per
# character: there, normalization and the separator map are bytes.translate
# (C speed, one table lookup per character) and byte offsets are character
# offsets, so the drop map comes from bytes.find. Text with a character
# outside it (Arabic-Indic digits, rarer marks, emoji, other scripts) takes
# the str path; both give the same result because both apply the same
# per-character rules (the tables are built from _letters and _DROPPED).
_CODEPAGE = "cp1256"
# The code page's own tables, called directly: str.encode and bytes.decode look the codec up by its
# name on every call, which takes about as long as the work itself on a short text (a sense's window).
_CP_ENCODING = encodings.cp1256.encoding_table
_CP_DECODING = encodings.cp1256.decoding_table


def _cp_encode(text: str) -> bytes:
    """``text.encode(_CODEPAGE)``: raises UnicodeEncodeError for a character outside the code page."""
    return codecs.charmap_encode(text, "strict", _CP_ENCODING)[0]


def _cp_decode(raw: bytes) -> str:
    """``raw.decode(_CODEPAGE)``."""
    return codecs.charmap_decode(raw, "strict", _CP_DECODING)[0]


_CP_CHARS = bytes(range(256)).decode(_CODEPAGE)
_CP_NORM = bytes.maketrans(bytes(range(256)), _letters(_CP_CHARS).encode(_CODEPAGE))
# Lower-casing maps every code-page character to one code-page character (none changes length, no
# final-sigma rule applies), and never to or from a dropped mark: it folds into the same table.
_CP_LOWER_NORM = bytes.maketrans(bytes(range(256)), _letters(_CP_CHARS.lower()).encode(_CODEPAGE))
_CP_DROPPED = bytes(b for b, ch in enumerate(_CP_CHARS) if ch in _DROPPED)
# Dropped bytes to 0, all others to 1: each drop is then one bytes.find (memchr), a third of the cost
# of a regex over the bytes with a match object per drop.
_CP_DROP_MASK = bytes(0 if b in _CP_DROPPED else 1 for b in range(256))


@functools.cache
def _cp_scan_table(boundary: Callable[[str], str]) -> bytes:
    # ``boundary`` maps each character on its own (a same-length separator map), so a table of its
    # results on the code page's normalized characters is the same map, and the normalization and it
    # are one translation of the original bytes.
    separated = "".join(boundary(ch) for ch in _CP_CHARS).encode(_CODEPAGE)
    return bytes(separated[n] for n in _CP_LOWER_NORM)


# \w+ runs of normalized single-byte text: a word byte stays, any other becomes a space, so that
# bytes.split() cuts the same runs as the regex (the table asks the regex about each character).
_WORD_RE = re.compile(r"\w")
_CP_NORM_WORDS = bytes(n if _WORD_RE.fullmatch(_CP_CHARS[n]) else 0x20 for n in _CP_NORM)
# The same with lower-casing folded in (see _CP_LOWER_NORM): words of text that was not lower-cased first.
_CP_LOWER_NORM_WORDS = bytes(n if _WORD_RE.fullmatch(_CP_CHARS[n]) else 0x20 for n in _CP_LOWER_NORM)


def encode_word(word: str) -> bytes | None:
    """``word`` as :func:`normalized_words` returns it, or None when no text can have it."""
    try:
        return _cp_encode(word)
    except UnicodeEncodeError:
        return None


def normalized_words(text: str) -> list[bytes] | None:
    r"""The ``\w+`` runs of ``normalize(text)``, encoded (see :func:`encode_word`); None outside the code page.

    Counting stop-words needs the words, not their positions: split in bytes
    (C speed), this costs a fifth of a regex over the str. Text that fits the
    code page is not lower-cased as a str (str.lower looks up every Arabic
    letter, about as long as the rest): the table lower-cases.
    """
    try:
        return _cp_encode(text).translate(_CP_LOWER_NORM_WORDS, _CP_DROPPED).split()
    except UnicodeEncodeError:
        pass
    try:
        # An upper-case letter outside the code page can have its lower case inside it ("É", "é").
        raw = _cp_encode(text.lower())
    except UnicodeEncodeError:
        return None
    return raw.translate(_CP_NORM_WORDS, _CP_DROPPED).split()


def normalize_with_map(text: str, boundary: Callable[[str], str] | None = None) -> Normalized:
    """:func:`normalize` with the map back to ``text``; with ``boundary``, also ``boundary(normalized)`` (scan)."""
    try:
        raw = _cp_encode(text)
    except UnicodeEncodeError:
        low = text.lower()
        if len(low) != len(text):
            # Lower-casing that changes the length (rare letters) would break the map.
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        return _normalize_with_map_str(low, boundary)
    if boundary is None:
        norm = raw.translate(_CP_LOWER_NORM, _CP_DROPPED)
        return Normalized(_cp_decode(norm), _cp_drops(raw, len(raw) - len(norm)))
    scan = raw.translate(_cp_scan_table(boundary), _CP_DROPPED)
    return Normalized(None, _cp_drops(raw, len(raw) - len(scan)), _cp_decode(scan), raw)


def _cp_drops(raw: bytes, count: int) -> list[int]:
    """Normalized positions of the ``count`` dropped characters of code-page text ``raw`` (see Normalized)."""
    if not count:
        return []
    mask = raw.translate(_CP_DROP_MASK)
    drops = []
    i = -1
    for dropped_before in range(count):
        i = mask.find(0, i + 1)
        drops.append(i - dropped_before)
    return drops


def _normalize_with_map_str(low: str, boundary: Callable[[str], str] | None) -> Normalized:
    low = _letters(low)
    drops = [m.start() - i for i, m in enumerate(_DROP_RE.finditer(low))]
    if drops:
        low = _DROP_RE.sub("", low)
    return Normalized(low, drops, boundary(low) if boundary is not None else "")


def word_bounds_ok(norm: str, start: int, end: int, any_suffix: bool) -> bool:
    """Whether ``norm[start:end]`` is a word between an allowed prefix and an allowed suffix."""
    ws = start
    while ws > 0 and norm[ws - 1].isalnum():
        ws -= 1
        if start - ws > 4:
            return False
    if norm[ws:start] not in PREFIXES:
        return False
    if any_suffix:
        return True
    n = len(norm)
    we = end
    while we < n and norm[we].isalnum():
        we += 1
        if we - end > 4:
            return False
    return norm[end:we] in SUFFIXES


def keyword_regex_source(term: str) -> str:
    """A regex (for text already passed through :func:`normalize`) that finds ``term`` with its clitics.

    Used by rule ``keywords`` conditions, so ``داعش`` also matches "وداعش" and "لداعش".
    """
    key = normalize_term(term)
    pre = "|".join(sorted((re.escape(p) for p in PREFIXES if p), key=len, reverse=True))
    suf = "|".join(sorted((re.escape(s) for s in SUFFIXES if s), key=len, reverse=True))
    body = r"\s+".join(re.escape(w) for w in key.split())
    return rf"(?<!\w)(?:{pre})?{body}(?:{suf})?(?!\w)"


def has_arabic_script(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)
