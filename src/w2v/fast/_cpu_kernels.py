"""Compiled (Numba) training kernels for negative sampling: word2vec.c's algorithm.

The epoch kernel trains on a list of chunks of the corpus::

    train_chunks(ids, offsets, chunk_starts, chunks, alphas, W_in, W_out, table, keep, tree, subwords, options,
                 hot, rng_state, stats)

ids : (N,) int32
    The corpus, sentence after sentence.
offsets : (S + 1,) int64
    Sentence s is ``ids[offsets[s]:offsets[s + 1]]``, at most ``MAX_SENTENCE_LENGTH`` long.
chunk_starts : (n_chunks + 1,) int64
    Chunk c is sentences ``chunk_starts[c] .. chunk_starts[c + 1] - 1``.
chunks : (m,) int64
    The chunks to train on, in order.
alphas : (m,) float32
    Learning rate for each of those chunks (the driver owns the schedule).
W_in : (V, D) float32
    Input vectors, updated in place (Hogwild: other threads may write too); with ``subwords``
    (V + B, D): the words' own rows, then B n-gram buckets'.
W_out : (V + R, D) float32
    Output vectors (the first V rows, updated in place like W_in), then the rows ``hot`` names.
table : (T,) int32
    Noise table: word ids in proportion to counts ** power.
keep : (V,) uint64
    A word is kept (not subsampled) when a 32-bit random number is below ``keep[word]``.
tree : (W_node, codes, points, lengths) or None
    Hierarchical softmax: (V - 1, D) float32 inner-node vectors, (V, L) uint8 codes, (V, L)
    int32 inner nodes and (V,) int32 path lengths (:mod:`w2v.text.huffman`); None without it.
subwords : (offsets, rows) or None
    fastText's model: word w's input vector is the mean of its rows ``W_in[rows[offsets[w]:offsets[w + 1]]]``
    (its own and its character n-grams', :mod:`w2v.text.subwords`). A word of a sentence is
    composed into a ring of scratch rows when it enters the window (:func:`_compose`), trained
    there while it is in it, and what training added to its vector goes to each of its rows,
    undivided as fastText does, when it leaves (:func:`_spread`, :func:`_slide_ring`): each
    word's n-gram rows are read and written once per occurrence, not once per window it is in.
    CBOW's hidden vector is then the mean of all the context words' rows (fastText's), each ring
    slot weighed by its word's number of rows. None: word w's vector is row w.
options : (window, negative, variant, shrink, mean)
    negative 0: no negative sampling; variant ``CBOW_PLAIN``, ``CBOW_BATCHED``,
    ``SKIPGRAM_PLAIN`` or ``SKIPGRAM_BATCHED`` (``_constants``); shrink: word2vec.c's random
    window; mean: CBOW averages the context (else sums it).
hot : (H, private, base, schedule)
    This worker trains the output rows of words 0 .. H-1 (the most frequent) in its private
    copy ``W_out[private:private + H]``, and now and then adds what it changed there since the
    last time, measured against ``W_out[base:base + H]``, to the shared rows, then copies them
    back (:func:`_merge_rows`). Rows written by every example would otherwise move between
    cores on every access. ``schedule`` : (T, 2) int64 says when: rows up to ``schedule[t, 0]``
    (from the tier before's end) merge whenever the centre words trained, masked with
    ``schedule[t, 1]`` (a power of two less one, non-decreasing), give 0, and every row merges
    at the end. H = 0: no private rows.
rng_state : (1,) uint64
    xorshift64* state, advanced in place (goes in and comes back out).
stats : (3,) float64
    Incremented in place: [sum of example losses, examples, corpus words read].
frozen : (frozen_in, frozen_out, frozen_node) or None
    A continued model's fixed rows (:class:`w2v.training.engine.Start`): rows ``0 .. frozen_in - 1``
    of W_in, ``0 .. frozen_out - 1`` of W_out and ``0 .. frozen_node - 1`` of W_node are read but
    never written, so they stay bit for bit as they were (with ``frozen_out`` > 0, ``hot`` must
    have no private rows). None: every row trains, and Numba compiles the kernels without the checks.

An example is a centre word for CBOW and a (context, centre) pair for skip-gram; its loss is
``-log s(f_pos) - sum_k log s(-f_neg_k)`` with the exact sigmoid s (word2vec.c uses a
1000-entry table). The kernels release the GIL, so threads run them on separate chunks.
CBOW and batched skip-gram draw each position's window and noise words while the position
before it trains, and prefetch the rows those words will read: a noise word's row is usually
a cache miss, and this hides it. The noise-table slots are drawn two positions ahead, so that
the table entries (4 MB of them, also cache misses) are prefetched too; the random sequence
is therefore consumed in a different order than drawing each position in turn.
The ``*_step`` functions are single updates, exposed for tests against the reference layers;
their ``width`` is the row length (a ``RowWidth``, an integer, or None for ``W_in.shape[1]``).
:func:`train_chunks` passes the model's kernel ``RowWidth(D)`` as a last argument: each row
width compiles its own kernel, in which every row loop has a constant length
(:mod:`w2v.fast._row_width`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._numba.borrowed import borrowed, keep_alive
from .._numba.cache import CACHE
from ._constants import CBOW_BATCHED, CBOW_PLAIN, MAX_SENTENCE_LENGTH, SKIPGRAM_PLAIN
from ._math import bounded, gradient_step, label_probability
from ._prefetch import prefetch, prefetch_item
from ._row_width import RowWidth, row_length

# No 'nnan'/'ninf': the sigmoid relies on IEEE semantics of exp(-|f|) at the extremes.
# error_model="numpy": no zero-division checks, which would keep loops from vectorising.
_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
_kernel = njit(nogil=True, cache=CACHE, fastmath=_FASTMATH, error_model="numpy")
# Small helpers are inlined at Numba's level, and the kernels pass them borrowed views (w2v._numba.borrowed):
# binding an array to a helper's argument would otherwise count a reference to it, atomically.
_inline = njit(nogil=True, cache=CACHE, fastmath=_FASTMATH, error_model="numpy", inline="always")

_XORSHIFT_MUL = np.uint64(0x2545F4914F6CDD1D)
_U12, _U25, _U27, _U32 = np.uint64(12), np.uint64(25), np.uint64(27), np.uint64(32)
_ONE = np.float32(1.0)
MIN_PRODUCT = 1e-200  # below this a running product of probabilities is logged and restarted


@_inline
def xorshift32(state):
    """Next 32 random bits (as uint64) of the xorshift64* generator whose state is ``state[0]``."""
    x = state[0]
    x ^= x >> _U12
    x ^= x << _U25
    x ^= x >> _U27
    state[0] = x
    return (x * _XORSHIFT_MUL) >> _U32


@_inline
def _moves(frozen, matrix, row):
    """Whether ``row`` of matrix ``matrix`` (0: W_in, 1: W_out, 2: W_node) may change: always without ``frozen``
    (Numba drops the test)."""
    if frozen is None:
        return True
    return row >= frozen[matrix]


_label_probability = _inline(label_probability)
_step = _inline(gradient_step)
_bounded = _inline(bounded)


@_inline
def _gradient(f, label, alpha):
    """word2vec.c's ``g = (label - s(f)) * alpha`` (float32) and the probability of the label."""
    s, p = _label_probability(f, label)
    return _step(s, label, alpha), p


