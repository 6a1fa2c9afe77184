"""Near-duplicate fingerprints of an article's text (pure CPU, no I/O).

An article's normalized body is cut into word shingles, each hashed to 32
bits, and summarised twice: a MinHash signature whose bands are the buckets of
locality-sensitive hashing, which find earlier articles that may be copies,
and a bottom-k sketch (the ``SKETCH_SIZE`` smallest distinct shingle hashes)
from which the Jaccard similarity of two texts is estimated, exactly for texts
with fewer distinct shingles.

The hashing changed with the time slices of the index (before: MinHash
equality as the estimate); state written by the older version is ignored and
expires, so copies of articles seen before the upgrade open new stories once.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

BANDS = 42
ROWS = 3  # rows per band: candidates from Jaccard ~0.3 upwards
NUM_PERM = BANDS * ROWS  # MinHash values, for the LSH bands only
# The similarity estimate uses a bottom-k sketch: the SKETCH_SIZE smallest
# distinct shingle hashes. For a given size it estimates Jaccard with less
# variance than the fraction of equal MinHash values (sampling without
# replacement), and exactly for texts with fewer distinct shingles.
SKETCH_SIZE = 128
SHINGLE_WORDS = 3
# Below this many distinct shingles a text is too short to tell a copy from a template
# ("Shr 10 cts vs 12 cts"); such articles keep their own story.
MIN_SHINGLES = 8
MAX_ID_CHARS = 1000
# Most text fingerprint_many() hashes in one go (a chunk of wire stories is about 100 KB).
GROUP_BYTES = 256 * 1024
# One LSH bucket is a hash field: the band's index as one byte (below 64, so
# never "@", which starts record fields) and the band's rows as they are.
BAND_FIELD = 1 + 4 * ROWS
assert ord("@") > BANDS

_rng = np.random.default_rng(20240216)  # fixed: hashes must agree across processes and restarts
# Multiply-shift mixing of word hashes into shingle hashes: odd 64-bit
# multipliers, products wrap modulo 2**64 on purpose.
_MIX = _rng.integers(1, 1 << 63, size=8, dtype=np.uint64) | np.uint64(1)
_SHIFT = np.uint64(32)
# MinHash permutations x -> a*x mod 2**32 (a odd, so a bijection). Shingle hashes
# are already well mixed; 32-bit products run on twice the SIMD lanes of 64-bit
# ones. They only pick LSH candidates; the sketch decides.
_PERM = _rng.integers(1, 1 << 32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
_BAND_TEMPLATE = np.zeros((BANDS, BAND_FIELD), dtype=np.uint8)
_BAND_TEMPLATE[:, 0] = np.arange(BANDS)

# Words are maximal runs of bytes that are neither ASCII punctuation, whitespace
# nor NUL, in the UTF-8 of the case-folded text; the non-ASCII quotes, dashes
# and spaces below become spaces first. Words are hashed in numpy (a polynomial
# hash summed per run), not one Python object per word.
_UNICODE_BREAKS = [
    c.encode("utf-8")
    for c in "\u2018\u2019\u201c\u201d\u00ab\u00bb\u2013\u2014\u2026"  # punctuation
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"  # what str.split() takes for spaces
]
# Byte -> its value inside words, 0 for a break.
_WORD_BYTE = np.arange(256, dtype=np.uint64)
_WORD_BYTE[list((string.punctuation + string.whitespace + "\x1c\x1d\x1e\x1f\x00").encode())] = 0
_POLY = _rng.integers(1 << 62, 1 << 63, dtype=np.uint64) | np.uint64(1)
_POLY_INV = _POLY
with np.errstate(over="ignore"):
    for _ in range(6):  # Newton's iteration for the inverse modulo 2**64 (odd numbers have one)
        _POLY_INV = _POLY_INV * (np.uint64(2) - _POLY * _POLY_INV)
_FINAL = np.uint64(0xBF58476D1CE4E5B9)  # odd; with the xor-shift, high bits depend on every byte
_SHIFT31 = np.uint64(31)
_tables: tuple[np.ndarray, np.ndarray] = (np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint64))


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """POLY**i and POLY**-i modulo 2**64 for i < n (at least), grown by doubling."""
    global _tables
    tables = _tables  # one read: another thread may grow them meanwhile
    if tables[0].size < n:
        size = max(1 << 16, 1 << (n - 1).bit_length())
        with np.errstate(over="ignore"):
            tables = _tables = (
                np.cumprod(np.full(size, _POLY, dtype=np.uint64), dtype=np.uint64) * _POLY_INV,
                np.cumprod(np.full(size, _POLY_INV, dtype=np.uint64), dtype=np.uint64) * _POLY,
            )
    return tables


def _word_bytes(text: str) -> bytes:
    """The UTF-8 of the case-folded text with the non-ASCII breaks made spaces."""
    folded = text.casefold()
    data = folded.encode("utf-8")
    if not folded.isascii():
        for seq in _UNICODE_BREAKS:
            data = data.replace(seq, b" ")
    return data


def _hash_words(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The hash of every word of ``data`` and where it starts (index in ``data``, plus one)."""
    # A space on both sides: every word starts after a flip from break to word.
    values = _WORD_BYTE.take(np.frombuffer(b" " + data + b" ", dtype=np.uint8))
    inword = values.astype(bool)
    starts = np.flatnonzero(inword[1:] != inword[:-1])[0::2] + 1
    if starts.size == 0:
        return np.empty(0, dtype=np.uint64), starts
    pw, inv = _power_tables(values.size)
    with np.errstate(over="ignore"):
        values *= pw[: values.size]
        # Breaks are 0, so a run from one start to the next sums just one word;
        # times POLY**-start it is the same wherever the word stands.
        w = np.add.reduceat(values, starts) * inv[starts]
        w ^= w >> _SHIFT31
        w *= _FINAL
    return w, starts


