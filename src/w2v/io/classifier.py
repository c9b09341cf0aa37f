"""A supervised text classifier's file: w2v's ``.npz`` (no pickles), what ``w2v classify train`` writes.

The archive (:func:`w2v.io.npz.write_archive`) holds ``W_in`` (the words' rows, then the
hashed n-gram buckets'), ``W_out`` (the labels' rows, or the inner nodes of their Huffman
tree for hierarchical softmax), the words' and labels' counts, and a JSON document with the
words, the labels and the options the model was trained with.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import ModelFileError
from .files import check_finite
from .npz import VERSION, read_archive, write_archive
from .stored import LOSSES, StoredClassifier

FORMAT = "w2v-classifier"


def save_classifier(stored: StoredClassifier, path: str | os.PathLike) -> None:
    """Write ``stored`` to ``path`` atomically."""
    document = {"format": FORMAT, "version": VERSION, "words": stored.words, "labels": stored.labels,
                "options": stored.options}
    write_archive(path, document, {"W_in": stored.W_in, "W_out": stored.W_out, "word_counts": stored.word_counts,
                                   "label_counts": stored.label_counts})


def load_classifier(path: str | os.PathLike) -> StoredClassifier:
    """Read a classifier file; :class:`ModelFileError` names the file and what is wrong with it."""
    document, arrays = read_archive(path, "classifier file", FORMAT)
    missing = {"W_in", "W_out", "word_counts", "label_counts"} - set(arrays)
    if missing or not all(isinstance(document.get(k), list) for k in ("words", "labels")) \
            or not isinstance(document.get("options"), dict):
        raise ModelFileError(f"{path}: not a complete w2v classifier file")
    stored = StoredClassifier(arrays["W_in"], arrays["W_out"], document["words"],
                              arrays["word_counts"].astype(np.int64), document["labels"],
                              arrays["label_counts"].astype(np.int64), document["options"])
    check_classifier(stored, path)
    return stored


def check_classifier(stored: StoredClassifier, path: Any) -> None:
    """ModelFileError unless the parts fit together: sizes, the loss, finite weights."""
    options, V, L = stored.options, len(stored.words), len(stored.labels)
    loss = options.get("loss")
    buckets = options.get("buckets")
    problem = None
    if loss not in LOSSES:
        problem = f"an unknown loss {loss!r}"
    elif not isinstance(buckets, int) or buckets < 0:
        problem = f"a malformed bucket count {buckets!r}"
    elif L < 1 or not all(isinstance(x, str) for x in stored.words + stored.labels):
        problem = "no labels, or words or labels that are not text"
    elif stored.W_in.dtype != np.float32 or stored.W_in.shape[0] != V + buckets or stored.W_in.ndim != 2:
        problem = f"an input matrix of {stored.W_in.dtype} {stored.W_in.shape} for {V} words and {buckets} buckets"
    elif stored.W_out.dtype != np.float32 or stored.W_out.shape != (
            max(L - 1, 1) if loss == "hs" else L, stored.W_in.shape[1]):
        problem = f"an output matrix of {stored.W_out.dtype} {stored.W_out.shape} for {L} labels and loss {loss}"
    elif stored.word_counts.shape != (V,) or stored.label_counts.shape != (L,):
        problem = "counts that do not match the words or labels"
    if problem:
        raise ModelFileError(f"{path}: {problem}")
    check_finite(stored.W_in, path)
    check_finite(stored.W_out, path)