# Row helpers take (matrix, row) pairs rather than row views: a view is a reference-counted
# object, and counting references to one shared matrix from several threads serialises them.
# D, their rows' length, is a constant of the compiled kernel.
@_inline
def _dot(A, i, B, j, D):
    """A[i] . B[j]"""
    s = np.float32(0.0)
    for k in range(D):
        s += A[i, k] * B[j, k]
    return s


@_inline
def _axpy(a, X, i, Y, j, D):
    """Y[j] += a * X[i]"""
    for k in range(D):
        Y[j, k] += a * X[i, k]


@_inline
def _dot2(A, i, B, j1, j2, D):
    """(A[i] . B[j1], A[i] . B[j2]) in one pass over A[i]."""
    s1 = np.float32(0.0)
    s2 = np.float32(0.0)
    for k in range(D):
        s1 += A[i, k] * B[j1, k]
        s2 += A[i, k] * B[j2, k]
    return s1, s2


@_inline
def _dot2x3(A, i1, i2, B, j1, j2, j3, D):
    """The six dots of rows A[i1], A[i2] with rows B[j1], B[j2], B[j3], in one pass over the five
    rows (0.8 row reads per dot against 1.5 for :func:`_dot2`)."""
    s11 = s12 = s13 = s21 = s22 = s23 = np.float32(0.0)
    for k in range(D):
        a1 = A[i1, k]
        a2 = A[i2, k]
        b1 = B[j1, k]
        b2 = B[j2, k]
        b3 = B[j3, k]
        s11 += a1 * b1
        s12 += a1 * b2
        s13 += a1 * b3
        s21 += a2 * b1
        s22 += a2 * b2
        s23 += a2 * b3
    return s11, s12, s13, s21, s22, s23


@_inline
def _axpy2(a, X, i, b, Z, j, Y, r, D):
    """Y[r] += a * X[i] + b * Z[j]: two updates for one read and write of Y[r]."""
    for k in range(D):
        Y[r, k] += a * X[i, k] + b * Z[j, k]


@_inline
def _axpy4(a, b, c, d, X, i1, i2, i3, i4, Y, r, D):
    """Y[r] += a * X[i1] + b * X[i2] + c * X[i3] + d * X[i4]: four updates for one read and write of Y[r]."""
    for k in range(D):
        Y[r, k] += (a * X[i1, k] + b * X[i2, k]) + (c * X[i3, k] + d * X[i4, k])


@_inline
def _axpy6(a, b, c, d, e, f, X, i1, i2, i3, i4, i5, i6, Y, r, D):
    """Y[r] += a X[i1] + b X[i2] + c X[i3] + d X[i4] + e X[i5] + f X[i6] in one read and write of Y[r]."""
    for k in range(D):
        Y[r, k] += ((a * X[i1, k] + b * X[i2, k]) + (c * X[i3, k] + d * X[i4, k])) + (e * X[i5, k] + f * X[i6, k])


@_inline
def _distinct(rows, m):
    """Whether ``rows[:m]`` holds no word twice."""
    for a in range(1, m):
        for b in range(a):
            if rows[a] == rows[b]:
                return False
    return True


@_inline
def _collect_update(a, W, r, X, h, e, D):
    """X[e] += a * W[r], then W[r] += a * X[h], in one pass over W[r]."""
    for k in range(D):
        w = W[r, k]
        X[e, k] += a * w
        W[r, k] = w + a * X[h, k]


