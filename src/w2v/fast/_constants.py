"""Constants of the fast engines (CPU and CUDA), their kernels and their shared setup."""

from ..text import MAX_SENTENCE_LENGTH  # noqa: F401 (the engines split sentences where prepared corpora do)

CHUNK_WORDS = 10_000  # a unit of work: whole sentences adding up to at least this many words
ROW_ALIGN = 8  # the CPU engine pads vector rows to a multiple of this many floats (32 bytes: one AVX register)
MIN_PROBABILITY = 1e-12  # label probabilities are clamped here: 25 of them still multiply to a normal float64
MAX_NEGATIVE = 24  # so an example has at most 25 labels
# With several CPU workers, each trains its own copy of the W_out rows of the HOT_ROWS most frequent
# words and adds its changes to the shared rows now and then: those rows are written by almost
# every example, and writing them from several cores at once moved cache lines between the
# cores on every access (bench/worker_costs.py compares 2 workers against 2 with private weights;
# bench/RESULTS.md has the figures). The hotter a row, the more often it is merged: about
# every HOT_ROW_UPDATES updates a worker makes to it, so that no worker trains on a copy that
# lacks many of the others' updates (as merging all of them every 1,024 centre words did) while
# the cooler rows merge rarely.
HOT_ROWS = 1024
HOT_ROW_UPDATES = 32

# Kernel variants: (model, kernel) pairs as the integer codes the compiled kernels branch on.
CBOW_PLAIN, CBOW_BATCHED, SKIPGRAM_PLAIN, SKIPGRAM_BATCHED = 0, 1, 2, 3
VARIANTS = {
    ("cbow", "plain"): CBOW_PLAIN,
    ("cbow", "batched"): CBOW_BATCHED,
    ("skipgram", "plain"): SKIPGRAM_PLAIN,
    ("skipgram", "batched"): SKIPGRAM_BATCHED,
}

# The CUDA engine: one 32-thread block (a warp) trains the centre words of a piece of a sentence.
WARP = 32
PIECE_TOKENS = 64  # centre positions per piece; a launch spreads its pieces over the grid
MAX_WINDOW = 16  # fixed-size per-thread arrays bound the context (2 * window) ...
MAX_VECTOR_SIZE = 1024  # ... and the vector size (32 values per thread)
