"""Word vectors from subword rows: a word's vector is the mean of its own row and its n-grams' rows.

A subword model (fastText's, :mod:`w2v.text.subwords`) keeps its input matrix in two parts:
the words' own rows (V, D) and the n-gram buckets' (B, D). :func:`compose` gives the (V, D)
word vectors that queries use; :func:`ngram_means` gives words outside the vocabulary a
vector from their n-grams alone; :func:`own_rows` undoes :func:`compose` for a format that
stores the own rows (fastText's ``.bin``). The parts stay where they are (memory-mapped
ones too): nothing (V + B, D) is ever assembled.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit, prange

from .._numba.cache import CACHE
from ..text.subwords import Subwords


@njit(cache=CACHE, nogil=True, parallel=True)
def _mean_rows(own: np.ndarray, ngrams: np.ndarray, offsets: np.ndarray, rows: np.ndarray, vocabulary: int,
               out: np.ndarray) -> None:  # pragma: no cover - compiled
    """``out[w]`` = the mean of word w's rows, row r being ``own[r]`` below ``vocabulary``, else
    ``ngrams[r - vocabulary]`` (a word without rows gets zeros). ``out`` may be ``own`` itself: a
    word's only own row is its own, and each element is read before it is written."""
    D = out.shape[1]
    for w in prange(out.shape[0]):
        first, end = offsets[w], offsets[w + 1]
        inv = np.float32(1.0 / (end - first)) if end > first else np.float32(0.0)
        for k in range(D):
            total = np.float32(0.0)
            for j in range(first, end):
                r = rows[j]
                total += own[r, k] if r < vocabulary else ngrams[r - vocabulary, k]
            out[w, k] = total * inv


def compose(own: np.ndarray, ngrams: np.ndarray, spec: Subwords, words: Sequence[str], *,
            in_place: bool = False) -> np.ndarray:
    """(V, D) float32 word vectors from the words' own rows ``own`` (V, D) and the n-gram rows (B, D),
    written over ``own`` if ``in_place`` (a loaded file's rows: no second (V, D) matrix)."""
    offsets, rows = spec.rows(words, len(words))
    out = own if in_place else np.empty(own.shape, dtype=np.float32)
    _mean_rows(own, ngrams, offsets, rows, len(words), out)
    return out


def ngram_means(ngrams: np.ndarray, spec: Subwords, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Vectors for words outside a vocabulary: the mean of their n-grams' rows.

    Returns
    -------
    vectors : (W, D) float32
        Zero for a word with no n-gram (shorter than ``minn - 2`` characters).
    has_ngrams : (W,) bool
    """
    offsets, rows = spec.rows(words, 0, own_rows=False)
    out = np.empty((len(words), ngrams.shape[1]), dtype=np.float32)
    _mean_rows(ngrams[:0], ngrams, offsets, rows, 0, out)
    return out, np.diff(offsets) > 0


def own_rows(vectors: np.ndarray, ngrams: np.ndarray, spec: Subwords, words: Sequence[str]) -> np.ndarray:
    """The words' own rows that :func:`compose` makes ``vectors`` (V, D) from: n times a word's vector less
    its n - 1 n-gram rows (exact up to float32 rounding)."""
    offsets, rows = spec.rows(words, len(words))
    ngram_offsets = offsets - np.arange(len(offsets))  # each word's first row, its own, left out
    ngram_rows = np.delete(rows, offsets[:-1]) - len(words)
    means = np.empty(vectors.shape, dtype=np.float32)
    _mean_rows(ngrams[:0], ngrams, ngram_offsets, ngram_rows, 0, means)
    lengths = np.diff(offsets).astype(np.float32)[:, None]
    return (lengths * vectors - (lengths - 1) * means).astype(np.float32)
