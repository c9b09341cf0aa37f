"""Subword vectors: w2v, fastText and gensim's FastText on the same corpus, in the same run.

Each tool trains as its own process (CBOW and skip-gram, character n-grams of 3 to 6 in 2,000,000
buckets, 100 dimensions, window 5, 5 negatives, min count 5, 5 epochs, 2 threads; each tool's
own learning rate and subsampling defaults), whose wall time and peak resident memory
(``ru_maxrss`` from ``wait4``) are measured whole. The child writes the vocabulary's vectors and
the vectors it gives the evaluation sets' words outside its vocabulary; this process then scores
all three the same way:

- analogies: the Google set, the 30,000 most frequent words searched (3CosAdd, as gensim's
  ``evaluate_word_analogies``), semantic and syntactic sections apart;
- similarity: Spearman's rho on WordSim-353 and, where ``$W2V_DATA_DIR/eval/rw.txt`` exists,
  the Stanford rare-word set, every pair scored whose two words have a vector (the subword
  models give words outside the vocabulary one);
- OOV coverage: the share of those sets' words outside the vocabulary that get a vector.

    W2V_DATA_DIR=../shared/data python bench/subwords.py [--models cbow skipgram] [--tools w2v fasttext gensim]
        [--seeds 1 2 3]

With several ``--seeds`` every tool trains once per seed (w2v and gensim take it; fastText's Python
API does not, and with 2 threads no tool repeats a run exactly) and a mean row follows each tool's runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
SETTINGS = dict(dim=100, window=5, negative=5, min_count=5, epochs=5, threads=2, minn=3, maxn=6, buckets=2_000_000)


def data_dir() -> Path:
    return Path(os.environ.get("W2V_DATA_DIR", HERE.parent.parent / "shared" / "data"))


def similarity_sets() -> dict[str, Path]:
    sets = {"ws353": data_dir() / "eval" / "wordsim353.tsv", "rw": data_dir() / "eval" / "rw.txt"}
    return {name: path for name, path in sets.items() if path.is_file()}


def pairs(path: Path) -> list[tuple[str, str, float]]:
    """The (word, word, score) lines of a similarity file (tab or space separated; a header line skipped)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.replace("\t", " ").split()
        try:
            rows.append((fields[0], fields[1], float(fields[2])))
        except (IndexError, ValueError):
            continue
    return rows


def evaluation_words() -> list[str]:
    return sorted({word for path in similarity_sets().values() for a, b, _ in pairs(path) for word in (a, b)})


# ---------------------------------------------------------------------- the children


def train_w2v(model: str, corpus: str, out: Path, seed: int, buckets: int = SETTINGS["buckets"]) -> None:
    import w2v

    s = SETTINGS
    wv = w2v.train(corpus, model=model, vector_size=s["dim"], window=s["window"], negative=s["negative"],
                   min_count=s["min_count"], epochs=s["epochs"], workers=s["threads"],
                   subwords=(s["minn"], s["maxn"]), buckets=buckets, seed=seed)
    outside = wv.oov_vectors(evaluation_words())
    _write(out, wv.index_to_key, wv.vectors, outside)


def train_fasttext(model: str, corpus: str, out: Path, seed: int) -> None:
    """fastText's Python API takes no seed in unsupervised mode (it is always 0): its runs differ only through
    its two threads' timing, so ``seed`` just counts the runs."""
    import fasttext

    s = SETTINGS
    ft = fasttext.train_unsupervised(corpus, model=model, dim=s["dim"], ws=s["window"], neg=s["negative"],
                                     minCount=s["min_count"], epoch=s["epochs"], thread=s["threads"], minn=s["minn"],
                                     maxn=s["maxn"], bucket=s["buckets"], verbose=0)
    words = [word for word in ft.words if word != "</s>"]
    vocab = set(words)
    outside = {word: ft.get_word_vector(word) for word in evaluation_words() if word not in vocab}
    _write(out, words, np.array([ft.get_word_vector(word) for word in words]), outside)


def train_gensim(model: str, corpus: str, out: Path, seed: int) -> None:
    from gensim.models import FastText

    s = SETTINGS
    ft = FastText(vector_size=s["dim"], window=s["window"], negative=s["negative"], min_count=s["min_count"],
                  workers=s["threads"], sg=int(model == "skipgram"), min_n=s["minn"], max_n=s["maxn"],
                  bucket=s["buckets"], seed=seed)
    ft.build_vocab(corpus_file=corpus)
    ft.train(corpus_file=corpus, total_words=ft.corpus_total_words, epochs=s["epochs"])
    vocab = set(ft.wv.index_to_key)
    outside = {word: ft.wv[word] for word in evaluation_words() if word not in vocab}
    _write(out, ft.wv.index_to_key, ft.wv.vectors, outside)


def _write(out: Path, words: list[str], vectors: np.ndarray, outside: dict[str, np.ndarray]) -> None:
    np.savez(out, words=np.array(words), vectors=np.asarray(vectors, dtype=np.float32),
             outside_words=np.array(list(outside), dtype=str),
             outside=np.array(list(outside.values()), dtype=np.float32).reshape(len(outside), SETTINGS["dim"]))


