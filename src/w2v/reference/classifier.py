"""The book's layers for text classification (its section 4.4.1's transfer application), after fastText's
supervised model (Joulin et al. 2016): the mean of a line's input rows, an affine map to one score per
label, and a loss.

``EmbeddingBag`` is the mean of each bag's rows of ``W_in`` (the words', word n-grams' and
character n-grams' rows of :mod:`w2v.text.bags`); ``Affine`` multiplies by ``W_out`` and,
like fastText's output layer (which its ``.bin`` has no room to extend), has no bias; the
losses are the book's ``SoftmaxWithLoss`` and, for one-vs-all, negative sampling and
hierarchical softmax, :class:`~w2v.reference.layers.SigmoidWithLoss` over chosen scores.
The fast kernels (:mod:`w2v.fast.classify`) take one SGD step of these layers per line.

Shapes: B lines, R rows in all of the batch's bags, H the vector size, L labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .grads import RowSparseGrad
from .layers import SigmoidWithLoss
from .xp import get_xp


class EmbeddingBag:
    """Each bag's mean row of ``W``; backward hands each of a bag's n rows ``dout / n`` (repeats summed).

    Parameters
    ----------
    W : (rows, H) float
    """

    def __init__(self, W: Any):
        self.xp = get_xp(W)
        self.params = [W]
        self.grads = [RowSparseGrad(W.shape, self.xp, W.dtype)]
        self._cache = None

    def forward(self, offsets: Any, rows: Any) -> Any:
        """offsets : (B + 1,) int, rows : (R,) int (bag ``i``: ``rows[offsets[i]:offsets[i + 1]]``) -> (B, H).

        An empty bag's mean is the zero vector."""
        xp = self.xp
        lengths = offsets[1:] - offsets[:-1]
        bag = xp.repeat(xp.arange(lengths.size), lengths)  # (R,): each row's bag
        out = xp.zeros((lengths.size, self.params[0].shape[1]), dtype=self.params[0].dtype)
        scale = 1.0 / xp.maximum(lengths, 1)
        xp.add.at(out, bag, self.params[0][rows])
        self._cache = (rows, bag, scale)
        return out * scale[:, None]

    def backward(self, dout: Any) -> None:
        """dout : (B, H)."""
        rows, bag, scale = self._cache
        self.grads[0].add(rows, (dout * scale[:, None])[bag])

    def zero_grad(self) -> None:
        self.grads[0].zero()


class Affine:
    """``h @ W.T``: one score per row of ``W`` (a label, or an inner node of the labels' Huffman tree).

    Parameters
    ----------
    W : (L, H) float
    """

    def __init__(self, W: Any):
        self.xp = get_xp(W)
        self.params = [W]
        self.grads = [self.xp.zeros_like(W)]
        self._h = None

    def forward(self, h: Any) -> Any:
        """h : (B, H) -> (B, L)."""
        self._h = h
        return h @ self.params[0].T

    def backward(self, dout: Any) -> Any:
        """dout : (B, L) -> (B, H)."""
        self.grads[0] += dout.T @ self._h
        return dout @ self.params[0]

    def zero_grad(self) -> None:
        self.grads[0][...] = 0


class SoftmaxWithLoss:
    """The book's softmax + cross-entropy, averaged over the batch; backward ``(y - t) * dout / B``."""

    params: list = []
    grads: list = []

    def __init__(self) -> None:
        self._cache = None

    def forward(self, x: Any, t: Any) -> float:
        """x : (B, L) scores, t : (B,) int target labels -> scalar loss."""
        xp = get_xp(x)
        shifted = x - x.max(axis=1, keepdims=True)
        log_y = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        self._cache = (xp.exp(log_y), t)
        return -float(log_y[xp.arange(t.size), t].sum()) / t.size

    def backward(self, dout: float = 1.0) -> Any:
        y, t = self._cache
        dx = y.copy()
        dx[get_xp(y).arange(t.size), t] -= 1
        return dx * (dout / t.size)

    def zero_grad(self) -> None:
        pass


class SupervisedModel:
    """fastText's supervised model as layers: ``EmbeddingBag(W_in)``, ``Affine(W_out)``, then a loss.

    Parameters
    ----------
    W_in : (rows, H) float
    W_out : (L, H) float
        (L - 1, H) for ``loss="hs"``: the inner nodes of the labels' Huffman tree.
    loss : {"softmax", "ova", "ns", "hs"}
        ``softmax``: the target label's cross-entropy over all L scores. ``ova``: a sigmoid
        per label, each labelled 1 if it is one of the line's labels. ``ns``: a sigmoid for
        the target (1) and for each of the given negative labels (0). ``hs``: a sigmoid per
        inner node on the target's path, labelled with the path's turn there (fastText's
        convention: the score is the probability of turning right, code 1).

    The targets given to :meth:`forward` depend on the loss: ``softmax`` (B,) int labels;
    ``ova`` (B, L) 0/1; ``ns`` a pair ((B, 1 + K) int labels, target first, (B, 1 + K) 0/1);
    ``hs`` a pair ((B, P) int nodes, (B, P) 0/1 codes) with a (B, P) 0/1 mask of real steps.
    """

    def __init__(self, W_in: Any, W_out: Any, loss: str = "softmax"):
        self.embed = EmbeddingBag(W_in)
        self.affine = Affine(W_out)
        self.loss_kind = loss
        self.loss_layer = SoftmaxWithLoss() if loss == "softmax" else SigmoidWithLoss()
        self.params = self.embed.params + self.affine.params
        self.grads = self.embed.grads + self.affine.grads
        self._cache = None

    def scores(self, offsets: Any, rows: Any) -> Any:
        """(B, L) scores of each bag (each inner node's, for ``hs``)."""
        return self.affine.forward(self.embed.forward(offsets, rows))

    def forward(self, offsets: Any, rows: Any, targets: Any, mask: Any = None) -> float:
        """The batch's mean loss (a line's loss summed over its sigmoids for the sigmoid losses)."""
        scores = self.scores(offsets, rows)
        if self.loss_kind in ("softmax", "ova"):
            self._cache = None
            return self.loss_layer.forward(scores, targets)
        picked, labels = targets  # (B, P) rows of scores to score, and their 0/1 labels
        xp = get_xp(scores)
        chosen = scores[xp.arange(scores.shape[0])[:, None], picked]  # (B, P)
        mask = xp.ones(chosen.shape, dtype=scores.dtype) if mask is None else mask
        self._cache = (picked, mask, scores.shape)
        # A masked step is scored 0 against the label 1/2: its loss is log 2 (taken off) and its gradient 0.
        loss = self.loss_layer.forward(chosen * mask, labels * mask + 0.5 * (1 - mask))
        return loss - float((1 - mask).sum()) * np.log(2.0) / chosen.shape[0]

    def backward(self, dout: float = 1.0) -> None:
        dscores = self.loss_layer.backward(dout)
        if self._cache is not None:
            picked, mask, shape = self._cache
            xp = get_xp(dscores)
            full = xp.zeros(shape, dtype=dscores.dtype)
            xp.add.at(full, (xp.arange(shape[0])[:, None], picked), dscores * mask)
            dscores = full
        self.embed.backward(self.affine.backward(dscores))

    def zero_grad(self) -> None:
        self.embed.zero_grad()
        self.affine.zero_grad()
