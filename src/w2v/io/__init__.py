"""Reading and writing vectors: :func:`load` tells the format by content and extension.

Formats: w2v's own ``.npz`` (:mod:`w2v.io.npz`), word2vec's text and binary files
(:mod:`w2v.io.word2vec`) and, write only, the book's pickle (:mod:`w2v.io.book`).
"""

from __future__ import annotations

import os

from ..errors import ModelFileError
from ..vectors import WordVectors
from ._files import check_readable
from .npz import load_npz
from .word2vec import WORD2VEC_SUFFIXES, check_read_options, load_word2vec_format, looks_like_header

_HEADER_BYTES = 64  # enough to tell a format by its first bytes


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
