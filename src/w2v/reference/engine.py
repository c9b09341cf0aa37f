"""The reference engine: the book's layers trained by mini-batch gradient descent.

It follows the book's ``Trainer.fit``: each epoch shuffles the (contexts, target) pairs,
walks ``len // batch_size`` mini-batches, and per batch runs forward, backward, optional
clipping and one optimizer step.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from ..config import TrainConfig
from ..errors import ConfigError, ModelFileError
from ..text.corpus import Corpus
from ..text.huffman import huffman_tree
from ..text.subwords import vocabulary_rows
from ..training.engine import BlockStats, SingleProcess, Start, expect_array
from .grads import clip_grads
from .models import CBOW, SkipGram
from .optim import SGD, Adam, LazyAdam
from .xp import make_rng, rng_state, set_rng_state, to_numpy


def contexts_target(corpus: Corpus, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The book's ``create_contexts_target``, vectorised and kept inside sentences.

    Every position with ``window`` words on both sides in the same sentence is a target.

    Returns
    -------
    contexts : (n, 2 * window) int32
        Left then right neighbours of each target, nearest last/first as in the book.
    target : (n,) int32
    """
    ids = corpus.ids
    width = 2 * window + 1
    if ids.size < width:
        empty = np.zeros((0, 2 * window), dtype=np.int32)
        return empty, np.zeros(0, dtype=np.int32)
    windows = np.lib.stride_tricks.sliding_window_view(ids, width)  # (N - 2w, 2w + 1), a view
    sentence_of = np.repeat(np.arange(corpus.offsets.size - 1), corpus.sentence_lengths)
    inside = sentence_of[: ids.size - width + 1] == sentence_of[width - 1 :]
    chosen = windows[inside] if not inside.all() else windows
    target = np.ascontiguousarray(chosen[:, window], dtype=np.int32)
    contexts = np.ascontiguousarray(np.delete(chosen, window, axis=1), dtype=np.int32)
    return contexts, target



OPTIMIZERS = {"lazy-adam": LazyAdam, "adam": Adam, "sgd": SGD}
MODELS = {"cbow": CBOW, "skipgram": SkipGram}


