"""Sentence vectors from word vectors: the mean, SIF (Arora et al. 2017), uSIF (Ethayarajh 2018), an IDF-weighted
mean and concatenated power means (Rücklé et al. 2018).

:class:`SentenceEncoder` follows scikit-learn's transformer conventions (``__init__`` only
stores its parameters, ``fit`` checks them and learns attributes whose names end in ``_``,
``get_params``/``set_params``), so it works in a ``Pipeline`` and under ``cross_val_score``
without w2v importing scikit-learn.

A sentence is a string (split on whitespace) or a sequence of words; words outside the
vocabulary are left out, and a sentence with no known word gets a zero vector (one
:class:`~w2v.errors.EmptySentenceWarning` gives how many). With ``n`` the known words of a
sentence and ``p(w)`` a word's share of the corpus counts:

- **mean**: ``(1/n) sum u_w`` of the unit vectors (gensim's ``get_mean_vector``).
- **sif**: ``v_s = (1/n) sum a / (a + p(w)) v_w`` of the vectors as trained (``a = 1e-3``),
  then the projection on the first singular vector of the training sentences' ``v_s`` (not
  centred, as the authors' code does) is removed: ``v_s - u u^T v_s``.
- **usif**: ``a = (1 - alpha) / (alpha Z)`` with ``Z = V / 2`` and ``alpha`` the fraction of the
  V words with ``p(w) > 1 - (1 - 1/V)^L``, L the mean number of known words of the training
  sentences; ``v_s = (1/n) sum a / (a/2 + p(w)) u_w`` of unit vectors; then the projections on
  the first m = 5 singular vectors are removed, each weighted by its share of their squared
  singular values: ``v_s - sum_i lambda_i u_i u_i^T v_s``. (The authors' code scales each
  dimension of a sentence's words to length 1 instead of each word, which the paper does not
  describe; w2v follows the paper.)
- **idf**: ``(1/n) sum idf(w) u_w`` of unit vectors, ``idf(w) = ln((1 + N) / (1 + df(w))) + 1``
  over the N training sentences, ``df(w)`` those holding w (scikit-learn's smoothed IDF; a
  sentence's repeats of a word count as its term frequency).
- **power**: the concatenation of the power means p = -inf, +inf and 1 of the unit vectors: each
  dimension's minimum, maximum and mean over the known words, (N, 3D).

Encoders are saved as w2v ``.npz`` vectors files with the encoder's parameters and arrays
beside the vectors (``w2v.load`` reads them as vectors; never a pickle).
"""

from __future__ import annotations

import os
import warnings
from numbers import Real
from typing import Any, Iterable, Literal, Mapping

import numpy as np

from ..errors import ConfigError, CorpusError, EmptySentenceWarning, ModelFileError, check_integer
from ..io import format_of, read_vectors, write_vectors
from ..text.sources import read_lines
from ..text.vocab import Vocab, read_vocab_file
from .word_vectors import WordVectors, from_stored

Method = Literal["mean", "sif", "usif", "idf", "power"]
METHODS = ("mean", "sif", "usif", "idf", "power")
UNWEIGHTED_A = ("mean", "idf", "power")  # the methods without SIF's a
SIF_A = 1e-3  # Arora et al. (2017): a in [1e-4, 1e-3] works well
DEFAULT_COMPONENTS = {"mean": 0, "sif": 1, "usif": 5, "idf": 0, "power": 0}
# The weight of a word never counted (a subword model's word outside its vocabulary, p(w) = 0):
# SIF's a / (a + p(w)) and uSIF's a / (a / 2 + p(w)) at p(w) = 0; idf gives it the weight of a word
# in none of the training sentences (the largest).
UNSEEN_WEIGHT = {"mean": 1.0, "sif": 1.0, "usif": 2.0, "power": 1.0}
SAVED_KEY = "sentence_encoder"  # the document entry of a saved encoder
SAVED_VERSION = 1
_PARAMS = ("vectors", "method", "counts", "a", "n_components")
_ARRAYS = {"weights_": "encoder_weights", "components_": "encoder_components",
           "component_weights_": "encoder_component_weights"}


