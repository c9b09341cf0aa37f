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
from pathlib import Path
from typing import Any, Iterator, Literal, Sequence

import numpy as np
from scipy import stats

from .datasets.benchmarks import resolve
from .errors import BenchmarkError
from .vectors import WordVectors

Method = Literal["3cosadd", "3cosmul"]
METHODS = ("3cosadd", "3cosmul")
COSMUL_EPSILON = 1e-3  # Levy & Goldberg (2014), section 6
MAX_BATCH = 1000  # questions scored per matrix product
MAX_SCORES = 1 << 24  # float32 scores held at once (64 MiB)

Question = tuple[str, str, str, str]


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


# ---------------------------------------------------------------------------- reading files


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of a UTF-8 file; :class:`BenchmarkError` names a bad line."""
    try:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise BenchmarkError(
                        f"{path}:{number}: not valid UTF-8 (byte {raw[err.start]:#04x} at column {err.start + 1})"
                    ) from None
                yield number, text.removeprefix("\ufeff") if number == 1 else text
    except OSError as err:
        raise BenchmarkError(f"{path}: cannot read ({err.strerror})") from None


def read_analogies(path: str | os.PathLike) -> list[tuple[str, list[Question]]]:
    """Read a ``questions-words.txt`` file: ``: section`` lines, then four words a line.

    Blank lines are ignored. Returns ``(section name, questions)`` in file order; a
    question before the first section, a line without four words, or a file without
    questions raises :class:`BenchmarkError` naming the file and line.
    """
    path = Path(path)
    sections: list[tuple[str, list[Question]]] = []
    for number, line in _lines(path):
        words = line.split()
        if not words:
            continue
        if line.startswith(":"):
            name = line[1:].strip()
            if not name:
                raise BenchmarkError(f"{path}:{number}: a ':' line without a section name")
            sections.append((name, []))
        elif len(words) != 4:
            raise BenchmarkError(
                f"{path}:{number}: expected four words 'a b c d', found {len(words)}: {line.strip()!r}"
            )
        elif not sections:
            raise BenchmarkError(f"{path}:{number}: a question before the first ': section' line")
        else:
            sections[-1][1].append((words[0], words[1], words[2], words[3]))
    if not any(questions for _, questions in sections):
        raise BenchmarkError(f"{path}: holds no analogy questions (expected ': section' lines and 'a b c d' lines)")
    return sections


def read_word_pairs(path: str | os.PathLike, score_column: int = 3) -> list[tuple[str, str, float]]:
    """Read a word-similarity file: ``word1 word2 score`` lines, as found in the wild.

    Fields are separated by tabs when a line has one, else by spaces; further columns are
    allowed and ``score_column`` (1-based) says which holds the score. Blank lines and
    ``#`` comments are ignored; the first line is skipped as a header when its score is
    not a number. Duplicate pairs are kept (each line is one human judgement), as gensim
    does. A later line with too few fields or a score that is not a finite number raises
    :class:`BenchmarkError` naming the file and line.
    """
    path = Path(path)
    if not isinstance(score_column, int) or isinstance(score_column, bool) or score_column < 3:
        raise BenchmarkError(
            f"the score column must be 3 or more (columns 1 and 2 are the words), not {score_column!r}"
        )
    pairs: list[tuple[str, str, float]] = []
    first = True
    for number, line in _lines(path):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")] if "\t" in line else line.split()
        score = _score(fields, score_column)
        if first and score is None:  # a header line
            first = False
            continue
        first = False
        if len(fields) < score_column or not fields[0] or not fields[1]:
            raise BenchmarkError(
                f"{path}:{number}: expected 'word1 word2 score' with the score in column {score_column}, "
                f"found {len(fields)} fields: {line.strip()!r}"
            )
        if score is None:
            raise BenchmarkError(
                f"{path}:{number}: the score {fields[score_column - 1]!r} (column {score_column}) "
                "is not a finite number"
            )
        pairs.append((fields[0], fields[1], score))
    if not pairs:
        raise BenchmarkError(f"{path}: holds no word pairs (expected 'word1 word2 score' lines)")
    return pairs


def _score(fields: list[str], column: int) -> float | None:
    try:
        value = float(fields[column - 1])
    except (IndexError, ValueError):
        return None
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


def _restricted(vectors: WordVectors, restrict_vocab: int | None) -> int:
    if restrict_vocab is None:
        return len(vectors)
    if not isinstance(restrict_vocab, (int, np.integer)) or isinstance(restrict_vocab, bool) or restrict_vocab < 1:
        raise ValueError(f"restrict_vocab must be a positive integer or None, not {restrict_vocab!r}")
    return min(int(restrict_vocab), len(vectors))


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
    method : {"3cosadd", "3cosmul"}
        3CosAdd: the word maximising ``cos(x, b - a + c)`` (word2vec.c, gensim).
        3CosMul: the word maximising ``cos'(x, b) cos'(x, c) / (cos'(x, a) + 0.001)`` with
        ``cos' = (1 + cos) / 2`` (Levy & Goldberg 2014).
    case_insensitive : bool
        Compare words upper-cased (gensim's ``case_insensitive=True``).

    Ties go to the first (most frequent) word, as in word2vec.c.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    limit = _restricted(vectors, restrict_vocab)
    file, _ = resolve(path, "analogies")
    sections = read_analogies(file)
    lookup = _Lookup(vectors.index_to_key[:limit], case_insensitive)
    rows, section_of, skipped = _encode(sections, lookup)
    best = _answers(vectors.unit_vectors[:limit], rows[:, :3], method, lookup.variants)
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


def _answers(unit: np.ndarray, questions: np.ndarray, method: Method, variants: dict[int, list[int]]) -> np.ndarray:
    """Row of the best answer to each question, a batch of questions per matrix product.

    Parameters
    ----------
    unit : (R, D) float32
        Unit vectors of the words searched.
    questions : (Q, 3) int64
        Rows of a, b and c (primary rows, see :class:`_Lookup`).
    variants : dict
        Case variants to exclude along with a question word.

    Returns
    -------
    (Q,) int64
    """
    width = 3 if method == "3cosmul" else 1
    batch = max(1, min(MAX_BATCH, MAX_SCORES // (width * max(len(unit), 1))))
    score = _cosmul if method == "3cosmul" else _cosadd
    best = np.empty(len(questions), dtype=np.int64)
    for start in range(0, len(questions), batch):
        chunk = questions[start : start + batch]
        scores = score(unit, chunk)  # (B, R)
        _exclude(scores, chunk, variants)
        best[start : start + batch] = scores.argmax(axis=1)  # the first of equal maxima
    return best


def _cosadd(unit: np.ndarray, abc: np.ndarray) -> np.ndarray:
    """(B, R) dot products with ``b - a + c``: the same ranking as cosine, so no normalising."""
    return (unit[abc[:, 1]] - unit[abc[:, 0]] + unit[abc[:, 2]]) @ unit.T


def _cosmul(unit: np.ndarray, abc: np.ndarray) -> np.ndarray:
    """(B, R) 3CosMul scores, cosines shifted to [0, 1] as Levy & Goldberg do.

    A batch repeats few words, so the cosines are computed once per distinct word.
    """
    words, where = np.unique(abc, return_inverse=True)
    where = where.reshape(abc.shape)
    shifted = unit[words] @ unit.T  # (U, R)
    shifted += 1
    shifted *= 0.5
    return shifted[where[:, 1]] * shifted[where[:, 2]] / (shifted[where[:, 0]] + COSMUL_EPSILON)


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
    limit = _restricted(vectors, restrict_vocab)
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
    unit = vectors.unit_vectors
    model = np.einsum("ij,ij->i", unit[first], unit[second])  # (P,) cosine similarities
    spearman, pearson = _correlations(gold.astype(np.float64), model.astype(np.float64))
    return SimilarityResult(str(file), spearman, pearson, len(used), len(pairs) - len(used))


def _correlations(gold: np.ndarray, model: np.ndarray) -> tuple[float, float]:
    """Spearman's rho and Pearson's r (scipy); NaN when either side is constant."""
    if np.ptp(gold) == 0 or np.ptp(model) == 0:
        return math.nan, math.nan
    return float(stats.spearmanr(gold, model)[0]), float(stats.pearsonr(gold, model)[0])


# ---------------------------------------------------------------------------- reports


def format_results(analogy: AnalogyResult | None, similarities: Sequence[SimilarityResult]) -> str:
    """Aligned Markdown tables of the results (they read well in a terminal too)."""
    blocks = []
    if analogy is not None:
        blocks.append("\n".join([f"Analogies: {_analogy_summary(analogy)}", "", *_analogy_table(analogy)]))
    if similarities:
        blocks.append("\n".join([f"Word similarity: {_SIMILARITY_NOTE}", "", *_similarity_table(similarities)]))
    return "\n\n".join(blocks)


def write_report(
    path: str | os.PathLike,
    analogy: AnalogyResult | None,
    similarities: Sequence[SimilarityResult],
    *,
    model: str = "",
) -> list[Path]:
    """Write a Markdown report and, with analogy results, a PNG bar chart next to it.

    The chart is ``<report stem>-analogies.png``. Both files are written atomically.
    Returns the paths written.
    """
    from .io import atomic_write
    from .plot import save_section_chart

    path = Path(path)
    charts = []
    lines = [f"# Evaluation of {model}" if model else "# Evaluation", ""]
    if analogy is not None:
        charts.append(path.with_name(f"{path.stem}-analogies.png"))
        save_section_chart(analogy, charts[0])
        lines += ["## Analogies", "", _analogy_summary(analogy), "", *_analogy_table(analogy), "",
                  f"![accuracy per section]({charts[0].name})", ""]
    if similarities:
        lines += ["## Word similarity", "", _SIMILARITY_NOTE, "", *_similarity_table(similarities), ""]
    with atomic_write(path) as handle:
        handle.write("\n".join(lines).encode("utf-8"))
    return [path, *charts]


_SIMILARITY_NOTE = "Spearman's rho and Pearson's r against cosine similarity; pairs with an unknown word are skipped."


def _percent(fraction: float | None) -> str:
    return "n/a" if fraction is None else f"{100 * fraction:.1f} %"


def _analogy_summary(result: AnalogyResult) -> str:
    asked = result.total + result.skipped
    return (
        f"{Path(result.file).name}, {result.method} over the top {result.restrict_vocab:,} words: "
        f"{_percent(result.accuracy)} right; {result.total:,} of {asked:,} questions answered "
        f"({_percent(result.coverage)}), {result.skipped:,} skipped for a word outside those"
    )


def _analogy_table(result: AnalogyResult) -> list[str]:
    rows = [[s.section, _percent(s.accuracy), f"{s.correct:,}", f"{s.total:,}", f"{s.skipped:,}"]
            for s in result.sections]
    for label, syntactic in (("all semantic", False), ("all syntactic", True)):
        group = [s for s in result.sections if s.syntactic == syntactic]
        if group:
            correct, total = sum(s.correct for s in group), sum(s.total for s in group)
            rows.append([label, _percent(_ratio(correct, total)), f"{correct:,}", f"{total:,}",
                         f"{sum(s.skipped for s in group):,}"])
    rows.append(["total", _percent(result.accuracy), f"{result.correct:,}", f"{result.total:,}", f"{result.skipped:,}"])
    return _table(["section", "accuracy", "correct", "answered", "skipped"], rows)


def _similarity_table(results: Sequence[SimilarityResult]) -> list[str]:
    rows = [[Path(r.file).name, _correlation(r.spearman), _correlation(r.pearson), f"{r.pairs:,}", f"{r.skipped:,}"]
            for r in results]
    return _table(["file", "Spearman", "Pearson", "pairs", "skipped"], rows)


def _correlation(value: float) -> str:
    return f"{value:.4f}" if math.isfinite(value) else "n/a"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Markdown table lines, padded to align; every column but the first is right-aligned."""
    widths = [max(3, *(len(row[k]) for row in [header, *rows])) for k in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join("-" * w if k == 0 else "-" * (w - 1) + ":" for k, w in enumerate(widths)) + " |"
    return [line(header), rule, *(line(row) for row in rows)]
