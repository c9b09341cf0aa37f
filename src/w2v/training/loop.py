"""The one training driver: epochs, progress bar, loss record, divergence check, checkpoints.

The driver works for any engine (:class:`~w2v.training.engine.Engine`): it runs blocks of units,
records the mean loss of each block, stops on a NaN loss, saves a checkpoint every so often,
and on SIGINT (Ctrl-C), SIGTERM or SIGHUP finishes the current block, saves one, and stops.
A periodic save that fails (a full disk) is a warning, not the end of the run.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import CheckpointWarning, TrainingError, TrainingInterrupted, W2VError
from ..record import Position, TrainingLog
from .engine import BlockStats, Engine


@dataclass
class CheckpointPolicy:
    """When and how to save: ``save(position, log)`` writes the run's state at ``position``."""

    path: str
    save: Callable[[Position, TrainingLog], None]
    every_seconds: float | None = None


class TrainingLoop:
    """Runs ``engine`` for ``epochs`` epochs, recording the mean loss every ``loss_every`` units.

    Parameters
    ----------
    engine : Engine
    epochs : int
    loss_every : int
        Units (mini-batches for the reference engine, chunks for the fast one) per block.
    progress : bool
        Show a tqdm progress bar on stderr.
    checkpoint : CheckpointPolicy, optional
        Periodic saves, and a save before stopping on SIGINT or SIGTERM.
    log : TrainingLog, optional
        The log of the run being resumed.
    start : Position
        Where a resumed run goes on; the engine's state must already be loaded.
    divergence_advice : (str, options)
        What the error says to do when the loss becomes NaN or infinite, and the options it names.
    on_epoch_end : callable, optional
        ``on_epoch_end(epochs_done, log)`` after the last block of each epoch, while no engine
        work runs; it may add to ``log.evaluations``, and a true result ends the run there.
        Its time is not counted as training time.
    """

    def __init__(
        self,
        engine: Engine,
        epochs: int,
        *,
        loss_every: int = 100,
        progress: bool = True,
        checkpoint: CheckpointPolicy | None = None,
        log: TrainingLog | None = None,
        start: Position | None = None,
        divergence_advice: tuple[str, tuple[str, ...]] = ("lower the learning rate", ()),
        on_epoch_end: Callable[[int, TrainingLog], bool] | None = None,
    ):
        self.engine = engine
        self.epochs = epochs
        self.block = max(1, min(loss_every, engine.units_per_epoch))
        self.progress = progress
        self.checkpoint = checkpoint
        self.log = log or TrainingLog(unit=engine.unit_name)
        self.start = start or Position(0, 0)
        self.divergence_advice = divergence_advice
        self.on_epoch_end = on_epoch_end
        self._clock = 0.0  # when the time not yet added to log.seconds began
        self._last_save = 0.0

    def run(self) -> TrainingLog:
        """Train to the end (or until a stop request, which raises TrainingInterrupted); return the log."""
        units = self.engine.units_per_epoch
        bar: Any = _QuietBar()
        if self.progress:
            from tqdm.auto import tqdm  # imported when shown: with asyncio it adds to a quiet run's memory

            bar = tqdm(total=self.epochs * units, initial=self.start.epoch * units + self.start.unit,
                       unit=f" {self.engine.unit_name}", dynamic_ncols=True, leave=False)
        self._clock = self._last_save = time.perf_counter()
        with bar, _StopRequests(enabled=self.checkpoint is not None) as stop:
            for epoch in range(self.start.epoch, self.epochs):
                unit = self.start.unit if epoch == self.start.epoch else 0
                if unit == 0:
                    self.engine.start_epoch(epoch)
                    self.log.epoch_partial = [0.0, 0]
                while unit < units:
                    end = min(unit + self.block, units)
                    stats = self.engine.run(unit, end)
                    self._record(stats, epoch, end, bar)
                    bar.update(end - unit)
                    unit = end
                    if unit == units and self._epoch_ended(epoch, bar):
                        self._add_time()
                        return self.log
                    self._after_block(Position(epoch + 1, 0) if unit == units else Position(epoch, unit), stop)
        self._add_time()
        return self.log

    def _epoch_ended(self, epoch: int, bar: Any) -> bool:
        """Call ``on_epoch_end`` (not counted as training time) and show its scores; whether to stop here."""
        if self.on_epoch_end is None:
            return False
        self._add_time()
        stop = self.on_epoch_end(epoch + 1, self.log)
        self._clock = time.perf_counter()
        latest = self.log.evaluations[-1] if self.log.evaluations else None
        if self.progress and latest is not None and latest["epoch"] == epoch + 1:
            bar.write(f"epoch {epoch + 1}/{self.epochs}: {describe_scores(latest)}", file=sys.stderr)
        return bool(stop)

    def _record(self, stats: BlockStats, epoch: int, end: int, bar: Any) -> None:
        """Add a block's statistics to the log; a non-finite loss ends the run."""
        log, units = self.log, self.engine.units_per_epoch
        mean = stats.loss_sum / max(stats.loss_count, 1)
        if not math.isfinite(mean):
            raise TrainingError(
                f"the loss became {mean} in epoch {epoch + 1} ({self.engine.unit_name} {end}): "
                f"training diverged; {self.divergence_advice[0]}", options=self.divergence_advice[1],
            )
        log.epoch_partial = [log.epoch_partial[0] + stats.loss_sum, log.epoch_partial[1] + stats.loss_count]
        log.words += stats.words
        log.communication_seconds += stats.communication_seconds
        log.loss_curve.append([epoch * units + end, mean])
        if end == units:
            log.epoch_losses.append(log.epoch_partial[0] / max(log.epoch_partial[1], 1))
            log.epoch_partial = [0.0, 0]
        elapsed = log.seconds + time.perf_counter() - self._clock
        scores = {name: "n/a" if value is None else f"{value:.4f}"
                  for name, value in (log.evaluations[-1].items() if log.evaluations else ())
                  if name not in ("epoch", "units")}
        bar.set_postfix(epoch=f"{epoch + 1}/{self.epochs}", loss=f"{mean:.4f}", lr=f"{stats.lr:.3g}",
                        words_s=f"{log.words / max(elapsed, 1e-9):,.0f}", **scores)

    def _after_block(self, where: Position, stop: "_StopRequests") -> None:
        """Save and stop if asked to, or save if a checkpoint is due (never after the last block)."""
        if self.checkpoint is None or where.epoch >= self.epochs:
            return
        every = self.checkpoint.every_seconds
        due = every is not None and time.perf_counter() - self._last_save >= every
        requested = stop.requested
        due, requested = self.engine.consensus((due, requested))  # a distributed run's ranks act on rank 0's
        if requested:
            self._save(where)
            raise TrainingInterrupted(self._stopped_summary(requested, where), checkpoint=self.checkpoint.path)
        if due:
            try:
                self._save(where)
            except (W2VError, OSError) as err:  # the run goes on; the next save tries again
                warnings.warn(f"could not save the checkpoint, training goes on: {err}", CheckpointWarning,
                              stacklevel=2)
            self._last_save = time.perf_counter()

    def _save(self, where: Position) -> None:
        self._add_time()
        self.checkpoint.save(where, self.log)

    def _add_time(self) -> None:
        now = time.perf_counter()
        self.log.seconds += now - self._clock
        self._clock = now

    def _stopped_summary(self, signal_name: str, where: Position) -> str:
        units = self.engine.units_per_epoch
        done = (where.epoch * units + where.unit) / (self.epochs * units)
        return f"stopped by {signal_name} in epoch {where.epoch + 1}/{self.epochs} ({done:.0%} done)"


