"""The vocabulary: words, their counts and their ids, and the noise distribution built from them."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import CorpusError
from ..io.files import atomic_write
from ..io.numbers import MAX_INT64, whole_number
from .sources import text_lines

MIN_TABLE_BITS = 20  # the noise table has at least 2**20 entries (4 MiB: stays in cache)
TABLE_BLOCK = 1 << 16  # table slots computed at a time
MAX_VOCAB_LINE = 1 << 16  # bytes of one 'word count' line


@dataclass(frozen=True)
class Pruned:
    """What choosing the vocabulary left out: word types and their tokens, by reason."""

    rare_types: int  # seen fewer than min_count times
    rare_tokens: int
    capped_types: int  # frequent enough, but beyond max_vocab_size
    capped_tokens: int
    outside_tokens: int = 0  # tokens of words outside a fixed vocabulary (read_vocab)

    def describe(self) -> str:
        parts = []
        if self.outside_tokens:
            parts.append(f"{self.outside_tokens:,} tokens of words outside the fixed vocabulary")
        if self.rare_types:
            parts.append(f"{self.rare_types:,} rare word types ({self.rare_tokens:,} tokens) below min_count")
        if self.capped_types:
            parts.append(f"{self.capped_types:,} word types ({self.capped_tokens:,} tokens) beyond max_vocab_size")
        return "; ".join(parts) or "nothing"


def select_words(
    counts: np.ndarray,
    *,
    min_count: int = 1,
    max_vocab_size: int | None = None,
    firsts: np.ndarray | None = None,
) -> tuple[np.ndarray, Pruned]:
    """The candidates to keep, most frequent first, and what was left out.

    Parameters
    ----------
    counts : (W,) int
        Exact counts of every candidate word.
    firsts : (W,) int, optional
        Where each candidate first appeared (tokens before it); ties in count go to the
        earlier one. Without it, candidates are taken to be in order of first appearance.

    Returns
    -------
    kept : (V,) int64 candidate indices, by descending count (ties: first appearance first)
    pruned : Pruned
    """
    counts = np.asarray(counts, dtype=np.int64)
    frequent = np.flatnonzero(counts >= min_count)
    order = np.argsort(-counts[frequent], kind="stable") if firsts is None else \
        np.lexsort((np.asarray(firsts)[frequent], -counts[frequent]))
    ranked = frequent[order]
    kept = ranked if max_vocab_size is None else ranked[:max_vocab_size]
    if kept.size == 0:
        raise CorpusError(f"no word occurs at least {min_count} times; lower min_count", options=("min_count",))
    total, frequent_tokens, kept_tokens = int(counts.sum()), int(counts[frequent].sum()), int(counts[kept].sum())
    return kept, Pruned(int(counts.size - frequent.size), total - frequent_tokens, int(ranked.size - kept.size),
                        frequent_tokens - kept_tokens)


class Vocab:
    """Words with ids ``0..V-1`` and their corpus counts.

    Parameters
    ----------
    words : sequence of str, length V
        ``words[i]`` is the word with id ``i``; no duplicates.
    counts : (V,) array_like of int
        How often each word occurs in the training corpus.
    """

    def __init__(self, words: Sequence[str], counts: Sequence[int] | np.ndarray):
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64)
        if self.counts.shape != (len(self.words),):
            raise ValueError(f"{len(self.words)} words but counts of shape {self.counts.shape}")
        if len(set(self.words)) != len(self.words):
            raise ValueError("duplicate words in vocabulary")

    @functools.cached_property
    def word_to_id(self) -> dict[str, int]:
        """{word: id}, built when first used: training never looks words up, and the trained
        vectors keep an index of their own (a dict entry per word)."""
        return {word: i for i, word in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.word_to_id

    def __repr__(self) -> str:
        return f"Vocab({len(self)} words, {int(self.counts.sum())} tokens)"

    @property
    def by_frequency(self) -> bool:
        """Whether ids go by descending count, as training needs (the Huffman tree, the hot rows,
        ``restrict_vocab``): every vocabulary w2v builds is, and :meth:`Corpus.by_frequency` sorts one."""
        return bool(np.all(self.counts[:-1] >= self.counts[1:]))

    def ranked(self) -> tuple[Vocab, np.ndarray]:
        """This vocabulary with ids by descending count (equal counts keep their order), and
        ``new_id`` (V,) int32: the new id of each old one."""
        order = np.argsort(-self.counts, kind="stable")
        new_id = np.empty(order.size, dtype=np.int32)
        new_id[order] = np.arange(order.size, dtype=np.int32)
        return Vocab([self.words[i] for i in order.tolist()], self.counts[order]), new_id

    def noise_distribution(self, power: float = 0.75) -> np.ndarray:
        """Probabilities of drawing each word as a negative: ``counts ** power``, normalised.

        Returns
        -------
        (V,) float64, sums to 1.
        """
        weights = self.counts.astype(np.float64) ** power
        return weights / weights.sum()

    def keep_thresholds(self, sample: float) -> np.ndarray:
        """Subsampling of frequent words, word2vec.c's formula, as 32-bit thresholds.

        A word with count c among T corpus words is kept with probability
        ``min(1, (sqrt(c / (sample T)) + 1) * sample T / c)``; ``sample = 0`` keeps everything.

        Returns
        -------
        (V,) uint64: keep the word when a uniform 32-bit random number is below it.
        """
        if sample <= 0:
            return np.full(len(self), 2**32, dtype=np.uint64)
        threshold = sample * self.counts.sum()
        counts = np.maximum(self.counts, 1).astype(np.float64)
        keep = np.minimum(1.0, (np.sqrt(counts / threshold) + 1) * threshold / counts)
        return np.ceil(keep * 2**32).astype(np.uint64)

    def noise_table(self, power: float = 0.75, bits: int | None = None) -> np.ndarray:
        """word2vec.c's unigram table: word ids filling ``2**bits`` slots in proportion to counts ** power.

        The default size is 2**20 slots, more for vocabularies over 2**17 words: small enough to
        stay in cache, which matters because every negative is a random read from it.

        Returns
        -------
        (2**bits,) int32
        """
        if bits is None:
            bits = noise_table_bits(len(self))
        size = 2**bits
        cdf = np.cumsum(self.noise_distribution(power))
        table = np.empty(size, dtype=np.int32)
        for first in range(0, size, TABLE_BLOCK):  # in blocks: no float64 and int64 temporaries of the table's size
            slots = (np.arange(first, min(size, first + TABLE_BLOCK), dtype=np.float64) + 0.5) / size
            table[first : first + slots.size] = np.minimum(np.searchsorted(cdf, slots, side="right"), len(self) - 1)
        return table


def noise_table_bits(vocabulary: int) -> int:
    """log2 of the noise table's default size for ``vocabulary`` words: 8 slots a word, at least 2**20."""
    return max(MIN_TABLE_BITS, int(np.ceil(np.log2(max(vocabulary, 2)))) + 3)


