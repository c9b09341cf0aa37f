"""CUDA training kernels (Numba's CUDA target): the fast engine's algorithm on the GPU.

``train_pieces`` trains the centre words of many pieces of sentences, one 32-thread block
(one warp) per piece at a time. For each centre word, thread 0 collects the context (the
nearest kept words within a window shrunk at random, as word2vec.c) and the targets (the
word and K noise words shared by the whole window: HogBatch), merging repeated rows with a
count; then every thread owns the vector elements ``d = thread, thread + 32, ...`` and the
block computes:

- CBOW: ``h = mean(W_in[ctx])``; ``G = alpha (labels - s(Out h))``; ``W_out[out] += G h``;
  ``W_in[ctx] += G . Out`` (all from the rows as they were: the CPU engine's batched block);
- skip-gram: ``G = alpha (labels - s(In Out^T))``; ``W_out[out] += G^T In``;
  ``W_in[ctx] += G Out`` (the CPU engine's HogBatch block).

Dot products are summed across the 32 threads through shared memory (every thread adds the
32 partial sums itself after one barrier: no shuffles, so the same code runs in Numba's
CUDA simulator, which tests it without a GPU). Randomness is counter-based: a hash of
(seed, epoch, position, purpose), so every thread agrees on which words are subsampled, and
a run depends on the seed only. Blocks update the shared weights without locks (Hogwild).

Arguments of ``train_pieces``:

ids : (N,) int32 corpus; pieces : (P, 4) int64 [start, end, sentence start, sentence end];
alphas : (count,) float32 learning rate of each piece trained (the host computes the
schedule); first, count : the pieces to train; W_in, W_out : (V, D) float32 (with subwords
W_in is (V + B, D)); offsets, rows, scratch: subwords as the CPU kernels take them (word w's
input vector is the mean of ``W_in[rows[offsets[w]:offsets[w + 1]]]``; zero-size without) and
(blocks, 2, 2 window, D) float32 in which each block builds its context's vectors; W_node, codes,
points, lengths : hierarchical softmax's (V - 1, D) float32 inner nodes and the Huffman
paths (:mod:`w2v.text.huffman`; zero-size without it); table : (T,) int32 noise table; keep : (V,)
uint64 subsampling thresholds; window, negative (0: none); variant : ``CBOW_BATCHED`` or
``SKIPGRAM_BATCHED``; shrink : word2vec.c's random window; mean : CBOW averages (else sums)
the context; seed, epoch; stats : (3,) float64 [loss sum, examples, words], added to atomically.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from .._numba.hashing import splitmix64
from ._constants import MAX_NEGATIVE, MAX_VECTOR_SIZE, MAX_WINDOW, SKIPGRAM_BATCHED, WARP
from ._math import bounded, gradient_step, label_probability

MAX_CONTEXT = 2 * MAX_WINDOW
MAX_TARGETS = MAX_NEGATIVE + 1
PER_THREAD = MAX_VECTOR_SIZE // WARP
SALT_KEEP, SALT_WINDOW, SALT_NOISE = 0, 1, 2  # noise draws use SALT_NOISE + k, k < MAX_NEGATIVE

_U = np.uint64


_mix = cuda.jit(device=True)(splitmix64)  # a well-spread 64-bit hash of a uint64


@cuda.jit(device=True)
def hashed32(seed, epoch, position, salt):
    """32 random bits (as uint64) for one decision: a hash, so any thread can recompute it."""
    key = _U(position) * _U(64) + _U(salt) + _U(epoch) * _U(0x9E3779B97F4A7C15)
    return _mix(_mix(key) ^ _U(seed)) >> _U(32)


_bounded = cuda.jit(device=True)(bounded)
_label_probability = cuda.jit(device=True)(label_probability)
_step = cuda.jit(device=True)(gradient_step)


@cuda.jit(device=True)
def _kept(seed, epoch, position, word, keep):
    return hashed32(seed, epoch, position, SALT_KEEP) < keep[word]


@cuda.jit(device=True)
def _add_row(rows, counts, n, word):
    """Add ``word`` to the first ``n`` entries of ``rows`` (counting repeats); return the new n."""
    for i in range(n):
        if rows[i] == word:
            counts[i] += 1
            return n
    rows[n] = word
    counts[n] = 1
    return n + 1


@cuda.jit(device=True)
def _block_sums(partial, n, lane, buf, out):
    """``out[j]`` = the sum over the 32 threads of their ``partial[j]``, for j < n (one barrier)."""
    for j in range(n):
        buf[j, lane] = partial[j]
    cuda.syncthreads()
    for j in range(n):
        total = np.float32(0.0)
        for t in range(WARP):
            total += buf[j, t]
        out[j] = total
    cuda.syncthreads()  # buf may be written again


@cuda.jit(device=True)
def hs_path(h, W_node, codes, points, lengths, word, alpha, lane, buf, e):
    """Hierarchical softmax of ``word`` with the hidden vector whose elements this thread holds in
    ``h`` (``d = lane, lane + 32, ...``): for each inner node on the path (label ``1 - code``),
    ``g = alpha (label - s(h . W_node[n]))``, ``e += g W_node[n]``, ``W_node[n] += g h``.
    Returns this thread's share of the loss (thread 0 holds it all)."""
    dim = W_node.shape[1]
    partial = cuda.local.array(1, np.float32)
    score = cuda.local.array(1, np.float32)
    loss = 0.0
    for j in range(lengths[word]):
        node = points[word, j]
        acc = np.float32(0.0)
        t = 0
        for d in range(lane, dim, WARP):
            acc += h[t] * W_node[node, d]
            t += 1
        partial[0] = acc
        _block_sums(partial, 1, lane, buf, score)
        label = 1 - codes[word, j]
        s, p = _label_probability(score[0], label)
        g = _step(s, label, alpha)
        if lane == 0:
            loss -= math.log(p)
        t = 0
        for d in range(lane, dim, WARP):  # each thread updates only its own elements
            e[t] += g * W_node[node, d]
            W_node[node, d] += g * h[t]
            t += 1
    return loss


