"""The Penn Treebank as the book reads it (``dataset/ptb.py`` of Deep Learning from Scratch 2).

Each line break becomes the word ``<eos>`` and the text is split on whitespace. The book gives
ids in order of first appearance over the train split (its ``ptb.vocab.pkl``); w2v's ids go
by frequency, as every vocabulary of w2v's does (hierarchical softmax's Huffman tree, the hot
rows and ``restrict_vocab`` rely on it), ties in order of first appearance. ``order="book"``
gives the book's ids, and :func:`book_words` its ``id_to_word``. A split is one sequence (the
book's corpus), i.e. a single "sentence".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np

from ..errors import CorpusError
from ..text.corpus import Corpus
from ..text.vocab import Vocab
from .fetch import RemoteFile, locate

SOURCE = "https://raw.githubusercontent.com/tomsercu/lstm/master/data/"
FILES = {
    "train": RemoteFile("ptb/ptb.train.txt", SOURCE + "ptb.train.txt",
                        "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf"),
    "valid": RemoteFile("ptb/ptb.valid.txt", SOURCE + "ptb.valid.txt",
                        "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"),
    "test": RemoteFile("ptb/ptb.test.txt", SOURCE + "ptb.test.txt",
                       "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0"),
}

Split = Literal["train", "valid", "test"]
Order = Literal["frequency", "book"]


def load(split: Split = "train", order: Order = "frequency") -> Corpus:
    """Load one PTB split with the train split's vocabulary (ids and counts).

    Parameters
    ----------
    split : {"train", "valid", "test"}
    order : {"frequency", "book"}
        How ids are given: by descending count over the train split (ties: first appearance),
        as w2v trains; or the book's (first appearance).

    Returns
    -------
    Corpus
        ``ids`` (N,) int32 (with ``order="book"`` equal to the book's ``corpus``, and
        ``vocab.words`` to its ``id_to_word``); ``offsets`` is ``[0, N]``.
    """
    if split not in FILES:
        raise CorpusError(f"PTB has splits train, valid and test, not {split!r}")
    if order not in ("frequency", "book"):
        raise CorpusError(f"PTB's ids go by frequency or as the book gives them, not {order!r}")
    vocab, train_ids = _train(order)
    if split == "train":
        ids = train_ids
    else:
        tokens = _book_tokens(split)
        unknown = sorted({t for t in tokens if t not in vocab.word_to_id})
        if unknown:
            raise CorpusError(f"ptb.{split}: words not in the train split: {unknown[:5]}")
        ids = np.fromiter(map(vocab.word_to_id.__getitem__, tokens), dtype=np.int32, count=len(tokens))
    return Corpus(ids, np.array([0, ids.size], dtype=np.int64), vocab, f"ptb.{split}")


def book_words() -> list[str]:
    """The book's ``id_to_word`` for PTB: the train split's words in order of first appearance."""
    return _train("book")[0].words


@lru_cache(maxsize=2)
def _train(order: Order) -> tuple[Vocab, np.ndarray]:
    """The train split's vocabulary and ids: by first appearance as the book's ``preprocess``, or
    renumbered by descending count (a stable sort keeps first appearance among equal counts).

    Dicts rather than the compiled tokenizer: PTB's 0.9 M tokens are quick this way, and the
    README's first command then compiles no tokenizer.
    """
    if order == "frequency":
        book, book_ids = _train("book")
        vocab, new_id = book.ranked()
        ids = new_id[book_ids]
        ids.setflags(write=False)
        return vocab, ids
    tokens = _book_tokens("train")
    words = list(dict.fromkeys(tokens))  # first appearance order
    ids = np.fromiter(map({word: i for i, word in enumerate(words)}.__getitem__, tokens), dtype=np.int32,
                      count=len(tokens))
    ids.setflags(write=False)
    return Vocab(words, np.bincount(ids, minlength=len(words))), ids


def _book_tokens(split: Split) -> list[str]:
    path = locate(FILES[split])
    return path.read_text(encoding="utf-8").replace("\n", "<eos>").strip().split()
