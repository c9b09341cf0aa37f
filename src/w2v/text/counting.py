"""Exact counts in bounded memory: tables spilled to disk as runs split into hash partitions.

``w2v prepare`` counts words and ``w2v phrases`` counts bigrams this way: while a table fits
its budget its counts are the answer; past it, the table is written out as a run, sorted into
hash partitions, and counting starts afresh. At the end each partition is summed over every
run on its own. The runs are memory-mapped, so only the partition being summed is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import CorpusError
from ._bigrams import EMPTY, count_pairs, partition_of, rehash
from ._tokenizer import NEWLINE, NO_ROOM, Interner
from .vocab import Pruned, select_words

_PARTITIONS = 256  # hash partitions of spilled word counts: one is summed at a time
_PARTITION_BITS = 8  # spilled bigram counts are merged 1/256 at a time
_SLOT_BYTES = 16  # a bigram table slot: an int64 key and an int64 count
_MIN_SLOTS = 1 << 10
_FIRST_SLOTS = 1 << 16  # the bigram table starts this small and doubles as it fills

DEFAULT_COUNT_MEMORY = 1 << 30  # bytes a counting table holds before it spills to disk
MAX_COUNT_MEMORY = 1 << 50  # 1 PiB, beyond any machine: a bound, so that 1e400 or inf is refused


def partition_order(partition: np.ndarray, partitions: int) -> tuple[np.ndarray, np.ndarray]:
    """How to lay records out by partition: ``order`` (n,) int64 (stable) and ``bounds`` (partitions + 1,)
    int64, where partition p's records are ``order[bounds[p]:bounds[p + 1]]``.

    ``partition`` : (n,) int, each record's partition in ``0 .. partitions - 1``.
    """
    order = np.argsort(partition, kind="stable")
    return order, np.searchsorted(partition[order], np.arange(partitions + 1))


class SpilledRuns:
    """Runs written to ``folder``, each a set of named arrays laid out by partition.

    Parameters
    ----------
    folder : Path
        Made when the first run is written; its owner removes it.
    partitions : int
    """

    def __init__(self, folder: Path, partitions: int):
        self.folder = folder
        self.partitions = partitions
        self.runs = 0
        self._names: tuple[str, ...] = ()
        self._maps: list[dict[str, tuple[np.ndarray, np.ndarray]]] = []

    def write(self, **arrays: tuple[np.ndarray, np.ndarray]) -> None:
        """Add a run: for each name, ``(values, bounds)``: the values in partition order and the (partitions + 1,)
        offsets where each partition starts among them (records and their bytes may have different bounds)."""
        self.folder.mkdir(exist_ok=True)
        for name, (values, bounds) in arrays.items():
            np.save(self.folder / f"run{self.runs}.{name}.npy", np.ascontiguousarray(values))
            np.save(self.folder / f"run{self.runs}.{name}.bounds.npy", np.asarray(bounds, dtype=np.int64))
        self._names = tuple(arrays)
        self.runs += 1

    def partition(self, p: int) -> list[dict[str, np.ndarray]]:
        """Partition ``p`` of every run: for each run, the slice of each of its arrays (read from the map)."""
        if len(self._maps) != self.runs:  # the runs are mapped once, when merging starts
            self._maps = [{name: (np.load(self.folder / f"run{k}.{name}.npy", mmap_mode="r"),
                                  np.load(self.folder / f"run{k}.{name}.bounds.npy")) for name in self._names}
                          for k in range(self.runs)]
        return [{name: np.array(values[bounds[p]:bounds[p + 1]]) for name, (values, bounds) in run.items()}
                for run in self._maps]


class WordCounter:
    """Exact word counts in bounded memory.

    While the table fits ``budget`` bytes, the interner's counts are the answer. Past it, the
    table is written out as a run, split into hash partitions, and counting starts afresh; at
    the end each partition is summed over the runs on its own, so only one partition's words
    are in memory at a time. First positions travel with the counts, so ties are broken by
    first appearance exactly as without spilling.
    """

    def __init__(self, folder: Path, budget: int):
        self.spilled_runs = SpilledRuns(folder, _PARTITIONS)
        self.budget = budget
        self.tokens_before = 0  # tokens counted by the tables already spilled
        self.total_tokens = 0

    @property
    def spilled(self) -> bool:
        return self.spilled_runs.runs > 0

    def maybe_spill(self, interner: Interner) -> Interner:
        """``interner`` while it fits the budget; else spill it and return a fresh one."""
        if interner.nbytes <= self.budget:
            return interner
        self._spill(interner)
        return Interner()

    def _spill(self, interner: Interner) -> None:
        data, starts, lengths = interner.word_bytes()
        n = len(interner)
        partition = (interner.hashes[1:n + 1] >> np.uint64(56)).astype(np.int64)  # top 8 bits: 256 partitions
        order, bounds = partition_order(partition, _PARTITIONS)
        lengths = lengths[order]
        byte_bounds = np.concatenate([[0], np.cumsum(lengths)])[bounds]
        self.spilled_runs.write(data=(_gather_bytes(data, starts[order], lengths), byte_bounds),
                                lengths=(lengths, bounds), counts=(interner.word_counts[1:][order], bounds),
                                firsts=(interner.first_positions[1:][order] + self.tokens_before, bounds))
        self.tokens_before += interner.tokens

    def finish(self, interner: Interner) -> None:
        """Account for the last table (spilled too if earlier ones were)."""
        self.total_tokens = self.tokens_before + interner.tokens
        if self.spilled and len(interner):
            self._spill(interner)

    def vocabulary(self, interner: Interner, name: str, min_count: int, max_vocab_size: int | None
                   ) -> tuple[list[str], np.ndarray, np.ndarray, Pruned]:
        """(words, counts, new_id, pruned); ``new_id`` maps the ids of the stream to be remapped to the
        vocabulary's: the provisional ids without spilling, ``vocabulary id + 1`` after it."""
        if not self.spilled:
            counts = interner.word_counts[1:]
            kept, pruned = _select(counts, None, name, min_count, max_vocab_size)
            new_id = np.full(counts.size + 1, -1, dtype=np.int32)
            new_id[kept + 1] = np.arange(kept.size, dtype=np.int32)
            return interner.words_at(kept + 1), counts[kept], new_id, pruned
        words: list[str] = []
        counts_parts, firsts_parts = [], []
        rare_types = rare_tokens = frequent_types = frequent_tokens = 0
        for merged in self._partitions():
            data, starts, lengths = merged.word_bytes()
            counts, firsts = merged.word_counts[1:], merged.first_positions[1:]
            frequent = np.flatnonzero(counts >= min_count)
            rare_types += counts.size - frequent.size
            rare_tokens += int(counts.sum() - counts[frequent].sum())
            frequent_types += frequent.size
            frequent_tokens += int(counts[frequent].sum())
            if max_vocab_size is not None and frequent.size > max_vocab_size:  # the overall top N is among these
                frequent = frequent[np.lexsort((firsts[frequent], -counts[frequent]))[:max_vocab_size]]
            raw = data.tobytes()
            words += [raw[s:s + n].decode("utf-8")
                      for s, n in zip(starts[frequent].tolist(), lengths[frequent].tolist())]
            counts_parts.append(counts[frequent])
            firsts_parts.append(firsts[frequent])
        counts, firsts = np.concatenate(counts_parts), np.concatenate(firsts_parts)
        if counts.size == 0:
            raise CorpusError(f"{name}: no word occurs at least {min_count} times; lower min_count")
        kept, _ = _select(counts, firsts, name, min_count, max_vocab_size)
        kept_tokens = int(counts[kept].sum())
        pruned = Pruned(rare_types, rare_tokens, frequent_types - kept.size, frequent_tokens - kept_tokens)
        new_id = np.arange(-1, kept.size, dtype=np.int32)  # the second pass's ids: vocabulary id + 1
        return [words[i] for i in kept], counts[kept], new_id, pruned

    def _partitions(self) -> Iterator[Interner]:
        """Each partition's words summed over every run, one partition at a time."""
        for p in range(_PARTITIONS):
            merged = Interner()
            for run in self.spilled_runs.partition(p):
                lengths = run["lengths"]
                merged.add(run["data"], np.cumsum(lengths) - lengths, lengths, run["counts"], run["firsts"])
            yield merged


