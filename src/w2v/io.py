"""Reading and writing vectors safely: atomic writes, ``.npz`` without pickles, clear errors.

:func:`load` reads every format w2v knows: its own ``.npz`` and word2vec's text and binary
files (see :mod:`w2v.formats`). It refuses pickles.

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
_HEADER_BYTES = 64  # enough to tell a format by its first bytes
# What numpy and zipfile raise for damaged archives (NotImplementedError: an unknown zip
# version or compression; RuntimeError: the encrypted flag).
_READ_ERRORS = (
    OSError, EOFError, ValueError, KeyError, NotImplementedError, RuntimeError, zipfile.BadZipFile, zlib.error,
)


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


def load_npz(path: str | os.PathLike, limit: int | None = None) -> WordVectors:
    """Read a w2v ``.npz`` (only its first ``limit`` words if given; the file is read whole).

    :class:`ModelFileError` names the file and what is wrong with it.
    """
    path = check_readable(path)
    try:
        # np.load leaks the file it opens when the archive is damaged, so open it here.
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
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
    if limit is not None:
        vectors, words, counts = vectors[:limit], words[:limit], None if counts is None else counts[:limit]
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
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{path}: its metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a w2v vectors file")
    if not isinstance(meta.get("version"), int) or not isinstance(meta.get("info") or {}, dict):
        raise ModelFileError(f"{path}: its metadata is malformed")
    if meta["version"] > VERSION:
        raise ModelFileError(f"{path}: format version {meta['version']} is newer than this w2v reads ({VERSION})")
    return meta


def _split_words(data: np.ndarray, ends: np.ndarray, path: Path) -> list[str]:
    if data.dtype != np.uint8 or ends.dtype.kind not in "iu" or data.ndim != 1 or ends.ndim != 1:
        raise ModelFileError(f"{path}: the word list is malformed")
    if ends.size and (np.any(ends[1:] < ends[:-1]) or ends[0] < 0 or ends[-1] != data.size):
        raise ModelFileError(f"{path}: the word list is malformed")
    raw = data.tobytes()
    starts = np.concatenate([[0], ends[:-1]])
    try:
        return [raw[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist())]
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: a word is not valid UTF-8") from None


def check_readable(path: str | os.PathLike) -> Path:
    """``path`` as a Path if it names an existing file, else :class:`ModelFileError`."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory, not a vectors file")
    return path


def load(path: str | os.PathLike, *, limit: int | None = None, unicode_errors: str = "strict") -> WordVectors:
    """Load vectors from a w2v ``.npz`` or a word2vec text (``.txt``, ``.vec``) or binary (``.bin``) file.

    The format comes from the file's first bytes where they tell, else from its extension.
    Pickles (``.pkl``, ``.pickle``, or pickle bytes under any name) are refused: loading one
    runs whatever code it holds.

    Parameters
    ----------
    path : str or PathLike
    limit : int, optional
        Keep only the first ``limit`` words (word2vec files are not read further).
    unicode_errors : {"strict", "replace", "ignore"}
        For word2vec files whose words are not valid UTF-8; see
        :func:`w2v.formats.load_word2vec_format`.

    Returns
    -------
    WordVectors
        ``vectors`` : (V, D) float32.
    """
    # Imported here because formats builds on this module's atomic_write and checks.
    from .formats import WORD2VEC_SUFFIXES, check_read_options, load_word2vec_format, looks_like_header

    check_read_options(limit, unicode_errors)
    path = check_readable(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEADER_BYTES)
    except OSError as err:
        raise ModelFileError(f"{path}: cannot read ({err.strerror or err})") from None
    suffix = path.suffix.lower()
    if not head:
        raise ModelFileError(f"{path}: is empty")
    if suffix in (".pkl", ".pickle") or head[:1] == b"\x80":
        raise ModelFileError(
            f"{path}: refusing to load a pickle: unpickling runs whatever code the file holds. "
            "w2v loads .npz, word2vec text (.txt, .vec) and binary (.bin) files; to convert a "
            "pickle you trust, unpickle it yourself and build w2v.WordVectors(vectors, words)"
        )
    is_npz = head.startswith(b"PK") or (suffix == ".npz" and not looks_like_header(head))
    if is_npz:
        return load_npz(path, limit=limit)
    if looks_like_header(head) or suffix in WORD2VEC_SUFFIXES:
        return load_word2vec_format(path, limit=limit, unicode_errors=unicode_errors)
    raise ModelFileError(
        f"{path}: unknown vectors format (expected a w2v .npz file, or a word2vec text or binary "
        "file starting with a 'VOCAB_SIZE VECTOR_SIZE' line)"
    )


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
