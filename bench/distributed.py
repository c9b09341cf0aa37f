"""Distributed training on one machine: 1 rank x 2 workers vs 2 ranks x 1 worker, and Spark MLlib.

Every run trains wiki.txt for 5 epochs (vector size 100, window 5, negative 5, min count 5) as
its own process(es), one after another, and is scored on the Google analogies (top 30,000
words, 3CosAdd) and WordSim-353:

- w2v, one process with 2 worker threads;
- w2v over MPI: ``mpiexec -n 2 python -m mpi4py -m w2v train ... --distributed --workers 1``
  (the ranks combine hot rows every --sync-chunks chunks, every row every --full-sync-chunks);
- Spark MLlib ``Word2Vec`` (pyspark, ``local[2]``, numPartitions 1 and 2): skip-gram with
  hierarchical softmax, its only model, so its row is not the same model as w2v's.

The ranks combine their rows by adding the ranks' changes (``--combine changes``, the
default); a row with ``--combine mean`` shows plain model averaging.

``--spark-words N`` runs the Spark rows (and w2v beside them) on a prefix of wiki.txt.
``--sweep`` adds CBOW runs of 2 and 4 ranks (4 oversubscribe the 2 cores) at several sync
periods, for the accuracy each period keeps; ``--allreduce`` times MPI_Allreduce of the rows a
sync moves, for docs/scaling.md.

    W2V_DATA_DIR=../shared/data python bench/distributed.py [--models cbow,skipgram] [--sweep] [--allreduce]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or "mpiexec"
ALPHA = {"cbow": 0.05, "skipgram": 0.025}
SPARK = """
import sys, time
from pyspark.sql import SparkSession
from pyspark.sql.functions import split
from pyspark.ml.feature import Word2Vec
path, out, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3])
spark = (SparkSession.builder.master("local[2]").config("spark.driver.memory", "6g")
         .config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
text = spark.read.text(path).select(split("value", " ").alias("words")).cache()
text.count()
start = time.perf_counter()
model = Word2Vec(vectorSize=100, windowSize=5, minCount=5, maxIter=5, numPartitions=partitions, seed=1,
                 inputCol="words").fit(text)
seconds = time.perf_counter() - start
rows = model.getVectors().collect()
with open(out, "w") as f:
    f.write(f"{len(rows)} 100\\n")
    for row in rows:
        f.write(row.word + " " + " ".join(f"{x:.7g}" for x in row.vector) + "\\n")
print(seconds)
spark.stop()
"""
ALLREDUCE = """
import sys, time
import numpy as np
from mpi4py import MPI
comm = MPI.COMM_WORLD
for rows, dim in [(4096, 100), (4096, 300), (67_803, 100), (67_803, 300), (1_000_000, 100)]:
    block = np.ones((rows, dim), np.float32)
    comm.Barrier()
    start = time.perf_counter()
    for _ in range(5):
        comm.Allreduce(MPI.IN_PLACE, block, op=MPI.SUM)
    seconds = (time.perf_counter() - start) / 5
    if comm.Get_rank() == 0:
        print(rows, dim, block.nbytes, seconds, flush=True)
"""


def data_dir() -> Path:
    return Path(os.environ.get("W2V_DATA_DIR", HERE.parent.parent / "shared" / "data"))


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{run.stderr[-2000:]}")
    return time.perf_counter() - start, run.stdout


def prefix(corpus: Path, words: int | None, folder: Path) -> tuple[Path, int]:
    """``corpus`` itself (words None), or its first whole lines holding about ``words`` words; and its word count."""
    if words is None:
        return corpus, sum(len(line.split()) for line in open(corpus, "rb"))
    path, count = folder / "prefix.txt", 0
    with open(corpus, "rb") as source, open(path, "wb") as target:
        for line in source:
            if count >= words:
                break
            target.write(line)
            count += len(line.split())
    return path, count


def quality(path: Path) -> tuple[float, float]:
    import w2v
    from w2v.vectors.evaluate import analogies, similarity

    wv = w2v.load(path)
    return (analogies(wv, data_dir() / "eval" / "questions-words.txt", restrict_vocab=30000).accuracy,
            similarity(wv, data_dir() / "eval" / "wordsim353.tsv").spearman)


def w2v_run(corpus: Path, model: str, out: Path, ranks: int, workers: int, epochs: int, extra=()) -> dict:
    import w2v

    command = ["-m", "w2v", "train", str(corpus), "-o", str(out), "--model", model, "--epochs", str(epochs),
               "--workers", str(workers), "--alpha", str(ALPHA[model]), "--seed", "1", "--quiet", *extra]
    if ranks:
        command = [MPIEXEC, "-n", str(ranks), sys.executable, "-m", "mpi4py", *command, "--distributed"]
    else:
        command = [sys.executable, *command]
    wall, _ = timed(command)
    log = w2v.load(out).record.log
    return {"wall": wall, "train": log.seconds, "words_s": log.words_per_second, "comm": log.communication_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="cbow,skipgram")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--spark-words", type=int, default=None,
                        help="run the Spark comparison on the first N words of wiki.txt (Spark is slow)")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--allreduce", action="store_true")
    args = parser.parse_args()
    corpus = data_dir() / "corpus" / "wiki.txt"
    print(f"wiki.txt, {args.epochs} epochs; {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}\n")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run([sys.executable, "-m", "w2v", "train", "ptb", "-o", str(out / "warm.npz"), "--epochs", "1",
                        "--quiet"], check=True, capture_output=True)  # compile the kernels untimed
        print("| run | model | whole s | training s | words/s | communication s | analogy (30k) | WS353 rho |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for model in args.models.split(","):
            for label, ranks, workers, extra in (("w2v, 1 process x 2 workers", 0, 2, ()),
                                                 ("w2v, 2 ranks x 1 worker", 2, 1, ()),
                                                 ("w2v, 2 ranks x 1 worker, --combine mean", 2, 1,
                                                  ("--combine", "mean"))):
                path = out / f"{model}-{ranks}-{len(extra)}.npz"
                run = w2v_run(corpus, model, path, ranks, workers, args.epochs, extra)
                accuracy, rho = quality(path)
                print(f"| {label} | {model} | {run['wall']:.1f} | {run['train']:.1f} | {run['words_s']:,.0f} | "
                      f"{run['comm']:.1f} | {accuracy:.1%} | {rho:.3f} |", flush=True)
        if not args.no_spark:
            spark_corpus, words = prefix(corpus, args.spark_words, out)
            label = "wiki.txt" if spark_corpus == corpus else f"the first {words:,} words of wiki.txt"
            print(f"\nSpark MLlib and, for comparison, w2v on {label}:\n")
            print("| run | model | whole s | training s | words/s | analogy (30k) | WS353 rho |")
            print("|---|---|---:|---:|---:|---:|---:|")
            for model in ("cbow", "skipgram"):
                path = out / f"slice-{model}.npz"
                run = w2v_run(spark_corpus, model, path, 0, 2, args.epochs)
                accuracy, rho = quality(path)
                print(f"| w2v, 1 process x 2 workers | {model} | {run['wall']:.1f} | {run['train']:.1f} | "
                      f"{run['words_s']:,.0f} | {accuracy:.1%} | {rho:.3f} |", flush=True)
            for partitions in (1, 2):
                path = out / f"spark-{partitions}.txt"
                wall, text = timed([sys.executable, "-c", SPARK, str(spark_corpus), str(path), str(partitions)])
                seconds = float(text.strip().splitlines()[-1])
                accuracy, rho = quality(path)
                print(f"| Spark MLlib, local[2], numPartitions {partitions} | skip-gram, hierarchical softmax | "
                      f"{wall:.1f} | {seconds:.1f} | {words * args.epochs / seconds:,.0f} | {accuracy:.1%} "
                      f"| {rho:.3f} |", flush=True)
        if args.sweep:
            print("\n| ranks | sync every (chunks) | every row every | words/s | communication s | analogy | WS353 |")
            print("|---:|---:|---:|---:|---:|---:|---:|")
            for ranks in (2, 4):
                for sync, full in ((1, 64), (2, 64), (8, 64), (32, 512)):
                    path = out / f"sweep-{ranks}-{sync}.npz"
                    run = w2v_run(corpus, "cbow", path, ranks, 1, args.epochs,
                                  ["--sync-chunks", str(sync), "--full-sync-chunks", str(full)])
                    accuracy, rho = quality(path)
                    print(f"| {ranks} | {sync} | {full} | {run['words_s']:,.0f} | {run['comm']:.1f} | "
                          f"{accuracy:.1%} | {rho:.3f} |", flush=True)
    if args.allreduce:
        print("\n| ranks | rows x dim | MB | Allreduce s | GB/s (bytes / s) |")
        print("|---:|---|---:|---:|---:|")
        for ranks in (2, 4):
            _, text = timed([MPIEXEC, "-n", str(ranks), sys.executable, "-c", ALLREDUCE])
            for line in text.strip().splitlines():
                rows, dim, size, seconds = line.split()
                print(f"| {ranks} | {int(rows):,} x {dim} | {int(size) / 1e6:.1f} | {float(seconds):.4f} | "
                      f"{int(size) / float(seconds) / 1e9:.2f} |")


if __name__ == "__main__":
    main()
