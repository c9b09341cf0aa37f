"""Google analogy set: seconds for w2v's evaluation vs gensim's, on the same 70,000-word vectors.

The vocabulary is the 70,000 most frequent words of ``$W2V_DATA_DIR/corpus/wiki.txt``
(frequency order, as a trained model has it); the vectors are random (seeded), which
costs the same to evaluate as trained ones. Both sides also have to agree on every
section's counts. gensim's timing suffers most when other jobs share the cores (one
multi-threaded matrix-vector product per question); ``OPENBLAS_NUM_THREADS=1`` gives a
steadier single-core comparison.

    W2V_DATA_DIR=../shared/data python bench/evaluate_speed.py [--dim 100] [--restrict 30000,70000]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np
from gensim.models import KeyedVectors

from w2v import WordVectors, read_corpus
from w2v.datasets.benchmarks import resolve
from w2v.vectors import evaluate

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            return next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def best_of(repeat: int, make_args, function, **kwargs):
    """(result, fewest seconds) over ``repeat`` calls, each on fresh objects from ``make_args()``.

    Fresh objects make each side normalise its vectors inside the timing, every time.
    """
    times = []
    for _ in range(repeat):
        args = make_args()
        start = time.perf_counter()
        result = function(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return result, min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=70000, help="vocabulary size")
    parser.add_argument("--dim", type=int, default=100, help="vector size")
    parser.add_argument("--restrict", default="30000,70000", help="restrict_vocab values to time")
    parser.add_argument("--repeat", type=int, default=3, help="timings per case; the fastest is shown")
    args = parser.parse_args()

    corpus_path = os.path.join(os.environ.get("W2V_DATA_DIR", "."), "corpus", "wiki.txt")
    words = read_corpus(corpus_path, min_count=1, max_vocab_size=args.words).vocab.words
    vectors = np.random.default_rng(0).standard_normal((len(words), args.dim)).astype(np.float32)
    questions = str(resolve("google", "analogies")[0])
    print(f"{len(words):,} words x {args.dim} dimensions from {corpus_path}; {questions}; "
          f"fastest of {args.repeat} runs")
    threads = [f"{name}={os.environ[name]}" for name in _THREAD_VARIABLES if name in os.environ]
    print(f"command: {' '.join([*threads, os.path.basename(sys.executable), *sys.argv])}")
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, numpy {np.__version__}\n")

    def w2v_args():
        return WordVectors(vectors, words), questions

    def gensim_args():
        kv = KeyedVectors(args.dim)
        kv.add_vectors(words, vectors)
        return (kv,)

    rows = []
    for restrict in map(int, args.restrict.split(",")):
        result, ours_s = best_of(args.repeat, w2v_args, evaluate.analogies, restrict_vocab=restrict)
        _, cosmul_s = best_of(args.repeat, w2v_args, evaluate.analogies, restrict_vocab=restrict, method="3cosmul")
        (_, sections), gensim_s = best_of(args.repeat, gensim_args, KeyedVectors.evaluate_word_analogies,
                                          analogies=questions, restrict_vocab=restrict)
        gensim_counts = [(s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
                         for s in sections[:-1]]
        if gensim_counts != [(s.section, s.correct, s.total) for s in result.sections]:
            raise SystemExit(f"restrict_vocab={restrict}: w2v and gensim disagree")
        rows.append((restrict, result.total, ours_s, cosmul_s, gensim_s))

    print("| restrict_vocab | questions answered | w2v 3CosAdd (s) | w2v 3CosMul (s) | gensim 3CosAdd (s) | speed-up |")
    print("|---:|---:|---:|---:|---:|---:|")
    for restrict, answered, ours_s, cosmul_s, gensim_s in rows:
        print(f"| {restrict:,} | {answered:,} | {ours_s:.2f} | {cosmul_s:.2f} | {gensim_s:.1f} "
              f"| **{gensim_s / ours_s:.0f}x** |")


if __name__ == "__main__":
    main()