@_inline
def _collect_update2(a, b, W, r1, r2, X, h, e, D):
    """X[e] += a * W[r1] + b * W[r2], then W[r1] += a * X[h] and W[r2] += b * X[h], in one pass
    over the two rows (which must differ)."""
    for k in range(D):
        w1 = W[r1, k]
        w2 = W[r2, k]
        X[e, k] += a * w1 + b * w2
        W[r1, k] = w1 + a * X[h, k]
        W[r2, k] = w2 + b * X[h, k]


@_inline
def _zero(X, i, D):
    for k in range(D):
        X[i, k] = 0.0


@_inline
def _compose(W_in, subwords, word, C, C0, i, D):
    """``C[i]`` (and its copy ``C0[i]``) = the mean of the rows of ``word``: its own and its n-grams'.
    Returns how many rows that is."""
    offsets, rows = subwords
    first, end = offsets[word], offsets[word + 1]
    _zero(C, i, D)
    tail = end - (end - first) % 4
    for r in range(first, tail, 4):
        _axpy4(_ONE, _ONE, _ONE, _ONE, W_in, rows[r], rows[r + 1], rows[r + 2], rows[r + 3], C, i, D)
    for r in range(tail, end):
        _axpy(_ONE, W_in, rows[r], C, i, D)
    inv = np.float32(1.0 / (end - first))
    for k in range(D):
        C[i, k] *= inv
        C0[i, k] = C[i, k]
    return end - first


@_inline
def _spread(W_in, subwords, word, C, C0, i, D):
    """Each row of ``word`` gets what training added to its vector ``C[i]`` since :func:`_compose`
    (fastText's update: undivided)."""
    offsets, rows = subwords
    for k in range(D):
        C[i, k] -= C0[i, k]
    for r in range(offsets[word], offsets[word + 1]):
        _axpy(_ONE, C, i, W_in, rows[r], D)


@_inline
def _slide_ring(W_in, subwords, sen, n, pos, window, C, C0, sizes, D):
    """Keep the ring of composed vectors on the window of position ``pos`` (-1: the sentence's start):
    the word that left it spreads its changes to its rows, the word that entered is composed
    (and ``sizes`` of its slot says how many rows its vector is the mean of).
    A word is composed once when it enters every window it is in, and spreads once when it leaves
    them all, so the words of one window see each other's changes to shared n-gram rows only then.
    Ring slot ``q % (2 window + 2)`` holds word ``q``."""
    R = 2 * window + 2
    if pos < 0:
        for q in range(min(window, n)):
            sizes[q % R] = _compose(W_in, subwords, sen[q], C, C0, q % R, D)
        return
    if pos - window - 1 >= 0:
        _spread(W_in, subwords, sen[pos - window - 1], C, C0, (pos - window - 1) % R, D)
    if pos + window < n:
        sizes[(pos + window) % R] = _compose(W_in, subwords, sen[pos + window], C, C0, (pos + window) % R, D)


@_inline
def _drain_ring(W_in, subwords, sen, n, window, C, C0, D):
    """After a sentence's last position: the words still in the ring spread their changes."""
    R = 2 * window + 2
    for q in range(max(0, n - window - 1), n):
        _spread(W_in, subwords, sen[q], C, C0, q % R, D)


@_inline
def _out_row(word, hot):
    """The row of W_out that ``word`` trains: this worker's private copy (``hot[1] + word``) when it
    is one of the ``hot[0]`` most frequent words, else the shared row ``word``."""
    return word + hot[1] if word < hot[0] else word


@_inline
def _take_hot_rows(W, hot, D):
    """Copy the shared rows ``W[:hot[0]]`` into this worker's private rows (from ``hot[1]``) and its
    base rows (from ``hot[2]``)."""
    count, private, base = hot[0], hot[1], hot[2]
    for h in range(count):
        for k in range(D):
            value = W[h, k]
            W[private + h, k] = value
            W[base + h, k] = value


@_inline
def _merge_rows(W, hot, first, end, D):
    """Add what this worker changed in its private copies of hot rows ``first .. end - 1`` since they
    were taken (private - base) to the shared rows, and take them again: other workers' merges since
    then come in. Two workers merging one row at the same moment can lose one's change, as
    lock-free updates can."""
    private, base = hot[1], hot[2]
    for h in range(first, end):
        for k in range(D):
            value = W[h, k] + (W[private + h, k] - W[base + h, k])
            W[h, k] = value
            W[private + h, k] = value
            W[base + h, k] = value


@_inline
def _count_and_merge(W, hot, schedule, trained, D):
    """One more centre word trained (``trained`` of them before): merge each tier of hot rows
    whose turn that makes (see ``hot`` in the module docstring). Returns the centre words trained."""
    trained += 1
    first = 0
    for t in range(schedule.shape[0]):
        if trained & schedule[t, 1]:
            break  # the later tiers' masks include this one's bits
        _merge_rows(W, hot, first, schedule[t, 0], D)
        first = schedule[t, 0]
    return trained


@_inline
def _keep_sentence(ids, start, end, keep, state, out):
    """Copy the words of ``ids[start:end]`` that survive subsampling into ``out``; return how many."""
    n = 0
    for i in range(start, end):
        word = ids[i]
        if xorshift32(state) < keep[word]:
            out[n] = word
            n += 1
    return n


