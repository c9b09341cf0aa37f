"""The one training driver: epochs, progress bar, loss record, divergence check, checkpoints.

The driver works for any engine (:class:`~w2v.engine.Engine`): it runs blocks of units,
records the mean loss of each block, stops on a NaN loss, saves a checkpoint every so often,
and on SIGINT (Ctrl-C) or SIGTERM finishes the current block, saves one, and stops.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from tqdm.auto import tqdm

from .engine import Engine
from .errors import TrainingError, TrainingInterrupted


@dataclass
class TrainingLog:
    """What a run did (kept across interruptions).

    loss_curve : list of [units done, mean loss of the preceding block]
    epoch_losses : mean loss of each finished epoch
    epoch_partial : [loss sum, loss count] of the epoch in progress
    """

    unit: str
    loss_curve: list[list[float]] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)
    epoch_partial: list[float] = field(default_factory=lambda: [0.0, 0])
    seconds: float = 0.0
    words: int = 0

    @property
    def final_loss(self) -> float:
        return self.epoch_losses[-1] if self.epoch_losses else float("nan")

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"final_loss": self.final_loss, "words_per_second": self.words_per_second}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainingLog":
        return cls(**{k: values[k] for k in ("unit", "loss_curve", "epoch_losses", "epoch_partial", "seconds", "words")})


@dataclass
class CheckpointPolicy:
    """When and how to save: ``save(epoch, unit, log)`` writes the state before ``unit`` of ``epoch``."""

    path: str
    save: Callable[[int, int, TrainingLog], None]
    every_seconds: float | None = None


class Trainer:
    """Runs ``engine`` for ``epochs`` epochs, recording the mean loss every ``interval`` units.

    Parameters
    ----------
    engine : Engine
    epochs : int
    interval : int
        Units (mini-batches for the reference engine, chunks for the fast one) per block.
    progress : bool
        Show a tqdm progress bar on stderr.
    checkpoint : CheckpointPolicy, optional
        Periodic saves, and a save before stopping on SIGINT or SIGTERM.
    log : TrainingLog, optional
        The log of the run being resumed.
    start : (epoch, unit)
        Where a resumed run goes on; the engine's state must already be loaded.
    """

    def __init__(
        self,
        engine: Engine,
        epochs: int,
        *,
        interval: int = 100,
        progress: bool = True,
        checkpoint: CheckpointPolicy | None = None,
        log: TrainingLog | None = None,
        start: tuple[int, int] = (0, 0),
    ):
        self.engine = engine
        self.epochs = epochs
        self.interval = max(1, min(interval, engine.units_per_epoch))
        self.progress = progress
        self.checkpoint = checkpoint
        self.log = log or TrainingLog(unit=engine.unit_name)
        self.start = start

    def fit(self) -> TrainingLog:
        engine, log = self.engine, self.log
        units = engine.units_per_epoch
        first_epoch, first_unit = self.start
        bar = tqdm(total=self.epochs * units, initial=first_epoch * units + first_unit, unit=f" {engine.unit_name}",
                   disable=not self.progress, dynamic_ncols=True, leave=False)
        started = time.perf_counter()
        last_save = started
        with bar, _StopRequests(enabled=self.checkpoint is not None) as stop:
            for epoch in range(first_epoch, self.epochs):
                unit = first_unit if epoch == first_epoch else 0
                if unit == 0:
                    engine.start_epoch(epoch)
                    log.epoch_partial = [0.0, 0]
                while unit < units:
                    end = min(unit + self.interval, units)
                    stats = engine.run(unit, end)
                    mean = stats.loss_sum / max(stats.loss_count, 1)
                    if not math.isfinite(mean):
                        raise TrainingError(
                            f"the loss became {mean} in epoch {epoch + 1} ({engine.unit_name} {end}): "
                            "training diverged; lower the learning rate or set a gradient clip"
                        )
                    log.epoch_partial = [log.epoch_partial[0] + stats.loss_sum, log.epoch_partial[1] + stats.loss_count]
                    log.words += stats.words
                    log.loss_curve.append([epoch * units + end, mean])
                    now = time.perf_counter()
                    bar.set_postfix(epoch=f"{epoch + 1}/{self.epochs}", loss=f"{mean:.4f}", lr=f"{stats.lr:.3g}",
                                    words_s=f"{log.words / max(log.seconds + now - started, 1e-9):,.0f}")
                    bar.update(end - unit)
                    unit = end
                    if unit == units:
                        log.epoch_losses.append(log.epoch_partial[0] / max(log.epoch_partial[1], 1))
                        log.epoch_partial = [0.0, 0]
                    where = (epoch + 1, 0) if unit == units else (epoch, unit)
                    if stop.requested and where[0] < self.epochs:
                        log.seconds += now - started
                        self.checkpoint.save(*where, log)
                        raise TrainingInterrupted(self._stopped_message(stop.requested, where))
                    every = self.checkpoint.every_seconds if self.checkpoint else None
                    if every is not None and now - last_save >= every and where[0] < self.epochs:
                        log.seconds += now - started
                        started = now
                        self.checkpoint.save(*where, log)
                        last_save = time.perf_counter()
        log.seconds += time.perf_counter() - started
        return log

    def _stopped_message(self, signal_name: str, where: tuple[int, int]) -> str:
        done = (where[0] * self.engine.units_per_epoch + where[1]) / (self.epochs * self.engine.units_per_epoch)
        path = self.checkpoint.path
        return (f"stopped by {signal_name} in epoch {where[0] + 1}/{self.epochs} ({done:.0%} done); progress saved "
                f"to {path}; continue with: w2v train --resume {path}")


class _StopRequests:
    """While active, SIGINT and SIGTERM set ``requested`` (a second one stops at once)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and threading.current_thread() is threading.main_thread()
        self.requested: str | None = None
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = signal.Signals(signum).name

    def __enter__(self) -> "_StopRequests":
        if self.enabled:
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
