"""CBOW and skip-gram with negative sampling, built from the book's layers.

Both keep the book's interface: ``forward(contexts, target) -> loss``, ``backward()``,
``params`` = [W_in, W_out] (and W_node with hierarchical softmax), ``grads`` alongside,
``word_vecs`` = W_in (with subwords: the words' own rows, then the n-gram buckets').
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..text.huffman import HuffmanTree
from .layers import Embedding, HierarchicalSoftmaxLoss, NegativeSamplingLoss, SubwordEmbedding
from .xp import make_rng


class _Word2Vec:
    """Weights and the output losses shared by both models: negative sampling, hierarchical softmax or both.

    Parameters
    ----------
    vocab_size, hidden_size : int
        V and H.
    counts : (V,) int
        Word counts for the noise distribution.
    negative : int
        K negatives per target; 0 for none (hierarchical softmax alone).
    tree : HuffmanTree, optional
        Adds hierarchical softmax over this tree, with one ``W_node`` row per inner node
        (zero at the start, as word2vec.c's ``syn1``); the two losses add up.
    mean : bool
        CBOW: the hidden vector is the mean of the context vectors (the book's), else their sum.
    seed : int or numpy SeedSequence
        Initialises the weights (``0.01 * N(0, 1)`` as in the book, drawn with NumPy so the
        same seed gives the same start on CPU and GPU) and the negative sampler.
    subwords : (offsets, rows, buckets), optional
        fastText's model: ``W_in`` gets ``buckets`` more rows, and a word's input vector is the
        mean of its rows ``rows[offsets[w]:offsets[w + 1]]`` (:class:`SubwordEmbedding`).

    ``params`` lists W_in, then W_out (with negatives), then W_node (with the tree);
    ``param_names`` names them.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        counts: Any,
        *,
        negative: int = 5,
        power: float = 0.75,
        distinct: bool = True,
        tree: HuffmanTree | None = None,
        mean: bool = True,
        seed: int | np.random.SeedSequence = 0,
        subwords: tuple[Any, Any, int] | None = None,
        xp: ModuleType = np,
        dtype: Any = np.float32,
    ):
        if not isinstance(seed, np.random.SeedSequence):
            seed = np.random.SeedSequence(seed)
        init_seed, sampler_seed = seed.spawn(2)
        init = np.random.default_rng(init_seed)
        input_rows = vocab_size + (0 if subwords is None else subwords[2])
        W_in = xp.asarray((0.01 * init.standard_normal((input_rows, hidden_size))).astype(dtype))
        W_out = xp.asarray((0.01 * init.standard_normal((vocab_size, hidden_size))).astype(dtype))
        self.in_layer = Embedding(W_in) if subwords is None else SubwordEmbedding(W_in, subwords[0], subwords[1])
        self.losses: list[Any] = []
        self.params, self.grads, self.param_names = [W_in], [self.in_layer.grads[0]], ["W_in"]
        self.ns_loss = None
        if negative:
            self.ns_loss = NegativeSamplingLoss(W_out, counts, power, negative, distinct=distinct,
                                                rng=make_rng(sampler_seed))
            self._add(self.ns_loss, "W_out")
        self.hs_loss = None
        if tree is not None:
            W_node = xp.zeros((tree.inner_nodes, hidden_size), dtype=dtype)
            self.hs_loss = HierarchicalSoftmaxLoss(W_node, tree.codes, tree.points, tree.lengths)
            self._add(self.hs_loss, "W_node")
        if not self.losses:
            raise ConfigError("negative=0 needs hs=True: no output loss is left", options=("negative", "hs"))
        self.mean = mean
        self.word_vecs = W_in

    def _add(self, loss: Any, name: str) -> None:
        self.losses.append(loss)
        self.params.append(loss.params[0])
        self.grads.append(loss.grads[0])
        self.param_names.append(name)

    def _loss(self, h: Any, target: Any) -> float:
        return sum(loss.forward(h, target) for loss in self.losses)

    def _dh(self, dout: float) -> Any:
        dh = self.losses[0].backward(dout)
        for loss in self.losses[1:]:
            dh = dh + loss.backward(dout)
        return dh

    def zero_grad(self) -> None:
        self.in_layer.zero_grad()
        for loss in self.losses:
            loss.zero_grad()


class CBOW(_Word2Vec):
    """Predict the target from the mean (or sum) of its context vectors.

    With subwords the mean is fastText's: of all the context words' rows at once, so that a word of
    n rows weighs n / (the context's rows) in it, not 1 / C.
    """

    def forward(self, contexts: Any, target: Any) -> float:
        """contexts : (B, C) int, target : (B,) int -> loss."""
        rows = self.in_layer.forward(contexts)  # (B, C, H)
        self._width = contexts.shape[1]
        self._shares = None
        if self.mean and isinstance(self.in_layer, SubwordEmbedding):
            sizes = self.in_layer.sizes(contexts)  # (B, C)
            self._shares = (sizes / sizes.sum(axis=1, keepdims=True))[..., None]  # (B, C, 1)
            h = (rows * self._shares).sum(axis=1)
        else:
            h = rows.mean(axis=1) if self.mean else rows.sum(axis=1)  # (B, H)
        return self._loss(h, target)

    def backward(self, dout: float = 1.0) -> None:
        dh = self._dh(dout)
        if self._shares is not None:
            self.in_layer.backward(dh[:, None, :] * self._shares)
            return
        if self.mean:
            dh = dh / self._width  # (B, H)
        B, H = dh.shape
        self.in_layer.backward(self.in_layer.xp.broadcast_to(dh[:, None, :], (B, self._width, H)))


class SkipGram(_Word2Vec):
    """Predict every context word from the target's vector (the book's ``ch04/skip_gram.py``)."""

    def forward(self, contexts: Any, target: Any) -> float:
        """contexts : (B, C) int, target : (B,) int -> loss summed over the C context words."""
        h = self.in_layer.forward(target)  # (B, H)
        return self._loss(h, contexts)

    def backward(self, dout: float = 1.0) -> None:
        self.in_layer.backward(self._dh(dout))
