"""Prepared corpora: a corpus written to disk as word ids, memory-mapped for training.

``w2v prepare INPUT... -o DIR`` (:func:`prepare`) reads the text once and writes a folder:

- ``tokens.int32``: the corpus as little-endian int32 word ids, sentence after sentence;
- ``offsets.int64``: the (S + 1) sentence offsets, lines longer than 10,000 words split as the
  fast engines split them;
- ``vocab.txt``: the vocabulary, one ``word count`` line per id (word2vec.c's vocabulary file);
- ``manifest.json``, written last: format and version, the sources (path, codec, bytes,
  sha256), token and sentence counts, the options, what the vocabulary left out, and the
  corpus's fingerprint (:meth:`Corpus.fingerprint <w2v.text.corpus.Corpus.fingerprint>`, the
  one a corpus read into memory has).

The folder is built under a hidden name beside ``DIR`` and renamed into place only when
complete, so an interrupted run leaves nothing :func:`open_corpus` would accept (and the next
run removes what it left). Memory stays bounded whatever the corpus size: ids stream to disk,
and counting spills to disk beyond ``count_memory`` bytes while keeping every count exact
(the words are split into hash partitions that are summed one at a time).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from .._version import __version__
from ..errors import ConfigError, CorpusError, check_integer
from ..io.files import remove_stale_temporaries, staged_folder, staging_name
from ..io.mapped import map_file
from ..io.numbers import parse_json
from . import MAX_SENTENCE_LENGTH
from ._heap import trim_heap
from ._tokenizer import UNKNOWN, remap
from .corpus import NO_SPLIT, Corpus, corpus_name, encode_text, frozen_interner, frozen_new_ids
from .counting import DEFAULT_COUNT_MEMORY, MAX_COUNT_MEMORY, WordCounter
from .integrity import verify_prepared
from .sources import Source, SourceDigest, expand_inputs, read_text
from .vocab import Pruned, Vocab, fixed_vocab, read_vocab_file, vocab_file_bytes

FORMAT = "w2v.corpus"
VERSION = 2  # 2: the fingerprint is the content's (Corpus.fingerprint), checked when opened
MANIFEST = "manifest.json"
_BLOCK = 1 << 20  # ids read at a time
_CORPUS_FILES = ("tokens.int32", "offsets.int64", "vocab.txt")
_TEMPORARY = "text"  # the name mapped_text's folders are hidden temporaries of


@dataclass(frozen=True)
class PrepareReport:
    """What :func:`prepare` wrote: where, how much, what the vocabulary left out, and how long it took."""

    path: str
    tokens: int
    sentences: int
    vocabulary: int
    pruned: Pruned
    seconds: float
    spilled: bool

    def describe(self) -> str:
        return (f"prepared {self.path}: {self.tokens:,} tokens in {self.sentences:,} sentences, {self.vocabulary:,} "
                f"words in the vocabulary; left out {self.pruned.describe()}; {self.seconds:.1f} s")


def is_prepared(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a folder that looks like a prepared corpus, complete or not (it holds a manifest or
    the files ``w2v prepare`` writes before it): :func:`open_corpus` says which."""
    return any((Path(path) / name).is_file() for name in (MANIFEST, *_CORPUS_FILES))


def prepare(
    inputs: str | os.PathLike | Sequence[str | os.PathLike],
    output: str | os.PathLike,
    *,
    min_count: int = 5,
    max_vocab_size: int | None = None,
    count_memory: int = DEFAULT_COUNT_MEMORY,
    read_vocab: str | os.PathLike | None = None,
) -> PrepareReport:
    """Read ``inputs`` once and write them to the folder ``output`` as a prepared corpus.

    Parameters
    ----------
    inputs : path, or a sequence of them
        Text files, ``.gz``/``.bz2``/``.xz`` files, folders of them (their files sorted by
        name, not recursing), or ``-`` for standard input.
    output : path
        The folder to write; an existing prepared corpus there is replaced once the new one
        is complete. Anything else there is refused.
    min_count, max_vocab_size : int
        Keep the words seen at least ``min_count`` times, at most ``max_vocab_size`` of them
        (the most frequent).
    count_memory : int
        Bytes the counting table may hold; beyond that it spills to disk (counts stay exact,
        but the text is then read a second time, which standard input cannot be).
    read_vocab : path, optional
        A ``word count`` file that fixes the vocabulary instead of counting: its words and
        counts, less those below ``min_count`` and beyond ``max_vocab_size``
        (:func:`w2v.text.vocab.fixed_vocab`); the text's other words are dropped.
    """
    started = time.perf_counter()
    check_integer("count_memory", count_memory, 1, MAX_COUNT_MEMORY, error=ConfigError)
    target = Path(output)
    check_target(target, inputs)
    sources, options, vocab = _plan(inputs, min_count, max_vocab_size, read_vocab)
    with staged_folder(target) as staging:
        manifest, pruned, spilled = _write(sources, staging, options, count_memory, vocab)
    return PrepareReport(str(target), manifest["tokens"], manifest["sentences"], manifest["vocabulary"], pruned,
                         time.perf_counter() - started, spilled)


