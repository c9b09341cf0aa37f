"""Where corpus text comes from: text files, compressed files, folders of them, standard input.

:func:`expand_inputs` turns what a user names into an ordered list of :class:`Source`: a file
is read as it is, a folder contributes its files sorted by name (not its subfolders: like
gensim's ``PathLineSentences``, it does not recurse), and ``-`` is standard input.
Compression (gzip, bzip2, xz) is told by the file's first bytes, not its name.

:func:`read_text` streams every source once, as uint8 chunks of whole tokens: each chunk ends
just after an ASCII whitespace byte, so no token or UTF-8 character is ever cut, and lines
may be of any length (text8 is one 100 MB line). Each source ends a line. A background
thread reads and decompresses the next chunk while the caller tokenizes this one. The raw
bytes of each file are counted and hashed on the way, for the prepared corpus's manifest.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import io
import lzma
import os
import queue
import stat
import sys
import threading
import time
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Sequence

import numpy as np

from ..errors import CorpusError, W2VError

CHUNK_BYTES = 1 << 20  # text handed to the tokenizer at a time
MAX_TOKEN_BYTES = 1 << 20  # a "word" longer than this is not text
MAX_LINE_BYTES = MAX_TOKEN_BYTES  # a line read whole (a query, a sentence to embed) is bounded like a word
_PREFETCH = 2  # chunks read ahead by the reader thread

_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz"}
_SUFFIX_CODEC = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}
_OPENERS: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    "gzip": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    "bzip2": lambda raw: bz2.BZ2File(raw, mode="rb"),
    "xz": lambda raw: lzma.LZMAFile(raw, mode="rb"),
}
# What the decompressors raise for damaged data.
_CODEC_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError, gzip.BadGzipFile, ValueError)
_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True  # what str.split() splits on, in ASCII


@dataclass
class Source:
    """One input: a file (its path) or standard input (``path`` is ``"-"``)."""

    path: str

    @property
    def name(self) -> str:
        """How messages name it."""
        return "standard input" if self.path == "-" else _printable(self.path)


@dataclass
class SourceDigest:
    """What was read of a source: its raw (possibly compressed) bytes and their sha256."""

    path: str
    codec: str
    raw_bytes: int
    sha256: str


def _printable(path: str) -> str:
    """A path as messages print it: bytes that are not UTF-8 shown as escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def expand_inputs(inputs: Sequence[str | os.PathLike]) -> list[Source]:
    """The sources that ``inputs`` name, in order (a folder's files sorted by name, not recursing).

    Raises :class:`CorpusError` for a missing path, an empty folder, something that is not a
    file or folder (a device, a socket), or standard input named twice.
    """
    if not inputs:
        raise CorpusError("no input was given")
    sources: list[Source] = []
    for item in inputs:
        if not isinstance(item, (str, os.PathLike)):
            raise CorpusError(f"{item!r:.40}: an input is a path (str or os.PathLike), not {type(item).__name__}; "
                              "tokenised sentences are a list of lists of str")
        path = os.fspath(item)
        if path == "-":
            if any(s.path == "-" for s in sources):
                raise CorpusError("standard input (-) can be read only once")
            sources.append(Source("-"))
            continue
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise CorpusError(f"{_printable(path)}: no such file or folder") from None
        except OSError as err:
            raise CorpusError(f"{_printable(path)}: cannot read ({err.strerror})") from None
        if stat.S_ISDIR(mode):
            sources += [Source(file) for file in _folder_files(path)]
        elif stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
            sources.append(Source(path))
        else:
            raise CorpusError(f"{_printable(path)}: not a file or folder")
    return sources


