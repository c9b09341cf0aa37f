"""The compiled kernels against the reference layers and against NumPy statements of their updates."""

import numpy as np
import pytest

from w2v.fast._cpu_kernels import cbow_step, skipgram_block_step, skipgram_pair_step, xorshift32
from w2v.reference.models import CBOW, SkipGram
from w2v.reference.optim import SGD

V, D = 12, 8
ALPHA = np.float32(0.3)


def weights(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((V, D)).astype(np.float32) * 0.5, rng.standard_normal((V, D)).astype(np.float32) * 0.5


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def labels(m):
    t = np.zeros(m, dtype=np.float32)
    t[0] = 1
    return t


def reference_sgd_step(model, contexts, target, negatives, lr):
    """One SGD step of the book's layers on a batch of one, with the given negatives."""
    model.ns_loss.sampler.sample = lambda t: negatives.reshape(t.shape + (-1,))
    model.zero_grad()
    loss = model.forward(contexts, target)
    model.backward()
    SGD(lr=lr).update(model.params, model.grads)
    return loss


def test_cbow_plain_step_is_one_sgd_step_of_the_reference_cbow():
    W_in, W_out = weights()
    ctx = np.array([3, 5, 3, 9], dtype=np.int32)  # a repeated context word
    out = np.array([4, 7, 1, 10], dtype=np.int32)  # target, then 3 distinct negatives
    model = CBOW(V, D, np.ones(V), negative=3)
    model.params[0][...] = W_in
    model.params[1][...] = W_out
    loss = reference_sgd_step(model, ctx[None, :], out[:1], out[1:], lr=float(ALPHA))

    k0, k1 = W_in.copy(), W_out.copy()
    kernel_loss = cbow_step(k0, k1, ctx, 4, out, 4, ALPHA, False, np.empty((2, D), np.float32),
                            np.empty(4, np.float32))

    np.testing.assert_allclose(k1, model.params[1], rtol=1e-5, atol=1e-6)
    # word2vec.c adds the error of the mean to each context row undivided: count x the gradient step.
    np.testing.assert_allclose(k0 - W_in, 4 * (model.params[0] - W_in), rtol=1e-4, atol=1e-6)
    assert kernel_loss == pytest.approx(loss, rel=1e-5)


def test_skipgram_pair_step_is_one_sgd_step_of_the_reference_skipgram():
    W_in, W_out = weights(1)
    context, out = 6, np.array([2, 0, 11, 5], dtype=np.int32)
    model = SkipGram(V, D, np.ones(V), negative=3)
    model.params[0][...] = W_in
    model.params[1][...] = W_out
    # word2vec.c's pair: the context word's input vector predicts the centre word out[0].
    loss = reference_sgd_step(model, out[None, :1], np.array([context]), out[1:], lr=float(ALPHA))

    k0, k1 = W_in.copy(), W_out.copy()
    kernel_loss = skipgram_pair_step(k0, k1, context, out, 4, ALPHA, np.empty((1, D), np.float32))
    np.testing.assert_allclose(k0, model.params[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(k1, model.params[1], rtol=1e-5, atol=1e-6)
    assert kernel_loss == pytest.approx(loss, rel=1e-5)


# Counts and targets on each side of the kernel's passes of six, four, three, two and one rows.
@pytest.mark.parametrize("count, m", [(5, 4), (7, 6), (2, 3), (1, 1), (4, 5), (3, 11)])
def test_skipgram_block_step_equals_its_numpy_statement(count, m):
    W_in, W_out = weights(2)
    ctx = np.array([1, 8, 8, 3, 0, 4, 6], dtype=np.int32)[:count]
    out = np.array([5, 2, 9, 2, 7, 1, 10, 3, 5, 0, 11], dtype=np.int32)[:m]  # a noise word drawn twice
    In, Out = W_in[ctx].astype(np.float64), W_out[out].astype(np.float64)
    G = ALPHA * (labels(m) - sigmoid(In @ Out.T))  # (count, m)
    e0, e1 = W_in.astype(np.float64), W_out.astype(np.float64)
    np.add.at(e1, out, G.T @ In)
    np.add.at(e0, ctx, G @ Out)
    probabilities = np.where(labels(m) == 1, sigmoid(In @ Out.T), 1 - sigmoid(In @ Out.T))

    k0, k1 = W_in.copy(), W_out.copy()
    kernel_loss = skipgram_block_step(k0, k1, ctx, count, out, m, ALPHA, np.empty((m, D), np.float32),
                                      np.empty((count, m), np.float32))
    np.testing.assert_allclose(k0, e0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(k1, e1, rtol=1e-5, atol=1e-6)
    assert kernel_loss == pytest.approx(-np.log(probabilities).sum(), rel=1e-5)


# A noise word drawn twice (the two-pass update), then distinct targets (the one-pass update)
# with a context summed four rows and then one row at a time.
@pytest.mark.parametrize("ctx, out", [([4, 4, 7], [1, 6, 6, 11]), ([4, 4, 7, 2, 9], [1, 6, 3, 11, 0])])
def test_cbow_batched_step_equals_its_numpy_statement(ctx, out):
    W_in, W_out = weights(3)
    ctx, out = np.array(ctx, dtype=np.int32), np.array(out, dtype=np.int32)
    count, m = ctx.size, out.size
    h = W_in[ctx].astype(np.float64).mean(axis=0)
    Out = W_out[out].astype(np.float64)
    G = ALPHA * (labels(m) - sigmoid(Out @ h))  # (m,)
    e0, e1 = W_in.astype(np.float64), W_out.astype(np.float64)
    np.add.at(e1, out, np.outer(G, h))
    np.add.at(e0, ctx, np.tile(G @ Out, (count, 1)))

    k0, k1 = W_in.copy(), W_out.copy()
    cbow_step(k0, k1, ctx, count, out, m, ALPHA, True, np.empty((2, D), np.float32), np.empty(m, np.float32))
    np.testing.assert_allclose(k0, e0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(k1, e1, rtol=1e-5, atol=1e-6)


def test_xorshift32_is_xorshift64star():
    state = np.array([88172645463325252], dtype=np.uint64)
    x = 88172645463325252
    mask = 2**64 - 1
    for _ in range(5):
        x ^= x >> 12
        x ^= (x << 25) & mask
        x ^= x >> 27
        assert int(xorshift32(state)) == ((x * 0x2545F4914F6CDD1D) & mask) >> 32
    assert int(state[0]) == x


def _tree():
    from w2v.text.huffman import huffman_tree

    return huffman_tree(np.arange(V, 0, -1) * 7)


def test_hierarchical_softmax_steps_are_sgd_steps_of_the_reference_layer():
    from w2v.fast._cpu_kernels import hs_step
    from w2v.reference.layers import HierarchicalSoftmaxLoss

    tree = _tree()
    rng = np.random.default_rng(5)
    W_node = rng.standard_normal((V - 1, D)).astype(np.float32) * 0.5
    h = rng.standard_normal((1, D)).astype(np.float32)
    layer = HierarchicalSoftmaxLoss(W_node.copy(), tree.codes, tree.points, tree.lengths)
    loss = layer.forward(h, np.array([7]))
    dh = layer.backward()
    SGD(lr=float(ALPHA)).update(layer.params, layer.grads)

    kernel_node, e = W_node.copy(), np.zeros((1, D), np.float32)
    # word2vec.c updates node by node, so each node sees the others' old values: on distinct nodes that is SGD.
    kernel_loss = hs_step(h.copy(), 0, kernel_node, tree.codes, tree.points, tree.lengths, 7, ALPHA, e, 0)
    np.testing.assert_allclose(kernel_node, layer.params[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e[0], -ALPHA * dh[0], rtol=1e-4, atol=1e-6)  # e is alpha times -dloss/dh
    assert kernel_loss == pytest.approx(loss, rel=1e-5)


def test_cbow_sum_step_is_an_sgd_step_of_the_reference_cbow_sum():
    W_in, W_out = weights(6)
    ctx = np.array([3, 5, 9], dtype=np.int32)
    out = np.array([4, 7, 1, 10], dtype=np.int32)
    model = CBOW(V, D, np.ones(V), negative=3, mean=False)
    model.params[0][...] = W_in
    model.params[1][...] = W_out
    loss = reference_sgd_step(model, ctx[None, :], out[:1], out[1:], lr=float(ALPHA))
    k0, k1 = W_in.copy(), W_out.copy()
    kernel_loss = cbow_step(k0, k1, ctx, 3, out, 4, ALPHA, False, np.empty((2, D), np.float32),
                            np.empty(4, np.float32), False)
    np.testing.assert_allclose(k1, model.params[1], rtol=1e-5, atol=1e-6)
    # gensim's cbow_mean=0: the error is spread over the context rows, e / count each.
    np.testing.assert_allclose(k0 - W_in, (model.params[0] - W_in) / 3, rtol=1e-4, atol=1e-6)
    assert kernel_loss == pytest.approx(loss, rel=1e-5)


def test_cbow_with_both_losses_adds_them_as_word2vec_does():
    from w2v.reference.models import CBOW as ReferenceCBOW

    tree = _tree()
    W_in, W_out = weights(7)
    ctx = np.array([2, 6], dtype=np.int32)
    out = np.array([8, 1, 3], dtype=np.int32)
    model = ReferenceCBOW(V, D, np.ones(V), negative=2, tree=tree)
    model.params[0][...] = W_in
    model.params[1][...] = W_out
    loss = reference_sgd_step(model, ctx[None, :], out[:1], out[1:], lr=float(ALPHA))
    k0, k1, node = W_in.copy(), W_out.copy(), np.zeros((V - 1, D), np.float32)
    kernel_loss = cbow_step(k0, k1, ctx, 2, out, 3, ALPHA, True, np.empty((2, D), np.float32),
                            np.empty(3, np.float32), True, (node, tree.codes, tree.points, tree.lengths), 8)
    np.testing.assert_allclose(node, model.params[2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(k1, model.params[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(k0 - W_in, 2 * (model.params[0] - W_in), rtol=1e-4, atol=1e-6)
    assert kernel_loss == pytest.approx(loss, rel=1e-5)


def _subword_model(model_class, words, spec):
    """A reference model with subwords, its weights drawn like the kernels' test weights."""
    offsets, rows = spec.rows(words, len(words))
    rng = np.random.default_rng(5)
    W_in = rng.standard_normal((len(words) + spec.buckets, D)).astype(np.float32) * 0.5
    W_out = rng.standard_normal((len(words), D)).astype(np.float32) * 0.5
    model = model_class(len(words), D, np.ones(len(words)), negative=3, subwords=(offsets, rows, spec.buckets))
    model.params[0][...] = W_in
    model.params[1][...] = W_out
    return model, (offsets, rows.astype(np.int32)), W_in, W_out


# Three-letter words all have the same number of rows n (their own and 7 n-grams of 2-3 characters),
# and share rows: n-grams such as "<a" recur, and 7 buckets make others collide.
SUBWORD_WORDS = ["abc", "abd", "bcd", "cab", "dca", "bad", "cad", "dab", "add", "bcc", "aaa", "ddd"]


# Words of 2 to 8 rows: fastText's CBOW mean over all the context's rows weighs them differently.
SUBWORD_CBOW_WORDS = ["a", "ab", "abc", "abcd", "bcd", "cab", "dcab", "bad", "cad", "dab", "add", "bcc"]


@pytest.mark.parametrize("batched", [False, True])
def test_subword_cbow_step_is_one_sgd_step_of_the_reference_cbow_with_subwords(batched):
    from w2v.fast._cpu_kernels import _compose, _spread
    from w2v.text.subwords import Subwords

    model, subwords, W_in, W_out = _subword_model(CBOW, SUBWORD_CBOW_WORDS, Subwords(2, 3, 7))
    ctx = np.array([3, 0, 3, 9], dtype=np.int32)  # a repeated context word, words of 2, 8 and 6 rows
    out = np.array([4, 7, 1, 10], dtype=np.int32)
    sizes = np.diff(subwords[0])
    assert len(set(sizes[ctx])) == 3
    loss = reference_sgd_step(model, ctx[None, :], out[:1], out[1:], lr=float(ALPHA))

    k0, k1 = W_in.copy(), W_out.copy()
    C, C0, work = np.empty((4, D), np.float32), np.empty((4, D), np.float32), np.empty((2, D), np.float32)
    ring_sizes = np.zeros(4, np.int64)
    for i, word in enumerate(ctx):  # each occurrence in its own slot, as the kernels' ring holds them
        ring_sizes[i] = _compose(k0, subwords, word, C, C0, i, D)
    np.testing.assert_array_equal(ring_sizes, sizes[ctx])
    kernel_loss = cbow_step(C, k1, np.arange(4, dtype=np.int32), 4, out, 4, ALPHA, batched, work,
                            np.empty(4, np.float32), sizes=ring_sizes)
    for i, word in enumerate(ctx):
        _spread(k0, subwords, word, C, C0, i, D)

    np.testing.assert_allclose(k1, model.params[1], rtol=1e-5, atol=1e-6)
    # The reference hands each row its share of the mean's gradient, 1 / (the context's rows); fastText,
    # and so the kernel, each row the whole of it.
    np.testing.assert_allclose(k0 - W_in, sizes[ctx].sum() * (model.params[0] - W_in), rtol=1e-4, atol=1e-5)
    assert kernel_loss == pytest.approx(loss, rel=1e-5)


def test_subword_skipgram_steps_are_sgd_steps_of_the_reference_skipgram_with_subwords():
    from w2v.fast._cpu_kernels import _compose, _spread
    from w2v.text.subwords import Subwords

    model, subwords, W_in, W_out = _subword_model(SkipGram, SUBWORD_WORDS, Subwords(2, 3, 7))
    context, out = np.array([6], dtype=np.int32), np.array([2, 0, 11, 5], dtype=np.int32)
    loss = reference_sgd_step(model, out[None, :1], context, out[1:], lr=float(ALPHA))

    for batched in (False, True):
        k0, k1 = W_in.copy(), W_out.copy()
        C, C0 = np.empty((1, D), np.float32), np.empty((1, D), np.float32)
        _compose(k0, subwords, context[0], C, C0, 0, D)
        if batched:
            kernel_loss = skipgram_block_step(C, k1, np.zeros(1, np.int32), 1, out, 4, ALPHA,
                                              np.empty((4, D), np.float32), np.empty((1, 4), np.float32))
        else:
            kernel_loss = skipgram_pair_step(C, k1, 0, out, 4, ALPHA, np.empty((1, D), np.float32))
        _spread(k0, subwords, context[0], C, C0, 0, D)
        n = np.diff(subwords[0])[0]
        np.testing.assert_allclose(k1, model.params[1], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(k0 - W_in, n * (model.params[0] - W_in), rtol=1e-4, atol=1e-5)
        assert kernel_loss == pytest.approx(loss, rel=1e-5)
