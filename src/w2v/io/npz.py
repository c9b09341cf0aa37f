"""w2v's own vectors file, an ``.npz`` read without pickles.

A w2v ``.npz`` holds ``vectors`` (V, D) float32 (or float16, half the size), the words as UTF-8 bytes with their end
offsets, ``counts`` (V,) int64 when known, and a JSON document (format name and version,
training config and log). A trained model also keeps what continuing it needs (as extra arrays):
``W_out`` (V, D) float32, negative sampling's output vectors, and ``W_node`` (V - 1, D) float32,
hierarchical softmax's inner nodes; files without them (older ones, or saved with
``output_weights=False``) load as vectors all the same. It is always read with ``allow_pickle=False``: w2v never
unpickles anything.
"""

from __future__ import annotations

import json
import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any, Collection

import numpy as np

from ..devices import available_memory
from ..errors import ModelFileError
from .files import atomic_write, check_finite, check_readable
from .numbers import parse_json
from .stored import StoredVectors

FORMAT = "w2v.vectors"
VERSION = 1
DTYPES = ("float32", "float16")  # how vectors may be stored; they are always read as float32
MAX_MEMBERS = 10_000  # a checkpoint holds a few dozen arrays
MAX_EXPANSION = 100  # arrays may hold at most this many times the file's bytes ...
MIN_LIMIT = 256 << 20  # ... or this much, whichever is more
_VECTOR_MEMBERS = frozenset({"vectors", "words_utf8", "word_ends", "counts", "int_keys"})
# A zip entry's local header: signature, versions, flags, method, times, CRC, sizes, then the
# lengths of the file name and of the extra field that follow it.
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_ZIP64_EXTRA = 20  # the sizes field zipfile adds to a local header written with force_zip64
_PADDING_FIELD = struct.Struct("<2H")  # an extra field's id and length, then that many zero bytes
_PADDING_ID = 0xD935  # the id Android's zipalign gives its padding
ALIGNMENT = 64  # bytes; NumPy's .npy headers keep the data aligned to 64 within a member
# What numpy and zipfile raise for damaged archives (NotImplementedError: an unknown zip
# version or compression; RuntimeError: the encrypted flag).
_READ_ERRORS = (
    OSError, EOFError, ValueError, KeyError, NotImplementedError, RuntimeError, zipfile.BadZipFile, zlib.error,
)