@_inline
def _context(sen, n, pos, window, shrink, state, out):
    """Context words of ``sen[pos]`` into ``out`` (or, given a sentence's ring slots as ``sen``, their slots);
    return how many. With ``shrink`` the window is shrunk by a random 0..window-1 (word2vec.c's
    dynamic window), else it is fixed (gensim's ``shrink_windows=False``)."""
    reduced = _bounded(xorshift32(state), window) if shrink else 0
    count = 0
    for j in range(max(0, pos - window + reduced), min(n, pos + window - reduced + 1)):
        if j != pos:
            out[count] = sen[j]
            count += 1
    return count


@_inline
def _targets(word, negative, table, state, out, hot):
    """``out[0] = word``, then up to ``negative`` noise words from ``table`` (a draw equal to
    ``word`` is skipped, as in word2vec.c); return how many were written: 0 without negatives."""
    if negative == 0:
        return 0
    out[0] = _out_row(word, hot)
    m = 1
    for _ in range(negative):
        noise = table[_bounded(xorshift32(state), table.size)]
        if noise != word:
            out[m] = _out_row(noise, hot)
            m += 1
    return m


@_inline
def _draw_slots(negative, table, state, slots):
    """Draw ``negative`` random slots of ``table`` into ``slots`` and prefetch their entries."""
    for k in range(negative):
        slot = _bounded(xorshift32(state), table.size)
        slots[k] = slot
        prefetch_item(table, slot)


@_inline
def _resolve_targets(word, negative, table, slots, out, hot):
    """:func:`_targets` with its noise words read from ``table[slots]``, drawn earlier by :func:`_draw_slots`."""
    if negative == 0:
        return 0
    out[0] = _out_row(word, hot)
    m = 1
    for k in range(negative):
        noise = table[slots[k]]
        if noise != word:
            out[m] = _out_row(noise, hot)
            m += 1
    return m


_LINE_FLOATS = 16  # float32 values in a 64-byte cache line


@_inline
def _prefetch_rows(M, rows, count, D):
    """Hint that rows ``M[rows[:count]]`` will be read soon (every cache line of each)."""
    for i in range(count):
        for k in range(0, D, _LINE_FLOATS):
            prefetch(M, rows[i], k)


@_inline
def _draw_position(sen, tokens, n, pos, window, shrink, negative, table, state, slots, ctx, out, W_in, W_out, hot,
                   D):
    """The context of ``sen[pos]`` into ``ctx`` (:func:`_context` of ``tokens``: ``sen`` itself, or the
    ring slots of a subword model's composed vectors) and, if it has one, its targets into ``out``
    from the noise ``slots`` drawn for it; prefetch the rows of W_in (the input rows ``ctx`` names)
    and W_out they will read. Nothing past the sentence's end. Returns (context words, targets)."""
    if pos >= n:
        return 0, 0
    count = _context(tokens, n, pos, window, shrink, state, ctx)
    m = _resolve_targets(sen[pos], negative, table, slots, out, hot) if count else 0
    _prefetch_rows(W_out, out, m, D)
    _prefetch_rows(W_in, ctx, count, D)
    return count, m


@_inline
def _start_sentence(sen, tokens, n, window, shrink, negative, table, state, slots, ctx, out, W_in, W_out, hot, D):
    """Draw what the first two positions of a subsampled sentence of ``n`` words need before the
    first trains (see :func:`_draw_ahead`): noise slots for positions 0 and 1, then position 0's
    context and targets. Returns position 0's (context words, targets)."""
    for pos in range(min(n, 2)):
        _draw_slots(negative, table, state, slots[pos])
    return _draw_position(sen, tokens, n, 0, window, shrink, negative, table, state, slots[0], ctx[0], out[0], W_in,
                          W_out, hot, D)


@_inline
def _draw_ahead(sen, tokens, n, pos, window, shrink, negative, table, state, slots, ctx, out, W_in, W_out, hot, D):
    """While position ``pos`` of the sentence has yet to train: draw the noise slots of ``pos + 2``
    (prefetching their table entries), then the context and targets of ``pos + 1`` (prefetching
    their rows). Each array holds two positions, ``pos & 1`` and ``(pos + 1) & 1``; position
    ``pos`` has read its slots already, so ``pos + 2`` takes their place. Returns ``pos + 1``'s
    (context words, targets)."""
    now, ahead = pos & 1, (pos + 1) & 1
    if pos + 2 < n:
        _draw_slots(negative, table, state, slots[now])
    return _draw_position(sen, tokens, n, pos + 1, window, shrink, negative, table, state, slots[ahead], ctx[ahead],
                          out[ahead], W_in, W_out, hot, D)


@_inline
def hs_step(A, a, W_node, codes, points, lengths, word, alpha, E, e, width=None, frozen=None):
    """Hierarchical softmax for ``word`` with the hidden vector ``A[a]`` (word2vec.c's ``-hs 1``).

    For each inner node n on the word's path (label ``1 - code``): ``g = alpha (label - s(A[a] .
    W_node[n]))``, ``E[e] += g W_node[n]``, ``W_node[n] += g A[a]``, in word2vec.c's order.
    Returns the loss, -log of the product of the path's probabilities.
    """
    D = row_length(A, width)
    loss = 0.0
    product = 1.0
    for j in range(lengths[word]):
        node = points[word, j]
        g, p = _gradient(_dot(A, a, W_node, node, D), 1 - codes[word, j], alpha)
        product *= p
        if product < MIN_PRODUCT:  # a path can be longer than a product of probabilities stays normal
            loss -= math.log(product)
            product = 1.0
        _axpy(g, W_node, node, E, e, D)
        if _moves(frozen, 2, node):
            _axpy(g, A, a, W_node, node, D)
    return loss - math.log(product)


