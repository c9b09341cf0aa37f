"""Files written safely and read carefully: atomic writes and the checks before reading or writing."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

import numpy as np

from ..errors import ModelFileError


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success rename it over ``path``.

    An interrupted or failed write leaves ``path`` as it was (or absent) and no temporary
    file behind.
    """
    path = check_writable(path)
    folder = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise ModelFileError(f"{path}: cannot write in {folder} ({err.strerror})") from None
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def check_writable(path: str | os.PathLike) -> Path:
    """Fail early, before any long work, if ``path`` cannot be written as a file."""
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory")
    if not path.parent.is_dir():
        raise ModelFileError(f"{path}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise ModelFileError(f"{path}: the folder {path.parent} is not writable")
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_readable(path: str | os.PathLike) -> Path:
    """``path`` as a Path if it names an existing file, else :class:`ModelFileError`."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory, not a vectors file")
    return path


def check_finite(vectors: np.ndarray, path: Any) -> None:
    """Raise ModelFileError if any value is NaN or infinite, naming the first bad row."""
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        raise ModelFileError(f"{path}: vector {int(np.argmax(bad))} holds NaN or infinite values")
