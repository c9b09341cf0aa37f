"""Text to int32 word ids: the corpus every engine trains on.

A corpus is one contiguous id array plus sentence offsets: no Python object per token
survives reading. Lines are sentences; tokens are split on whitespace (as ``str.split()``).
Text is read once, in a single streaming pass (:mod:`w2v.text.sources`): tokens get provisional
ids in order of first appearance, and once every word is counted, the ids are rewritten to
the vocabulary's (most frequent first), dropping the words left out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..errors import CorpusError
from ._heap import trim_heap
from ._tokenizer import NEWLINE, UNKNOWN, Interner, first_bad_byte, remap
from .integrity import check_corpus, content_fingerprint
from .sources import Source, expand_inputs, read_text, stored_bytes
from .vocab import Pruned, Vocab, select_words

NO_SPLIT = 2**62  # a sentence length no line reaches: keep lines whole
BYTES_PER_ID_ESTIMATE = 4  # English text has more bytes per token and line break: a guess that seldom grows


class _GrowingIds:
    """One int32 array that chunks of ids are appended to, doubling when full.

    One buffer rather than a list of chunk copies: the ids are then remapped in place, so the
    corpus is never held twice, and a single large allocation goes back to the system when
    freed (many chunk-sized ones stay in the allocator's heap).
    """

    def __init__(self, capacity: int):
        self._buffer = np.empty(max(capacity, 1 << 16), dtype=np.int32)  # pages untouched are not resident
        self._size = 0

    def append(self, ids: np.ndarray) -> None:
        end = self._size + ids.size
        if end > self._buffer.size:
            grown = np.empty(max(end, 2 * self._buffer.size), dtype=np.int32)
            grown[: self._size] = self._buffer[: self._size]
            self._buffer = grown
        self._buffer[self._size : end] = ids
        self._size = end

    @property
    def ids(self) -> np.ndarray:
        """(n,) int32 the ids appended so far (a view)."""
        return self._buffer[: self._size]


def frozen_new_ids(size: int) -> np.ndarray:
    """``new_id`` for :func:`remap` of the ids a :func:`frozen_interner` gives: id ``t`` is vocabulary id ``t - 1``."""
    return np.arange(-1, size, dtype=np.int32)


@dataclass
class Corpus:
    """A tokenised corpus.

    Attributes
    ----------
    ids : (N,) int32
        Word ids, sentence after sentence; words left out of the vocabulary are dropped.
        A NumPy array, or a read-only memory map for a prepared corpus (:mod:`w2v.text.prepared`).
    offsets : (S + 1,) int64
        Sentence ``s`` is ``ids[offsets[s]:offsets[s + 1]]``; no sentence is empty.
    vocab : Vocab
    name : str
        Where the corpus came from ("ptb.train", a file path), for messages and saved configs.
    longest_sentence : int, optional
        A bound on the sentence length, when known without looking (prepared corpora split
        longer lines at 10,000 words, as the fast engines do).
    known_fingerprint : str, optional
        The fingerprint, when it is known without hashing the ids (a prepared corpus's manifest).
    prepared_with : dict, optional
        A prepared corpus's vocabulary options (``min_count``, ``max_vocab_size``): its vocabulary
        is fixed, so a run on it records these.
    checked : bool
        Whether :func:`~w2v.text.prepared.open_corpus` verified these (read-only, mapped)
        arrays, so that training need not check them again (:meth:`check`).
    keys : list, optional
        What the trained vectors are keyed by, one per id, when it is not the words: the
        items' own integer ids (:func:`w2v.text.sequences.item_corpus`).
    """

    ids: np.ndarray
    offsets: np.ndarray
    vocab: Vocab
    name: str = ""
    longest_sentence: int | None = None
    known_fingerprint: str | None = None
    prepared_with: dict | None = None
    checked: bool = False
    keys: list | None = None

    def __len__(self) -> int:
        return int(self.ids.size)

    @property
    def sentence_lengths(self) -> np.ndarray:
        """(S,) int64 tokens per sentence."""
        return np.diff(self.offsets)

    def check(self) -> None:
        """Raise :class:`CorpusError` unless the kernels can train on this corpus as it is
        (:func:`w2v.text.integrity.check_corpus`); a corpus whose mapped arrays were verified when
        opened is not read again."""
        if self.checked and not (self.ids.flags.writeable or self.offsets.flags.writeable):
            return
        check_corpus(self.ids, self.offsets, self.vocab, self.longest_sentence, self.name or "the corpus")

    def by_frequency(self) -> Corpus:
        """This corpus, or a copy with its ids renumbered by descending count if they are not (a Corpus
        built by hand); the sentences are the same."""
        if self.vocab.by_frequency:
            return self
        vocab, new_id = self.vocab.ranked()
        keys = None if self.keys is None else [self.keys[i] for i in np.argsort(new_id).tolist()]
        return Corpus(new_id[self.ids], self.offsets, vocab, self.name, self.longest_sentence,
                      prepared_with=self.prepared_with, keys=keys)

    @property
    def vector_keys(self) -> list:
        """What each id's vector is keyed by: :attr:`keys`, or the words."""
        return self.vocab.words if self.keys is None else self.keys

    def fingerprint(self) -> str:
        """sha256 of the vocabulary, counts, ids and sentence offsets: the same corpus, exactly
        (:func:`w2v.text.integrity.content_fingerprint`)."""
        if self.known_fingerprint is not None:
            return self.known_fingerprint
        return content_fingerprint(self.vocab, self.ids, self.offsets)


def corpus_name(sources: Sequence[Source]) -> str:
    """How messages and saved configs name a corpus read from ``sources``."""
    if len(sources) == 1:
        return sources[0].name
    return f"{sources[0].name} and {len(sources) - 1} more file{'s' if len(sources) > 2 else ''}"


def read_corpus(
    inputs: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    min_count: int = 5,
    max_vocab_size: int | None = None,
    vocab: Vocab | None = None,
) -> Corpus:
    """Read a corpus into memory: text files, ``.gz``/``.bz2``/``.xz`` files, folders, or ``-`` (stdin).

    One sentence per line, tokens separated by whitespace (what ``str.split()`` gives); ids
    by descending frequency, ties in order of first appearance. Raises :class:`CorpusError`
    for a missing, unreadable, damaged, non-UTF-8 or empty input, or when no word reaches
    ``min_count``. For corpora larger than memory, see :func:`w2v.text.prepared.prepare`.

    With a fixed ``vocab`` (see :func:`w2v.text.vocab.fixed_vocab`), its words keep their ids and
    counts, words outside it are dropped, and ``min_count``/``max_vocab_size`` are not used.
    """
    items = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    sources = expand_inputs(items)
    corpus = build_corpus(read_text(sources), corpus_name(sources), min_count=min_count,
                          max_vocab_size=max_vocab_size, vocab=vocab, size_hint=stored_bytes(sources))[0]
    trim_heap()
    return corpus


def frozen_interner(words: Sequence[str]) -> Interner:
    """An interner that knows exactly ``words``, as ids ``1..V`` in their order (for ``frozen`` encoding)."""
    interner = Interner()
    interner.encode(" ".join(words).encode("utf-8"))
    if len(interner) != len(words):
        raise CorpusError("a vocabulary word is empty or holds whitespace, so text can never hold it")
    return interner


def encode_text(
    chunks: Iterable[tuple[Source | str, np.ndarray]],
    keep: Callable[[np.ndarray], None],
    *,
    interner: Interner | None = None,
    frozen: bool = False,
    after_chunk: Callable[[Interner], Interner] | None = None,
) -> Interner:
    """Tokenize ``chunks`` (what :func:`w2v.text.sources.read_text` yields) in one pass.

    Each chunk is checked for UTF-8 (a bad byte ends the run with the source's name and line),
    encoded to ids (``NEWLINE`` between lines) by ``interner`` (a new one by default: ids in
    order of first appearance; ``frozen``: known words only, others ``UNKNOWN``), and handed to
    ``keep``, which must copy what it keeps: the buffer is reused. ``after_chunk`` may swap the
    interner for another (to spill it). Returns the interner: words, counts, first positions.
    """
    interner = interner or Interner()
    out = np.empty(0, dtype=np.int32)
    current, lines = None, 0
    for source, chunk in chunks:
        if source is not current:
            current, lines = source, 0
        bad = int(first_bad_byte(chunk))
        if bad >= 0:
            _refuse(chunk, bad, source.name if isinstance(source, Source) else source, lines)
        if out.size < chunk.size:
            out = np.empty(max(chunk.size, out.size * 2), dtype=np.int32)
        ids = interner.encode(chunk, out[: chunk.size], frozen=frozen)
        lines += int(np.count_nonzero(ids == NEWLINE))
        keep(ids)
        if after_chunk is not None:
            interner = after_chunk(interner)
    return interner


def build_corpus(
    chunks: Iterable[tuple[Source | str, np.ndarray]],
    name: str,
    *,
    min_count: int = 1,
    max_vocab_size: int | None = None,
    vocab: Vocab | None = None,
    size_hint: int = 0,
) -> tuple[Corpus, Pruned]:
    """A corpus in memory from text chunks of whole tokens, read once; and what the vocabulary left out.

    A fixed ``vocab`` is used as it is: only its words are kept (``min_count`` and
    ``max_vocab_size`` are then not used). ``size_hint`` (bytes of text, if known) sizes the
    id buffer up front so that it rarely has to grow.
    """
    raw = _GrowingIds(size_hint // BYTES_PER_ID_ESTIMATE)
    if vocab is None:
        interner = encode_text(chunks, raw.append)
        vocab, new_id, pruned = vocabulary(interner, name, min_count=min_count, max_vocab_size=max_vocab_size)
    else:
        encode_text(chunks, raw.append, interner=frozen_interner(vocab.words), frozen=True)
        new_id = frozen_new_ids(len(vocab))
        if not np.any(raw.ids > 0):
            raise CorpusError(f"{name}: holds none of the {len(vocab):,} words of the vocabulary")
        pruned = Pruned(0, 0, 0, 0, outside_tokens=int(np.count_nonzero(raw.ids == UNKNOWN)))
    ids = raw.ids  # remapped in place: a word's id is never written ahead of the token being read
    lengths = np.empty(ids.size + 1, dtype=np.int64)
    state = np.zeros(1, dtype=np.int64)
    n_ids, n_lines = remap(ids, new_id, ids, lengths, state, NO_SPLIT)
    if n_ids < 0:
        raise MemoryError("remap ran out of room")  # a bug: the outputs hold every token
    if state[0]:
        lengths[n_lines] = state[0]
        n_lines += 1
    ids = ids[:n_ids].copy() if n_ids < ids.size // 2 else ids[:n_ids]  # much left out: don't keep its pages
    offsets = np.zeros(n_lines + 1, dtype=np.int64)
    np.cumsum(lengths[:n_lines], out=offsets[1:])
    return Corpus(ids, offsets, vocab, name), pruned


def vocabulary(interner: Interner, name: str, *, min_count: int, max_vocab_size: int | None
               ) -> tuple[Vocab, np.ndarray, Pruned]:
    """The vocabulary of what ``interner`` counted; ``new_id`` maps provisional ids to it (-1: left out)."""
    counts = interner.word_counts[1:]  # provisional id 0 is the line break
    if counts.sum() == 0:
        raise CorpusError(f"{name}: holds no words")
    try:
        kept, pruned = select_words(counts, min_count=min_count, max_vocab_size=max_vocab_size)
    except CorpusError as err:
        raise CorpusError(f"{name}: {err}", options=err.options) from None
    vocab = Vocab(interner.words_at(kept + 1), counts[kept])
    new_id = np.full(counts.size + 1, -1, dtype=np.int32)
    new_id[kept + 1] = np.arange(kept.size, dtype=np.int32)
    return vocab, new_id, pruned


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


def _refuse(data: np.ndarray, bad: int, name: str, lines_before: int) -> None:
    line = lines_before + int(np.count_nonzero(data[:bad] == 10)) + 1
    if data[bad] == 0:
        raise CorpusError(f"{name}: holds a NUL byte (line {line}); is it a binary file?")
    raise CorpusError(
        f"{name}: not valid UTF-8 (line {line}, byte {int(data[bad]):#04x}); if it is in another encoding, "
        "convert it first (e.g. iconv -f latin1 -t utf-8 for Latin-1 text)"
    )


def is_token_lists(value: Any) -> bool:
    """Whether ``value`` is tokenised sentences, as gensim takes them: a list or tuple of lists or tuples."""
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(s, (list, tuple)) for s in value)


def corpus_from_sentences(
    sentences: Iterable[Iterable[str]], *, min_count: int = 1, max_vocab_size: int | None = None,
    vocab: Vocab | None = None, name: str = "sentences"
) -> Corpus:
    """Build a corpus from tokenised sentences (``w2v.train([["a", "b"], ...])``, tests, notebooks).

    The tokens are joined with spaces and read like a text file, so a token holding
    whitespace is split there. CorpusError, in one line, for a token that is not a str.
    """
    lines = []
    for number, sentence in enumerate(sentences, 1):
        for token in sentence:
            if not isinstance(token, str):
                raise CorpusError(
                    f"{name}: sentence {number:,} holds {token!r:.40} ({type(token).__name__}), not a str token; "
                    "integer item ids go in NumPy arrays (w2v.train(np.array(ids)) or a list of them)")
        lines.append(" ".join(sentence) + "\n")
    text = "".join(lines).encode("utf-8", errors="surrogatepass")
    return build_corpus([(name, np.frombuffer(text, dtype=np.uint8))], name, min_count=min_count,
                        max_vocab_size=max_vocab_size, vocab=vocab)[0]


def grown_corpus(corpus: Corpus, old: Vocab, *, min_count: int, earlier: Vocab | None = None) -> tuple[Corpus, int]:
    """``corpus`` renumbered onto ``old``'s vocabulary grown by its new words (a continued model's corpus).

    ``old``'s words keep their ids ``0 .. V0 - 1``; the words of ``corpus`` it lacks follow, most
    frequent first, where their count in ``corpus`` (plus, given ``earlier``, the old corpus's
    counts, their count there) reaches ``min_count``; the other new words' tokens are dropped,
    and sentences left empty with them. The counts are the combined corpus's: an old word's old
    and new counts together, a new word's count in ``corpus`` (and ``earlier``), so that the noise
    table and the subsampling follow both corpora. Old words the new text lacks keep their old counts.

    Parameters
    ----------
    corpus : Corpus
        The new text, read with every word (``min_count=1``).
    old : Vocab
        The model's words and counts.

    Returns
    -------
    The corpus over V0 + new words, and how many words are new.
    """
    words, counts = corpus.vocab.words, corpus.vocab.counts
    old_id = np.fromiter((old.word_to_id.get(word, -1) for word in words), dtype=np.int64, count=len(words))
    total = counts.copy()
    if earlier is not None:
        total += np.fromiter((int(earlier.counts[earlier.word_to_id[w]]) if w in earlier else 0 for w in words),
                             dtype=np.int64, count=len(words))
    fresh = np.flatnonzero((old_id < 0) & (total >= min_count))
    fresh = fresh[np.argsort(-total[fresh], kind="stable")]
    new_id = old_id.copy()
    new_id[fresh] = len(old) + np.arange(fresh.size)  # the words left out stay -1
    grown = old.counts.copy()
    known = old_id >= 0
    grown[old_id[known]] += counts[known]
    vocab = Vocab(old.words + [words[i] for i in fresh], np.concatenate([grown, total[fresh]]))
    ids = new_id[corpus.ids]
    kept = ids >= 0
    if not kept.any():
        raise CorpusError(f"{corpus.name}: holds no word of the model's vocabulary and none that reaches "
                          f"min_count={min_count}", options=("min_count",))
    before = np.concatenate([[0], np.cumsum(kept)])  # tokens kept before each position
    offsets = np.unique(before[corpus.offsets])  # sentences left empty disappear
    return Corpus(ids[kept].astype(np.int32), offsets, vocab, corpus.name), int(fresh.size)
