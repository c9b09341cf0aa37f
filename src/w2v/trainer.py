"""The one training driver: epochs, progress bar, loss record and divergence check for any engine."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from tqdm.auto import tqdm

from .engines import Engine
from .errors import TrainingError


@dataclass
class TrainingLog:
    """What a run did.

    loss_curve : list of [units done, mean loss of the preceding interval]
    epoch_losses : mean loss of each epoch
    """

    unit: str
    loss_curve: list[list[float]] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)
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


class Trainer:
    """Runs ``engine`` for ``epochs`` epochs, recording the mean loss every ``interval`` units.

    Parameters
    ----------
    engine : Engine
    epochs : int
    interval : int
        Units (mini-batches for the reference engine) per recorded loss value.
    progress : bool
        Show a tqdm progress bar on stderr.
    """

    def __init__(self, engine: Engine, epochs: int, *, interval: int = 100, progress: bool = True):
        self.engine = engine
        self.epochs = epochs
        self.interval = max(1, min(interval, engine.units_per_epoch))
        self.progress = progress
        self.log = TrainingLog(unit=engine.unit_name)

    def fit(self) -> TrainingLog:
        engine, log = self.engine, self.log
        units = engine.units_per_epoch
        bar = tqdm(total=self.epochs * units, unit=engine.unit_name[:4], disable=not self.progress,
                   dynamic_ncols=True, leave=False)
        started = time.perf_counter()
        with bar:
            for epoch in range(self.epochs):
                engine.start_epoch(epoch)
                epoch_sum, epoch_count = 0.0, 0
                for start in range(0, units, self.interval):
                    stop = min(start + self.interval, units)
                    stats = engine.run(start, stop)
                    mean = stats.loss_sum / max(stats.loss_count, 1)
                    if not math.isfinite(mean):
                        raise TrainingError(
                            f"the loss became {mean} in epoch {epoch + 1} ({engine.unit_name} {stop}): "
                            "training diverged; lower the learning rate or set a gradient clip"
                        )
                    epoch_sum += stats.loss_sum
                    epoch_count += stats.loss_count
                    log.words += stats.words
                    log.loss_curve.append([epoch * units + stop, mean])
                    elapsed = time.perf_counter() - started
                    bar.set_postfix(epoch=f"{epoch + 1}/{self.epochs}", loss=f"{mean:.4f}", lr=f"{stats.lr:.3g}",
                                    words_s=f"{log.words / max(elapsed, 1e-9):,.0f}")
                    bar.update(stop - start)
                log.epoch_losses.append(epoch_sum / max(epoch_count, 1))
        log.seconds = time.perf_counter() - started
        return log
