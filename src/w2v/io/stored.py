"""What a vectors file (and a classifier file) holds, as every reader returns it and every writer takes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

LOSSES = ("softmax", "ns", "hs", "ova")  # a classifier's losses


@dataclass
class StoredVectors:
    """The contents of a vectors file.

    Attributes
    ----------
    vectors : (V, D) float32
    index_to_key : list of str, length V
    counts : (V,) int64, optional
        Corpus counts (w2v's ``.npz`` keeps them; word2vec files do not).
    info : dict
        The JSON record of the training run (w2v's ``.npz`` only; empty otherwise).
    extras : dict
        More JSON entries stored beside the vectors (w2v's ``.npz`` only), such as a fitted
        sentence encoder's parameters, by name.
    extra_arrays : dict of str to ndarray
        Arrays stored beside the vectors (w2v's ``.npz`` only), such as a sentence encoder's weights.
    """

    vectors: np.ndarray
    index_to_key: list[str]
    counts: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    extra_arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.index_to_key)

    @property
    def vector_size(self) -> int:
        return int(self.vectors.shape[1])


def first_duplicate(words: list[str]) -> str | None:
    """The first word that occurs twice in ``words``, or None."""
    seen: set[str] = set()
    for word in words:
        if word in seen:
            return word
        seen.add(word)
    return None


@dataclass
class StoredClassifier:
    """What a classifier file holds.

    Attributes
    ----------
    W_in : (V + buckets, D) float32
    W_out : (L, D) float32, or (max(L - 1, 1), D) for ``loss="hs"``
    words : list of str, length V
    word_counts : (V,) int64
    labels : list of str, length L
        Most frequent first (the order of ``W_out``'s rows and of the Huffman tree's leaves).
    label_counts : (L,) int64
    options : dict
        ``loss``, ``word_ngrams``, ``buckets``, ``minn``, ``maxn`` (0: no subwords), ``negative``,
        and the training options recorded for the reader (``epochs``, ``lr``, ...).
    """

    W_in: np.ndarray
    W_out: np.ndarray
    words: list[str]
    word_counts: np.ndarray
    labels: list[str]
    label_counts: np.ndarray
    options: dict[str, Any] = field(default_factory=dict)
