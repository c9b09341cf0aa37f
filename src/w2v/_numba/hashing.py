"""Hash formulas shared by compiled code of several folders, written once in plain Python.

Compiled with ``njit(inline="always")`` for the CPU (the bigram table of ``w2v phrases``) and
``cuda.jit(device=True)`` for the GPU (its counter-based random numbers).
"""

from __future__ import annotations

import numpy as np


def splitmix64(h):
    """splitmix64's finaliser of a uint64: every bit of the input moves every bit of the output."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))
