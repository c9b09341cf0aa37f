"""Text in, int32 ids out: reading, tokenizing, counting, vocabularies, prepared corpora, phrases."""
