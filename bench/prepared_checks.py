"""What checking a prepared corpus costs: ``open_corpus`` (every invariant and the fingerprint, in one
streaming pass) next to reading and hashing the same files, and to one epoch of training on it.

Prepares wiki.txt (``--copies N``: N copies of its lines, to scale) into a temporary folder, then,
in the same process and run, times each of:

- ``read``: the files read into memory once, block by block (``np.fromfile``: what any pass costs);
- ``sha256``: the files hashed with hashlib, block by block (the fingerprint alone);
- ``open_corpus``: the whole check (ids below V, counts the ids' own, offsets rising, the
  longest sentence, the fingerprint), sha256 and the tally on two threads;
- ``one epoch``: CBOW, 2 workers, on the corpus ``open_corpus`` returned.

The files are in the page cache for every row (read once before), so the rows compare the
passes' own costs, not the disk's.

    W2V_DATA_DIR=../shared/data python bench/prepared_checks.py [--copies 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import w2v
from w2v.text.prepared import open_corpus

HERE = Path(__file__).parent
BLOCK = 1 << 22


def _data() -> Path:
    return Path(os.environ.get("W2V_DATA_DIR", HERE.parent.parent / "shared" / "data")) / "corpus" / "wiki.txt"


def _read(folder: Path) -> None:
    for name, dtype in (("tokens.int32", "<i4"), ("offsets.int64", "<i8")):
        with open(folder / name, "rb") as handle:
            while np.fromfile(handle, dtype=dtype, count=BLOCK).size:
                pass


def _sha256(folder: Path) -> None:
    digest = hashlib.sha256()
    for name in ("tokens.int32", "offsets.int64"):
        with open(folder / name, "rb") as handle:
            while block := handle.read(BLOCK * 4):
                digest.update(block)


def _timed(step, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=1, help="copies of wiki.txt's lines (default 1)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each row; the median is shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=HERE) as scratch:
        folder, text = Path(scratch) / "prepared", Path(scratch) / "wiki.txt"
        with open(text, "wb") as out:
            for _ in range(args.copies):
                out.write(_data().read_bytes())
        w2v.prepare(text, folder, min_count=5 * args.copies)
        text.unlink()
        corpus = open_corpus(folder)  # compiles the checks and fills the page cache
        tokens = len(corpus)
        gigabytes = sum((folder / name).stat().st_size for name in ("tokens.int32", "offsets.int64")) / 1e9
        rows = [("read", _timed(lambda: _read(folder), args.repeats)),
                ("sha256", _timed(lambda: _sha256(folder), args.repeats)),
                ("open_corpus", _timed(lambda: open_corpus(folder), args.repeats))]
        trained = w2v.train(corpus, epochs=1, workers=2, seed=1, progress=False)
        rows.append(("one epoch (CBOW, 2 workers)", trained.record.log.seconds))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout
    print(f"commit {commit.strip()}, {platform.processor() or platform.machine()}, Python {sys.version.split()[0]}; "
          f"{tokens:,} tokens ({args.copies} x wiki.txt), {gigabytes:.2f} GB of ids and offsets")
    print("| pass | seconds | GB/s | x read |")
    print("|---|---:|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} | {gigabytes / seconds:.2f} | {seconds / rows[0][1]:.1f} |")


if __name__ == "__main__":
    main()