def describe_scores(evaluation: dict[str, Any]) -> str:
    """'analogies 0.4123, similarity 0.6010' for one entry of ``TrainingLog.evaluations``."""
    return ", ".join(f"{name} {'n/a' if value is None else f'{value:.4f}'}" for name, value in evaluation.items()
                     if name not in ("epoch", "units"))


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
REPEAT_SECONDS = 1.0  # signals this soon after the first are the same request (timeout, schedulers send two)


class _QuietBar:
    """What the loop uses of a tqdm bar, for a run without one: lines are printed, the rest does nothing."""

    def __enter__(self) -> "_QuietBar":
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def update(self, n: int) -> None:
        pass

    def set_postfix(self, **values: Any) -> None:
        pass

    @staticmethod
    def write(line: str, file: Any) -> None:
        print(line, file=file)


class _StopRequests:
    """While active, the first SIGINT, SIGTERM or SIGHUP sets ``requested``: the loop saves and stops.

    Signals within ``REPEAT_SECONDS`` of the first are the same request; a later one stops at
    once (KeyboardInterrupt), for a user who does not want to wait for the save.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled and threading.current_thread() is threading.main_thread()
        self.requested: str | None = None
        self._first = 0.0
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            if time.monotonic() - self._first > REPEAT_SECONDS:
                raise KeyboardInterrupt
            return
        self.requested = signal.Signals(signum).name
        self._first = time.monotonic()

    def __enter__(self) -> "_StopRequests":
        if self.enabled:
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