def _folder_files(path: str) -> list[str]:
    """The readable regular files of the folder ``path``, by name, without its hidden files; a warning
    names the other entries skipped (subfolders, links that lead nowhere or in a loop, devices, FIFOs)."""
    try:
        entries = sorted((entry for entry in os.scandir(path) if not entry.name.startswith(".")),
                         key=lambda entry: entry.name)
    except OSError as err:
        raise CorpusError(f"{_printable(path)}: cannot read the folder ({err.strerror})") from None
    files, skipped = [], []
    for entry in entries:
        try:
            regular = entry.is_file() and os.access(entry.path, os.R_OK)
        except OSError:  # a symbolic link in a loop
            regular = False
        (files if regular else skipped).append(entry)
    if not files:
        raise CorpusError(f"{_printable(path)}: the folder holds no readable files (w2v reads a folder's files, "
                          "not its subfolders)")
    if skipped:
        names = ", ".join(_printable(entry.name) for entry in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
        warnings.warn(f"{_printable(path)}: skipped {len(skipped):,} entr{'y' if len(skipped) == 1 else 'ies'} that "
                      f"{'is' if len(skipped) == 1 else 'are'} not a readable file ({names})", stacklevel=2)
    return [entry.path for entry in files]


def stored_bytes(sources: Sequence[Source]) -> int:
    """Bytes the sources' files hold on disk (standard input, a pipe or a file gone count 0): a sizing hint."""
    total = 0
    for source in sources:
        try:
            info = os.stat(source.path) if source.path != "-" else None
        except OSError:
            info = None
        if info is not None and stat.S_ISREG(info.st_mode):
            total += info.st_size
    return total


class _Counting(io.RawIOBase):
    """A raw binary stream that counts and hashes the bytes read through it."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.count = 0
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        n = self.raw.readinto(buffer)
        if n:
            view = memoryview(buffer)[:n]
            self.count += n
            self.digest.update(view)
        return n or 0


def standard_input() -> BinaryIO:
    """Standard input as bytes; CorpusError when the process has none (started with ``<&-``)."""
    stdin = sys.stdin
    if stdin is None or getattr(stdin, "buffer", None) is None:
        raise CorpusError("standard input is closed: give a file instead of -")
    return stdin.buffer


def text_lines(handle: BinaryIO, name: str, *, limit: int = MAX_LINE_BYTES,
               error: type[W2VError] = CorpusError) -> Iterator[tuple[int, bytes]]:
    """(1-based number, bytes up to and with the line end) of each line of ``handle``, as it is read.

    A line is read ``limit`` + 1 bytes at most, so ``error`` names (``name:line``) the first one longer
    than ``limit`` bytes before more is read (what a device such as ``/dev/zero`` gives), or the first
    holding a NUL byte, which text never does (a binary file): the lines before it are handed out first.
    """
    for number, raw in enumerate(iter(lambda: handle.readline(limit + 1), b""), 1):
        if len(raw) > limit:
            raise error(f"{name}:{number}: a line longer than {limit:,} bytes; is it a text file?")
        if b"\0" in raw:
            raise error(f"{name}:{number}: holds a NUL byte; is it a binary file?")
        yield number, raw


def read_lines(path: str) -> list[str]:
    """The lines of a UTF-8 file, or of standard input for ``-``, without their line ends (and without a
    byte-order mark); CorpusError names the file and line of bytes that are not UTF-8 text (see
    :func:`text_lines`), or an empty input."""
    name = "standard input" if path == "-" else path
    lines = []
    try:
        handle = standard_input() if path == "-" else open(path, "rb")
    except OSError as err:
        raise CorpusError(f"{name}: cannot open ({err.strerror})") from None
    with handle if path != "-" else contextlib.nullcontext(handle):
        for number, raw in text_lines(handle, name):
            try:
                lines.append(raw.decode("utf-8").removeprefix("\ufeff" if number == 1 else "").rstrip("\r\n"))
            except UnicodeDecodeError as err:
                raise CorpusError(f"{name}:{number}: not valid UTF-8 (byte 0x{raw[err.start]:02x} at column "
                                  f"{err.start + 1})") from None
    if not lines:
        raise CorpusError(f"{name}: holds no lines")
    return lines


def _open(source: Source) -> tuple[_Counting, BinaryIO, str]:
    """(raw counting stream, decompressed stream, codec name) for ``source``."""
    if source.path == "-":
        raw = standard_input()
    else:
        try:
            raw = open(source.path, "rb", buffering=0)
        except OSError as err:
            raise CorpusError(f"{source.name}: cannot open ({err.strerror})") from None
    counting = _Counting(raw)
    buffered = io.BufferedReader(counting, buffer_size=CHUNK_BYTES)
    head = buffered.peek(6)[:6]
    codec = next((name for magic, name in _MAGIC.items() if head.startswith(magic)), "text")
    claimed = _SUFFIX_CODEC.get(Path(source.path).suffix.lower())
    if claimed and codec != claimed:
        raise CorpusError(f"{source.name}: named like a {claimed} file, but its bytes are not {claimed} data")
    stream = _OPENERS[codec](buffered) if codec != "text" else buffered
    return counting, stream, codec


def codec_of(source: Source) -> str:
    """"text", "gzip", "bzip2" or "xz", from the first bytes of a file ("text" for standard input)."""
    if source.path == "-":
        return "text"
    try:
        with open(source.path, "rb") as handle:
            head = handle.read(6)
    except OSError as err:
        raise CorpusError(f"{source.name}: cannot open ({err.strerror})") from None
    return next((name for magic, name in _MAGIC.items() if head.startswith(magic)), "text")


def _refuse_utf16(source: Source, head: bytes) -> None:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CorpusError(f"{source.name}: is UTF-16 text; convert it to UTF-8 first, e.g. with "
                          "iconv -f UTF-16 -t UTF-8")


def _chunks(source: Source, digests: list[SourceDigest]) -> Iterator[np.ndarray]:
    """The decompressed bytes of one source as chunks ending after ASCII whitespace (the last may not)."""
    counting, stream, codec = _open(source)
    buffer = np.empty(CHUNK_BYTES + MAX_TOKEN_BYTES, dtype=np.uint8)
    kept = 0  # bytes of an unfinished token carried to the start of the buffer
    first = True
    try:
        while True:
            try:
                read = stream.readinto(memoryview(buffer)[kept:kept + CHUNK_BYTES])
            except _CODEC_ERRORS as err:
                raise CorpusError(f"{source.name}: the {codec} data is damaged near byte {counting.count:,} "
                                  f"of the file ({err})") from None
            except OSError as err:
                raise CorpusError(f"{source.name}: cannot read ({err.strerror or err})") from None
            end = kept + read
            start = 0
            if first:
                _refuse_utf16(source, bytes(buffer[:2]))
                start = 3 if bytes(buffer[:3]) == b"\xef\xbb\xbf" else 0
                first = False
            if read == 0:
                if end > start:
                    yield buffer[start:end]
                break
            cut = _last_whitespace(buffer, start, end)
            if cut < 0:
                if end - start > MAX_TOKEN_BYTES:
                    raise CorpusError(f"{source.name}: holds a word of more than {MAX_TOKEN_BYTES:,} bytes with no "
                                      "whitespace; is it a text file?")
                kept = end
                continue
            yield buffer[start:cut]
            kept = end - cut
            buffer[:kept] = buffer[cut:end]
    finally:
        if source.path != "-":
            counting.raw.close()
    digests.append(SourceDigest(source.path, codec, counting.count, counting.digest.hexdigest()))


def _last_whitespace(buffer: np.ndarray, start: int, end: int) -> int:
    """The index just after the last ASCII whitespace byte of ``buffer[start:end]``, or -1."""
    step = 4096
    hi = end
    while hi > start:
        lo = max(start, hi - step)
        hits = np.flatnonzero(_WHITESPACE[buffer[lo:hi]])
        if hits.size:
            return lo + int(hits[-1]) + 1
        hi = lo
        step *= 4
    return -1


def read_text(sources: Sequence[Source], digests: list[SourceDigest] | None = None
              ) -> Iterator[tuple[Source, np.ndarray]]:
    """Every source's text in order, as (source, uint8 chunk of whole tokens); each source ends a line.

    ``digests`` (if given) receives a :class:`SourceDigest` per source as it is finished. A
    background thread reads ahead.
    """
    digests = [] if digests is None else digests
    newline = np.frombuffer(b"\n", dtype=np.uint8)

    def produce() -> Iterator[tuple[Source, np.ndarray]]:
        for source in sources:
            last = None
            for chunk in _chunks(source, digests):
                last = chunk[-1] if chunk.size else last
                yield source, chunk
            if last is not None and last != 10:
                yield source, newline

    yield from _read_ahead(produce())


def _read_ahead(chunks: Iterator[tuple[Source, np.ndarray]]) -> Iterator[tuple[Source, np.ndarray]]:
    """Run ``chunks`` in a thread, ``_PREFETCH`` chunks ahead (copies, since the producer reuses its buffer)."""
    handoff: queue.Queue = queue.Queue(maxsize=_PREFETCH)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for source, chunk in chunks:
                while not stop.is_set():
                    try:
                        handoff.put((source, chunk.copy()), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(done)
        except BaseException as err:  # handed to the consumer, which raises it
            handoff.put(err)
        finally:
            chunks.close()  # closes the file being read

    thread = threading.Thread(target=work, name="w2v-reader", daemon=True)
    thread.start()
    try:
        while True:
            try:
                # A timed wait: a signal the kernel hands to another thread (the reader blocked on a
                # pipe, say) sets Python's flag, which the main thread only acts on once it wakes.
                item = handoff.get(timeout=0.1)
            except queue.Empty:
                continue
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        # Let the reader see the stop request and end; one blocked reading a pipe that stays open
        # and silent is left behind (a daemon thread: it does not keep the process alive).
        deadline = time.monotonic() + 1.0
        while thread.is_alive() and time.monotonic() < deadline:
            try:
                handoff.get(timeout=0.05)
            except queue.Empty:
                pass
