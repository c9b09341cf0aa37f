"""Borrowed (reference-count-free) array views for compiled loops: w2v._numba.borrowed."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from numba import njit

from w2v._numba.borrowed import borrowed, keep_alive

ROOT = Path(__file__).parent.parent


@njit
def _scaled_through_view(matrix, factor):
    view = borrowed(matrix)
    for i in range(view.shape[0]):
        for j in range(view.shape[1]):
            view[i, j] *= factor
    return view.shape[0], view.shape[1], view.strides[0], view.strides[1]


@njit
def _sum_of_scratch(n):
    owners = (np.arange(n), np.ones((2, n)))
    counts, ones = borrowed(*owners)  # several arrays: a tuple of views
    total = 0.0
    for i in range(n):
        total += counts[i] * ones[1, i]
    keep_alive(owners)
    return total


def test_a_borrowed_view_is_the_same_array():
    matrix = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert _scaled_through_view(matrix, np.float32(2)) == (3, 4, 16, 4)
    np.testing.assert_array_equal(matrix, 2 * np.arange(12, dtype=np.float32).reshape(3, 4))


def test_a_borrowed_view_of_a_strided_array_keeps_its_strides():
    matrix = np.arange(24, dtype=np.float64).reshape(4, 6)[::2, 1::2]
    expected = 3 * matrix
    assert _scaled_through_view(matrix, 3.0) == (2, 3, matrix.strides[0], matrix.strides[1])
    np.testing.assert_array_equal(matrix, expected)


def test_scratch_kept_alive_is_read_correctly():
    for n in (1, 100, 10_000):
        assert _sum_of_scratch(n) == n * (n - 1) / 2


def test_scratch_kept_alive_is_freed_once():
    # NRT's allocation counters are switched on only when Numba starts, so in a child process
    code = """if True:
        from numba.core.runtime import rtsys
        from tests.test_borrowed import _sum_of_scratch
        _sum_of_scratch(3)  # compiled before counting
        before = rtsys.get_allocation_stats()
        for n in (1, 100, 10_000):
            _sum_of_scratch(n)
        after = rtsys.get_allocation_stats()
        print(after.alloc - before.alloc, after.free - before.free, after.mi_alloc - before.mi_alloc,
              after.mi_free - before.mi_free)
    """
    env = dict(os.environ, NUMBA_NRT_STATS="1", PYTHONPATH=os.pathsep.join([str(ROOT)] + sys.path))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["6", "6", "6", "6"]  # two scratch arrays per call, each freed once