@cuda.jit(device=True)
def cbow_update(W_in, W_out, ctx, ctx_count, row_counts, n_ctx, total_ctx, out, out_count, m, alpha, lane, buf,
                mean, W_node, codes, points, lengths, word):
    """One CBOW example on the block's threads (hierarchical softmax of ``word`` first when the
    tree's ``lengths`` are given); returns this thread's share of its loss. ``row_counts[i]``: how many
    rows ``W_in[ctx[i]]`` is the mean of (a subword model's composed vectors; 1 for a word's row):
    the mean is over all of them, as the CPU kernels' :func:`~w2v.fast._cpu_kernels.cbow_step` takes it."""
    dim = W_in.shape[1]
    h = cuda.local.array(PER_THREAD, np.float32)
    e_tree = cuda.local.array(PER_THREAD, np.float32)
    partial = cuda.local.array(MAX_TARGETS, np.float32)
    score = cuda.local.array(MAX_TARGETS, np.float32)
    inv = np.float32(1.0) / np.float32(total_ctx)
    context_rows = 0
    for i in range(n_ctx):
        context_rows += ctx_count[i] * row_counts[i]
    inv_rows = np.float32(1.0) / np.float32(context_rows)
    t = 0
    for d in range(lane, dim, WARP):
        acc = np.float32(0.0)
        if mean:
            for i in range(n_ctx):
                acc += np.float32(ctx_count[i] * row_counts[i]) * W_in[ctx[i], d]
            h[t] = acc * inv_rows
        else:
            for i in range(n_ctx):
                acc += np.float32(ctx_count[i]) * W_in[ctx[i], d]
            h[t] = acc
        e_tree[t] = np.float32(0.0)
        t += 1
    loss = 0.0
    if lengths.size:
        loss += hs_path(h, W_node, codes, points, lengths, word, alpha, lane, buf, e_tree)
    for j in range(m):
        acc = np.float32(0.0)
        t = 0
        for d in range(lane, dim, WARP):
            acc += h[t] * W_out[out[j], d]
            t += 1
        partial[j] = acc
    _block_sums(partial, m, lane, buf, score)
    for j in range(m):
        s, p = _label_probability(score[j], 1 if j == 0 else 0)
        score[j] = _step(s, 1.0 if j == 0 else 0.0, alpha) * np.float32(out_count[j])
        if lane == 0:
            loss -= out_count[j] * math.log(p)
    t = 0
    for d in range(lane, dim, WARP):
        e = e_tree[t]
        for j in range(m):
            e += score[j] * W_out[out[j], d]
        for j in range(m):
            W_out[out[j], d] += score[j] * h[t]
        if not mean:  # the sum's gradient is spread over the context words (gensim's cbow_mean=0)
            e *= inv
        for i in range(n_ctx):
            W_in[ctx[i], d] += np.float32(ctx_count[i]) * e
        t += 1
    return loss


