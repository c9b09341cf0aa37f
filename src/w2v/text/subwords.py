"""Character n-grams, hashed into buckets exactly as fastText hashes them.

A word's subwords (Bojanowski et al. 2017) are its character n-grams, ``minn`` to ``maxn``
characters long, of the word with ``<`` and ``>`` around it ("where" with 3..3: ``<wh``,
``whe``, ``her``, ``ere``, ``re>``); the one-character n-grams ``<`` and ``>`` alone are not
among them. Characters are UTF-8 sequences: an n-gram never cuts one. Each n-gram is hashed
with 32-bit FNV-1a over its bytes, each byte sign-extended first (fastText's
``uint32_t(int8_t(c))``, which matters for every non-ASCII byte), and lands in bucket
``hash % buckets``: row ``V + bucket`` of the input matrix, after the ``V`` words' own rows.
An n-gram that occurs twice in a word counts twice, and fastText's end-of-line token ``</s>``
has none, as in fastText.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numba import njit

from .._numba.cache import CACHE
from ..errors import ConfigError

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619
DEFAULT_BUCKETS = 2_000_000  # fastText's -bucket
EOS = "</s>"  # fastText's end-of-line token, which has no n-grams
MAX_BUCKETS = 2**31 - 1  # fastText stores bucket ids in int32
MAX_NGRAM = 100  # characters: longer n-grams are whole words


@dataclass(frozen=True)
class Subwords:
    """Which character n-grams a word's vector is made of: ``minn`` to ``maxn`` characters, in ``buckets`` rows."""

    minn: int = 3
    maxn: int = 6
    buckets: int = DEFAULT_BUCKETS

    def __post_init__(self) -> None:
        for name, value, high, option in (("minn", self.minn, MAX_NGRAM, "subwords"),
                                          ("maxn", self.maxn, MAX_NGRAM, "subwords"),
                                          ("buckets", self.buckets, MAX_BUCKETS, "buckets")):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 1 <= value <= high:
                raise ConfigError(f"subwords' {name} must be an integer in 1..{high:,}, not {value!r}",
                                  options=(option,))
        if self.minn > self.maxn:
            raise ConfigError(f"subwords' minn ({self.minn}) is above maxn ({self.maxn})", options=("subwords",))

    def rows(self, words: Sequence[str], vocabulary: int, *, own_rows: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Each word's input rows: its own (row ``i`` for word ``i``, if ``own_rows``), then its n-grams'.

        Parameters
        ----------
        words : sequence of str, length W
            The vocabulary (``own_rows``), or words outside it (``own_rows=False``).
        vocabulary : int
            The words' rows before the buckets: bucket ``b`` is row ``vocabulary + b``.

        Returns
        -------
        offsets : (W + 1,) int64
            Word ``i``'s rows are ``rows[offsets[i]:offsets[i + 1]]``.
        rows : (offsets[-1],) int32
        """
        encoded = [b"" if word == EOS else ("<" + word + ">").encode("utf-8") for word in words]
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        ends = np.cumsum([len(e) for e in encoded], dtype=np.int64)
        offsets = np.zeros(len(words) + 1, dtype=np.int64)
        rows = np.empty(0, dtype=np.int32)
        _ngram_rows(data, ends, self.minn, self.maxn, self.buckets, vocabulary, own_rows, offsets, rows, False)
        offsets[1:] += 1 if own_rows else 0
        np.cumsum(offsets, out=offsets)
        rows = np.empty(int(offsets[-1]), dtype=np.int32)
        _ngram_rows(data, ends, self.minn, self.maxn, self.buckets, vocabulary, own_rows, offsets, rows, True)
        return offsets, rows

    def ngrams(self, word: str) -> list[str]:
        """The word's n-grams as text, in the order of their rows (``fasttext``'s ``get_subwords`` after the word)."""
        if word == EOS:
            return []
        marked = "<" + word + ">"
        return [marked[i:i + n] for i in range(len(marked)) for n in range(self.minn, self.maxn + 1)
                if i + n <= len(marked) and not (n == 1 and (i == 0 or i + n == len(marked)))]


def vocabulary_rows(spec: Subwords | None, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int] | None:
    """(offsets, rows, buckets): the input rows of each word of a vocabulary (:meth:`Subwords.rows`), or None
    without subwords."""
    if spec is None:
        return None
    return (*spec.rows(words, len(words)), spec.buckets)


@njit(cache=CACHE, nogil=True)
def fnv1a(data: np.ndarray, start: int, stop: int) -> int:  # pragma: no cover - compiled
    """fastText's hash of ``data[start:stop]``: 32-bit FNV-1a over sign-extended bytes."""
    h = np.uint32(FNV_OFFSET)
    for k in range(start, stop):
        byte = np.int64(data[k])
        h = np.uint32(h ^ np.uint32((byte - 256 if byte >= 128 else byte) & 0xFFFFFFFF))
        h = np.uint32(np.uint64(h) * np.uint64(FNV_PRIME) & np.uint64(0xFFFFFFFF))
    return h


@njit(cache=CACHE, nogil=True, inline="always")
def _next_char(data: np.ndarray, j: int, stop: int) -> int:  # pragma: no cover - compiled
    """Where the UTF-8 character starting at ``j`` ends."""
    j += 1
    while j < stop and (data[j] & 0xC0) == 0x80:
        j += 1
    return j


@njit(cache=CACHE, nogil=True)
def _ngram_rows(data: np.ndarray, ends: np.ndarray, minn: int, maxn: int, buckets: int, vocabulary: int,
                own_rows: bool, offsets: np.ndarray, rows: np.ndarray, fill: bool) -> None:  # pragma: no cover
    """Walk each word's n-grams: count them into ``offsets[w + 1]`` (``fill`` False), or write the word's
    rows (its own first if ``own_rows``, then its n-grams' buckets) from ``rows[offsets[w]]`` (True)."""
    start = 0
    for w in range(ends.size):
        stop = ends[w]
        at = offsets[w]
        if fill and own_rows:
            rows[at] = w
            at += 1
        for i in range(start, stop):
            if (data[i] & 0xC0) == 0x80:
                continue
            j, n = i, 1
            while j < stop and n <= maxn:
                j = _next_char(data, j, stop)
                if n >= minn and not (n == 1 and (i == start or j == stop)):
                    if fill:
                        rows[at] = vocabulary + np.int64(fnv1a(data, i, j)) % buckets
                        at += 1
                    else:
                        offsets[w + 1] += 1
                n += 1
        start = stop
