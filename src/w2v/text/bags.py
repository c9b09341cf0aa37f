"""A line of text as a bag of input rows, exactly as fastText's supervised mode makes it.

Each line ends with fastText's end-of-line token ``</s>`` (a word of the vocabulary, as in
fastText), and its bag holds, in this order for each token: the word's own row (if the word
is in the vocabulary), then its character n-grams' rows when the model has subwords
(:mod:`w2v.text.subwords`; a word outside the vocabulary has only these); then the rows of
the line's word n-grams, 2 to ``word_ngrams`` tokens long (tokens outside the vocabulary
count), each hashed as fastText's ``Dictionary::addWordNgrams`` hashes: every token's 32-bit
FNV-1a hash read as a signed int32 and widened to 64 bits, ``h = h * 116049371 + hash`` over
the n-gram's tokens modulo 2**64, row ``V + h % buckets``. Character and word n-grams share
the ``buckets`` rows after the ``V`` words' own rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numba import njit

from .._numba.cache import CACHE
from ..errors import ConfigError
from .subwords import EOS, Subwords, fnv1a

NGRAM_MULTIPLIER = 116049371  # fastText's Dictionary::addWordNgrams


@dataclass(frozen=True)
class Bags:
    """Lines as bags of rows.

    Attributes
    ----------
    offsets : (N + 1,) int64
        Line ``i``'s rows are ``rows[offsets[i]:offsets[i + 1]]``; a line of unknown words without
        n-grams has none.
    rows : (offsets[-1],) int32
    tokens : (N,) int64
        Each line's tokens with its ``</s>``: what the learning rate's schedule counts.
    """

    offsets: np.ndarray
    rows: np.ndarray
    tokens: np.ndarray


def count_words(lines: Sequence[Sequence[str]]) -> Counter:
    """Each token's count over the lines, ``</s>`` once per line (as fastText counts)."""
    counts: Counter = Counter()
    for tokens in lines:
        counts.update(tokens)
    counts[EOS] += len(lines)
    return counts


class BagMaker:
    """What turns lines into :class:`Bags` for one vocabulary.

    Parameters
    ----------
    words : sequence of str, length V
        The vocabulary: word ``i`` has input row ``i``.
    word_ngrams : int
        The longest word n-gram (1: words alone).
    buckets : int
        Rows after the words' own for the hashed n-grams (0 only without n-grams of either kind).
    subwords : Subwords or None
        Character n-grams (their ``buckets`` must equal ``buckets``).
    """

    def __init__(self, words: Sequence[str], word_ngrams: int = 1, buckets: int = 0, subwords: Subwords | None = None):
        if (word_ngrams > 1 or subwords is not None) and buckets < 1:
            raise ConfigError("n-grams need buckets >= 1", options=("buckets",))
        if subwords is not None and subwords.buckets != buckets:
            raise ConfigError(f"subwords' buckets ({subwords.buckets}) differ from buckets ({buckets})",
                              options=("buckets",))
        self.word_ngrams, self.buckets, self.subwords = word_ngrams, buckets, subwords
        self._index = {word: i for i, word in enumerate(words)}
        self._known = len(self._index)
        # The token table: every token seen so far, the vocabulary's first, with its hash and its own rows.
        self._tokens = list(words)
        self._hashes = [_hash(word) for word in words]
        if subwords is None:
            self._row_offsets = np.arange(len(words) + 1, dtype=np.int64)
            self._row_table = np.arange(len(words), dtype=np.int32)
        else:
            self._row_offsets, self._row_table = subwords.rows(list(words), len(words))

    def bags(self, lines: Sequence[Sequence[str]]) -> Bags:
        """The bags of ``lines`` (each a sequence of tokens, without ``</s>``)."""
        index, new = self._index, []
        line_tokens = np.zeros(len(lines) + 1, dtype=np.int64)
        ids = []
        for i, tokens in enumerate(lines):
            for token in tokens:
                at = index.get(token)
                if at is None:
                    at = index[token] = len(self._tokens)
                    self._tokens.append(token)
                    new.append(token)
                ids.append(at)
            ids.append(index[EOS] if EOS in index else self._unknown_eos(new))
            line_tokens[i + 1] = len(tokens) + 1
        if new:
            self._add_unknown(new)
        np.cumsum(line_tokens, out=line_tokens)
        token_ids = np.asarray(ids, dtype=np.int64)
        hashes = np.asarray(self._hashes, dtype=np.int64)
        offsets = np.zeros(len(lines) + 1, dtype=np.int64)
        _bag_rows(token_ids, line_tokens, self._row_offsets, self._row_table, hashes, self.word_ngrams,
                  self._known, self.buckets, offsets, np.empty(0, dtype=np.int32), False)
        np.cumsum(offsets, out=offsets)
        rows = np.empty(int(offsets[-1]), dtype=np.int32)
        _bag_rows(token_ids, line_tokens, self._row_offsets, self._row_table, hashes, self.word_ngrams,
                  self._known, self.buckets, offsets, rows, True)
        return Bags(offsets, rows, np.diff(line_tokens))

    def _unknown_eos(self, new: list[str]) -> int:
        at = self._index[EOS] = len(self._tokens)
        self._tokens.append(EOS)
        new.append(EOS)
        return at

    def _add_unknown(self, new: list[str]) -> None:
        """Hash tokens outside the vocabulary and give them their character n-grams' rows (or none)."""
        self._hashes.extend(_hash(token) for token in new)
        if self.subwords is None:
            extra = np.zeros(len(new), dtype=np.int64)
            rows = np.empty(0, dtype=np.int32)
        else:
            offsets, rows = self.subwords.rows(new, self._known, own_rows=False)
            extra = np.diff(offsets)
        self._row_offsets = np.concatenate([self._row_offsets, self._row_offsets[-1] + np.cumsum(extra)])
        self._row_table = np.concatenate([self._row_table, rows])


def _hash(token: str) -> int:
    data = np.frombuffer(token.encode("utf-8"), dtype=np.uint8)
    return int(fnv1a(data, 0, data.size))


@njit(cache=CACHE, nogil=True)
def _bag_rows(token_ids, line_tokens, row_offsets, row_table, hashes, word_ngrams, vocabulary, buckets, offsets,
              rows, fill):  # pragma: no cover - compiled
    """Count each line's rows into ``offsets[i + 1]`` (``fill`` False) or write them from ``rows[offsets[i]]``."""
    for line in range(line_tokens.size - 1):
        start, stop = line_tokens[line], line_tokens[line + 1]
        at = offsets[line]
        count = 0
        for k in range(start, stop):
            t = token_ids[k]
            for r in range(row_offsets[t], row_offsets[t + 1]):
                if fill:
                    rows[at + count] = row_table[r]
                count += 1
        for i in range(start, stop):
            h = np.uint64(np.int64(np.int32(np.uint32(hashes[token_ids[i]]))))
            for j in range(i + 1, min(stop, i + word_ngrams)):
                h = h * np.uint64(NGRAM_MULTIPLIER) + np.uint64(np.int64(np.int32(np.uint32(hashes[token_ids[j]]))))
                if fill:
                    rows[at + count] = vocabulary + np.int64(h % np.uint64(buckets))
                count += 1
        if not fill:
            offsets[line + 1] = count
