"""The invariants training relies on, checked before a kernel sees a corpus.

The kernels index model rows by the ids and the ids by the offsets without checking bounds,
and size their scratch by the longest sentence; the noise table and subsampling divide by
the counts. So before training:

- :func:`check_corpus` checks any :class:`~w2v.text.corpus.Corpus` (one built by hand, too):
  offsets start at 0, rise by at least one token per sentence and end at the last id, no
  sentence is longer than the corpus says, every id is below the vocabulary's size, every
  count is positive.
- :func:`verify_prepared` checks a prepared folder's files against its manifest in the same
  single streaming pass, which also hashes them: the vocabulary's counts must be the
  tokens' own (unless a fixed vocabulary supplied them), the longest sentence the manifest's,
  and the fingerprint the one ``w2v prepare`` recorded, so a ``vocab.txt`` permuted against
  the ids is refused too. The pass reads each file once, a block at a time (a 100 GB corpus
  costs a read of 100 GB, at the speed of the disk or of sha256, about 1 GB/s), and keeps
  none of its pages resident.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import numpy as np
from numba import njit

from .._numba.cache import CACHE
from ..errors import CorpusError
from ..io.mapped import release
from .vocab import Vocab

_BLOCK = 1 << 22  # values checked (and hashed) at a time

_SHORT, _LONG, _BEYOND = 1, 2, 3  # what _sentence_fault found


@njit(cache=CACHE, nogil=True)
def _tally(ids: np.ndarray, size: int, counts: np.ndarray) -> int:  # pragma: no cover - compiled
    """Add each id's occurrences to ``counts`` (when it has ``size`` slots); the first id outside
    ``0..size-1``, or -1."""
    tally = counts.size == size
    for i in range(ids.size):
        word = ids[i]
        if word < 0 or word >= size:
            return i
        if tally:
            counts[word] += 1
    return -1


@njit(cache=CACHE, nogil=True)
def _sentence_fault(offsets: np.ndarray, previous: int, longest: int, tokens: int
                    ) -> tuple[int, int, int]:  # pragma: no cover - compiled
    """(where, what, longest seen) over ``offsets`` that follow ``previous``: the first offset beyond
    ``tokens`` (``_BEYOND``), or that ends an empty sentence (``_SHORT``) or one longer than
    ``longest`` (``_LONG``); or (-1, 0, .)."""
    seen = 0
    for i in range(offsets.size):
        if offsets[i] > tokens:
            return i, _BEYOND, seen
        length = offsets[i] - previous
        if length < 1:
            return i, _SHORT, seen
        if length > longest:
            return i, _LONG, seen
        seen = max(seen, length)
        previous = offsets[i]
    return -1, 0, seen


def _blocks(array: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(start, block) over ``array``, its pages released once a block is done (a mapped file's stay cold)."""
    for start in range(0, array.size, _BLOCK):
        yield start, array[start : start + _BLOCK]
        release(array, start, start + _BLOCK)


def _hash_vocab(digest: "hashlib._Hash", vocab: Vocab) -> None:
    """The vocabulary's part of a corpus fingerprint: its words, then its counts."""
    digest.update("\n".join(vocab.words).encode("utf-8"))
    for _, block in _blocks(vocab.counts):
        digest.update(np.ascontiguousarray(block))


def _walk(ids: np.ndarray, offsets: np.ndarray, vocab: Vocab, longest: int, name: str, *,
          counts: np.ndarray | None = None, digest: "hashlib._Hash | None" = None) -> int:
    """Check ids and offsets in one pass (tallying ``counts`` and feeding ``digest`` if given); the longest sentence."""
    tally = np.zeros(0 if counts is None else len(vocab), dtype=np.int64)
    with ThreadPoolExecutor(1) as hasher:  # sha256 and the tally each take a core, both without the GIL
        for start, block in _blocks(ids):
            hashed = None if digest is None else hasher.submit(digest.update, np.ascontiguousarray(block))
            bad = int(_tally(block, len(vocab), tally))
            if hashed is not None:
                hashed.result()  # before the block's pages are released
            if bad >= 0:
                raise CorpusError(f"{name}: token {start + bad:,} has the id {int(block[bad]):,}, outside the "
                                  f"{len(vocab):,} words of the vocabulary (damaged?)")
    if counts is not None and not np.array_equal(tally, counts):
        word = int(np.flatnonzero(tally != counts)[0])
        raise CorpusError(f"{name}: the vocabulary counts {vocab.words[word]!r} {int(counts[word]):,} times, but the "
                          f"ids hold it {int(tally[word]):,} times (damaged?)")
    if offsets.size == 0 or offsets[0] != 0 or offsets[-1] != ids.size:
        raise CorpusError(f"{name}: the sentence offsets do not run from 0 to the {ids.size:,} tokens (damaged?)")
    seen, previous = 0, 0
    for start, block in _blocks(offsets):
        tail = block[1:] if start == 0 else block
        where, what, block_longest = _sentence_fault(tail, previous, longest, ids.size)
        if where >= 0:
            sentence = start + where + (0 if start == 0 else -1)
            fault = {_SHORT: "is empty (the offsets do not increase)",
                     _LONG: f"is longer than the {longest:,} tokens the corpus states",
                     _BEYOND: f"ends beyond the {ids.size:,} tokens"}[what]
            raise CorpusError(f"{name}: sentence {sentence:,} {fault} (damaged?)")
        seen, previous = max(seen, int(block_longest)), int(block[-1])
        if digest is not None:
            digest.update(np.ascontiguousarray(block))
    return seen


