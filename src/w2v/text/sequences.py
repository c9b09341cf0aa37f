"""Sequences of integer item ids (user sessions, walks, baskets) as a corpus, with no strings on the way.

``w2v.train(sequences)`` takes a 1-D NumPy integer array (one sequence), a 2-D one (a
sequence a row), a list of 1-D arrays, or :class:`Sequences` (all ids in one array, with
offsets). Items keep their ids: the vectors are keyed by them (``wv[42]``), and every item
gets one unless ``min_count`` or ``max_vocab_size`` leaves it out.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..errors import CorpusError
from .corpus import Corpus
from .vocab import Vocab, select_words


class Sequences(NamedTuple):
    """Sequences one after another: sequence ``s`` is ``ids[offsets[s]:offsets[s + 1]]``.

    Attributes
    ----------
    ids : (N,) int array_like
        Item ids, any integers.
    offsets : (S + 1,) int array_like
        From 0 to N, never falling (an empty sequence is skipped).
    """

    ids: Any
    offsets: Any


def is_sequences(value: Any) -> bool:
    """Whether ``value`` is integer sequences rather than a text input or a corpus."""
    if isinstance(value, Sequences):
        return True
    if isinstance(value, np.ndarray):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, np.ndarray) for v in value)


def _flattened(sequences: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(ids (N,) int64, offsets (S + 1,) int64) of any form :func:`is_sequences` accepts."""
    if isinstance(sequences, Sequences):
        ids, offsets = np.asarray(sequences.ids), np.asarray(sequences.offsets)
        if offsets.ndim != 1 or offsets.size == 0 or (offsets.size and offsets.dtype.kind not in "iu"):
            raise CorpusError(f"{name}: offsets must be a 1-D integer array of S + 1 values")
        offsets = offsets.astype(np.int64)
        if offsets[0] != 0 or offsets[-1] != ids.size or np.any(np.diff(offsets) < 0):
            raise CorpusError(f"{name}: offsets must rise from 0 to the {ids.size:,} ids, never falling")
    elif isinstance(sequences, np.ndarray):
        ids = sequences
        if ids.ndim == 2:
            offsets = np.arange(ids.shape[0] + 1, dtype=np.int64) * ids.shape[1]
        else:
            offsets = np.array([0, ids.size], dtype=np.int64)
    else:
        ids = np.concatenate([np.ravel(s) for s in sequences])
        offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
        np.cumsum([np.size(s) for s in sequences], out=offsets[1:])
        if any(np.ndim(s) != 1 for s in sequences):
            raise CorpusError(f"{name}: each sequence must be a 1-D array of item ids")
    if ids.ndim > 2 or (ids.size and ids.dtype.kind not in "iu"):
        raise CorpusError(f"{name}: item ids must be integers, not {ids.dtype} of shape {ids.shape}")
    if ids.dtype == np.uint64 and ids.size and ids.max() > np.iinfo(np.int64).max:
        raise CorpusError(f"{name}: item ids must fit 64-bit signed integers")
    return ids.ravel().astype(np.int64), offsets


def item_corpus(sequences: Any, *, min_count: int = 1, max_vocab_size: int | None = None,
                name: str = "sequences") -> Corpus:
    """A corpus of integer sequences whose vectors are keyed by the items' own ids.

    Ids go by descending count, ties in order of first appearance (as for text); items below
    ``min_count`` or beyond ``max_vocab_size`` are dropped from the sequences, and sequences
    left empty are dropped.
    """
    ids, offsets = _flattened(sequences, name)
    if ids.size == 0:
        raise CorpusError(f"{name}: holds no items")
    items, first, inverse, counts = np.unique(ids, return_index=True, return_inverse=True, return_counts=True)
    try:
        kept, _ = select_words(counts, min_count=min_count, max_vocab_size=max_vocab_size, firsts=first)
    except CorpusError as err:
        raise CorpusError(f"{name}: {err}", options=err.options) from None
    new_id = np.full(items.size, -1, dtype=np.int64)
    new_id[kept] = np.arange(kept.size)
    mapped = new_id[inverse.ravel()]
    keep = mapped >= 0
    lengths = np.diff(offsets)
    sequence_of = np.repeat(np.arange(lengths.size), lengths)
    kept_lengths = np.bincount(sequence_of[keep], minlength=lengths.size)
    kept_lengths = kept_lengths[kept_lengths > 0]
    kept_offsets = np.zeros(kept_lengths.size + 1, dtype=np.int64)
    np.cumsum(kept_lengths, out=kept_offsets[1:])
    keys = items[kept].tolist()
    vocab = Vocab([str(key) for key in keys], counts[kept])
    return Corpus(mapped[keep].astype(np.int32), kept_offsets, vocab, name,
                  longest_sentence=int(kept_lengths.max()), keys=keys)
