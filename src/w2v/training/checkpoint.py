"""Training checkpoints, written and read in one place.

A checkpoint is one ``.npz``: a JSON document (format, version, the run's config, the corpus
it trained on, the position reached and the training log) and the engine's state tree, whose
arrays are members named ``state/...``. Nothing in it is ever unpickled.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import TrainConfig
from ..errors import ModelFileError
from ..io.npz import VERSION, read_archive, write_archive
from ..record import Position, TrainingLog

FORMAT = "w2v.checkpoint"
# Engine state keys renamed since checkpoints were first written: old -> new.
_STATE_RENAMED = {"syn0": "W_in", "syn1neg": "W_out"}


@dataclass(frozen=True)
class CorpusRef:
    """Which corpus a run trained on: where to read it again (None: given in memory) and its fingerprint."""

    source: str | None
    name: str
    fingerprint: str


@dataclass
class Checkpoint:
    """Everything needed to continue a run: the resolved config, corpus, position, log and engine state."""

    config: TrainConfig
    corpus: CorpusRef
    position: Position
    log: TrainingLog
    state: dict[str, Any]


def save_checkpoint(path: str | os.PathLike, checkpoint: Checkpoint) -> None:
    """Write ``checkpoint`` to ``path`` atomically.

    The state nests dicts and lists of NumPy arrays and JSON values; arrays go into the
    ``.npz`` as members ``state/...``, the rest into the JSON document.
    """
    arrays: dict[str, np.ndarray] = {}
    meta = {
        "config": dataclasses.asdict(checkpoint.config),
        "corpus": dataclasses.asdict(checkpoint.corpus),
        "position": dataclasses.asdict(checkpoint.position),
        "log": checkpoint.log.to_dict(),
    }
    document = {"format": FORMAT, "version": VERSION, "meta": meta,
                "state": _split_state(checkpoint.state, "state", arrays)}
    write_archive(path, document, arrays)


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`; :class:`ModelFileError` says what is wrong."""
    document, arrays = read_archive(path, "checkpoint", FORMAT)
    try:
        meta = document["meta"]
        state = _join_state(document["state"], arrays)
        config = TrainConfig.from_dict(meta["config"])
        config.validate()
        corpus = meta["corpus"]
        position = Position(int(meta["position"]["epoch"]), int(meta["position"]["unit"]))
        return Checkpoint(config, CorpusRef(corpus["source"], str(corpus["name"]), str(corpus["fingerprint"])),
                          position, TrainingLog.from_dict(meta["log"]),
                          {_STATE_RENAMED.get(key, key): value for key, value in state.items()})
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ModelFileError(f"{path}: the checkpoint's metadata is malformed ({err})") from None


def _split_state(tree: Any, name: str, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(tree, np.ndarray):
        arrays[name] = tree
        return {"__array__": name}
    if isinstance(tree, dict):
        return {key: _split_state(value, f"{name}/{key}", arrays) for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_split_state(value, f"{name}/{i}", arrays) for i, value in enumerate(tree)]
    return tree


def _join_state(tree: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(tree, dict):
        if set(tree) == {"__array__"}:
            return arrays[tree["__array__"]]
        return {key: _join_state(value, arrays) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_join_state(value, arrays) for value in tree]
    return tree
