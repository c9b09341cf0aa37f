"""Training checkpoints: the run's metadata (JSON) and the engine's state tree in one ``.npz``."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .errors import ModelFileError
from .io._files import atomic_write, check_readable
from .io.npz import _READ_ERRORS, VERSION, _json_bytes

CHECKPOINT_FORMAT = "w2v.checkpoint"


def save_checkpoint(path: str | os.PathLike, meta: dict[str, Any], state: dict[str, Any]) -> None:
    """Write a training checkpoint atomically: ``meta`` (JSON) and an engine ``state`` tree.

    ``state`` nests dicts and lists of NumPy arrays and JSON values; arrays go into the
    ``.npz`` as members ``state/...``, the rest into the JSON document.
    """
    arrays: dict[str, np.ndarray] = {}
    tree = _split_state(state, "state", arrays)
    document = {"format": CHECKPOINT_FORMAT, "version": VERSION, "meta": meta, "state": tree}
    with atomic_write(path) as handle:
        np.savez(handle, meta_json=_json_bytes(document), **arrays)


def load_checkpoint(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a checkpoint written by :func:`save_checkpoint`: (meta, state)."""
    path = check_readable(path)
    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except _READ_ERRORS as err:
        raise ModelFileError(f"{path}: not a readable checkpoint (truncated or foreign: {err})") from None
    if "meta_json" not in arrays:
        raise ModelFileError(f"{path}: not a w2v checkpoint")
    try:
        document = json.loads(arrays.pop("meta_json").tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{path}: its metadata is not valid JSON") from None
    if not isinstance(document, dict) or document.get("format") != CHECKPOINT_FORMAT:
        raise ModelFileError(f"{path}: not a w2v checkpoint")
    try:
        return document["meta"], _join_state(document["state"], arrays)
    except (KeyError, TypeError):
        raise ModelFileError(f"{path}: the checkpoint is incomplete") from None


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
