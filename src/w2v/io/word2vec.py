"""word2vec's vector files, text and binary (read and write).

Both word2vec formats, as ``word2vec.c`` and gensim write them, start with a header line
``V D`` (the number of words, then of dimensions). Then, for each word:

- text: the word and D numbers, separated by spaces, on one line;
- binary: the word's UTF-8 bytes, a space, D little-endian float32 and a newline. gensim
  leaves the newline out, so readers skip newlines before a word.

A word may hold any character except ASCII whitespace. Readers check everything a damaged or
foreign file can get wrong and raise :class:`~w2v.errors.ModelFileError` naming the file, the
vector, and the fault.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import ModelFileError, UndecodableWordError, check_integer
from .files import atomic_write, check_finite, check_readable
from .numbers import whole_number
from .stored import StoredVectors, first_duplicate

UNICODE_ERRORS = ("strict", "replace", "ignore")
_TEXT_SUFFIXES = (".txt", ".vec")
WORD2VEC_SUFFIXES = (*_TEXT_SUFFIXES, ".bin")
_HEADER_MAX_BYTES = 100
_FIRST_LINE_MAX_BYTES = 1 << 20  # a word and its values (GloVe: 300 values of ~10 bytes)
_NUMBER_BYTES = frozenset(b"0123456789+-.eEnaiftyNAIFTY")  # digits, signs, exponents, nan, inf(inity)


def save_word2vec_format(wv: StoredVectors, path: str | os.PathLike, binary: bool = False, *,
                         header: bool = True) -> None:
    """Write ``wv`` as a word2vec text or binary file, atomically, in ``wv.index_to_key`` order.

    Text values are written with 9 significant digits, enough to read back every float32
    exactly. Binary files end each vector with a newline, as ``word2vec.c`` does.

    Parameters
    ----------
    wv : StoredVectors (or WordVectors)
        ``vectors`` : (V, D) float32, V >= 1 and D >= 1, all finite.
    path : str or PathLike
        Replaced only once the whole file is written.
    binary : bool
        Write the binary format instead of text.
    header : bool
        Start with the ``V D`` line; without it (text only) the file is GloVe's layout, read back
        with ``no_header=True``.
    """
    path = Path(path)
    if binary and not header:
        raise ValueError("header=False applies to text files; word2vec binary files always have a header")
    words = _encoded_words(wv, path)
    if not words or wv.vector_size == 0:
        raise ModelFileError(f"{path}: nothing to write ({len(wv)} words of {wv.vector_size} dimensions)")
    check_finite(wv.vectors, path)
    with atomic_write(path) as handle:
        if header:
            handle.write(f"{len(wv)} {wv.vector_size}\n".encode("ascii"))
        if binary:
            _write_binary(handle, words, wv.vectors)
        else:
            _write_text(handle, words, wv.vectors)


def _encoded_words(wv: StoredVectors, path: Path) -> list[bytes]:
    words = [str(word).encode("utf-8") for word in wv.index_to_key]  # item ids (integers) as their digits
    for i, word in enumerate(words):
        if word.split() != [word]:  # empty, or holds ASCII whitespace
            raise ModelFileError(
                f"{path}: cannot write word {i} ({wv.index_to_key[i]!r}): word2vec files separate "
                "words by whitespace, so a word must be non-empty and hold none"
            )
    return words


def _write_text(handle: IO[bytes], words: list[bytes], vectors: np.ndarray) -> None:
    line = " ".join(["%.9g"] * vectors.shape[1])
    for word, row in zip(words, vectors):
        handle.write(word + b" " + (line % tuple(row.tolist())).encode("ascii") + b"\n")


def _write_binary(handle: IO[bytes], words: list[bytes], vectors: np.ndarray) -> None:
    little_endian = vectors.astype("<f4", copy=False)
    for word, row in zip(words, little_endian):
        handle.write(word + b" " + row.tobytes() + b"\n")


def load_word2vec_format(
    path: str | os.PathLike,
    binary: bool | None = None,
    limit: int | None = None,
    unicode_errors: str = "strict",
    no_header: bool = False,
) -> StoredVectors:
    """Read a word2vec text or binary file, as written by ``word2vec.c`` or gensim.

    Parameters
    ----------
    path : str or PathLike
    binary : bool, optional
        None (default) guesses: text if the first vector line reads as a word and D numbers,
        or if the name ends in ``.txt`` or ``.vec`` (so that a damaged text file gets text
        errors); binary otherwise.
    limit : int, optional
        Read only the first ``limit`` vectors; the rest of the file is neither read nor checked.
    unicode_errors : {"strict", "replace", "ignore"}
        What to do with a word that is not valid UTF-8 (``word2vec.c`` can cut a word inside
        a character): raise an error, use U+FFFD for the bad bytes, or drop them.
    no_header : bool
        The file is text without the ``V D`` line (GloVe's files): V is the number of
        non-blank lines, D the number of values on the first one (gensim's ``no_header``).
        The file is then read twice, once to count its lines.

    Returns
    -------
    StoredVectors
        ``vectors`` : (min(V, limit), D) float32, words in file order.

    Raises
    ------
    ModelFileError
        The file is missing, empty or damaged, or disagrees with its header: it names the
        file, the vector and what is wrong.
    """
    check_read_options(limit, unicode_errors)
    if no_header and binary:
        raise ValueError("no_header applies to text files; word2vec binary files always have a header")
    path = check_readable(path)
    try:
        with open(path, "rb") as handle:
            if no_header:
                n_words, dim = _count_headerless(handle, path, limit)
                binary, first_line = False, 1
            else:
                n_words, dim = _read_header(handle, path)
                first_line = 2
            n = n_words if limit is None else min(n_words, limit)
            if binary is None:
                binary = _looks_binary(handle, path, dim)
            if binary:
                words, vectors = _read_binary(handle, path, n_words, n, dim, unicode_errors)
            else:
                words, vectors = _read_text(handle, path, n_words, n, dim, unicode_errors, first_line)
    except OSError as err:
        raise ModelFileError(f"{path}: cannot read ({err.strerror or err})") from None
    check_finite(vectors, path)
    _check_unique(words, path)
    return StoredVectors(vectors, words)


def _check_unique(words: list[str], path: Path) -> None:
    duplicate = first_duplicate(words)
    if duplicate is not None:
        raise ModelFileError(f"{path}: duplicate word {duplicate!r}")


def check_read_options(limit: int | None, unicode_errors: str) -> None:
    """Raise ValueError for a ``limit`` that is not a positive int or an unknown ``unicode_errors``."""
    check_integer("limit", limit, none_ok=True)
    if unicode_errors not in UNICODE_ERRORS:
        raise ValueError(f"unicode_errors must be one of {', '.join(UNICODE_ERRORS)}, not {unicode_errors!r}")


def looks_like_header(head: bytes) -> bool:
    """Whether ``head``, a file's first bytes, starts with a word2vec header line ``V D``."""
    fields = head.split(b"\n", 1)[0].split()
    return len(fields) == 2 and all(field.isdigit() for field in fields)


def looks_headerless(line: bytes) -> bool:
    """Whether ``line``, a file's first line, is a word and numbers: a text vectors file without a header (GloVe)."""
    fields = line.split()
    return (len(fields) >= 3 and not looks_like_header(line)
            and all(_NUMBER_BYTES.issuperset(value) and any(c in b"0123456789" for c in value) for value in fields[1:]))


HEADERLESS_HINT = ("it looks like text vectors without the 'VOCAB_SIZE VECTOR_SIZE' header line (GloVe's format); "
                   "it can be read with no_header")


def _read_header(handle: IO[bytes], path: Path) -> tuple[int, int]:
    line = handle.readline(_HEADER_MAX_BYTES)
    if not line:
        raise ModelFileError(f"{path}: is empty")
    fields = line.split()
    whole = line if line.endswith(b"\n") else line + handle.readline(_FIRST_LINE_MAX_BYTES)
    if not looks_like_header(line) and looks_headerless(whole):
        raise ModelFileError(f"{path}: {HEADERLESS_HINT}", options=("no_header",))
    sizes = [whole_number(field) for field in fields] if looks_like_header(line) else []
    if not sizes or None in sizes or min(sizes) < 1:
        raise ModelFileError(
            f"{path}: the first line should be the header 'VOCAB_SIZE VECTOR_SIZE' (two positive "
            f"integers of 64 bits), not {line[:40]!r}"
        )
    return sizes[0], sizes[1]


def _count_headerless(handle: IO[bytes], path: Path, limit: int | None) -> tuple[int, int]:
    """(vectors, dimensions) of a text file without a header: its non-blank lines, the first one's values.

    With ``limit``, lines are counted only up to ``limit + 1`` (enough to know whether more
    follow). The handle is left at the start of the file.
    """
    first = handle.readline(_FIRST_LINE_MAX_BYTES).split()
    if not first:
        raise ModelFileError(f"{path}: is empty or starts with a blank line")
    if len(first) < 2:
        raise ModelFileError(f"{path}: its first line holds a word and no values; is it a vectors file?")
    lines = 1
    for line in handle:
        if line.strip():
            lines += 1
            if limit is not None and lines > limit:
                break
    handle.seek(0)
    return lines, len(first) - 1


def _looks_binary(handle: IO[bytes], path: Path, dim: int) -> bool:
    """Text if the first vector line reads as a word and ``dim`` numbers or the name says text."""
    start = handle.tell()
    first = handle.readline(32 * dim + 1024).split()
    handle.seek(start)
    reads_as_text = len(first) == dim + 1 and all(_NUMBER_BYTES.issuperset(value) for value in first[1:])
    return not reads_as_text and path.suffix.lower() not in _TEXT_SUFFIXES


def _check_room(path: Path, n_words: int, n: int, dim: int, min_bytes: int, size: int) -> None:
    """Refuse a header promising more than the file can hold, before allocating (n, dim)."""
    if n * min_bytes > size:
        raise ModelFileError(
            f"{path}: the header promises {n_words} vectors of {dim} values, more than its "
            f"{size} bytes can hold (truncated, or a wrong header)"
        )


def _read_text(
    handle: IO[bytes], path: Path, n_words: int, n: int, dim: int, unicode_errors: str, first_line: int = 2
) -> tuple[list[str], np.ndarray]:
    """The first ``n`` vectors from the handle's position (line ``first_line``): words and (n, dim) float32."""
    # A loose bound (a value takes at least 2 bytes) leaves precise messages to the parser.
    _check_room(path, n_words, n, dim, dim + 1, os.fstat(handle.fileno()).st_size - handle.tell())
    words: list[str] = []
    vectors = np.empty((n, dim), dtype=np.float32)
    longest = 64 * dim + 4096  # a word and dim numbers, generously
    promised = "its header promises" if first_line == 2 else "it has lines for"
    for i in range(n):
        where = f"vector {i} (line {i + first_line})"
        line = handle.readline(longest + 1)
        if len(line) > longest:
            raise ModelFileError(f"{path}: {where} is longer than {longest:,} bytes; is it a word2vec text file?")
        if not line:
            raise ModelFileError(f"{path}: ends after {i} vectors, but {promised} {n_words}")
        fields = line.split()
        if len(fields) != dim + 1:
            said = "the header says" if first_line == 2 else "the first line has"
            raise ModelFileError(f"{path}: {where} holds {max(len(fields) - 1, 0)} values, but {said} {dim}")
        words.append(_decode(fields[0], path, where, unicode_errors))
        try:
            vectors[i] = fields[1:]
        except (ValueError, OverflowError):
            raise ModelFileError(f"{path}: {where} holds a value that is not a number") from None
    if n == n_words:
        for extra, line in enumerate(handle, n_words + first_line):
            if line.strip():
                raise ModelFileError(f"{path}: line {extra} is one more vector than the {n_words} {promised}")
    return words, vectors


def _read_binary(
    handle: IO[bytes], path: Path, n_words: int, n: int, dim: int, unicode_errors: str
) -> tuple[list[str], np.ndarray]:
    """The first ``n`` vectors after the header: words and (n, dim) float32."""
    pos = handle.tell()
    width = 4 * dim
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        _check_room(path, n_words, n, dim, width + 2, len(data) - pos)
        words: list[str] = []
        values = bytearray(n * width)
        for i in range(n):
            space = data.find(b" ", pos)
            if space < 0 or space + 1 + width > len(data):
                raise ModelFileError(f"{path}: ends inside vector {i}, but its header promises {n_words}")
            words.append(_decode(data[pos:space].lstrip(b"\n"), path, f"vector {i}", unicode_errors))
            values[i * width:(i + 1) * width] = data[space + 1:space + 1 + width]
            pos = space + 1 + width
        if n == n_words and data[pos:].strip():
            raise ModelFileError(f"{path}: holds more data after the {n_words} vectors its header promises")
    return words, np.frombuffer(values, dtype="<f4").reshape(n, dim)


def _decode(raw: bytes, path: Path, where: str, unicode_errors: str) -> str:
    try:
        word = raw.decode("utf-8", unicode_errors)
    except UnicodeDecodeError as err:
        raise UndecodableWordError(
            f"{path}: {where}: the word {raw[:40]!r} is not valid UTF-8 (to read it anyway, "
            "use unicode_errors 'replace' or 'ignore')", err
        ) from None
    if not word:
        raise ModelFileError(f"{path}: {where} has an empty word")
    return word
