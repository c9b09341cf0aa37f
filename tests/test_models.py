import numpy as np
import pytest

from w2v.reference.models import CBOW, SkipGram

from gradcheck import assert_close, numerical_grad

V, H = 9, 4


def _batch():
    rng = np.random.default_rng(5)
    contexts = rng.integers(0, V, size=(5, 4))
    contexts[0] = [2, 2, 7, 2]  # repeated indices in one row
    contexts[1, 0] = 2  # and across rows
    target = np.array([2, 3, 3, 0, 8])
    return contexts, target


@pytest.mark.parametrize("model_class", [CBOW, SkipGram])
def test_model_gradients_match_finite_differences(model_class):
    contexts, target = _batch()
    model = model_class(V, H, np.arange(1, V + 1), negative=3, seed=1, dtype=np.float64)
    model.params[0][...] = np.random.default_rng(0).standard_normal((V, H))  # larger than 0.01 init
    model.params[1][...] = np.random.default_rng(1).standard_normal((V, H))
    _assert_gradients_match(model, contexts, target)


def _assert_gradients_match(model, contexts, target):
    """Every parameter's backward gradient equals the finite differences of the loss (same negatives each time)."""
    def loss():
        model.ns_loss.sampler.rng = np.random.default_rng(11)
        return model.forward(contexts, target)

    loss()
    model.zero_grad()
    model.backward()
    for param, grad in zip(model.params, model.grads):
        assert_close(grad.to_dense(), numerical_grad(loss, param))


def test_cbow_hidden_layer_is_the_mean_of_context_vectors():
    contexts, target = _batch()
    model = CBOW(V, H, np.ones(V), negative=2, seed=0, dtype=np.float64)
    model.forward(contexts, target)
    h = model.ns_loss.embed_dot._cache[0]
    np.testing.assert_allclose(h, model.params[0][contexts].mean(axis=1))


def _subword_cbow():
    """A CBOW model whose words have 2 to 6 rows each (their own and up to four shared buckets)."""
    from w2v.text.subwords import Subwords

    words = ["a", "be", "cab", "dace", "bead", "ace", "abc", "cd", "eb"]
    spec = Subwords(2, 3, 5)
    offsets, rows = spec.rows(words, V)
    assert len(set(np.diff(offsets))) > 2  # words of several sizes, so that the shares differ
    model = CBOW(V, H, np.arange(1, V + 1), negative=3, seed=1, subwords=(offsets, rows, spec.buckets),
                 dtype=np.float64)
    model.params[0][...] = np.random.default_rng(0).standard_normal(model.params[0].shape)
    model.params[1][...] = np.random.default_rng(1).standard_normal((V, H))
    return model, offsets, rows


def test_subword_cbow_gradients_match_finite_differences():
    contexts, target = _batch()
    model, _, _ = _subword_cbow()
    _assert_gradients_match(model, contexts, target)


def test_subword_cbow_hidden_layer_is_the_mean_of_all_the_context_words_rows():
    """fastText's CBOW: one mean over every row of every context word, not a mean of the words' means."""
    contexts, target = _batch()
    model, offsets, rows = _subword_cbow()
    model.forward(contexts, target)
    h = model.ns_loss.embed_dot._cache[0]
    W = model.params[0]
    expected = [W[np.concatenate([rows[offsets[w]:offsets[w + 1]] for w in line])].mean(axis=0) for line in contexts]
    np.testing.assert_allclose(h, expected)


def test_skipgram_loss_is_the_sum_of_one_loss_per_context_word():
    """The book's skip_gram.py: one NegativeSamplingLoss per context position, summed."""
    contexts, target = _batch()
    K = 2
    model = SkipGram(V, H, np.ones(V), negative=K, seed=0, dtype=np.float64)
    total = model.forward(contexts, target)
    used = model.ns_loss.embed_dot.embed._idx.reshape(contexts.shape + (K + 1,))  # (B, C, K+1)
    np.testing.assert_array_equal(used[:, :, 0], contexts)
    W_in, W_out = model.params
    h = W_in[target]

    def book_loss(score, label):
        y = 1 / (1 + np.exp(-score))
        return -np.mean(np.log(y if label else 1 - y))

    expected = 0.0
    for c in range(contexts.shape[1]):
        expected += book_loss(np.sum(W_out[contexts[:, c]] * h, axis=1), 1)
        for k in range(1, K + 1):
            expected += book_loss(np.sum(W_out[used[:, c, k]] * h, axis=1), 0)
    assert total == pytest.approx(expected, rel=1e-12)


def test_weights_start_as_in_the_book_and_depend_only_on_the_seed():
    a = CBOW(V, H, np.ones(V), seed=3)
    b = CBOW(V, H, np.ones(V), seed=3)
    c = CBOW(V, H, np.ones(V), seed=4)
    assert a.params[0].dtype == np.float32
    np.testing.assert_array_equal(a.params[0], b.params[0])
    assert not np.array_equal(a.params[0], c.params[0])
    assert 0.005 < a.params[0].std() < 0.015
