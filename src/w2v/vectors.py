"""WordVectors: what training returns and ``w2v.load`` gives back; cosine queries."""

from __future__ import annotations

import os
from typing import Any, Iterable, Sequence

import numpy as np

from .errors import ModelFileError, UnknownWordError
from .io import Format, format_of, read_vectors, write_vectors
from .io.stored import StoredVectors, first_duplicate
from .record import TrainingRecord


class WordVectors:
    """Word vectors with the book's queries (``most_similar``, ``analogy``) and cosine similarity.

    Parameters
    ----------
    vectors : (V, D) array_like, stored as float32
    index_to_key : sequence of str, length V, no duplicates
    counts : (V,) int, optional
        Corpus counts of the words (kept so exports and evaluations can use them).
    record : TrainingRecord, optional
        How the vectors were trained (config, corpus, loss curve, timings); None for vectors
        read from other tools' files.
    """

    def __init__(
        self,
        vectors: Any,
        index_to_key: Sequence[str],
        *,
        counts: Any = None,
        record: TrainingRecord | None = None,
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
        self._unit: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self.index(word)]

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
        """(V, D) float32 rows scaled to length 1 (all-zero rows stay zero)."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            self._unit = self.vectors / np.where(norms > 0, norms, 1)
        return self._unit

    def most_similar(self, word: str, topn: int = 5) -> list[tuple[str, float]]:
        """The ``topn`` words of highest cosine similarity to ``word``, itself excluded."""
        i = self.index(word)
        return self._nearest(self.unit_vectors[i], topn, exclude=[i])

    def analogy(self, a: str, b: str, c: str, topn: int = 5) -> list[tuple[str, float]]:
        """Solve a : b = c : ? as the book does: the words nearest (cosine) to ``b - a + c``.

        The query is built from the vectors as trained (the book's ``analogy``) and ranked by
        cosine similarity, the three inputs excluded: ``analogy("king", "man", "queen")`` ranks
        "woman" first. Benchmarks (``w2v evaluate``) use 3CosAdd instead, which normalises
        a, b and c first, as word2vec.c and gensim do.
        """
        ia, ib, ic = self.index(a), self.index(b), self.index(c)
        vectors = self.vectors
        return self._nearest(vectors[ib] - vectors[ia] + vectors[ic], topn, exclude=[ia, ib, ic])

    def similarity(self, word1: str, word2: str) -> float:
        """Cosine similarity of two words."""
        unit = self.unit_vectors
        return float(unit[self.index(word1)] @ unit[self.index(word2)])

    def _nearest(self, query: np.ndarray, topn: int, exclude: Iterable[int]) -> list[tuple[str, float]]:
        """Top ``topn`` words by cosine with ``query`` (D,), one matrix-vector product."""
        if not isinstance(topn, (int, np.integer)) or isinstance(topn, bool) or topn < 1:
            raise ValueError(f"topn must be a positive integer, not {topn!r}")
        norm = np.linalg.norm(query)
        scores = self.unit_vectors @ (query / norm if norm > 0 else query)  # (V,)
        scores[list(exclude)] = -np.inf
        k = min(int(topn), len(self) - len(set(exclude)))
        if k <= 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.index_to_key[i], float(scores[i])) for i in best]

    def save(self, path: str | os.PathLike, format: Format | None = None, *, dtype: str = "float32") -> None:
        """Write the vectors to one file, atomically.

        ``format`` is "npz" (w2v's own: words, counts and the training record), "text" or
        "binary" (word2vec's) or "book-pickle" (the book's ``cbow_params.pkl``, to read with the
        book's code); by default it follows the extension (.txt/.vec, .bin, .pkl), else npz.
        ``dtype="float16"`` halves an npz file (loaded back as float32); word2vec binary
        files stay float32.
        """
        stored = StoredVectors(self.vectors, self.index_to_key, self.counts,
                               self.record.to_dict() if self.record else {})
        write_vectors(stored, path, format or format_of(path) or "npz", dtype=dtype)

    def save_word2vec_format(self, path: str | os.PathLike, binary: bool = False) -> None:
        """Write word2vec's text or binary file atomically (gensim's name for ``save(path, "text"/"binary")``)."""
        self.save(path, "binary" if binary else "text")


def load(path: str | os.PathLike, *, limit: int | None = None, unicode_errors: str = "strict",
         no_header: bool = False) -> WordVectors:
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
    no_header : bool
        The file is word2vec text without its ``V D`` header line, as GloVe's files are
        (a file that looks like one is otherwise refused with a message saying so).

    Returns
    -------
    WordVectors
        ``vectors`` : (V, D) float32; ``record`` as saved by w2v, else None.
    """
    stored = read_vectors(path, limit=limit, unicode_errors=unicode_errors, no_header=no_header)
    try:
        record = TrainingRecord.from_dict(stored.info) if stored.info else None
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ModelFileError(f"{path}: its training record is malformed ({err})") from None
    try:
        return WordVectors(stored.vectors, stored.index_to_key, counts=stored.counts, record=record)
    except ValueError as err:  # a duplicate word
        raise ModelFileError(f"{path}: {err}") from None
