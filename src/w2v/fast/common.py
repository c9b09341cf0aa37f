"""One setup for every place the fast algorithm runs (CPU threads, a GPU).

:class:`FastSetup` turns a corpus and a resolved config into what every fast engine needs
before its first kernel call: sentences split at ``MAX_SENTENCE_LENGTH``, chunks of whole
sentences (the unit of work and of progress), the noise table, the subsampling thresholds,
the kernel variant, the seeds, word2vec.c's initial weights, and the learning rate of any
position in the run, computed on the host for every device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from ..config import TrainConfig
from ..errors import ConfigError
from ..text.corpus import Corpus, sentence_offsets
from ..text.huffman import HuffmanTree, huffman_tree
from ..text.subwords import vocabulary_rows
from ..training.engine import BlockStats, Engine, Start
from ._constants import (
    CHUNK_WORDS,
    MAX_NEGATIVE,
    MAX_SENTENCE_LENGTH,
    MAX_VECTOR_SIZE,
    MAX_WINDOW,
    SKIPGRAM_BATCHED,
    VARIANTS,
)

ROW_BLOCK = 1 << 14  # rows a host-side pass over a (V, D) matrix handles at a time (6.4 MB at D=100)
CACHE_LINE = 64  # bytes


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


def aligned_zeros(shape: tuple[int, ...], dtype: type = np.float32, alignment: int = CACHE_LINE) -> np.ndarray:
    """``np.zeros(shape, dtype)`` whose first element starts on an ``alignment``-byte boundary.

    NumPy's large arrays start 16 bytes past a page boundary (malloc's header), so every row of
    a weight matrix started off a cache line and its vector loads crossed line boundaries: two
    workers sharing the rows took longer per example than with aligned rows
    (bench/worker_costs.py; the figure is in bench/RESULTS.md). The zeros are still calloc's, mapped
    only when written.
    """
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    buffer = np.zeros(nbytes + alignment, dtype=np.uint8)
    start = -buffer.ctypes.data % alignment
    return buffer[start : start + nbytes].view(dtype).reshape(shape)


def padded_width(dim: int, row_align: int) -> int:
    """Floats a weight row holds: ``dim`` rounded up to a multiple of ``row_align``."""
    return -(-dim // row_align) * row_align


def init_weights(vocab_size: int, dim: int, seed: np.random.SeedSequence, row_align: int = 1
                 ) -> tuple[np.ndarray, np.ndarray]:
    """word2vec.c's start: input vectors uniform in [-0.5/D, 0.5/D), output vectors zero.

    Rows are padded with zero columns to a multiple of ``row_align`` floats (the CPU kernels'
    loops then run on whole SIMD vectors); the padding stays zero, since every update adds
    multiples of other rows' padding. The values do not depend on the padding.

    Returns
    -------
    W_in, W_out : (V, D') float32, D' = D rounded up to a multiple of ``row_align``
    """
    rng = np.random.default_rng(seed)
    width = padded_width(dim, row_align)
    W_in = aligned_zeros((vocab_size, width))
    for first in range(0, vocab_size, ROW_BLOCK):  # in blocks, drawing the same numbers: no (V, D) temporaries
        block = rng.random((min(ROW_BLOCK, vocab_size - first), dim), dtype=np.float32)
        block -= 0.5
        block /= dim
        W_in[first : first + block.shape[0], :dim] = block
    return W_in, aligned_zeros((vocab_size, width))


def unpad_rows(matrix: np.ndarray, dim: int) -> np.ndarray:
    """The first ``dim`` columns of a C-contiguous (V, D') ``matrix``, moved together in its own memory.

    Returns a C-contiguous (V, dim) view of ``matrix``'s buffer, whose contents are then no
    longer those of ``matrix``. Each row moves towards the front, so a block of rows is
    copied out before it is written back over itself and the rows already moved.
    """
    rows, width = matrix.shape
    if width == dim:
        return matrix
    flat = matrix.reshape(-1)
    for first in range(0, rows, ROW_BLOCK):
        last = min(rows, first + ROW_BLOCK)
        flat[first * dim : last * dim] = matrix[first:last, :dim].reshape(-1)  # reshape copies (strided rows)
    return flat[: rows * dim].reshape(rows, dim)


def hot_rows(hot: int | None) -> tuple[slice, slice, slice]:
    """The rows of W_in, W_out and W_node that the ``hot`` most frequent words use most (None: all).

    Words are numbered by frequency, so theirs are the first rows; Huffman inner nodes are
    numbered as they are merged, so the ones nearest the root, on every path, are the last.
    """
    if hot is None:
        return slice(None), slice(None), slice(None)
    return slice(0, hot), slice(0, hot), slice(-hot, None)


def _read_only(array: np.ndarray) -> np.ndarray:
    """``array``, or a read-only view of it: the kernels take every corpus read-only (PTB's and
    mapped ones are), as Numba compiles a kernel once for read-only and again for writeable
    arrays, seconds each on a first run."""
    if not array.flags.writeable:
        return array  # a mapped corpus stays itself, so that its pages can be released
    view = array.view()
    view.flags.writeable = False
    return view


def check_limits(cfg: TrainConfig, vocabulary: int, corpus_name: str, *, gpu: bool) -> None:
    """Refuse options the fast kernels cannot run (a ConfigError naming the option and the limit)."""
    if cfg.freeze and (gpu or cfg.subwords is not None):
        where = "the GPU engine" if gpu else "a subword model"
        raise ConfigError(f"freeze={list(cfg.freeze)!r} runs on the CPU engine without subwords, not on {where}",
                          options=("freeze",))
    if cfg.negative > MAX_NEGATIVE:
        raise ConfigError(f"the fast algorithm takes at most {MAX_NEGATIVE} negatives, not negative={cfg.negative}",
                          options=("negative",))
    if cfg.negative >= vocabulary:
        raise ConfigError(
            f"negative={cfg.negative} needs at least {cfg.negative + 1} words, but the vocabulary of "
            f"{corpus_name} has {vocabulary}; lower negative or min_count, or use a larger corpus",
            options=("negative", "min_count"),
        )
    if not gpu:
        return
    if cfg.kernel != "batched":
        raise ConfigError("the GPU engine has only the batched kernels, not kernel='plain'", options=("kernel",))
    for name, value, limit in (("window", cfg.window, MAX_WINDOW), ("vector_size", cfg.vector_size, MAX_VECTOR_SIZE)):
        if value > limit:
            raise ConfigError(f"the GPU engine takes {name} up to {limit}, not {name}={value}", options=(name,))


@dataclass
class FastSetup:
    """What every fast engine starts from.

    Attributes
    ----------
    ids : (N,) int32
        The corpus.
    offsets : (S + 1,) int64
        Sentences, none longer than ``MAX_SENTENCE_LENGTH`` (longer ones are split).
    chunk_starts : (C + 1,) int64
        Chunk c is sentences ``chunk_starts[c] .. chunk_starts[c + 1] - 1``.
    chunk_position : (C + 1,) int64
        Words before each chunk in an epoch, then the epoch's words.
    table : (T,) int32
        The noise table (counts ** power).
    keep : (V,) uint64
        Subsampling thresholds.
    variant : int
        The kernel variant code (``_constants.VARIANTS``).
    tree : HuffmanTree
        Hierarchical softmax's paths (with ``cfg.hs``; an empty tree without).
    subwords : (offsets, rows) or None
        With ``cfg.subwords``: each word's input rows, its own and its n-grams' (the kernels'
        ``subwords``); ``W_in`` then has ``cfg.buckets`` rows more than the vocabulary.
    start : Start or None
        A continued run's model and fixed rows (:meth:`continue_from`, the kernels' ``frozen``).
    """

    cfg: TrainConfig
    ids: np.ndarray
    offsets: np.ndarray
    chunk_starts: np.ndarray
    chunk_position: np.ndarray
    table: np.ndarray
    keep: np.ndarray
    variant: int
    vocabulary: int
    tree: HuffmanTree
    subwords: tuple[np.ndarray, np.ndarray] | None = None
    start: Start | None = None

    @classmethod
    def build(cls, corpus: Corpus, cfg: TrainConfig, *, gpu: bool = False, start: Start | None = None
              ) -> "FastSetup":
        """Check ``cfg`` against the kernels' limits (those of the GPU engine if ``gpu``) and set up; ``start``:
        the model a continued run starts from."""
        vocab = corpus.vocab
        check_limits(cfg, len(vocab), corpus.name, gpu=gpu)
        if corpus.longest_sentence is not None and corpus.longest_sentence <= MAX_SENTENCE_LENGTH:
            offsets = corpus.offsets  # a prepared corpus's (memory-mapped) offsets, already split
        else:
            offsets = sentence_offsets(corpus.sentence_lengths, MAX_SENTENCE_LENGTH)
        starts = chunk_starts(offsets)
        tree = huffman_tree(vocab.counts) if cfg.hs else huffman_tree(vocab.counts[:0])
        rows = vocabulary_rows(cfg.subword_spec(), vocab.words)
        return cls(cfg, _read_only(corpus.ids), _read_only(offsets), starts, offsets[starts],
                   vocab.noise_table(cfg.ns_exponent),
                   vocab.keep_thresholds(cfg.sample), VARIANTS[(cfg.model, cfg.kernel)], len(vocab), tree,
                   None if rows is None else (rows[0], rows[1]), start)

    @property
    def input_rows(self) -> int:
        """Rows of ``W_in``: the vocabulary's, and with subwords the n-gram buckets'."""
        return self.vocabulary + (self.cfg.buckets if self.subwords is not None else 0)

    @property
    def options(self) -> tuple[int, int, int, bool, bool]:
        """The kernels' ``options``: (window, negative, variant, shrink_windows, cbow_mean)."""
        cfg = self.cfg
        return cfg.window, cfg.negative, self.variant, bool(cfg.shrink_windows), cfg.cbow_mean

    @property
    def frozen(self) -> tuple[int, int, int] | None:
        """The kernels' ``frozen``: the rows a continued run keeps fixed, or None."""
        return None if self.start is None else self.start.frozen

    def continue_from(self, W_in: np.ndarray, W_out: np.ndarray, W_node: np.ndarray) -> None:
        """Write the model a continued run starts from into its initial (padded) matrices, over the first
        rows (the model's words keep their ids); the other rows stay a fresh run's. Nothing without a ``start``."""
        start = self.start
        if start is None:
            return
        words, dim = start.W_in.shape
        W_in[:words, :dim] = start.W_in
        if start.W_out is not None:
            W_out[:words, :dim] = start.W_out
        if start.W_node is not None:
            W_node[:, :dim] = start.W_node

    def kernel_tree(self, W_node: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """The kernels' ``tree``: (W_node, codes, points, lengths), or None without hierarchical softmax."""
        if not self.cfg.hs:
            return None
        return W_node, self.tree.codes, self.tree.points, self.tree.lengths

    @property
    def units_per_epoch(self) -> int:
        return int(self.chunk_starts.size - 1)

    @property
    def epoch_words(self) -> int:
        return int(self.offsets[-1])

    @property
    def skipgram_batched(self) -> bool:
        return self.variant == SKIPGRAM_BATCHED

    def alpha_at(self, epoch: int, positions: np.ndarray | int) -> np.ndarray:
        """The learning rate at word ``positions`` of epoch ``epoch``: float32, same shape.

        Work is handed out in corpus order, so a position stands for the words all workers
        have read before it (see :meth:`alpha_after`).
        """
        return self.alpha_after(epoch * self.epoch_words + np.asarray(positions, dtype=np.int64))

    def alpha_after(self, words_done: np.ndarray | int) -> np.ndarray:
        """The learning rate once ``words_done`` words (of all epochs, by all workers) are trained: float32.

        word2vec.c's schedule: alpha falls linearly to min_alpha over all words of all epochs.
        """
        cfg = self.cfg
        total = cfg.epochs * self.epoch_words
        progress = np.minimum(np.asarray(words_done, dtype=np.int64).astype(np.float64) / total, 1.0)
        return (cfg.alpha - (cfg.alpha - cfg.min_alpha) * progress).astype(np.float32)

    def seeds(self, workers: int) -> tuple[np.random.SeedSequence, list[np.random.SeedSequence]]:
        """The seed of the initial weights and one seed per worker, all derived from ``cfg.seed``."""
        init, *per_worker = np.random.SeedSequence(self.cfg.seed).spawn(1 + workers)
        return init, per_worker

    def counter_seed(self) -> int:
        """A 63-bit seed for counter-based random numbers (the GPU kernels hash it with positions)."""
        return int(np.random.SeedSequence(self.cfg.seed).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))

    def initial_weights(self, row_align: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """word2vec.c's initial (:attr:`input_rows`, D') float32 ``W_in`` and (V, D') ``W_out`` (see
        :func:`init_weights`), and
        ``W_node`` : (V - 1, D') zeros with hierarchical softmax, (0, D') without."""
        init, _ = self.seeds(0)
        W_in, W_out = init_weights(self.input_rows, self.cfg.vector_size, init, row_align)
        return W_in, W_out[: self.vocabulary], aligned_zeros((self.tree.inner_nodes, W_in.shape[1]))


class RankEngine(Engine, Protocol):
    """What :class:`w2v.fast.mpi.DistributedEngine` needs of the engine each rank runs (CpuEngine, CudaEngine)."""

    setup: FastSetup
    epoch: int
    rng_states: list[np.ndarray] | None
    """Each worker's (1,) uint64 random state, which a rank reseeds as its own; None where the random
    numbers are hashes of the position (the GPU engine), the same on every rank by construction."""

    def train_range(self, start: int, stop: int, alpha_of: Callable[[np.ndarray], np.ndarray]) -> BlockStats:
        """Train chunks ``start .. stop - 1`` of the current epoch, ``alpha_of(positions)`` giving the
        learning rate at each (S,) int64 position (words before it in the epoch)."""

    def reduce_rows(self, hot: int | None, reduce: Callable[[int, slice, np.ndarray], None]) -> None:
        """Call ``reduce(k, rows, block)`` for matrix k = 0, 1, 2 (W_in, W_out, W_node) with its ``hot`` most
        used ``rows`` (None: every row; see :func:`hot_rows`) as a (n, D') float32 block it combines in place."""
