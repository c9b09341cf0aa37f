"""The book's layers for word2vec with negative sampling (DLFS2 chapter 4), vectorised.

Each layer has ``params`` and ``grads`` (lists, a shared weight listed once), ``forward``,
``backward(dout)``, and caches only what ``backward`` needs. Gradients accumulate until
``zero_grad()``. Every layer works on the array module of its weights (NumPy or CuPy).

Shapes use B for the batch, H for the hidden (vector) size, V for the vocabulary, C for the
positive targets per row and K for the negatives per target.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError
from .grads import RowSparseGrad
from .xp import get_xp, make_rng


class Embedding:
    """Row look-up ``W[idx]``; backward scatter-adds ``dout`` into those rows (repeats summed).

    Parameters
    ----------
    W : (V, H) float
    """

    def __init__(self, W: Any):
        self.xp = get_xp(W)
        self.params = [W]
        self.grads = [RowSparseGrad(W.shape, self.xp, W.dtype)]
        self._idx = None

    def forward(self, idx: Any) -> Any:
        """idx : int array of any shape S -> S + (H,)."""
        self._idx = idx
        return self.params[0][idx]

    def backward(self, dout: Any) -> None:
        """dout : S + (H,); added to the gradient rows ``idx``."""
        self.grads[0].add(self._idx, dout)

    def zero_grad(self) -> None:
        self.grads[0].zero()


class SubwordEmbedding:
    """A word's vector is the mean of its rows of ``W``: its own and its character n-grams'
    (:mod:`w2v.text.subwords`); backward hands each of a word's n rows ``dout / n`` (repeats summed).

    Parameters
    ----------
    W : (V + B, H) float
        The words' rows, then the B n-gram buckets'.
    offsets : (V + 1,) int, rows : (R,) int
        Word ``w``'s rows are ``rows[offsets[w]:offsets[w + 1]]`` (at least one each).
    """

    def __init__(self, W: Any, offsets: Any, rows: Any):
        self.xp = get_xp(W)
        xp = self.xp
        self.params = [W]
        self.grads = [RowSparseGrad(W.shape, xp, W.dtype)]
        offsets, rows = np.asarray(offsets, dtype=np.int64), np.asarray(rows, dtype=np.int64)
        lengths = np.diff(offsets)
        slots = np.arange(int(lengths.max(initial=1)))
        self._mask = slots < lengths[:, None]  # (V, L): which of a word's L slots hold one of its rows
        table = np.zeros(self._mask.shape, dtype=np.int64)
        table[self._mask] = rows
        self._table, self._mask = xp.asarray(table), xp.asarray(self._mask)
        self._lengths = xp.asarray(lengths.astype(W.dtype))
        self._idx = None

    def forward(self, idx: Any) -> Any:
        """idx : int array of any shape S (word ids) -> S + (H,): each word's mean row."""
        self._idx = idx
        table, mask = self._table[idx], self._mask[idx]  # S + (L,)
        rows = self.params[0][table] * mask[..., None]  # S + (L, H)
        return rows.sum(axis=-2) / self._lengths[idx][..., None]

    def backward(self, dout: Any) -> None:
        """dout : S + (H,); ``dout / n`` added to each of the word's n rows."""
        share = dout / self._lengths[self._idx][..., None]  # S + (H,)
        mask = self._mask[self._idx]
        shares = self.xp.broadcast_to(share[..., None, :], mask.shape + share.shape[-1:])
        self.grads[0].add(self._table[self._idx][mask], shares[mask])

    def sizes(self, idx: Any) -> Any:
        """idx : int array of any shape S -> S: how many rows each word's vector is the mean of."""
        return self._lengths[idx]

    def word_vectors(self) -> Any:
        """(V, H) every word's vector."""
        return self.forward(self.xp.arange(self._table.shape[0]))

    def zero_grad(self) -> None:
        self.grads[0].zero()


class EmbeddingDot:
    """Scores ``W[idx] . h`` for every index of a row.

    Parameters
    ----------
    W : (V, H) float
    """

    def __init__(self, W: Any):
        self.embed = Embedding(W)
        self.params = self.embed.params
        self.grads = self.embed.grads
        self._cache = None

    def forward(self, h: Any, idx: Any) -> Any:
        """h : (B, H), idx : (B, M) int -> (B, M) scores."""
        rows = self.embed.forward(idx)  # (B, M, H)
        self._cache = (h, rows)
        return (rows @ h[:, :, None])[:, :, 0]

    def backward(self, dout: Any) -> Any:
        """dout : (B, M) -> dh : (B, H); the (B, M, H) row gradients go to ``grads``."""
        h, rows = self._cache
        self.embed.backward(dout[:, :, None] * h[:, None, :])
        return (dout[:, None, :] @ rows)[:, 0, :]

    def zero_grad(self) -> None:
        self.embed.zero_grad()


