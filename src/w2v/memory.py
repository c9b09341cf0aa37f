"""What a training run will hold in memory, worked out before it starts.

The figures follow from the corpus and the config: the two (V, D) matrices (the CPU engine
pads rows to ROW_ALIGN floats), the noise table, the subsampling thresholds, the sentence offsets,
the corpus ids (memory-mapped ids count as mapped, not resident: the page cache holds them
and gives them back under pressure), and for the reference algorithm its (contexts, target)
pairs and Adam's two moment matrices per weight matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import TrainConfig
from .errors import W2VError
from .fast._constants import HOT_ROWS, ROW_ALIGN
from .fast.common import padded_width
from .io.mapped import is_mapped
from .text.corpus import Corpus
from .text.vocab import noise_table_bits

RUNTIME_BYTES = 200 << 20  # Python, NumPy, Numba/LLVM and their code (bench/memory_parts.py measures them)


class MemoryLimitError(W2VError):
    """A run would need more memory than the machine has available (the message gives both)."""


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a run will hold, part by part; ``mapped`` is memory-mapped corpus data (not counted in ``total``)."""

    parts: tuple[tuple[str, int], ...]
    mapped: int

    @property
    def total(self) -> int:
        return sum(size for _, size in self.parts)

    def describe(self) -> str:
        parts = ", ".join(f"{name} {_size(size)}" for name, size in self.parts if size)
        mapped = f"; corpus memory-mapped: {_size(self.mapped)} on disk" if self.mapped else ""
        return f"memory: about {_size(self.total)} ({parts}){mapped}"


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def estimate(corpus: Corpus, cfg: TrainConfig) -> MemoryEstimate:
    """What training ``corpus`` with the resolved ``cfg`` will hold."""
    V, N, D = len(corpus.vocab), len(corpus), cfg.vector_size
    S = corpus.offsets.size
    corpus_bytes = (0 if is_mapped(corpus.ids) else 4 * N) + (0 if is_mapped(corpus.offsets) else 8 * S)
    mapped = (4 * N if is_mapped(corpus.ids) else 0) + (8 * S if is_mapped(corpus.offsets) else 0)
    parts = [("runtime", RUNTIME_BYTES), ("corpus", corpus_bytes)]
    if cfg.algorithm == "fast":
        width = padded_width(D, ROW_ALIGN if cfg.device == "cpu" else 1)
        private = 2 * cfg.workers * min(HOT_ROWS, V) if cfg.device == "cpu" and cfg.workers > 1 else 0
        nodes = V - 1 if cfg.hs else 0  # W_node: one row per inner node of the Huffman tree
        parts += [("W_in and W_out", 2 * V * width * 4), ("hot rows' private copies", private * width * 4),
                  ("W_node", nodes * width * 4), ("noise table", 4 * 2 ** noise_table_bits(V)),
                  ("subsampling", 8 * V)]
        if cfg.distributed and cfg.combine == "changes":
            parts.append(("W_in and W_out as last combined (MPI)", 2 * V * width * 4))
        if corpus.longest_sentence is None:
            parts.append(("split sentences", 8 * (S + N // 10_000 + 1)))
    else:
        pairs = N * (2 * cfg.window + 1) * 4 + 8 * N  # contexts and targets (int32), the epoch's order
        moments = 2 * 2 * V * D * 4 if cfg.optimizer != "sgd" else 0
        parts += [("W_in and W_out", 2 * V * D * 4), ("optimizer", moments), ("(contexts, target) pairs", pairs)]
    return MemoryEstimate(tuple(parts), mapped)


def check_fits(estimate: MemoryEstimate, available: int) -> None:
    """Refuse a run that needs more than ``available`` bytes, saying how much and what to do."""
    if estimate.total > available:
        raise MemoryLimitError(
            f"the run needs about {_size(estimate.total)} but {_size(available)} is available "
            f"({estimate.describe()}); lower vector_size or max_vocab_size, or for a large corpus prepare it "
            "first (w2v prepare) so that it is memory-mapped"
        )
