"""Constants shared by the compiled engines (CPU and CUDA) and their drivers."""

MAX_SENTENCE_LENGTH = 10_000  # longer sentences are split into pieces, not truncated
CHUNK_WORDS = 10_000  # a unit of work: whole sentences adding up to at least this many words
MIN_TABLE_BITS = 20  # the noise table has at least 2**20 entries (4 MiB: stays in cache)
LOSS_RESCALE = 1e-200  # kernels multiply label probabilities (each >= 1e-100) and take a log below this

# Kernel variants: (model, kernel) pairs as the integer codes the compiled kernels branch on.
CBOW_PLAIN, CBOW_BATCHED, SKIPGRAM_PLAIN, SKIPGRAM_BATCHED = 0, 1, 2, 3
VARIANTS = {
    ("cbow", "plain"): CBOW_PLAIN,
    ("cbow", "batched"): CBOW_BATCHED,
    ("skipgram", "plain"): SKIPGRAM_PLAIN,
    ("skipgram", "batched"): SKIPGRAM_BATCHED,
}