class SentenceEncoder:
    """Fixed-length vectors of sentences, from word vectors: mean, SIF, uSIF, IDF-weighted mean or power means
    (see the module's docstring).

    Parameters
    ----------
    vectors : WordVectors
    method : {"mean", "sif", "usif", "idf", "power"}
        ``power`` gives (N, 3D) vectors, the others (N, D).
    counts : (V,) array_like, dict, Vocab, str or PathLike, optional
        Corpus counts of the words, for sif and usif: by default the vectors' own (w2v's
        ``.npz`` keeps them; word2vec files do not). A dict or :class:`~w2v.Vocab` maps
        words to counts (words it lacks get its smallest count); a path names a
        ``word count`` file (``w2v export --vocab``, word2vec's ``-save-vocab``).
    a : float, optional
        The smoothing of the word weights: sif's default is 1e-3; usif computes it.
    n_components : int, optional
        Singular vectors removed: sif 1, usif 5, mean 0 by default.

    Attributes
    ----------
    weights_ : (V,) float32
        Each word's weight (1 for mean and power; its IDF for idf).
    components_ : (k, D) float32
        The singular vectors removed, fitted on the sentences given to ``fit``.
    component_weights_ : (k,) float32
        How much of each is removed (1 for sif; uSIF's lambda_i).
    a_ : float or None
        The ``a`` used (None for mean, idf and power).

    Examples
    --------
    >>> encoder = SentenceEncoder(w2v.load("wiki.npz"), method="sif")    # doctest: +SKIP
    >>> train_x = encoder.fit_transform(train_sentences)                  # doctest: +SKIP
    >>> test_x = encoder.transform(test_sentences)                        # doctest: +SKIP
    """

    def __init__(
        self,
        vectors: WordVectors,
        method: Method = "mean",
        *,
        counts: Any = None,
        a: float | None = None,
        n_components: int | None = None,
    ):
        self.vectors = vectors
        self.method = method
        self.counts = counts
        self.a = a
        self.n_components = n_components

    def __repr__(self) -> str:
        return f"SentenceEncoder({self.vectors!r}, method={self.method!r})"

    # ------------------------------------------------------------------ scikit-learn's protocol

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters by name (scikit-learn's ``clone`` rebuilds the encoder from them)."""
        return {name: getattr(self, name) for name in _PARAMS}

    def set_params(self, **params: Any) -> SentenceEncoder:
        """Set constructor parameters by name; refit afterwards."""
        for name, value in params.items():
            if name not in _PARAMS:
                raise ValueError(f"SentenceEncoder has no parameter {name!r} (it has {', '.join(_PARAMS)})")
            setattr(self, name, value)
        return self

    def fit(self, sentences: Iterable[Any], y: Any = None) -> SentenceEncoder:
        """Learn the word weights and the components to remove from ``sentences``.

        ``y`` is ignored. :class:`~w2v.errors.CorpusError` if no sentence has a known word.
        """
        self._fit(_sentence_list(sentences), "were left out of the fit", stacklevel=4)
        return self

    def fit_transform(self, sentences: Iterable[Any], y: Any = None) -> np.ndarray:
        """``fit(sentences).transform(sentences)`` in one pass: (N, D) float32."""
        embedded = self._fit(_sentence_list(sentences), "have zero vectors", stacklevel=4)
        return self._remove_components(embedded)

    def transform(self, sentences: Iterable[Any]) -> np.ndarray:
        """The vectors of ``sentences``, (N, D) float32 (zero for a sentence without a known word)."""
        if not hasattr(self, "weights_"):
            raise ValueError("this SentenceEncoder is not fitted yet: call fit(sentences) first")
        ids, offsets, outside = self._ids(_sentence_list(sentences))
        _warn_empty(offsets, "have zero vectors", stacklevel=3)
        return self._remove_components(self._weighted_means(ids, offsets, outside))

    # ------------------------------------------------------------------ saving

    def save(self, path: str | os.PathLike) -> None:
        """Write the vectors and the fitted encoder to one w2v ``.npz``, atomically.

        ``w2v.load(path)`` reads it back as vectors, :meth:`load` as this encoder (its
        weights hold what the counts taught it; ``counts=`` itself is not saved).
        """
        if not hasattr(self, "weights_"):
            raise ValueError("fit the SentenceEncoder before saving it")
        if format_of(path) not in (None, "npz"):
            raise ValueError(f"a SentenceEncoder is saved as a w2v .npz file, not {os.fspath(path)!r}")
        stored = self.vectors.to_stored()
        stored.extras[SAVED_KEY] = {"version": SAVED_VERSION, "method": self.method, "a": self.a,
                                    "n_components": self.n_components, "a_": self.a_}
        stored.extra_arrays.update({name: getattr(self, attribute) for attribute, name in _ARRAYS.items()})
        write_vectors(stored, path, "npz")

    @classmethod
    def load(cls, path: str | os.PathLike, *, mmap: bool = False) -> SentenceEncoder:
        """The fitted encoder saved by :meth:`save` (``mmap``: map the vectors, see ``w2v.load``)."""
        _, encoder = load_vectors_and_encoder(path, mmap=mmap)
        if encoder is None:
            raise ModelFileError(f"{path}: holds vectors but no fitted sentence encoder (SentenceEncoder.save "
                                 "and w2v embed --save-encoder write one)")
        return encoder

    # ------------------------------------------------------------------ the arithmetic

    def _fit(self, sentences: list[Any], empty_note: str, stacklevel: int) -> np.ndarray:
        """Check the parameters, learn every fitted attribute; returns the sentences' vectors before removal.

        ``stacklevel`` points the warning about empty sentences at the caller's caller.
        """
        method, n_components, wv = self._checked_params()
        ids, offsets, outside = self._ids(sentences)
        lengths = np.diff(offsets)
        if not lengths.any():
            raise CorpusError(f"none of the {len(sentences):,} sentences has a word in the vocabulary")
        self.a_ = None
        if method in ("mean", "power"):
            self.weights_ = np.ones(len(wv), dtype=np.float32)
        elif method == "idf":
            sentence = np.repeat(np.arange(lengths.size), lengths)
            held = np.unique(sentence * np.int64(len(wv) + len(outside)) + ids) % (len(wv) + len(outside))
            df = np.bincount(held[held < len(wv)], minlength=len(wv))
            self.weights_ = (np.log((1.0 + lengths.size) / (1.0 + df)) + 1.0).astype(np.float32)
        else:
            counts = _resolve_counts(self.counts, wv, method)
            share = counts / counts.sum()  # p(w), (V,) float64
            self.a_ = float(self.a) if self.a is not None else (SIF_A if method == "sif" else
                                                                _usif_a(share, lengths[lengths > 0].mean()))
            smoothing = self.a_ if method == "sif" else self.a_ / 2
            self.weights_ = (self.a_ / (smoothing + share)).astype(np.float32)
        embedded = self._weighted_means(ids, offsets, outside)  # (N, D)
        self.components_ = np.empty((0, wv.vector_size), dtype=np.float32)
        self.component_weights_ = np.empty(0, dtype=np.float32)
        if n_components:
            # The right singular vectors of the (N, D) sentence matrix and their squared singular
            # values are the eigenvectors and eigenvalues of its (D, D) Gram matrix: cheaper than an SVD.
            matrix = embedded.astype(np.float64)
            squares, right = np.linalg.eigh(matrix.T @ matrix)  # ascending
            squares, right = squares[::-1][:n_components], right[:, ::-1][:, :n_components].T
            self.components_ = right.astype(np.float32)
            lambdas = squares / squares.sum() if method == "usif" else np.ones_like(squares)
            self.component_weights_ = lambdas.astype(np.float32)
        _warn_empty(offsets, empty_note, stacklevel)
        return embedded

    def _checked_params(self) -> tuple[str, int, WordVectors]:
        if self.method not in METHODS:
            raise ConfigError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}", options=("method",))
        if not isinstance(self.vectors, WordVectors):
            raise TypeError(f"vectors must be w2v.WordVectors, not {type(self.vectors).__name__}")
        if self.a is not None and not _positive_number(self.a):
            raise ConfigError(f"a must be a positive number or None, not {self.a!r}", options=("a",))
        n_components = DEFAULT_COMPONENTS[self.method] if self.n_components is None else self.n_components
        if self.n_components is not None:
            check_integer("n_components", n_components, 0, self.vectors.vector_size, none_ok=True, error=ConfigError)
        return self.method, int(n_components), self.vectors

    def _ids(self, sentences: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows of the known words of each sentence, (T,) int64, where each sentence starts, (N + 1,) int64,
        and (O, D) float32 the vectors of rows V .. V + O - 1: the words outside the vocabulary that a
        subword model has n-grams for."""
        wv = self.vectors
        lookup = wv.key_to_index
        tokenized = [sentence.split() if isinstance(sentence, str) else sentence for sentence in sentences]
        outside = wv.oov_vectors([word for words in tokenized for word in words if word not in lookup])
        row_of = {**lookup, **{word: len(wv) + i for i, word in enumerate(outside)}}
        rows: list[int] = []
        offsets = np.zeros(len(sentences) + 1, dtype=np.int64)
        for i, words in enumerate(tokenized):
            rows.extend(row_of[word] for word in words if word in row_of)
            offsets[i + 1] = len(rows)
        vectors = np.array(list(outside.values()), dtype=np.float32).reshape(len(outside), wv.vector_size)
        return np.array(rows, dtype=np.int64), offsets, vectors

    def _weighted_means(self, ids: np.ndarray, offsets: np.ndarray, outside: np.ndarray) -> np.ndarray:
        """(N, D) float32 weighted means of the sentences' word vectors, one sparse-dense product."""
        wv = self.vectors
        if self.weights_.shape != (len(wv),):
            raise ValueError(f"the encoder was fitted for {self.weights_.size} words, the vectors have {len(wv)}")
        lengths = np.diff(offsets)
        unseen = UNSEEN_WEIGHT.get(self.method, float(self.weights_.max(initial=1.0)))
        weights = np.append(self.weights_, np.full(len(outside), unseen, dtype=np.float32))
        norms = np.append(wv.norms, np.linalg.norm(outside, axis=1)).astype(np.float32)
        scale = weights[ids] / np.repeat(lengths, lengths).astype(np.float32)  # (T,)
        if self.method != "sif":  # mean and usif average unit vectors
            scale /= np.where(norms[ids] > 0, norms[ids], 1)
        from scipy import sparse  # imported when used: it would add to every training run's memory otherwise

        rows = sparse.csr_matrix((scale, ids, offsets), shape=(len(lengths), len(wv) + len(outside)))  # (N, V + O)
        embedded = np.asarray(rows[:, : len(wv)] @ wv.vectors, dtype=np.float32)
        if len(outside):
            embedded += np.asarray(rows[:, len(wv):] @ outside, dtype=np.float32)
        if self.method == "power":
            return np.hstack([*self._extremes(ids, lengths, outside, norms), embedded])
        return embedded

    def _extremes(self, ids: np.ndarray, lengths: np.ndarray, outside: np.ndarray, norms: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Each dimension's minimum and maximum of the sentences' unit vectors: (N, D) float32 each (0 if empty)."""
        V = len(self.vectors)
        unit = np.empty((ids.size, self.vectors.vector_size), dtype=np.float32)
        inside = ids < V
        unit[inside] = self.vectors.vectors[ids[inside]]
        unit[~inside] = outside[ids[~inside] - V]
        unit /= np.where(norms[ids] > 0, norms[ids], 1)[:, None]
        kept = lengths > 0
        starts = (np.cumsum(lengths) - lengths)[kept]
        low, high = (np.zeros((lengths.size, unit.shape[1]), dtype=np.float32) for _ in range(2))
        if starts.size:
            low[kept], high[kept] = np.minimum.reduceat(unit, starts), np.maximum.reduceat(unit, starts)
        return low, high

    def _remove_components(self, embedded: np.ndarray) -> np.ndarray:
        """``v - sum_i lambda_i (v . u_i) u_i`` for every row, in place; returns ``embedded``."""
        if len(self.components_):
            embedded -= ((embedded @ self.components_.T) * self.component_weights_) @ self.components_
        return embedded


def load_vectors_and_encoder(path: str | os.PathLike, *, mmap: bool = False, unicode_errors: str = "strict",
                             no_header: bool = False) -> tuple[WordVectors, SentenceEncoder | None]:
    """The vectors of a vectors file and the fitted encoder it holds, or None (the file is read once)."""
    stored = read_vectors(path, unicode_errors=unicode_errors, mmap=mmap, no_header=no_header)
    wv = from_stored(stored, path)
    spec = stored.extras.get(SAVED_KEY)
    if spec is None:
        return wv, None
    bad = ModelFileError(f"{path}: its sentence encoder is malformed")
    if not isinstance(spec, dict) or spec.get("method") not in METHODS or not isinstance(spec.get("version"), int):
        raise bad
    if spec["version"] > SAVED_VERSION:
        raise ModelFileError(f"{path}: its sentence encoder has version {spec['version']}, newer than this w2v reads "
                             f"({SAVED_VERSION})")
    encoder = SentenceEncoder(wv, spec["method"], a=spec.get("a"), n_components=spec.get("n_components"))
    try:
        _, n_components, _ = encoder._checked_params()
    except ConfigError as err:
        raise ModelFileError(f"{path}: its sentence encoder is malformed ({err})") from None
    k = min(n_components, wv.vector_size)  # the components fitted: a default of 5 gives D below 5 dimensions
    a_ = spec.get("a_")
    if (a_ is None) != (spec["method"] in UNWEIGHTED_A) or not (a_ is None or _positive_number(a_)):
        raise ModelFileError(f"{path}: its sentence encoder is malformed (a_={a_!r})")
    arrays = {attribute: stored.extra_arrays.get(name) for attribute, name in _ARRAYS.items()}
    if any(array is None or array.dtype != np.float32 for array in arrays.values()):
        raise bad
    if (arrays["weights_"].shape != (len(wv),) or arrays["components_"].shape != (k, wv.vector_size)
            or arrays["component_weights_"].shape != (k,) or not all(np.isfinite(a).all() for a in arrays.values())):
        raise bad
    for attribute, array in arrays.items():
        setattr(encoder, attribute, np.asarray(array))
    encoder.a_ = a_
    return wv, encoder


def _positive_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and 0 < value < float("inf")


def _sentence_list(sentences: Iterable[Any]) -> list[Any]:
    if isinstance(sentences, str):
        raise TypeError("sentences must be a sequence of sentences, not one string (wrap it in a list)")
    return list(sentences)


def _warn_empty(offsets: np.ndarray, note: str, stacklevel: int) -> None:
    empty = int(np.count_nonzero(np.diff(offsets) == 0))
    if empty:
        warnings.warn(f"{empty:,} of {len(offsets) - 1:,} sentences have no word in the vocabulary and {note}",
                      EmptySentenceWarning, stacklevel=stacklevel)


def _usif_a(share: np.ndarray, length: float) -> float:
    """uSIF's a from the words' probabilities (V,) and the mean sentence length (Ethayarajh 2018, section 4)."""
    size = len(share)
    threshold = 1 - (1 - 1 / size) ** length
    alpha = float(np.count_nonzero(share > threshold)) / size
    if not 0 < alpha < 1:
        raise ConfigError(f"uSIF's a is undefined for these counts: {alpha:.0%} of the {size:,} words have a "
                          f"probability above 1 - (1 - 1/{size:,})^{length:.3g} = {threshold:.3g} (the mean sentence "
                          "length); choose a yourself (SentenceEncoder(a=...)) or use sif")
    return (1 - alpha) / (alpha * size / 2)


def _resolve_counts(counts: Any, wv: WordVectors, method: str) -> np.ndarray:
    """(V,) float64 counts of the vocabulary's words from ``counts=`` or the vectors' own."""
    if counts is None:
        if wv.counts is None:
            raise ConfigError(
                f"method={method!r} needs word frequencies, and these vectors carry none (word2vec files do not keep "
                "them): pass counts=VOCAB, a 'word count' file as `w2v export --vocab` or word2vec's -save-vocab "
                "writes (or an array or a dict)", options=("counts", "method"))
        return wv.counts.astype(np.float64)
    if isinstance(counts, (str, os.PathLike)):
        counts = read_vocab_file(counts)
    if isinstance(counts, Vocab):
        counts = dict(zip(counts.words, counts.counts.tolist()))
    if isinstance(counts, Mapping):
        known = [counts[word] for word in wv.index_to_key if word in counts]
        if not known:
            raise ConfigError("counts names none of the vocabulary's words", options=("counts",))
        smallest = min(known)
        counts = [counts.get(word, smallest) for word in wv.index_to_key]
    resolved = np.asarray(counts, dtype=np.float64)
    if resolved.shape != (len(wv),):
        raise ConfigError(f"counts has shape {resolved.shape} for {len(wv)} words", options=("counts",))
    if not np.isfinite(resolved).all() or (resolved < 0).any() or resolved.sum() <= 0:
        raise ConfigError("counts must be finite, at least 0, and not all 0", options=("counts",))
    return resolved



def embed_lines(model: str | os.PathLike, source: str, *, method: Method | None = None,
                counts: str | os.PathLike | None = None, unicode_errors: str = "strict",
                no_header: bool = False) -> tuple[np.ndarray, SentenceEncoder]:
    """What ``w2v embed`` computes: one vector per line of ``source`` (a UTF-8 file, or ``-`` for standard input).

    With the fitted encoder that ``model`` holds (then ``method`` and ``counts`` must be left out: it
    embeds with its own weights), else with a new ``method`` encoder (default mean) fitted on these lines.

    Returns
    -------
    vectors : (N, D) float32, row i for line i
    encoder : SentenceEncoder, fitted
    """
    wv, encoder = load_vectors_and_encoder(model, unicode_errors=unicode_errors, no_header=no_header)
    if encoder is not None and (method not in (None, encoder.method) or counts):
        raise ConfigError(f"{model} holds a fitted {encoder.method!r} encoder that embeds with its own "
                          "weights: leave out method and counts", options=("method", "counts"))
    sentences = read_lines(source)
    if not any(word in wv for line in sentences for word in line.split()):
        name = "standard input" if source == "-" else source
        raise CorpusError(f"{name}: none of its {len(sentences):,} lines has a word in the vocabulary")
    if encoder is None:
        encoder = SentenceEncoder(wv, method or "mean", counts=counts)
        return encoder.fit_transform(sentences), encoder
    return encoder.transform(sentences), encoder
