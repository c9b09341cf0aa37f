"""What a training run did and where it stands: saved with the vectors and in checkpoints."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import Any

from .config import TrainConfig


@dataclass(frozen=True, order=True)
class Position:
    """A place in a run: before unit ``unit`` of epoch ``epoch`` (both 0-based)."""

    epoch: int
    unit: int


@dataclass
class TrainingLog:
    """What a run did (kept across interruptions).

    loss_curve : list of [units done, mean loss of the preceding block]
    epoch_losses : mean loss of each finished epoch
    epoch_partial : [loss sum, loss count] of the epoch in progress
    seconds : training time (the kernels' warm-up and evaluations excluded); words : corpus words trained on
    evaluations : one dict per evaluated epoch: ``epoch`` (1 after the first), ``units`` (units done),
        and the scores, ``analogies`` (accuracy, 0..1) and/or ``similarity`` (Spearman's rho); a
        score is None where it is undefined (no question answered)
    """

    unit: str
    loss_curve: list[list[float]] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)
    epoch_partial: list[float] = field(default_factory=lambda: [0.0, 0])
    seconds: float = 0.0
    words: int = 0
    communication_seconds: float = 0.0  # of ``seconds``, spent averaging across MPI ranks
    evaluations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def final_loss(self) -> float:
        return self.epoch_losses[-1] if self.epoch_losses else float("nan")

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the derived ``final_loss`` and ``words_per_second`` for readers of the file."""
        return asdict(self) | {"final_loss": self.final_loss, "words_per_second": self.words_per_second}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainingLog":
        """Read :meth:`to_dict`'s document; TypeError (or KeyError) if any field is of the wrong kind."""
        log = cls(**{f.name: values[f.name] if f.name not in _ADDED else values.get(f.name, _ADDED[f.name]())
                     for f in dataclasses.fields(cls)})
        pairs = log.loss_curve + [log.epoch_partial]
        if not (isinstance(log.unit, str) and isinstance(log.loss_curve, list) and isinstance(log.epoch_losses, list)
                and all(isinstance(pair, list) and len(pair) == 2 and all(map(_is_number, pair)) for pair in pairs)
                and all(map(_is_number, log.epoch_losses)) and _is_number(log.seconds)
                and isinstance(log.words, int) and _is_number(log.communication_seconds)
                and isinstance(log.evaluations, list)
                and all(isinstance(e, dict) and isinstance(e.get("epoch"), int) and _is_number(e.get("units"))
                        and all(v is None or _is_number(v) for v in e.values()) for e in log.evaluations)):
            raise TypeError("a training log field is of the wrong kind")
        return log


_ADDED = {"evaluations": list, "communication_seconds": float}  # fields older logs lack: their defaults


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class CorpusSummary:
    """The corpus a run trained on: its name, corpus words and vocabulary size."""

    name: str
    words: int
    vocabulary: int


@dataclass
class TrainingRecord:
    """How a set of vectors was trained: the resolved config, the corpus and the log."""

    config: TrainConfig
    corpus: CorpusSummary
    log: TrainingLog

    def to_dict(self) -> dict[str, Any]:
        """The JSON document stored in a ``.npz`` (keys ``config``, ``corpus``, ``training``)."""
        return {"config": asdict(self.config), "corpus": asdict(self.corpus), "training": self.log.to_dict()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainingRecord":
        """Read :meth:`to_dict`'s document (renamed options included); KeyError/TypeError if malformed."""
        corpus = values["corpus"]
        return cls(TrainConfig.from_dict(values["config"]),
                   CorpusSummary(str(corpus["name"]), int(corpus["words"]), int(corpus["vocabulary"])),
                   TrainingLog.from_dict(values["training"]))
