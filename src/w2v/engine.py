"""Training engines: the driver (:mod:`w2v.loop`) runs any of them through :class:`Engine`.

An engine owns the weights and does the arithmetic; it never parses options or prints.
Work is cut into units (mini-batches for the reference engine, blocks of words for the
compiled ones) so the driver can report progress, record the loss and stop between units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


@dataclass
class BlockStats:
    """What running some units of an epoch produced.

    loss_sum / loss_count is the mean loss of the block; words counts corpus words processed
    (targets for the reference engine); lr is the learning rate at the end of the block.
    """

    loss_sum: float
    loss_count: int
    words: int
    lr: float


class Engine(Protocol):
    units_per_epoch: int
    unit_name: str  # what a unit is, for the loss curve's axis ("iteration", ...)

    def start_epoch(self, epoch: int) -> None:
        """Prepare epoch ``epoch`` (0-based): shuffle, shard, reset counters."""

    def run(self, start: int, stop: int) -> BlockStats:
        """Train on units ``start .. stop-1`` of the current epoch."""

    def word_vectors(self) -> np.ndarray:
        """(V, D) float32 input vectors, on the host."""

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue bit-identically (weights, optimizer, RNG)."""

    def load_state_dict(self, state: dict[str, Any]) -> None: ...
