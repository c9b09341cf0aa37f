import numpy as np
import pytest

from w2v.errors import ConfigError
from w2v.reference.layers import (
    Embedding,
    EmbeddingDot,
    NegativeSamplingLoss,
    Sigmoid,
    SigmoidWithLoss,
    SubwordEmbedding,
    UnigramSampler,
)
from w2v.text.subwords import Subwords

from gradcheck import assert_close, numerical_grad

rng = np.random.default_rng(0)


def test_embedding_gathers_rows_and_sums_repeated_indices():
    W = rng.standard_normal((6, 3))
    layer = Embedding(W)
    idx = np.array([[1, 4], [1, 1]])  # row 1 three times
    out = layer.forward(idx)
    np.testing.assert_array_equal(out, W[idx])
    dout = rng.standard_normal(out.shape)
    layer.backward(dout)
    expected = np.zeros_like(W)
    np.add.at(expected, idx, dout)
    np.testing.assert_allclose(layer.grads[0].to_dense(), expected)
    assert_close(layer.grads[0].to_dense(), numerical_grad(lambda: float((layer.forward(idx) * dout).sum()), W))


def test_subword_embedding_is_the_mean_of_each_words_rows_and_passes_the_gradient_check():
    words = ["where", "here", "ñandú", "a"]
    offsets, rows = Subwords(2, 4, 7).rows(words, len(words))  # 7 buckets: n-grams share rows, as they do
    W = rng.standard_normal((len(words) + 7, 3))
    layer = SubwordEmbedding(W, offsets, rows)
    idx = np.array([[0, 2], [3, 0]])  # word 0 twice
    out = layer.forward(idx)
    for (i, j), word in np.ndenumerate(idx):
        np.testing.assert_allclose(out[i, j], W[rows[offsets[word]:offsets[word + 1]]].mean(axis=0))
    dout = rng.standard_normal(out.shape)
    layer.backward(dout)
    assert_close(layer.grads[0].to_dense(), numerical_grad(lambda: float((layer.forward(idx) * dout).sum()), W))
    np.testing.assert_allclose(layer.word_vectors()[2], out[0, 1])


def test_embedding_gradients_accumulate_until_zero_grad():
    W = rng.standard_normal((4, 2))
    layer = Embedding(W)
    for _ in range(2):
        layer.forward(np.array([0, 3]))
        layer.backward(np.ones((2, 2)))
    np.testing.assert_allclose(layer.grads[0].to_dense()[[0, 3]], 2.0)
    layer.zero_grad()
    assert not layer.grads[0].to_dense().any()


def test_embedding_dot_gradients_with_repeats():
    W = rng.standard_normal((5, 4))
    h = rng.standard_normal((3, 4))
    idx = np.array([[0, 2, 2], [2, 1, 0], [4, 4, 4]])
    layer = EmbeddingDot(W)
    dout = rng.standard_normal((3, 3))

    def f():
        return float((layer.forward(h, idx) * dout).sum())

    np.testing.assert_allclose(layer.forward(h, idx), np.einsum("bh,bmh->bm", h, W[idx]))
    dh = layer.backward(dout)
    assert_close(dh, numerical_grad(f, h))
    assert_close(layer.grads[0].to_dense(), numerical_grad(f, W))


def test_sigmoid_gradient():
    x = rng.standard_normal((4, 3))
    layer = Sigmoid()
    dout = rng.standard_normal(x.shape)
    layer.forward(x)
    dx = layer.backward(dout)
    assert_close(dx, numerical_grad(lambda: float((layer.forward(x) * dout).sum()), x))


