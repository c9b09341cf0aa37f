"""The vocabulary: words, their counts and their ids, and the noise distribution built from them."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .errors import CorpusError


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
