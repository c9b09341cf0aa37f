"""Text files to int32 word ids, and the book's (contexts, target) pairs.

A corpus is one contiguous id array plus sentence offsets: no Python object per token
survives reading. Lines are sentences; tokens are split on whitespace.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from .errors import CorpusError
from .tokenizer import NEWLINE, Interner, remap
from .vocab import Vocab

CHUNK_BYTES = 1 << 18  # read 256 KiB of whole lines at a time (bounds the tokenizer's spare room)


@dataclass
class Corpus:
    """A tokenised corpus.

    Attributes
    ----------
    ids : (N,) int32
        Word ids, sentence after sentence; words left out of the vocabulary are dropped.
    offsets : (S + 1,) int64
        Sentence ``s`` is ``ids[offsets[s]:offsets[s + 1]]``; no sentence is empty.
    vocab : Vocab
    name : str
        Where the corpus came from ("ptb.train", a file path), for messages and saved configs.
    """

    ids: np.ndarray
    offsets: np.ndarray
    vocab: Vocab
    name: str = ""

    def __len__(self) -> int:
        return int(self.ids.size)

    @property
    def sentence_lengths(self) -> np.ndarray:
        """(S,) int64 tokens per sentence."""
        return np.diff(self.offsets)


def read_corpus(
    path: str | os.PathLike,
    *,
    min_count: int = 5,
    max_vocab_size: int | None = None,
) -> Corpus:
    """Read a UTF-8 text file: one sentence per line, tokens separated by whitespace.

    Tokens are what ``str.split()`` gives (ASCII and Unicode whitespace); ids are given by
    descending frequency, ties in order of first appearance. Raises :class:`CorpusError` for
    a missing, unreadable, non-UTF-8 or empty file, or when no word reaches ``min_count``.
    """
    path = Path(path)
    return corpus_from_chunks(_text_chunks(path), str(path), min_count=min_count, max_vocab_size=max_vocab_size)


def corpus_from_chunks(
    chunks: Iterable[bytes], name: str, *, min_count: int = 1, max_vocab_size: int | None = None
) -> Corpus:
    """Build a corpus from UTF-8 text given as pieces that each end at a line break."""
    interner = Interner()
    raw = [interner.encode(chunk) for chunk in chunks]
    counts, words = interner.word_counts, interner.words
    del interner
    if counts.sum() == 0:
        raise CorpusError(f"{name}: the file holds no words")
    try:
        vocab, new_id = Vocab.build(words, counts, min_count=min_count, max_vocab_size=max_vocab_size)
    except CorpusError as err:
        raise CorpusError(f"{name}: {err}") from None
    total = sum(piece.size for piece in raw)
    lines = sum(int(np.count_nonzero(piece == NEWLINE)) + 1 for piece in raw)
    ids = np.empty(total, dtype=np.int32)
    lengths = np.empty(lines, dtype=np.int64)
    n_ids = n_lines = 0
    while raw:  # free each piece once mapped: peak memory is about two int32 copies of the corpus
        piece = raw.pop(0)
        added_ids, added_lines = remap(piece, new_id, ids[n_ids:], lengths[n_lines:])
        n_ids += added_ids
        n_lines += added_lines
    return Corpus(ids[:n_ids], sentence_offsets(lengths[:n_lines]), vocab, name)


def sentence_offsets(lengths: np.ndarray, max_sentence_length: int | None = None) -> np.ndarray:
    """Offsets of non-empty sentences, splitting any longer than ``max_sentence_length``.

    Parameters
    ----------
    lengths : (S,) int
        Tokens per sentence, in order; zeros are dropped.

    Returns
    -------
    (S' + 1,) int64 offsets into the concatenated ids, starting at 0.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    lengths = lengths[lengths > 0]
    if max_sentence_length is None:
        return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    pieces = -(-lengths // max_sentence_length)  # ceil: how many pieces each sentence becomes
    ends = np.cumsum(lengths)
    starts = ends - lengths
    # Piece j of sentence s starts at starts[s] + j * max_sentence_length.
    first_piece = np.repeat(np.cumsum(pieces) - pieces, pieces)
    piece_starts = np.repeat(starts, pieces) + (np.arange(pieces.sum()) - first_piece) * max_sentence_length
    total = ends[-1] if ends.size else 0
    return np.append(piece_starts, total).astype(np.int64)


def _text_chunks(path: Path) -> Iterator[bytes]:
    """Yield the file in pieces of whole lines, checked to be UTF-8 without NUL bytes."""
    if not path.exists():
        raise CorpusError(f"{path}: no such file")
    if path.is_dir():
        raise CorpusError(f"{path}: is a directory, not a text file")
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise CorpusError(f"{path}: cannot open ({err.strerror})") from None
    with handle:
        lines_before = 0
        rest = b""
        first = True
        while True:
            block = handle.read(CHUNK_BYTES)
            data = rest + block
            if first and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            first = False
            if not block:
                if data:
                    yield _checked(data, path, lines_before)
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                rest = data
                continue
            yield _checked(data[:cut], path, lines_before)
            lines_before += data.count(b"\n", 0, cut)
            rest = data[cut:]


def _checked(data: bytes, path: Path, lines_before: int) -> bytes:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = lines_before + data.count(b"\n", 0, err.start) + 1
        raise CorpusError(
            f"{path}: not valid UTF-8 (line {line}, byte {err.object[err.start]:#04x}); "
            "convert it first, e.g. with iconv -f latin1 -t utf-8"
        ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        line = lines_before + data.count(b"\n", 0, nul) + 1
        raise CorpusError(f"{path}: holds a NUL byte (line {line}); is it a binary file?")
    return data


def contexts_target(corpus: Corpus, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The book's ``create_contexts_target``, vectorised and kept inside sentences.

    Every position with ``window`` words on both sides in the same sentence is a target.

    Returns
    -------
    contexts : (n, 2 * window) int32
        Left then right neighbours of each target, nearest last/first as in the book.
    target : (n,) int32
    """
    ids = corpus.ids
    width = 2 * window + 1
    if ids.size < width:
        empty = np.zeros((0, 2 * window), dtype=np.int32)
        return empty, np.zeros(0, dtype=np.int32)
    windows = np.lib.stride_tricks.sliding_window_view(ids, width)  # (N - 2w, 2w + 1), a view
    sentence_of = np.repeat(np.arange(corpus.offsets.size - 1), corpus.sentence_lengths)
    inside = sentence_of[: ids.size - width + 1] == sentence_of[width - 1 :]
    chosen = windows[inside] if not inside.all() else windows
    target = np.ascontiguousarray(chosen[:, window], dtype=np.int32)
    contexts = np.ascontiguousarray(np.delete(chosen, window, axis=1), dtype=np.int32)
    return contexts, target


def corpus_from_sentences(
    sentences: Iterable[Iterable[str]], *, min_count: int = 1, name: str = "sentences"
) -> Corpus:
    """Build a corpus from tokenised sentences (small corpora, tests, notebooks).

    The tokens are joined with spaces and read like a text file, so a token holding
    whitespace is split there.
    """
    text = "".join(" ".join(sentence) + "\n" for sentence in sentences)
    return corpus_from_chunks([text.encode("utf-8")], name, min_count=min_count)
