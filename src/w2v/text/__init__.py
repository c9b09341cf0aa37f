"""Text in, int32 ids out: reading, tokenizing, counting, vocabularies, prepared corpora, phrases."""

MAX_SENTENCE_LENGTH = 10_000  # words: longer sentences are split into pieces (as word2vec.c does), not truncated
