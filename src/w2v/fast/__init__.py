"""word2vec.c's algorithm in compiled kernels: one setup (:mod:`.common`), run on CPU threads or a GPU."""
