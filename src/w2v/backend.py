"""Array-module helpers so the same layer code runs on NumPy and on CuPy.

Objects hold an explicit ``xp``; nothing here switches modules at import time.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np


def gpu_problem(engine: str, *, simulated: bool = False) -> str | None:
    """Why ``engine`` cannot run on a GPU here, or None if it can.

    The reference engine needs CuPy, the fast engine Numba's CUDA target; both need a device.
    Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1) counts as a device only if ``simulated``.
    """
    if engine == "reference":
        try:
            import cupy
        except ImportError:
            return "the reference engine on a GPU needs CuPy: pip install 'w2v[gpu]'"
        try:
            if cupy.cuda.runtime.getDeviceCount() > 0:
                return None
        except Exception as err:  # no driver, no device: CuPy raises its own runtime errors
            return f"CuPy finds no usable GPU ({err})"
        return "CuPy finds no GPU"
    from numba import config

    if config.ENABLE_CUDASIM and not simulated:
        return "Numba's CUDA simulator is on (NUMBA_ENABLE_CUDASIM): no real GPU"
    from .engines.cuda import cuda_problem

    return cuda_problem()


def cupy_module() -> ModuleType:
    """CuPy, or a ConfigError saying in one line why it cannot be used."""
    from .errors import ConfigError

    problem = gpu_problem("reference")
    if problem:
        raise ConfigError(f"--device cuda: {problem}")
    import cupy

    return cupy


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


def make_rng(seed: int | np.random.SeedSequence) -> np.random.Generator:
    """The random generator of the layers and the reference engine: NumPy's, on every device.

    Random numbers are drawn on the host and moved to the device (a few thousand per batch),
    so CPU and GPU runs with one seed draw the same negatives and batches, and the state
    can be saved in a checkpoint.
    """
    return np.random.default_rng(seed)


def rng_state(rng: np.random.Generator) -> dict[str, Any]:
    """A JSON-serialisable snapshot of a generator's state."""
    return rng.bit_generator.state


def set_rng_state(rng: np.random.Generator, state: dict[str, Any]) -> None:
    """Restore a snapshot taken by :func:`rng_state`."""
    rng.bit_generator.state = state


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
