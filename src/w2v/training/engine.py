"""Training engines: the driver (:mod:`w2v.training.loop`) runs any of them through :class:`Engine`.

An engine owns the weights and does the arithmetic; it never parses options or prints.
Work is cut into units (mini-batches for the reference engine, blocks of words for the
compiled ones) so the driver can report progress, record the loss and stop between units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np

from ..errors import ModelFileError


@dataclass
class BlockStats:
    """What running some units of an epoch produced.

    loss_sum / loss_count is the mean loss of the block; words counts corpus words processed
    (targets for the reference engine); lr is the learning rate at the end of the block. A
    distributed engine's figures are those of all ranks together.
    """

    loss_sum: float
    loss_count: int
    words: int
    lr: float
    communication_seconds: float = 0.0  # spent averaging weights across MPI ranks


def expect_array(state: Any, key: str, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``state[key]`` if it is an array of ``dtype`` and ``shape``; else a ModelFileError saying what it is.

    Engines check every array of a checkpoint this way before it reaches a kernel.
    """
    value = state.get(key) if isinstance(state, dict) else None
    if not isinstance(value, np.ndarray) or value.dtype != np.dtype(dtype) or value.shape != shape:
        found = f"{value.dtype} of shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
        raise ModelFileError(f"the checkpoint's {key} is {found}, but this run needs {np.dtype(dtype)} of shape "
                             f"{shape} (damaged, or from another run)")
    return value


def expect_epoch(state: Any, epochs: int) -> int:
    """``state["epoch"]`` if it is an epoch of a run of ``epochs`` epochs; else a ModelFileError."""
    value = state.get("epoch") if isinstance(state, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= epochs:
        raise ModelFileError(f"the checkpoint's epoch is {value!r}, not an epoch of this {epochs}-epoch run")
    return value


@dataclass
class Start:
    """Where a continued run starts (``train(init=...)``): the model's rows, and the rows that stay fixed.

    The model's V0 words keep ids ``0 .. V0 - 1`` of the run's vocabulary; the run's other rows
    start as a fresh run's do.

    Attributes
    ----------
    W_in : (V0, D) float32
        The model's input vectors.
    W_out : (V0, D) float32 or None
        Its output vectors (None: hierarchical softmax alone, no output matrix).
    W_node : (V - 1, D) float32 or None
        Its inner-node vectors, where the run's Huffman tree is the model's; None: zeros, as a fresh run's.
    frozen_in, frozen_out : int
        Rows ``0 .. frozen_in - 1`` of W_in and ``0 .. frozen_out - 1`` of W_out never change.
    frozen_node : bool
        W_node never changes.
    """

    W_in: np.ndarray
    W_out: np.ndarray | None
    W_node: np.ndarray | None = None
    frozen_in: int = 0
    frozen_out: int = 0
    frozen_node: bool = False

    @property
    def frozen(self) -> tuple[int, int, int] | None:
        """The kernels' ``frozen``: how many leading rows of W_in, W_out and W_node never change (every one of
        W_node's if ``frozen_node``), or None when every row trains."""
        if not (self.frozen_in or self.frozen_out or self.frozen_node):
            return None
        return self.frozen_in, self.frozen_out, ALL_ROWS if self.frozen_node else 0


ALL_ROWS = 1 << 62  # a count of rows beyond any matrix's


T = TypeVar("T")


class Engine(Protocol):
    """All the driver knows of an engine (:class:`SingleProcess` gives the process questions' answers
    for engines that run in one process; :class:`w2v.fast.mpi.DistributedEngine` answers them for a job)."""

    units_per_epoch: int
    unit_name: str  # what a unit is, for the loss curve's axis ("iteration", ...)
    is_root: bool  # whether this process writes the run's files and reports (rank 0 of a distributed run)

    def describe(self) -> str | None:
        """One line on how the run is laid out across processes, for the progress output; None: nothing to add."""

    def consensus(self, value: T) -> T:
        """Rank 0's ``value`` on every process, so that all act on one decision (``value`` itself in one process)."""

    def start_epoch(self, epoch: int) -> None:
        """Prepare epoch ``epoch`` (0-based): shuffle, shard, reset counters."""

    def run(self, start: int, stop: int) -> BlockStats:
        """Train on units ``start .. stop-1`` of the current epoch."""

    def word_vectors(self, *, final: bool = False) -> np.ndarray:
        """(V, D) float32 input vectors, on the host; with subwords (V + B, D), the whole input matrix (the
        words' own rows, then the n-gram buckets'), which the driver composes into word vectors.

        ``final``: training is over and the engine is not used again, so it may hand over its
        own memory rather than copy it.
        """

    def output_weights(self, *, final: bool = False) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The (V, D) float32 ``W_out`` (None without negative sampling) and the (V - 1, D) ``W_node`` (None
        without hierarchical softmax) on the host: what continuing a model needs besides W_in. ``final``: as
        in :meth:`word_vectors`, the engine's own memory may be handed over."""

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue bit-identically (weights, optimizer, RNG)."""

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


class SingleProcess:
    """An engine that runs in one process: it is the root, has no layout to describe, and agrees with itself."""

    is_root = True

    def describe(self) -> str | None:
        return None

    def consensus(self, value: T) -> T:
        return value