def content_fingerprint(vocab: Vocab, ids: np.ndarray, offsets: np.ndarray) -> str:
    """sha256 of the words, counts, ids and offsets, in that order: a corpus, exactly (what
    :func:`verify_prepared` recomputes)."""
    digest = hashlib.sha256()
    _hash_vocab(digest, vocab)
    for array in (ids, offsets):
        for _, block in _blocks(array):
            digest.update(np.ascontiguousarray(block))
    return digest.hexdigest()


def check_corpus(ids: np.ndarray, offsets: np.ndarray, vocab: Vocab, longest: int | None, name: str) -> None:
    """Raise :class:`CorpusError` unless ``ids`` and ``offsets`` hold sentences the kernels can train on.

    Parameters
    ----------
    ids : (N,) int
    offsets : (S + 1,) int
    longest : int, optional
        The longest sentence the corpus claims (kernels size their scratch by it); none if None.
    """
    for what, array in (("ids", ids), ("offsets", offsets)):
        if not isinstance(array, np.ndarray) or array.ndim != 1 or array.dtype.kind not in "iu":
            raise CorpusError(f"{name}: its {what} must be a 1-D integer array, not "
                              f"{getattr(array, 'dtype', type(array).__name__)} of shape {np.shape(array)}")
    _check_counts(vocab, name)
    _walk(ids, offsets, vocab, np.iinfo(np.int64).max if longest is None else longest, name)


def verify_prepared(ids: np.ndarray, offsets: np.ndarray, vocab: Vocab, *, longest: int, split_at: int,
                    counted: bool, fingerprint: str | None, name: str) -> None:
    """Raise :class:`CorpusError` unless a prepared folder's files are what its manifest says.

    Parameters
    ----------
    ids : (N,) int32, offsets : (S + 1,) int64
        ``tokens.int32`` and ``offsets.int64``, memory-mapped.
    longest, split_at : int
        The manifest's longest sentence and the length lines were split at.
    counted : bool
        Whether the counts were counted from the text (not read from a fixed vocabulary):
        then they must be the ids' own.
    fingerprint : str, optional
        The manifest's fingerprint, when it is the content hash (folders written before it
        was hold a hash of their inputs, which cannot be checked here).
    """
    if split_at < 1:
        raise CorpusError(f"{name}: its manifest says lines were split at {split_at:,} tokens (damaged?)")
    if not 1 <= longest <= split_at:
        raise CorpusError(f"{name}: its manifest says the longest sentence has {longest:,} tokens, outside "
                          f"1..{split_at:,} (damaged?)")
    _check_counts(vocab, name)
    digest = None if fingerprint is None else hashlib.sha256()
    if digest is not None:
        _hash_vocab(digest, vocab)
    seen = _walk(ids, offsets, vocab, longest, name, counts=vocab.counts if counted else None, digest=digest)
    if seen != longest:
        raise CorpusError(f"{name}: its longest sentence has {seen:,} tokens, but the manifest says {longest:,} "
                          "(damaged?)")
    if digest is not None and digest.hexdigest() != fingerprint:
        raise CorpusError(f"{name}: its files do not match the fingerprint its manifest records (changed or damaged "
                          "since w2v prepare wrote them); prepare it again")


def _check_counts(vocab: Vocab, name: str) -> None:
    if len(vocab) and vocab.counts.min() < 1:
        word = int(np.argmin(vocab.counts))
        raise CorpusError(f"{name}: the vocabulary gives {vocab.words[word]!r} the count {int(vocab.counts[word]):,}; "
                          "every word needs a count of at least 1")
