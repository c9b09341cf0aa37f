"""The named evaluation sets: ``google`` analogies and the word-similarity sets.

Each is looked up as ``$W2V_DATA_DIR/eval/<file>``, then in the cache, then downloaded
from a pinned commit of a public repository and checked against its sha256 (see
:mod:`w2v.datasets.fetch`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import BenchmarkError
from .fetch import RemoteFile, locate

Kind = Literal["analogies", "similarity"]


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