def word_hashes(text: str) -> np.ndarray:
    """A 64-bit hash (uint64) per word of ``text``, case-folded, in order."""
    return _hash_words(_word_bytes(text))[0]


def shingles(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Stable 32-bit hashes (uint32) of the ``k``-word shingles of ``text`` (case-folded words)."""
    w = word_hashes(text)
    if w.size == 0:
        return np.empty(0, dtype=np.uint32)
    k = min(k, w.size)  # a text shorter than a shingle is one shingle
    n = w.size - k + 1
    with np.errstate(over="ignore"):
        acc = w[:n] * _MIX[0]
        for j in range(1, k):
            acc += w[j : j + n] * _MIX[j]
    # Repeated shingles are left in: they cannot change a minimum.
    out = np.empty(n, dtype=np.uint32)
    np.right_shift(acc, _SHIFT, out=out, casting="unsafe")
    return out


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature: ``NUM_PERM`` uint32 minima of the (uint32) shingle hashes under the permutations."""
    return np.multiply(hashes[:, None], _PERM).min(axis=0)


def band_fields(sig: np.ndarray) -> bytes:
    """The LSH buckets of a signature, one ``BAND_FIELD``-byte hash field per band, concatenated.

    A bucket is the band's index and its rows as they are (hashing them would
    save 5 bytes per field at more CPU), so equal rows in different bands are
    different buckets.
    """
    out = _BAND_TEMPLATE.copy()
    out[:, 1:] = sig[: BANDS * ROWS].view(np.uint8).reshape(BANDS, BAND_FIELD - 1)
    return out.tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two texts from their packed sketches.

    Of the ``SKETCH_SIZE`` smallest hashes of the union (a bottom-k sketch of
    the union, found from the two sketches), the fraction in both; the Lua
    script computes the same by merging the two sorted lists.
    """
    va = np.frombuffer(a, dtype="<u4")
    vb = np.frombuffer(b, dtype="<u4")
    union = np.union1d(va, vb)[:SKETCH_SIZE]
    both = np.intersect1d(va, vb, assume_unique=True)
    return float(np.count_nonzero(both <= union[-1])) / union.size


def outlet_of(source: str | None, url: str | None) -> str:
    """The outlet that carried an article: its source name, else the URL's host."""
    if source and source.strip():
        return source.strip().casefold()
    if url:
        host = (urlsplit(url).hostname or "").lower()
        return host.removeprefix("www.") or "unknown"
    return "unknown"


@dataclass(slots=True)
class Fingerprint:
    """What the index needs of an article; ``sketch`` is None when the text is too short.

    ``sketch``: the bottom-k sketch, ascending little-endian uint32; ``bands``:
    :func:`band_fields` of the MinHash signature (empty without a sketch).
    """

    article_id: str
    outlet: str
    sketch: bytes | None
    bands: bytes = b""


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values; np.unique costs several times more on arrays this small."""
    if values.size == 0:
        return values
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def fingerprint(article_id: str, body: str, *, source: str | None = None, url: str | None = None) -> Fingerprint:
    """Everything the story index needs of an article (pure CPU, no I/O).

    Raises ValueError for an id longer than ``MAX_ID_CHARS`` (ids are 26
    characters; the script stores lengths in two bytes).
    """
    if len(article_id) > MAX_ID_CHARS:
        raise ValueError(f"article id longer than {MAX_ID_CHARS} characters")
    distinct = _distinct(shingles(body))
    outlet = outlet_of(source, url)
    if distinct.size < MIN_SHINGLES:
        return Fingerprint(article_id, outlet, None)
    return Fingerprint(
        article_id, outlet, distinct[:SKETCH_SIZE].astype("<u4", copy=False).tobytes(), band_fields(signature(distinct))
    )


def fingerprint_many(items: Sequence[tuple[str, str, str | None, str | None]]) -> list[Fingerprint]:
    """:func:`fingerprint` of each ``(article_id, body, source, url)``, the same results, for a chunk at once.

    On one article's few hundred values numpy's cost per call (a few us) is most
    of the work, and a fingerprint takes some twenty calls. Here the chunk's
    texts are hashed as one text (joined by a space, so no word spans two; a
    word's hash does not depend on where it stands), their shingles sorted
    together under the article's index and their MinHash minima reduced per
    article: the same number of calls for a chunk as for one article.
    """
    for article_id, *_ in items:
        if len(article_id) > MAX_ID_CHARS:
            raise ValueError(f"article id longer than {MAX_ID_CHARS} characters")
    texts = [_word_bytes(body) for _, body, _, _ in items]
    out: list[Fingerprint] = []
    begin = size = 0
    for end, text in enumerate(texts):
        # Groups of at most GROUP_BYTES (or one longer text): the power tables
        # and the minima's work array grow with a group's size.
        if end > begin and size + len(text) > GROUP_BYTES:
            out += _fingerprint_group(items[begin:end], texts[begin:end])
            begin, size = end, 0
        size += len(text) + 1
    if begin < len(texts):
        out += _fingerprint_group(items[begin:], texts[begin:])
    return out


def _fingerprint_group(
    items: Sequence[tuple[str, str, str | None, str | None]], texts: list[bytes]
) -> list[Fingerprint]:
    """:func:`fingerprints` of texts hashed together (``texts``: their :func:`_word_bytes`)."""
    w, starts = _hash_words(b" ".join(texts))
    # Where each text starts in the joined bytes (plus one, as the word starts are).
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    first = np.cumsum(lengths) - lengths + 1
    owner = np.searchsorted(first, starts, side="right") - 1  # the text of each word
    # The k-word shingles that lie inside one text; a text of fewer than k words
    # has none here and one in shingles(), too few for a sketch either way.
    k = SHINGLE_WORDS
    n = w.size - k + 1
    if n > 0:
        with np.errstate(over="ignore"):
            acc = w[:n] * _MIX[0]
            for j in range(1, k):
                acc += w[j : j + n] * _MIX[j]
        inside = owner[:n] == owner[k - 1 :]
        # Text index in the high half, shingle hash in the low half: one sort
        # orders the hashes of each text, and equal keys are repeats in one text.
        keys = (owner[:n][inside].astype(np.uint64) << _SHIFT) | (acc[inside] >> _SHIFT)
        keys = _distinct(keys)
    else:
        keys = np.empty(0, dtype=np.uint64)
    counts = np.bincount((keys >> _SHIFT).astype(np.int64), minlength=len(items))
    ends = np.cumsum(counts)
    hashes = keys.astype(np.uint32)  # the low half
    # MinHash minima of every text with a sketch, one row each.
    sketched = np.flatnonzero(counts >= MIN_SHINGLES)
    rows: np.ndarray = np.empty((0, BANDS, BAND_FIELD), dtype=np.uint8)
    if sketched.size:
        sizes = counts[sketched]
        kept = hashes[np.repeat(counts >= MIN_SHINGLES, counts)]
        # One row per permutation: reduceat along rows is several times faster
        # than down the columns of the (shingle, permutation) layout.
        minima = np.minimum.reduceat(np.multiply(_PERM[:, None], kept[None, :]), np.cumsum(sizes) - sizes, axis=1)
        sigs = np.ascontiguousarray(minima.T)
        rows = np.repeat(_BAND_TEMPLATE[None], sketched.size, axis=0)
        rows[:, :, 1:] = sigs[:, : BANDS * ROWS].view(np.uint8).reshape(sketched.size, BANDS, BAND_FIELD - 1)
    out: list[Fingerprint] = []
    row = 0
    for (article_id, _, source, url), count, end in zip(items, counts.tolist(), ends.tolist(), strict=True):
        outlet = outlet_of(source, url)
        if count < MIN_SHINGLES:
            out.append(Fingerprint(article_id, outlet, None))
            continue
        sketch = hashes[end - count : end - count + min(count, SKETCH_SIZE)].astype("<u4", copy=False).tobytes()
        out.append(Fingerprint(article_id, outlet, sketch, rows[row].tobytes()))
        row += 1
    return out
