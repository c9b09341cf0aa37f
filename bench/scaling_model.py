"""A scaling model for ``w2v train --distributed``: bytes per sync and expected efficiency on a cluster.

The ranks alternate computing and averaging (an average is a blocking ``Allreduce``), so a
rank's time for one full-sync period of F chunks (C words each), averaging the hot rows every
s chunks, is

    compute = F C / W                                   (W: one node's training words/s)
    comm    = (F / s - 1) T(S_hot) + T(S_full) + (F / s) T(8 bytes)

with the ring all-reduce's time for S bytes over P ranks (Patarasuk & Yuan's bandwidth-optimal
algorithm, as MPICH and Open MPI use for large messages)

    T(S) = 2 (P - 1) alpha + 2 (P - 1) / P * S * (1 / B + 1 / R)

(alpha: the network's latency; B: its bandwidth; R: the rate at which a node adds the
received pieces into its own, measured here by ``bench/distributed.py --allreduce`` on one
machine, where the network term is absent). S_hot = 2 H D' 4 bytes (W_in and W_out's H hot
rows, D' = D padded to 16 floats), S_full = 2 V D' 4. Efficiency = compute / (compute + comm);
the speed-up over one node is P x efficiency.

    python bench/scaling_model.py --words-per-second 3.7e6 --reduce-gbs 3.0 --schedule 1:auto --schedule 16:epoch
"""

from __future__ import annotations

import argparse
import math

from w2v.fast._constants import CHUNK_WORDS, ROW_ALIGN
from w2v.fast.mpi import full_sync_period

NETWORKS = {"10 Gb/s Ethernet": (10e9 / 8, 25e-6), "100 Gb/s InfiniBand": (100e9 / 8, 3e-6)}


def padded(dim: int) -> int:
    return ROW_ALIGN * math.ceil(dim / ROW_ALIGN)


def allreduce_seconds(size: float, ranks: int, bandwidth: float, latency: float, reduce_rate: float) -> float:
    """Ring all-reduce of ``size`` bytes over ``ranks`` ranks (bandwidth and reduce_rate in bytes/s)."""
    return 2 * (ranks - 1) * latency + 2 * (ranks - 1) / ranks * size * (1 / bandwidth + 1 / reduce_rate)


def efficiency(vocabulary: int, dim: int, ranks: int, network: tuple[float, float], words_per_second: float,
               reduce_rate: float, hot: int, sync: int, full: int) -> float:
    """Fraction of a rank's time spent training, for one full-sync period."""
    bandwidth, latency = network
    hot_bytes, full_bytes = 2 * min(hot, vocabulary) * padded(dim) * 4, 2 * vocabulary * padded(dim) * 4
    syncs = full / sync
    compute = full * CHUNK_WORDS / words_per_second
    comm = ((syncs - 1) * allreduce_seconds(hot_bytes, ranks, bandwidth, latency, reduce_rate)
            + allreduce_seconds(full_bytes, ranks, bandwidth, latency, reduce_rate)
            + syncs * allreduce_seconds(8, ranks, bandwidth, latency, reduce_rate))
    return compute / (compute + comm)


def schedule(text: str) -> tuple[int, int | str]:
    """"s:F": hot rows every s chunks, every row every F chunks; F "epoch": once an epoch; F "auto":
    w2v train's default, max(64, s x ceil(V / hot rows))."""
    sync, full = text.split(":")
    return int(sync), full if full in ("epoch", "auto") else int(full)


def full_period(full: int | str, sync: int, vocabulary: int, hot: int, ranks: int, corpus_words: float) -> int:
    if full == "epoch":
        return int(corpus_words / ranks / CHUNK_WORDS)
    if full == "auto":
        return full_sync_period(vocabulary, hot, sync)
    return full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words-per-second", type=float, required=True, help="one node's training words/s")
    parser.add_argument("--reduce-gbs", type=float, required=True,
                        help="on-node Allreduce rate, GB/s (bench/distributed.py --allreduce, 2 ranks)")
    parser.add_argument("--hot-rows", type=int, default=4096)
    parser.add_argument("--schedule", type=schedule, action="append",
                        help="s:F, hot rows every s chunks, every row every F chunks, 'epoch' or 'auto' (w2v train's "
                             "default); repeatable; default 1:auto")
    parser.add_argument("--corpus-words", type=float, default=3e9, help="an epoch's words, for F = epoch")
    args = parser.parse_args()
    schedules = args.schedule or [(1, "auto")]
    reduce_rate = args.reduce_gbs * 1e9
    print(f"one node: {args.words_per_second:,.0f} words/s; on-node reduction {args.reduce_gbs} GB/s; "
          f"{args.hot_rows:,} hot rows; chunks of {CHUNK_WORDS:,} words; an epoch {args.corpus_words:,.0f} words\n")
    print("| V | D | bytes per hot sync | bytes per full sync |")
    print("|---:|---:|---:|---:|")
    for vocabulary in (1_000_000, 10_000_000):
        for dim in (100, 300):
            print(f"| {vocabulary:,} | {dim} | {2 * args.hot_rows * padded(dim) * 4 / 1e6:.1f} MB | "
                  f"{2 * vocabulary * padded(dim) * 4 / 1e9:.2f} GB |")
    columns = [(ranks, sync, full) for sync, full in schedules for ranks in (8, 32)]
    print("\nExpected efficiency (speed-up over one node / P), P ranks, hot rows every s chunks, every row "
          "every F chunks:\n")
    print("| V | D | network | " + " | ".join(f"P={p}, s={s}, F={f}" for p, s, f in columns) + " |")
    print("|---:|---:|---|" + "---:|" * len(columns))
    for vocabulary in (1_000_000, 10_000_000):
        for dim in (100, 300):
            for name, network in NETWORKS.items():
                cells = [efficiency(vocabulary, dim, ranks, network, args.words_per_second, reduce_rate,
                                    args.hot_rows, sync,
                                    full_period(full, sync, vocabulary, args.hot_rows, ranks, args.corpus_words))
                         for ranks, sync, full in columns]
                print(f"| {vocabulary:,} | {dim} | {name} | " + " | ".join(f"{e:.0%}" for e in cells) + " |")


if __name__ == "__main__":
    main()
