"""The CUDA kernels' logic against the CPU engine's updates: in Numba's CUDA simulator when
there is no GPU (see conftest), on the GPU when there is one."""

import numpy as np
import pytest
from numba import cuda

from w2v.fast._cpu_kernels import cbow_step, skipgram_block_step
from w2v.fast._cuda_kernels import (
    MAX_CONTEXT,
    MAX_TARGETS,
    WARP,
    cbow_update,
    compose_rows,
    hashed32,
    skipgram_update,
    spread_rows,
)

V, D = 12, 40  # D > 32: some threads own two vector elements
ALPHA = np.float32(0.2)


@cuda.jit
def _cbow(W_in, W_out, ctx, ctx_count, n_ctx, total, out, out_count, m, alpha, mean, W_node, codes, points, lengths,
          word, loss):
    buf = cuda.shared.array((MAX_TARGETS, WARP), np.float32)
    row_counts = cuda.shared.array(MAX_CONTEXT, np.int32)
    for i in range(cuda.threadIdx.x, MAX_CONTEXT, WARP):
        row_counts[i] = 1  # a word's own row each
    cuda.syncthreads()
    loss[cuda.threadIdx.x] = cbow_update(W_in, W_out, ctx, ctx_count, row_counts, n_ctx, total, out, out_count, m,
                                         alpha, cuda.threadIdx.x, buf, mean, W_node, codes, points, lengths, word)


@cuda.jit
def _skipgram(W_in, W_out, ctx, ctx_count, n_ctx, out, out_count, m, alpha, W_node, codes, points, lengths, word,
              loss):
    buf = cuda.shared.array((MAX_TARGETS, WARP), np.float32)
    grad = cuda.shared.array((MAX_CONTEXT, MAX_TARGETS), np.float32)
    loss[cuda.threadIdx.x] = skipgram_update(W_in, W_out, ctx, ctx_count, n_ctx, out, out_count, m, alpha,
                                             cuda.threadIdx.x, buf, grad, W_node, codes, points, lengths, word)


NO_TREE = (np.zeros((0, D), np.float32), np.zeros((0, 0), np.uint8), np.zeros((0, 0), np.int32),
           np.zeros(0, np.int32))


def _tree():
    """A Huffman tree over the V words and random inner-node vectors."""
    from w2v.text.huffman import huffman_tree

    tree = huffman_tree(np.arange(V, 0, -1) * 10)
    W_node = (np.random.default_rng(9).standard_normal((V - 1, D)) * 0.3).astype(np.float32)
    return W_node, tree.codes, tree.points, tree.lengths


def _weights(seed):
    rng = np.random.default_rng(seed)
    return tuple((rng.standard_normal((V, D)) * 0.3).astype(np.float32) for _ in range(2))


def _distinct(words):
    """The CUDA side's (rows, counts) form of a word list with repeats."""
    rows, counts = [], []
    for w in words:
        if w in rows:
            counts[rows.index(w)] += 1
        else:
            rows.append(w)
            counts.append(1)
    return np.array(rows, np.int32), np.array(counts, np.int32)


def test_cbow_update_equals_the_cpu_batched_step():
    W_in, W_out = _weights(0)
    ctx = np.array([3, 5, 3, 9], np.int32)  # a repeated context word
    out = np.array([4, 7, 1, 7], np.int32)  # and a noise word drawn twice
    cpu0, cpu1 = W_in.copy(), W_out.copy()
    cpu_loss = cbow_step(cpu0, cpu1, ctx, 4, out, 4, ALPHA, True, np.empty((2, D), np.float32), np.empty(4, np.float32))

    rows, counts = _distinct(ctx)
    targets, target_counts = _distinct(out)
    g0, g1, loss = cuda.to_device(W_in), cuda.to_device(W_out), cuda.to_device(np.zeros(WARP))
    _cbow[1, WARP](g0, g1, rows, counts, rows.size, 4, targets, target_counts, targets.size, ALPHA, True, *NO_TREE, 0,
                   loss)
    np.testing.assert_allclose(g0.copy_to_host(), cpu0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g1.copy_to_host(), cpu1, rtol=1e-5, atol=1e-6)
    assert loss.copy_to_host()[0] == pytest.approx(cpu_loss, rel=1e-5)


