"""The GPU engine: the fast engine's algorithm in CUDA kernels (:mod:`w2v.fast._cuda_kernels`).

The corpus, the pieces table, the noise table and both weight matrices live on the device
for the whole run; a block of units (10,000-word chunks, as on the CPU) is one kernel launch
and the only thing that comes back is three numbers of statistics. Randomness is a hash of
the seed and the position, so there is no random state to save.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._constants import MAX_NEGATIVE, MAX_SENTENCE_LENGTH, MAX_VECTOR_SIZE, MAX_WINDOW, PIECE_TOKENS, WARP
from ..config import TrainConfig
from ..corpus import Corpus, sentence_offsets
from ..errors import ConfigError
from ..engine import BlockStats
from .common import check_negatives, linear_alpha
from .cpu import chunk_starts, init_weights

MAX_BLOCKS = 65_535  # grid size per launch; blocks loop over the pieces beyond it


def piece_table(offsets: np.ndarray, piece_tokens: int = PIECE_TOKENS) -> np.ndarray:
    """Cut every sentence into pieces of at most ``piece_tokens`` centre positions.

    Returns
    -------
    (P, 5) int64: [start, end, sentence start, sentence end, words before the piece].
    """
    starts, ends = offsets[:-1], offsets[1:]
    counts = -(-(ends - starts) // piece_tokens)
    sentence = np.repeat(np.arange(starts.size), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    piece_start = starts[sentence] + (np.arange(counts.sum()) - first) * piece_tokens
    piece_end = np.minimum(piece_start + piece_tokens, ends[sentence])
    return np.stack([piece_start, piece_end, starts[sentence], ends[sentence], piece_start]).T.astype(np.int64)


class CudaEngine:
    """Trains ``cfg.model`` on ``corpus`` with the CUDA kernels (batched updates only).

    Whether CUDA can run at all is checked before the corpus is read (``train.check_device``).
    """

    unit_name = "chunk"

    def __init__(self, corpus: Corpus, cfg: TrainConfig):
        from numba import cuda

        from ._cuda_kernels import train_pieces

        if cfg.kernel != "batched":
            raise ConfigError("the GPU engine has only the batched kernels; drop --kernel plain")
        for name, value, limit in (("window", cfg.window, MAX_WINDOW), ("negative", cfg.negative, MAX_NEGATIVE),
                                   ("vector_size", cfg.vector_size, MAX_VECTOR_SIZE)):
            if value > limit:
                raise ConfigError(f"the GPU engine takes {name} up to {limit}, not {value}")
        check_negatives(corpus, cfg)
        self.cfg = cfg
        self._kernel = train_pieces
        offsets = sentence_offsets(corpus.sentence_lengths, MAX_SENTENCE_LENGTH)
        self.chunk_starts = chunk_starts(offsets)
        self.units_per_epoch = self.chunk_starts.size - 1
        pieces = piece_table(offsets)
        # The pieces of chunk c are those of its sentences: pieces are listed sentence by sentence.
        piece_of_sentence = np.searchsorted(pieces[:, 0], offsets[:-1])
        self.chunk_pieces = np.append(piece_of_sentence, pieces.shape[0])[self.chunk_starts]
        self.chunk_position = offsets[self.chunk_starts]  # words before each chunk, then the total
        self.epoch_words = int(offsets[-1])
        init_seed = np.random.SeedSequence(cfg.seed).spawn(1)[0]
        syn0, syn1neg = init_weights(len(corpus.vocab), cfg.vector_size, init_seed)
        self.syn0 = cuda.to_device(np.ascontiguousarray(syn0[:, : cfg.vector_size]))
        self.syn1neg = cuda.to_device(np.ascontiguousarray(syn1neg[:, : cfg.vector_size]))
        self.ids = cuda.to_device(corpus.ids)
        self.pieces = cuda.to_device(pieces)
        self.table = cuda.to_device(corpus.vocab.noise_table(cfg.power))
        self.keep = cuda.to_device(corpus.vocab.keep_thresholds(cfg.sample))
        self.stats = cuda.to_device(np.zeros(3, dtype=np.float64))
        self.seed = int(np.random.SeedSequence(cfg.seed).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        self.epoch = 0

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def run(self, start: int, stop: int) -> BlockStats:
        cfg = self.cfg
        first, last = int(self.chunk_pieces[start]), int(self.chunk_pieces[stop])
        self.stats.copy_to_device(np.zeros(3, dtype=np.float64))
        if last > first:
            grid = min(last - first, MAX_BLOCKS)
            self._kernel[grid, WARP](self.ids, self.pieces, first, last - first, self.syn0, self.syn1neg, self.table,
                                     self.keep, cfg.window, cfg.negative, int(cfg.model == "skipgram"), self.seed,
                                     self.epoch, cfg.alpha, cfg.min_alpha, cfg.epochs * self.epoch_words,
                                     self.epoch_words, self.stats)
        loss, examples, words = self.stats.copy_to_host()
        alpha = linear_alpha(cfg, self.epoch * self.epoch_words + self.chunk_position[stop],
                             cfg.epochs * self.epoch_words)
        return BlockStats(float(loss), int(examples), int(words), float(alpha))

    def word_vectors(self) -> np.ndarray:
        return self.syn0.copy_to_host()

    def state_dict(self) -> dict[str, Any]:
        """Both weight matrices (the random numbers are a function of the seed and position)."""
        return {"syn0": self.syn0.copy_to_host(), "syn1neg": self.syn1neg.copy_to_host(), "epoch": self.epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.syn0.copy_to_device(np.ascontiguousarray(state["syn0"], dtype=np.float32))
        self.syn1neg.copy_to_device(np.ascontiguousarray(state["syn1neg"], dtype=np.float32))
        self.epoch = int(state["epoch"])
