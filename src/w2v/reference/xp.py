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
