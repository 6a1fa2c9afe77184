"""Language identification for the classifier.

Routing decides which language's data an article is classified with, so it
must be cheap and must prefer the languages the classifier has data for:

1. English is checked first with a function-word count, because most traffic
   is English and anything more costs more than the rest of classification.
2. Otherwise the words of the first few hundred characters are counted
   against every language folder's stop-list (lang/<code>/stopwords.txt); a
   clear winner is the language. The stop-lists are data, so a new folder
   takes part without code.
3. Without a clear winner, the producer's ``language`` hint decides, then the
   language with the most stop-words; short ASCII items are English.
4. Only text in another script with no stop-word at all goes to py3langid (its
   model ships inside the package and is loaded on that first need, seconds);
   if it is missing, detection degrades to "und" and a warning is logged once.

The producer's ``language`` field is only a hint: it decides when the text
itself does not (too short, no stop-list winner).
"""

from __future__ import annotations

import logging
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newsmon.classify import arabic

logger = logging.getLogger(__name__)

_EN_WORDS = (" the ", " of ", " and ", " to ", " in ", " is ", " was ", " for ", " that ", " said ", " with ", " on ")
_FOREIGN_WORDS = (
    " le ",
    " la ",
    " les ",
    " des ",
    " der ",
    " die ",
    " und ",
    " das ",
    " el ",
    " los ",
    " las ",
    " que ",
    " del ",
    " est ",
    " ist ",
    " une ",
    " por ",
)
_SAMPLE = 800
_NON_LATIN = re.compile("[^\u0000-\u024f\u2000-\u206f]")
_WORD = re.compile(r"\w+")
# A language wins on stop-words with at least this many hits and this share of all hits.
MIN_HITS = 3
MIN_SHARE = 0.5


# UTF-8 lead bytes of U+0600-U+06FF (Arabic): counting them is a count of Arabic-block characters.
_ARABIC_LEAD_BYTES = (b"\xd8", b"\xd9", b"\xda", b"\xdb")
_ARABIC_HEAD = 120


def _too_arabic_for_english(sample: str) -> bool:
    """Whether a twentieth of ``sample`` is Arabic-block characters, so that it cannot look English.

    Those characters are all outside Latin, and :meth:`LanguageDetector.looks_english`
    wants fewer than a twentieth of those. The head of an Arabic text already
    has enough of them (counted as UTF-8 lead bytes, C speed): a tenth of the
    cost of the function-word searches it saves.
    """
    if sample.isascii():
        return False
    raw = sample[:_ARABIC_HEAD].encode("utf-8", "surrogatepass")
    return sum(map(raw.count, _ARABIC_LEAD_BYTES)) * 20 >= len(sample)


def _latin_share(sample: str) -> float:
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if ch < "\u0250") / len(letters)


@dataclass(frozen=True, slots=True)
class Detection:
    """The language used, how it was decided, and the share of the text's function words in it."""

    language: str
    source: str  # "detected", "hint" or "none"
    share: float  # of the stop-words found in the sample, the share that are this language's


# A (language, count) pair's count: max() over hits keeps the first of equal counts, as with a lambda.
_count = operator.itemgetter(1)

# Most articles are English: one result for all of them (frozen, so sharing it is safe).
_ENGLISH = Detection("en", "detected", 1.0)


def _english_hits(padded: str) -> int:
    """How many of the English function words ``padded`` (lower case, spaces around) has, counting up to four."""
    hits = 0
    for w in _EN_WORDS:
        if w in padded:
            hits += 1
            if hits >= 4:
                break
    return hits


def _mostly_latin(sample: str) -> bool:
    """Latin letters with accents are fine; other scripts (more than 1 in 20 characters) mean another language."""
    return len(_NON_LATIN.findall(sample)) * 20 < len(sample)


