"""Exact counts in bounded memory (w2v.text.counting): runs spilled to disk, merged one partition at a time."""

import numpy as np
import pytest

from w2v.text.counting import PairCounter, SpilledRuns, partition_order
from w2v.text.prepared import id_blocks


def test_spilled_runs_give_back_each_partition_of_every_run(tmp_path):
    runs = SpilledRuns(tmp_path / "spill", 4)
    rng = np.random.default_rng(0)
    written = []
    for _ in range(3):
        partition = rng.integers(0, 4, size=50)
        values = rng.integers(0, 1000, size=50)
        order, bounds = partition_order(partition, 4)
        runs.write(values=(values[order], bounds))
        written.append((partition, values))
    for p in range(4):
        got = [run["values"] for run in runs.partition(p)]
        assert [g.tolist() for g in got] == [values[partition == p].tolist() for partition, values in written]


@pytest.mark.parametrize("budget", [1 << 30, 1 << 14])  # the table grows; the table spills to disk
def test_bigram_counts_are_exact_when_the_table_grows_or_spills(tmp_path, budget):
    rng = np.random.default_rng(4)
    ids = rng.integers(1, 600, size=300_000).astype(np.int32)
    ids[rng.random(ids.size) < 0.05] = 0  # line breaks
    stream = tmp_path / "stream.int32"
    ids.tofile(stream)
    eligible = np.ones(600, dtype=bool)
    eligible[rng.integers(1, 600, size=50)] = False
    counter = PairCounter(tmp_path / "spill", budget)
    keys, counts = counter.count(id_blocks(stream), eligible, 2)
    left, right = ids[:-1].astype(np.int64), ids[1:].astype(np.int64)
    real = (left > 0) & (right > 0) & eligible[left] & eligible[right]
    expected, expected_counts = np.unique(left[real] << 32 | right[real], return_counts=True)
    order = np.argsort(keys)
    np.testing.assert_array_equal(keys[order], expected[expected_counts >= 2])
    np.testing.assert_array_equal(counts[order], expected_counts[expected_counts >= 2])
    assert counter.spilled == (budget < 1 << 20)
    if not counter.spilled:
        assert counter.keys.size > 1 << 16  # grown from its first size
