"""Benchmarks for word vectors: analogies (3CosAdd, 3CosMul) and word similarity.

The numbers are the ones gensim (``KeyedVectors.evaluate_word_analogies`` and
``evaluate_word_pairs``) and word2vec.c's ``compute-accuracy`` report on the same vectors:

- **Analogies.** A question ``a b c d`` (a is to b as c is to d) is answered by the word
  nearest to ``b - a + c`` by cosine among the first ``restrict_vocab`` words (the most
  frequent ones in a trained model), a, b and c excluded. A question with a word outside
  those is skipped and counted as such; accuracies are over the questions answered.
- **Similarity.** Spearman's rho and Pearson's r between human scores and the cosine
  similarities of the pairs whose two words are known; the other pairs are counted as skipped.

Words are compared case-insensitively by default, as gensim does: both sides are
upper-cased, and when the vocabulary holds several case variants of a word (``Paris``,
``paris``), the first (most frequent) one stands for all of them.

>>> from w2v import evaluate
>>> evaluate.analogies(wv, "google").accuracy           # doctest: +SKIP
>>> evaluate.similarity(wv, "wordsim353").spearman       # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..datasets.benchmarks import Question, read_analogies, read_word_pairs, resolve
from ..errors import BenchmarkError
from .scoring import ANALOGY_METHODS, COSMUL_EPSILON, AnalogyMethod, analogy_scores, restricted, unit_rows
from .word_vectors import WordVectors

Method = AnalogyMethod
METHODS = ANALOGY_METHODS
MAX_BATCH = 1000  # questions scored per matrix product
MAX_SCORES = 1 << 24  # float32 scores held at once (64 MiB)


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SectionScore:
    """One section of an analogy file: questions answered (``total``), right, and skipped."""

    section: str
    correct: int
    total: int
    skipped: int

    @property
    def accuracy(self) -> float | None:
        """Fraction of the answered questions answered right; None when none was answered."""
        return _ratio(self.correct, self.total)

    @property
    def syntactic(self) -> bool:
        """Sections named ``gram*`` are syntactic, the others semantic (as in the Google set)."""
        return self.section.startswith("gram")


@dataclass(frozen=True)
class AnalogyResult:
    """Accuracy of one analogy file, per section and in total."""

    file: str
    method: str
    restrict_vocab: int
    sections: tuple[SectionScore, ...]

    @property
    def correct(self) -> int:
        return sum(s.correct for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def skipped(self) -> int:
        return sum(s.skipped for s in self.sections)

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.total)

    @property
    def semantic(self) -> float | None:
        return self._group_accuracy(syntactic=False)

    @property
    def syntactic(self) -> float | None:
        return self._group_accuracy(syntactic=True)

    @property
    def coverage(self) -> float | None:
        """Fraction of the questions answered (the others have a word outside the vocabulary)."""
        return _ratio(self.total, self.total + self.skipped)

    def _group_accuracy(self, syntactic: bool) -> float | None:
        group = [s for s in self.sections if s.syntactic == syntactic]
        return _ratio(sum(s.correct for s in group), sum(s.total for s in group))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: accuracies are fractions in 0..1, or None where nothing was answered."""
        return {
            "file": self.file,
            "method": self.method,
            "restrict_vocab": self.restrict_vocab,
            "accuracy": self.accuracy,
            "semantic": self.semantic,
            "syntactic": self.syntactic,
            "correct": self.correct,
            "total": self.total,
            "skipped": self.skipped,
            "coverage": self.coverage,
            "sections": [
                {"section": s.section, "accuracy": s.accuracy, "correct": s.correct, "total": s.total,
                 "skipped": s.skipped}
                for s in self.sections
            ],
        }


