"""Approximate against exact neighbours: recall@10 and time per query, w2v's index (and hnswlib's, to choose).

    OPENBLAS_NUM_THREADS=1 python bench/ann.py --words 100000 --dim 100 [--hnswlib] [--model vectors.npz]

Without ``--model`` the vectors are generated: ``words / 100`` Gaussian cluster centres, each
word a centre plus Gaussian noise of the same scale (clustered as trained vectors are, unlike
uniform noise, where no index beats brute force). Each of ``--queries`` words asks for its 10
nearest others, exactly (``most_similar``: one matrix product) and approximately
(``most_similar(..., approximate=True)``), one query at a time on one thread (BLAS's threads
are pinned to one by the environment line above, so both sides use one core); recall@10 is
the share of the exact ten the approximate search returns.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from w2v import WordVectors, load
from w2v.vectors import neighbours


def generated(words: int, dim: int, seed: int) -> WordVectors:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(words // 100, 1), dim), dtype=np.float32)
    vectors = centres[rng.integers(0, len(centres), words)]
    vectors += rng.standard_normal((words, dim), dtype=np.float32)
    return WordVectors(vectors, [f"w{i}" for i in range(words)])


def timed(queries: list[str], ask) -> tuple[list[set[str]], float]:
    ask(queries[0])  # compiled and warm
    start = time.perf_counter()
    answers = [{word for word, _ in ask(query)} for query in queries]
    return answers, (time.perf_counter() - start) / len(queries)


def recall(approximate: list[set[str]], exact: list[set[str]]) -> float:
    return float(np.mean([len(a & e) / len(e) for a, e in zip(approximate, exact)]))


def hnswlib_rows(wv: WordVectors, queries: list[str], exact: list[set[str]], efs: list[int]) -> list[dict]:
    import hnswlib

    index = hnswlib.Index(space="cosine", dim=wv.vector_size)
    start = time.perf_counter()
    index.init_index(max_elements=len(wv), M=16, ef_construction=200, random_seed=1)
    index.add_items(wv.vectors, np.arange(len(wv)))
    build = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        index.save_index(os.path.join(folder, "h.bin"))
        size = os.path.getsize(os.path.join(folder, "h.bin"))
    rows = []
    for ef in efs:
        index.set_ef(ef)

        def ask(word: str) -> list[tuple[str, float]]:
            labels, _ = index.knn_query(wv[word], k=11)
            return [(wv.index_to_key[row], 0.0) for row in labels[0].tolist() if wv.index_to_key[row] != word][:10]

        answers, seconds = timed(queries, ask)
        rows.append({"library": "hnswlib M=16 efC=200", "ef": ef, "build_s": round(build, 1), "index_bytes": size,
                     "recall@10": round(recall(answers, exact), 4), "query_ms": round(seconds * 1e3, 3)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--model", help="a vectors file instead of generated vectors")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ef", default="32,64,128", help="beam widths to measure")
    parser.add_argument("--hnswlib", action="store_true", help="measure hnswlib's index as well")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    efs = [int(ef) for ef in args.ef.split(",")]
    wv = load(args.model, mmap=args.model.endswith(".npz")) if args.model else generated(args.words, args.dim,
                                                                                          args.seed)
    rng = np.random.default_rng(args.seed)
    queries = [wv.index_to_key[row] for row in rng.choice(len(wv), min(args.queries, len(wv)), replace=False)]
    exact, exact_seconds = timed(queries, lambda word: wv.most_similar(word, topn=10))
    start = time.perf_counter()
    index = wv.build_index()
    build = time.perf_counter() - start
    rows = [{"library": "exact (one matrix product)", "query_ms": round(exact_seconds * 1e3, 3)}]
    for ef in efs:
        neighbours.EF = ef
        answers, seconds = timed(queries, lambda word: wv.most_similar(word, topn=10, approximate=True))
        rows.append({"library": "w2v (pynndescent graph)", "ef": ef, "build_s": round(build, 1),
                     "index_bytes": index.nbytes,
                     "recall@10": round(recall(answers, exact), 4), "query_ms": round(seconds * 1e3, 3),
                     "speedup": round(exact_seconds / seconds, 1)})
    if args.hnswlib:
        rows += hnswlib_rows(wv, queries, exact, efs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"vectors": args.model or f"generated {args.words} x {args.dim}", "words": len(wv),
                      "dim": wv.vector_size, "queries": len(queries), "peak_rss_mib": round(peak),
                      "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"), "rows": rows}, indent=1))
    print(f"| {Path(sys.argv[0]).name} | {len(wv):,} x {wv.vector_size} |", file=sys.stderr)


if __name__ == "__main__":
    main()
