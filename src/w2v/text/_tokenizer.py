"""A compiled tokenizer: UTF-8 bytes -> word ids in order of first appearance, with counts.

Splitting 17 million words with ``str.split`` and a dict costs seconds in Python, mostly in
creating and hashing one string object per token. This splits the raw bytes exactly where
``str.split()`` would (ASCII and Unicode whitespace) and interns tokens in an open-addressing
hash table (FNV-1a, byte-compared on a hash match, so distinct words never merge). Only the
distinct words ever become Python strings.

Every compiled function checks the room it writes into and returns an error code instead of
writing past it, whatever the input holds; the Python wrappers size the buffers so that the
codes never occur, and raise if one does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._numba.borrowed import borrowed
from .._numba.cache import CACHE

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
NEWLINE = 0  # the id given to every line break in the token stream
UNKNOWN = -1  # the id of a word outside a frozen table
NO_ROOM = -1  # what the compiled functions return instead of writing past a buffer

_jit = njit(cache=CACHE, nogil=True, error_model="numpy")
_inline = njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")


@_inline
def _ascii_space(b):
    return b == 32 or 9 <= b <= 13 or 28 <= b <= 31


@_jit
def _space_length(buf, i):
    """Bytes of the whitespace character starting at ``buf[i]`` (what ``str.split()`` splits on), or 0."""
    b = buf[i]
    if _ascii_space(b):
        return 1
    n = buf.size
    if b == 0xC2 and i + 1 < n and (buf[i + 1] == 0x85 or buf[i + 1] == 0xA0):
        return 2
    if b == 0xE1 and i + 2 < n and buf[i + 1] == 0x9A and buf[i + 2] == 0x80:
        return 3
    if b == 0xE2 and i + 2 < n:
        c, d = buf[i + 1], buf[i + 2]
        if c == 0x80 and (d <= 0x8A or d == 0xA8 or d == 0xA9 or d == 0xAF):
            return 3
        if c == 0x81 and d == 0x9F:
            return 3
    if b == 0xE3 and i + 2 < n and buf[i + 1] == 0x80 and buf[i + 2] == 0x80:
        return 3
    return 0


@_inline
def _first_slot(h, mask):
    # FNV-1a's low bits depend only on the inputs' low bits: fold the high half in.
    return np.int64((h ^ (h >> np.uint64(29))) & np.uint64(mask))


@_inline
def _same_bytes(buf, start, length, arena, arena_start):
    for k in range(length):
        if buf[start + k] != arena[arena_start + k]:
            return False
    return True


_SPACE, _LINE_BREAK, _TOKEN = 0, 1, 2


@_inline
def _next_item(buf, i):
    """What starts at ``buf[i]``: (kind, index after it, FNV-1a hash of a token's bytes)."""
    b = buf[i]
    if b == 10:
        return _LINE_BREAK, i + 1, _FNV_OFFSET
    if _ascii_space(b):
        return _SPACE, i + 1, _FNV_OFFSET
    if b >= 0x80:
        space = _space_length(buf, i)
        if space:
            return _SPACE, i + space, _FNV_OFFSET
    h = _FNV_OFFSET
    end = buf.size
    while i < end:  # ASCII bytes take the fast path
        b = buf[i]
        if b < 0x80:
            if b == 10 or _ascii_space(b):
                break
        elif _space_length(buf, i):
            break
        h = (h ^ np.uint64(b)) * _FNV_PRIME
        i += 1
    return _TOKEN, i, h


@_jit
def first_bad_byte(buf):
    """Index of the first byte of ``buf`` that breaks UTF-8 (or is NUL), or -1 if there is none.

    Overlong forms, surrogates and code points above U+10FFFF count as broken, as in Python's
    decoder; a character cut by the end of ``buf`` does too.
    """
    i, n = 0, buf.size
    while i < n:
        b = buf[i]
        if b < 0x80:
            if b == 0:
                return i
            i += 1
            continue
        if 0xC2 <= b <= 0xDF:
            need, lo, hi = 1, 0x80, 0xBF
        elif 0xE0 <= b <= 0xEF:
            need = 2
            lo = 0xA0 if b == 0xE0 else 0x80
            hi = 0x9F if b == 0xED else 0xBF
        elif 0xF0 <= b <= 0xF4:
            need = 3
            lo = 0x90 if b == 0xF0 else 0x80
            hi = 0x8F if b == 0xF4 else 0xBF
        else:
            return i
        if i + need >= n:
            return i
        if not lo <= buf[i + 1] <= hi:
            return i
        for k in range(2, need + 1):
            if not 0x80 <= buf[i + k] <= 0xBF:
                return i
        i += need + 1
    return -1


@_jit
def encode_bytes(buf, out, slots, hashes, word_starts, word_lengths, arena, counts, firsts, sizes, frozen):
    """Split ``buf`` into tokens and write their ids to ``out``, ``NEWLINE`` at every b"\\n".

    The table is (slots, hashes, word_starts, word_lengths, arena, counts, firsts; ``sizes`` =
    [ids given, arena bytes used, tokens seen]). A new word is added (``firsts`` records the
    token count at its first appearance) unless ``frozen``, when it gets ``UNKNOWN`` and is
    not counted. Returns how many ids were written, or ``NO_ROOM`` if ``out`` or the table ran
    out of room (nothing is written past either). (The look-up is written inline: as a
    function it ran slower. The arrays are borrowed views, :mod:`w2v._numba.borrowed`:
    the inlined helpers would otherwise count references to them for every token.)
    """
    buf, out, slots, hashes, word_starts, word_lengths, arena, counts, firsts, sizes = borrowed(
        buf, out, slots, hashes, word_starts, word_lengths, arena, counts, firsts, sizes)
    mask = slots.size - 1
    n = 0
    i = 0
    while i < buf.size:
        start = i
        kind, i, h = _next_item(buf, i)
        if kind == _SPACE:
            continue
        if n >= out.size:
            return NO_ROOM
        if kind == _LINE_BREAK:
            out[n] = NEWLINE
            n += 1
            continue
        length = i - start
        slot = _first_slot(h, mask)
        while True:
            word = slots[slot]
            if word < 0 or (
                hashes[word] == h and word_lengths[word] == length
                and _same_bytes(buf, start, length, arena, word_starts[word])
            ):
                break
            slot = (slot + 1) & mask
        if word < 0:
            if frozen:
                sizes[2] += 1
                out[n] = UNKNOWN
                n += 1
                continue
            word = sizes[0]
            base = sizes[1]
            # A full table would make the probe above loop forever: keep it at most half full.
            if word >= hashes.size or base + length > arena.size or 2 * (word + 1) > slots.size:
                return NO_ROOM
            sizes[0] += 1
            slots[slot] = word
            hashes[word] = h
            word_starts[word] = base
            word_lengths[word] = length
            firsts[word] = sizes[2]
            for k in range(length):
                arena[base + k] = buf[start + k]
            sizes[1] += length
        counts[word] += 1
        sizes[2] += 1
        out[n] = word
        n += 1
    return n


@_jit
def _rehash(slots, hashes, n_words):
    mask = slots.size - 1
    for word in range(n_words):
        slot = _first_slot(hashes[word], mask)
        while slots[slot] >= 0:
            slot = (slot + 1) & mask
        slots[slot] = word


@_jit
def remap(raw, new_id, ids, lengths, state, max_length):
    """Vocabulary ids for a raw token stream, and the lengths of the sentences it completes.

    raw : (n,) int32 provisional ids with ``NEWLINE`` between lines (``UNKNOWN`` is dropped)
    new_id : (W,) int32 vocabulary id of each provisional id, -1 for words left out
    ids : (>= n,) int32 output, which may be ``raw`` itself (ids are never written ahead of
        the token being read); lengths : (m,) int64 output, tokens kept per non-empty sentence
    state : (1,) int64 tokens kept so far in the sentence in progress, carried from one call to
        the next (so a stream can be remapped in pieces)
    max_length : a sentence is ended after this many kept tokens (a longer line becomes several)

    Returns (ids written, sentence lengths written), or (NO_ROOM, NO_ROOM) when an output is full.
    """
    n_ids, n_lines, current = 0, 0, state[0]
    for token in raw:
        if token == NEWLINE:
            if current:
                if n_lines >= lengths.size:
                    return NO_ROOM, NO_ROOM
                lengths[n_lines] = current
                n_lines += 1
                current = 0
            continue
        if token < 0:
            continue
        word = new_id[token]
        if word >= 0:
            if n_ids >= ids.size or n_lines >= lengths.size:
                return NO_ROOM, NO_ROOM
            ids[n_ids] = word
            n_ids += 1
            current += 1
            if current == max_length:
                lengths[n_lines] = current
                n_lines += 1
                current = 0
    state[0] = current
    return n_ids, n_lines


@_jit
def add_counts(data, starts, lengths, counts, firsts, slots, hashes, word_starts, word_lengths, arena, table_counts,
               table_firsts, sizes):
    """Add words given as bytes (``data[starts[i]:starts[i] + lengths[i]]``) with their counts and
    first positions to the table: counts add up, the earliest first position stays.

    Returns how many were added, or ``NO_ROOM`` if the table ran out of room first.
    """
    data, starts, lengths, counts, firsts, slots, hashes, word_starts, word_lengths, arena, table_counts, \
        table_firsts, sizes = borrowed(data, starts, lengths, counts, firsts, slots, hashes, word_starts, word_lengths,
                                       arena, table_counts, table_firsts, sizes)
    mask = slots.size - 1
    for i in range(starts.size):
        start, length = starts[i], lengths[i]
        h = _FNV_OFFSET
        for k in range(start, start + length):
            h = (h ^ np.uint64(data[k])) * _FNV_PRIME
        slot = _first_slot(h, mask)
        while True:
            word = slots[slot]
            if word < 0 or (
                hashes[word] == h and word_lengths[word] == length
                and _same_bytes(data, start, length, arena, word_starts[word])
            ):
                break
            slot = (slot + 1) & mask
        if word < 0:
            word = sizes[0]
            base = sizes[1]
            if word >= hashes.size or base + length > arena.size or 2 * (word + 1) > slots.size:
                return NO_ROOM
            sizes[0] += 1
            slots[slot] = word
            hashes[word] = h
            word_starts[word] = base
            word_lengths[word] = length
            table_firsts[word] = firsts[i]
            for k in range(length):
                arena[base + k] = data[start + k]
            sizes[1] += length
        table_counts[word] += counts[i]
        table_firsts[word] = min(table_firsts[word], firsts[i])
    return starts.size


class Interner:
    """The growing table of distinct tokens; ``encode(chunk)`` returns a chunk's int32 ids.

    Id 0 (``NEWLINE``) stands for line breaks; words get 1, 2, ... in order of first appearance.
    ``frozen=True`` looks words up without adding new ones (they get ``UNKNOWN``).
    """

    _ARRAYS = ("hashes", "word_starts", "word_lengths", "counts", "firsts")

    def __init__(self, capacity: int = 1 << 16):
        self.sizes = np.array([1, 0, 0], dtype=np.int64)  # [ids given (NEWLINE included), arena bytes, tokens]
        self.hashes = np.zeros(capacity, dtype=np.uint64)
        self.word_starts = np.zeros(capacity, dtype=np.int64)
        self.word_lengths = np.zeros(capacity, dtype=np.int64)
        self.counts = np.zeros(capacity, dtype=np.int64)
        self.firsts = np.zeros(capacity, dtype=np.int64)
        self.arena = np.zeros(capacity * 8, dtype=np.uint8)
        self.slots = np.full(4 * capacity, -1, dtype=np.int32)

    def __len__(self) -> int:
        """Distinct words (the line break not counted)."""
        return int(self.sizes[0]) - 1

    @property
    def nbytes(self) -> int:
        """Memory the table holds."""
        return sum(getattr(self, name).nbytes for name in (*self._ARRAYS, "arena", "slots"))

    @property
    def tokens(self) -> int:
        """Tokens seen so far (line breaks not counted)."""
        return int(self.sizes[2])

    def _reserve(self, new_words: int, new_bytes: int) -> None:
        words_needed = int(self.sizes[0]) + new_words
        if words_needed > self.hashes.size:
            size = max(words_needed, 2 * self.hashes.size)
            for name in self._ARRAYS:
                old = getattr(self, name)
                grown = np.zeros(size, dtype=old.dtype)
                grown[: old.size] = old
                setattr(self, name, grown)
            self.slots = np.full(1 << int(np.ceil(np.log2(2 * size))), -1, dtype=np.int32)
            _rehash(self.slots, self.hashes, int(self.sizes[0]))
        bytes_needed = int(self.sizes[1]) + new_bytes
        if bytes_needed > self.arena.size:
            grown = np.zeros(max(bytes_needed, 2 * self.arena.size), dtype=np.uint8)
            grown[: self.arena.size] = self.arena
            self.arena = grown

    def _table(self) -> tuple:
        return (self.slots, self.hashes, self.word_starts, self.word_lengths, self.arena)

    def encode(self, chunk: bytes | np.ndarray, out: np.ndarray | None = None, *, frozen: bool = False) -> np.ndarray:
        """The int32 ids of the tokens (and line breaks) of ``chunk``, written to ``out`` if given.

        A chunk of b bytes gives at most b ids; ``out`` must have room for them.
        """
        buf = np.frombuffer(chunk, dtype=np.uint8)
        if not frozen:
            self._reserve(buf.size // 2 + 1, buf.size)  # new words need a byte and a separator each
        if out is None:
            out = np.empty(buf.size, dtype=np.int32)
        n = encode_bytes(buf, out, *self._table(), self.counts, self.firsts, self.sizes, frozen)
        if n < 0:
            raise MemoryError("the tokenizer's buffers are too small for this chunk")  # a bug: sizes are reserved
        return out[:n]

    def add(self, data: np.ndarray, starts: np.ndarray, lengths: np.ndarray, counts: np.ndarray,
            firsts: np.ndarray) -> None:
        """Add words (their bytes in ``data`` at ``starts``/``lengths``) with counts and first positions."""
        self._reserve(starts.size, int(lengths.sum()))
        if add_counts(data, starts, lengths, counts, firsts, *self._table(), self.counts, self.firsts, self.sizes) < 0:
            raise MemoryError("the tokenizer's table is too small")  # a bug: sizes are reserved

    def word_bytes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(arena, starts, lengths) of the words 1..W-1: their UTF-8 bytes, without Python strings."""
        n = int(self.sizes[0])
        return self.arena[: int(self.sizes[1])], self.word_starts[1:n], self.word_lengths[1:n]

    def words_at(self, ids: np.ndarray) -> list[str]:
        """The words with provisional ids ``ids`` (decoding only those)."""
        arena = self.arena[: int(self.sizes[1])].tobytes()
        starts, lengths = self.word_starts[ids].tolist(), self.word_lengths[ids].tolist()
        return [arena[s : s + n].decode("utf-8") for s, n in zip(starts, lengths)]

    @property
    def words(self) -> list[str]:
        """Every distinct token, by id (index 0, the line break, is "")."""
        arena = self.arena.tobytes()
        starts, lengths = self.word_starts, self.word_lengths
        return [""] + [arena[starts[i] : starts[i] + lengths[i]].decode("utf-8") for i in range(1, int(self.sizes[0]))]

    @property
    def word_counts(self) -> np.ndarray:
        """(W,) int64 counts by id; the line break's count is 0."""
        counts = self.counts[: int(self.sizes[0])].copy()
        counts[NEWLINE] = 0
        return counts

    @property
    def first_positions(self) -> np.ndarray:
        """(W,) int64: how many tokens came before each word's first appearance (0 for the line break)."""
        firsts = self.firsts[: int(self.sizes[0])].copy()
        firsts[NEWLINE] = 0
        return firsts
