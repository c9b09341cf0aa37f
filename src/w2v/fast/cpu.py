"""The fast CPU engine: word2vec.c's algorithm in compiled kernels, Hogwild over threads.

A block of chunks (see :mod:`w2v.fast.common`) is handed out in batches of consecutive chunks,
each to the worker that asks first (:func:`guided_batches`), with each chunk's learning rate
computed on the host from its position in the run, and the W workers run as threads: the
kernels release the GIL.
With several workers, each trains its own copy of the most frequent words' output rows and
adds its changes to the shared rows about every ``HOT_ROW_UPDATES`` updates it makes to a row
(see :func:`output_rows` and :func:`merge_schedule`); every other row is shared without locks
(Hogwild).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from queue import Empty, SimpleQueue
from typing import Any, Callable

import numpy as np

from ..config import TrainConfig
from ..errors import ModelFileError
from ..io.mapped import release
from ..text.corpus import Corpus
from ..training.engine import BlockStats, SingleProcess, Start, expect_array, expect_epoch
from ._constants import CBOW_BATCHED, CBOW_PLAIN, HOT_ROW_UPDATES, HOT_ROWS, ROW_ALIGN, SKIPGRAM_BATCHED
from ._cpu_kernels import train_chunks
from .common import FastSetup, aligned_zeros, hot_rows, unpad_rows


def output_row_rates(setup: FastSetup, counts: np.ndarray) -> np.ndarray:
    """How often each output row is updated: expected updates per centre word trained.

    A centre word's example (CBOW's, or batched skip-gram's whole window) updates the centre
    word's row and ``negative`` noise words' rows; plain skip-gram's does so once per context
    word. The centre word is drawn from the subsampled corpus, a noise word from the noise table.

    Parameters
    ----------
    counts : (V,) int64
        The vocabulary's counts, most frequent first.

    Returns
    -------
    (V,) float64, non-increasing as far as the noise table's whole slots allow.
    """
    window, negative, variant, shrink, _ = setup.options
    if negative == 0:  # hierarchical softmax alone: no output rows
        return np.zeros(counts.size)
    kept = counts * (setup.keep / 2.0**32)
    noise = np.bincount(setup.table, minlength=counts.size) / setup.table.size
    examples = 1 if variant in (CBOW_PLAIN, CBOW_BATCHED, SKIPGRAM_BATCHED) else (window + 1 if shrink else 2 * window)
    return examples * (kept / kept.sum() + negative * noise)


def merge_schedule(rates: np.ndarray, updates: float = HOT_ROW_UPDATES) -> np.ndarray:
    """When a worker merges each of its private hot rows (the kernels' ``schedule``): tiers of rows
    [0, 1), [1, 2), [2, 4), [4, 8) ... each merged every power of two centre words, the longest
    in which the worker makes at most about ``updates`` updates to the tier's hottest row.

    Parameters
    ----------
    rates : (H,) float64
        Expected updates per centre word of the hot rows (:func:`output_row_rates`), most frequent first.

    Returns
    -------
    (T, 2) int64
        Each tier's end row and its interval less one; the intervals do not decrease.
    """
    count = rates.size
    if count == 0:
        return np.zeros((0, 2), dtype=np.int64)
    ends = np.minimum(2 ** np.arange(int(count - 1).bit_length() + 1), count)
    first = np.concatenate([[0], ends[:-1]])
    wanted = updates / np.maximum(rates[first], 1e-9)
    interval = np.maximum.accumulate(2 ** np.clip(np.floor(np.log2(wanted)), 0, 40))
    return np.stack([ends, interval - 1], axis=1).astype(np.int64)


HotRows = tuple[int, int, int, np.ndarray]  # the kernels' ``hot``


def output_rows(width: int, workers: int, rates: np.ndarray, private: bool = True) -> tuple[np.ndarray, list[HotRows]]:
    """W_out's initial zeros (word2vec.c's), followed by room for each worker's private and base
    copies of the hot rows (the kernels' ``hot``); with one worker, or no output rows to train,
    there are none, and it trains the shared rows, as word2vec.c does; nor are there with ``private=False``
    (a continued run's frozen output rows: a frozen row must never be written, not even by a merge).

    Parameters
    ----------
    rates : (V,) float64
        Expected updates per centre word of each output row (:func:`output_row_rates`).

    Returns
    -------
    rows : (V + 2 * workers * H, width) float32 zeros, 64-byte aligned
        ``rows[:V]`` is W_out; H = ``HOT_ROWS`` (at most V) with several workers, else 0.
    hot : list of the kernels' ``hot`` tuples, one per worker
        (H, first private row, first base row, :func:`merge_schedule` of the H rows).
    """
    vocabulary = rates.size
    count = min(HOT_ROWS, vocabulary) if workers > 1 and rates.any() and private else 0
    rows = aligned_zeros((vocabulary + 2 * workers * count, width))
    schedule = merge_schedule(rates[:count])
    hot = [(count, vocabulary + w * count, vocabulary + (workers + w) * count, schedule) for w in range(workers)]
    return rows, hot


def guided_batches(chunks: int, workers: int) -> list[tuple[int, int]]:
    """A block's ``chunks`` as (first, end) batches for ``workers`` that each take the next batch
    when done with their last: half of what is left per worker (guided scheduling), so
    that most of a block goes in few kernel calls and its end in single chunks, and no worker
    waits at the block's end for more than about one chunk's time of another."""
    batches, first = [], 0
    while first < chunks:
        end = first + max(1, (chunks - first) // (2 * workers))
        batches.append((first, end))
        first = end
    return batches


class CpuEngine(SingleProcess):
    """Trains ``cfg.model`` on ``corpus`` with ``cfg.kernel`` kernels on ``cfg.workers`` threads."""

    unit_name = "chunk"

    def __init__(self, corpus: Corpus, cfg: TrainConfig, start: Start | None = None):
        self.setup = FastSetup.build(corpus, cfg, start=start)
        self.cfg = cfg
        self.units_per_epoch = self.setup.units_per_epoch
        _, worker_seeds = self.setup.seeds(cfg.workers)
        self.W_in, _, self.W_node = self.setup.initial_weights(ROW_ALIGN)  # W_out: zeros, never touched
        frozen = self.setup.frozen
        self._out_rows, self._hot = output_rows(self.W_in.shape[1], cfg.workers,
                                                 output_row_rates(self.setup, corpus.vocab.counts),
                                                 private=frozen is None or frozen[1] == 0)
        self.W_out = self._out_rows[: self.setup.vocabulary]  # the shared rows: a view
        self.setup.continue_from(self.W_in, self.W_out, self.W_node)
        self.rng_states = [s.generate_state(1, dtype=np.uint64) | np.uint64(1) for s in worker_seeds]
        self.stats = np.zeros((cfg.workers, 3), dtype=np.float64)
        self.epoch = 0
        self._train(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), 0)  # compile or load now, untimed

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def run(self, start: int, stop: int) -> BlockStats:
        return self.train_range(start, stop, lambda positions: self.setup.alpha_at(self.epoch, positions))

    def train_range(self, start: int, stop: int, alpha_of: Callable[[np.ndarray], np.ndarray]) -> BlockStats:
        """Train chunks ``start .. stop - 1`` of the epoch; ``alpha_of`` gives the learning rate at
        word positions of the epoch (the chunks' starts)."""
        chunks = np.arange(start, stop, dtype=np.int64)
        alphas = alpha_of(self.setup.chunk_position[chunks])
        self.stats[:] = 0
        workers = self.cfg.workers
        if workers == 1:
            self._train(chunks, alphas, 0)
        else:
            batches: SimpleQueue[tuple[int, int]] = SimpleQueue()
            for batch in guided_batches(len(chunks), workers):
                batches.put(batch)

            def work(worker: int) -> None:
                while True:
                    try:  # never a blocking get: another worker may take the last batch after a check
                        first, end = batches.get_nowait()
                    except Empty:
                        return
                    self._train(chunks[first:end], alphas[first:end], worker)  # contiguous: one compiled type

            with ThreadPoolExecutor(workers) as pool:
                for future in [pool.submit(work, w) for w in range(workers)]:
                    future.result()
        sentences = self.setup.chunk_starts[[start, stop]]
        release(self.setup.ids, *self.setup.offsets[sentences])  # a mapped corpus's pages: read again next epoch
        loss, examples, words = self.stats.sum(axis=0)
        return BlockStats(float(loss), int(examples), int(words), float(alphas[-1]))

    def _train(self, chunks: np.ndarray, alphas: np.ndarray, worker: int) -> None:
        setup = self.setup
        train_chunks(setup.ids, setup.offsets, setup.chunk_starts, chunks, alphas, self.W_in, self._out_rows,
                     setup.table, setup.keep, setup.kernel_tree(self.W_node), setup.subwords, setup.options,
                     self._hot[worker],
                     self.rng_states[worker], self.stats[worker], setup.frozen)

    def word_vectors(self, *, final: bool = False) -> np.ndarray:
        if final:  # the padded rows closed up in place: no second (V, D) matrix at the end of a run
            vectors, self.W_in = unpad_rows(self.W_in, self.cfg.vector_size), None
            return vectors
        return np.ascontiguousarray(self.W_in[:, : self.cfg.vector_size])

    def output_weights(self, *, final: bool = False) -> tuple[np.ndarray | None, np.ndarray | None]:
        D = self.cfg.vector_size
        # final: closed up in place, as word_vectors' W_in, rather than a second copy at the end of a run
        take = (lambda matrix: unpad_rows(matrix, D)) if final else (lambda matrix: np.ascontiguousarray(matrix[:, :D]))
        return take(self.W_out) if self.cfg.negative else None, take(self.W_node) if self.cfg.hs else None

    def reduce_rows(self, hot: int | None, reduce: Callable[[int, slice, np.ndarray], None]) -> None:
        """Call ``reduce(k, rows, block)`` for matrix k = 0, 1, 2 (W_in, W_out, W_node) with its ``hot``
        most used ``rows`` (None: every row): the first rows of W_in and W_out (the most frequent
        words), the last of W_node (the inner nodes nearest the root). ``block`` is a C-contiguous
        (n, D') float32 view, changed in place."""
        for k, (matrix, rows) in enumerate(zip((self.W_in, self.W_out, self.W_node), hot_rows(hot))):
            reduce(k, rows, matrix[rows])

    def state_dict(self) -> dict[str, Any]:
        """The weight matrices and every worker's random state."""
        return {"W_in": self.W_in.copy(), "W_out": self.W_out.copy(), "W_node": self.W_node.copy(),
                "rng_states": np.concatenate(self.rng_states), "epoch": self.epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._load_rows(state, "W_in", self.W_in)
        self._load_rows(state, "W_out", self.W_out)
        if self.W_node.size or "W_node" in state:  # checkpoints written before hierarchical softmax lack it
            self._load_rows(state, "W_node", self.W_node)
        states = expect_array(state, "rng_states", np.uint64, (len(self.rng_states),))
        self.rng_states = [states[w : w + 1].copy() for w in range(len(self.rng_states))]
        self.epoch = expect_epoch(state, self.cfg.epochs)

    def _load_rows(self, state: dict[str, Any], key: str, matrix: np.ndarray) -> None:
        """The checkpoint's ``key`` into ``matrix``: its first D columns, whatever zero padding it was saved with
        (rows were padded to 16 floats before ROW_ALIGN became 8); the padding here stays zero.

        Columns past D that are not zero were trained, so the matrix is not this config's: ModelFileError.
        """
        saved = state.get(key) if isinstance(state, dict) else None
        D = self.cfg.vector_size
        width = saved.shape[1] if isinstance(saved, np.ndarray) and saved.ndim == 2 and saved.shape[1] >= D else D
        rows = expect_array(state, key, np.float32, (matrix.shape[0], width))
        if rows[:, D:].any():
            raise ModelFileError(f"the checkpoint's {key} holds {width} trained columns, but its config says "
                                 f"vector_size={D} (damaged, or from another run)")
        matrix[:, :D] = rows[:, :D]
