"""CBOW and skip-gram with negative sampling, built from the book's layers.

Both keep the book's interface: ``forward(contexts, target) -> loss``, ``backward()``,
``params`` = [W_in, W_out], ``grads`` alongside, ``word_vecs`` = W_in.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from .layers import Embedding, NegativeSamplingLoss
from .xp import make_rng


class _Word2Vec:
    """Weights and the negative-sampling loss shared by both models.

    Parameters
    ----------
    vocab_size, hidden_size : int
        V and H.
    counts : (V,) int
        Word counts for the noise distribution.
    seed : int or numpy SeedSequence
        Initialises the weights (``0.01 * N(0, 1)`` as in the book, drawn with NumPy so the
        same seed gives the same start on CPU and GPU) and the negative sampler.
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
        seed: int | np.random.SeedSequence = 0,
        xp: ModuleType = np,
        dtype: Any = np.float32,
    ):
        if not isinstance(seed, np.random.SeedSequence):
            seed = np.random.SeedSequence(seed)
        init_seed, sampler_seed = seed.spawn(2)
        init = np.random.default_rng(init_seed)
        W_in = xp.asarray((0.01 * init.standard_normal((vocab_size, hidden_size))).astype(dtype))
        W_out = xp.asarray((0.01 * init.standard_normal((vocab_size, hidden_size))).astype(dtype))
        self.in_layer = Embedding(W_in)
        self.ns_loss = NegativeSamplingLoss(
            W_out, counts, power, negative, distinct=distinct, rng=make_rng(sampler_seed)
        )
        self.params = [W_in, W_out]
        self.grads = [self.in_layer.grads[0], self.ns_loss.grads[0]]
        self.word_vecs = W_in

    def zero_grad(self) -> None:
        self.in_layer.zero_grad()
        self.ns_loss.zero_grad()


class CBOW(_Word2Vec):
    """Predict the target from the mean of its context vectors."""

    def forward(self, contexts: Any, target: Any) -> float:
        """contexts : (B, C) int, target : (B,) int -> loss."""
        h = self.in_layer.forward(contexts).mean(axis=1)  # (B, H)
        self._width = contexts.shape[1]
        return self.ns_loss.forward(h, target)

    def backward(self, dout: float = 1.0) -> None:
        dh = self.ns_loss.backward(dout) / self._width  # (B, H)
        B, H = dh.shape
        self.in_layer.backward(self.in_layer.xp.broadcast_to(dh[:, None, :], (B, self._width, H)))


class SkipGram(_Word2Vec):
    """Predict every context word from the target's vector (the book's ``ch04/skip_gram.py``)."""

    def forward(self, contexts: Any, target: Any) -> float:
        """contexts : (B, C) int, target : (B,) int -> loss summed over the C context words."""
        h = self.in_layer.forward(target)  # (B, H)
        return self.ns_loss.forward(h, contexts)

    def backward(self, dout: float = 1.0) -> None:
        self.in_layer.backward(self.ns_loss.backward(dout))