def test_skipgram_update_equals_the_cpu_hogbatch_step():
    W_in, W_out = _weights(1)
    ctx = np.array([1, 8, 8, 3, 0], np.int32)
    out = np.array([5, 2, 9, 2], np.int32)
    cpu0, cpu1 = W_in.copy(), W_out.copy()
    cpu_loss = skipgram_block_step(cpu0, cpu1, ctx, 5, out, 4, ALPHA, np.empty((4, D), np.float32),
                                   np.empty((5, 4), np.float32))

    rows, counts = _distinct(ctx)
    targets, target_counts = _distinct(out)
    g0, g1, loss = cuda.to_device(W_in), cuda.to_device(W_out), cuda.to_device(np.zeros(WARP))
    _skipgram[1, WARP](g0, g1, rows, counts, rows.size, targets, target_counts, targets.size, ALPHA, *NO_TREE, 0,
                       loss)
    np.testing.assert_allclose(g0.copy_to_host(), cpu0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g1.copy_to_host(), cpu1, rtol=1e-5, atol=1e-6)
    assert loss.copy_to_host()[0] == pytest.approx(cpu_loss, rel=1e-5)


@cuda.jit
def _draws(seed, out):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = hashed32(seed, 2, i, 1)


def test_counter_based_random_bits_are_uniform_and_reproducible():
    a, b = cuda.to_device(np.zeros(4096, np.uint64)), cuda.to_device(np.zeros(4096, np.uint64))
    _draws[16, 256](7, a)
    _draws[16, 256](7, b)
    bits = a.copy_to_host()
    np.testing.assert_array_equal(bits, b.copy_to_host())
    assert bits.max() < 2**32 and len(np.unique(bits)) > 4000
    assert abs(bits.mean() / 2**32 - 0.5) < 0.02


@pytest.mark.parametrize("mean", [True, False], ids=["mean", "sum"])
def test_cbow_update_with_hierarchical_softmax_equals_the_cpu_step(mean):
    W_in, W_out = _weights(3)
    W_node, codes, points, lengths = _tree()
    ctx = np.array([3, 5, 9], np.int32)  # distinct rows
    out = np.array([4, 7, 1], np.int32)
    cpu0, cpu1, cpu_node = W_in.copy(), W_out.copy(), W_node.copy()
    cpu_loss = cbow_step(cpu0, cpu1, ctx, 3, out, 3, ALPHA, True, np.empty((2, D), np.float32),
                         np.empty(3, np.float32), mean, (cpu_node, codes, points, lengths), 4)
    g0, g1, gn = cuda.to_device(W_in), cuda.to_device(W_out), cuda.to_device(W_node)
    loss = cuda.to_device(np.zeros(WARP))
    _cbow[1, WARP](g0, g1, ctx, np.ones(3, np.int32), 3, 3, out, np.ones(3, np.int32), 3, ALPHA, mean, gn, codes,
                   points, lengths, 4, loss)
    np.testing.assert_allclose(gn.copy_to_host(), cpu_node, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g0.copy_to_host(), cpu0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g1.copy_to_host(), cpu1, rtol=1e-5, atol=1e-6)
    assert loss.copy_to_host()[0] == pytest.approx(cpu_loss, rel=1e-5)


