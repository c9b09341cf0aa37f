"""Where a fast CPU run's memory goes: resident size after each stage of one training run.

    W2V_DATA_DIR=../shared/data python bench/memory_parts.py [--corpus wiki] [--model cbow]

Runs the stages ``w2v train`` goes through, in this process, and prints a table of the
resident set size (RSS, from /proc/self/status: anonymous memory and mapped files such as
LLVM's shared library) after each, the growth over the stage before, and the peak so far.
Linux only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path(os.environ.get("W2V_DATA_DIR", Path(__file__).parent.parent.parent / "shared" / "data"))
CORPORA = {"wiki": DATA / "corpus" / "wiki.txt", "ptb": DATA / "ptb" / "ptb.train.txt"}


def memory() -> dict[str, int]:
    """This process's VmRSS, RssAnon, RssFile and VmHWM (peak RSS), in MiB."""
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return {key: int(fields[key].split()[0]) // 1024 for key in ("VmRSS", "RssAnon", "RssFile", "VmHWM")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="wiki")
    parser.add_argument("--model", choices=["cbow", "skipgram"], default="cbow")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows = [("python, numpy", memory())]

    import numba  # noqa: F401 - what importing it costs is what is measured

    rows.append(("+ numba, llvmlite", memory()))
    import w2v
    from w2v.config import TrainConfig
    from w2v.fast.cpu import CpuEngine
    from w2v.io.mapped import is_mapped
    from w2v.text._tokenizer import first_bad_byte
    from w2v.train import load_training_corpus

    rows.append(("+ w2v and its imports", memory()))
    first_bad_byte(np.zeros(1, dtype=np.uint8))  # a small compiled function, loaded from the cache
    rows.append(("+ LLVM set up (first compiled call)", memory()))
    cfg = TrainConfig(model=args.model, epochs=1, workers=args.workers, seed=1, min_count=5).resolve(
        corpus_is_ptb=False, cores=os.cpu_count() or 1, gpu_usable=False)
    corpus = load_training_corpus(os.fspath(CORPORA[args.corpus]), cfg)  # as w2v train reads it
    vocab_words = sum(sys.getsizeof(word) for word in corpus.vocab.words) / 2**20
    held = "mapped" if is_mapped(corpus.ids) else "in memory"
    rows.append((f"+ corpus read ({corpus.ids.nbytes / 2**20:.0f} MiB of ids, {held}; {vocab_words:.0f} MiB of "
                 "vocabulary strings)", memory()))
    started = time.perf_counter()
    engine = CpuEngine(corpus, cfg)
    weights = engine.W_in.nbytes + engine.W_out.nbytes
    rows.append((f"+ engine: tables, weights ({weights / 2**20:.0f} MiB, W_out untouched), kernel", memory()))
    for start in range(0, engine.units_per_epoch, cfg.loss_every):  # the training loop's blocks
        engine.run(start, min(start + cfg.loss_every, engine.units_per_epoch))
    rows.append((f"+ one epoch ({time.perf_counter() - started:.1f} s)", memory()))
    vectors = w2v.WordVectors(engine.word_vectors(final=True), corpus.vocab.words)
    rows.append((f"+ final vectors ({vectors.vectors.nbytes / 2**20:.0f} MiB, in W_in's memory)", memory()))

    print(f"{args.corpus}, {args.model}, {args.workers} workers; python {sys.version.split()[0]}, numpy "
          f"{np.__version__}, numba {numba.__version__}\n")
    print("| stage | RSS MiB | anon | files | growth | peak so far |")
    print("|---|---:|---:|---:|---:|---:|")
    before = 0
    for stage, m in rows:
        print(f"| {stage} | {m['VmRSS']} | {m['RssAnon']} | {m['RssFile']} | {m['VmRSS'] - before:+d} | {m['VmHWM']} |")
        before = m["VmRSS"]


if __name__ == "__main__":
    main()