def train_w2v_compact(model: str, corpus: str, out: Path, seed: int) -> None:
    """w2v with a tenth of the buckets (200,000): the compact option, a tenth of the n-gram rows' memory."""
    train_w2v(model, corpus, out, seed, buckets=SETTINGS["buckets"] // 10)


TRAINERS = {"w2v": train_w2v, "fasttext": train_fasttext, "gensim": train_gensim, "w2v-compact": train_w2v_compact}


# ---------------------------------------------------------------------- scoring


def scores(path: Path) -> dict[str, float | None]:
    from scipy.stats import spearmanr

    import w2v
    from w2v.vectors.evaluate import analogies

    with np.load(path) as saved:
        words, vectors = saved["words"].tolist(), saved["vectors"]
        outside = dict(zip(saved["outside_words"].tolist(), saved["outside"]))
    wv = w2v.WordVectors(vectors, words)
    result = analogies(wv, data_dir() / "eval" / "questions-words.txt", restrict_vocab=30000, method="3cosadd")
    row = {"semantic": result.semantic, "syntactic": result.syntactic, "analogy": result.accuracy}
    unseen = covered = 0
    for name, set_path in similarity_sets().items():
        gold, model = [], []
        for a, b, score in pairs(set_path):
            va, vb = (wv[word] if word in wv else outside.get(word) for word in (a, b))
            if va is not None and vb is not None:
                gold.append(score)
                model.append(float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb) or 1)))
        row[name] = float(spearmanr(gold, model).statistic) if len(gold) > 2 else None
        row[f"{name} pairs"] = len(gold)
        for word in {w for a, b, _ in pairs(set_path) for w in (a, b)}:
            if word not in wv:
                unseen += 1
                covered += word in outside
    row["oov coverage"] = covered / unseen if unseen else None
    return row


def run_child(tool: str, model: str, corpus: str, out: Path, seed: int) -> tuple[float, float]:
    """(wall seconds, peak resident MiB) of one training process."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--child", tool, model, corpus, str(out), str(seed)])
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"{tool} {model} failed (status {status})")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(data_dir() / "corpus" / "wiki.txt"))
    parser.add_argument("--models", nargs="+", default=["cbow", "skipgram"])
    parser.add_argument("--tools", nargs="+", default=["w2v", "fasttext", "gensim"], choices=list(TRAINERS),
                        help="w2v-compact: w2v with 200,000 buckets")
    parser.add_argument("--seeds", nargs="+", type=int, default=[1])
    parser.add_argument("--child", nargs=5, metavar=("TOOL", "MODEL", "CORPUS", "OUT", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, model, corpus, out, seed = args.child
        TRAINERS[tool](model, corpus, Path(out), int(seed))
        return
    import fasttext

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout
    print(f"commit {commit.strip()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}, fasttext from {Path(fasttext.__file__).parent}; {SETTINGS}")
    columns = ["semantic", "syntactic", "analogy", *similarity_sets(), "oov coverage"]
    print("| model | tool | seed | wall s | x slowest | peak MiB | " + " | ".join(columns) + " |")
    print("|---|---|---:|---:|---:|---:|" + "---:|" * len(columns))
    with tempfile.TemporaryDirectory(dir=HERE) as scratch:
        for model in args.models:
            runs: dict[str, list[tuple[float, float, dict]]] = {tool: [] for tool in args.tools}
            for seed in args.seeds:
                for tool in args.tools:
                    out = Path(scratch) / f"{tool}-{model}.npz"
                    seconds, peak = run_child(tool, model, args.corpus, out, seed)
                    runs[tool].append((seconds, peak, scores(out)))
            slowest = max(np.mean([seconds for seconds, _, _ in tool_runs]) for tool_runs in runs.values())
            for tool, tool_runs in runs.items():
                shown = list(zip(map(str, args.seeds), tool_runs))
                if len(tool_runs) > 1:
                    shown.append(("mean", _mean_run(tool_runs, columns)))
                for seed, (seconds, peak, row) in shown:
                    values = " | ".join("n/a" if row[c] is None else f"{row[c]:.3f}" for c in columns)
                    print(f"| {model} | {tool} | {seed} | {seconds:.1f} | {slowest / seconds:.1f} | {peak:,.0f} | "
                          f"{values} |", flush=True)
    print(json.dumps({"settings": SETTINGS}))


def _mean_run(runs: list[tuple[float, float, dict]], columns: list[str]) -> tuple[float, float, dict]:
    """One tool's runs over several seeds as one: mean time, the highest peak, mean scores."""
    row = {c: None if any(r[c] is None for _, _, r in runs) else float(np.mean([r[c] for _, _, r in runs]))
           for c in columns}
    return float(np.mean([s for s, _, _ in runs])), max(p for _, p, _ in runs), row


if __name__ == "__main__":
    main()
