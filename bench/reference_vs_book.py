"""Reference trainer vs the book's algorithm: seconds per iteration on PTB, in one run.

Both train the same model with the book's settings (window 5, hidden 100, batch 100,
Adam lr 0.001, 5 negatives) on the same shuffled PTB batches. The book's step is
re-implemented naively in ``book_naive.py``; ours is ``w2v.reference.engine`` with lazy
(row-sparse) Adam and with the book's dense Adam.

    W2V_DATA_DIR=../shared/data python bench/reference_vs_book.py [--book-iters 60] [--iters 1500]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import book_naive  # noqa: E402
from w2v.config import TrainConfig  # noqa: E402
from w2v.datasets import ptb  # noqa: E402
from w2v.reference.engine import ReferenceEngine  # noqa: E402


def time_book(model_name: str, corpus, iters: int) -> float:
    from w2v.reference.engine import contexts_target

    contexts, target = contexts_target(corpus, 5)
    np.random.seed(0)  # noqa: NPY002 (the book's code draws from the global generator)
    rng = np.random.default_rng(0)
    cls = book_naive.CBOW if model_name == "cbow" else book_naive.SkipGram
    model = cls(len(corpus.vocab), 100, 5, corpus.vocab.counts, rng)
    optimizer = book_naive.Adam(0.001)
    order = rng.permutation(target.size)
    book_naive.train_step(model, optimizer, contexts[order[:100]], target[order[:100]])  # warm-up
    start = time.perf_counter()
    for it in range(1, iters + 1):
        batch = order[it * 100 : (it + 1) * 100]
        book_naive.train_step(model, optimizer, contexts[batch], target[batch])
    return (time.perf_counter() - start) / iters


def time_reference(model_name: str, optimizer: str, corpus, iters: int) -> float:
    cfg = TrainConfig(model=model_name, optimizer=optimizer, seed=0)
    cfg = cfg.resolve(corpus_is_ptb=True, cores=1, gpu_usable=False)
    engine = ReferenceEngine(corpus, cfg)
    engine.start_epoch(0)
    engine.run(0, 20)  # warm-up
    start = time.perf_counter()
    engine.run(20, 20 + iters)
    return (time.perf_counter() - start) / iters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book-iters", type=int, default=60, help="iterations timed for the book's code")
    parser.add_argument("--iters", type=int, default=1500, help="iterations timed for the reference trainer")
    parser.add_argument("--models", default="cbow,skipgram")
    args = parser.parse_args()

    corpus = ptb.load("train", order="book")  # the book's ids, as its code is fed
    iters_per_epoch = (len(corpus) - 10) // 100
    print(f"PTB train: {len(corpus):,} words, {iters_per_epoch:,} iterations per epoch (batch 100)")
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"numpy {np.__version__}\n")
    rows = []
    for model_name in args.models.split(","):
        book = time_book(model_name, corpus, args.book_iters)
        for optimizer in ("lazy-adam", "adam"):
            ours = time_reference(model_name, optimizer, corpus, args.iters)
            rows.append((model_name, optimizer, book, ours))
    print("| model | our optimizer | book s/iter | ours s/iter | book s/epoch | ours s/epoch | speed-up |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for model_name, optimizer, book, ours in rows:
        print(f"| {model_name} | {optimizer} | {book:.4f} | {ours:.5f} | {book * iters_per_epoch:,.0f} | "
              f"{ours * iters_per_epoch:,.1f} | **{book / ours:.1f}x** |")


if __name__ == "__main__":
    main()