def fixed_vocab(path: str | os.PathLike, *, min_count: int = 1, max_vocab_size: int | None = None) -> Vocab:
    """The vocabulary a ``word count`` file fixes for a run (word2vec.c's ``-read-vocab``).

    The file's counts stand for the corpus's (word2vec.c's choice: the noise distribution and
    subsampling then do not change from corpus to corpus): words below ``min_count`` are
    dropped, at most ``max_vocab_size`` are kept, and ids go by descending count, ties in
    file order (so a file written by ``save_vocab`` keeps its order).
    """
    vocab = read_vocab_file(path)
    try:
        kept, _ = select_words(vocab.counts, min_count=min_count, max_vocab_size=max_vocab_size)
    except CorpusError as err:
        raise CorpusError(f"{path}: {err}", options=err.options) from None
    return Vocab([vocab.words[i] for i in kept.tolist()], vocab.counts[kept])


def write_vocab_file(path: str | os.PathLike, words: Sequence[str], counts: Sequence[int] | np.ndarray) -> None:
    """Write a ``word count`` file (word2vec.c's ``-save-vocab``, gensim's ``fvocab``) atomically."""
    with atomic_write(path) as handle:
        handle.write(vocab_file_bytes(words, counts))


def vocab_file_bytes(words: Sequence[str], counts: Sequence[int] | np.ndarray) -> bytes:
    """A vocabulary as word2vec.c's ``-save-vocab`` writes it: one ``word count`` line per word, in id order.

    CorpusError for a word that holds white space (or is empty), which such a line cannot hold.
    """
    spaced = next((word for word in words if word.split() != [word]), None)
    if spaced is not None:
        raise CorpusError(f"the word {spaced!r} holds white space, which a 'word count' line cannot")
    return "".join(f"{word} {count}\n" for word, count in zip(words, np.asarray(counts).tolist())).encode("utf-8")


def read_vocab_file(path: str | os.PathLike, unicode_errors: str = "strict") -> Vocab:
    """Read a ``word count`` file (word2vec.c's ``-save-vocab``, gensim's ``save_vocab``, ``w2v export --vocab``).

    Words keep the file's order as their ids. :class:`CorpusError` names the file and line of
    anything else: a line without exactly two fields, a count that is not a whole number or does
    not fit 64 bits (nor do all of them together), a word that is not UTF-8 or that repeats.
    ``unicode_errors`` ("replace" or "ignore") reads words that are not UTF-8 as Python's ``bytes.decode`` does.
    """
    words, counts = [], []
    try:
        with open(path, "rb") as handle:
            for number, line in text_lines(handle, os.fspath(path), limit=MAX_VOCAB_LINE):
                fields = line.split()
                if not fields:
                    continue
                if len(fields) != 2 or not fields[1].isdigit():
                    raise CorpusError(f"{path}:{number}: expected 'word count', found {line[:60]!r}")
                count = whole_number(fields[1])
                if count is None:
                    raise CorpusError(f"{path}:{number}: the count {_abbreviated(fields[1])} does not fit 64 bits")
                try:
                    words.append(fields[0].decode("utf-8", unicode_errors))
                except UnicodeDecodeError:
                    raise CorpusError(f"{path}:{number}: the word is not valid UTF-8") from None
                counts.append(count)
    except OSError as err:
        raise CorpusError(f"{path}: cannot read ({err.strerror})") from None
    if not words:
        raise CorpusError(f"{path}: holds no 'word count' lines")
    if sum(counts) > MAX_INT64:
        raise CorpusError(f"{path}: its counts add up to more than 64 bits hold")
    try:
        return Vocab(words, counts)
    except ValueError as err:
        raise CorpusError(f"{path}: {err}") from None


def _abbreviated(digits: bytes) -> str:
    return digits.decode("ascii") if len(digits) <= 30 else f"{digits[:12].decode('ascii')}... ({len(digits):,} digits)"