@_inline
def _cbow_hidden(W_in, ctx, count, work, H, mean, D):
    """``work[H]`` = the sum of the ``count`` context rows ``W_in[ctx]``, divided by ``count`` if ``mean``."""
    _zero(work, H, D)
    tail = count - count % 4
    for i in range(0, tail, 4):
        _axpy4(_ONE, _ONE, _ONE, _ONE, W_in, ctx[i], ctx[i + 1], ctx[i + 2], ctx[i + 3], work, H, D)
    for i in range(tail, count):
        _axpy(_ONE, W_in, ctx[i], work, H, D)
    if mean:
        inv = np.float32(1.0 / count)
        for k in range(D):
            work[H, k] *= inv


@_inline
def _cbow_hidden_rows(C, ctx, count, work, H, sizes, D):
    """``work[H]`` = the mean of all the rows of a subword model's context words, as fastText's CBOW takes it (a
    word of many n-grams weighs more): ring slot ``C[ctx[i]]`` is the mean of ``sizes[ctx[i]]`` rows."""
    _zero(work, H, D)
    total = 0
    for i in range(count):
        total += sizes[ctx[i]]
    for i in range(count):
        _axpy(np.float32(sizes[ctx[i]] / total), C, ctx[i], work, H, D)


@_inline
def _cbow_plain(W_out, out, m, alpha, work, H, E, g, D, frozen):
    """word2vec.c's order, row by row: ``g = alpha (label - s(h . row))``, ``e += g row``, ``row += g h``.
    Returns the product of the m label probabilities."""
    product = 1.0
    for j in range(m):
        g[j], p = _gradient(_dot(work, H, W_out, out[j], D), 1 if j == 0 else 0, alpha)
        product *= p
        _axpy(g[j], W_out, out[j], work, E, D)
        if _moves(frozen, 1, out[j]):
            _axpy(g[j], work, H, W_out, out[j], D)
    return product


@_inline
def _cbow_scores(W_out, out, m, alpha, work, H, g, D):
    """The batched order's first half: every score from the rows as they are, ``g[j]`` its gradient step.
    Returns the product of the m label probabilities."""
    for j in range(0, m - 1, 2):
        g[j], g[j + 1] = _dot2(work, H, W_out, out[j], out[j + 1], D)
    if m % 2:
        g[m - 1] = _dot(work, H, W_out, out[m - 1], D)
    product = 1.0
    for j in range(m):
        g[j], p = _gradient(g[j], 1 if j == 0 else 0, alpha)
        product *= p
    return product


@_inline
def _cbow_updates_distinct(W_out, out, m, work, H, E, g, D, frozen):
    """The batched updates when the m rows are distinct: each row read once, for its share of ``e`` and its
    update (a frozen row gives its share only)."""
    for j in range(0, m - 1, 2):
        if _moves(frozen, 1, out[j]) and _moves(frozen, 1, out[j + 1]):
            _collect_update2(g[j], g[j + 1], W_out, out[j], out[j + 1], work, H, E, D)
        else:
            _collect_or_share(g[j], W_out, out[j], work, H, E, D, frozen)
            _collect_or_share(g[j + 1], W_out, out[j + 1], work, H, E, D, frozen)
    if m % 2:
        _collect_or_share(g[m - 1], W_out, out[m - 1], work, H, E, D, frozen)


@_inline
def _collect_or_share(a, W, r, X, h, e, D, frozen):
    """:func:`_collect_update` of W_out's row ``r``, or only its share ``X[e] += a * W[r]`` if the row is frozen."""
    if _moves(frozen, 1, r):
        _collect_update(a, W, r, X, h, e, D)
    else:
        _axpy(a, W, r, X, e, D)


@_inline
def _cbow_updates_repeated(W_out, out, m, work, H, E, g, D, frozen):
    """The batched updates when a row repeats: every share of ``e`` first, then every update."""
    for j in range(0, m - 1, 2):
        _axpy2(g[j], W_out, out[j], g[j + 1], W_out, out[j + 1], work, E, D)
    if m % 2:
        _axpy(g[m - 1], W_out, out[m - 1], work, E, D)
    for j in range(m):
        if _moves(frozen, 1, out[j]):
            _axpy(g[j], work, H, W_out, out[j], D)


@_inline
def _cbow_spread(W_in, ctx, count, work, E, mean, D, frozen):
    """Every context row gets ``e``: undivided for the mean (word2vec.c and gensim's cbow_mean), i.e. ``count``
    times the gradient of the mean, and ``e / count`` for the sum (gensim's cbow_mean=0)."""
    if not mean:
        inv = np.float32(1.0 / count)
        for k in range(D):
            work[E, k] *= inv
    for i in range(count):
        if _moves(frozen, 0, ctx[i]):
            _axpy(_ONE, work, E, W_in, ctx[i], D)


