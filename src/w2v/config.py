"""Training options: one dataclass, validated once, saved with the model.

CLI flags map 1:1 to the fields (``--vector-size`` -> ``vector_size``). Options left at
``None`` have a default that depends on the corpus or the engine; :meth:`TrainConfig.resolve`
fills them in, so a saved config always says what actually ran.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Literal, get_args

from .errors import ConfigError

Model = Literal["cbow", "skipgram"]
Engine = Literal["fast", "reference"]
Optimizer = Literal["adam", "lazy-adam", "sgd"]
Kernel = Literal["batched", "plain"]
Device = Literal["cpu", "cuda", "auto"]


@dataclass
class TrainConfig:
    """Every option of a training run.

    Shared by all engines
        model, engine, device, vector_size, window, negative, epochs, min_count, max_vocab_size, seed,
        power, eval_interval.
    Fast engine (word2vec.c's algorithm: SGD with linear decay, subsampling, dynamic window)
        alpha, min_alpha, sample, workers, kernel.
    Reference engine (the book's layers, mini-batch gradient descent)
        batch_size, lr, optimizer, max_grad, distinct_negatives.
    """

    model: Model = "cbow"
    engine: Engine = "fast"
    device: Device = "cpu"  # auto: cuda when a GPU is usable
    vector_size: int = 100
    window: int = 5
    negative: int = 5
    epochs: int | None = None  # fast: 5 (word2vec.c), reference: 10 (the book)
    min_count: int | None = None  # PTB: 1 (already a 10k vocabulary); text files: 5
    max_vocab_size: int | None = None
    seed: int | None = None  # None: drawn from the OS, then recorded here
    power: float = 0.75  # noise distribution: counts ** power
    eval_interval: int = 100  # units per recorded loss: iterations (reference), 10k-word chunks (fast)

    alpha: float | None = None  # cbow: 0.05, skipgram: 0.025 (word2vec.c)
    min_alpha: float | None = None  # alpha * 1e-4
    sample: float = 1e-3  # subsampling threshold; 0 keeps every word
    workers: int | None = None  # threads; default: the CPU cores this process may use
    kernel: Kernel = "batched"

    batch_size: int = 100
    lr: float = 0.001
    optimizer: Optimizer = "adam"
    max_grad: float | None = None
    distinct_negatives: bool = True  # the book's CPU sampler: K distinct, never the target

    def resolve(self, *, corpus_is_ptb: bool) -> "TrainConfig":
        """Return a validated copy with every ``None`` default filled in."""
        import numpy as np

        self.validate()
        filled = dataclasses.replace(self)
        if filled.epochs is None:
            filled.epochs = 10 if filled.engine == "reference" else 5
        if filled.alpha is None:
            filled.alpha = 0.05 if filled.model == "cbow" else 0.025
        if filled.min_alpha is None:
            filled.min_alpha = filled.alpha * 1e-4
        if filled.workers is None:
            filled.workers = available_cores()
        if filled.device == "auto":
            from .devices import gpu_problem

            filled.device = "cuda" if gpu_problem(filled.engine) is None else "cpu"
        if filled.min_count is None:
            filled.min_count = 1 if corpus_is_ptb else 5
        if filled.seed is None:
            filled.seed = int(np.random.SeedSequence().entropy % (2**31))
        return filled

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first option whose value cannot work."""
        for name, choices in (("model", Model), ("engine", Engine), ("optimizer", Optimizer), ("kernel", Kernel),
                              ("device", Device)):
            value = getattr(self, name)
            if value not in get_args(choices):
                raise ConfigError(f"{name} must be one of {', '.join(get_args(choices))}, not {value!r}")
        _positive_int(self, "vector_size", "window", "negative", "batch_size", "eval_interval")
        _positive_int(self, "epochs", "max_vocab_size", "workers", allow_none=True)
        _positive_int(self, "min_count", allow_none=True, minimum=1)
        if self.seed is not None and (not _is_int(self.seed) or not 0 <= self.seed < 2**63):
            raise ConfigError(f"seed must be an integer in 0..2**63-1, not {self.seed!r}")
        _positive_float(self, "lr")
        _positive_float(self, "max_grad", "alpha", allow_none=True)
        if self.min_alpha is not None and (not _is_number(self.min_alpha) or self.min_alpha < 0
                                           or (self.alpha is not None and self.min_alpha > self.alpha)):
            raise ConfigError(f"min_alpha must be a number in 0..alpha, not {self.min_alpha!r}")
        if not _is_number(self.sample) or not 0 <= self.sample < 1:
            raise ConfigError(f"sample must be a number in [0, 1), not {self.sample!r}")
        if not _is_number(self.power) or not 0 <= self.power <= 2:
            raise ConfigError(f"power must be a number in 0..2, not {self.power!r}")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainConfig":
        """Build a config from saved values, ignoring keys this version does not know."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _positive_int(cfg: TrainConfig, *names: str, allow_none: bool = False, minimum: int = 1) -> None:
    for name in names:
        value = getattr(cfg, name)
        if value is None and allow_none:
            continue
        if not _is_int(value) or value < minimum:
            raise ConfigError(f"{name} must be an integer >= {minimum}, not {value!r}")


def _positive_float(cfg: TrainConfig, *names: str, allow_none: bool = False) -> None:
    for name in names:
        value = getattr(cfg, name)
        if value is None and allow_none:
            continue
        if not _is_number(value) or not 0 < value < float("inf"):
            raise ConfigError(f"{name} must be a positive number, not {value!r}")