def _sigmoid(xp: Any, x: Any, e: Any = None) -> Any:
    """1 / (1 + exp(-x)) without overflow for any finite x; ``e`` is ``exp(-|x|)`` if already known."""
    if e is None:
        e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid:
    """y = 1 / (1 + exp(-x)); backward ``dout * y * (1 - y)``."""

    params: list = []
    grads: list = []

    def __init__(self) -> None:
        self._y = None

    def forward(self, x: Any) -> Any:
        self._y = _sigmoid(get_xp(x), x)
        return self._y

    def backward(self, dout: Any) -> Any:
        return dout * self._y * (1 - self._y)

    def zero_grad(self) -> None:
        pass


class SigmoidWithLoss:
    """Sigmoid + binary cross-entropy, summed over a row and averaged over the batch.

    ``loss = sum(log(1 + exp(x)) - t * x) / B`` computed stably (finite for |x| up to 1e4 and
    beyond); backward ``(y - t) * dout / B``, the book's rule.
    """

    params: list = []
    grads: list = []

    def __init__(self) -> None:
        self._cache = None

    def forward(self, x: Any, t: Any) -> float:
        """x : (B, ...) scores, t : 0/1 labels broadcastable to x -> scalar loss."""
        xp = get_xp(x)
        e = xp.exp(-xp.abs(x))
        loss = xp.maximum(x, 0) - t * x + xp.log1p(e)
        self._cache = (_sigmoid(xp, x, e), t)
        return float(loss.sum()) / x.shape[0]

    def backward(self, dout: float = 1.0) -> Any:
        y, t = self._cache
        return (y - t) * (dout / y.shape[0])

    def zero_grad(self) -> None:
        pass


class UnigramSampler:
    """Draws K negatives per target from ``counts ** power`` (normalised).

    With ``distinct=True`` (the default: the book's CPU path, ``replace=False`` with the
    target's probability zeroed) each row's K words are distinct and never its target. They
    are drawn for all rows at once: i.i.d. draws, then only the draws that repeat an earlier
    one in their row or hit the target are drawn again, until none does. Keeping the earliest
    draw of each word makes this exactly sequential sampling without replacement. Rows still
    unfinished after many rounds (a tiny vocabulary dominated by a few words) are finished
    with the Gumbel-top-k trick, which has the same distribution.

    With ``distinct=False`` draws are i.i.d. (word2vec.c's behaviour; repeats and the target
    possible).

    Parameters
    ----------
    counts : (V,) int
    sample_size : int
        K, negatives per target.
    rng : numpy Generator or int seed (draws happen on the host, then move to the device)
    """

    MAX_REJECTION_ROUNDS = 32

    def __init__(
        self,
        counts: Any,
        sample_size: int,
        power: float = 0.75,
        *,
        distinct: bool = True,
        rng: Any = 0,
        xp: Any = np,
    ):
        weights = np.asarray(counts, dtype=np.float64) ** power
        support = int(np.count_nonzero(weights))
        needed = sample_size + 1 if distinct else 1
        if support < needed:
            raise ConfigError(
                f"negative={sample_size} needs at least {needed} words with a non-zero count, "
                f"but the vocabulary has {support}; lower negative or use a larger corpus",
                options=("negative",),
            )
        self.xp = xp
        self.sample_size = sample_size
        self.distinct = distinct
        self.probabilities = xp.asarray(weights / weights.sum())
        cdf = np.cumsum(weights)
        self._cdf = xp.asarray(cdf / cdf[-1])
        self.rng = make_rng(rng) if isinstance(rng, (int, np.integer)) else rng

    def _draw(self, shape: Any) -> Any:
        return self.xp.searchsorted(self._cdf, self.xp.asarray(self.rng.random(shape)), side="right")

    def sample(self, target: Any) -> Any:
        """target : int array of shape S -> negatives of shape S + (K,), same dtype."""
        xp = self.xp
        K = self.sample_size
        rows = target.reshape(-1, 1)
        negative = self._draw((rows.shape[0], K)).astype(target.dtype)
        if self.distinct:
            earlier = xp.tril(xp.ones((K, K), dtype=bool), -1)  # earlier[i, j]: j before i
            for _ in range(self.MAX_REJECTION_ROUNDS):
                bad = (negative == rows) | ((negative[:, :, None] == negative[:, None, :]) & earlier).any(axis=2)
                count = int(bad.sum())
                if count == 0:
                    break
                negative[bad] = self._draw(count).astype(target.dtype)
            else:
                stuck = xp.flatnonzero(bad.any(axis=1))
                negative[stuck] = self._gumbel_top_k(rows[stuck, 0]).astype(target.dtype)
        return negative.reshape(target.shape + (K,))

    def _gumbel_top_k(self, target: Any) -> Any:
        """(n,) targets -> (n, K) draws without replacement, target excluded, in draw order."""
        xp = self.xp
        with np.errstate(divide="ignore"):
            keys = xp.log(xp.broadcast_to(self.probabilities, (target.size, self._cdf.size)))
        keys = keys - xp.log(-xp.log(xp.asarray(self.rng.random(keys.shape))))
        keys[xp.arange(target.size), target] = -xp.inf
        return xp.argsort(-keys, axis=1)[:, : self.sample_size]