@cuda.jit(device=True)
def skipgram_update(W_in, W_out, ctx, ctx_count, n_ctx, out, out_count, m, alpha, lane, buf, grad,
                    W_node, codes, points, lengths, word):
    """One HogBatch block (every context word with the shared targets), after each context
    word's hierarchical softmax of ``word`` when the tree's ``lengths`` are given; returns this
    thread's share of the loss. ``grad`` : (MAX_CONTEXT, MAX_TARGETS) float32 shared scratch."""
    dim = W_in.shape[1]
    if lengths.size:
        h = cuda.local.array(PER_THREAD, np.float32)
        e = cuda.local.array(PER_THREAD, np.float32)
        tree_loss = 0.0
        for i in range(n_ctx):
            t = 0
            for d in range(lane, dim, WARP):
                h[t] = W_in[ctx[i], d]
                e[t] = np.float32(0.0)
                t += 1
            tree_loss += ctx_count[i] * hs_path(h, W_node, codes, points, lengths, word, alpha, lane, buf, e)
            t = 0
            for d in range(lane, dim, WARP):
                W_in[ctx[i], d] += np.float32(ctx_count[i]) * e[t]
                t += 1
        cuda.syncthreads()
    else:
        tree_loss = 0.0
    partial = cuda.local.array(MAX_TARGETS, np.float32)
    score = cuda.local.array(MAX_TARGETS, np.float32)
    in_values = cuda.local.array(MAX_CONTEXT, np.float32)
    out_values = cuda.local.array(MAX_TARGETS, np.float32)
    loss = tree_loss
    for i in range(n_ctx):
        for j in range(m):
            acc = np.float32(0.0)
            for d in range(lane, dim, WARP):
                acc += W_in[ctx[i], d] * W_out[out[j], d]
            partial[j] = acc
        _block_sums(partial, m, lane, buf, score)
        for j in range(m):
            s, p = _label_probability(score[j], 1 if j == 0 else 0)
            if lane == 0:
                grad[i, j] = _step(s, 1.0 if j == 0 else 0.0, alpha)
                loss -= ctx_count[i] * out_count[j] * math.log(p)
    cuda.syncthreads()  # grad is complete
    for d in range(lane, dim, WARP):
        for i in range(n_ctx):
            in_values[i] = W_in[ctx[i], d]
        for j in range(m):
            out_values[j] = W_out[out[j], d]
        for i in range(n_ctx):
            acc = np.float32(0.0)
            for j in range(m):
                acc += np.float32(out_count[j]) * grad[i, j] * out_values[j]
            W_in[ctx[i], d] = in_values[i] + np.float32(ctx_count[i]) * acc
        for j in range(m):
            acc = np.float32(0.0)
            for i in range(n_ctx):
                acc += np.float32(ctx_count[i]) * grad[i, j] * in_values[i]
            W_out[out[j], d] = out_values[j] + np.float32(out_count[j]) * acc
    return loss


@cuda.jit(device=True)
def compose_rows(W_in, offsets, rows, ctx, n_ctx, C, C0, row_counts, lane):
    """``C[i]`` (and its copy ``C0[i]``) = the mean of the ``row_counts[i]`` rows of word ``ctx[i]`` (its own and
    its n-grams'), for i < ``n_ctx``, in the elements this thread owns (thread 0 writes ``row_counts``)."""
    dim = W_in.shape[1]
    for i in range(n_ctx):
        first, end = offsets[ctx[i]], offsets[ctx[i] + 1]
        if lane == 0:
            row_counts[i] = end - first
        inv = np.float32(1.0) / np.float32(end - first)
        for d in range(lane, dim, WARP):
            acc = np.float32(0.0)
            for r in range(first, end):
                acc += W_in[rows[r], d]
            C[i, d] = acc * inv
            C0[i, d] = C[i, d]


@cuda.jit(device=True)
def spread_rows(W_in, offsets, rows, ctx, n_ctx, C, C0, lane):
    """Each row of word ``ctx[i]`` gets what the update added to ``C[i]`` since :func:`compose_rows`
    (fastText's update: undivided), in the elements this thread owns."""
    dim = W_in.shape[1]
    for i in range(n_ctx):
        for d in range(lane, dim, WARP):
            change = C[i, d] - C0[i, d]
            for r in range(offsets[ctx[i]], offsets[ctx[i] + 1]):
                W_in[rows[r], d] += change


@cuda.jit(device=True)
def _collect(ids, position, sent_start, sent_end, word, window, shrink, negative, table, keep, seed, epoch,
             ctx, ctx_count, out, out_count, sizes):
    """Thread 0's part: the context and the targets of the centre word at ``position``.

    sizes <- [distinct context rows, context words, distinct targets (0 without negatives)].
    """
    span = window - _bounded(hashed32(seed, epoch, position, SALT_WINDOW), window) if shrink else window
    n_ctx = total = 0
    for step in (-1, 1):
        q = position + step
        taken = 0
        while sent_start <= q < sent_end and taken < span:
            other = ids[q]
            if _kept(seed, epoch, q, other, keep):
                n_ctx = _add_row(ctx, ctx_count, n_ctx, other)
                taken += 1
            q += step
        total += taken
    out[0] = word
    out_count[0] = 1
    m = 1 if negative else 0
    for k in range(negative):
        noise = table[_bounded(hashed32(seed, epoch, position, SALT_NOISE + k), table.size)]
        if noise != word:
            m = _add_row(out, out_count, m, noise)
    sizes[0] = n_ctx
    sizes[1] = total
    sizes[2] = m


