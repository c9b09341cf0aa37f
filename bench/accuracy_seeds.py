"""Analogy accuracy over many seeds: w2v against gensim, paired by seed, with standard errors.

One run's analogy accuracy moves by about half a point from seed to seed (and from run to run
with two Hogwild workers), so one or two benchmark runs cannot tell a gap of a few tenths.
This trains w2v (and gensim, unless ``--no-gensim``) once per seed with ``throughput.py``'s
options and commands (each tool its own process), scores each as it does, and prints a
table per seed, the means with their standard errors, and the mean of the paired
differences (w2v - gensim) with its standard error. Speed is not its concern: use
``throughput.py`` for that.

    W2V_DATA_DIR=../shared/data python bench/accuracy_seeds.py --model cbow --seeds 1-10
    PYTHONPATH=/tmp/w2v-old/src python bench/accuracy_seeds.py --no-gensim   # another checkout's w2v
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from throughput import corpus_path, quality, run_python_peer, run_w2v


def seed_range(text: str) -> list[int]:
    """``"1-10"`` or ``"1,4,7"`` as a list of seeds."""
    if "-" in text:
        first, last = (int(part) for part in text.split("-"))
        return list(range(first, last + 1))
    return [int(part) for part in text.split(",")]


def mean_and_error(values: list[float]) -> str:
    """The mean and its standard error, in points (values are fractions)."""
    error = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else float("nan")
    return f"{100 * statistics.mean(values):.2f} ± {100 * error:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="wiki", help="wiki, ptb or a path")
    parser.add_argument("--model", default="cbow", choices=["cbow", "skipgram"])
    parser.add_argument("--seeds", default="1-10", help="first-last, or a comma-separated list")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kernel", default="batched", choices=["batched", "plain"])
    parser.add_argument("--no-gensim", action="store_true")
    args = parser.parse_args()
    args.hs = False
    corpus = corpus_path(args.corpus)
    tools = ["w2v"] + ([] if args.no_gensim else ["gensim"])
    scores: dict[str, list[tuple[float, float]]] = {tool: [] for tool in tools}
    print(f"corpus {corpus.name}, {args.model}, {args.epochs} epochs, {args.workers} workers, "
          f"{args.kernel} kernel\n")
    print("| seed | " + " | ".join(f"{tool} analogy | {tool} WS353" for tool in tools) + " |")
    print("|---:|" + "---:|---:|" * len(tools))
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seed_range(args.seeds):
            args.seed = seed
            runs = {"w2v": run_w2v(corpus, args.model, args.kernel, args, Path(tmp))}
            if "gensim" in tools:
                runs["gensim"] = run_python_peer("gensim", "gensim_train.py", corpus, args.model, args, Path(tmp))
            cells = []
            for tool in tools:
                accuracy, spearman = quality(runs[tool]["vectors"])
                scores[tool].append((accuracy, spearman))
                cells += [f"{accuracy:.2%}", f"{spearman:.3f}"]
            print(f"| {seed} | " + " | ".join(cells) + " |", flush=True)
    print()
    for tool in tools:
        accuracy = [a for a, _ in scores[tool]]
        print(f"{tool}: analogy {mean_and_error(accuracy)} points, WS353 "
              f"{statistics.mean(s for _, s in scores[tool]):.3f} (mean of {len(accuracy)} seeds)")
    if "gensim" in tools:
        gaps = [a - b for (a, _), (b, _) in zip(scores["w2v"], scores["gensim"])]
        print(f"w2v - gensim, paired by seed: {mean_and_error(gaps)} points; w2v at or above gensim at "
              f"{sum(gap >= 0 for gap in gaps)} of {len(gaps)} seeds")


if __name__ == "__main__":
    main()
