"""What the CPU engine's workers spend besides their own arithmetic: one epoch, engine only.

For each model it trains one epoch of the first ``--megabytes`` of wiki.txt (whole lines, read
into memory, not timed) with the benchmark's options, straight through ``CpuEngine`` in
blocks of 100 chunks as ``w2v train`` runs them, and prints microseconds of worker time per
example (a centre word for CBOW, a (context, centre) pair for skip-gram):

- ``1 worker``: one thread alone, the floor for the others;
- ``2 workers``: the engine as it trains;
- ``2 workers, private W_in``: each worker trains its own full copy of W_in and the engine's
  W_out: what sharing the input rows costs is the difference to ``2 workers``;
- ``2 workers, private weights``: each worker trains its own full copy of W_in and W_out
  (useless vectors, but nothing shared): what sharing rows between cores still costs is the
  difference to ``2 workers``;
- idle: the share of the two workers' time spent waiting for each other at block ends.

    W2V_DATA_DIR=../shared/data python bench/worker_costs.py [--megabytes 25] [--repeats 3]

Run it under two checkouts' ``src`` (``PYTHONPATH=/tmp/w2v-old/src``) to compare them; the
machine is shared, so repeats and alternation matter more than any one figure.
"""

from __future__ import annotations

import argparse
import inspect
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from w2v.config import TrainConfig
from w2v.fast import common, cpu
from w2v.fast._cpu_kernels import train_chunks
from w2v.fast.cpu import CpuEngine
from w2v.text.corpus import read_corpus

HERE = Path(__file__).parent
BLOCK = 100  # chunks per block: w2v train's default loss_every
_TAKES_HOT = "hot" in inspect.signature(train_chunks).parameters  # checkouts before private hot rows lack it
_TAKES_SUBWORDS = "subwords" in inspect.signature(train_chunks).parameters  # and before subwords
# no private hot rows: a merge schedule of no tiers (checkouts before merge schedules: merge every position)
_NO_HOT_ROWS = (0, 0, 0, np.zeros((0, 2), dtype=np.int64) if hasattr(cpu, "merge_schedule") else 1)


def _copy(matrix: np.ndarray) -> np.ndarray:
    """A private copy of a weight matrix, laid out as the engine lays out its own."""
    if not hasattr(common, "aligned_zeros"):  # checkouts before cache-line-aligned weights
        return matrix.copy()
    copy = common.aligned_zeros(matrix.shape)
    copy[...] = matrix
    return copy


class _Timed(CpuEngine):
    """The engine, with each worker's busy seconds counted, and (``private``) its own copy of W_in
    (``"in"``) or of W_in and W_out (``"all"``)."""

    def __init__(self, corpus, cfg, private: str = ""):
        self.busy = np.zeros(cfg.workers)
        self.private = None
        super().__init__(corpus, cfg)
        if private == "all":
            self.private = [(_copy(self.W_in), _copy(self.W_out), (_NO_HOT_ROWS,)) for _ in range(cfg.workers)]
        elif private == "in":
            hot = getattr(self, "_hot", [None] * cfg.workers)  # checkouts before private hot rows: one W_out
            self.private = [(_copy(self.W_in), getattr(self, "_out_rows", self.W_out), (rows,)) for rows in hot]

    def _train(self, chunks, alphas, worker):
        start = time.perf_counter()
        if self.private is None:
            super()._train(chunks, alphas, worker)
        else:
            setup = self.setup
            W_in, W_out, hot = self.private[worker]
            train_chunks(setup.ids, setup.offsets, setup.chunk_starts, chunks, alphas, W_in, W_out, setup.table,
                         setup.keep, None, *((None,) if _TAKES_SUBWORDS else ()), setup.options,
                         *(hot if _TAKES_HOT else ()), self.rng_states[worker],
                         self.stats[worker])
        self.busy[worker] += time.perf_counter() - start


def epoch(corpus, model: str, workers: int, private: str = "") -> tuple[float, float]:
    """(worker microseconds per example, share of worker time idle at block ends) of one epoch."""
    alpha = 0.05 if model == "cbow" else 0.025
    cfg = TrainConfig(model=model, epochs=1, workers=workers, seed=1, alpha=alpha, min_count=5, sample=1e-3)
    engine = _Timed(corpus, cfg.resolve(corpus_is_ptb=False, cores=workers, gpu_usable=False), private)
    engine.busy[:] = 0
    engine.start_epoch(0)
    examples, wall = 0, 0.0
    for first in range(0, engine.units_per_epoch, BLOCK):
        start = time.perf_counter()
        examples += engine.run(first, min(first + BLOCK, engine.units_per_epoch)).loss_count
        wall += time.perf_counter() - start
    return 1e6 * workers * wall / examples, 1 - engine.busy.sum() / (workers * wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", default="cbow,skipgram")
    args = parser.parse_args()
    data = Path(os.environ.get("W2V_DATA_DIR", HERE.parent.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as folder, open(data / "corpus" / "wiki.txt", "rb") as source:
        text = Path(folder) / "slice.txt"
        with open(text, "wb") as target:
            written = 0
            for line in source:
                if written + len(line) > args.megabytes * 10**6:
                    break
                target.write(line)
                written += len(line)
        corpus = read_corpus(text, min_count=5)
    print(f"first {args.megabytes} MB of wiki.txt ({len(corpus):,} words), one epoch, {args.repeats} repeats "
          "alternating; worker microseconds per example (idle share at block ends)\n")
    print("| model | 1 worker | 2 workers | 2 workers, private W_in | 2 workers, private weights |")
    print("|---|---|---|---|---|")
    for model in args.models.split(","):
        runs: dict[str, list[tuple[float, float]]] = {"one": [], "two": [], "in": [], "all": []}
        for _ in range(args.repeats):
            runs["one"].append(epoch(corpus, model, 1))
            runs["two"].append(epoch(corpus, model, 2))
            runs["in"].append(epoch(corpus, model, 2, private="in"))
            runs["all"].append(epoch(corpus, model, 2, private="all"))
        cells = [", ".join(f"{us:.3f} ({idle:.1%})" if name != "one" else f"{us:.3f}" for us, idle in runs[name])
                 for name in ("one", "two", "in", "all")]
        print(f"| {model} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
