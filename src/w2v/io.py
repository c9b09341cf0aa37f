"""Reading and writing vectors safely: atomic writes, ``.npz`` without pickles, clear errors.

A w2v ``.npz`` holds ``vectors`` (V, D) float32, the words as UTF-8 bytes with their end
offsets, ``counts`` (V,) int64 when known, and a JSON document (format name and version,
training config and log). It is always read with ``allow_pickle=False``: w2v never
unpickles anything.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

import numpy as np

from .errors import ModelFileError
from .vectors import WordVectors

FORMAT = "w2v.vectors"
VERSION = 1
_READ_ERRORS = (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error)


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


def save_npz(wv: WordVectors, path: str | os.PathLike) -> None:
    """Write ``wv`` to ``path`` as a w2v ``.npz``, atomically."""
    encoded = [word.encode("utf-8") for word in wv.index_to_key]
    arrays = {
        "vectors": wv.vectors,
        "words_utf8": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "word_ends": np.cumsum([len(w) for w in encoded], dtype=np.int64),
        "meta_json": _json_bytes({"format": FORMAT, "version": VERSION, "info": wv.info}),
    }
    if wv.counts is not None:
        arrays["counts"] = wv.counts
    with atomic_write(path) as handle:
        np.savez(handle, **arrays)


def _json_bytes(document: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(document).encode("utf-8"), dtype=np.uint8)


def load_npz(path: str | os.PathLike) -> WordVectors:
    """Read a w2v ``.npz``; :class:`ModelFileError` names the file and what is wrong with it."""
    path = _existing_file(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = {"vectors", "words_utf8", "word_ends", "meta_json"} - set(archive.files)
            if missing:
                raise ModelFileError(f"{path}: not a w2v vectors file (lacks {', '.join(sorted(missing))})")
            arrays = {name: archive[name] for name in archive.files}
    except ModelFileError:
        raise
    except _READ_ERRORS as err:
        raise ModelFileError(f"{path}: not a readable .npz file (truncated or foreign: {err})") from None
    meta = _parse_meta(arrays["meta_json"], path)
    words = _split_words(arrays["words_utf8"], arrays["word_ends"], path)
    vectors = arrays["vectors"]
    if vectors.dtype != np.float32 or vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ModelFileError(
            f"{path}: vectors are {vectors.dtype} of shape {vectors.shape} for {len(words)} words"
        )
    check_finite(vectors, path)
    counts = arrays.get("counts")
    if counts is not None and (counts.dtype.kind not in "iu" or counts.shape != (len(words),)):
        raise ModelFileError(f"{path}: counts of shape {counts.shape} for {len(words)} words")
    try:
        return WordVectors(vectors, words, counts=counts, info=meta.get("info") or {})
    except ValueError as err:
        raise ModelFileError(f"{path}: {err}") from None


def check_finite(vectors: np.ndarray, path: Any) -> None:
    """Raise ModelFileError if any value is NaN or infinite, naming the first bad row."""
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        raise ModelFileError(f"{path}: vector {int(np.argmax(bad))} holds NaN or infinite values")


def _parse_meta(raw: np.ndarray, path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{path}: its metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a w2v vectors file")
    if not isinstance(meta.get("version"), int) or meta["version"] > VERSION:
        raise ModelFileError(f"{path}: format version {meta.get('version')} is newer than this w2v reads ({VERSION})")
    return meta


def _split_words(data: np.ndarray, ends: np.ndarray, path: Path) -> list[str]:
    if data.dtype != np.uint8 or ends.dtype.kind not in "iu" or data.ndim != 1 or ends.ndim != 1:
        raise ModelFileError(f"{path}: the word list is malformed")
    if ends.size and (np.any(np.diff(ends) < 0) or ends[0] < 0 or ends[-1] != data.size):
        raise ModelFileError(f"{path}: the word list is malformed")
    raw = data.tobytes()
    starts = np.concatenate([[0], ends[:-1]])
    try:
        return [raw[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist())]
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: a word is not valid UTF-8") from None


def _existing_file(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory, not a vectors file")
    return path


def load(path: str | os.PathLike) -> WordVectors:
    """Load vectors saved by w2v (``.npz``). Pickle files are refused: loading one runs code."""
    path = _existing_file(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as err:
        raise ModelFileError(f"{path}: cannot read ({err.strerror})") from None
    if path.suffix.lower() in (".pkl", ".pickle") or head[:1] == b"\x80":
        raise ModelFileError(
            f"{path}: refusing to load a pickle: unpickling can run arbitrary code. "
            "Load vectors from .npz, word2vec .txt/.vec or .bin files instead"
        )
    if head.startswith(b"PK") or path.suffix.lower() == ".npz":
        return load_npz(path)
    raise ModelFileError(f"{path}: unknown vectors format (expected a w2v .npz file)")
