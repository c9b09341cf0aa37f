"""Comparing two models of one language: one rotated into the other's space, and the words that moved.

Two models trained apart (per period, or a model and its continuation) answer the same
queries, but their axes are arbitrary: a rotation of one is as good a model. :func:`align`
finds the rotation of NEW that best matches OLD on the words they share (orthogonal
Procrustes, SciPy's), and :func:`drift` ranks the shared words by how much their nearest
neighbours changed, which needs no alignment at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, check_integer
from .scoring import row_norms
from .word_vectors import WordVectors

NEIGHBOUR_BLOCK = 1024  # query rows scored at a time: (block, n) float32 scores


def shared_words(old: WordVectors, new: WordVectors, restrict: int | None = None) -> list[str]:
    """The words of ``old`` (its first ``restrict``, the most frequent, if given) that ``new`` has too, in
    ``old``'s order; ConfigError if the models differ in vector size or share fewer words than dimensions."""
    if old.vector_size != new.vector_size:
        raise ConfigError(f"the models have {old.vector_size} and {new.vector_size} dimensions: only vectors of one "
                          "size can be aligned")
    words = [word for word in old.index_to_key[:restrict] if word in new.key_to_index]
    if len(words) < old.vector_size:
        raise ConfigError(f"the models share {len(words):,} words, fewer than their {old.vector_size} dimensions: "
                          "too few to fix a rotation", options=("restrict",))
    return words


def rotation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The orthogonal (D, D) float32 R minimising ``|source R - target|`` (orthogonal Procrustes), on the rows
    scaled to unit length so that no word weighs more for being frequent.

    Parameters
    ----------
    source, target : (n, D) float32, the same words' rows in two models
    """
    from scipy.linalg import orthogonal_procrustes

    R, _ = orthogonal_procrustes(_unit(source).astype(np.float64), _unit(target).astype(np.float64))
    return R.astype(np.float32)


def align(old: WordVectors, new: WordVectors, *, restrict: int | None = None) -> WordVectors:
    """``new`` rotated into ``old``'s space: the rotation of :func:`rotation` fitted on their shared words
    (:func:`shared_words`), applied to every row of ``new``, its output weights too (a rotation keeps every
    dot product between W_in and W_out, so the aligned model can still be continued)."""
    words = shared_words(old, new, restrict)
    R = rotation(new.vectors[[new.key_to_index[w] for w in words]], old.vectors[[old.key_to_index[w] for w in words]])
    return WordVectors(new.vectors @ R, new.index_to_key, counts=new.counts, record=new.record,
                       W_out=None if new.W_out is None else new.W_out @ R,
                       W_node=None if new.W_node is None else new.W_node @ R)


@dataclass(frozen=True)
class Drift:
    """How one word's neighbourhood changed between two models.

    changed : share of its ``topn`` nearest shared words in OLD that are not among them in NEW (0..1)
    cosine : cosine of its OLD vector and its NEW vector rotated into OLD's space (:func:`align`)
    """

    word: str
    changed: float
    cosine: float
    old_neighbours: list[str]
    new_neighbours: list[str]


def drift(old: WordVectors, new: WordVectors, *, topn: int = 10, restrict: int | None = 10_000,
          count: int | None = 20) -> list[Drift]:
    """The shared words whose neighbourhoods changed most, most changed first (ties: lower aligned cosine first).

    Neighbours are the ``topn`` nearest by cosine among the shared words (the first ``restrict``
    of ``old``'s, the most frequent, that ``new`` has too), in each model's own space; ``count``
    words are returned (None: all of them).
    """
    check_integer("topn", topn, 1)
    check_integer("count", count, 1, none_ok=True)
    words = shared_words(old, new, restrict)
    if topn >= len(words):
        raise ConfigError(f"topn={topn} needs more than {topn} shared words; the models share {len(words):,}",
                          options=("topn",))
    before = old.vectors[[old.key_to_index[w] for w in words]]
    after = new.vectors[[new.key_to_index[w] for w in words]]
    old_near, new_near = _neighbours(before, topn), _neighbours(after, topn)
    kept = np.array([np.intersect1d(a, b).size for a, b in zip(old_near, new_near)])
    changed = 1.0 - kept / topn
    cosine = np.einsum("ij,ij->i", _unit(before), _unit(after @ rotation(after, before)))
    order = np.lexsort((cosine, -changed))[:count]
    return [Drift(words[i], float(changed[i]), float(cosine[i]), [words[j] for j in old_near[i]],
                  [words[j] for j in new_near[i]]) for i in order.tolist()]


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = row_norms(rows)
    return rows / np.where(norms > 0, norms, 1)[:, None]


def _neighbours(rows: np.ndarray, topn: int) -> np.ndarray:
    """(n, topn) int64: each row's ``topn`` nearest other rows by cosine, nearest first."""
    unit = _unit(rows)
    near = np.empty((rows.shape[0], topn), dtype=np.int64)
    for first in range(0, rows.shape[0], NEIGHBOUR_BLOCK):
        scores = unit[first : first + NEIGHBOUR_BLOCK] @ unit.T  # (block, n)
        scores[np.arange(scores.shape[0]), np.arange(first, first + scores.shape[0])] = -np.inf  # not itself
        best = np.argpartition(-scores, topn, axis=1)[:, :topn]
        order = np.argsort(-np.take_along_axis(scores, best, axis=1), axis=1, kind="stable")
        near[first : first + scores.shape[0]] = np.take_along_axis(best, order, axis=1)
    return near
