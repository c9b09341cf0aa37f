"""Corpora at scale: memory and time of w2v prepare / train on a corpus 8x wiki.txt, next to gensim.

Builds (once, in bench/data/) a synthetic large corpus: 8 copies of wiki.txt's lines, each
copy shuffled with its own seed, gzip-compressed (level 1), and its decompressed text for
gensim's corpus_file mode. Then, each as its own process, one after another:

- ``w2v prepare`` of wiki.txt and of the large .gz; ``w2v train`` (CBOW, 1 epoch) of both
  prepared folders, and of wiki.txt read into memory;
- gensim: the vocabulary scan and 1 epoch with ``corpus_file`` (the decompressed large text),
  and with ``LineSentence`` on the .gz; the same on wiki.txt.

The large corpus is prepared and counted at min count 5 x copies: its counts are exactly
copies times wiki.txt's, so it keeps wiki.txt's vocabulary and the weights are the same
size in both rows, and what is left to differ is what grows with the corpus
(``--large-min-count 5`` lets the vocabulary grow too).

Memory is the peak of the process's anonymous resident memory (RssAnon, sampled every 50 ms):
pages of memory-mapped or cached files are the page cache's, which the kernel gives back under
pressure, so they are not counted; ru_maxrss (which counts them) is shown beside it.

    W2V_DATA_DIR=../shared/data python bench/corpus_scale.py [--copies 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
GENSIM = """
import json, sys, time
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence
path, mode, workers, min_count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
model = Word2Vec(vector_size=100, window=5, negative=5, hs=0, sample=1e-3, min_count=min_count, workers=workers, sg=0,
                 alpha=0.05, min_alpha=5e-6, seed=1)
source = {"corpus_file": path} if mode == "corpus_file" else {"corpus_iterable": LineSentence(path)}
start = time.perf_counter()
model.build_vocab(**source)
vocab = time.perf_counter() - start
start = time.perf_counter()
model.train(**source, total_words=model.corpus_total_words, total_examples=model.corpus_count, epochs=1)
train = time.perf_counter() - start
print(json.dumps({"vocab_seconds": vocab, "train_seconds": train, "words": model.corpus_total_words}))
"""


def data_dir() -> Path:
    return Path(os.environ.get("W2V_DATA_DIR", HERE.parent.parent / "shared" / "data"))


def large_corpus(copies: int) -> tuple[Path, Path]:
    """bench/data/wiki-xN.txt.gz and its decompressed text, built once."""
    out = HERE / "data"
    out.mkdir(exist_ok=True)
    packed, text = out / f"wiki-x{copies}.txt.gz", out / f"wiki-x{copies}.txt"
    if not packed.exists() or not text.exists():
        lines = (data_dir() / "corpus" / "wiki.txt").read_bytes().splitlines(keepends=True)
        with open(text, "wb") as plain, gzip.open(packed, "wb", compresslevel=1) as compressed:
            for copy in range(copies):
                shuffled = lines[:]
                random.Random(copy).shuffle(shuffled)
                block = b"".join(shuffled)
                plain.write(block)
                compressed.write(block)
    return packed, text


def measured(command: list[str]) -> dict:
    """Run ``command``; wall seconds, peak RssAnon MiB (sampled), ru_maxrss MiB and its stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, text=True)
        peak = [0]

        def sample() -> None:
            while process.poll() is None:
                try:
                    with open(f"/proc/{process.pid}/status") as status:
                        for line in status:
                            if line.startswith("RssAnon:"):
                                peak[0] = max(peak[0], int(line.split()[1]))
                except OSError:
                    pass
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, code, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(code)
        sampler.join()
        err = process.stderr.read()
        out.seek(0)
        text = out.read()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{err}")
    return {"wall": time.perf_counter() - start, "anon": peak[0] / 1024, "maxrss": usage.ru_maxrss / 1024,
            "stdout": text}


def w2v(*args: str) -> list[str]:
    return [sys.executable, "-m", "w2v", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-gensim", action="store_true")
    parser.add_argument("--large-min-count", type=int, default=None,
                        help="min count for the large corpus (default 5 x copies: every count is copies times "
                             "wiki.txt's, so the vocabulary is wiki.txt's at min count 5 and the weights are the "
                             "same size; 5 lets the vocabulary grow with the corpus)")
    args = parser.parse_args()
    large_min_count = str(args.large_min_count or 5 * args.copies)
    wiki = data_dir() / "corpus" / "wiki.txt"
    packed, text = large_corpus(args.copies)
    workers = str(args.workers)
    train = ["--epochs", "1", "--workers", workers, "--seed", "1", "--quiet"]
    rows = []
    with tempfile.TemporaryDirectory(dir=HERE / "data") as tmp:
        work = Path(tmp)
        subprocess.run(w2v("train", str(wiki), "-o", str(work / "warm.npz"), "--epochs", "1", "--quiet"),
                       check=True)  # compile the kernels untimed
        for name, source, min_count in (("wiki.txt", wiki, "5"), (f"wiki x{args.copies} .gz", packed, large_min_count)):
            folder = work / name.replace(" ", "-")
            run = measured(w2v("prepare", str(source), "-o", str(folder), "--min-count", min_count))
            rows.append(("w2v prepare", name, run, None))
            run = measured(w2v("train", str(folder), "-o", str(work / "m.npz"), *train))
            words = json.loads((folder / "manifest.json").read_text())["tokens"]
            rows.append(("w2v train, prepared (mapped)", name, run, words / _train_seconds(work / "m.npz")))
            if source == wiki:
                run = measured(w2v("train", str(wiki), "-o", str(work / "m.npz"), *train))
                rows.append(("w2v train, text in memory", name, run, words / _train_seconds(work / "m.npz")))
            shutil.rmtree(folder)
        if not args.no_gensim:
            for name, path, mode, min_count in (
                    ("wiki.txt", wiki, "corpus_file", "5"), ("wiki.txt", wiki, "LineSentence", "5"),
                    (f"wiki x{args.copies} (text)", text, "corpus_file", large_min_count),
                    (f"wiki x{args.copies} .gz", packed, "LineSentence", large_min_count)):
                run = measured([sys.executable, "-c", GENSIM, str(path), mode, workers, min_count])
                result = json.loads(run["stdout"].strip().splitlines()[-1])
                run["vocab"] = result["vocab_seconds"]
                rows.append((f"gensim {mode}", name, run, result["words"] / result["train_seconds"]))

    print(f"{args.copies} copies of wiki.txt; min count 5 on wiki.txt, {large_min_count} on the copies; "
          f"{args.workers} workers; CBOW, 1 epoch; {platform.machine()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}\n")
    print("| run | corpus | wall s | vocabulary scan s | training words/s | peak anonymous MiB | ru_maxrss MiB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for what, name, run, speed in rows:
        vocab = f"{run['vocab']:.1f}" if "vocab" in run else (f"{run['wall']:.1f}" if what == "w2v prepare" else "-")
        rate = f"{speed:,.0f}" if speed else "-"
        print(f"| {what} | {name} | {run['wall']:.1f} | {vocab} | {rate} | {run['anon']:.0f} | {run['maxrss']:.0f} |")


def _train_seconds(model: Path) -> float:
    import w2v as package

    return package.load(model).record.log.seconds


if __name__ == "__main__":
    main()