@_inline
def cbow_step(W_in, W_out, ctx, count, out, m, alpha, batched, work, g, mean=True, tree=None, word=0, width=None,
              frozen=None, sizes=None):
    """One CBOW example: the mean (or with ``mean=False`` the sum) h of the ``count`` context
    rows ``W_in[ctx]`` scores the target ``out[0]`` (label 1) and the noise words ``out[1:m]``
    (label 0); with a ``tree`` (W_node, codes, points, lengths) hierarchical softmax of ``word``
    comes first, as in word2vec.c.

    Three update orders: plain (word2vec.c's, :func:`_cbow_plain`); batched, all m scores first
    (:func:`_cbow_scores`), then the updates, in one pass over each row when the m rows are
    distinct (:func:`_cbow_updates_distinct`), else shares of ``e`` first
    (:func:`_cbow_updates_repeated`). Finally :func:`_cbow_spread` hands ``e`` to the context rows.
    ``work`` : (2, D) scratch for h and e; ``g`` : (m,) scratch.
    ``frozen``: rows that never change (see the module docstring). ``sizes``: a subword model's
    ring of composed vectors as ``W_in``, the mean taken over all their rows (:func:`_cbow_hidden_rows`).
    Returns the example's loss, -log(product of its label probabilities).
    """
    D = row_length(W_in, width)
    H, E = 0, 1
    if sizes is not None and mean:  # Numba drops the branch without sizes
        _cbow_hidden_rows(W_in, ctx, count, work, H, sizes, D)
    else:
        _cbow_hidden(W_in, ctx, count, work, H, mean, D)
    _zero(work, E, D)
    loss = 0.0
    if tree is not None:  # Numba drops the branch when the tree is None
        loss += hs_step(work, H, tree[0], tree[1], tree[2], tree[3], word, alpha, work, E, D, frozen)
    if batched:
        product = _cbow_scores(W_out, out, m, alpha, work, H, g, D)
        if _distinct(out, m):
            _cbow_updates_distinct(W_out, out, m, work, H, E, g, D, frozen)
        else:
            _cbow_updates_repeated(W_out, out, m, work, H, E, g, D, frozen)
    else:
        product = _cbow_plain(W_out, out, m, alpha, work, H, E, g, D, frozen)
    _cbow_spread(W_in, ctx, count, work, E, mean, D, frozen)
    return loss - math.log(product)


@_inline
def skipgram_pair_step(W_in, W_out, context, out, m, alpha, work, tree=None, word=0, width=None, frozen=None):
    """One word2vec.c skip-gram example: ``W_in[context]`` scores ``out[0]`` (label 1) and
    ``out[1:m]`` (label 0), row by row as in :func:`cbow_step`'s plain mode, after hierarchical
    softmax of ``word`` with a ``tree``; returns its loss. ``work`` : (1, D) scratch."""
    D = row_length(W_in, width)
    _zero(work, 0, D)
    loss = 0.0
    if tree is not None:
        loss += hs_step(W_in, context, tree[0], tree[1], tree[2], tree[3], word, alpha, work, 0, D, frozen)
    product = 1.0
    for j in range(m):
        g, p = _gradient(_dot(W_in, context, W_out, out[j], D), 1 if j == 0 else 0, alpha)
        product *= p
        _axpy(g, W_out, out[j], work, 0, D)
        if _moves(frozen, 1, out[j]):
            _axpy(g, W_in, context, W_out, out[j], D)
    if _moves(frozen, 0, context):
        _axpy(_ONE, work, 0, W_in, context, D)
    return loss - math.log(product)


@_inline
def skipgram_block_step(W_in, W_out, ctx, count, out, m, alpha, out_rows, grad, width=None, frozen=None):
    """HogBatch (Ji et al.): the ``count`` context rows share one set of noise words::

        In = W_in[ctx]; Out = W_out[out]; G = alpha (labels - s(In Out^T))   # (count, m)
        W_out[out] += G^T In;  W_in[ctx] += G Out                          # repeats add up

    ``out_rows`` : (>= m, D) and ``grad`` : (>= count, >= m) are scratch.
    Returns the summed loss of the ``count`` examples.
    """
    D = row_length(W_in, width)
    for j in range(m):
        row = out[j]  # read once: a store to out_rows might alias out, so LLVM would reload it per element
        for k in range(D):
            out_rows[j, k] = W_out[row, k]
    # All scores first, two context rows by three output rows at a time: independent sums
    # overlap well, and each row read serves several of them.
    for i in range(0, count - 1, 2):
        for j in range(0, m - 2, 3):
            (grad[i, j], grad[i, j + 1], grad[i, j + 2], grad[i + 1, j], grad[i + 1, j + 1],
             grad[i + 1, j + 2]) = _dot2x3(W_in, ctx[i], ctx[i + 1], out_rows, j, j + 1, j + 2, D)
        for j in range(m - m % 3, m):
            grad[i, j], grad[i + 1, j] = _dot2(out_rows, j, W_in, ctx[i], ctx[i + 1], D)
    if count % 2:
        i = count - 1
        for j in range(0, m - 1, 2):
            grad[i, j], grad[i, j + 1] = _dot2(W_in, ctx[i], out_rows, j, j + 1, D)
        if m % 2:
            grad[i, m - 1] = _dot(W_in, ctx[i], out_rows, m - 1, D)
    loss = 0.0
    for i in range(count):
        product = 1.0
        for j in range(m):
            grad[i, j], p = _gradient(grad[i, j], 1 if j == 0 else 0, alpha)
            product *= p
        loss -= math.log(product)
    # Each row is updated in place, four (W_in: six) source rows per pass: W_out first, while W_in
    # still holds In; W_in from the copy of Out.
    tail = count - count % 4
    for j in range(m):
        row = out[j]
        if not _moves(frozen, 1, row):
            continue
        for i in range(0, tail, 4):
            _axpy4(grad[i, j], grad[i + 1, j], grad[i + 2, j], grad[i + 3, j], W_in, ctx[i], ctx[i + 1], ctx[i + 2],
                   ctx[i + 3], W_out, row, D)
        if count - tail >= 2:
            _axpy2(grad[tail, j], W_in, ctx[tail], grad[tail + 1, j], W_in, ctx[tail + 1], W_out, row, D)
        if count % 2:
            _axpy(grad[count - 1, j], W_in, ctx[count - 1], W_out, row, D)
    six = m - m % 6
    tail = six + (m - six) // 4 * 4
    for i in range(count):
        row = ctx[i]
        if not _moves(frozen, 0, row):
            continue
        for j in range(0, six, 6):
            _axpy6(grad[i, j], grad[i, j + 1], grad[i, j + 2], grad[i, j + 3], grad[i, j + 4], grad[i, j + 5],
                   out_rows, j, j + 1, j + 2, j + 3, j + 4, j + 5, W_in, row, D)
        for j in range(six, tail, 4):
            _axpy4(grad[i, j], grad[i, j + 1], grad[i, j + 2], grad[i, j + 3], out_rows, j, j + 1, j + 2, j + 3,
                   W_in, row, D)
        if m - tail >= 2:
            _axpy2(grad[i, tail], out_rows, tail, grad[i, tail + 1], out_rows, tail + 1, W_in, row, D)
        if m % 2:
            _axpy(grad[i, m - 1], out_rows, m - 1, W_in, row, D)
    return loss


