"""Compiled passes over a token-id stream for phrase detection (:mod:`w2v.text.phrases`).

The stream is int32 word ids with ``NEWLINE`` (0) between lines, as :mod:`w2v.text._tokenizer`
writes it; a bigram is two ids next to each other on one line. Each function works on one
block of the stream and carries what crosses a block boundary in a small ``state`` array,
so the stream can be read from disk a block at a time. Every write is bounds-checked: a
function returns how far it got (or ``NO_ROOM``) instead of writing past an array.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._numba.cache import CACHE
from .._numba.hashing import splitmix64
from ._tokenizer import NEWLINE, NO_ROOM

EMPTY = -1  # a free slot of the bigram table
MAX_LOAD = 0.5  # the table is full at this fraction of its slots (probes stay short)

_jit = njit(cache=CACHE, nogil=True, error_model="numpy")
_inline = njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")


@_inline
def pair_key(left, right):
    """One int64 for the bigram (left, right) of non-negative int32 ids."""
    return (np.int64(left) << np.int64(32)) | np.int64(right)


_splitmix64 = _inline(splitmix64)


@_inline
def _mix(key):
    """A well-spread 64-bit hash of an int64 key (splitmix64's finaliser)."""
    return _splitmix64(np.uint64(key))


@_jit
def partition_of(keys, bits):
    """(n,) int64: the top ``bits`` bits of each key's hash, to split spilled counts into partitions."""
    out = np.empty(keys.size, dtype=np.int64)
    for i in range(keys.size):
        out[i] = np.int64(_mix(keys[i]) >> np.uint64(64 - bits))
    return out


@_jit
def count_pairs(ids, eligible, keys, counts, state):
    """Count the bigrams of ``ids`` whose two words are both ``eligible`` into an open-addressing table.

    ids : (n,) int32 block of the stream
    eligible : (W,) bool, by id: words frequent enough to be part of a phrase
    keys, counts : (S,) int64 table, S a power of two; free slots hold ``EMPTY`` in ``keys``
    state : (2,) int64 [the id before this block (``NEWLINE`` at a line's start), slots used]

    Returns how many ids were taken: ``n``, or fewer when the table reached ``MAX_LOAD``
    (spill it, clear it, and go on from there: ``state`` is ready for that).
    """
    mask = keys.size - 1
    limit = np.int64(keys.size * MAX_LOAD)
    previous, used = state[0], state[1]
    for i in range(ids.size):
        word = ids[i]
        if previous > 0 and word > 0 and eligible[previous] and eligible[word]:
            key = pair_key(previous, word)
            slot = np.int64(_mix(key) & np.uint64(mask))
            while keys[slot] != EMPTY and keys[slot] != key:
                slot = (slot + 1) & mask
            if keys[slot] == EMPTY:
                if used >= limit:
                    state[0], state[1] = previous, used
                    return i
                keys[slot] = key
                used += 1
            counts[slot] += 1
        previous = word
    state[0], state[1] = previous, used
    return ids.size


@_jit
def rehash(keys, counts, new_keys, new_counts):
    """Move every bigram of one table (keys, counts) into a larger, empty one (new_keys, new_counts).

    Returns the bigrams moved, or ``NO_ROOM`` if the new table cannot hold them below ``MAX_LOAD``.
    """
    mask = new_keys.size - 1
    moved = 0
    for i in range(keys.size):
        key = keys[i]
        if key == EMPTY:
            continue
        if moved >= np.int64(new_keys.size * MAX_LOAD):
            return NO_ROOM
        slot = np.int64(_mix(key) & np.uint64(mask))
        while new_keys[slot] != EMPTY:
            slot = (slot + 1) & mask
        new_keys[slot] = key
        new_counts[slot] = counts[i]
        moved += 1
    return moved


@_jit
def join_pairs(ids, phrase_keys, phrase_ids, out, word_counts, state):
    """Join phrases in ``ids``, left to right: ``a b`` becomes the phrase's id when (a, b) is a phrase
    and ``a`` is not itself the end of one just joined (word2vec.c's word2phrase, gensim's Phrases).

    phrase_keys : (P,) int64 sorted :func:`pair_key` of the phrases; phrase_ids : (P,) int32 their ids
    out : (>= n + 1,) int32 the joined stream; word_counts : (W',) int64, by id, counts of what is
        written (line breaks not counted), added to
    state : (1,) int64 the word waiting for its right neighbour, carried between blocks (-1: none);
        :func:`flush_waiting` writes it out at the end of the stream

    Returns how many ids were written, or ``NO_ROOM``.
    """
    written = 0
    waiting = state[0]
    for i in range(ids.size):
        word = ids[i]
        if waiting > 0 and word > 0:
            key = pair_key(waiting, word)
            at = np.searchsorted(phrase_keys, key)
            if at < phrase_keys.size and phrase_keys[at] == key:
                if written >= out.size:
                    return NO_ROOM
                out[written] = phrase_ids[at]
                word_counts[phrase_ids[at]] += 1
                written += 1
                waiting = -1
                continue
        if waiting >= 0:
            if written >= out.size:
                return NO_ROOM
            out[written] = waiting
            if waiting != NEWLINE:
                word_counts[waiting] += 1
            written += 1
        waiting = word
    state[0] = waiting
    return written


@_jit
def flush_waiting(out, word_counts, state):
    """Write the word :func:`join_pairs` left waiting at the end of the stream (if any) to ``out``; how many."""
    if state[0] < 0:
        return 0
    if out.size < 1:
        return NO_ROOM
    out[0] = state[0]
    if state[0] != NEWLINE:
        word_counts[state[0]] += 1
    state[0] = -1
    return 1


@_jit
def render(ids, arena, starts, lengths, out, state):
    """The text of ``ids``: words separated by single spaces, ``NEWLINE`` as b"\\n".

    arena, starts, lengths : every word's UTF-8 bytes (``arena[starts[i]:starts[i] + lengths[i]]`` for id i)
    out : (m,) uint8 room for the text; state : (1,) int64, 1 while inside a line (carried between blocks)

    Returns the bytes written, or ``NO_ROOM``.
    """
    n = 0
    inside = state[0]
    for i in range(ids.size):
        word = ids[i]
        if word == NEWLINE:
            if n >= out.size:
                return NO_ROOM
            out[n] = 10
            n += 1
            inside = 0
            continue
        length = lengths[word]
        if n + length + inside > out.size:
            return NO_ROOM
        if inside:
            out[n] = 32
            n += 1
        start = starts[word]
        for k in range(length):
            out[n + k] = arena[start + k]
        n += length
        inside = 1
    state[0] = inside
    return n
