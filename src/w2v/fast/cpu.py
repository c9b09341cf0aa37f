"""The fast CPU engine: word2vec.c's algorithm in compiled kernels, Hogwild over threads.

The corpus is cut into chunks of whole sentences (about ``CHUNK_WORDS`` words each); a chunk
is the unit of work and of the learning-rate schedule. For a block of chunks the driver
computes each chunk's learning rate from its position in the whole run (linear decay over
all words of all epochs, so with workers interleaved chunk by chunk it tracks the words
processed by all workers together), hands chunk ``start + w``, ``start + w + W``, ... to
worker ``w``, and runs the W workers as threads: the kernels release the GIL.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ._constants import CHUNK_WORDS, MAX_NEGATIVE, MAX_SENTENCE_LENGTH, ROW_ALIGN, VARIANTS
from ..config import TrainConfig
from ..corpus import Corpus, sentence_offsets
from ..errors import ConfigError
from ._cpu_kernels import train_chunks
from ..engine import BlockStats
from .common import check_negatives, linear_alpha


def chunk_starts(offsets: np.ndarray, chunk_words: int = CHUNK_WORDS) -> np.ndarray:
    """Group sentences into chunks of at least ``chunk_words`` words (the last may be smaller).

    Parameters
    ----------
    offsets : (S + 1,) int64 sentence offsets

    Returns
    -------
    (n_chunks + 1,) int64 sentence indices: chunk c is sentences ``starts[c] .. starts[c + 1] - 1``.
    """
    # A chunk ends after the first sentence that brings the running total to a multiple of chunk_words.
    ends = offsets[1:]
    boundary = np.flatnonzero(np.diff(ends // chunk_words, prepend=0) > 0) + 1
    if boundary.size == 0 or boundary[-1] != ends.size:
        boundary = np.append(boundary, ends.size)
    return np.concatenate([[0], boundary]).astype(np.int64)


def init_weights(vocab_size: int, dim: int, seed: Any) -> tuple[np.ndarray, np.ndarray]:
    """word2vec.c's start: input vectors uniform in [-0.5/D, 0.5/D), output vectors zero.

    Rows are padded with zero columns to a multiple of ``ROW_ALIGN`` floats, so the kernels'
    loops run on whole SIMD vectors; the padding stays zero (every update is a multiple of
    other rows' padding).

    Returns
    -------
    syn0, syn1neg : (V, D') float32, D' >= D
    """
    rng = np.random.default_rng(seed)
    width = -(-dim // ROW_ALIGN) * ROW_ALIGN
    syn0 = np.zeros((vocab_size, width), dtype=np.float32)
    syn0[:, :dim] = (rng.random((vocab_size, dim), dtype=np.float32) - 0.5) / dim
    return syn0, np.zeros((vocab_size, width), dtype=np.float32)


class CpuEngine:
    """Trains ``cfg.model`` on ``corpus`` with ``cfg.kernel`` kernels on ``cfg.workers`` threads."""

    unit_name = "chunk"

    def __init__(self, corpus: Corpus, cfg: TrainConfig):
        vocab = corpus.vocab
        if cfg.negative > MAX_NEGATIVE:
            raise ConfigError(f"the fast engine takes at most {MAX_NEGATIVE} negatives, not negative={cfg.negative}")
        check_negatives(corpus, cfg)
        self.cfg = cfg
        self.variant = VARIANTS[(cfg.model, cfg.kernel)]
        self.ids = corpus.ids
        self.offsets = sentence_offsets(corpus.sentence_lengths, MAX_SENTENCE_LENGTH)
        self.chunk_starts = chunk_starts(self.offsets)
        self.units_per_epoch = self.chunk_starts.size - 1
        self.chunk_position = self.offsets[self.chunk_starts]  # words before each chunk, then the total
        self.epoch_words = int(self.offsets[-1])
        self.table = vocab.noise_table(cfg.power)
        self.keep = vocab.keep_thresholds(cfg.sample)
        init_seed, *worker_seeds = np.random.SeedSequence(cfg.seed).spawn(1 + cfg.workers)
        self.syn0, self.syn1neg = init_weights(len(vocab), cfg.vector_size, init_seed)
        self.rng_states = [s.generate_state(1, dtype=np.uint64) | np.uint64(1) for s in worker_seeds]
        self.stats = np.zeros((cfg.workers, 3), dtype=np.float64)
        self.epoch = 0
        self._train(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), 0)  # compile or load now, untimed

    def alpha_at(self, words_done: np.ndarray | int) -> np.ndarray:
        """Linear decay from alpha to min_alpha over ``epochs * epoch_words`` words (float32)."""
        return linear_alpha(self.cfg, words_done, self.cfg.epochs * self.epoch_words)

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def run(self, start: int, stop: int) -> BlockStats:
        chunks = np.arange(start, stop, dtype=np.int64)
        alphas = self.alpha_at(self.epoch * self.epoch_words + self.chunk_position[chunks])
        self.stats[:] = 0
        workers = self.cfg.workers
        jobs = [(chunks[w::workers], alphas[w::workers], w) for w in range(workers)]
        if workers == 1:
            self._train(*jobs[0])
        else:
            with ThreadPoolExecutor(workers) as pool:
                for future in [pool.submit(self._train, *job) for job in jobs]:
                    future.result()
        loss, examples, words = self.stats.sum(axis=0)
        return BlockStats(float(loss), int(examples), int(words), float(alphas[-1]))

    def _train(self, chunks: np.ndarray, alphas: np.ndarray, worker: int) -> None:
        cfg = self.cfg
        train_chunks(self.ids, self.offsets, self.chunk_starts, chunks, alphas, self.syn0, self.syn1neg,
                     self.table, self.keep, cfg.window, cfg.negative, self.variant, self.rng_states[worker],
                     self.stats[worker])

    def word_vectors(self) -> np.ndarray:
        return np.ascontiguousarray(self.syn0[:, : self.cfg.vector_size])

    def state_dict(self) -> dict[str, Any]:
        """Both weight matrices and every worker's random state."""
        return {"syn0": self.syn0.copy(), "syn1neg": self.syn1neg.copy(), "rng_states": np.concatenate(self.rng_states),
                "epoch": self.epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.syn0[...] = state["syn0"]
        self.syn1neg[...] = state["syn1neg"]
        if state["rng_states"].size != len(self.rng_states):
            raise ConfigError(f"the checkpoint has {state['rng_states'].size} workers' random states, "
                              f"but {len(self.rng_states)} workers were asked for")
        self.rng_states = [state["rng_states"][w : w + 1].copy() for w in range(len(self.rng_states))]
        self.epoch = state["epoch"]
