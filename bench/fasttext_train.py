"""Train fastText's word vectors without subwords (minn=maxn=0) from a text file and save word2vec binary vectors.

A helper of ``throughput.py``, run as its own process so that its time and memory are
measured whole. Prints one JSON line: vocabulary and training seconds, and the vocabulary size.

fastText does not say where reading the vocabulary ends and training begins, so the helper
reads its stderr (verbose=1) and takes the moment it prints ``Number of labels``, the last
line of the vocabulary pass, as the start of training; training seconds therefore include
creating the two matrices and the negatives table, which gensim's build_vocab does.

fastText differs from word2vec.c in a few ways the settings cannot align: it draws negatives
from unigram counts to the power 0.5 (word2vec.c and gensim: 0.75), and like word2vec.c it
reads an end-of-line token ``</s>`` per line, trains on it as a word and keeps it in the
vocabulary; the saved vectors leave it out. Its learning rate decays linearly to 0 over all
tokens of all epochs, counted over all threads.
"""

import json
import os
import sys
import threading
import time

import fasttext
import numpy as np

from peer_options import parse_peer_options

EOS = "</s>"


class StderrClock:
    """Route file descriptor 2 through a pipe and note when ``marker`` first appears on it."""

    def __init__(self, marker: str) -> None:
        self.marker = marker.encode()
        self.seen: float | None = None
        self.text = b""
        read, write = os.pipe()
        self._saved = os.dup(2)
        os.dup2(write, 2)
        os.close(write)
        self._read = read
        # fastText's train releases the GIL, so this thread sees the line as it is written.
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while chunk := os.read(self._read, 65536):
            self.text += chunk
            if self.seen is None and self.marker in self.text:
                self.seen = time.perf_counter()

    def close(self) -> str:
        os.dup2(self._saved, 2)  # closes the pipe's last write end: the reader sees end of file
        os.close(self._saved)
        self._thread.join()
        os.close(self._read)
        return self.text.decode(errors="replace")


def save_word2vec_binary(path: str, words: list[str], vectors: np.ndarray) -> None:
    """word2vec.c's binary format: a ``V D`` header, then each word, a space and D little-endian float32."""
    vectors = np.ascontiguousarray(vectors, dtype="<f4")
    with open(path, "wb") as out:
        out.write(f"{len(words)} {vectors.shape[1]}\n".encode())
        for word, row in zip(words, vectors):
            out.write(word.encode() + b" " + row.tobytes() + b"\n")


def main() -> None:
    args = parse_peer_options("hierarchical softmax (loss='hs'; negatives unused)")
    clock = StderrClock("Number of labels")
    start = time.perf_counter()
    try:
        # lr: fastText's default is 0.05 for both models; the caller passes word2vec.c's alpha
        # (CBOW 0.05, skip-gram 0.025) as it does to every other tool, to compare like with like.
        model = fasttext.train_unsupervised(input=args.corpus, model=args.model, dim=100, ws=5, epoch=args.epochs,
                                            minCount=args.min_count, neg=5, loss="hs" if args.hs else "ns",
                                            thread=args.workers, minn=0, maxn=0, wordNgrams=1, t=1e-3, lr=args.alpha,
                                            verbose=1)  # fasttext-wheel 0.9.2 takes no seed
    finally:
        end = time.perf_counter()
        log = clock.close()
    if clock.seen is None:
        sys.exit(f"fastText never printed 'Number of labels'; its stderr:\n{log}")
    words = model.get_words()
    matrix = model.get_input_matrix()[:len(words)]  # with no subwords (bucket 0) the rows are the words'
    keep = [i for i, word in enumerate(words) if word != EOS]
    save_word2vec_binary(args.output, [words[i] for i in keep], matrix[keep])
    print(json.dumps({"vocab_seconds": clock.seen - start, "train_seconds": end - clock.seen,
                      "vocab_size": len(keep)}))


if __name__ == "__main__":
    main()
