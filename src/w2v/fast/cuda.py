"""The GPU engine: the fast algorithm in CUDA kernels (:mod:`w2v.fast._cuda_kernels`).

The corpus, the pieces table, the noise table and both weight matrices live on the device
for the whole run; a block of units (chunks, as on the CPU) is one kernel launch, which gets
each piece's learning rate from the host and sends back three numbers of statistics.
Randomness is a hash of the seed and the position, so there is no random state to save.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..config import TrainConfig
from ..io.mapped import release
from ..text.corpus import Corpus
from ..training.engine import BlockStats, SingleProcess, Start, expect_array, expect_epoch
from ._constants import PIECE_TOKENS, WARP
from .common import FastSetup, hot_rows

MAX_BLOCKS = 65_535  # grid size per launch; blocks loop over the pieces beyond it
SUBWORD_BLOCKS = 4_096  # with subwords: each block has (2, 2 window, D) floats of scratch


def piece_table(offsets: np.ndarray, piece_tokens: int = PIECE_TOKENS) -> np.ndarray:
    """Cut every sentence into pieces of at most ``piece_tokens`` centre positions.

    Returns
    -------
    (P, 4) int64: [start, end, sentence start, sentence end], sentence after sentence.
    """
    starts, ends = offsets[:-1], offsets[1:]
    counts = -(-(ends - starts) // piece_tokens)
    sentence = np.repeat(np.arange(starts.size), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    piece_start = starts[sentence] + (np.arange(counts.sum()) - first) * piece_tokens
    piece_end = np.minimum(piece_start + piece_tokens, ends[sentence])
    return np.stack([piece_start, piece_end, starts[sentence], ends[sentence]]).T.astype(np.int64)


class CudaEngine(SingleProcess):
    """Trains ``cfg.model`` on ``corpus`` with the CUDA kernels (batched updates only).

    Whether CUDA can run at all is checked before the corpus is read (``devices.require_gpu``).
    """

    unit_name = "chunk"
    rng_states = None  # its random numbers are hashes of the position (RankEngine)

    def __init__(self, corpus: Corpus, cfg: TrainConfig, start: Start | None = None):
        from numba import cuda

        from ._cuda_kernels import train_pieces

        self.setup = setup = FastSetup.build(corpus, cfg, gpu=True, start=start)
        self.cfg = cfg
        self._kernel = train_pieces
        self.units_per_epoch = setup.units_per_epoch
        self.pieces = piece_table(setup.offsets)
        # The pieces of chunk c are those of its sentences: pieces are listed sentence by sentence.
        piece_of_sentence = np.searchsorted(self.pieces[:, 0], setup.offsets[:-1])
        self.chunk_pieces = np.append(piece_of_sentence, self.pieces.shape[0])[setup.chunk_starts]
        W_in, W_out, W_node = setup.initial_weights()
        setup.continue_from(W_in, W_out, W_node)
        self.W_in = cuda.to_device(W_in)
        self.W_out = cuda.to_device(W_out)
        self.W_node = cuda.to_device(W_node)
        self.tree = tuple(cuda.to_device(a) for a in (setup.tree.codes, setup.tree.points, setup.tree.lengths))
        offsets, rows = setup.subwords or (np.zeros(0, np.int64), np.zeros(0, np.int32))
        blocks = SUBWORD_BLOCKS if offsets.size else 0
        self.subwords = (cuda.to_device(offsets), cuda.to_device(rows),
                         cuda.device_array((blocks, 2, 2 * cfg.window, W_in.shape[1]), dtype=np.float32))
        self.d_ids = cuda.to_device(setup.ids)
        release(setup.ids, 0, setup.ids.size)  # the device holds the corpus now
        self.d_pieces = cuda.to_device(self.pieces)
        self.table = cuda.to_device(setup.table)
        self.keep = cuda.to_device(setup.keep)
        self.stats = cuda.to_device(np.zeros(3, dtype=np.float64))
        self.seed = setup.counter_seed()
        self.epoch = 0

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def run(self, start: int, stop: int) -> BlockStats:
        return self.train_range(start, stop, lambda positions: self.setup.alpha_at(self.epoch, positions))

    def train_range(self, start: int, stop: int, alpha_of: Callable[[np.ndarray], np.ndarray]) -> BlockStats:
        """Train chunks ``start .. stop - 1`` of the epoch; ``alpha_of`` gives the learning rate at
        word positions of the epoch (each piece's start)."""
        cfg, setup = self.cfg, self.setup
        first, last = int(self.chunk_pieces[start]), int(self.chunk_pieces[stop])
        self.stats.copy_to_device(np.zeros(3, dtype=np.float64))
        if last > first:
            alphas = alpha_of(self.pieces[first:last, 0])
            grid = min(last - first, MAX_BLOCKS)
            options = (cfg.window, cfg.negative, setup.variant, bool(cfg.shrink_windows), cfg.cbow_mean)
            if self.subwords[0].size:
                grid = min(grid, SUBWORD_BLOCKS)  # each block builds its context's vectors in its own scratch
            self._kernel[grid, WARP](self.d_ids, self.d_pieces, alphas, first, last - first, self.W_in, self.W_out,
                                     (self.W_node, *self.tree), self.subwords, self.table, self.keep, options,
                                     self.seed, self.epoch, self.stats)
        loss, examples, words = self.stats.copy_to_host()
        alpha = alpha_of(setup.chunk_position[stop : stop + 1])[0]
        return BlockStats(float(loss), int(examples), int(words), float(alpha))

    def word_vectors(self, *, final: bool = False) -> np.ndarray:  # always a copy: the weights live on the GPU
        return self.W_in.copy_to_host()

    def output_weights(self, *, final: bool = False) -> tuple[np.ndarray | None, np.ndarray | None]:
        return (self.W_out.copy_to_host() if self.cfg.negative else None,
                self.W_node.copy_to_host() if self.cfg.hs else None)

    def reduce_rows(self, hot: int | None, reduce: Callable[[int, slice, np.ndarray], None]) -> None:
        """Call ``reduce(k, rows, block)`` on a host copy of matrix k's ``hot`` most used ``rows``
        (None: all; see :func:`~w2v.fast.common.hot_rows`), then copy the block back."""
        for k, (matrix, rows) in enumerate(zip((self.W_in, self.W_out, self.W_node), hot_rows(hot))):
            if matrix.shape[0] == 0:
                continue
            host = np.ascontiguousarray(matrix[rows].copy_to_host())
            reduce(k, rows, host)
            matrix[rows].copy_to_device(host)

    def state_dict(self) -> dict[str, Any]:
        """The weight matrices (the random numbers are a function of the seed and position)."""
        return {"W_in": self.W_in.copy_to_host(), "W_out": self.W_out.copy_to_host(),
                "W_node": self.W_node.copy_to_host(), "epoch": self.epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        shape = (self.setup.vocabulary, self.cfg.vector_size)
        inputs = (self.setup.input_rows, self.cfg.vector_size)
        self.W_in.copy_to_device(np.ascontiguousarray(expect_array(state, "W_in", np.float32, inputs)))
        self.W_out.copy_to_device(np.ascontiguousarray(expect_array(state, "W_out", np.float32, shape)))
        if self.W_node.shape[0] or "W_node" in state:
            node_shape = (self.setup.tree.inner_nodes, self.cfg.vector_size)
            self.W_node.copy_to_device(np.ascontiguousarray(expect_array(state, "W_node", np.float32, node_shape)))
        self.epoch = expect_epoch(state, self.cfg.epochs)
