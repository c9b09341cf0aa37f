"""Text files to int32 word ids, and the book's (contexts, target) pairs.

A corpus is one contiguous id array plus sentence offsets: no Python object per token
survives reading. Lines are sentences; tokens are split on whitespace.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from .errors import CorpusError
from .vocab import Vocab

CHUNK_BYTES = 1 << 22  # read 4 MiB of whole lines at a time
_NEWLINE = "\x00"  # stands for a line break while tokens are split on whitespace


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


class IdAssigner:
    """Gives every new token the next id, in order of first appearance.

    The lookup runs in C (``map`` over a ``defaultdict`` whose factory is its own length),
    which is what keeps tokenising 17 million words at a few seconds.
    """

    def __init__(self) -> None:
        self._ids: defaultdict[str, int] = defaultdict()
        self._ids.default_factory = self._ids.__len__

    def encode(self, tokens: list[str]) -> np.ndarray:
        """Return (len(tokens),) int32 ids, adding unseen tokens."""
        return np.fromiter(map(self._ids.__getitem__, tokens), dtype=np.int32, count=len(tokens))

    @property
    def words(self) -> list[str]:
        return list(self._ids)


def read_corpus(
    path: str | os.PathLike,
    *,
    min_count: int = 5,
    max_vocab_size: int | None = None,
) -> Corpus:
    """Read a UTF-8 text file: one sentence per line, tokens separated by whitespace.

    Ids are given by descending frequency. Raises :class:`CorpusError` for a missing,
    unreadable, non-UTF-8 or empty file, or when no word reaches ``min_count``.
    """
    path = Path(path)
    assigner = IdAssigner()
    newline_id = int(assigner.encode([_NEWLINE])[0])
    pieces = [assigner.encode(chunk.replace("\n", f" {_NEWLINE} ").split()) for chunk in _text_chunks(path)]
    raw = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
    counts = np.bincount(raw, minlength=len(assigner.words))
    counts[newline_id] = 0
    if counts.sum() == 0:
        raise CorpusError(f"{path}: the file holds no words")
    try:
        vocab, new_id = Vocab.build(
            assigner.words, counts, min_count=min_count, max_vocab_size=max_vocab_size
        )
    except CorpusError as err:
        raise CorpusError(f"{path}: {err}") from None
    return _corpus_from_raw(raw, raw == newline_id, new_id, vocab, str(path))


def _corpus_from_raw(
    raw: np.ndarray,
    is_break: np.ndarray,
    new_id: np.ndarray,
    vocab: Vocab,
    name: str,
) -> Corpus:
    """Map provisional ids to vocabulary ids, drop the rest, and cut sentences at breaks."""
    sentence_of = np.cumsum(is_break)  # (N_raw,) sentence number of each token
    ids = new_id[raw]
    kept = ids >= 0
    lengths = np.bincount(sentence_of[kept], minlength=int(sentence_of[-1]) + 1 if raw.size else 0)
    ids = ids[kept]
    return Corpus(ids, sentence_offsets(lengths), vocab, name)


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


def _text_chunks(path: Path) -> Iterator[str]:
    """Yield the file as decoded text in pieces of whole lines; clear errors for bad files."""
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
                    yield _decode(data, path, lines_before)
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                rest = data
                continue
            yield _decode(data[:cut], path, lines_before)
            lines_before += data.count(b"\n", 0, cut)
            rest = data[cut:]


def _decode(data: bytes, path: Path, lines_before: int) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = lines_before + data.count(b"\n", 0, err.start) + 1
        raise CorpusError(
            f"{path}: not valid UTF-8 (line {line}, byte {err.object[err.start]:#04x}); "
            "convert it first, e.g. with iconv -f latin1 -t utf-8"
        ) from None
    if _NEWLINE in text:
        line = lines_before + text.count("\n", 0, text.index(_NEWLINE)) + 1
        raise CorpusError(f"{path}: holds a NUL byte (line {line}); is it a binary file?")
    return text


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
    """Build a corpus from sentences already split into tokens (small corpora, tests, notebooks)."""
    assigner = IdAssigner()
    newline_id = int(assigner.encode([_NEWLINE])[0])
    tokens: list[str] = []
    for sentence in sentences:
        tokens.extend(sentence)
        tokens.append(_NEWLINE)
    raw = assigner.encode(tokens)
    counts = np.bincount(raw, minlength=len(assigner.words))
    counts[newline_id] = 0
    if counts.sum() == 0:
        raise CorpusError(f"{name}: no words")
    vocab, new_id = Vocab.build(assigner.words, counts, min_count=min_count)
    return _corpus_from_raw(raw, raw == newline_id, new_id, vocab, name)