def write_archive(path: str | os.PathLike, document: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` and the JSON ``document`` (as member ``meta_json``) to one ``.npz``, atomically.

    What ``np.savez`` writes, except that each member's data start at a multiple of
    ``ALIGNMENT`` bytes in the file (a padding field in the member's local header, as
    Android's zipalign adds), so that a mapped member (:func:`map_member`) is as aligned as
    an array in memory and NumPy hands it to BLAS; and no time stamps.
    """
    members = {"meta_json": _json_bytes(document), **arrays}
    with atomic_write(path) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in members.items():
            info = zipfile.ZipInfo(f"{name}.npy")
            info.compress_type = zipfile.ZIP_STORED
            header = _LOCAL_HEADER.size + len(info.filename.encode("utf-8")) + _ZIP64_EXTRA + _PADDING_FIELD.size
            padding = -(handle.tell() + header) % ALIGNMENT
            info.extra = _PADDING_FIELD.pack(_PADDING_ID, padding) + bytes(padding)
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def read_archive(path: str | os.PathLike, kind: str, format_name: str, *, mmap: Collection[str] = ()
                 ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a ``.npz`` written by :func:`write_archive` without unpickling anything.

    Returns the JSON document and the other members; the members named in ``mmap`` are
    mapped read-only (:func:`map_member`) instead of read. :class:`ModelFileError` says the
    file is not a readable ``kind`` ("vectors file", "checkpoint"), is foreign (its
    document's ``format`` is not ``format_name``), or comes from a newer version of w2v.
    """
    path = check_readable(path)
    try:
        # np.load leaks the file it opens when the archive is damaged, so open it here.
        with open(path, "rb") as handle:
            _check_declared_sizes(handle, path, kind, mapped=mmap)
            handle.seek(0)
            with np.load(handle, allow_pickle=False) as archive:
                arrays = {name: map_member(handle, archive.zip.getinfo(f"{name}.npy"), path) if name in mmap
                          else archive[name] for name in archive.files}
    except _READ_ERRORS as err:
        raise ModelFileError(f"{path}: not a readable {kind} (truncated or foreign: {err})") from None
    if "meta_json" not in arrays:
        raise ModelFileError(f"{path}: not a w2v {kind}")
    try:
        document = parse_json(arrays.pop("meta_json").tobytes())
    except ValueError as err:
        raise ModelFileError(f"{path}: its metadata is not valid JSON ({err})") from None
    if not isinstance(document, dict) or document.get("format") != format_name:
        raise ModelFileError(f"{path}: not a w2v {kind}")
    if not isinstance(document.get("version"), int):
        raise ModelFileError(f"{path}: its metadata is malformed")
    if document["version"] > VERSION:
        raise ModelFileError(f"{path}: format version {document['version']} is newer than this w2v reads ({VERSION})")
    return document, arrays


def map_member(handle: Any, info: zipfile.ZipInfo, path: Any) -> np.ndarray:
    """The array of one ``.npy`` member of an open archive, memory-mapped read-only.

    w2v stores members uncompressed, so a member's bytes are a plain ``.npy`` file inside the
    archive: its data start after the zip entry's local header (whose own name and extra
    field lengths count, not the central directory's) and the ``.npy`` header. A compressed
    or encrypted member cannot be mapped and is refused with :class:`ModelFileError`.
    """
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 1:
        raise ModelFileError(f"{path}: its member {info.filename} is compressed or encrypted, so it cannot be "
                             "memory-mapped; load it without mmap (w2v writes uncompressed archives)")
    handle.seek(info.header_offset)
    local = handle.read(_LOCAL_HEADER.size)
    if len(local) != _LOCAL_HEADER.size or local[:4] != b"PK\x03\x04":
        raise ModelFileError(f"{path}: the zip entry of {info.filename} is damaged")
    name_length, extra_length = _LOCAL_HEADER.unpack(local)[-2:]
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    handle.seek(start)
    major, _ = np.lib.format.read_magic(handle)
    read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
    shape, fortran_order, dtype = read_header(handle)
    offset = handle.tell()
    size = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if dtype.hasobject or offset - start + size != info.file_size:
        raise ModelFileError(f"{path}: its member {info.filename} is not the array its header declares")
    if size == 0:
        return np.empty(shape, dtype=dtype)
    return np.memmap(handle.name, dtype=dtype, mode="r", offset=offset, shape=shape,
                     order="F" if fortran_order else "C")


def _check_declared_sizes(handle: Any, path: Any, kind: str, mapped: Collection[str] = ()) -> None:
    """Refuse, before decompressing anything, an archive whose arrays would be absurdly large.

    Each member's ``.npy`` header says its shape and dtype; the sizes of the members read
    (not ``mapped``) together may be at most ``MAX_EXPANSION`` times the file (w2v writes
    uncompressed archives: about 1 time) and must fit in the memory available. Object arrays
    are refused (they would need pickles).
    """
    size = os.fstat(handle.fileno()).st_size
    with zipfile.ZipFile(handle) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ModelFileError(f"{path}: holds {len(members):,} members; not a w2v {kind}")
        declared = 0
        for info in members:
            with archive.open(info) as member:
                major, _ = np.lib.format.read_magic(member)
                read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
                shape, _, dtype = read_header(member)
            if dtype.hasobject:
                raise ModelFileError(f"{path}: its member {info.filename} holds Python objects (a pickle); refused")
            if info.filename.removesuffix(".npy") not in mapped:  # a mapped member is checked against the file
                declared += int(np.prod(shape, dtype=object)) * dtype.itemsize
    limit = min(max(MIN_LIMIT, MAX_EXPANSION * size), available_memory())
    if declared > limit:
        raise ModelFileError(f"{path}: its arrays would take {declared:,} bytes from a {size:,}-byte file (more than "
                             f"the {limit:,} allowed: a damaged file or a zip bomb); refused before decompressing")


def save_npz(stored: StoredVectors, path: str | os.PathLike, dtype: str = "float32") -> None:
    """Write ``stored`` (with its ``extras`` and ``extra_arrays``) to ``path`` as a w2v ``.npz``, atomically.

    ``dtype="float16"`` stores the vectors in half the bytes (about 3 significant digits,
    values up to ±65504); :func:`load_npz` gives them back as float32.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    vectors = stored.vectors.astype(dtype, copy=False)
    if dtype == "float16" and not np.isfinite(vectors).all():
        row = int(np.argmax(~np.isfinite(vectors).all(axis=1)))
        raise ModelFileError(f"{path}: vector {row} holds values beyond float16's ±65504; save it as float32")
    encoded = [str(word).encode("utf-8") for word in stored.index_to_key]
    arrays = {
        "vectors": vectors,
        "words_utf8": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "word_ends": np.cumsum([len(w) for w in encoded], dtype=np.int64),
    }
    if stored.index_to_key and all(type(key) is int for key in stored.index_to_key):
        arrays["int_keys"] = np.array(stored.index_to_key, dtype=np.int64)  # items keyed by id (w2v.train on arrays)
    if stored.counts is not None:
        arrays["counts"] = stored.counts
    document = {"format": FORMAT, "version": VERSION, "info": stored.info}
    taken = _VECTOR_MEMBERS | {"meta_json"}
    clashes = sorted((set(stored.extras) & set(document)) | (set(stored.extra_arrays) & taken))
    if clashes:
        raise ValueError(f"extras may not be named {', '.join(clashes)}: the vectors file uses those names")
    write_archive(path, {**document, **stored.extras}, {**arrays, **stored.extra_arrays})


def _json_bytes(document: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(document).encode("utf-8"), dtype=np.uint8)


def load_npz(path: str | os.PathLike, limit: int | None = None, *, mmap: bool = False) -> StoredVectors:
    """Read a w2v ``.npz`` (only its first ``limit`` words if given; the file is read whole).

    ``mmap=True`` maps the vectors (and a subword model's n-gram vectors) read-only instead of reading
    them. Members and document
    entries beyond the vectors' come back as ``extras`` and ``extra_arrays``.
    :class:`ModelFileError` names the file and what is wrong with it.
    """
    meta, arrays = read_archive(path, "vectors file", FORMAT, mmap={"vectors", "ngram_vectors"} if mmap else ())
    missing = {"vectors", "words_utf8", "word_ends"} - set(arrays)
    if missing:
        raise ModelFileError(f"{path}: not a w2v vectors file (lacks {', '.join(sorted(missing))})")
    if not isinstance(meta.get("info") or {}, dict):
        raise ModelFileError(f"{path}: its metadata is malformed")
    words: list = _split_words(arrays["words_utf8"], arrays["word_ends"], path)
    if "int_keys" in arrays:
        keys = arrays["int_keys"]
        if keys.dtype.kind != "i" or keys.shape != (len(words),) or [str(k) for k in keys.tolist()] != words:
            raise ModelFileError(f"{path}: its integer keys do not match its words (damaged?)")
        words = keys.tolist()
    vectors = arrays["vectors"]
    if vectors.dtype.name not in DTYPES or vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ModelFileError(
            f"{path}: vectors are {vectors.dtype} of shape {vectors.shape} for {len(words)} words"
        )
    vectors = vectors.astype(np.float32, copy=False)
    if vectors.shape[1] == 0:
        raise ModelFileError(f"{path}: its vectors have no dimensions")
    check_finite(vectors, path)
    counts = arrays.get("counts")
    if counts is not None:
        counts = _as_int64(counts, path, "counts")
        if counts.shape != (len(words),):
            raise ModelFileError(f"{path}: counts of shape {counts.shape} for {len(words)} words")
    extras = {key: value for key, value in meta.items() if key not in ("format", "version", "info")}
    extra_arrays = {name: array for name, array in arrays.items() if name not in _VECTOR_MEMBERS}
    if limit is not None:
        vectors, words, counts = vectors[:limit], words[:limit], None if counts is None else counts[:limit]
        if isinstance(extra_arrays.get("W_out"), np.ndarray) and extra_arrays["W_out"].shape[0] > len(words):
            extra_arrays["W_out"] = extra_arrays["W_out"][:limit]  # the words kept keep their output rows
        extra_arrays.pop("W_node", None)  # the Huffman tree of the words kept is another one
    return StoredVectors(vectors, words, counts, meta.get("info") or {}, extras, extra_arrays)


def _as_int64(array: np.ndarray, path: Path, name: str) -> np.ndarray:
    """The member ``name``, a 1-D array of integers of any width and byte order from 0 to 2**63 - 1, as
    int64; else ModelFileError."""
    if array.dtype.kind not in "iu" or array.ndim != 1:
        found = f"{array.dtype} of shape {array.shape}"
    elif array.size and (array.min() < 0 or array.max() > np.iinfo(np.int64).max):
        found = f"values from {array.min()} to {array.max()}"
    else:
        return array.astype(np.int64, copy=False)
    raise ModelFileError(f"{path}: {name} must be one integer from 0 to 2**63 - 1 per word, not {found}")


def _split_words(data: np.ndarray, ends: np.ndarray, path: Path) -> list[str]:
    if data.dtype != np.uint8 or data.ndim != 1:
        raise ModelFileError(f"{path}: the word list is malformed")
    ends = _as_int64(ends, path, "word_ends")
    if ends.size and (np.any(ends[1:] < ends[:-1]) or ends[-1] != data.size):
        raise ModelFileError(f"{path}: the word list is malformed")
    raw = data.tobytes()
    starts = np.concatenate([[0], ends[:-1]])
    try:
        return [raw[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist())]
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: a word is not valid UTF-8") from None
