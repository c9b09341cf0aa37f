"""The GPU engine against the CPU engine on every core and gensim, one run on a GPU machine.

    python bench/prepare_wiki_slice.py         # on this machine: bench/data/wiki40.txt (40 MB)
    python bench/gpu.py [--corpus bench/data/wiki40.txt] [--epochs 5]   # on the GPU machine

Trains CBOW and skip-gram at vector sizes 100 and 300 (window 5, negative 5, sample 1e-3,
word2vec.c's alphas) with: the GPU engine (``--device cuda``), the fast CPU engine with all
cores, and gensim with as many workers (skipped, and said so, when gensim is not installed).
For each: training words/s, analogy accuracy on questions-words.txt (top 30,000 words,
3CosAdd; the file is looked up in $W2V_DATA_DIR/eval or bench/data), and for the GPU the
achieved memory bandwidth against the device's measured copy bandwidth.

The bandwidth model counts, per centre word, a read and a write of every row it touches:
(window + 1) context rows on average (the dynamic window) plus 1 + negative output rows,
each vector_size float32.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

import w2v
from w2v.vectors.evaluate import analogies

HERE = Path(__file__).parent
ALPHA = {"cbow": 0.05, "skipgram": 0.025}
ROWS_PER_CENTRE_WORD = (5 + 1) + (1 + 5)  # average dynamic-window context, then the word and 5 negatives


def questions() -> Path:
    folders = [Path(os.environ["W2V_DATA_DIR"])] if os.environ.get("W2V_DATA_DIR") else []
    for folder in folders + [HERE / "data"]:
        if (folder / "eval" / "questions-words.txt").is_file():
            return folder / "eval" / "questions-words.txt"
    raise SystemExit("questions-words.txt not found: set W2V_DATA_DIR or run bench/prepare_wiki_slice.py")


def copy_bandwidth(mebibytes: int) -> float:
    """Device-to-device copy bandwidth in bytes/s (a read and a write per byte copied)."""
    from numba import cuda

    n = mebibytes * 2**18  # float32 values
    src, dst = cuda.device_array(n, np.float32), cuda.device_array(n, np.float32)
    dst.copy_to_device(src)
    cuda.synchronize()
    start = time.perf_counter()
    for _ in range(10):
        dst.copy_to_device(src)
    cuda.synchronize()
    return 2 * 4 * n * 10 / (time.perf_counter() - start)


def run_w2v(corpus, model: str, dim: int, device: str, workers: int, epochs: int) -> dict:
    wv = w2v.train(corpus, model=model, vector_size=dim, window=5, negative=5, sample=1e-3, epochs=epochs,
                   alpha=ALPHA[model], device=device, workers=workers, seed=1)
    log = wv.record.log
    return {"vectors": wv, "seconds": log.seconds, "words": log.words, "loss": log.final_loss}


def run_gensim(path: Path, model: str, dim: int, workers: int, epochs: int) -> dict | str:
    try:
        from gensim.models import Word2Vec
    except ImportError:
        return "gensim is not installed on this machine"
    trainer = Word2Vec(vector_size=dim, window=5, negative=5, hs=0, sample=1e-3, min_count=5, workers=workers,
                       sg=int(model == "skipgram"), alpha=ALPHA[model], min_alpha=ALPHA[model] * 1e-4, seed=1)
    trainer.build_vocab(corpus_file=str(path))
    start = time.perf_counter()
    trainer.train(corpus_file=str(path), total_words=trainer.corpus_total_words, epochs=epochs)
    seconds = time.perf_counter() - start
    kv = trainer.wv
    vectors = w2v.WordVectors(kv.vectors, list(kv.index_to_key))
    return {"vectors": vectors, "seconds": seconds, "words": trainer.corpus_total_words * epochs, "loss": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(HERE / "data" / "wiki40.txt"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dims", default="100,300")
    parser.add_argument("--models", default="cbow,skipgram")
    parser.add_argument("--copy-mib", type=int, default=1024, help="size of the copy that measures bandwidth")
    args = parser.parse_args()
    path = Path(args.corpus)
    corpus = w2v.read_corpus(path, min_count=5)
    cores = os.cpu_count() or 1
    qfile = questions()
    from numba import config, cuda

    gpu = "Numba's CUDA simulator" if config.ENABLE_CUDASIM else cuda.get_current_device().name
    bandwidth = copy_bandwidth(args.copy_mib)
    counts = corpus.vocab.counts
    kept = float((counts * corpus.vocab.keep_thresholds(1e-3) / 2**32).sum() / counts.sum())
    print(f"corpus {path.name}: {len(corpus):,} words, {len(corpus.vocab):,} in vocabulary; {args.epochs} epochs")
    print(f"GPU {gpu.decode() if isinstance(gpu, bytes) else gpu}; measured copy "
          f"bandwidth {bandwidth / 1e9:,.0f} GB/s; CPU {platform.processor() or platform.machine()}, {cores} cores\n")
    print("| model | dim | trainer | words/s | seconds | analogy (30k) | GPU bandwidth, model | of copy bandwidth |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for model in args.models.split(","):
        for dim in (int(d) for d in args.dims.split(",")):
            runs = {
                "w2v GPU": run_w2v(corpus, model, dim, "cuda", 1, args.epochs),
                f"w2v CPU, {cores} threads": run_w2v(corpus, model, dim, "cpu", cores, args.epochs),
                f"gensim, {cores} workers": run_gensim(path, model, dim, cores, args.epochs),
            }
            for name, run in runs.items():
                if isinstance(run, str):
                    print(f"| {model} | {dim} | {name} | - | - | - | - | {run} |")
                    continue
                speed = run["words"] / run["seconds"]
                accuracy = analogies(run["vectors"], qfile, restrict_vocab=30000).accuracy
                moved = achieved = ""
                if name == "w2v GPU":
                    achieved_bps = speed * kept * ROWS_PER_CENTRE_WORD * dim * 4 * 2
                    moved, achieved = f"{achieved_bps / 1e9:,.0f} GB/s", f"{achieved_bps / bandwidth:.0%}"
                print(f"| {model} | {dim} | {name} | {speed:,.0f} | {run['seconds']:.1f} | {accuracy:.1%} | "
                      f"{moved or '-'} | {achieved or '-'} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