@dataclass(frozen=True)
class SimilarityResult:
    """Correlation of one word-similarity file with the vectors' cosine similarities.

    ``spearman`` and ``pearson`` are NaN when either side is constant (undefined).
    """

    file: str
    spearman: float
    pearson: float
    pairs: int
    skipped: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (an undefined correlation becomes None)."""
        return {
            "file": self.file,
            "spearman": _finite_or_none(self.spearman),
            "pearson": _finite_or_none(self.pearson),
            "pairs": self.pairs,
            "skipped": self.skipped,
        }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------- vocabulary look-up


class _Lookup:
    """Words of the first ``limit`` rows, as gensim matches them (upper-cased if case-insensitive).

    ``primary[i]`` is the first row whose word folds to the same key as row ``i``;
    ``variants`` maps a primary row to all its rows, for the keys held by more than one.
    """

    def __init__(self, words: Sequence[str], case_insensitive: bool):
        self._fold = str.upper if case_insensitive else str
        self._rows: dict[str, int] = {}
        self.primary = np.empty(len(words), dtype=np.int64)  # (R,)
        self.variants: dict[int, list[int]] = {}
        for i, word in enumerate(words):
            first = self._rows.setdefault(self._fold(word), i)
            self.primary[i] = first
            if first != i:
                self.variants.setdefault(first, [first]).append(i)

    def get(self, word: str) -> int | None:
        return self._rows.get(self._fold(word))


# ---------------------------------------------------------------------------- analogies


def analogies(
    vectors: WordVectors,
    path: str | os.PathLike = "google",
    *,
    restrict_vocab: int | None = 30000,
    method: Method = "3cosadd",
    case_insensitive: bool = True,
) -> AnalogyResult:
    """Accuracy on an analogy file (a path, or the named benchmark ``"google"``).

    Parameters
    ----------
    vectors : WordVectors
        Rows in order of decreasing frequency, so that the first ``restrict_vocab`` words
        are the most frequent ones.
    path : str or path-like
        A ``questions-words.txt``-format file, or ``"google"``.
    restrict_vocab : int or None
        Only the first ``restrict_vocab`` words are searched, and questions with a word
        outside them are skipped (word2vec.c's threshold; 30,000 in its demo). None: all.
    method : {"3cosadd", "3cosmul", "book"}
        3CosAdd: the word maximising ``cos(x, b - a + c)`` of unit vectors (word2vec.c, gensim).
        3CosMul: the word maximising ``cos'(x, b) cos'(x, c) / (cos'(x, a) + 0.001)`` with
        ``cos' = (1 + cos) / 2`` (Levy & Goldberg 2014). book: ``cos(x, b - a + c)`` of the
        vectors as trained (the book's ``analogy``). ``WordVectors.analogy(a, b, c,
        method=..., restrict_vocab=...)`` gives the same answers (:mod:`w2v.vectors.scoring`).
    case_insensitive : bool
        Compare words upper-cased (gensim's ``case_insensitive=True``).

    Ties go to the first (most frequent) word, as in word2vec.c.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    limit = restricted(len(vectors), restrict_vocab)
    file, _ = resolve(path, "analogies")
    sections = read_analogies(file)
    lookup = _Lookup(vectors.index_to_key[:limit], case_insensitive)
    rows, section_of, skipped = _encode(sections, lookup)
    best = _answers(vectors, limit, rows[:, :3], method, lookup.variants)
    hit = lookup.primary[best] == rows[:, 3]
    correct = np.bincount(section_of[hit], minlength=len(sections))
    total = np.bincount(section_of, minlength=len(sections))
    scores = tuple(
        SectionScore(name, int(correct[s]), int(total[s]), skipped[s]) for s, (name, _) in enumerate(sections)
    )
    return AnalogyResult(str(file), method, limit, scores)


def _encode(sections: list[tuple[str, list[Question]]], lookup: _Lookup) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Rows of the answerable questions, (Q, 4) int64; their section, (Q,) int64; skips per section."""
    rows: list[list[int]] = []
    section_of: list[int] = []
    skipped = []
    for s, (_, questions) in enumerate(sections):
        before = len(rows)
        for question in questions:
            found = [lookup.get(word) for word in question]
            if None not in found:
                rows.append(found)
        section_of += [s] * (len(rows) - before)
        skipped.append(len(questions) - (len(rows) - before))
    return np.array(rows, dtype=np.int64).reshape(-1, 4), np.array(section_of, dtype=np.int64), skipped


def _answers(vectors: WordVectors, limit: int, questions: np.ndarray, method: Method,
             variants: dict[int, list[int]]) -> np.ndarray:
    """Row of the best answer to each question, a batch of questions per matrix product.

    The scores are :func:`w2v.vectors.scoring.analogy_scores`, which ``WordVectors.analogy`` uses too.

    Parameters
    ----------
    vectors : WordVectors
    limit : int
        Only the first ``limit`` words are searched.
    questions : (Q, 3) int64
        Rows of a, b and c (primary rows, see :class:`_Lookup`).
    variants : dict
        Case variants to exclude along with a question word.

    Returns
    -------
    (Q,) int64
    """
    width = 3 if method == "3cosmul" else 1
    batch = max(1, min(MAX_BATCH, MAX_SCORES // (width * max(limit, 1))))
    best = np.empty(len(questions), dtype=np.int64)
    for start in range(0, len(questions), batch):
        chunk = questions[start : start + batch]
        scores = analogy_scores(vectors.vectors, vectors.norms, chunk, limit, method, COSMUL_EPSILON)  # (B, R)
        _exclude(scores, chunk, variants)
        best[start : start + batch] = scores.argmax(axis=1)  # the first of equal maxima
    return best


def _exclude(scores: np.ndarray, abc: np.ndarray, variants: dict[int, list[int]]) -> None:
    """Rule out the question words (and their case variants) as answers, in place.

    gensim passes over case variants of the question words among its top five answers;
    ruling them all out gives the same answer unless five of them outrank every other word.
    """
    scores[np.arange(len(abc))[:, None], abc] = -np.inf
    if variants:
        for row, words in enumerate(abc.tolist()):
            for word in words:
                if word in variants:
                    scores[row, variants[word]] = -np.inf


# ---------------------------------------------------------------------------- similarity


def similarity(
    vectors: WordVectors,
    path: str | os.PathLike = "wordsim353",
    *,
    score_column: int | None = None,
    case_insensitive: bool = True,
    restrict_vocab: int | None = None,
) -> SimilarityResult:
    """Spearman's rho and Pearson's r of a word-similarity file against cosine similarity.

    Parameters
    ----------
    vectors : WordVectors
    path : str or path-like
        A file (see :func:`read_word_pairs`) or a named benchmark (``"wordsim353"``).
    score_column : int, optional
        1-based column of the score; by default the named benchmark's, else 3.
    case_insensitive : bool
        Compare words upper-cased (gensim's ``case_insensitive=True``).
    restrict_vocab : int or None
        Only the first ``restrict_vocab`` words count as known (gensim's default is 300,000).

    Pairs with an unknown word are skipped and counted; fewer than two usable pairs raise
    :class:`BenchmarkError`.
    """
    limit = restricted(len(vectors), restrict_vocab)
    file, bench = resolve(path, "similarity")
    pairs = read_word_pairs(file, score_column or (bench.score_column if bench else 3))
    lookup = _Lookup(vectors.index_to_key[:limit], case_insensitive)
    found = [(lookup.get(w1), lookup.get(w2), score) for w1, w2, score in pairs]
    used = [(i, j, score) for i, j, score in found if i is not None and j is not None]
    if len(used) < 2:
        raise BenchmarkError(
            f"{file}: only {len(used)} of its {len(pairs)} pairs have both words in the vocabulary; "
            "a correlation needs at least 2"
        )
    first, second, gold = (np.array(column) for column in zip(*used))
    pair = [unit_rows(vectors.vectors, vectors.norms, rows) for rows in (first, second)]  # (P, D) each: no (V, D) copy
    model = np.einsum("ij,ij->i", *pair)  # (P,) cosine similarities
    spearman, pearson = _correlations(gold.astype(np.float64), model.astype(np.float64))
    return SimilarityResult(str(file), spearman, pearson, len(used), len(pairs) - len(used))


def _correlations(gold: np.ndarray, model: np.ndarray) -> tuple[float, float]:
    """Spearman's rho and Pearson's r (scipy); NaN when either side is constant."""
    from scipy import stats  # imported when used: it slows every command's start

    if np.ptp(gold) == 0 or np.ptp(model) == 0:
        return math.nan, math.nan
    return float(stats.spearmanr(gold, model)[0]), float(stats.pearsonr(gold, model)[0])
