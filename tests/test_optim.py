import numpy as np
import pytest

from w2v.reference.grads import RowSparseGrad, clip_grads
from w2v.reference.optim import SGD, Adam, LazyAdam


def book_adam(params, grad_steps, lr=0.001, beta1=0.9, beta2=0.999):
    """The book's common/optimizer.py Adam, written out for comparison."""
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, grads in enumerate(grad_steps, 1):
        lr_t = lr * np.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
        for i in range(len(params)):
            m[i] += (1 - beta1) * (grads[i] - m[i])
            v[i] += (1 - beta2) * (grads[i] ** 2 - v[i])
            params[i] -= lr_t * m[i] / (np.sqrt(v[i]) + 1e-7)
    return params


def _sparse(shape, rows, values):
    grad = RowSparseGrad(shape, np, values.dtype)
    grad.add(np.asarray(rows), values)
    return grad


def _steps(rng, shape, n):
    """n steps of (rows, values) touching a few rows, with repeats."""
    return [(rng.integers(0, shape[0], 6), rng.standard_normal((6, shape[1])).astype(np.float32)) for _ in range(n)]


def test_dense_adam_is_the_books_adam_bit_for_bit():
    rng = np.random.default_rng(0)
    shape = (7, 3)
    start = rng.standard_normal(shape).astype(np.float32)
    steps = _steps(rng, shape, 5)
    ours = [start.copy()]
    adam = Adam(lr=0.01)
    for rows, values in steps:
        adam.update(ours, [_sparse(shape, rows, values)])
    dense_steps = []
    for rows, values in steps:
        g = np.zeros(shape, np.float32)
        np.add.at(g, rows, values)
        dense_steps.append([g])
    expected = book_adam([start.copy()], dense_steps, lr=0.01)
    np.testing.assert_array_equal(ours[0], expected[0])


def test_lazy_adam_moves_only_touched_rows_and_matches_dense_adam_on_the_first_step():
    rng = np.random.default_rng(1)
    shape = (10, 4)
    start = rng.standard_normal(shape).astype(np.float32)
    rows = np.array([1, 5, 5])
    values = rng.standard_normal((3, 4)).astype(np.float32)
    lazy, dense = [start.copy()], [start.copy()]
    LazyAdam(lr=0.1).update(lazy, [_sparse(shape, rows, values)])
    Adam(lr=0.1).update(dense, [_sparse(shape, rows, values)])
    np.testing.assert_allclose(lazy[0], dense[0], rtol=1e-6)  # m = v = 0 elsewhere: no move either way
    untouched = np.setdiff1d(np.arange(10), rows)
    np.testing.assert_array_equal(lazy[0][untouched], start[untouched])


def test_lazy_adam_on_touched_rows_follows_the_adam_rule_with_the_global_step():
    rng = np.random.default_rng(2)
    shape = (6, 2)
    start = rng.standard_normal(shape).astype(np.float64)
    ours = [start.copy()]
    lazy = LazyAdam(lr=0.05)
    lazy.update(ours, [_sparse(shape, [0], np.ones((1, 2)))])
    lazy.update(ours, [_sparse(shape, [1], np.ones((1, 2)))])  # row 1 first seen at step 2
    lr_t = 0.05 * np.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    m, v = 0.1, 0.001
    np.testing.assert_allclose(ours[0][1], start[1] - lr_t * m / (np.sqrt(v) + 1e-7))


def test_sgd_on_a_sparse_gradient_equals_sgd_on_the_dense_one():
    rng = np.random.default_rng(3)
    shape = (8, 3)
    start = rng.standard_normal(shape)
    rows, values = np.array([2, 2, 7]), rng.standard_normal((3, 3))
    sparse_p, dense_p = [start.copy()], [start.copy()]
    SGD(lr=0.5).update(sparse_p, [_sparse(shape, rows, values)])
    dense_g = np.zeros(shape)
    np.add.at(dense_g, rows, values)
    SGD(lr=0.5).update(dense_p, [dense_g])
    np.testing.assert_allclose(sparse_p[0], dense_p[0])


def test_clip_grads_scales_the_joint_norm_of_summed_rows():
    sparse = _sparse((4, 2), [1, 1], np.array([[3.0, 0.0], [0.0, 0.0]]))  # summed row (3, 0)
    dense = np.array([[0.0, 4.0]])
    norm = clip_grads([sparse, dense], max_norm=1.0)
    assert norm == pytest.approx(5.0)
    assert np.sqrt(np.sum(sparse.to_dense() ** 2) + np.sum(dense**2)) == pytest.approx(1.0, rel=1e-5)
