"""Text files to int32 word ids, and the book's (contexts, target) pairs.

A corpus is one contiguous id array plus sentence offsets: no Python object per token
survives reading. Lines are sentences; tokens are split on whitespace.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from ._tokenizer import Interner, remap, scan
from .errors import CorpusError
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

    def fingerprint(self) -> str:
        """sha256 of the vocabulary, counts, ids and sentence offsets: the same corpus, exactly."""
        digest = hashlib.sha256()
        digest.update("\n".join(self.vocab.words).encode("utf-8"))
        for array in (self.vocab.counts, self.ids, self.offsets):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()


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
    return corpus_from_chunks(lambda: _text_chunks(path), str(path), min_count=min_count,
                              max_vocab_size=max_vocab_size)


def corpus_from_chunks(
    chunks: Callable[[], Iterable[bytes]], name: str, *, min_count: int = 1, max_vocab_size: int | None = None
) -> Corpus:
    """Build a corpus from UTF-8 text that ``chunks()`` yields in pieces ending at line breaks.

    ``chunks`` is called twice: to size one id buffer exactly, then to fill it. The buffer is
    then mapped to vocabulary ids in place, so reading needs one int32 per token, once.
    """
    size = breaks = lines = 0
    for chunk in chunks():
        data = np.frombuffer(chunk, dtype=np.uint8)  # a view, for bytes and arrays alike
        n, b, bad = scan(data)
        if bad >= 0:
            _refuse(data, bad, name, lines)
        size, breaks, lines = size + n, breaks + b, lines + b
    raw = np.empty(size, dtype=np.int32)
    interner = Interner()
    filled = 0
    for chunk in chunks():
        filled += interner.encode(chunk, raw[filled:]).size
    counts, words = interner.word_counts, interner.words
    del interner
    if counts.sum() == 0:
        raise CorpusError(f"{name}: the file holds no words")
    try:
        vocab, new_id = Vocab.build(words, counts, min_count=min_count, max_vocab_size=max_vocab_size)
    except CorpusError as err:
        raise CorpusError(f"{name}: {err}") from None
    lengths = np.empty(breaks + 1, dtype=np.int64)
    n_ids, n_lines = remap(raw[:filled], new_id, raw, lengths)
    return Corpus(raw[:n_ids], sentence_offsets(lengths[:n_lines]), vocab, name)


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


def _text_chunks(path: Path) -> Iterator[np.ndarray]:
    """Yield the file as uint8 arrays of whole lines (the last may lack its line break).

    One buffer is reused for the whole file: a yielded array is valid until the next one.
    """
    if not path.exists():
        raise CorpusError(f"{path}: no such file")
    if path.is_dir():
        raise CorpusError(f"{path}: is a directory, not a text file")
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise CorpusError(f"{path}: cannot open ({err.strerror})") from None
    with handle:
        buffer = np.empty(CHUNK_BYTES, dtype=np.uint8)
        kept = 0  # bytes of an unfinished line carried over to the start of the buffer
        first = True
        while True:
            if kept == buffer.size:  # a line longer than the buffer: grow it
                buffer = np.concatenate([buffer, np.empty(buffer.size, dtype=np.uint8)])
            read = handle.readinto(memoryview(buffer)[kept:])
            end = kept + read
            start = 3 if first and bytes(buffer[:3]) == b"\xef\xbb\xbf" else 0
            first = False
            if read == 0:
                if end > start:
                    yield buffer[start:end]
                return
            newlines = np.flatnonzero(buffer[start:end] == 10)
            if newlines.size == 0:
                kept = end
                continue
            cut = start + int(newlines[-1]) + 1
            yield buffer[start:cut]
            kept = end - cut
            buffer[:kept] = buffer[cut:end]


def _refuse(data: np.ndarray, bad: int, name: str, lines_before: int) -> None:
    line = lines_before + int(np.count_nonzero(data[:bad] == 10)) + 1
    if data[bad] == 0:
        raise CorpusError(f"{name}: holds a NUL byte (line {line}); is it a binary file?")
    raise CorpusError(
        f"{name}: not valid UTF-8 (line {line}, byte {int(data[bad]):#04x}); "
        "convert it first, e.g. with iconv -f latin1 -t utf-8"
    )


def corpus_from_sentences(
    sentences: Iterable[Iterable[str]], *, min_count: int = 1, name: str = "sentences"
) -> Corpus:
    """Build a corpus from tokenised sentences (small corpora, tests, notebooks).

    The tokens are joined with spaces and read like a text file, so a token holding
    whitespace is split there.
    """
    text = "".join(" ".join(sentence) + "\n" for sentence in sentences).encode("utf-8")
    return corpus_from_chunks(lambda: [text], name, min_count=min_count)
