"""Training options: one dataclass, validated once, saved with the model.

CLI flags map 1:1 to the fields (``--vector-size`` -> ``vector_size``). Options left at
``None`` have a default that depends on the corpus or the engine; :meth:`TrainConfig.resolve`
fills them in, so a saved config always says what actually ran.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Literal, get_args

from .errors import ConfigError

Model = Literal["cbow", "skipgram"]
Engine = Literal["reference"]
Optimizer = Literal["lazy-adam", "adam", "sgd"]


@dataclass
class TrainConfig:
    """Every option of a training run.

    Shared by all engines
        model, vector_size, window, negative, epochs, min_count, max_vocab_size, seed, power.
    Reference engine (the book's layers, mini-batch gradient descent)
        batch_size, lr, optimizer, max_grad, eval_interval, distinct_negatives.
    """

    model: Model = "cbow"
    engine: Engine = "reference"
    vector_size: int = 100
    window: int = 5
    negative: int = 5
    epochs: int | None = None  # reference: 10 (the book)
    min_count: int | None = None  # PTB: 1 (already a 10k vocabulary); text files: 5
    max_vocab_size: int | None = None
    seed: int | None = None  # None: drawn from the OS, then recorded here
    power: float = 0.75  # noise distribution: counts ** power

    batch_size: int = 100
    lr: float = 0.001
    optimizer: Optimizer = "lazy-adam"
    max_grad: float | None = None
    eval_interval: int = 100  # iterations per recorded loss value
    distinct_negatives: bool = True  # the book's CPU sampler: K distinct, never the target

    def resolve(self, *, corpus_is_ptb: bool) -> "TrainConfig":
        """Return a validated copy with every ``None`` default filled in."""
        import numpy as np

        self.validate()
        filled = dataclasses.replace(self)
        if filled.epochs is None:
            filled.epochs = 10
        if filled.min_count is None:
            filled.min_count = 1 if corpus_is_ptb else 5
        if filled.seed is None:
            filled.seed = int(np.random.SeedSequence().entropy % (2**31))
        return filled

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first option whose value cannot work."""
        for name, choices in (("model", Model), ("engine", Engine), ("optimizer", Optimizer)):
            value = getattr(self, name)
            if value not in get_args(choices):
                raise ConfigError(f"{name} must be one of {', '.join(get_args(choices))}, not {value!r}")
        _positive_int(self, "vector_size", "window", "negative", "batch_size", "eval_interval")
        _positive_int(self, "epochs", "max_vocab_size", allow_none=True)
        _positive_int(self, "min_count", allow_none=True, minimum=1)
        if self.seed is not None and (not _is_int(self.seed) or not 0 <= self.seed < 2**63):
            raise ConfigError(f"seed must be an integer in 0..2**63-1, not {self.seed!r}")
        _positive_float(self, "lr")
        _positive_float(self, "max_grad", allow_none=True)
        if not _is_number(self.power) or not 0 <= self.power <= 2:
            raise ConfigError(f"power must be a number in 0..2, not {self.power!r}")

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainConfig":
        """Build a config from saved values, ignoring keys this version does not know."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


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
