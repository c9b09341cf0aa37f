"""What a vectors file holds, as every reader returns it and every writer takes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


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
