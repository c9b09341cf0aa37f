"""Training speed and quality: w2v (plain and batched kernels) vs gensim and fastText (and word2vec.c), one run.

Every tool trains the same corpus with the same settings (vector size 100, window 5,
negative 5, sample 1e-3, word2vec.c's alphas: CBOW 0.05, skip-gram 0.025) and the same
number of workers, each as a separate process from text file to saved vectors. fastText
(pip install fasttext-wheel; --no-fasttext leaves it out) trains without subwords
(minn=maxn=0), which makes it word2vec; with --hs it trains loss="hs". The table
gives whole-process and training seconds, training words/s (corpus tokens x epochs / training
seconds, the same numerator for every tool), peak memory, analogy accuracy on
questions-words.txt (top 30,000 words, 3CosAdd) and WordSim-353 Spearman, and each tool's
speed relative to gensim.

    W2V_DATA_DIR=../shared/data python bench/throughput.py --corpus wiki --epochs 5
    W2V_DATA_DIR=../shared/data python bench/throughput.py --corpus ptb --epochs 10 --min-count 1
    ... --word2vec /path/to/word2vec   # adds the C tool
    ... --no-fasttext                  # leaves fastText out
    ... --hs --kernels batched         # hierarchical softmax; with no negatives the kernels differ little
    ... --models cbow --seed 2         # another seed for w2v and gensim

Learning-rate schedules: w2v and word2vec.c decay alpha linearly to alpha*1e-4 over all
words of all epochs, counted over all workers; gensim's corpus_file mode decays it per
worker against the whole corpus (see gensim_train.py); fastText decays it linearly to 0 over
all words of all epochs, counted over all threads, and draws negatives from counts^0.5, not
^0.75 (see fasttext_train.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import w2v
from w2v.vectors.evaluate import analogies, similarity

HERE = Path(__file__).parent
ALPHA = {"cbow": 0.05, "skipgram": 0.025}


def data_dir() -> Path:
    return Path(os.environ.get("W2V_DATA_DIR", HERE.parent.parent / "shared" / "data"))


def corpus_path(name: str) -> Path:
    if name == "wiki":
        return data_dir() / "corpus" / "wiki.txt"
    if name == "ptb":
        return data_dir() / "ptb" / "ptb.train.txt"
    return Path(name)


# Linux starts a spawned process's ru_maxrss at the spawner's resident size (exec keeps the old
# memory's high-water mark), so each tool is spawned by a bare Python that reports the peak:
# spawned from here, every tool's peak would be at least this process's, which grows as it scores vectors.
SPAWNER = ("import os, subprocess, sys; process = subprocess.Popen(sys.argv[2:]); _, status, usage = os.wait4("
           "process.pid, 0); os.write(int(sys.argv[1]), b'%d' % usage.ru_maxrss); "
           "sys.exit(os.waitstatus_to_exitcode(status))")


def timed(command: list[str]) -> tuple[float, float, str]:
    """Run ``command``; return (wall seconds, peak resident MiB, stdout)."""
    read, write = os.pipe()
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen([sys.executable, "-S", "-c", SPAWNER, str(write)] + command, stdout=out,
                                   stderr=subprocess.PIPE, text=True, pass_fds=(write,))
        os.close(write)
        err = process.stderr.read()
        process.wait()
        wall = time.perf_counter() - start
        peak_kib = int(os.read(read, 64) or 0)
        os.close(read)
        out.seek(0)
        text = out.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err}")
    return wall, peak_kib / 1024, text


def run_w2v(corpus: Path, model: str, kernel: str, args: argparse.Namespace, out: Path) -> dict:
    output = out / f"w2v-{model}-{kernel}.npz"
    command = [sys.executable, "-m", "w2v", "train", str(corpus), "-o", str(output), "--model", model,
               "--kernel", kernel, "--epochs", str(args.epochs), "--workers", str(args.workers),
               "--min-count", str(args.min_count), "--alpha", str(ALPHA[model]), "--sample", "1e-3",
               "--window", "5", "--negative", "0" if args.hs else "5", "--vector-size", "100", "--seed", str(args.seed),
               "--quiet"]
    if args.hs:
        command.append("--hs")
    wall, peak, _ = timed(command)
    train = w2v.load(output).record.log.seconds
    return {"tool": f"w2v {kernel}", "model": model, "wall": wall, "train": train, "peak": peak, "vectors": output}


def run_python_peer(tool: str, script: str, corpus: Path, model: str, args: argparse.Namespace, out: Path) -> dict:
    """Run a peer's training script (``gensim_train.py``, ``fasttext_train.py``: the options of
    ``peer_options.py``), which prints its training seconds as the last line, in JSON."""
    output = out / f"{tool.lower()}-{model}.bin"
    command = [sys.executable, str(HERE / script), str(corpus), str(output), "--model", model,
               "--epochs", str(args.epochs), "--workers", str(args.workers), "--min-count", str(args.min_count),
               "--alpha", str(ALPHA[model]), "--seed", str(args.seed)] + (["--hs"] if args.hs else [])
    wall, peak, text = timed(command)
    train = json.loads(text.strip().splitlines()[-1])["train_seconds"]
    return {"tool": tool, "model": model, "wall": wall, "train": train, "peak": peak, "vectors": output}


def run_word2vec_c(binary: str, corpus: Path, model: str, args: argparse.Namespace, out: Path) -> dict:
    output = out / f"word2vec-{model}.bin"
    command = [binary, "-train", str(corpus), "-output", str(output), "-cbow", "1" if model == "cbow" else "0",
               "-size", "100", "-window", "5", "-negative", "0" if args.hs else "5", "-hs", str(int(args.hs)),
               "-sample", "1e-3",
               "-threads", str(args.workers), "-binary", "1", "-iter", str(args.epochs),
               "-min-count", str(args.min_count), "-alpha", str(ALPHA[model])]
    wall, peak, _ = timed(command)
    return {"tool": "word2vec.c", "model": model, "wall": wall, "train": None, "peak": peak, "vectors": output}


def quality(path: Path) -> tuple[float, float]:
    wv = w2v.load(path)
    questions = data_dir() / "eval" / "questions-words.txt"
    accuracy = analogies(wv, questions, restrict_vocab=30000).accuracy
    spearman = similarity(wv, data_dir() / "eval" / "wordsim353.tsv").spearman
    return accuracy, spearman


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="wiki", help="wiki, ptb or a path")
    parser.add_argument("--models", default="cbow,skipgram")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--word2vec", help="path to a compiled word2vec.c binary, to include it")
    parser.add_argument("--no-gensim", action="store_true")
    parser.add_argument("--no-fasttext", action="store_true", help="leave fastText out (it runs when installed)")
    parser.add_argument("--kernels", default="batched,plain", help="w2v's kernels to run (batched, plain)")
    parser.add_argument("--seed", type=int, default=1,
                        help="w2v's and gensim's seed (fastText's wheel and word2vec.c take none); several workers "
                             "still vary run to run")
    parser.add_argument("--hs", action="store_true",
                        help="every tool trains hierarchical softmax without negatives (word2vec.c -hs 1 -negative 0)")
    args = parser.parse_args()

    corpus = corpus_path(args.corpus)
    fasttext = not args.no_fasttext
    if fasttext and importlib.util.find_spec("fasttext") is None:
        print("fastText is not installed (pip install fasttext-wheel): leaving it out", file=sys.stderr)
        fasttext = False
    tokens = sum(len(line.split()) for line in open(corpus, encoding="utf-8"))
    # Compile (or load) the kernels and the tokenizer once, so no timed run pays for it.
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "warm.txt"
        text.write_text("a b c d e f g h\n" * 20)
        warm = subprocess.run([sys.executable, "-c", "import sys, w2v; [w2v.train(sys.argv[1], model=m, kernel=k, "
                               "epochs=1, min_count=1) for m in ('cbow', 'skipgram') for k in ('plain', 'batched')]",
                               str(text)], capture_output=True)
    if warm.returncode:
        raise SystemExit(warm.stderr.decode())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for model in args.models.split(","):
            runs = [run_w2v(corpus, model, kernel, args, out) for kernel in args.kernels.split(",")]
            if not args.no_gensim:
                runs.append(run_python_peer("gensim", "gensim_train.py", corpus, model, args, out))
            if fasttext:
                runs.append(run_python_peer("fastText", "fasttext_train.py", corpus, model, args, out))
            if args.word2vec:
                runs.append(run_word2vec_c(args.word2vec, corpus, model, args, out))
            for run in runs:
                run["accuracy"], run["spearman"] = quality(run["vectors"])
            rows += runs

    loss = "hierarchical softmax, no negatives" if args.hs else "negative sampling (5)"
    print(f"corpus {corpus.name}: {tokens:,} tokens; {loss}; {args.epochs} epochs, {args.workers} workers, min-count "
          f"{args.min_count}, seed {args.seed}; {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}\n")
    print("| tool | model | whole process s | training s | training words/s | peak MiB | analogy (30k) "
          "| WS353 rho | whole vs gensim | training vs gensim |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        ref = next((r for r in rows if r["tool"] == "gensim" and r["model"] == row["model"]), None)
        speed = tokens * args.epochs / row["train"] if row["train"] else None
        whole_ratio = f"{ref['wall'] / row['wall']:.2f}x" if ref else "-"
        train_ratio = f"{ref['train'] / row['train']:.2f}x" if ref and row["train"] else "-"
        print(f"| {row['tool']} | {row['model']} | {row['wall']:.1f} | "
              f"{row['train']:.1f} | {speed:,.0f} | " if row["train"] else
              f"| {row['tool']} | {row['model']} | {row['wall']:.1f} | - | - | ", end="")
        print(f"{row['peak']:.0f} | {row['accuracy']:.1%} | {row['spearman']:.3f} | {whole_ratio} | {train_ratio} |")


if __name__ == "__main__":
    main()