def test_sigmoid_with_loss_matches_the_book_and_its_gradient():
    x = rng.standard_normal((5, 4))
    t = (rng.random((5, 4)) < 0.3).astype(np.float64)
    layer = SigmoidWithLoss()
    loss = layer.forward(x, t)
    y = 1 / (1 + np.exp(-x))
    book = -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)) / x.shape[0]
    assert loss == pytest.approx(book, rel=1e-12)
    np.testing.assert_allclose(layer.backward(), (y - t) / 5)
    assert_close(layer.backward(), numerical_grad(lambda: layer.forward(x, t), x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_with_loss_is_stable_for_huge_scores(dtype):
    x = np.array([[1e4, -1e4], [-1e4, 1e4]], dtype=dtype)
    t = np.array([[1, 0], [1, 0]], dtype=dtype)
    layer = SigmoidWithLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = layer.forward(x, t)
        grad = layer.backward()
        sig = Sigmoid().forward(x)
    assert np.isfinite(loss) and loss == pytest.approx(1e4)  # two wrong rows of 1e4, one correct each / B=2
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(sig))
    np.testing.assert_allclose(grad, [[0, 0], [-0.5, 0.5]])


@pytest.mark.parametrize("target_shape", [(4,), (4, 3)], ids=["cbow-one-target", "skipgram-many-targets"])
def test_negative_sampling_loss_gradients(target_shape):
    V, H = 8, 5
    W = rng.standard_normal((V, H))
    h = rng.standard_normal((4, H))
    target = rng.integers(0, V, size=target_shape)
    target.reshape(-1)[:2] = 3  # repeated targets in one batch
    layer = NegativeSamplingLoss(W, np.arange(1, V + 1), sample_size=3)

    def f():
        layer.sampler.rng = np.random.default_rng(7)  # the same negatives every evaluation
        return layer.forward(h, target)

    f()
    dh = layer.backward()
    assert_close(dh, numerical_grad(f, h))
    assert_close(layer.grads[0].to_dense(), numerical_grad(f, W))


def test_negative_sampling_loss_equals_the_books_sum_of_k_plus_one_losses():
    V, H, B, K = 10, 4, 6, 3
    W = rng.standard_normal((V, H))
    h = rng.standard_normal((B, H))
    target = rng.integers(0, V, size=B)
    layer = NegativeSamplingLoss(W, np.ones(V), sample_size=K)
    layer.sampler.rng = np.random.default_rng(1)
    loss = layer.forward(h, target)
    negatives = UnigramSampler(np.ones(V), K, rng=np.random.default_rng(1)).sample(target)

    def book_loss(score, label):  # the book's SigmoidWithLoss: mean over the batch
        y = 1 / (1 + np.exp(-score))
        return -np.mean(np.log(np.where(label == 1, y, 1 - y) + 1e-7))

    expected = book_loss(np.sum(W[target] * h, axis=1), 1)
    for k in range(K):
        expected += book_loss(np.sum(W[negatives[:, k]] * h, axis=1), 0)
    assert loss == pytest.approx(expected, abs=1e-5)


def test_sampler_draws_distinct_negatives_never_the_target():
    counts = np.array([1000, 500, 100, 50, 10, 5, 1])
    sampler = UnigramSampler(counts, 5, rng=np.random.default_rng(0))
    target = np.repeat(np.arange(7), 300).reshape(-1, 3)
    negative = sampler.sample(target)
    assert negative.shape == (700, 3, 5)
    assert not np.any(negative == target[..., None])
    srt = np.sort(negative, axis=-1)
    assert not np.any(srt[..., 1:] == srt[..., :-1])


def test_sampler_matches_numpy_choice_without_replacement():
    """Inclusion frequencies equal the book's rng.choice(replace=False, p with target zeroed)."""
    counts = np.array([400, 200, 100, 60, 30, 10])
    K, n = 3, 30000
    ours = UnigramSampler(counts, K, rng=np.random.default_rng(1)).sample(np.zeros(n, dtype=np.int64))
    p = counts**0.75
    p[0] = 0
    p = p / p.sum()
    book = np.random.default_rng(2)
    theirs = np.array([book.choice(6, size=K, replace=False, p=p) for _ in range(n)])
    for position in range(K):  # each draw position has the same distribution
        ours_freq = np.bincount(ours[:, position], minlength=6) / n
        theirs_freq = np.bincount(theirs[:, position], minlength=6) / n
        np.testing.assert_allclose(ours_freq, theirs_freq, atol=0.015)


def test_sampler_with_replacement_follows_counts_to_the_power():
    counts = np.array([1000, 100, 10, 1])
    sampler = UnigramSampler(counts, 4, power=0.75, distinct=False, rng=np.random.default_rng(3))
    draws = sampler.sample(np.zeros(50000, dtype=np.int64))
    p = counts**0.75 / np.sum(counts**0.75)
    np.testing.assert_allclose(np.bincount(draws.ravel(), minlength=4) / draws.size, p, atol=0.005)


def test_sampler_finishes_when_rejection_would_take_forever():
    counts = np.array([10**9, 1, 1, 1])  # a row must draw all three rare words
    sampler = UnigramSampler(counts, 3, rng=np.random.default_rng(0))
    negative = sampler.sample(np.zeros(5, dtype=np.int64))
    np.testing.assert_array_equal(np.sort(negative, axis=1), np.tile([1, 2, 3], (5, 1)))


def test_sampler_refuses_a_vocabulary_smaller_than_the_negatives():
    with pytest.raises(ConfigError, match="negative=5"):
        UnigramSampler(np.array([3, 2, 1]), 5)


@pytest.mark.parametrize("target_shape", [(4,), (4, 3)], ids=["cbow-one-target", "skipgram-many-targets"])
def test_hierarchical_softmax_loss_gradients(target_shape):
    from w2v.reference.layers import HierarchicalSoftmaxLoss
    from w2v.text.huffman import huffman_tree

    V, H = 9, 5
    tree = huffman_tree(np.array([40, 20, 11, 7, 5, 3, 2, 1, 1]))
    W = rng.standard_normal((V - 1, H))
    h = rng.standard_normal((4, H))
    target = rng.integers(0, V, size=target_shape)
    layer = HierarchicalSoftmaxLoss(W, tree.codes, tree.points, tree.lengths)
    loss = layer.forward(h, target)
    dh = layer.backward()
    assert_close(dh, numerical_grad(lambda: layer.forward(h, target), h))
    assert_close(layer.grads[0].to_dense(), numerical_grad(lambda: layer.forward(h, target), W))
    sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    book = 0.0  # -log of each target's probability: the product of its path's turns
    for b, row in enumerate(target.reshape(4, -1)):
        for word in row:
            for code, node in zip(tree.codes[word, :tree.lengths[word]], tree.points[word, :tree.lengths[word]]):
                s = sigmoid(h[b] @ W[node])
                book -= np.log(s if code == 0 else 1 - s)
    assert loss == pytest.approx(book / 4, rel=1e-10)


def test_hierarchical_softmax_probabilities_of_all_words_sum_to_one():
    from w2v.reference.layers import HierarchicalSoftmaxLoss
    from w2v.text.huffman import huffman_tree

    counts = np.sort(rng.integers(1, 1000, size=50))[::-1]
    tree = huffman_tree(counts)
    assert tree.inner_nodes == 49 and tree.points.max() == 48
    W, h = rng.standard_normal((49, 6)), rng.standard_normal((1, 6))
    layer = HierarchicalSoftmaxLoss(W, tree.codes, tree.points, tree.lengths)
    total = sum(np.exp(-layer.forward(h, np.array([w]))) for w in range(50))
    assert total == pytest.approx(1.0, rel=1e-10)
    weighted = (counts * tree.lengths).sum() / counts.sum()  # Huffman: frequent words get short paths
    assert weighted < np.log2(50) + 1