def train_chunks(ids, offsets, chunk_starts, chunks, alphas, W_in, W_out, table, keep, tree, subwords, options, hot,
                 rng_state, stats, frozen=None):
    """Train on ``chunks`` (see the module docstring for every argument) with the model's kernel.

    One compiled kernel per model, and one specialisation with and one without a ``tree`` (and
    ``subwords``), so a run compiles only the code it uses.
    """
    kernel = train_cbow_chunks if options[2] in (CBOW_PLAIN, CBOW_BATCHED) else train_skipgram_chunks
    kernel(ids, offsets, chunk_starts, chunks, alphas, W_in, W_out, table, keep, tree, subwords, options, hot,
           rng_state, stats, frozen, RowWidth(W_in.shape[1]))


@_inline
def _sentence_scratch(window, negative):
    """What both chunk kernels draw a sentence into: its kept words, and this position's and the next one's
    context rows, target rows and noise-table slots (drawn ahead)."""
    return (np.empty(MAX_SENTENCE_LENGTH, dtype=np.int32), np.empty((2, 2 * window), dtype=np.int32),
            np.empty((2, negative + 1), dtype=np.int32), np.empty((2, negative), dtype=np.int64))


@_inline
def _subword_scratch(window, D):
    """A subword model's ring of composed vectors (:func:`_slide_ring`), a copy of them, each sentence
    position's ring slot (the ids the kernels' steps read the vectors by) and each slot's number of rows."""
    R = 2 * window + 2
    return (np.empty((R, D), dtype=np.float32), np.empty((R, D), dtype=np.float32),
            (np.arange(MAX_SENTENCE_LENGTH) % R).astype(np.int32), np.zeros(R, dtype=np.int64))


@_inline
def _end_chunks(W_out, hot_rows, stats, loss, examples, words, D):
    """Both chunk kernels' last step: the private hot rows merged into the shared ones, and the stats added."""
    _merge_rows(W_out, hot_rows, 0, hot_rows[0], D)
    stats[0] += loss
    stats[1] += examples
    stats[2] += words


@_kernel
def train_cbow_chunks(ids, offsets, chunk_starts, chunks, alphas, W_in, W_out, table, keep, tree, subwords, options,
                      hot, rng_state, stats, frozen, row_width):
    """CBOW's :func:`train_chunks`: one example per centre word."""
    D = row_length(W_in, row_width)
    ids, offsets, chunk_starts, chunks, alphas, W_in, W_out, table, keep, rng_state = borrowed(
        ids, offsets, chunk_starts, chunks, alphas, W_in, W_out, table, keep, rng_state)  # the caller keeps them
    hot_rows, schedule = (hot[0], hot[1], hot[2]), borrowed(hot[3])  # ints and the schedule apart
    window, negative, variant, shrink, mean = options
    owners = _sentence_scratch(window, negative) + (np.empty(negative + 1, dtype=np.float32),
                                                    np.empty((2, D), dtype=np.float32)) + _subword_scratch(window, D)
    sen, ctx, out, slots, g, work, C, C0, slot, sizes = borrowed(*owners)  # owners to keep_alive()
    loss, examples, words = 0.0, 0, 0
    _take_hot_rows(W_out, hot_rows, D)
    trained = 0  # centre words trained: the hot rows' merge schedule counts them
    for c in range(chunks.size):
        alpha = alphas[c]
        for s in range(chunk_starts[chunks[c]], chunk_starts[chunks[c] + 1]):
            words += offsets[s + 1] - offsets[s]
            n = _keep_sentence(ids, offsets[s], offsets[s + 1], keep, rng_state, sen)
            if subwords is not None:  # Numba drops the branch without subwords
                inputs, tokens, ring_sizes = C, slot, sizes
                _slide_ring(W_in, subwords, sen, n, -1, window, C, C0, sizes, D)
            else:
                inputs, tokens, ring_sizes = W_in, sen, None
            count, m = _start_sentence(sen, tokens, n, window, shrink, negative, table, rng_state, slots, ctx, out,
                                       inputs, W_out, hot_rows, D)
            for pos in range(n):
                now = pos & 1
                next_count, next_m = _draw_ahead(sen, tokens, n, pos, window, shrink, negative, table, rng_state,
                                                 slots, ctx, out, inputs, W_out, hot_rows, D)
                if subwords is not None:
                    _slide_ring(W_in, subwords, sen, n, pos, window, C, C0, sizes, D)
                if count:
                    loss += cbow_step(inputs, W_out, ctx[now], count, out[now], m, alpha, variant == CBOW_BATCHED,
                                      work, g, mean, tree, sen[pos], D, frozen, ring_sizes)
                    examples += 1
                    trained = _count_and_merge(W_out, hot_rows, schedule, trained, D)
                count, m = next_count, next_m
            if subwords is not None:
                _drain_ring(W_in, subwords, sen, n, window, C, C0, D)
    _end_chunks(W_out, hot_rows, stats, loss, examples, words, D)
    keep_alive(owners)


