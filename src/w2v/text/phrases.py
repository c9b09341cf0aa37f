"""Phrases: frequent bigrams joined with ``_`` (word2vec.c's ``word2phrase``, gensim's ``Phrases``).

``w2v phrases INPUT... -o OUTPUT`` (:func:`phrases`) reads the text once, then makes
``passes`` passes; each counts the words and the bigrams (two words next to each other on
a line) of what the last one wrote, and joins, left to right, every bigram ``a b`` that
scores above the threshold into the token ``a_b`` (unless ``a`` already ended a phrase
joined there). A second pass can so join ``new_york times`` into ``new_york_times``.
Running it twice with ``passes=1`` gives what one run with ``passes=2`` gives.

Scores, with ``c(a)``, ``c(b)``, ``c(ab)`` the counts in the pass's text and ``N`` its tokens:

- ``default`` (word2phrase; Mikolov et al. 2013, section 4):
  ``(c(ab) - min_count) / (c(a) c(b)) * N``, for a finite ``threshold > 0``.
- ``npmi`` (gensim's; Bouma 2009): ``ln(p(ab) / (p(a) p(b))) / -ln(p(ab))`` with ``p(x) = c(x) / N``,
  for bigrams with ``c(ab) >= min_count`` and ``-1 <= threshold < 1`` (no bigram scores above 1).

A bigram is joined when its score is strictly above the threshold. The default score's
numerator makes a bigram seen ``min_count`` times or fewer score at most 0, so both scores
ignore bigrams rarer than ``min_count``, and words rarer than that (a bigram is never more
frequent than its words), as word2vec.c and gensim do.

Where gensim's ``Phrases`` differs, and why:

- gensim's ``default`` score multiplies by the number of distinct unigrams and bigrams it
  counted (``len_vocab``), where word2phrase multiplies by the corpus size ``N``; w2v follows
  word2phrase. With ``scoring=`` a function computing word2phrase's formula (or with
  ``npmi``) gensim finds the same phrases and writes the same text.
- gensim and word2phrase count a bigram under its joined string, so the bigram ``a b`` and a
  word ``a_b`` already in the text share one count (and so do ``a_b c`` and ``a b_c``);
  w2v counts bigrams by the pair of word ids. They differ only on text that already holds ``_``.
- gensim stops counting exactly beyond ``max_vocab_size`` (40 million entries; it then
  prunes rare ones) and word2phrase beyond 350 million; w2v counts exactly in bounded
  memory by spilling partitions to disk, as ``w2v prepare`` does.
- gensim's ``connector_words`` ("bank_of_america") are not supported.

Text is split as ``str.split()`` splits it; the output has the input's lines (empty ones
too), words separated by single spaces. word2phrase splits on spaces, tabs and newlines
only, and starts every output line with a space.

Memory: the distinct words (as when training on a text file), the bigram table
(``count_memory``), and a block of the token stream, which goes through temporary files in
``OUTPUT``'s folder (4 bytes a token), removed at the end.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Sequence, get_args

import numpy as np

from ..errors import ConfigError, CorpusError, check_integer
from ..io.files import atomic_write, check_output, work_folder
from ._bigrams import flush_waiting, join_pairs, render
from ._tokenizer import NEWLINE, NO_ROOM, Interner
from .corpus import corpus_name, encode_text
from .counting import DEFAULT_COUNT_MEMORY, MAX_COUNT_MEMORY, PairCounter
from .prepared import id_blocks
from .sources import expand_inputs, read_text

Scoring = Literal["default", "npmi"]
MAX_PASSES = 16  # each pass at most doubles a phrase's words


@dataclass(frozen=True)
class PassReport:
    """One pass: its threshold, the tokens it read, the phrases that scored above the threshold
    (``found``: phrase -> score, as gensim's ``export_phrases`` gives them) and how many it joined."""

    threshold: float
    tokens: int
    found: dict[str, float]
    joined: int

    def describe(self) -> str:
        return f"{len(self.found):,} phrases scored above {self.threshold:g}, {self.joined:,} joined"


@dataclass(frozen=True)
class PhrasesReport:
    """What :func:`phrases` wrote: where, the passes, the tokens left, and whether counting spilled to disk."""

    path: str
    passes: list[PassReport] = field(default_factory=list)
    tokens: int = 0
    seconds: float = 0.0
    spilled: bool = False

    def describe(self) -> str:
        parts = "; ".join(f"pass {i}: {p.describe()}" for i, p in enumerate(self.passes, 1))
        before = self.passes[0].tokens if self.passes else self.tokens
        return (f"wrote {self.path}: {before:,} tokens became {self.tokens:,}; {parts or 'no pass run'}; "
                f"{self.seconds:.1f} s")


def phrases(
    inputs: str | os.PathLike | Sequence[str | os.PathLike],
    output: str | os.PathLike,
    *,
    min_count: int = 5,
    threshold: float | Sequence[float] = 100.0,
    scoring: Scoring = "default",
    passes: int = 2,
    count_memory: int = DEFAULT_COUNT_MEMORY,
) -> PhrasesReport:
    """Write ``inputs`` to ``output`` with their frequent bigrams joined by ``_``.

    Parameters
    ----------
    inputs : path, or a sequence of them
        Text files, ``.gz``/``.bz2``/``.xz`` files, folders of them, or ``-`` for standard input.
    output : path
        The text to write (atomically: it appears only once complete); never one of the inputs.
    min_count : int
        Words and bigrams seen fewer times are never joined (both scores), and the default
        score subtracts it from the bigram's count (word2phrase's discount).
    threshold : float, or one per pass
        Join bigrams scoring above it. word2vec.c's ``demo-phrases.sh`` uses 200, then 100.
    scoring : {"default", "npmi"}
        See the module's documentation for the formulas.
    passes : int
        Passes over the text; pass ``k`` joins what pass ``k - 1`` wrote.
    count_memory : int
        Bytes the bigram table may hold; beyond that, counts spill to disk and stay exact.

    Returns
    -------
    PhrasesReport
    """
    started = time.perf_counter()
    thresholds = _checked_options(min_count, threshold, scoring, passes, count_memory)
    items = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    sources = expand_inputs(items)
    target = check_output(output, inputs=[source.path for source in sources])
    with work_folder(target, "phrases") as work:
        stream = work / "pass0.int32"
        with open(stream, "wb") as handle:
            interner = encode_text(read_text(sources), lambda ids: ids.tofile(handle))
        if len(interner) == 0:
            raise CorpusError(f"{corpus_name(sources)}: holds no words")
        counts = interner.word_counts
        reports, spilled = [], False
        for number, pass_threshold in enumerate(thresholds, 1):
            counter = PairCounter(work / f"spill{number}", count_memory)
            keys, pair_counts = counter.count(id_blocks(stream), counts >= min_count, min_count)
            spilled = spilled or counter.spilled
            found_keys, scores = _score(keys, pair_counts, counts, min_count, scoring, pass_threshold)
            found = _phrase_ids(interner, found_keys)
            names = interner.words_at(found)
            report_found = dict(zip(names, scores.tolist()))
            if found_keys.size == 0:
                reports.append(PassReport(pass_threshold, int(counts.sum()), report_found, 0))
                break
            joined_stream = work / f"pass{number}.int32"
            new_counts = _join(stream, joined_stream, found_keys, found, len(interner) + 1)
            joined = int(counts.sum() - new_counts.sum())
            reports.append(PassReport(pass_threshold, int(counts.sum()), report_found, joined))
            stream.unlink()
            stream, counts = joined_stream, new_counts
        _write_text(stream, interner, target)
    return PhrasesReport(str(target), reports, int(counts.sum()), time.perf_counter() - started, spilled)


def _checked_options(min_count: int, threshold: float | Sequence[float], scoring: str, passes: int,
                     count_memory: int) -> list[float]:
    """The threshold of each pass; ConfigError names the first option that cannot work."""
    if scoring not in get_args(Scoring):
        raise ConfigError(f"scoring must be one of {', '.join(get_args(Scoring))}, not {scoring!r}",
                          options=("scoring",))
    for name, value, low, high in (("min_count", min_count, 1, 2**62), ("passes", passes, 1, MAX_PASSES),
                                   ("count_memory", count_memory, 1, MAX_COUNT_MEMORY)):
        check_integer(name, value, low, high, error=ConfigError)
    thresholds = [threshold] if isinstance(threshold, (int, float, np.number)) else list(threshold)
    if len(thresholds) == 1:
        thresholds *= passes
    if len(thresholds) != passes:
        raise ConfigError(f"threshold gives {len(thresholds)} values for passes={passes}: give one, or one per pass",
                          options=("threshold", "passes"))
    within, bounds = _THRESHOLDS[scoring]
    for value in thresholds:
        if not isinstance(value, (int, float, np.number)) or isinstance(value, bool) or not within(value):
            raise ConfigError(f"threshold must be {bounds}, not {value!r}", options=("threshold",))
    return [float(value) for value in thresholds]


# The thresholds some bigram can score above (a score is joined when strictly above it), by scoring.
_THRESHOLDS = {
    "default": (lambda value: 0 < value < math.inf, "a finite number above 0 for default scoring"),
    "npmi": (lambda value: -1 <= value < 1, "a number in [-1, 1) for npmi scoring (no bigram scores above 1)"),
}


def _score(keys: np.ndarray, pair_counts: np.ndarray, counts: np.ndarray, min_count: int, scoring: str,
           threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The bigrams (seen at least ``min_count`` times) that score above ``threshold``: their keys, sorted,
    (P,) int64, and scores, (P,) float64."""
    together = pair_counts.astype(np.float64)
    left = counts[keys >> 32].astype(np.float64)
    right = counts[keys & 0xFFFFFFFF].astype(np.float64)
    total = float(counts.sum())
    if scoring == "default":
        scores = (together - min_count) / (left * right) * total
    else:
        joint = together / total
        with np.errstate(divide="ignore"):
            scores = np.log(joint / ((left / total) * (right / total))) / -np.log(joint)
    above = scores > threshold
    order = np.argsort(keys[above])
    return keys[above][order], scores[above][order]


def _phrase_ids(interner: Interner, keys: np.ndarray) -> np.ndarray:
    """(P,) int32 the ids of the phrases ``keys`` (added to ``interner``; a phrase already in the text as
    a word, ``new_york`` say, gets that word's id)."""
    if keys.size == 0:
        return np.zeros(0, dtype=np.int32)
    arena, starts, lengths = interner.word_bytes()
    data = arena.tobytes()
    left, right = (keys >> 32).tolist(), (keys & 0xFFFFFFFF).tolist()
    starts, lengths = np.concatenate([[0], starts]).tolist(), np.concatenate([[0], lengths]).tolist()
    text = b" ".join(data[starts[a]:starts[a] + lengths[a]] + b"_" + data[starts[b]:starts[b] + lengths[b]]
                     for a, b in zip(left, right))
    ids = interner.encode(text)
    if ids.size != keys.size:
        raise MemoryError("a phrase did not become one token")  # a bug: words hold no whitespace
    return ids.astype(np.int32)


def _join(source: Path, target: Path, keys: np.ndarray, ids: np.ndarray, size: int) -> np.ndarray:
    """Write ``source``'s stream to ``target`` with the phrases joined; the counts of what was written, (size,)."""
    counts = np.zeros(size, dtype=np.int64)
    state = np.array([-1], dtype=np.int64)
    with open(target, "wb") as handle:
        for block in id_blocks(source):
            out = np.empty(block.size + 1, dtype=np.int32)
            written = join_pairs(block, keys, ids, out, counts, state)
            if written == NO_ROOM:
                raise MemoryError("join_pairs ran out of room")  # a bug: a block never grows
            out[:written].tofile(handle)
        out = np.empty(1, dtype=np.int32)
        out[:flush_waiting(out, counts, state)].tofile(handle)
    counts[NEWLINE] = 0
    return counts


def _write_text(stream: Path, interner: Interner, target: Path) -> None:
    """The stream as text, written atomically to ``target``."""
    arena, starts, lengths = interner.word_bytes()
    starts, lengths = np.concatenate([[0], starts]), np.concatenate([[0], lengths])  # id 0: the line break
    state = np.zeros(1, dtype=np.int64)
    with atomic_write(target) as handle:
        for block in id_blocks(stream):
            out = np.empty(int(lengths[block].sum()) + block.size, dtype=np.uint8)
            written = render(block, arena, starts, lengths, out, state)
            if written == NO_ROOM:
                raise MemoryError("render ran out of room")  # a bug: out holds every word and separator
            handle.write(out[:written].tobytes())

