"""Vectors files: :func:`read_vectors` tells the format by content and extension, :func:`write_vectors` by extension.

Formats: w2v's own ``.npz`` (:mod:`w2v.io.npz`), word2vec's text and binary files
(:mod:`w2v.io.word2vec`; fastText's ``.vec`` is word2vec text), fastText's binary model
(:mod:`w2v.io.fasttext`, told by its magic number whatever its name: ``.bin`` is word2vec's
binary by default) and, write only, the book's pickle (:mod:`w2v.io.book`). Readers
return, and writers take, a :class:`~w2v.io.stored.StoredVectors`; :class:`w2v.WordVectors`
builds on them (``w2v.load``, ``WordVectors.save``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, get_args

from ..errors import ConfigError, ModelFileError
from .book import save_book_pickle
from .fasttext import is_fasttext, load_fasttext_bin, save_fasttext_bin
from .files import check_readable
from .npz import load_npz, save_npz
from .stored import StoredVectors
from .word2vec import (
    HEADERLESS_HINT,
    WORD2VEC_SUFFIXES,
    check_read_options,
    load_word2vec_format,
    looks_headerless,
    looks_like_header,
    save_word2vec_format,
)

Format = Literal["npz", "text", "binary", "book-pickle", "fasttext"]
FORMAT_OF_SUFFIX: dict[str, Format] = {".npz": "npz", ".txt": "text", ".vec": "text", ".bin": "binary",
                                       ".pkl": "book-pickle"}
_HEADER_BYTES = 64  # enough to tell a format by its first bytes
_FIRST_LINE_BYTES = 1 << 20  # enough to tell a text file without a header by its first line


def format_of(path: str | os.PathLike) -> Format | None:
    """The format a file name asks for by its extension, or None if it does not tell."""
    return FORMAT_OF_SUFFIX.get(Path(path).suffix.lower())


def write_vectors(stored: StoredVectors, path: str | os.PathLike, format: Format = "npz", *,
                  dtype: str = "float32") -> None:
    """Write ``stored`` to ``path`` in ``format``, atomically (see :func:`format_of`).

    "fasttext" writes fastText's binary model, which only a subword model's vectors make
    (:func:`w2v.io.fasttext.save_fasttext_bin`: ``extras["subwords"]`` and its n-gram rows).

    ``dtype="float16"`` halves an ``.npz`` (read back as float32); word2vec binary files are
    float32 by definition, and text files decimal, so other formats refuse it.
    """
    if dtype != "float32" and format != "npz":
        raise ConfigError(f"dtype={dtype!r} applies to .npz files only; word2vec and fastText binary files hold "
                          "float32 and text files decimals", options=("dtype",))
    if format == "npz":
        save_npz(stored, path, dtype)
    elif format == "book-pickle":
        save_book_pickle(stored, path)
    elif format in ("text", "binary"):
        save_word2vec_format(stored, path, binary=format == "binary")
    elif format == "fasttext":
        save_fasttext_bin(stored, path)
    else:
        raise ValueError(f"format must be one of {', '.join(get_args(Format))}, not {format!r}")


def read_vectors(path: str | os.PathLike, *, limit: int | None = None, unicode_errors: str = "strict",
                 mmap: bool = False, no_header: bool = False) -> StoredVectors:
    """Read a w2v ``.npz``, a word2vec text (``.txt``, ``.vec``) or binary (``.bin``) file, or a fastText model.

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
        :func:`w2v.io.word2vec.load_word2vec_format`.
    mmap : bool
        Map the vectors of a w2v ``.npz``, or a fastText model's matrices, read-only instead of
        reading them; other formats are refused with :class:`ModelFileError` (they hold text
        or need converting).
    no_header : bool
        The file is word2vec text without its ``V D`` header line (GloVe's files).

    Returns
    -------
    StoredVectors
        ``vectors`` : (V, D) float32. A fastText model's are its words' own rows, with its
        n-gram rows and more beside them (:func:`w2v.io.fasttext.load_fasttext_bin`).
    """
    check_read_options(limit, unicode_errors)
    path = check_readable(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEADER_BYTES)
            first_line = head + handle.readline(_FIRST_LINE_BYTES) if b"\n" not in head else head
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
    if is_fasttext(head):
        if no_header:
            raise ModelFileError(f"{path}: is a fastText model; no_header applies to word2vec text files only",
                                 options=("no_header",))
        return load_fasttext_bin(path, mmap=mmap, limit=limit, unicode_errors=unicode_errors)
    is_npz = head.startswith(b"PK") or (suffix == ".npz" and not looks_like_header(head))
    if no_header:
        if mmap:
            raise ModelFileError(f"{path}: mmap=True maps w2v .npz files only (and fastText models), not headerless "
                                 "text",
                                 options=("mmap",))
        if is_npz:
            raise ModelFileError(f"{path}: is a w2v .npz file; no_header applies to word2vec text files only",
                                 options=("no_header",))
        return load_word2vec_format(path, binary=False, limit=limit, unicode_errors=unicode_errors, no_header=True)
    if is_npz:
        return load_npz(path, limit=limit, mmap=mmap)
    if looks_like_header(head) or suffix in WORD2VEC_SUFFIXES:
        if mmap:
            raise ModelFileError(f"{path}: mmap=True maps w2v .npz files only (and fastText models), and this is a "
                                 f"word2vec file; convert it once with w2v export {path} MODEL.npz")
        return load_word2vec_format(path, limit=limit, unicode_errors=unicode_errors)
    if looks_headerless(first_line.split(b"\n", 1)[0]):
        raise ModelFileError(f"{path}: {HEADERLESS_HINT}", options=("no_header",))
    raise ModelFileError(
        f"{path}: unknown vectors format (expected a w2v .npz file, a fastText model, or a word2vec text or "
        "binary file starting with a 'VOCAB_SIZE VECTOR_SIZE' line)"
    )