class ReferenceEngine(SingleProcess):
    """Trains ``cfg.model`` on ``corpus`` with the book's layers on array module ``xp``; ``start``: the model a
    continued run starts from (its rows over the first ones; the frozen ones are put back after every step)."""

    unit_name = "iteration"

    def __init__(self, corpus: Corpus, cfg: TrainConfig, xp: ModuleType = np, start: Start | None = None):
        model_seed, shuffle_seed = np.random.SeedSequence(cfg.seed).spawn(2)
        self.model = MODELS[cfg.model](
            len(corpus.vocab),
            cfg.vector_size,
            corpus.vocab.counts,
            negative=cfg.negative,
            power=cfg.ns_exponent,
            distinct=cfg.distinct_negatives,
            tree=huffman_tree(corpus.vocab.counts) if cfg.hs else None,
            mean=cfg.cbow_mean,
            seed=model_seed,
            subwords=vocabulary_rows(cfg.subword_spec(), corpus.vocab.words),
            xp=xp,
        )
        contexts, target = contexts_target(corpus, cfg.window)
        if target.size < cfg.batch_size:
            raise ConfigError(
                f"batch_size={cfg.batch_size} but {corpus.name} gives only {target.size} "
                f"(contexts, target) pairs at window={cfg.window}; lower batch_size or use a larger corpus",
                options=("batch_size", "window"),
            )
        self.xp = xp
        self.cfg = cfg
        self.contexts = xp.asarray(contexts)
        self.target = xp.asarray(target)
        self.units_per_epoch = target.size // cfg.batch_size
        self.optimizer = OPTIMIZERS[cfg.optimizer](lr=cfg.lr)
        self.rng = make_rng(shuffle_seed)
        self.order = None
        self.fixed: list[tuple[Any, Any]] = []  # (param, its frozen rows' values)
        if start is not None:
            self._continue_from(start)

    def _continue_from(self, start: Start) -> None:
        named = dict(zip(self.model.param_names, self.model.params))
        for name, rows, frozen in (("W_in", start.W_in, start.frozen_in), ("W_out", start.W_out, start.frozen_out),
                                   ("W_node", start.W_node, named["W_node"].shape[0] if start.frozen_node and
                                    "W_node" in named else 0)):
            if name not in named:
                continue
            param = named[name]
            if rows is not None:
                param[: rows.shape[0]] = self.xp.asarray(rows)
            if frozen:
                self.fixed.append((param[:frozen], param[:frozen].copy()))

    def start_epoch(self, epoch: int) -> None:
        self.order = self.xp.asarray(self.rng.permutation(self.target.size))

    def run(self, start: int, stop: int) -> BlockStats:
        B = self.cfg.batch_size
        model, params, grads = self.model, self.model.params, self.model.grads
        total = 0.0
        for it in range(start, stop):
            batch = self.order[it * B : (it + 1) * B]
            model.zero_grad()
            loss = model.forward(self.contexts[batch], self.target[batch])
            model.backward()
            if self.cfg.max_grad is not None:
                clip_grads(grads, self.cfg.max_grad)
            self.optimizer.update(params, grads)
            for rows, values in self.fixed:  # a frozen row ends each step as it began
                rows[...] = values
            total += loss
        return BlockStats(total, stop - start, (stop - start) * B, self.cfg.lr)

    def word_vectors(self, *, final: bool = False) -> np.ndarray:  # always a copy: the model may be on a GPU
        return to_numpy(self.model.word_vecs).astype(np.float32, copy=True)

    def output_weights(self, *, final: bool = False) -> tuple[np.ndarray | None, np.ndarray | None]:
        named = dict(zip(self.model.param_names, self.model.params))
        return tuple(None if name not in named else to_numpy(named[name]).astype(np.float32, copy=True)
                     for name in ("W_out", "W_node"))

    def state_dict(self) -> dict[str, Any]:
        """Weights, optimizer moments, the epoch's batch order and both random generators."""
        optimizer = self.optimizer.state_dict()
        return {
            "params": [to_numpy(p) for p in self.model.params],
            "optimizer": {k: [to_numpy(a) for a in v] if isinstance(v, list) else v for k, v in optimizer.items()},
            "order": None if self.order is None else to_numpy(self.order),
            "shuffle_rng": rng_state(self.rng),
            "sampler_rng": rng_state(self.model.ns_loss.sampler.rng) if self.model.ns_loss else None,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s state; every part is checked first (a ModelFileError says what is wrong)."""
        xp, params = self.xp, self.model.params
        names = self.model.param_names
        if not isinstance(state, dict) or not isinstance(state.get("params"), list) \
                or len(state["params"]) != len(names):
            raise ModelFileError(f"the checkpoint lacks the weight matrices {', '.join(names)} (damaged, or from "
                                 "another run)")
        named = dict(zip(names, state["params"]))
        weights = [expect_array(named, name, p.dtype, p.shape) for name, p in zip(names, params)]
        optimizer = state.get("optimizer")
        if not isinstance(optimizer, dict):
            raise ModelFileError("the checkpoint lacks the optimizer's state (damaged, or from another run)")
        if isinstance(self.optimizer, Adam):
            moments = {}
            for key in ("m", "v"):
                arrays = optimizer.get(key)
                if arrays is not None:
                    if not isinstance(arrays, list) or len(arrays) != len(names):
                        raise ModelFileError(f"the checkpoint's Adam {key} is malformed")
                    arrays = [expect_array({f"Adam {key}": a}, f"Adam {key}", p.dtype, p.shape)
                              for a, p in zip(arrays, params)]
                moments[key] = arrays
            steps = optimizer.get("iter")
            if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
                raise ModelFileError(f"the checkpoint's Adam step count is {steps!r}")
            self.optimizer.load_state_dict({"iter": steps} | {k: None if v is None else [xp.asarray(a) for a in v]
                                                              for k, v in moments.items()})
        order = state.get("order")
        if order is not None:
            order = expect_array(state, "order", np.int64, self.target.shape)
            if order.size and (order.min() < 0 or order.max() >= self.target.size):
                raise ModelFileError("the checkpoint's batch order points outside the corpus (damaged?)")
        try:
            set_rng_state(self.rng, state["shuffle_rng"])
            if self.model.ns_loss is not None:
                set_rng_state(self.model.ns_loss.sampler.rng, state["sampler_rng"])
        except (KeyError, TypeError, ValueError) as err:
            raise ModelFileError(f"the checkpoint's random generator states are malformed ({err})") from None
        for param, saved in zip(params, weights):
            param[...] = xp.asarray(saved)
        self.order = None if order is None else xp.asarray(order)
