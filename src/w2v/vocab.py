"""The vocabulary: words, their counts and their ids, and the noise distribution built from them."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .errors import CorpusError

MIN_TABLE_BITS = 20  # the noise table has at least 2**20 entries (4 MiB: stays in cache)


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
        self.word_to_id = {word: i for i, word in enumerate(self.words)}
        if len(self.word_to_id) != len(self.words):
            raise ValueError("duplicate words in vocabulary")

    @classmethod
    def build(
        cls,
        words: Sequence[str],
        counts: np.ndarray,
        *,
        min_count: int = 1,
        max_vocab_size: int | None = None,
        sort_by_frequency: bool = True,
    ) -> tuple["Vocab", np.ndarray]:
        """Keep the words seen at least ``min_count`` times (at most ``max_vocab_size``, the most frequent).

        Parameters
        ----------
        words : sequence of str, length W
            Candidate words in order of first appearance.
        counts : (W,) int array
        sort_by_frequency : bool
            Give ids by descending count (ties: first appearance first); otherwise keep the
            order of ``words`` (the book's PTB ids).

        Returns
        -------
        vocab : Vocab
        new_id : (W,) int32
            The id of each candidate in ``vocab``, or -1 for words left out.
        """
        counts = np.asarray(counts, dtype=np.int64)
        kept = np.flatnonzero(counts >= min_count)
        if sort_by_frequency or max_vocab_size is not None:
            by_count = kept[np.argsort(-counts[kept], kind="stable")]
            if max_vocab_size is not None:
                by_count = by_count[:max_vocab_size]
            kept = by_count if sort_by_frequency else np.sort(by_count)
        if kept.size == 0:
            raise CorpusError(f"no word occurs at least {min_count} times; lower min_count")
        new_id = np.full(len(words), -1, dtype=np.int32)
        new_id[kept] = np.arange(kept.size, dtype=np.int32)
        return cls([words[i] for i in kept], counts[kept]), new_id

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.word_to_id

    def __repr__(self) -> str:
        return f"Vocab({len(self)} words, {int(self.counts.sum())} tokens)"

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
            bits = max(MIN_TABLE_BITS, int(np.ceil(np.log2(max(len(self), 2)))) + 3)
        size = 2**bits
        cdf = np.cumsum(self.noise_distribution(power))
        slots = (np.arange(size, dtype=np.float64) + 0.5) / size
        return np.minimum(np.searchsorted(cdf, slots, side="right"), len(self) - 1).astype(np.int32)