class NegativeSamplingLoss:
    """Loss of each positive target plus K sampled negatives, in one batched gather.

    ``loss = sum over rows, targets and their K+1 scores of the sigmoid cross-entropy / B``:
    with one target per row this is the book's NegativeSamplingLoss; with C targets per row
    (skip-gram) it is the sum of the book's C loss layers.

    Parameters
    ----------
    W : (V, H) float
        Output vectors.
    counts : (V,) int
        Word counts for the noise distribution.
    """

    def __init__(
        self,
        W: Any,
        counts: Any,
        power: float = 0.75,
        sample_size: int = 5,
        *,
        distinct: bool = True,
        rng: Any = 0,
    ):
        self.sampler = UnigramSampler(counts, sample_size, power, distinct=distinct, rng=rng, xp=get_xp(W))
        self.embed_dot = EmbeddingDot(W)
        self.loss_layer = SigmoidWithLoss()
        self.params = self.embed_dot.params
        self.grads = self.embed_dot.grads
        self._labels: dict[tuple[int, Any], Any] = {}

    def forward(self, h: Any, target: Any) -> float:
        """h : (B, H); target : (B,) or (B, C) int -> scalar loss."""
        xp = self.embed_dot.embed.xp
        B = h.shape[0]
        positive = target.reshape(B, -1, 1)  # (B, C, 1)
        negative = self.sampler.sample(positive[:, :, 0])  # (B, C, K)
        idx = xp.concatenate([positive, negative], axis=2).reshape(B, -1)  # (B, C*(K+1))
        score = self.embed_dot.forward(h, idx)
        return self.loss_layer.forward(score, self._label_row(idx.shape[1], h.dtype))

    def _label_row(self, width: int, dtype: Any) -> Any:
        """(width,) labels: 1 for each positive, 0 for its K negatives."""
        key = (width, dtype)
        if key not in self._labels:
            labels = self.embed_dot.embed.xp.zeros(width, dtype=dtype)
            labels[:: self.sampler.sample_size + 1] = 1
            self._labels[key] = labels
        return self._labels[key]

    def backward(self, dout: float = 1.0) -> Any:
        """-> dh : (B, H)."""
        return self.embed_dot.backward(self.loss_layer.backward(dout))

    def zero_grad(self) -> None:
        self.embed_dot.zero_grad()


class HierarchicalSoftmaxLoss:
    """Hierarchical softmax (word2vec.c's ``-hs 1``): each target's loss over its Huffman path.

    At every inner node n on a target's path, ``s(h . W_node[n])`` is the probability of
    turning left, so the target's label there is ``1 - code``; the loss is the sigmoid
    cross-entropy summed over the path's nodes (and over a row's C targets), averaged over
    the batch, as :class:`NegativeSamplingLoss` averages its K + 1 scores.

    Parameters
    ----------
    W : (V - 1, H) float
        One row per inner node (word2vec.c's ``syn1``).
    codes, points : (V, L) uint8 and int
        Every word's turns and inner nodes, root first; lengths : (V,) int path lengths
        (see :func:`w2v.text.huffman.huffman_tree`).
    """

    def __init__(self, W: Any, codes: Any, points: Any, lengths: Any):
        xp = get_xp(W)
        self.embed_dot = EmbeddingDot(W)
        self.params = self.embed_dot.params
        self.grads = self.embed_dot.grads
        self.codes = xp.asarray(codes)
        self.points = xp.asarray(points)
        self.lengths = xp.asarray(lengths)
        self._cache = None

    def forward(self, h: Any, target: Any) -> float:
        """h : (B, H); target : (B,) or (B, C) int -> scalar loss."""
        xp = self.embed_dot.embed.xp
        B = h.shape[0]
        target = target.reshape(B, -1)  # (B, C)
        L = self.points.shape[1]
        mask = (xp.arange(L) < self.lengths[target][:, :, None]).reshape(B, -1).astype(h.dtype)  # (B, C*L)
        nodes = self.points[target].reshape(B, -1)  # (B, C*L); padding points at node 0, masked out
        labels = (1 - self.codes[target].astype(h.dtype)).reshape(B, -1)
        x = self.embed_dot.forward(h, nodes)
        e = xp.exp(-xp.abs(x))
        loss = (xp.maximum(x, 0) - labels * x + xp.log1p(e)) * mask
        self._cache = (_sigmoid(xp, x, e), labels, mask)
        return float(loss.sum()) / B

    def backward(self, dout: float = 1.0) -> Any:
        """-> dh : (B, H)."""
        y, labels, mask = self._cache
        return self.embed_dot.backward((y - labels) * mask * (dout / y.shape[0]))

    def zero_grad(self) -> None:
        self.embed_dot.zero_grad()
