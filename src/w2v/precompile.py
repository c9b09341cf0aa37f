"""Compile the CPU kernels of the usual runs into Numba's cache ahead of the first run.

    python -m w2v.precompile

Trains a dozen words once with each model (CBOW and skip-gram with negative sampling) from a
text file, reads a few sentences from memory and trains a two-line text classifier, so that
Numba writes to its cache the tokenizer and the kernels that every corpus and worker count shares; a later ``w2v train``
loads them in a fraction of a second instead of compiling them for several. The package build
runs this (``setup.py``): ``pip install .`` ships the cache beside the kernels, and the
README's first command compiles nothing. A cache compiled for another CPU or another Numba is
not used (Numba checks both): those runs compile on first use, as do other options
(hierarchical softmax, a vector size other than the default 100: each row width has its own
kernel) and editable installs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

MODELS = ("cbow", "skipgram")


def compile_kernels(models: tuple[str, ...] = MODELS) -> None:
    """Train one epoch of each of ``models`` on a tiny text file, and read and check sentences in memory:
    that compiles (or loads) the functions those run."""
    from .classify import train_classifier
    from .text.corpus import corpus_from_sentences
    from .train import train

    words = [f"w{i}" for i in range(12)]  # more words than the default negatives need
    with tempfile.TemporaryDirectory() as folder:
        text = Path(folder) / "words.txt"
        text.write_text(f"{' '.join(words)}\n" * 2, encoding="utf-8")
        for model in models:
            train(str(text), model=model, epochs=1, workers=1, min_count=1)
    corpus_from_sentences([words]).check()  # sentences in memory: read from a buffer, checked in writable arrays
    model, _ = train_classifier([words[:6], words[6:]], [["a"], ["b"]], epochs=1, workers=1, buckets=16)
    model.probabilities([words])  # the supervised classifier's kernels (w2v classify)


if __name__ == "__main__":
    compile_kernels()