def open_corpus(path: str | os.PathLike) -> Corpus:
    """A prepared corpus, memory-mapped read-only: nothing proportional to its size is read into memory.

    :class:`CorpusError` says what is wrong with a folder that is not a complete prepared
    corpus, comes from a newer version of w2v, or is damaged.
    """
    folder = Path(path)
    manifest = _read_manifest(folder)
    try:
        tokens, sentences = int(manifest["tokens"]), int(manifest["sentences"])
        longest, fingerprint = int(manifest["longest_sentence"]), str(manifest["fingerprint"])
        split_at = int(manifest["options"].get("max_sentence_length", MAX_SENTENCE_LENGTH))
        options = {"min_count": int(manifest["options"]["min_count"]),
                   "max_vocab_size": manifest["options"]["max_vocab_size"],
                   "read_vocab": manifest["options"].get("read_vocab")}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise CorpusError(f"{folder}: its manifest is malformed") from None
    vocab = read_vocab_file(folder / "vocab.txt")
    if not vocab.by_frequency:
        raise CorpusError(f"{folder}: vocab.txt is not in descending order of counts, as w2v prepare writes it "
                          "(damaged?)")
    ids = _mapped(folder / "tokens.int32", np.dtype("<i4"), tokens, folder)
    offsets = _mapped(folder / "offsets.int64", np.dtype("<i8"), sentences + 1, folder)
    # Before version 2 the fingerprint hashed the inputs' identity, which the files cannot confirm.
    verify_prepared(ids, offsets, vocab, longest=longest, split_at=split_at, counted=options["read_vocab"] is None,
                    fingerprint=fingerprint if manifest["version"] >= 2 else None, name=str(folder))
    return Corpus(ids, offsets, vocab, name=str(manifest.get("name") or folder), longest_sentence=longest,
                  known_fingerprint=fingerprint, prepared_with=options, checked=True)


