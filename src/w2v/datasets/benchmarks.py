"""The named evaluation sets: ``google`` analogies and the word-similarity sets.

Each is looked up as ``$W2V_DATA_DIR/eval/<file>``, then in the cache, then downloaded
from a pinned commit of a public repository and checked against its sha256 (see
:mod:`w2v.datasets.fetch`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

from ..errors import BenchmarkError
from ..text.sources import text_lines
from .fetch import RemoteFile, locate

Kind = Literal["analogies", "similarity"]
Question = tuple[str, str, str, str]
MAX_LINE_BYTES = 1 << 16  # a benchmark line holds a few words


@dataclass(frozen=True)
class Benchmark:
    """A named benchmark file and how to read it (``score_column`` is 1-based).

    ``url`` and ``sha256`` name a public copy whose exact bytes are known; without them
    the file is only looked up in ``W2V_DATA_DIR``.
    """

    name: str
    kind: Kind
    relpath: str
    url: str | None = None
    sha256: str | None = None
    score_column: int = 3


def _github(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


BENCHMARKS: dict[str, Benchmark] = {
    b.name: b
    for b in [
        Benchmark(
            "google", "analogies", "eval/questions-words.txt",
            _github("tmikolov/word2vec", "20c129af10659f7c50e86e3be406df663beff438", "questions-words.txt"),
            "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
        ),
        Benchmark(
            "wordsim353", "similarity", "eval/wordsim353.tsv",
            _github("jieli4970/tfidf-skip-gram", "cc90eeb509bc87a84b5a18948a13e6c2f5518dea", "wordsim353/combined.tab"),
            "fc6bcefdde133a186ae936e5c757f2c8ae7861ce420cdc01c2e7251ff6f24fdd",
        ),
        Benchmark(  # gensim's copy of SimLex-999: word1, word2, score; two '#' lines first
            "simlex999", "similarity", "eval/simlex999.txt",
            _github("piskvorky/gensim", "57b3f68b18074a894585106bb4267031619b1350",
                    "gensim/test/test_data/simlex999.txt"),
            "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d",
        ),
        # No public copy of these was found whose bytes could be verified: W2V_DATA_DIR only.
        Benchmark("men", "similarity", "eval/men.txt"),
        Benchmark("rw", "similarity", "eval/rw.txt"),
    ]
}


def names(kind: Kind) -> list[str]:
    """The benchmark names of one kind, for help texts and messages."""
    return [name for name, b in BENCHMARKS.items() if b.kind == kind]


def resolve(source: str | os.PathLike, kind: Kind) -> tuple[Path, Benchmark | None]:
    """The file to read for ``source``: an existing path as given, else a named benchmark.

    A named benchmark is looked up in ``W2V_DATA_DIR`` and the cache, or downloaded and
    verified. Raises :class:`BenchmarkError` when ``source`` is neither a file nor a name
    of this kind, or names a benchmark that is not offline and has no verified download.
    """
    path = Path(source)
    if path.exists():
        return path, None
    bench = BENCHMARKS.get(str(source))
    if bench is None:
        raise BenchmarkError(f"{source}: no such file, and not a named benchmark ({', '.join(names(kind))})")
    if bench.kind != kind:
        raise BenchmarkError(f"{source} is a {bench.kind} benchmark, not a {kind} one ({', '.join(names(kind))})")
    if bench.url and bench.sha256:
        return locate(RemoteFile(bench.relpath, bench.url, bench.sha256)), bench
    data_dir = os.environ.get("W2V_DATA_DIR")
    offline = Path(data_dir) / bench.relpath if data_dir else None
    if offline is None or not offline.is_file():
        raise BenchmarkError(
            f"{source}: not found at $W2V_DATA_DIR/{bench.relpath} ({data_dir or 'W2V_DATA_DIR is not set'}), and "
            "w2v knows no download of it with a verified checksum; put the file there or pass its path"
        )
    return offline, bench


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of a UTF-8 file; :class:`BenchmarkError` names a bad line."""
    try:
        with open(path, "rb") as handle:
            for number, raw in text_lines(handle, str(path), limit=MAX_LINE_BYTES, error=BenchmarkError):
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
