"""Array-module helpers so the same layer code runs on NumPy and on CuPy.

Objects hold an explicit ``xp``; nothing here switches modules at import time.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np


def get_xp(array: Any) -> ModuleType:
    """The array module (numpy or cupy) that owns ``array``."""
    module = type(array).__module__
    if module.startswith("cupy"):
        import cupy

        return cupy
    return np


def to_numpy(array: Any) -> np.ndarray:
    """A NumPy copy (or the array itself) of a NumPy or CuPy array."""
    if hasattr(array, "get") and type(array).__module__.startswith("cupy"):
        return array.get()
    return np.asarray(array)


def make_rng(xp: ModuleType, seed: int | np.random.SeedSequence) -> Any:
    """A random generator living next to ``xp``'s arrays (``default_rng`` of numpy or cupy)."""
    if xp is np:
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.SeedSequence):
        seed = int(seed.generate_state(1, dtype=np.uint32)[0])
    return xp.random.default_rng(seed)


def rng_state(rng: Any) -> Any:
    """A JSON-serialisable snapshot of a generator's state (NumPy: its bit generator's dict)."""
    if isinstance(rng, np.random.Generator):
        return rng.bit_generator.state
    return {"cupy_state": to_numpy(rng.bit_generator.state()).tolist()}


def set_rng_state(rng: Any, state: Any) -> None:
    """Restore a snapshot taken by :func:`rng_state`."""
    if isinstance(rng, np.random.Generator):
        rng.bit_generator.state = state
    else:
        rng.bit_generator.set_state(state["cupy_state"])


def coalesce_rows(xp: ModuleType, rows: Any, values: Any) -> tuple[Any, Any]:
    """Sum the value rows that share a row index.

    Parameters
    ----------
    rows : (n,) int
    values : (n, D) float

    Returns
    -------
    unique_rows : (u,) int, sorted
    sums : (u, D), same dtype as ``values``; ``sums[j]`` adds every ``values[i]`` with
        ``rows[i] == unique_rows[j]``.
    """
    unique_rows, inverse = xp.unique(rows, return_inverse=True)
    inverse = inverse.reshape(-1)
    n = inverse.size
    if xp is np:
        # A sparse one-hot product: ~20x faster than np.add.at on (n, 100) blocks.
        from scipy import sparse

        onehot = sparse.csr_matrix(
            (np.ones(n, dtype=values.dtype), (inverse, np.arange(n))), shape=(unique_rows.size, n)
        )
        return unique_rows, np.asarray(onehot @ values)
    import cupyx

    sums = xp.zeros((unique_rows.size,) + values.shape[1:], dtype=values.dtype)
    cupyx.scatter_add(sums, inverse, values)
    return unique_rows, sums
