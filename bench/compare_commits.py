"""Training time of two checkouts of w2v, alternating runs so that both see the same machine load.

Each run is ``python -m w2v train CORPUS`` as its own process with ``PYTHONPATH`` pointing at
one checkout's ``src``; it reports the whole process's wall-clock and CPU seconds (user +
system, from ``wait4``). Runs alternate A, B, A, B ... so that a noisy neighbour slows both.
Compile both checkouts' kernels once first (a run on PTB) so that no timed run compiles.
``--score`` also gives each run's training seconds (from its saved log) and its analogy
accuracy and WordSim-353 Spearman as ``throughput.py`` scores them; with ``--seeds`` the
repeats use seeds 1, 2, ... instead of seed 1 each time, so that a change's effect on quality
can be told from one seed's luck (and from Hogwild's: several workers never repeat a run).

    git worktree add /tmp/w2v-old 3faeb4c
    W2V_DATA_DIR=../shared/data python bench/compare_commits.py /tmp/w2v-old/src src --repeats 3
    W2V_DATA_DIR=../shared/data python bench/compare_commits.py /tmp/w2v-old/src src --models cbow \
        --epochs 5 --repeats 4 --seeds --score
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


def run(src: str, corpus: str, model: str, epochs: int, out: Path, workers: int = 2, seed: int = 1
        ) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one training process using the package under ``src``."""
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
    command = [sys.executable, "-m", "w2v", "train", corpus, "-o", str(out), "--model", model,
               "--epochs", str(epochs), "--workers", str(workers), "--seed", str(seed), "--quiet"]
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
    parser.add_argument("--seeds", action="store_true", help="repeat r uses seed r (from 1), not seed 1")
    parser.add_argument("--score", action="store_true",
                        help="also report training seconds, analogy accuracy and WS353 of every run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model.npz"
        for src in (args.a, args.b):
            run(src, "ptb", "cbow", 1, out)
            run(src, "ptb", "skipgram", 1, out)
        seeds = list(range(1, args.repeats + 1)) if args.seeds else [1] * args.repeats
        print(f"{args.corpus}, {args.epochs} epoch(s), {args.workers} worker(s), seeds {seeds}; whole process, "
              "alternating runs\n")
        scored = " training s per run | analogy (30k) per run, mean | WS353 per run, mean |" if args.score else ""
        print(f"| model | checkout | wall s per run | CPU s per run |{scored}")
        print("|---|---|---|---|" + "---|---|---|" * args.score)
        for model in args.models.split(","):
            times: dict[str, list] = {args.a: [], args.b: []}
            for seed in seeds:
                for src in (args.a, args.b):
                    wall, cpu = run(src, args.corpus, model, args.epochs, out, args.workers, seed)
                    times[src].append((wall, cpu) + (score(out) if args.score else ()))
            for src, runs in times.items():
                line = f"| {model} | {src} | {_joined(runs, 0, '.1f')} | {_joined(runs, 1, '.1f')} |"
                if args.score:
                    line += (f" {_joined(runs, 2, '.1f')} | {_joined(runs, 3, '.1%')}, {_mean(runs, 3):.2%} | "
                             f"{_joined(runs, 4, '.3f')}, {_mean(runs, 4):.3f} |")
                print(line, flush=True)


def score(model: Path) -> tuple[float, float, float]:
    """(training seconds, analogy accuracy, WS353 Spearman) of a saved model, scored by this checkout's w2v."""
    import w2v
    from throughput import quality

    return (w2v.load(model).record.log.seconds, *quality(model))


def _joined(runs: list[tuple], column: int, spec: str) -> str:
    return ", ".join(format(run[column], spec) for run in runs)


def _mean(runs: list[tuple], column: int) -> float:
    return sum(run[column] for run in runs) / len(runs)


if __name__ == "__main__":
    main()