class LanguageDetector:
    """ISO 639-1 code for a text, or "und"."""

    def __init__(self, stopwords: Mapping[str, frozenset[str]] | None = None) -> None:
        self._model: Any = None
        self._failed = False
        self._stopwords = {code: words for code, words in (stopwords or {}).items() if words}
        # Letters that only one language's stop-list uses (Turkish dotless i and soft g):
        # a near-certain cue for short items with too few stop-words.
        letters: dict[str, set[str]] = {}
        for code, words in self._stopwords.items():
            for ch in {ch for w in words for ch in w if ch.isalpha() and not ch.isascii()}:
                letters.setdefault(ch, set()).add(code)
        self._letters = {ch: next(iter(codes)) for ch, codes in letters.items() if len(codes) == 1}
        # word -> the languages whose stop-list has it: one pass over the sample counts them all.
        self._index: dict[str, tuple[str, ...]] = {}
        for code, words in self._stopwords.items():
            for w in words:
                self._index[w] = (*self._index.get(w, ()), code)
        # Arabic-script stop-lists are stored normalized; the sample is normalized once for them,
        # in bytes when it can be (see arabic.normalized_words), so the index has a bytes twin.
        self._needs_arabic = any(arabic.has_arabic_script(w) for ws in self._stopwords.values() for w in ws)
        self._index_codepage: dict[bytes, tuple[str, ...]] = {}
        if self._needs_arabic:
            for w, codes in self._index.items():
                encoded = arabic.encode_word(w)
                if encoded is not None:
                    self._index_codepage[encoded] = codes

    def _load(self) -> Any:
        if self._model is None and not self._failed:
            try:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                self._model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            except Exception:  # the classifier must keep working without it
                logger.warning("py3langid unavailable; unknown text is reported as 'und'", exc_info=True)
                self._failed = True
        return self._model

    def warm(self) -> None:
        """Load the statistical model now (start-up) rather than on first use."""
        self._load()

    @staticmethod
    def looks_english(sample: str, strict: bool = False) -> bool:
        """Four English function words; or (unless ``strict``) plain ASCII without foreign ones."""
        low = f" {sample.lower()} "
        hits = _english_hits(low)
        if sample.isascii():
            # Short items (a headline, a results table) have few function words;
            # plain ASCII without foreign function words is English.
            return hits >= 4 or (not strict and not any(w in low for w in _FOREIGN_WORDS))
        return hits >= 4 and _mostly_latin(sample)

    def stopword_hits(self, sample: str) -> dict[str, int]:
        """Stop-word count per language folder in ``sample``."""
        return self._stopword_hits(sample)

    def _stopword_hits(self, sample: str, low: str | None = None) -> dict[str, int]:
        # ``low`` is sample.lower() when the caller has it; Arabic-script text does without (see
        # arabic.normalized_words), and lower-casing neither adds nor removes an Arabic letter.
        index: Mapping[Any, tuple[str, ...]] = self._index
        words: list[Any] | None = None
        if self._needs_arabic and not sample.isascii() and arabic.has_arabic_script(sample):
            words = arabic.normalized_words(sample)
            if words is None:
                words = _WORD.findall(arabic.normalize(sample))
            else:
                index = self._index_codepage
        if words is None:
            words = _WORD.findall(sample.lower() if low is None else low)
        hits = dict.fromkeys(self._stopwords, 0)
        # Only the stop-words reach Python code (filter and the membership test run in C).
        for w in filter(index.__contains__, words):
            for code in index[w]:
                hits[code] += 1
        return hits

    def letter_hits(self, sample: str) -> dict[str, int]:
        """Occurrences of each language's distinctive letters in ``sample``."""
        out: dict[str, int] = {}
        letters = self._letters
        for ch in sample.lower():
            code = letters.get(ch)
            if code is not None:
                out[code] = out.get(code, 0) + 1
        return out

    def detect_full(self, title: str, body: str, hint: str | None = None) -> Detection:
        """The language to classify with; ``hint`` (the producer's) decides only when the text does not."""
        sample = (title + "\n" + body[:_SAMPLE])[:_SAMPLE]
        hint = (hint or "").strip().lower()[:2]
        if not sample or sample.isspace():  # blank (strip() would copy the sample)
            return Detection(hint or "und", "hint" if hint else "none", 0.0)
        # looks_english (strict, then not) and stopword_hits inlined: the sample is lower-cased and its
        # English function words counted once for all three. A sample in Arabic script skips both: it
        # cannot look English, and its stop-words are counted without a lower-cased copy.
        is_ascii = sample.isascii()
        padded = ""  # read below only for an ASCII sample, which is never too Arabic
        if _too_arabic_for_english(sample):
            hits = self._stopword_hits(sample)
        else:
            low = sample.lower()
            padded = f" {low} "
            if _english_hits(padded) >= 4 and (is_ascii or _mostly_latin(sample)):
                return _ENGLISH
            hits = self._stopword_hits(sample, low)
        total = sum(hits.values())
        if total:
            best, n = max(hits.items(), key=_count)
            share = n / total
            if n >= MIN_HITS and share >= MIN_SHARE:
                return Detection(best, "detected", share)
        if not is_ascii:
            by_letter = self.letter_hits(sample)
            if len(by_letter) == 1:
                ((code, n),) = by_letter.items()
                if n >= 2:
                    return Detection(code, "detected", hits.get(code, 0) / total if total else 0.0)
        # Short ASCII items (a headline, a results table) are English unless a
        # producer says otherwise (looks_english: four function words returned above).
        if (not hint or hint == "en") and is_ascii and not any(w in padded for w in _FOREIGN_WORDS):
            return Detection("en", "detected", hits.get("en", 0) / total if total else 1.0)
        if hint:
            return Detection(hint, "hint", hits.get(hint, 0) / total if total else 0.0)
        if total:
            # A few stop-words (a short item): the language whose data serves it best.
            best, n = max(hits.items(), key=_count)
            return Detection(best, "detected", n / total)
        if _latin_share(sample) >= 0.9:
            return Detection("en", "detected", 0.0)
        # Another script and no stop-word at all: only the statistical model
        # (seconds to load, so loaded here on first need) can name it.
        model = self._load()
        if model is None:
            return Detection("und", "none", 0.0)
        lang, _prob = model.classify(sample)
        return Detection(str(lang), "detected", 0.0)

    def detect(self, title: str, body: str) -> str:
        return self.detect_full(title, body).language
