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
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import CorpusError, ModelFileError, UnknownWordError, W2VError, ZeroVectorWarning, check_integer
from ..io import Format, format_of, read_vectors, write_vectors
from ..io.files import check_finite
from ..io.neighbour_graph import index_path
from ..io.stored import StoredVectors, first_duplicate
from ..io.word2vec import load_word2vec_format
from ..io.word2vec import save_word2vec_format as write_word2vec_format
from ..record import TrainingRecord
from ..text.subwords import Subwords
from ..text.vocab import read_vocab_file, write_vocab_file
from .neighbours import NeighbourIndex
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
        self._index: NeighbourIndex | None = None
        self._index_file: Path | None = None  # where load() looks for a saved index, on the first approximate query

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __getitem__(self, key: Any) -> np.ndarray:
        """The vector of a word (D,), or the (K, D) vectors of a list of words, as gensim's ``kv[key]``.

        A word outside the vocabulary of a subword model gets the mean of its n-grams' rows
        (:class:`~w2v.errors.UnknownWordError` if it has none either); an int that is not a word
        is a row number, as in gensim.
        """
        if isinstance(key, (list, tuple)):
            return np.array([self[one] for one in key], dtype=np.float32).reshape(len(key), self.vector_size)
        if key in self.key_to_index or self.subwords is None or not isinstance(key, str):
            return self.vectors[self.get_index(key)]
        outside = self.oov_vectors([key])
        if key not in outside:
            raise UnknownWordError(key, subwords=True)
        return outside[key]

    def __setitem__(self, keys: Any, vectors: Any) -> None:
        """``wv["word"] = vector`` or ``wv[words] = (K, D) vectors``: add the new words, replace the known ones'
        vectors (gensim's ``__setitem__``, :meth:`add_vectors` with ``replace=True``)."""
        if not isinstance(keys, (list, tuple)):
            keys, vectors = [keys], np.reshape(vectors, (1, -1))
        self.add_vectors(keys, vectors, replace=True)

    @classmethod
    def empty(cls, vector_size: int) -> "WordVectors":
        """No words yet, vectors of ``vector_size`` dimensions (gensim's ``KeyedVectors(vector_size)``); words
        come with :meth:`add_vectors` or ``wv[word] = vector``, counted 0 times."""
        check_integer("vector_size", vector_size)
        return cls(np.zeros((0, vector_size), dtype=np.float32), [], counts=np.zeros(0, dtype=np.int64))

    @classmethod
    def load_word2vec_format(cls, fname: str | os.PathLike, fvocab: str | os.PathLike | None = None,
                             binary: bool | None = None, encoding: str = "utf8", unicode_errors: str = "strict",
                             limit: int | None = None, datatype: Any = np.float32,
                             no_header: bool = False) -> "WordVectors":
        """Read a word2vec text or binary file, with its words' counts from a ``word count`` file (gensim's
        ``KeyedVectors.load_word2vec_format``).

        Parameters
        ----------
        fname : str or PathLike
        fvocab : str or PathLike, optional
            word2vec.c's ``-save-vocab`` file: the counts of the words. Without it the vectors have no
            counts (``counts`` None; gensim invents ``V - i``). A word of the vectors it does not list
            raises ModelFileError (gensim logs a warning and gives it no count).
        binary : bool, optional
            None guesses from the file (see :func:`w2v.io.word2vec.load_word2vec_format`).
        encoding : {"utf8", "utf-8"}
            word2vec files are UTF-8; other encodings are refused.
        unicode_errors, limit, no_header
            As :func:`load`. A word that is not UTF-8 raises
            :class:`~w2v.errors.UndecodableWordError` (a UnicodeDecodeError, as in gensim) unless
            ``unicode_errors`` is "replace" or "ignore"; the vocabulary file is decoded the same way.
        datatype : float32
            The vectors are float32 (the only type w2v's queries use).
        """
        if encoding.lower().replace("-", "") != "utf8":
            raise ValueError(f"encoding={encoding!r}: word2vec files are UTF-8")
        if np.dtype(datatype) != np.float32:
            raise ValueError(f"datatype={datatype!r}: w2v keeps vectors as float32")
        stored = load_word2vec_format(fname, binary=binary, limit=limit, unicode_errors=unicode_errors,
                                      no_header=no_header)
        if fvocab is not None:
            stored.counts = _counts_from(fvocab, stored.index_to_key, unicode_errors)
        return from_stored(stored, fname)

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

    def get_index(self, key: Any, default: int | None = None) -> int:
        """The row of a word, or an int that is not a word taken as a row number (gensim's ``get_index``; not for
        vectors keyed by item ids, where an int is an id); ``default`` if neither, else
        :class:`~w2v.errors.UnknownWordError`."""
        if key in self.key_to_index:
            return self.key_to_index[key]
        if (isinstance(key, (int, np.integer)) and not isinstance(key, bool) and 0 <= key < len(self)
                and isinstance(self.index_to_key[0], str)):  # vectors keyed by item ids take ints as ids only
            return int(key)
        if default is not None:
            return default
        raise UnknownWordError(key if isinstance(key, str) else repr(key))

    def has_index_for(self, key: Any) -> bool:
        """Whether ``key`` is a word of the vocabulary or a row number (gensim's ``has_index_for``)."""
        return self.get_index(key, -1) >= 0

    def get_vector(self, key: Any, norm: bool = False) -> np.ndarray:
        """``self[key]``, scaled to length 1 if ``norm`` (gensim's ``get_vector``)."""
        vector = self[key]
        return unit(vector) if norm else vector

    def get_vecattr(self, key: Any, attr: str) -> int | None:
        """The corpus count of a word, as gensim's ``get_vecattr(key, "count")``; None when the vectors hold
        no counts (word2vec files read without ``fvocab``). Counts are the only attribute w2v keeps."""
        _check_attr(attr)
        row = self.get_index(key)
        return None if self.counts is None else int(self.counts[row])

    def set_vecattr(self, key: Any, attr: str, value: int) -> None:
        """Set a word's corpus count (gensim's ``set_vecattr(key, "count", value)``); the others become 0 if the
        vectors held no counts."""
        _check_attr(attr)
        check_integer("value", value, low=0)
        row = self.get_index(key)
        if self.counts is None:
            self.counts = np.zeros(len(self), dtype=np.int64)
        self.counts[row] = value

    def add_vector(self, key: str, vector: Any) -> int:
        """Add one word and its vector (counted 0 times) and return its row; a known word keeps its vector
        (gensim's ``add_vector``)."""
        self.add_vectors([key], np.reshape(vector, (1, -1)))
        return self.key_to_index[key]

    def add_vectors(self, keys: Any, weights: Any, extras: dict[str, Any] | None = None,
                    replace: bool = False) -> None:
        """Add words and their vectors (gensim's ``add_vectors``): new words get new rows, counted 0 times;
        known words keep their vectors unless ``replace``.

        Parameters
        ----------
        keys : str or sequence of str, length K
            Words (an int is refused: it names a row), or item ids (int) for vectors keyed by them.
        weights : (K, D) or (D,) for one word, array_like
        extras : {"count": (K,) int}, optional
            The words' corpus counts (the one attribute w2v keeps).
        replace : bool
            Replace the vectors (and counts) of words already known.
        """
        if isinstance(keys, str):
            keys, weights = [keys], np.reshape(weights, (1, -1))
        keys = list(keys)
        items = bool(self.index_to_key) and not isinstance(self.index_to_key[0], str)  # keyed by item ids
        for key in keys:
            if items and not (_is_key(key) and not isinstance(key, str)):
                raise TypeError(f"keys of vectors trained on item sequences are item ids (int), not {key!r}")
            if not items and not isinstance(key, str):
                raise TypeError(f"keys are words (str), not {key!r}")
        weights = np.asarray(weights, dtype=np.float32)
        if weights.shape != (len(keys), self.vector_size):
            raise ValueError(f"weights of shape {weights.shape} for {len(keys)} keys of {self.vector_size} dimensions")
        counts = np.zeros(len(keys), dtype=np.int64)
        for attr, values in (extras or {}).items():
            _check_attr(attr)
            counts = np.asarray(values, dtype=np.int64).reshape(len(keys))
        last = {key: i for i, key in enumerate(keys)}  # a key given twice takes its last vector, as replacing would
        new = [key for key in last if key not in self.key_to_index]
        known = [key for key in last if key in self.key_to_index]
        vectors = self.vectors
        if replace and known:
            vectors = vectors if vectors.flags.writeable else vectors.copy()  # a mapped model is read-only
            rows = [self.key_to_index[key] for key in known]
            vectors[rows] = weights[[last[key] for key in known]]
            if self.counts is not None and extras:
                self.counts[rows] = counts[[last[key] for key in known]]
        if new:
            vectors = np.concatenate([vectors, weights[[last[key] for key in new]]])
            for key in new:
                self.key_to_index[key] = len(self.index_to_key)
                self.index_to_key.append(key)
            if self.counts is not None:
                self.counts = np.concatenate([self.counts, counts[[last[key] for key in new]]])
        self.vectors = vectors
        self._unit = self._norms = None
        self._index = self._index_file = None  # built for the vectors as they were

    def vectors_for_all(self, keys: Any, allow_inference: bool = True, copy_vecattrs: bool = False
                        ) -> "WordVectors":
        """New WordVectors of the ``keys`` that have vectors, each once, in the order given (gensim's
        ``vectors_for_all``).

        ``allow_inference``: a subword model's words outside the vocabulary come too, with their
        n-grams' mean. ``copy_vecattrs``: the words keep their counts (else they are counted 0 times).
        """
        keys = list(dict.fromkeys(keys))
        inferred = self.oov_vectors([key for key in keys if isinstance(key, str)]) if allow_inference else {}
        kept = [key for key in keys if key in self.key_to_index or key in inferred]
        vectors = np.array([self.vectors[self.key_to_index[key]] if key in self.key_to_index else inferred[key]
                            for key in kept], dtype=np.float32).reshape(len(kept), self.vector_size)
        if copy_vecattrs and self.counts is None:
            counts = None
        elif copy_vecattrs:
            counts = np.array([self.counts[self.key_to_index[key]] if key in self.key_to_index else 0
                               for key in kept], dtype=np.int64)
        else:
            counts = np.zeros(len(kept), dtype=np.int64)
        return WordVectors(vectors, kept, counts=counts)

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
        approximate: bool = False,
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
        approximate : bool
            Walk the neighbour index (:meth:`build_index`, or the one saved next to the file
            :func:`load` read) instead of scoring every word: for large vocabularies, far faster,
            and most (not always all) of the exact answers. Needs an int ``topn`` and no
            ``restrict_vocab``.

        Returns
        -------
        list of (word, cosine), best first, or (R,) float32 when ``topn`` is None.
        """
        return self.most_similar_batch([positive], [negative], topn, restrict_vocab, ignore_missing=ignore_missing,
                                       approximate=approximate)[0]

    def most_similar_batch(
        self,
        positives: Sequence[Any],
        negatives: Sequence[Any] | None = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
        *,
        ignore_missing: bool = False,
        approximate: bool = False,
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
        if approximate:
            return self._approximate(np.array(means), topn, restrict_vocab, exclude)
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
        self, vector: Any, topn: int | None = 10, restrict_vocab: int | None = None, *, approximate: bool = False
    ) -> list[tuple[str, float]] | list[list[tuple[str, float]]] | np.ndarray:
        """The words nearest (cosine) to ``vector`` (D,), or to each row of ``vector`` (Q, D).

        Nothing is excluded. Returns what :meth:`most_similar` (one vector) or
        :meth:`most_similar_batch` (several) returns.
        """
        vector = np.asarray(vector, dtype=np.float32)
        if vector.ndim == 2:
            return self.most_similar_batch([[row] for row in vector], topn=topn, restrict_vocab=restrict_vocab,
                                           approximate=approximate)
        return self.most_similar([self._query_vector(vector)], topn=topn, restrict_vocab=restrict_vocab,
                                 approximate=approximate)

    # ------------------------------------------------------------------ the approximate-neighbour index

    def build_index(self, path: str | os.PathLike | None = None, **options: Any) -> NeighbourIndex:
        """Build the neighbour index that ``approximate=True`` queries walk, and keep it (pynndescent, the ``ann``
        extra). ``path``: also save it there (``w2v index MODEL`` saves it next to the model, where
        :func:`load` finds it). ``options``: :meth:`NeighbourIndex.build`'s."""
        index = NeighbourIndex.build(self.vectors, self.norms, **options)
        if path is not None:
            index.save(path)
        self._index = index
        return index

    @property
    def neighbour_index(self) -> NeighbourIndex:
        """The index ``approximate=True`` walks: the one built, else the one saved next to the file the vectors
        were loaded from (mapped read-only); W2VError if there is none."""
        if self._index is None:
            if self._index_file is None or not self._index_file.exists():
                where = f" next to {self._index_file.name[:-4]}" if self._index_file is not None else ""
                raise W2VError(f"no approximate-neighbour index{where}: build one with w2v index MODEL "
                               "(or wv.build_index())")
            self._index = NeighbourIndex.load(self._index_file, self.vectors)
        return self._index

    def _approximate(self, means: np.ndarray, topn: Any, restrict_vocab: Any, exclude: list[list[int]]
                     ) -> list[list[tuple[str, float]]]:
        """The ``topn`` words the index finds nearest each unit query (Q, D), without the query's own words."""
        if topn is None or restrict_vocab is not None:
            raise ValueError("approximate=True answers topn words of the whole vocabulary: give topn an int "
                             "and no restrict_vocab")
        index = self.neighbour_index
        extra = max((len(rows) for rows in exclude), default=0)
        rows, scores = index.search(self.vectors, self.norms, means, min(topn + extra, len(self)))
        answers = []
        for query_rows, query_scores, skip in zip(rows.tolist(), scores.tolist(), exclude):
            kept = [(self.index_to_key[row], score) for row, score in zip(query_rows, query_scores)
                    if row >= 0 and row not in skip]
            answers.append(kept[:topn])
        return answers

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
        rows = self._rows([word1, word2])
        if rows[0] == rows[1]:  # exactly 1, where the product of a unit vector with itself may round below it
            return 1.0 if self.norms[rows[0]] > 0 else 0.0
        first, second = unit_rows(self.vectors, self.norms, np.array(rows))
        return float(first @ second)

    def distance(self, word1: str, word2: str) -> float:
        """Cosine distance ``1 - similarity(word1, word2)`` (gensim's ``distance``; 0 for a word and itself)."""
        return 1 - self.similarity(word1, word2)

    def similar_by_word(self, word: str, topn: int | None = 10, restrict_vocab: int | None = None
                        ) -> list[tuple[str, float]] | np.ndarray:
        """``most_similar(word, topn=topn, restrict_vocab=restrict_vocab)`` (gensim's ``similar_by_word``)."""
        return self.most_similar(word, topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_to_given(self, word: str, words: Sequence[str]) -> str:
        """The word of ``words`` most similar (cosine) to ``word``; the first of equals (gensim's
        ``most_similar_to_given``)."""
        words = _as_word_list(words, "most_similar_to_given")
        if not words:
            raise ValueError("most_similar_to_given needs at least one word to choose from")
        return words[int(np.argmax([self.similarity(word, other) for other in words]))]

    def relative_cosine_similarity(self, word1: str, word2: str, topn: int = 10) -> float:
        """Cosine of the two words over the sum of ``word1``'s cosines with its ``topn`` nearest words (Leeuwenberg
        et al. 2016, gensim's ``relative_cosine_similarity``): above ``1 / topn``, ``word2`` is likelier a synonym."""
        check_integer("topn", topn)
        nearest = self.similar_by_word(word1, topn=topn)
        return self.similarity(word1, word2) / sum(score for _, score in nearest)

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

    def save_word2vec_format(self, path: str | os.PathLike, fvocab: str | os.PathLike | None = None,
                             binary: bool = False, write_header: bool = True) -> None:
        """Write word2vec's text or binary file atomically (gensim's ``save_word2vec_format``), and with ``fvocab``
        the words' counts as a ``word count`` file (:meth:`save_vocab`). ``write_header=False`` leaves out the
        ``V D`` line of a text file (read back with ``no_header=True``)."""
        write_word2vec_format(self.to_stored(subwords=False), path, binary=binary, header=write_header)
        if fvocab is not None:
            self.save_vocab(fvocab)


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
    wv = from_stored(stored, path)
    if limit is None:  # an index covers every word of the file
        wv._index_file = index_path(path)
    return wv


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
    if isinstance(value, np.ndarray) and value.ndim == 2:  # (K, D): K vectors
        return list(value)
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
    check_integer("topn", topn, low=0, none_ok=allow_none)


def _check_attr(attr: str) -> None:
    if attr != "count":
        raise KeyError(f"{attr!r}: the one attribute of a word w2v keeps is its 'count'")


def _counts_from(path: str | os.PathLike, words: Sequence[str], unicode_errors: str) -> np.ndarray:
    """(V,) int64 counts of ``words`` read from a ``word count`` file (gensim's ``fvocab``); ModelFileError if
    it is unreadable or leaves a word out."""
    try:
        vocab = read_vocab_file(path, unicode_errors)
    except CorpusError as err:
        raise ModelFileError(str(err)) from None
    count_of = dict(zip(vocab.words, vocab.counts.tolist()))
    missing = next((word for word in words if word not in count_of), None)
    if missing is not None:
        raise ModelFileError(f"{path}: the vocabulary file has no count for {missing!r}")
    return np.array([count_of[word] for word in words], dtype=np.int64)
