"""Cosine scores of queries against word vectors: the arithmetic that WordVectors' queries and evaluate share.

The rows searched are the vectors as stored, ``vectors : (R, D) float32``, with their lengths
``norms : (R,) float32``. A score divides dot products by the rows' lengths, as gensim does,
so the vectors are never copied to unit length (memory-mapped vectors stay shared between
processes); all-zero rows score 0.

An analogy a : b = c : ? is scored one of three ways (``method``):

- ``book``: cosine with ``b - a + c`` built from the vectors as trained (the book's ``analogy``);
- ``3cosadd``: cosine with ``u_b - u_a + u_c`` built from unit vectors (word2vec.c, gensim);
- ``3cosmul``: ``cos'(x, b) cos'(x, c) / (cos'(x, a) + epsilon)`` with ``cos' = (1 + cos) / 2``
  (Levy & Goldberg 2014).
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np

from ..errors import check_integer

AnalogyMethod = Literal["book", "3cosadd", "3cosmul"]
ANALOGY_METHODS = ("book", "3cosadd", "3cosmul")
COSMUL_EPSILON = 1e-3  # Levy & Goldberg (2014), section 6
NORM_BLOCK = 1 << 16  # rows whose lengths are computed at once (bounds the temporary copy)


def restricted(size: int, restrict_vocab: int | None) -> int:
    """How many of ``size`` rows ``restrict_vocab`` searches (all when None); ValueError unless a positive int."""
    check_integer("restrict_vocab", restrict_vocab, none_ok=True)
    return size if restrict_vocab is None else min(int(restrict_vocab), size)


def row_norms(vectors: np.ndarray) -> np.ndarray:
    """(V,) float32 lengths of the rows of ``vectors`` (V, D), a block of rows at a time."""
    norms = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), NORM_BLOCK):
        norms[start : start + NORM_BLOCK] = np.linalg.norm(vectors[start : start + NORM_BLOCK], axis=1)
    return norms


def _safe(norms: np.ndarray) -> np.ndarray:
    return np.where(norms > 0, norms, np.float32(1))


def unit(queries: np.ndarray) -> np.ndarray:
    """``queries`` (..., D) scaled to length 1 along the last axis (all-zero ones stay zero)."""
    return queries / _safe(np.linalg.norm(queries, axis=-1, keepdims=True))


def unit_rows(vectors: np.ndarray, norms: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Unit vectors of ``rows`` (any shape of ints): shape ``rows.shape + (D,)``."""
    return vectors[rows] / _safe(norms[rows])[..., None]