def mapped_text(inputs: str | os.PathLike | Sequence[str | os.PathLike], *, min_count: int,
                max_vocab_size: int | None, under: Path, read_vocab: str | os.PathLike | None = None) -> Corpus:
    """``inputs`` prepared into a temporary folder in ``under`` and memory-mapped from there.

    The corpus :func:`w2v.text.corpus.read_corpus` gives (lines whole, the same fingerprint),
    but the ids live in the page cache rather than in the process (see
    :mod:`w2v.io.mapped`). The folder is removed as soon as it is mapped (mapped files live
    on until they are unmapped), so a run leaves nothing behind; one killed while preparing
    leaves a hidden folder that the next run removes.
    """
    sources, options, vocab = _plan(inputs, min_count, max_vocab_size, read_vocab)
    under.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(under / _TEMPORARY)
    folder = under / staging_name(_TEMPORARY, "corpus")
    folder.mkdir()
    try:
        _write(sources, folder, options, DEFAULT_COUNT_MEMORY, vocab, max_sentence_length=NO_SPLIT)
        mapped = open_corpus(folder)
        trim_heap()
        return dataclasses.replace(mapped, name=corpus_name(sources), prepared_with=None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _plan(inputs: str | os.PathLike | Sequence[str | os.PathLike], min_count: int, max_vocab_size: int | None,
          read_vocab: str | os.PathLike | None) -> tuple[list[Source], dict, Vocab | None]:
    """What a corpus is written from: the sources, the manifest's options, and the fixed vocabulary (if any)."""
    sources = expand_inputs([inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs))
    options: dict = {"min_count": min_count, "max_vocab_size": max_vocab_size}
    vocab = None
    if read_vocab is not None:  # absent otherwise, so corpora prepared before keep their fingerprints
        options["read_vocab"] = os.fspath(read_vocab)
        vocab = fixed_vocab(read_vocab, min_count=min_count, max_vocab_size=max_vocab_size)
    return sources, options, vocab


def check_target(target: Path, inputs: str | os.PathLike | Sequence[str | os.PathLike]) -> None:
    """Refuse, before reading anything, an output that is not a folder w2v may replace, or that holds an input
    or lies inside an input folder."""
    if target.exists() and not target.is_dir():
        raise CorpusError(f"{target}: exists and is not a folder; choose another output")
    if target.is_dir() and any(target.iterdir()) and not is_prepared(target):
        raise CorpusError(f"{target}: is a folder that is not a prepared corpus; choose an empty or new folder")
    if not target.parent.is_dir():
        raise CorpusError(f"{target}: the folder {target.parent} does not exist")
    resolved = target.resolve()
    for item in [inputs] if isinstance(inputs, (str, os.PathLike)) else inputs:
        if os.fspath(item) == "-":
            continue
        source = Path(item).resolve()
        if resolved in source.parents:
            raise CorpusError(f"{target}: holds the input {item}; write the prepared corpus elsewhere")
        if source.is_dir() and (resolved == source or source in resolved.parents):
            raise CorpusError(f"{target}: is inside the input folder {item}; write the prepared corpus elsewhere")


def _write(sources: Sequence[Source], folder: Path, options: dict, count_memory: int, vocab: Vocab | None,
           max_sentence_length: int = MAX_SENTENCE_LENGTH) -> tuple[dict, Pruned, bool]:
    """Count (or, with a fixed ``vocab``, look up) and encode ``sources`` into ``folder`` (everything but the
    rename), splitting lines longer than ``max_sentence_length``; returns the manifest."""
    name = corpus_name(sources)
    digests: list[SourceDigest] = []
    writer = _CorpusWriter(folder, max_sentence_length)
    spilled = False
    if vocab is None:
        words, counts, pruned, spilled = _count_and_write(sources, digests, folder, writer, options, count_memory)
    else:
        words, counts = vocab.words, vocab.counts
        pruned = _look_up_and_write(sources, digests, words, writer)
    tokens, sentences, longest = writer.close()
    if tokens == 0:
        raise CorpusError(f"{name}: holds none of the {len(words):,} words of the vocabulary")
    shutil.rmtree(folder / "spill", ignore_errors=True)
    manifest = write_manifest(folder, name=name, sources=digests, tokens=tokens, sentences=sentences,
                              longest=longest, vocab=Vocab(words, counts),
                              options=options | {"max_sentence_length": max_sentence_length}, pruned=pruned)
    return manifest, pruned, spilled


def write_manifest(folder: Path, *, name: str, sources: Sequence[SourceDigest], tokens: int, sentences: int,
                   longest: int, vocab: Vocab, options: dict, pruned: Pruned, extra: dict | None = None) -> dict:
    """Finish a prepared corpus whose ``tokens.int32`` and ``offsets.int64`` are written in ``folder``: write
    ``vocab.txt``, then the manifest (last, with the corpus's fingerprint); returns the manifest.

    ``options`` must hold ``min_count``, ``max_vocab_size`` and ``max_sentence_length``;
    ``extra`` adds entries of the writer's own (``w2v walks`` says what it walked).
    """
    _write_durably(folder / "vocab.txt", vocab_file_bytes(vocab.words, vocab.counts))
    manifest = {
        "format": FORMAT, "version": VERSION, "created_by": f"w2v {__version__}", "name": name,
        "sources": [asdict(d) for d in sources],
        "tokens": tokens, "sentences": sentences, "vocabulary": len(vocab), "longest_sentence": longest,
        "options": options, "pruned": asdict(pruned), **(extra or {}),
    }
    # The one corpus fingerprint (Corpus.fingerprint: what training reads), in one pass over the files just
    # written; folders prepared before it keep the fingerprint of their inputs that their manifests hold.
    written = Corpus(_mapped(folder / "tokens.int32", np.dtype("<i4"), tokens, folder),
                     _mapped(folder / "offsets.int64", np.dtype("<i8"), sentences + 1, folder), vocab)
    manifest["fingerprint"] = written.fingerprint()
    _write_durably(folder / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    return manifest


def _count_and_write(sources: Sequence[Source], digests: list[SourceDigest], folder: Path, writer: "_CorpusWriter",
                     options: dict, count_memory: int) -> tuple[list[str], np.ndarray, Pruned, bool]:
    """Count the words exactly, choose the vocabulary and write the corpus; (words, counts, pruned, spilled)."""
    name = corpus_name(sources)
    counter = WordCounter(folder / "spill", count_memory)
    raw_path = folder / "raw.int32"  # provisional ids, while the counting table fits its budget
    with open(raw_path, "wb") as raw:
        interner = encode_text(read_text(sources, digests), lambda ids: counter.spilled or ids.tofile(raw),
                               after_chunk=counter.maybe_spill)
    counter.finish(interner)
    if counter.total_tokens == 0:
        raise CorpusError(f"{name}: holds no words")
    words, counts, new_id, pruned = counter.vocabulary(interner, name, options["min_count"],
                                                       options["max_vocab_size"])
    if counter.spilled:
        raw_path.unlink()
        if any(source.path == "-" for source in sources):
            raise CorpusError("standard input holds more distinct words than count_memory allows, and cannot be "
                              "read twice; save it to a file first, or raise count_memory")
        _encode_again(sources, digests, words, writer, new_id)
    else:
        writer.write(id_blocks(raw_path), new_id)
        raw_path.unlink()
    return words, counts, pruned, counter.spilled


def _look_up_and_write(sources: Sequence[Source], digests: list[SourceDigest], words: list[str],
                       writer: "_CorpusWriter") -> Pruned:
    """Write the corpus in a fixed vocabulary's ids, in one pass; what it left out."""
    new_id = frozen_new_ids(len(words))
    outside = [0]

    def keep(ids: np.ndarray) -> None:
        outside[0] += int(np.count_nonzero(ids == UNKNOWN))
        writer.write([ids], new_id)

    encode_text(read_text(sources, digests), keep, interner=frozen_interner(words), frozen=True)
    return Pruned(0, 0, 0, 0, outside_tokens=outside[0])


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def id_blocks(path: Path) -> Iterator[np.ndarray]:
    """The int32 ids in ``path``, ``2**20`` at a time (read, not mapped: only a block is ever resident)."""
    with open(path, "rb") as handle:
        while True:
            block = np.fromfile(handle, dtype="<i4", count=_BLOCK)
            if not block.size:
                return
            yield block


def _encode_again(sources: Sequence[Source], first_digests: list[SourceDigest], words: list[str],
                  writer: "_CorpusWriter", new_id: np.ndarray) -> None:
    """Read the sources a second time, looking words up in the vocabulary, and write them.

    The text must be what the first pass read: its bytes are hashed again and compared.
    """
    digests: list[SourceDigest] = []
    encode_text(read_text(sources, digests), lambda ids: writer.write([ids], new_id), interner=frozen_interner(words),
                frozen=True)
    for again, first in zip(digests, first_digests):
        if (again.raw_bytes, again.sha256) != (first.raw_bytes, first.sha256):
            raise CorpusError(f"{again.path}: changed while it was being read; prepare it again once it is complete")


class _CorpusWriter:
    """Appends remapped ids to ``tokens.int32`` and sentence offsets to ``offsets.int64``."""

    def __init__(self, folder: Path, max_sentence_length: int):
        self.max_sentence_length = max_sentence_length
        self.tokens = open(folder / "tokens.int32", "wb")
        self.offsets = open(folder / "offsets.int64", "wb")
        np.zeros(1, dtype="<i8").tofile(self.offsets)
        self.written = 0
        self.sentences = 0
        self.longest = 0
        self.state = np.zeros(1, dtype=np.int64)

    def write(self, blocks: Iterable[np.ndarray], new_id: np.ndarray) -> None:
        for block in blocks:
            ids = np.empty(block.size, dtype=np.int32)
            lengths = np.empty(block.size + 1, dtype=np.int64)
            n_ids, n_lines = remap(block, new_id, ids, lengths, self.state, self.max_sentence_length)
            if n_ids < 0:
                raise MemoryError("remap ran out of room")  # a bug: the outputs hold every token
            self._emit(ids[:n_ids], lengths[:n_lines])

    def _emit(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        ids.astype("<i4", copy=False).tofile(self.tokens)
        if lengths.size:
            ends = np.cumsum(lengths) + self._ended
            ends.astype("<i8").tofile(self.offsets)
            self._ended = int(ends[-1])
            self.sentences += lengths.size
            self.longest = max(self.longest, int(lengths.max()))
        self.written += ids.size

    _ended = 0  # tokens in the sentences written so far

    def close(self) -> tuple[int, int, int]:
        """Flush, end the sentence in progress; (tokens, sentences, longest sentence)."""
        if self.state[0]:
            self._emit(np.zeros(0, dtype=np.int32), self.state.copy())
            self.state[0] = 0
        for handle in (self.tokens, self.offsets):
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        return self.written, self.sentences, self.longest


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise CorpusError(f"{folder}: no such folder")
    if not path.is_file():
        raise CorpusError(f"{folder}: not a prepared corpus (no {MANIFEST}; an interrupted w2v prepare leaves none)")
    try:
        manifest = parse_json(path.read_bytes()[: 1 << 24])
    except OSError as err:
        raise CorpusError(f"{path}: cannot read ({err.strerror})") from None
    except ValueError as err:
        raise CorpusError(f"{path}: not a readable manifest ({err})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("version"), int):
        raise CorpusError(f"{folder}: not a prepared corpus ({MANIFEST} is foreign)")
    if manifest["version"] > VERSION:
        raise CorpusError(f"{folder}: prepared by a newer w2v (format version {manifest['version']}; this one "
                          f"reads {VERSION}); upgrade w2v or prepare the corpus again")
    return manifest


def _mapped(path: Path, dtype: np.dtype, count: int, folder: Path) -> np.ndarray:
    try:
        size = path.stat().st_size
    except OSError:
        raise CorpusError(f"{folder}: lacks {path.name} (damaged?)") from None
    if size != count * dtype.itemsize:
        raise CorpusError(f"{folder}: {path.name} holds {size:,} bytes, but the manifest says {count:,} values "
                          "(truncated or damaged)")
    if count == 0:
        return np.zeros(0, dtype=dtype)
    return map_file(path, dtype, count)


def cached_corpus(inputs: Sequence[str | os.PathLike], *, min_count: int, max_vocab_size: int | None,
                  cache: Path, read_vocab: str | os.PathLike | None = None) -> tuple[Corpus, bool]:
    """The prepared corpus of ``inputs`` in ``cache``, prepared there first unless a matching one exists.

    The entry is keyed by the inputs' absolute paths, sizes and modification times, the
    options and the vocabulary file's content; returns (corpus, whether it was prepared now).
    """
    sources = expand_inputs(inputs)
    key = []
    for source in sources:
        info = os.stat(source.path)
        key.append([os.path.abspath(source.path), info.st_size, info.st_mtime_ns])
    options = {"inputs": key, "min_count": min_count, "max_vocab_size": max_vocab_size, "version": VERSION}
    if read_vocab is not None:
        vocab = fixed_vocab(read_vocab, min_count=min_count, max_vocab_size=max_vocab_size)
        options["read_vocab"] = [os.fspath(read_vocab),
                                 hashlib.sha256(vocab_file_bytes(vocab.words, vocab.counts)).hexdigest()]
    identity = json.dumps(options, sort_keys=True)
    folder = cache / "corpora" / hashlib.sha256(identity.encode()).hexdigest()[:20]
    if is_prepared(folder):
        try:
            return open_corpus(folder), False
        except CorpusError:
            pass  # damaged: prepare it again
    folder.parent.mkdir(parents=True, exist_ok=True)
    prepare([s.path for s in sources], folder, min_count=min_count, max_vocab_size=max_vocab_size,
            read_vocab=read_vocab)
    return open_corpus(folder), True
