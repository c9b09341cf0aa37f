"""Training time of two checkouts of w2v, alternating runs so that both see the same machine load.

Each run is ``python -m w2v train CORPUS`` as its own process with ``PYTHONPATH`` pointing at
one checkout's ``src``; it reports the whole process's wall-clock and CPU seconds (user +
system, from ``wait4``). Runs alternate A, B, A, B ... so that a noisy neighbour slows both.
Compile both checkouts' kernels once first (a run on PTB) so that no timed run compiles.

    git worktree add /tmp/w2v-old 3faeb4c
    W2V_DATA_DIR=../shared/data python bench/compare_commits.py /tmp/w2v-old/src src --repeats 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def data_dir() -> Path:
    return Path(os.environ.get("W2V_DATA_DIR", Path(__file__).parent.parent.parent / "shared" / "data"))


def run(src: str, corpus: str, model: str, epochs: int, out: Path, workers: int = 2) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one training process using the package under ``src``."""
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
    command = [sys.executable, "-m", "w2v", "train", corpus, "-o", str(out), "--model", model,
               "--epochs", str(epochs), "--workers", str(workers), "--seed", "1", "--quiet"]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{src}: {' '.join(command)} failed:\n{process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", help="the first checkout's src folder")
    parser.add_argument("b", help="the second checkout's src folder")
    parser.add_argument("--corpus", default=str(data_dir() / "corpus" / "wiki.txt"))
    parser.add_argument("--models", default="cbow,skipgram")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2,
                        help="training threads (1 leaves the other core to absorb a noisy neighbour)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model.npz"
        for src in (args.a, args.b):
            run(src, "ptb", "cbow", 1, out)
            run(src, "ptb", "skipgram", 1, out)
        print(f"{args.corpus}, {args.epochs} epoch(s), {args.workers} worker(s); whole process, alternating runs\n")
        print("| model | checkout | wall s per run | CPU s per run |")
        print("|---|---|---|---|")
        for model in args.models.split(","):
            times = {args.a: [], args.b: []}
            for _ in range(args.repeats):
                for src in (args.a, args.b):
                    times[src].append(run(src, args.corpus, model, args.epochs, out, args.workers))
            for src, runs in times.items():
                print(f"| {model} | {src} | {', '.join(f'{w:.1f}' for w, _ in runs)} | "
                      f"{', '.join(f'{c:.1f}' for _, c in runs)} |", flush=True)


if __name__ == "__main__":
    main()
