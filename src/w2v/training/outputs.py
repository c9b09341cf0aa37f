"""The files a training run writes: the model, its checkpoint and its loss curve, and their defaults.

``w2v train -o MODEL.npz`` and ``w2v.train(..., output="MODEL.npz")`` share this policy: the
checkpoint defaults to ``MODEL.ckpt.npz`` (written when a signal stops the run), the loss
curve to ``MODEL-loss.png``, and a checkpoint named outright (or resumed from) is saved every
:data:`DEFAULT_CHECKPOINT_SECONDS`; ``checkpoint_every=math.inf`` saves only when a signal stops
the run. Every output is checked before the corpus is read.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..errors import W2VError
from ..io.files import check_output

if TYPE_CHECKING:
    from ..vectors.word_vectors import WordVectors

DEFAULT_CHECKPOINT_SECONDS = 600.0  # a checkpoint named outright is saved every 10 minutes


@dataclass(frozen=True)
class RunFiles:
    """Where a run writes (None: not written) and the seconds between checkpoint saves (inf: only when stopped)."""

    model: Path | None
    checkpoint: Path | None
    curve: Path | None
    checkpoint_every: float


def run_files(
    output: str | os.PathLike | None,
    *,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: float | None = None,
    loss_curve: bool = True,
    resuming: str | os.PathLike | None = None,
    inputs: Iterable[str | os.PathLike] = (),
    save_vocab: str | os.PathLike | None = None,
) -> RunFiles:
    """The run's files with their defaults filled in, each checked against the run's inputs and other outputs.

    Parameters
    ----------
    output : path, optional
        Where the vectors go (a w2v ``.npz``); the checkpoint and the loss curve default to names beside it.
    checkpoint : path, optional
        Defaults to the checkpoint being resumed, else to ``MODEL.ckpt.npz`` beside ``output``.
    checkpoint_every : float, optional
        Seconds between saves; defaults to :data:`DEFAULT_CHECKPOINT_SECONDS` when the checkpoint
        is named or resumed, and to ``math.inf`` (a save only when a signal stops the run) otherwise.
    loss_curve : bool
        Draw ``MODEL-loss.png`` beside ``output``.
    resuming : path, optional
        The checkpoint a resumed run reads.
    inputs : paths
        The files the run reads (the corpus, the vocabulary file, the benchmark files).
    save_vocab : path, optional
        The vocabulary file the run writes.
    """
    named = checkpoint is not None or resuming is not None
    model = Path(output) if output is not None else None
    if checkpoint is None:
        checkpoint = resuming if resuming is not None else model.with_suffix(".ckpt.npz") if model else None
    checkpoint = Path(checkpoint) if checkpoint is not None else None
    curve = model.with_name(model.stem + "-loss.png") if model is not None and loss_curve else None
    if checkpoint_every is None:
        checkpoint_every = DEFAULT_CHECKPOINT_SECONDS if named else math.inf
    inputs = [os.fspath(path) for path in inputs]
    read = inputs + ([os.fspath(resuming)] if resuming is not None else [])
    outputs = [path for path in (model, checkpoint, curve) if path is not None]
    for i, path in enumerate(outputs):  # a resumed checkpoint is the one output that is also read
        check_output(path, inputs=inputs if path == checkpoint else read, outputs=outputs[:i] + outputs[i + 1:])
    if save_vocab is not None:
        check_output(save_vocab, inputs=read, outputs=outputs)
    return RunFiles(model, checkpoint, curve, checkpoint_every)


def save_run(vectors: WordVectors, files: RunFiles, *, output_weights: bool = True) -> list[Path]:
    """Write the model (with ``W_out`` and ``W_node`` unless ``output_weights=False``) and draw its loss curve (a
    curve that cannot be drawn is a warning); the paths written."""
    written = []
    if files.model is not None:
        vectors.save(files.model, "npz", output_weights=output_weights)
        written.append(files.model)
    if files.curve is not None and vectors.record is not None:
        from ..vectors.plot import save_loss_curve  # matplotlib is loaded once training has freed its memory

        record = vectors.record
        try:
            save_loss_curve(record.log, files.curve, title=f"{record.config.model} on {record.corpus.name}")
            written.append(files.curve)
        except (W2VError, OSError, ValueError) as err:
            warnings.warn(f"the loss curve was not drawn ({err}); the model is saved", stacklevel=2)
    return written