@cuda.jit(device=True)
def _example(inputs, W_out, ctx, ctx_count, row_counts, n_ctx, total, out, out_count, m, alpha, lane, buf, grad,
             variant, mean, W_node, codes, points, lengths, word):
    """One centre word's update (skip-gram's HogBatch block or CBOW's example) with the input rows
    ``inputs[ctx]``; returns this thread's share of its loss."""
    if variant == SKIPGRAM_BATCHED:
        return skipgram_update(inputs, W_out, ctx, ctx_count, n_ctx, out, out_count, m, alpha, lane, buf, grad,
                               W_node, codes, points, lengths, word)
    return cbow_update(inputs, W_out, ctx, ctx_count, row_counts, n_ctx, total, out, out_count, m, alpha, lane, buf,
                       mean, W_node, codes, points, lengths, word)


@cuda.jit
def train_pieces(ids, pieces, alphas, first, count, W_in, W_out, tree, subwords, table, keep, options, seed, epoch,
                 stats):
    """Train the centre words of pieces ``first .. first + count - 1`` (see the module docstring).

    Packed as the CPU kernels' arguments are: ``tree`` is (W_node, codes, points, lengths),
    ``subwords`` (offsets, rows, scratch) and ``options`` (window, negative, variant, shrink, mean).
    """
    W_node, codes, points, lengths = tree
    offsets, rows, scratch = subwords
    window, negative, variant, shrink, mean = options
    lane = cuda.threadIdx.x
    slots = cuda.shared.array(MAX_CONTEXT, np.int32)  # the context's rows of the block's scratch
    row_counts = cuda.shared.array(MAX_CONTEXT, np.int32)  # how many rows each context vector is the mean of
    for i in range(lane, MAX_CONTEXT, WARP):
        slots[i] = i
        row_counts[i] = 1
    ctx = cuda.shared.array(MAX_CONTEXT, np.int32)
    ctx_count = cuda.shared.array(MAX_CONTEXT, np.int32)
    out = cuda.shared.array(MAX_TARGETS, np.int32)
    out_count = cuda.shared.array(MAX_TARGETS, np.int32)
    sizes = cuda.shared.array(3, np.int64)
    buf = cuda.shared.array((MAX_TARGETS, WARP), np.float32)
    grad = cuda.shared.array((MAX_CONTEXT, MAX_TARGETS), np.float32)
    loss = 0.0
    examples = 0
    words = 0
    for piece in range(first + cuda.blockIdx.x, first + count, cuda.gridDim.x):
        start, end = pieces[piece, 0], pieces[piece, 1]
        alpha = alphas[piece - first]
        words += end - start
        for position in range(start, end):
            word = ids[position]
            if not _kept(seed, epoch, position, word, keep):  # every thread takes the same branch
                continue
            if lane == 0:
                _collect(ids, position, pieces[piece, 2], pieces[piece, 3], word, window, shrink, negative, table,
                         keep, seed, epoch, ctx, ctx_count, out, out_count, sizes)
            cuda.syncthreads()
            n_ctx, total, m = sizes[0], sizes[1], sizes[2]
            if total > 0 and offsets.size:  # subwords: the context words' vectors, built in the block's scratch
                C, C0 = scratch[cuda.blockIdx.x, 0], scratch[cuda.blockIdx.x, 1]
                compose_rows(W_in, offsets, rows, ctx, n_ctx, C, C0, row_counts, lane)
                cuda.syncthreads()  # thread 0 wrote the row counts
                loss += _example(C, W_out, slots, ctx_count, row_counts, n_ctx, total, out, out_count, m, alpha, lane,
                                 buf, grad, variant, mean, W_node, codes, points, lengths, word)
                spread_rows(W_in, offsets, rows, ctx, n_ctx, C, C0, lane)
            elif total > 0:
                loss += _example(W_in, W_out, ctx, ctx_count, row_counts, n_ctx, total, out, out_count, m, alpha,
                                 lane, buf, grad, variant, mean, W_node, codes, points, lengths, word)
            if total > 0:
                examples += total if variant == SKIPGRAM_BATCHED else 1
            cuda.syncthreads()  # thread 0 may overwrite the shared context next
    if lane == 0:
        cuda.atomic.add(stats, 0, loss)
        cuda.atomic.add(stats, 1, np.float64(examples))
        cuda.atomic.add(stats, 2, np.float64(words))
