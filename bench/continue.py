"""Continuing a model on new text: w2v's continued runs against a model trained from scratch and gensim's update.

wiki.txt is cut in two halves (by lines). Model A is trained on half 1; then

- (a) A continued on half 2 (``w2v.train(half2, init=A)``);
- (b) A continued on half 2 with ``freeze=("old",)``;
- (c) a model on both halves from scratch, with the epochs of A and (a) together;
- (d) gensim: A's settings on half 1, then ``build_vocab(update=True)`` + ``train`` on half 2.

Each is scored alike: Google analogies (top 30,000 words, 3CosAdd), WS353 (Spearman), the new
words' coverage (the words of half 2 reaching min_count there that A lacks: the share that got a
vector) and how far A's words moved (mean cosine of each to its A vector, after rotating the
model into A's space on the shared words: ``w2v.vectors.align``). One process; CBOW, 2 workers.

    W2V_DATA_DIR=../shared/data python bench/continue.py
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

import w2v
from w2v.vectors import evaluate
from w2v.vectors.align import align
from w2v.vectors.word_vectors import WordVectors


def halves(corpus: Path, folder: Path) -> tuple[Path, Path, Path]:
    lines = corpus.read_bytes().splitlines(keepends=True)
    middle = len(lines) // 2
    paths = folder / "half1.txt", folder / "half2.txt", folder / "both.txt"
    for path, part in zip(paths, (lines[:middle], lines[middle:], lines)):
        path.write_bytes(b"".join(part))
    return paths


def new_words(half2: Path, old: WordVectors, min_count: int) -> list[str]:
    counts: dict[str, int] = {}
    with open(half2, encoding="utf-8") as handle:
        for line in handle:
            for word in line.split():
                counts[word] = counts.get(word, 0) + 1
    return [w for w, c in counts.items() if c >= min_count and w not in old.key_to_index]


def scores(wv: WordVectors, base: WordVectors, fresh: list[str]) -> dict[str, float]:
    shared = [w for w in base.index_to_key if w in wv.key_to_index]
    aligned = align(base, wv)
    before = base.vectors[[base.key_to_index[w] for w in shared]]
    after = aligned.vectors[[aligned.key_to_index[w] for w in shared]]
    cos = np.einsum("ij,ij->i", before, after) / (np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1))
    return {"analogy": 100 * evaluate.analogies(wv, "google").accuracy,
            "ws353": evaluate.similarity(wv, "wordsim353").spearman,
            "new_words_covered": 100 * np.mean([w in wv.key_to_index for w in fresh]) if fresh else float("nan"),
            "old_moved_cosine": float(cos.mean()), "words": len(wv)}


def gensim_update(half1: Path, half2: Path, args: argparse.Namespace) -> tuple[WordVectors, WordVectors, float]:
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    started = time.perf_counter()
    model = Word2Vec(LineSentence(str(half1)), vector_size=100, window=5, negative=5, sg=0, min_count=args.min_count,
                     sample=1e-3, alpha=0.05, workers=2, epochs=args.epochs, seed=1)
    first = WordVectors(model.wv.vectors.copy(), list(model.wv.index_to_key))
    model.build_vocab(LineSentence(str(half2)), update=True)
    model.train(LineSentence(str(half2)), total_examples=model.corpus_count, epochs=args.epochs)
    seconds = time.perf_counter() - started
    return first, WordVectors(model.wv.vectors, list(model.wv.index_to_key)), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=os.path.join(os.environ.get("W2V_DATA_DIR", "../shared/data"),
                                                         "corpus", "wiki.txt"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--no-gensim", action="store_true")
    args = parser.parse_args()
    options = dict(model="cbow", epochs=args.epochs, min_count=args.min_count, workers=2, seed=1)
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        half1, half2, both = halves(Path(args.corpus), Path(folder))
        timed = {}
        started = time.perf_counter()
        A = w2v.train(str(half1), **options)
        timed["A"] = time.perf_counter() - started
        fresh = new_words(half2, A, args.min_count)
        runs = {"(a) A continued on half 2": dict(init=A),
                "(b) A continued, freeze old": dict(init=A, freeze=("old",)),
                "(c) both halves from scratch": {}}
        for name, extra in runs.items():
            started = time.perf_counter()
            corpus = str(both) if name.startswith("(c)") else str(half2)
            wv = w2v.train(corpus, **{**options, **extra})
            timed[name] = time.perf_counter() - started
            rows[name] = scores(wv, A, fresh)
        rows["A (half 1)"] = scores(A, A, fresh)
        if not args.no_gensim:
            first, updated, seconds = gensim_update(half1, half2, args)
            timed["(d) gensim update"] = seconds
            rows["(d) gensim build_vocab(update=True)"] = scores(updated, first, new_words(half2, first,
                                                                                          args.min_count))
    print(json.dumps({"rows": rows, "seconds": timed, "new_words": len(fresh)}, indent=1))
    print("| run | analogy % | WS353 rho | new words covered % | old words: mean cosine to A (aligned) | words |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['analogy']:.1f} | {r['ws353']:.3f} | {r['new_words_covered']:.1f} | "
              f"{r['old_moved_cosine']:.3f} | {r['words']:,} |")


if __name__ == "__main__":
    main()