@_kernel
def train_skipgram_chunks(ids, offsets, chunk_starts, chunks, alphas, W_in, W_out, table, keep, tree, subwords,
                          options, hot, rng_state, stats, frozen, row_width):
    """Skip-gram's :func:`train_chunks`: one example per (context, centre) pair."""
    D = row_length(W_in, row_width)
    ids, offsets, chunk_starts, chunks, alphas, W_in, W_out, table, keep, rng_state = borrowed(
        ids, offsets, chunk_starts, chunks, alphas, W_in, W_out, table, keep, rng_state)  # the caller keeps them
    hot_rows, schedule = (hot[0], hot[1], hot[2]), borrowed(hot[3])  # ints and the schedule apart
    window, negative, variant, shrink, _ = options
    owners = _sentence_scratch(window, negative) + (
        np.empty((1, D), dtype=np.float32), np.empty((negative + 1, D), dtype=np.float32),
        np.empty((2 * window, negative + 1), dtype=np.float32)) + _subword_scratch(window, D)
    sen, ctx, out, slots, work, out_rows, grad, C, C0, slot, sizes = borrowed(*owners)  # owners to keep_alive()
    loss, examples, words = 0.0, 0, 0
    _take_hot_rows(W_out, hot_rows, D)
    trained = 0  # centre words trained: the hot rows' merge schedule counts them
    for c in range(chunks.size):
        alpha = alphas[c]
        for s in range(chunk_starts[chunks[c]], chunk_starts[chunks[c] + 1]):
            words += offsets[s + 1] - offsets[s]
            n = _keep_sentence(ids, offsets[s], offsets[s + 1], keep, rng_state, sen)
            if subwords is not None:  # Numba drops the branch without subwords
                inputs, tokens = C, slot
                _slide_ring(W_in, subwords, sen, n, -1, window, C, C0, sizes, D)
            else:
                inputs, tokens = W_in, sen
            if variant == SKIPGRAM_PLAIN:
                for pos in range(n):
                    if subwords is not None:
                        _slide_ring(W_in, subwords, sen, n, pos, window, C, C0, sizes, D)
                    count = _context(tokens, n, pos, window, shrink, rng_state, ctx[0])
                    for i in range(count):
                        m = _targets(sen[pos], negative, table, rng_state, out[0], hot_rows)
                        loss += skipgram_pair_step(inputs, W_out, ctx[0, i], out[0], m, alpha, work, tree, sen[pos],
                                                   D, frozen)
                    examples += count
                    trained = _count_and_merge(W_out, hot_rows, schedule, trained, D)
            else:
                count, m = _start_sentence(sen, tokens, n, window, shrink, negative, table, rng_state, slots, ctx, out,
                                           inputs, W_out, hot_rows, D)
                for pos in range(n):
                    now = pos & 1
                    next_count, next_m = _draw_ahead(sen, tokens, n, pos, window, shrink, negative, table, rng_state,
                                                     slots, ctx, out, inputs, W_out, hot_rows, D)
                    if subwords is not None:
                        _slide_ring(W_in, subwords, sen, n, pos, window, C, C0, sizes, D)
                    if tree is not None:  # each context word's path first, then the window's shared negatives
                        for i in range(count):
                            _zero(work, 0, D)
                            loss += hs_step(inputs, ctx[now, i], tree[0], tree[1], tree[2], tree[3], sen[pos], alpha,
                                            work, 0, D, frozen)
                            if _moves(frozen, 0, ctx[now, i]):
                                _axpy(_ONE, work, 0, inputs, ctx[now, i], D)
                    if m:
                        loss += skipgram_block_step(inputs, W_out, ctx[now], count, out[now], m, alpha, out_rows,
                                                    grad, D, frozen)
                    examples += count
                    trained = _count_and_merge(W_out, hot_rows, schedule, trained, D)
                    count, m = next_count, next_m
            if subwords is not None:
                _drain_ring(W_in, subwords, sen, n, window, C, C0, D)
    _end_chunks(W_out, hot_rows, stats, loss, examples, words, D)
    keep_alive(owners)
