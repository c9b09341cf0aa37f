"""WordVectors: what training returns and ``w2v.load`` gives back; cosine queries with gensim's semantics.

Every query is one matrix product over the vectors as stored (scores are divided by the
rows' lengths, as gensim does), so vectors memory-mapped with ``w2v.load(path, mmap=True)``
are never copied.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from numbers import Integral, Real
from typing import Any, Sequence

import numpy as np

from ..errors import ModelFileError, UnknownWordError, W2VError, ZeroVectorWarning, check_integer
from ..io import Format, format_of, read_vectors, write_vectors
from ..io.files import check_finite
from ..io.stored import StoredVectors, first_duplicate
from ..record import TrainingRecord
from ..text.subwords import Subwords
from ..text.vocab import write_vocab_file
from .scoring import (
    ANALOGY_METHODS,
    AnalogyMethod,
    analogy_scores,
    best_rows,
    cos_mul,
    cosines,
    question_scores,
    restricted,
    row_norms,
    shifted_cosines,
    unit,
    unit_rows,
)
from .subword_vectors import compose, ngram_means
from .subword_vectors import own_rows as own_rows_of

GENSIM_COSMUL_EPSILON = 1e-6  # gensim's most_similar_cosmul


class WordVectors:
    """Word vectors with gensim's queries (``most_similar`` with positive and negative words, ...) and ``analogy``.

    Parameters
    ----------
    vectors : (V, D) array_like, stored as float32
    index_to_key : sequence of str, length V, no duplicates
    counts : (V,) int, optional
        Corpus counts of the words (kept so exports and evaluations can use them).
    record : TrainingRecord, optional
        How the vectors were trained (config, corpus, loss curve, timings); None for vectors
        read from other tools' files.
    subwords : Subwords, optional
        A subword model's character n-grams (fastText's): with them, a word outside the
        vocabulary has a vector too, the mean of its n-grams' rows of ``ngram_vectors``
        (``wv["unseen"]``, and every query that takes words).
    ngram_vectors : (B, D) array_like, optional
        The n-gram buckets' rows (with ``subwords``; kept as given, so a mapped file stays mapped).
    W_out : (V, D) array_like, optional
        The output vectors training left (negative sampling's); with ``W_node`` what continuing the
        model needs (``w2v.train(..., init=vectors)``). A w2v ``.npz`` keeps them unless saved with
        ``output_weights=False``.
    W_node : (V - 1, D) array_like, optional
        Hierarchical softmax's inner-node vectors.
    """

    def __init__(
        self,
        vectors: Any,
        index_to_key: Sequence[str],
        *,
        counts: Any = None,
        record: TrainingRecord | None = None,
        subwords: Subwords | None = None,
        ngram_vectors: Any = None,
        W_out: Any = None,
        W_node: Any = None,
    ):
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.index_to_key = list(index_to_key)
        if self.vectors.ndim != 2 or self.vectors.shape[0] != len(self.index_to_key):
            raise ValueError(f"vectors of shape {self.vectors.shape} for {len(self.index_to_key)} words")
        self.key_to_index = {key: i for i, key in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise ValueError(f"duplicate word {first_duplicate(self.index_to_key)!r}")
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        if self.counts is not None and self.counts.shape != (len(self.index_to_key),):
            raise ValueError(f"counts of shape {self.counts.shape} for {len(self.index_to_key)} words")
        self.record = record
        if (subwords is None) != (ngram_vectors is None):
            raise ValueError("subwords and ngram_vectors go together: give both or neither")
        self.subwords = subwords
        self.ngram_vectors = None if ngram_vectors is None else np.asarray(ngram_vectors, dtype=np.float32)
        if subwords is not None and self.ngram_vectors.shape != (subwords.buckets, self.vector_size):
            raise ValueError(f"ngram_vectors of shape {self.ngram_vectors.shape} for {subwords.buckets} buckets of "
                             f"{self.vector_size} dimensions")
        self.W_out = None if W_out is None else np.asarray(W_out, dtype=np.float32)
        self.W_node = None if W_node is None else np.asarray(W_node, dtype=np.float32)
        for name, matrix, rows in (("W_out", self.W_out, len(self)), ("W_node", self.W_node, max(len(self) - 1, 0))):
            if matrix is not None and matrix.shape != (rows, self.vector_size):
                raise ValueError(f"{name} of shape {matrix.shape} for {len(self)} words of {self.vector_size} "
                                 "dimensions")
        self._unit: np.ndarray | None = None
        self._norms: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __getitem__(self, word: str) -> np.ndarray:
        """The vector of ``word``: its row, or with subwords, for a word outside the vocabulary, the mean of
        its n-grams' rows (:class:`~w2v.errors.UnknownWordError` if it has none either)."""
        if word in self.key_to_index or self.subwords is None:
            return self.vectors[self.index(word)]
        outside = self.oov_vectors([word])
        if word not in outside:
            raise UnknownWordError(word, subwords=True)
        return outside[word]

    @classmethod
    def from_input_matrix(cls, matrix: np.ndarray, index_to_key: Sequence[str], subwords: Subwords | None,
                          **kwargs: Any) -> "WordVectors":
        """The vectors of a trained input matrix: (V, D) word rows, or with ``subwords`` (V + B, D), the words'
        own rows then the n-gram buckets', composed into word vectors (:func:`compose`)."""
        if subwords is None:
            return cls(matrix, index_to_key, **kwargs)
        own, ngrams = matrix[: len(index_to_key)], matrix[len(index_to_key):]
        return cls(compose(own, ngrams, subwords, index_to_key), index_to_key, subwords=subwords,
                   ngram_vectors=ngrams, **kwargs)

    def __repr__(self) -> str:
        return f"WordVectors({len(self)} words, {self.vector_size} dimensions)"

    @property
    def vector_size(self) -> int:
        return int(self.vectors.shape[1])

    def index(self, word: str) -> int:
        """The row of ``word``; raises :class:`~w2v.errors.UnknownWordError` (a KeyError) naming it."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise UnknownWordError(word) from None

    @property
    def unit_vectors(self) -> np.ndarray:
        """(V, D) float32 rows scaled to length 1 (all-zero rows stay zero); a copy, made once.

        The queries below do not need it: they divide by :attr:`norms` instead.
        """
        if self._unit is None:
            self._unit = unit_rows(self.vectors, self.norms, np.arange(len(self)))
        return self._unit

    @property
    def norms(self) -> np.ndarray:
        """(V,) float32 lengths of the vectors, computed once."""
        if self._norms is None:
            self._norms = row_norms(self.vectors)
        return self._norms

    # ------------------------------------------------------------------ queries (gensim's semantics)

    def get_mean_vector(
        self,
        keys: Any,
        weights: Any = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> np.ndarray:
        """The weighted mean of words and vectors, as gensim's ``KeyedVectors.get_mean_vector``.

        Parameters
        ----------
        keys : str, (D,) array, or a sequence of them
            Words (looked up) and vectors (taken as given, never normalised).
        weights : (K,) array_like, optional
            One per key (default 1). The sum is divided by the sum of ``abs(weights)`` of
            the keys used.
        pre_normalize : bool
            Use the words' unit vectors (else their vectors as trained).
        post_normalize : bool
            Scale the mean to length 1.
        ignore_missing : bool
            Skip unknown words (the default, as gensim); else raise
            :class:`~w2v.errors.UnknownWordError` naming them all.

        Returns
        -------
        (D,) float32
            Zero when no key was used.
        """
        keys = _as_list(keys)
        if not keys:
            raise ValueError("get_mean_vector needs at least one key")
        weights = np.ones(len(keys)) if weights is None else np.asarray(weights, dtype=np.float64)
        if weights.shape != (len(keys),):
            raise ValueError(f"weights has shape {weights.shape} for {len(keys)} keys")
        rows, row_weights, given, given_weights, missing = [], [], [], [], []
        outside = self.oov_vectors([key for key in keys if isinstance(key, str)])
        for key, weight in zip(keys, weights.tolist()):
            if isinstance(key, np.ndarray):
                given.append(self._query_vector(key))
                given_weights.append(weight)
            elif not _is_key(key):
                raise TypeError(f"keys: {key!r} is neither a word nor a vector")
            elif key in self.key_to_index:
                rows.append(self.key_to_index[key])
                row_weights.append(weight)
            elif key in outside:
                given.append(unit(outside[key]) if pre_normalize else outside[key])
                given_weights.append(weight)
            else:
                missing.append(key)
        if missing and not ignore_missing:
            raise UnknownWordError(*missing, subwords=self.subwords is not None)
        mean = np.zeros(self.vector_size)
        if rows:
            scale = np.array(row_weights)
            if pre_normalize:
                scale = scale / np.where(self.norms[rows] > 0, self.norms[rows], 1)
            mean += scale @ self.vectors[rows]  # (K,) @ (K, D)
        if given:
            mean += np.array(given_weights) @ np.array(given)
        total = float(np.abs(row_weights).sum() + np.abs(given_weights).sum())
        if total > 0:
            mean /= total
        mean = mean.astype(np.float32)
        return unit(mean) if post_normalize else mean

    def most_similar(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
        *,
        ignore_missing: bool = False,
    ) -> list[tuple[str, float]] | np.ndarray:
        """The words nearest (cosine) to the weighted mean of ``positive`` minus ``negative``.

        gensim's ``KeyedVectors.most_similar``: each word enters as its unit vector, with
        weight 1 if positive and -1 if negative; the weighted mean (divided by the sum of the
        weights' absolute values) is scaled to length 1 and compared with every word. The
        query words are not returned. ``most_similar("king")`` is the list of king's neighbours.
        A query whose vector is zero scores every word 0 and gives a :class:`~w2v.errors.ZeroVectorWarning`.

        Parameters
        ----------
        positive, negative : str, (D,) array, or a sequence of words, vectors and (word or vector, weight) pairs
            A pair's weight replaces the default (so ``negative=[("man", -2.0)]`` weighs -2).
            Vectors are used as given, not normalised.
        topn : int or None
            How many words to return; None: the scores of all (searched) words, query words
            included, as a (R,) float32 array.
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` words (the most frequent in a trained model).
        ignore_missing : bool
            Skip unknown words instead of raising :class:`~w2v.errors.UnknownWordError`
            (which names them all); a query left with no word or vector still raises it.

        Returns
        -------
        list of (word, cosine), best first, or (R,) float32 when ``topn`` is None.
        """
        return self.most_similar_batch([positive], [negative], topn, restrict_vocab, ignore_missing=ignore_missing)[0]

    def most_similar_batch(
        self,
        positives: Sequence[Any],
        negatives: Sequence[Any] | None = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
        *,
        ignore_missing: bool = False,
    ) -> list[list[tuple[str, float]]] | np.ndarray:
        """:meth:`most_similar` for many queries at once, scored by one matrix product.

        ``positives[i]`` and ``negatives[i]`` are query i's ``positive`` and ``negative``
        (``negatives`` defaults to none). Returns one list per query, or (Q, R) float32
        scores when ``topn`` is None.
        """
        _check_topn(topn)
        if any(_is_key(q) or isinstance(q, np.ndarray) for q in (positives, negatives)):
            raise TypeError("most_similar_batch takes a list of queries (one positive per query), not one query")
        negatives = [None] * len(positives) if negatives is None else list(negatives)
        if len(negatives) != len(positives):
            raise ValueError(f"{len(positives)} positives but {len(negatives)} negatives")
        limit = restricted(len(self), restrict_vocab)
        means, exclude, zero = [], [], []
        for positive, negative in zip(positives, negatives):
            items = _items(positive, 1.0, "positive") + _items(negative, -1.0, "negative")
            if not items:
                raise ValueError("most_similar needs at least one positive or negative word or vector")
            keys = [key for key, _ in items]
            self._check_known(keys, ignore_missing)
            means.append(self.get_mean_vector(keys, [w for _, w in items], post_normalize=True))
            exclude.append(self._known_rows(keys))
            if not means[-1].any():
                zero.append(keys)
        self._warn_zero(zero)
        scores = cosines(self.vectors[:limit], self.norms[:limit], np.array(means))  # (Q, R)
        if topn is None:
            return scores
        return [self._pairs(rows, row_scores) for rows, row_scores in zip(best_rows(scores, topn, exclude), scores)]

    def most_similar_cosmul(
        self,
        positive: Any = None,
        negative: Any = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
        *,
        ignore_missing: bool = False,
        epsilon: float = GENSIM_COSMUL_EPSILON,
    ) -> list[tuple[str, float]] | np.ndarray:
        """The words maximising the product of shifted cosines with ``positive`` over that with ``negative``.

        gensim's ``KeyedVectors.most_similar_cosmul`` (Levy & Goldberg's 3CosMul for two
        positives and one negative): with ``cos' = (1 + cos) / 2``, the score of a word x is
        ``prod cos'(x, p) / (prod cos'(x, n) + epsilon)``. Words enter as unit vectors,
        vectors as given; the query words are not returned.

        Parameters
        ----------
        positive, negative : str, (D,) array, or a sequence of words and vectors
            At least one positive.
        topn, restrict_vocab, ignore_missing
            As in :meth:`most_similar` (gensim 4.4 ignores ``restrict_vocab`` here; w2v honours it).
        epsilon : float
            gensim's 1e-6 by default; Levy & Goldberg, and ``w2v evaluate``, use 1e-3.

        Returns
        -------
        list of (word, score), best first, or (R,) float32 when ``topn`` is None.
        """
        _check_topn(topn)
        limit = restricted(len(self), restrict_vocab)
        positive, negative = _as_list(positive), _as_list(negative)
        for key in positive + negative:
            if not (_is_key(key) or isinstance(key, np.ndarray)):
                raise TypeError(f"most_similar_cosmul takes words and vectors, not {key!r}")
        if not positive:
            raise ValueError("most_similar_cosmul needs at least one positive word or vector")
        self._check_known(positive + negative, ignore_missing)
        self._check_known(positive, ignore_missing=True)  # skipping unknown words may not leave no positive
        positive = [key for key in positive if not self._missing(key)]
        negative = [key for key in negative if not self._missing(key)]
        terms = np.array([self._query_vector(k) if isinstance(k, np.ndarray) else self._unit_row(k)
                          for k in positive + negative])  # (P + N, D)
        shifted = shifted_cosines(self.vectors[:limit], self.norms[:limit], terms)  # (P + N, R)
        scores = cos_mul(shifted, np.arange(len(positive))[None], np.arange(len(positive), len(terms))[None], epsilon)
        if topn is None:
            return scores[0]
        rows = best_rows(scores, topn, [self._known_rows(positive + negative)])[0]
        return self._pairs(rows, scores[0])

    def similar_by_vector(
        self, vector: Any, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]] | list[list[tuple[str, float]]] | np.ndarray:
        """The words nearest (cosine) to ``vector`` (D,), or to each row of ``vector`` (Q, D).

        Nothing is excluded. Returns what :meth:`most_similar` (one vector) or
        :meth:`most_similar_batch` (several) returns.
        """
        vector = np.asarray(vector, dtype=np.float32)
        if vector.ndim == 2:
            return self.most_similar_batch([[row] for row in vector], topn=topn, restrict_vocab=restrict_vocab)
        return self.most_similar([self._query_vector(vector)], topn=topn, restrict_vocab=restrict_vocab)

    def doesnt_match(self, words: Sequence[str], *, ignore_missing: bool = False) -> str:
        """The word farthest (cosine) from the mean of the words' unit vectors (gensim's ``doesnt_match``).

        Unknown words raise :class:`~w2v.errors.UnknownWordError`, or are skipped with
        ``ignore_missing=True`` (gensim skips them with a logged warning).
        """
        words = _as_word_list(words, "doesnt_match")
        self._check_known(words, ignore_missing)
        used = [word for word in words if word in self.key_to_index]
        if not used:
            raise ValueError("doesnt_match needs at least one word")
        vectors = unit_rows(self.vectors, self.norms, np.array(self._known_rows(used)))  # (K, D)
        distances = vectors @ unit(vectors.mean(axis=0))  # (K,)
        return min(zip(distances.tolist(), used))[1]

    def n_similarity(self, words1: Sequence[str], words2: Sequence[str], *, ignore_missing: bool = False) -> float:
        """Cosine between the means of two sets of words' vectors (as trained; gensim's ``n_similarity``)."""
        words1, words2 = _as_word_list(words1, "n_similarity"), _as_word_list(words2, "n_similarity")
        if not words1 or not words2:
            raise ValueError("n_similarity needs at least one word on each side")
        self._check_known(words1 + words2, ignore_missing)
        for side in (words1, words2):  # skipping unknown words may not leave a side empty
            self._check_known(side, ignore_missing=True)
        mean1, mean2 = (self.get_mean_vector(side, pre_normalize=False) for side in (words1, words2))
        return float(unit(mean1) @ unit(mean2))

    def distances(self, word_or_vector: str | np.ndarray, other_words: Sequence[str] = ()) -> np.ndarray:
        """Cosine distances ``1 - cos`` from a word or vector to ``other_words`` (default: every word, itself too).

        Returns
        -------
        (len(other_words),) or (V,) float32
        """
        if _is_key(word_or_vector):
            vector = self[word_or_vector]
        else:
            vector = self._query_vector(np.asarray(word_or_vector))
        if len(other_words):
            rows = self._rows(_as_word_list(other_words, "distances"))
            others, norms = self.vectors[rows], self.norms[rows]
        else:
            others, norms = self.vectors, self.norms
        denominator = np.linalg.norm(vector) * norms
        return 1 - (others @ vector) / np.where(denominator > 0, denominator, 1)

    def closer_than(self, word1: str, word2: str) -> list[str]:
        """The words closer (cosine) to ``word1`` than ``word2`` is, in vocabulary order (gensim's ``closer_than``)."""
        first, second = self._rows([word1, word2])
        distances = self.distances(word1)
        return [self.index_to_key[row] for row in np.flatnonzero(distances < distances[second]) if row != first]

    def rank(self, word1: str, word2: str) -> int:
        """Where ``word2`` ranks among the words nearest to ``word1`` (1: the nearest; gensim's ``rank``)."""
        return len(self.closer_than(word1, word2)) + 1

    def analogy(
        self,
        a: str,
        b: str,
        c: str,
        topn: int = 5,
        *,
        method: AnalogyMethod = "book",
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Solve a : b = c : ?, the three words excluded from the answers.

        Parameters
        ----------
        a, b, c : str
        topn : int
        method : {"book", "3cosadd", "3cosmul"}
            "book" (the default here): the words nearest (cosine) to ``b - a + c`` built from
            the vectors as trained, as the book's ``analogy`` does:
            ``analogy("king", "man", "queen")`` ranks "woman" first. "3cosadd" builds the query
            from unit vectors (word2vec.c, gensim); "3cosmul" is Levy & Goldberg's objective
            (scores are not cosines). Both are computed by the code ``w2v evaluate`` scores
            with, so they give its answers.
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` words (``w2v evaluate`` searches 30,000).
        """
        _check_topn(topn, allow_none=False)
        if method not in ANALOGY_METHODS:
            raise ValueError(f"method must be one of {', '.join(ANALOGY_METHODS)}, not {method!r}")
        if self.subwords is not None and not all(word in self.key_to_index for word in (a, b, c)):
            return self._outside_analogy([a, b, c], topn, method, restricted(len(self), restrict_vocab))
        rows = self._rows([a, b, c])
        self._warn_zero([[a, b, c]] if not self.norms[rows].any() else [])
        limit = restricted(len(self), restrict_vocab)
        scores = analogy_scores(self.vectors, self.norms, np.array([rows]), limit, method)  # (1, R)
        return self._pairs(best_rows(scores, topn, [rows])[0], scores[0])

    def _outside_analogy(self, words: list[str], topn: int, method: AnalogyMethod,
                         limit: int) -> list[tuple[str, float]]:
        """:meth:`analogy` of words some of which are outside the vocabulary (a subword model's)."""
        self._check_known(words, ignore_missing=False)
        question = np.array([self[word] for word in words])[None]  # (1, 3, D)
        scores = question_scores(self.vectors[:limit], self.norms[:limit], question, method)  # (1, R)
        return self._pairs(best_rows(scores, topn, [self._known_rows(words)])[0], scores[0])

    def similarity(self, word1: str, word2: str) -> float:
        """Cosine similarity of two words (with subwords, words outside the vocabulary too)."""
        if self.subwords is not None and not (word1 in self.key_to_index and word2 in self.key_to_index):
            self._check_known([word1, word2], ignore_missing=False)
            return float(unit(self[word1]) @ unit(self[word2]))
        first, second = unit_rows(self.vectors, self.norms, np.array(self._rows([word1, word2])))
        return float(first @ second)

    # ------------------------------------------------------------------ helpers of the queries

    def _rows(self, words: Sequence[str]) -> list[int]:
        """Rows of ``words``; :class:`UnknownWordError` names every unknown one."""
        self._check_known(list(words), ignore_missing=False)
        return [self.key_to_index[word] for word in words]

    def _missing(self, key: Any) -> bool:
        """Whether ``key`` is a word without a vector: outside the vocabulary, and without n-grams if the model
        has subwords."""
        return _is_key(key) and key not in self.key_to_index \
            and (self.subwords is None or not isinstance(key, str) or not self.subwords.ngrams(key))

    def _check_known(self, keys: list[Any], ignore_missing: bool) -> None:
        """Raise UnknownWordError naming the unknown words, unless they may be skipped and something is left."""
        missing = [key for key in keys if self._missing(key)]
        if missing and (not ignore_missing or len(missing) == len(keys)):
            raise UnknownWordError(*missing, subwords=self.subwords is not None)

    def oov_vectors(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        """{word: (D,) float32} for the ``words`` outside the vocabulary that a subword model has n-grams for
        (the mean of their rows); empty for a model without subwords."""
        outside = [word for word in dict.fromkeys(words) if word not in self.key_to_index]
        if self.subwords is None or not outside:
            return {}
        vectors, has_ngrams = ngram_means(self.ngram_vectors, self.subwords, outside)
        return {word: vector for word, vector, has in zip(outside, vectors, has_ngrams) if has}

    def _known_rows(self, keys: list[Any]) -> list[int]:
        return [self.key_to_index[key] for key in keys if _is_key(key) and key in self.key_to_index]

    def _unit_row(self, word: str) -> np.ndarray:
        return unit_rows(self.vectors, self.norms, np.array(self.index(word)))

    def _query_vector(self, vector: np.ndarray) -> np.ndarray:
        if vector.shape != (self.vector_size,):
            raise ValueError(f"a query vector must have shape ({self.vector_size},), not {vector.shape}")
        return vector.astype(np.float32, copy=False)

    def _warn_zero(self, queries: list[list[Any]]) -> None:
        """One :class:`~w2v.errors.ZeroVectorWarning` for the ``queries`` (their words and vectors) whose
        vector is zero, if any: every cosine with them is 0, so their answers are in no order."""
        if not queries:
            return
        if not self.norms.any():
            what = "every vector is zero (an untrained or damaged model?)"
        else:
            named = "; ".join(" ".join(repr(key) for key in keys if _is_key(key)) or "a vector"
                              for keys in queries)
            what = f"the query vector of {named} is zero"
        warnings.warn(f"{what}, so every cosine is 0 and the answers are in no order", ZeroVectorWarning,
                      stacklevel=4)

    def _pairs(self, rows: np.ndarray, scores: np.ndarray) -> list[tuple[str, float]]:
        return [(self.index_to_key[row], float(scores[row])) for row in rows.tolist()]

    def save(self, path: str | os.PathLike, format: Format | None = None, *, dtype: str = "float32",
             output_weights: bool = True) -> None:
        """Write the vectors to one file, atomically.

        ``format`` is "npz" (w2v's own: words, counts and the training record), "text" or
        "binary" (word2vec's) or "book-pickle" (the book's ``cbow_params.pkl``, to read with the
        book's code); by default it follows the extension (.txt/.vec, .bin, .pkl), else npz.
        ``dtype="float16"`` halves an npz file (loaded back as float32); word2vec binary
        files stay float32. An npz keeps ``W_out`` and ``W_node`` (float32), what continuing the model
        needs, unless ``output_weights=False`` (a smaller file, of vectors to query only).
        """
        format = format or format_of(path) or "npz"
        # fastText's .bin holds the words' own rows; word2vec's formats the word vectors alone
        stored = self.to_stored(subwords=format in ("npz", "fasttext"), own_rows=format == "fasttext",
                                output_weights=output_weights and format == "npz")
        if format == "book-pickle" and self.record is not None and self.record.corpus.name == "ptb.train":
            stored = _in_book_order(stored)
        write_vectors(stored, path, format, dtype=dtype)

    def to_stored(self, *, subwords: bool = True, own_rows: bool = False, output_weights: bool = False
                  ) -> StoredVectors:
        """What a vectors file holds of these vectors: the words, vectors, counts and record, and (``subwords``)
        a subword model's n-grams and their rows, with the words' own rows in place of their vectors if
        ``own_rows`` (fastText's ``.bin`` stores those); with ``output_weights``, ``W_out`` and ``W_node``."""
        stored = StoredVectors(self.vectors, self.index_to_key, self.counts,
                               self.record.to_dict() if self.record else {})
        if output_weights:
            stored.extra_arrays.update({name: matrix for name, matrix in (("W_out", self.W_out),
                                                                          ("W_node", self.W_node))
                                        if matrix is not None})
        if subwords and self.subwords is not None:
            if own_rows:
                stored.vectors = own_rows_of(self.vectors, self.ngram_vectors, self.subwords, self.index_to_key)
            stored.extras["subwords"] = {**dataclasses.asdict(self.subwords),
                                         "vectors": "own rows" if own_rows else "composed"}
            stored.extra_arrays["ngram_vectors"] = self.ngram_vectors
        return stored

    def save_vocab(self, path: str | os.PathLike) -> None:
        """Write the words and their corpus counts as ``word count`` lines (word2vec.c's ``-save-vocab``,
        for ``read_vocab`` and for SIF weights), atomically; ModelFileError if the vectors hold no counts."""
        if self.counts is None:
            raise ModelFileError("the vectors hold no word counts (word2vec files keep none); export the "
                                 "vocabulary from the w2v .npz the vectors came from")
        write_vocab_file(path, self.index_to_key, self.counts)

    def save_word2vec_format(self, path: str | os.PathLike, binary: bool = False) -> None:
        """Write word2vec's text or binary file atomically (gensim's name for ``save(path, "text"/"binary")``)."""
        self.save(path, "binary" if binary else "text")


def load(path: str | os.PathLike, *, limit: int | None = None, unicode_errors: str = "strict",
         mmap: bool = False, no_header: bool = False) -> WordVectors:
    """Load vectors from a w2v ``.npz`` or a word2vec text (``.txt``, ``.vec``) or binary (``.bin``) file.

    The format comes from the file's first bytes where they tell, else from its extension;
    pickles are refused (see :func:`w2v.io.read_vectors`).

    Parameters
    ----------
    path : str or PathLike
    limit : int, optional
        Keep only the first ``limit`` words (word2vec files are not read further).
    unicode_errors : {"strict", "replace", "ignore"}
        For word2vec files whose words are not valid UTF-8.
    mmap : bool
        Map the vectors of a w2v ``.npz`` read-only instead of reading them: processes that
        load one model share its memory, and queries give the same answers.
    no_header : bool
        The file is word2vec text without its ``V D`` header line, as GloVe's files are
        (a file that looks like one is otherwise refused with a message saying so).

    Returns
    -------
    WordVectors
        ``vectors`` : (V, D) float32; ``record`` as saved by w2v, else None.
    """
    stored = read_vectors(path, limit=limit, unicode_errors=unicode_errors, mmap=mmap, no_header=no_header)
    return from_stored(stored, path)


def from_stored(stored: StoredVectors, path: str | os.PathLike) -> WordVectors:
    """WordVectors of what :func:`w2v.io.read_vectors` read from ``path`` (ModelFileError if inconsistent)."""
    try:
        record = TrainingRecord.from_dict(stored.info) if stored.info else None
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ModelFileError(f"{path}: its training record is malformed ({err})") from None
    subwords, ngrams, vectors = _subword_parts(stored, path)
    weights = {}
    for name in ("W_out", "W_node"):
        matrix = stored.extra_arrays.get(name)
        if matrix is not None:
            if not isinstance(matrix, np.ndarray) or matrix.dtype != np.float32:
                raise ModelFileError(f"{path}: its {name} is {getattr(matrix, 'dtype', type(matrix).__name__)}, "
                                     "not float32")
            check_finite(matrix, path)
            weights[name] = matrix
    try:
        return WordVectors(vectors, stored.index_to_key, counts=stored.counts, record=record, subwords=subwords,
                           ngram_vectors=ngrams, **weights)
    except ValueError as err:  # a duplicate word, weights of the wrong shape
        raise ModelFileError(f"{path}: {err}") from None


_SUBWORD_VECTORS = ("composed", "own rows")  # what a stored subword model's vectors are


def _subword_parts(stored: StoredVectors, path: str | os.PathLike
                   ) -> tuple[Subwords | None, np.ndarray | None, np.ndarray]:
    """A stored subword model's n-grams, their rows and its word vectors (composed from its own rows if it
    stores those); (None, None, the vectors) for other models. ModelFileError if they do not fit."""
    spec = stored.extras.get("subwords")
    if spec is None or (isinstance(spec, dict) and spec.get("maxn") == 0):  # fastText's maxn 0: no n-grams
        return None, None, stored.vectors
    try:
        subwords = Subwords(spec["minn"], spec["maxn"], spec["buckets"])
        kind = spec["vectors"]
    except (KeyError, TypeError, W2VError) as err:
        raise ModelFileError(f"{path}: its subwords are malformed ({err})") from None
    ngrams = stored.extra_arrays.get("ngram_vectors")
    if kind not in _SUBWORD_VECTORS or not isinstance(ngrams, np.ndarray) or ngrams.dtype != np.float32 \
            or ngrams.shape != (subwords.buckets, stored.vector_size):
        raise ModelFileError(f"{path}: its n-gram vectors do not fit its subwords ({spec!r})")
    check_finite(ngrams, path)
    if kind == "own rows":  # composed over the rows just read, unless they are mapped
        return subwords, ngrams, compose(stored.vectors, ngrams, subwords, stored.index_to_key,
                                         in_place=stored.vectors.flags.writeable)
    return subwords, ngrams, stored.vectors


def _in_book_order(stored: StoredVectors) -> StoredVectors:
    """PTB vectors with their rows in the book's ids, so that the pickle's ``word_to_id`` is the book's
    ``ptb.vocab.pkl`` (w2v trains with ids by frequency); as they are if PTB's files are not at hand."""
    from ..datasets import ptb

    try:
        words = ptb.book_words()
    except W2VError:
        return stored  # the pickle still pairs every word with its own vector
    row_of = {word: i for i, word in enumerate(stored.index_to_key)}
    if len(words) != len(row_of) or any(word not in row_of for word in words):
        return stored
    rows = np.fromiter(map(row_of.__getitem__, words), dtype=np.int64, count=len(words))
    counts = None if stored.counts is None else stored.counts[rows]
    return StoredVectors(stored.vectors[rows], words, counts, stored.info)


def _is_key(value: Any) -> bool:
    """Whether ``value`` names a row: a word, or an item id (vectors trained on integer sequences)."""
    return isinstance(value, (str, Integral)) and not isinstance(value, bool)


def _as_list(value: Any) -> list[Any]:
    """gensim's convention: None is no key, one word or vector is a list of one."""
    if value is None:
        return []
    if _is_key(value) or isinstance(value, np.ndarray):
        return [value]
    return list(value)


def _as_word_list(words: Any, method: str) -> list[str]:
    if isinstance(words, str):
        raise TypeError(f"{method} takes a list of words, not one string ({words!r})")
    words = list(words)
    for word in words:
        if not _is_key(word):
            raise TypeError(f"{method} takes words, not {word!r}")
    return words


def _items(value: Any, default_weight: float, name: str) -> list[tuple[str | np.ndarray, float]]:
    """(key, weight) of each word, vector or (word or vector, weight) pair in ``value``."""
    items = []
    for item in _as_list(value):
        if _is_key(item) or isinstance(item, np.ndarray):
            items.append((item, default_weight))
        elif (isinstance(item, (tuple, list)) and len(item) == 2
              and (_is_key(item[0]) or isinstance(item[0], np.ndarray))
              and isinstance(item[1], Real) and not isinstance(item[1], bool)):
            items.append((item[0], float(item[1])))
        else:
            raise TypeError(f"{name}: {item!r} is not a word, a vector or a (word, weight) pair")
    return items


def _check_topn(topn: Any, allow_none: bool = True) -> None:
    check_integer("topn", topn, none_ok=allow_none)