def cosines(vectors: np.ndarray, norms: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """(B, R) dot products of ``queries`` (B, D) with the rows divided by the rows' lengths.

    These are the cosines when the queries have unit length; one matrix product.
    """
    scores = np.asarray(queries, dtype=np.float32) @ vectors.T  # (B, R)
    scores /= _safe(norms)
    return scores


def shifted_cosines(vectors: np.ndarray, norms: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """(B, R) ``(1 + cosines) / 2``, the cosines shifted to [0, 1] that 3CosMul multiplies."""
    scores = cosines(vectors, norms, queries)
    scores += 1
    scores *= 0.5
    return scores


def cos_mul(shifted: np.ndarray, positive: np.ndarray, negative: np.ndarray, epsilon: float) -> np.ndarray:
    """(B, R) products of the positive terms over (product of the negative ones + ``epsilon``).

    Parameters
    ----------
    shifted : (U, R) float32
        Shifted cosines (:func:`shifted_cosines`) of U query terms with the rows.
    positive : (B, P) int
        For each query, the terms (rows of ``shifted``) multiplied in the numerator.
    negative : (B, N) int
        The terms multiplied in the denominator; N may be 0 (an empty product is 1).
    """
    numerator = np.prod(shifted[positive], axis=1)
    denominator = np.prod(shifted[negative], axis=1)
    denominator += epsilon
    numerator /= denominator
    return numerator


def analogy_scores(
    vectors: np.ndarray,
    norms: np.ndarray,
    abc: np.ndarray,
    limit: int,
    method: AnalogyMethod,
    epsilon: float = COSMUL_EPSILON,
) -> np.ndarray:
    """Scores of the first ``limit`` rows as answers to analogies a : b = c : ? (higher is better).

    Parameters
    ----------
    vectors : (V, D) float32
    norms : (V,) float32
    abc : (B, 3) int
        Rows of a, b and c (they may lie beyond ``limit``).
    limit : int
        Rows searched: ``vectors[:limit]``.
    method : {"book", "3cosadd", "3cosmul"}
        See the module's docstring; book and 3cosadd give cosines.
    epsilon : float
        3CosMul's smoothing of the denominator.

    Returns
    -------
    (B, limit) float32
        The question words are not excluded here.
    """
    searched, searched_norms = vectors[:limit], norms[:limit]
    if method == "book":
        query = vectors[abc[:, 1]] - vectors[abc[:, 0]] + vectors[abc[:, 2]]
        return cosines(searched, searched_norms, unit(query))
    if method == "3cosadd":
        words = unit_rows(vectors, norms, abc)  # (B, 3, D)
        return cosines(searched, searched_norms, unit(words[:, 1] - words[:, 0] + words[:, 2]))
    if method == "3cosmul":
        # A batch repeats few words, so the cosines are computed once per distinct word.
        words, where = np.unique(abc, return_inverse=True)
        where = where.reshape(abc.shape)
        shifted = shifted_cosines(searched, searched_norms, unit_rows(vectors, norms, words))  # (U, limit)
        return cos_mul(shifted, where[:, 1:], where[:, :1], epsilon)
    raise ValueError(f"method must be one of {', '.join(ANALOGY_METHODS)}, not {method!r}")


def question_scores(searched: np.ndarray, searched_norms: np.ndarray, questions: np.ndarray, method: AnalogyMethod,
                    epsilon: float = COSMUL_EPSILON) -> np.ndarray:
    """:func:`analogy_scores` of questions given as vectors rather than rows (words a subword model has
    vectors for outside its vocabulary).

    Parameters
    ----------
    searched : (R, D) float32, searched_norms : (R,) float32
    questions : (B, 3, D) float32
        The vectors of a, b and c.

    Returns
    -------
    (B, R) float32
    """
    if method == "book":
        return cosines(searched, searched_norms, unit(questions[:, 1] - questions[:, 0] + questions[:, 2]))
    words = unit(questions)  # (B, 3, D)
    if method == "3cosadd":
        return cosines(searched, searched_norms, unit(words[:, 1] - words[:, 0] + words[:, 2]))
    if method == "3cosmul":
        shifted = shifted_cosines(searched, searched_norms, words.reshape(-1, words.shape[-1]))  # (3B, R)
        where = np.arange(words.shape[0] * 3).reshape(-1, 3)
        return cos_mul(shifted, where[:, 1:], where[:, :1], epsilon)
    raise ValueError(f"method must be one of {', '.join(ANALOGY_METHODS)}, not {method!r}")


def best_rows(scores: np.ndarray, topn: int, exclude: Sequence[Sequence[int]] = ()) -> list[np.ndarray]:
    """The rows of the ``topn`` highest scores of each query, best first, without the excluded rows.

    Parameters
    ----------
    scores : (B, R) float32
        Overwritten where rows are excluded.
    topn : int
    exclude : sequence of B sequences of int, optional
        Rows no query may return (rows beyond R are ignored).

    Returns
    -------
    list of B (k,) int64 arrays, ``k <= topn``; equal scores keep the lower row first.
    """
    queries, size = scores.shape
    for query, rows in enumerate(exclude):
        inside = [row for row in rows if row < size]
        scores[query, inside] = -np.inf
    k = min(topn, size)
    if k == 0:
        return [np.empty(0, dtype=np.int64) for _ in range(queries)]
    if k < size:
        candidates = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        candidates.sort(axis=1)
    else:
        candidates = np.broadcast_to(np.arange(size), (queries, size))
    order = np.argsort(-np.take_along_axis(scores, candidates, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(candidates, order, axis=1)
    kept = np.take_along_axis(scores, top, axis=1) > -np.inf
    return [row_top[row_kept].astype(np.int64) for row_top, row_kept in zip(top, kept)]
