"""What reading a large fastText ``.bin`` costs in memory, mapped and read, against the file's size.

    python bench/fasttext_load.py [--words 500000] [--buckets 1000000] [--dim 300]

Writes a fastText model of random float32 rows (500,000 words and 1,000,000 buckets at 300
dimensions, output matrix zeros: 2.4 GB) with ``w2v.io.fasttext.save_fasttext_bin`` into a
temporary folder under /tmp, generating its rows in chunks (the rows go through a mapped
scratch file, so generating never holds the model in memory), then loads it in a fresh
process with ``w2v.io.read_vectors(path, mmap=True)`` and with ``mmap=False`` (the file's arrays),
then with ``w2v.load`` (the word vectors composed from them, which is what a user loads), and reports
each load's peak memory: ru_maxrss (every resident page: mapped file pages too) and the peak
of anonymous resident memory (RssAnon in /proc/self/status, sampled every 5 ms), the
process's size before the load (Python, NumPy, w2v imported) shown beside them. The folder
is removed afterwards. Linux only.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

# A spawned process's ru_maxrss starts at its spawner's resident size (exec keeps the old memory's
# high-water mark), so the loading process is spawned by a bare Python, not by this one, which has
# just written gigabytes through a map (as bench/throughput.py does).
SPAWNER = ("import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))")
CHUNK_ROWS = 50_000


def generate(folder: Path, words: int, buckets: int, dim: int) -> Path:
    """A fastText model of random rows written by w2v's writer; the rows are generated a chunk at a time."""
    from w2v.io.fasttext import save_fasttext_bin
    from w2v.io.stored import StoredVectors

    rows = np.memmap(folder / "rows.f32", dtype=np.float32, mode="w+", shape=(words + buckets, dim))
    rng = np.random.default_rng(0)
    for start in range(0, len(rows), CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, len(rows))
        rows[start:stop] = rng.standard_normal((stop - start, dim), dtype=np.float32) * 0.1
    rows.flush()
    counts = np.arange(words, 0, -1, dtype=np.int64) * 10
    stored = StoredVectors(rows[:words], [f"w{i}" for i in range(words)], counts,
                           extras={"subwords": {"minn": 3, "maxn": 6, "buckets": buckets, "vectors": "own rows"}},
                           extra_arrays={"ngram_vectors": rows[words:]})
    path = folder / "model.bin"
    save_fasttext_bin(stored, path)
    del stored, rows
    (folder / "rows.f32").unlink()
    return path


def _status(*keys: str) -> dict[str, int]:
    """Fields of /proc/self/status in KiB."""
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return {key: int(fields[key].split()[0]) for key in keys}


def child(path: str, mmap: bool, how: str) -> None:
    """Load ``path`` once (``how``: "read_vectors", the file's arrays, or "w2v.load", the word vectors composed
    from them) and print what it took, as JSON."""
    import w2v
    from w2v.io import read_vectors

    before = _status("VmRSS", "RssAnon")
    peak = [before["RssAnon"]]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _status("RssAnon")["RssAnon"])
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    loaded = read_vectors(path, mmap=mmap) if how == "read_vectors" else w2v.load(path, mmap=mmap)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    after = _status("VmRSS", "RssAnon")
    peak[0] = max(peak[0], after["RssAnon"])
    print(json.dumps({"seconds": seconds, "before_rss": before["VmRSS"], "before_anon": before["RssAnon"],
                      "peak_anon": peak[0], "after_rss": after["VmRSS"], "after_anon": after["RssAnon"],
                      "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "types": sorted({type(a).__name__ for a in (loaded.vectors, *_ngram_rows(loaded))}),
                      "words": len(loaded)}))


def _ngram_rows(loaded) -> list[np.ndarray]:
    extra = getattr(loaded, "extra_arrays", None)
    return list(extra.values()) if extra is not None else [loaded.ngram_vectors]


def measure(path: Path, mmap: bool, how: str) -> dict:
    command = [sys.executable, __file__, "--child", str(path), "--how", how] + (["--mmap"] if mmap else [])
    out = subprocess.run([sys.executable, "-S", "-c", SPAWNER, *command], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"loading failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=500_000)
    parser.add_argument("--buckets", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--mmap", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--how", default="read_vectors", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.mmap, args.how)
        return
    folder = Path(tempfile.mkdtemp(prefix="w2v-fasttext-", dir="/tmp"))
    try:
        start = time.perf_counter()
        path = generate(folder, args.words, args.buckets, args.dim)
        size = path.stat().st_size
        print(f"wrote {path.name}: {args.words:,} words + {args.buckets:,} buckets at dim {args.dim}, "
              f"{size / 2**20:,.0f} MiB in {time.perf_counter() - start:.1f} s")
        print("\n| load | load s | RSS before the load MiB | peak RssAnon MiB (before) | ru_maxrss MiB | "
              "ru_maxrss / file | (ru_maxrss - RSS before) / file | arrays |")
        print("|---|---|---|---|---|---|---|---|")
        for how, mmap in [(how, mmap) for how in ("read_vectors", "w2v.load") for mmap in (True, False)]:
            m = measure(path, mmap, how)
            mib = {key: m[key] / 1024 for key in ("before_rss", "before_anon", "peak_anon", "maxrss")}
            print(f"| {how}(mmap={mmap}) | {m['seconds']:.1f} | {mib['before_rss']:,.0f} | {mib['peak_anon']:,.0f} "
                  f"({mib['before_anon']:,.0f}) | {mib['maxrss']:,.0f} | {m['maxrss'] * 1024 / size:.3f} | "
                  f"{(m['maxrss'] - m['before_rss']) * 1024 / size:.3f} | {', '.join(m['types'])} |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