def test_skipgram_update_with_hierarchical_softmax_alone_equals_the_cpu_pair_steps():
    from w2v.fast._cpu_kernels import hs_step

    W_in, W_out = _weights(4)
    W_node, codes, points, lengths = _tree()
    ctx = np.array([2, 8, 6], np.int32)
    cpu0, cpu_node = W_in.copy(), W_node.copy()
    cpu_loss = 0.0
    for c in ctx:  # the CPU kernels' batched skip-gram: each context word's path, then its row
        work = np.zeros((1, D), np.float32)
        cpu_loss += hs_step(cpu0, c, cpu_node, codes, points, lengths, 5, ALPHA, work, 0)
        cpu0[c] += work[0]
    g0, g1, gn = cuda.to_device(W_in), cuda.to_device(W_out), cuda.to_device(W_node)
    loss = cuda.to_device(np.zeros(WARP))
    _skipgram[1, WARP](g0, g1, ctx, np.ones(3, np.int32), 3, np.zeros(1, np.int32), np.zeros(1, np.int32), 0, ALPHA,
                       gn, codes, points, lengths, 5, loss)
    np.testing.assert_allclose(gn.copy_to_host(), cpu_node, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g0.copy_to_host(), cpu0, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(g1.copy_to_host(), W_out)  # no negatives: W_out untouched
    assert loss.copy_to_host()[0] == pytest.approx(cpu_loss, rel=1e-5)


@cuda.jit
def _subword_cbow(W_in, offsets, rows, W_out, ctx, ctx_count, n_ctx, total, out, out_count, m, alpha, scratch, tree,
                  loss):
    buf = cuda.shared.array((MAX_TARGETS, WARP), np.float32)
    slots = cuda.shared.array(MAX_CONTEXT, np.int32)
    row_counts = cuda.shared.array(MAX_CONTEXT, np.int32)
    lane = cuda.threadIdx.x
    for i in range(lane, MAX_CONTEXT, WARP):
        slots[i] = i
    cuda.syncthreads()
    compose_rows(W_in, offsets, rows, ctx, n_ctx, scratch[0], scratch[1], row_counts, lane)
    cuda.syncthreads()
    loss[lane] = cbow_update(scratch[0], W_out, slots, ctx_count, row_counts, n_ctx, total, out, out_count, m, alpha,
                             lane, buf, True, tree[0], tree[1], tree[2], tree[3], 0)
    spread_rows(W_in, offsets, rows, ctx, n_ctx, scratch[0], scratch[1], lane)


def test_subword_cbow_update_equals_the_cpu_subword_step():
    from w2v.fast._cpu_kernels import _compose, _spread
    from w2v.text.subwords import Subwords

    words = [f"w{'x' * (i % 4)}{i}" for i in range(V)]  # words of several sizes: the mean over all rows weighs them
    offsets, rows = Subwords(2, 3, 7).rows(words, V)
    rng = np.random.default_rng(3)
    W_in, W_out = (rng.standard_normal((V + 7, D)) * 0.3).astype(np.float32), _weights(0)[1]
    ctx = np.array([3, 5, 3, 9], np.int32)
    out = np.array([4, 7, 1, 10], np.int32)
    assert len(set(np.diff(offsets)[ctx])) > 1
    cpu0, cpu1 = W_in.copy(), W_out.copy()
    C, C0, sizes = np.empty((4, D), np.float32), np.empty((4, D), np.float32), np.zeros(4, np.int64)
    for i, word in enumerate(ctx):
        sizes[i] = _compose(cpu0, (offsets, rows), word, C, C0, i, D)
    cpu_loss = cbow_step(C, cpu1, np.arange(4, dtype=np.int32), 4, out, 4, ALPHA, True, np.empty((2, D), np.float32),
                         np.empty(4, np.float32), sizes=sizes)
    for i, word in enumerate(ctx):
        _spread(cpu0, (offsets, rows), word, C, C0, i, D)

    distinct, counts = _distinct(ctx)
    targets, target_counts = _distinct(out)
    g0, g1, loss = cuda.to_device(W_in), cuda.to_device(W_out), cuda.to_device(np.zeros(WARP))
    scratch = cuda.to_device(np.zeros((2, MAX_CONTEXT, D), np.float32))
    _subword_cbow[1, WARP](g0, offsets, rows, g1, distinct, counts, distinct.size, 4, targets, target_counts,
                           targets.size, ALPHA, scratch, NO_TREE, loss)
    np.testing.assert_allclose(g0.copy_to_host(), cpu0, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g1.copy_to_host(), cpu1, rtol=1e-5, atol=1e-6)
    assert loss.copy_to_host()[0] == pytest.approx(cpu_loss, rel=1e-5)