class PairCounter:
    """Exact bigram counts in bounded memory.

    Counting fills an open-addressing table, doubled whenever it fills up to ``budget`` bytes;
    when it is full at that size, its bigrams are written out as a run split into hash
    partitions and counting starts afresh. At the end each partition is summed over the runs
    on its own, so only one partition's bigrams are in memory at a time.
    """

    def __init__(self, folder: Path, budget: int):
        self.spilled_runs = SpilledRuns(folder, 1 << _PARTITION_BITS)
        self.most_slots = max(_MIN_SLOTS, 1 << int(np.log2(max(budget // _SLOT_BYTES, 1))))
        self.keys = np.full(min(_FIRST_SLOTS, self.most_slots), EMPTY, dtype=np.int64)
        self.counts = np.zeros(self.keys.size, dtype=np.int64)

    @property
    def spilled(self) -> bool:
        return self.spilled_runs.runs > 0

    def count(self, blocks: Iterator[np.ndarray], eligible: np.ndarray, min_count: int
              ) -> tuple[np.ndarray, np.ndarray]:
        """(keys, counts) of the bigrams of eligible words seen at least ``min_count`` times in the stream,
        counted exactly (in no particular order)."""
        state = np.array([NEWLINE, 0], dtype=np.int64)
        for block in blocks:
            done = 0
            while done < block.size:
                done += count_pairs(block[done:], eligible, self.keys, self.counts, state)
                if done < block.size and self.keys.size < self.most_slots:
                    self._grow()
                elif done < block.size:
                    self._spill()
                    state[1] = 0
        if not self.spilled:
            kept = (self.keys != EMPTY) & (self.counts >= min_count)
            return self.keys[kept], self.counts[kept]
        self._spill()
        return self._merged(min_count)

    def _grow(self) -> None:
        keys = np.full(2 * self.keys.size, EMPTY, dtype=np.int64)
        counts = np.zeros(keys.size, dtype=np.int64)
        if rehash(self.keys, self.counts, keys, counts) == NO_ROOM:
            raise MemoryError("the bigram table did not grow")  # a bug: twice the slots hold every bigram
        self.keys, self.counts = keys, counts

    def _spill(self) -> None:
        used = self.keys != EMPTY
        keys, counts = self.keys[used], self.counts[used]
        order, bounds = partition_order(partition_of(keys, _PARTITION_BITS), 1 << _PARTITION_BITS)
        self.spilled_runs.write(keys=(keys[order], bounds), counts=(counts[order], bounds))
        self.keys.fill(EMPTY)
        self.counts.fill(0)

    def _merged(self, min_count: int) -> tuple[np.ndarray, np.ndarray]:
        """Each partition's counts summed over the runs (a sort and a segmented sum per partition), the
        bigrams seen fewer than ``min_count`` times left out."""
        keys_out, counts_out = [], []
        for p in range(1 << _PARTITION_BITS):
            runs = self.spilled_runs.partition(p)
            keys = np.concatenate([run["keys"] for run in runs])
            counts = np.concatenate([run["counts"] for run in runs])
            if keys.size == 0:
                continue
            order = np.argsort(keys, kind="stable")
            keys, counts = keys[order], counts[order]
            starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
            sums = np.add.reduceat(counts, starts)
            kept = sums >= min_count
            keys_out.append(keys[starts][kept])
            counts_out.append(sums[kept])
        return np.concatenate(keys_out), np.concatenate(counts_out)


def _gather_bytes(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The bytes ``data[starts[i]:starts[i] + lengths[i]]`` for every i, concatenated (vectorised)."""
    if lengths.size == 0:
        return np.zeros(0, dtype=np.uint8)
    ends = np.cumsum(lengths)
    index = np.arange(int(ends[-1])) - np.repeat(ends - lengths, lengths) + np.repeat(starts, lengths)
    return data[index]


def _select(counts: np.ndarray, firsts: np.ndarray | None, name: str, min_count: int, max_vocab_size: int | None
            ) -> tuple[np.ndarray, Pruned]:
    try:
        return select_words(counts, min_count=min_count, max_vocab_size=max_vocab_size, firsts=firsts)
    except CorpusError as err:
        raise CorpusError(f"{name}: {err}", options=err.options) from None
