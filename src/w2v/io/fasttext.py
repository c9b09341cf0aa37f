"""fastText's binary model (``.bin``, versions 11 and 12), read and written.

A fastText model file holds, little-endian and without padding (fastText's
``FastText::saveModel``, ``Args::save``, ``Dictionary::save``, ``DenseMatrix::save``):

- int32 magic 793712314 and int32 version (12; 11 for models of 2017);
- the args: int32 ``dim ws epoch minCount neg wordNgrams loss model bucket minn maxn
  lrUpdateRate``, then float64 ``t``. ``loss``: 1 hs, 2 ns, 3 softmax, 4 ova;
  ``model``: 1 cbow, 2 skipgram, 3 supervised;
- the dictionary: int32 ``size nwords nlabels``, int64 ``ntokens pruneidx_size``, then
  ``size`` entries (the word's bytes, a NUL, int64 count, int8 type: 0 word, 1 label;
  words first), then ``pruneidx_size`` int32 pairs (-1: none, the dictionary is not pruned);
- a bool byte (the input matrix is quantized), the input matrix: int64 rows ``m``
  (``nwords + bucket``), int64 columns ``n`` (``dim``), m * n float32;
- a bool byte (the output matrix is quantized), the output matrix likewise: ``nwords``
  rows (``nlabels`` for a supervised model).

:func:`load_fasttext_bin` returns the words' own rows as ``vectors``, not fastText's word
vectors: those are means of a word's own row and its n-grams' rows, composed above ``io/``.
Quantized models (``.ftz``) and pruned dictionaries are refused, and every size a file
declares is checked against the file's length before anything is allocated or mapped.
A supervised model is read and written whole as a classifier (:class:`StoredClassifier`: the
words, the labels without fastText's ``__label__``, both matrices) by
:func:`load_fasttext_supervised` and :func:`save_fasttext_supervised`.
"""

from __future__ import annotations

import mmap as _mmap
import os
import struct
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..errors import ConfigError, ModelFileError
from .files import atomic_write, check_finite, check_readable
from .stored import StoredClassifier, StoredVectors, first_duplicate
from .word2vec import check_read_options

MAGIC = 793712314  # fastText's FASTTEXT_FILEFORMAT_MAGIC_INT32
VERSION = 12  # what save_fasttext_bin writes
VERSIONS = (11, 12)  # what load_fasttext_bin reads
ARGS = ("dim", "ws", "epoch", "minCount", "neg", "wordNgrams", "loss", "model", "bucket", "minn", "maxn",
        "lrUpdateRate", "t")
LOSSES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}
LOSS_CODES = {name: code for code, name in LOSSES.items()}
LABEL_PREFIX = "__label__"  # fastText's -label: its dictionary keeps labels with it
MODELS = {1: "cbow", 2: "skipgram", 3: "supervised"}
MAX_VOCAB = 30_000_000  # fastText's Dictionary::MAX_VOCAB_SIZE
MAX_DIM = 1 << 16  # published models have 300; a larger dim is a damaged header
MAX_INT32 = 2**31 - 1
OWN_ROWS = "own rows"  # extras["subwords"]["vectors"]: the vectors are the words' own input rows

_SIGNATURE = struct.Struct("<2i")
_ARGS = struct.Struct("<12id")
_DICTIONARY = struct.Struct("<3i2q")
_ENTRY_TAIL = struct.Struct("<qb")  # after the word's NUL: count, type
_FLAG_AND_MATRIX = struct.Struct("<?2q")  # quantized?, rows, columns
_PRUNE_PAIR_BYTES = 8
_HEAD_BYTES = _SIGNATURE.size + _ARGS.size + _DICTIONARY.size
_BLOCK_BYTES = 16 << 20  # values read or checked at a time
_WORD, _LABEL = 0, 1


def is_fasttext(head: bytes) -> bool:
    """Whether ``head``, a file's first bytes, starts with fastText's magic number."""
    return head[:4] == struct.pack("<i", MAGIC)


# ---- reading ------------------------------------------------------------------------------

def load_fasttext_bin(path: str | os.PathLike, *, mmap: bool = False, limit: int | None = None,
                      unicode_errors: str = "strict") -> StoredVectors:
    """Read a fastText ``.bin`` model (``save_model``'s file) without composing its word vectors.

    Parameters
    ----------
    path : str or PathLike
    mmap : bool
        Map the three matrices read-only (``np.memmap`` into the file, no copy) instead of
        reading them into memory. The file's float32 start wherever its dictionary ends, so
        the maps are in general not 4-byte aligned: NumPy reads them, but a BLAS product
        with a whole mapped matrix runs several times slower than with an aligned copy.
    limit : int, optional
        Keep only the first ``limit`` words (their own and output rows); every n-gram row is kept.
    unicode_errors : {"strict", "replace", "ignore"}
        For words that are not valid UTF-8.

    Returns
    -------
    StoredVectors
        ``vectors`` : (V, D) float32, the words' own rows of the input matrix (its first V rows);
        ``index_to_key`` : the V words in file order (labels of a supervised model left out);
        ``counts`` : (V,) int64;
        ``extra_arrays["ngram_vectors"]`` : (bucket, D) float32, the input matrix's other rows;
        ``extra_arrays["output_vectors"]`` : (V, D) float32, the output matrix (not for a
        supervised model, whose output rows are its labels');
        ``extras["subwords"]`` : ``{"minn", "maxn", "buckets", "vectors": "own rows"}``;
        ``extras["fasttext"]`` : every arg by its fastText name, ``version``, ``ntokens``,
        ``nlabels`` (and ``labels``, the labels left out, when there are any).

    Raises
    ------
    ModelFileError
        Not a fastText model, a version other than 11 or 12, a quantized model, a pruned
        dictionary, or a truncated or damaged file: one message naming the file.
    """
    check_read_options(limit, unicode_errors)
    path = check_readable(path)
    try:
        with open(path, "rb") as handle:
            return _load(handle, path, mmap, limit, unicode_errors)
    except OSError as err:
        raise ModelFileError(f"{path}: cannot read ({err.strerror or err})") from None


def _load(handle: IO[bytes], path: Path, mapped: bool, limit: int | None, unicode_errors: str) -> StoredVectors:
    size = os.fstat(handle.fileno()).st_size
    if size < _HEAD_BYTES:
        if not is_fasttext(handle.read(4)):
            raise ModelFileError(f"{path}: not a fastText model (it does not start with fastText's magic number)")
        raise ModelFileError(f"{path}: truncated: {size} bytes, less than a fastText model's {_HEAD_BYTES}-byte header")
    with _mmap.mmap(handle.fileno(), 0, access=_mmap.ACCESS_READ) as data:
        args, dictionary = _read_header(data, path)
        nwords, nlabels, dim, bucket = dictionary["nwords"], dictionary["nlabels"], args["dim"], args["bucket"]
        n = nwords if limit is None else min(nwords, limit)
        words, counts, labels, pos = _read_entries(data, path, dictionary, n, unicode_errors)
        pos = _skip_pruned(data, path, pos, dictionary["pruneidx_size"])
        input_at = _matrix_at(data, path, pos, "input", nwords + bucket, dim)
        output_rows = nlabels if args["model"] == 3 else nwords
        output_at = _matrix_at(data, path, input_at + 4 * (nwords + bucket) * dim, "output", output_rows, dim)
    end = output_at + 4 * output_rows * dim
    if end != size:
        raise ModelFileError(f"{path}: holds {size - end:,} bytes after its output matrix; not a fastText model")
    parts = {"vectors": (input_at, n), "ngram_vectors": (input_at + 4 * nwords * dim, bucket)}
    if args["model"] != 3:  # a supervised model's output rows are its labels'
        parts["output_vectors"] = (output_at, n)
    matrices = {}
    for name, (at, rows) in parts.items():
        matrices[name] = (_map if mapped else _read)(handle, path, at, rows, dim)
        _check_finite(handle, path, at, rows, dim, name, None if mapped else matrices[name])
    fasttext = {**args, "version": dictionary["version"], "ntokens": dictionary["ntokens"], "nlabels": nlabels}
    if labels:
        fasttext["labels"] = labels
    subwords = {"minn": args["minn"], "maxn": args["maxn"], "buckets": bucket, "vectors": OWN_ROWS}
    vectors = matrices.pop("vectors")
    return StoredVectors(vectors, words, counts, extras={"subwords": subwords, "fasttext": fasttext},
                         extra_arrays=matrices)


def _read_header(data: Any, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """The args and the dictionary's sizes, each checked against what fastText writes and the file's length."""
    magic, version = _SIGNATURE.unpack_from(data, 0)
    if magic != MAGIC:
        raise ModelFileError(f"{path}: not a fastText model (it does not start with fastText's magic number)")
    if version not in VERSIONS:
        raise ModelFileError(f"{path}: fastText format version {version}; w2v reads versions "
                             f"{' and '.join(map(str, VERSIONS))}")
    args = dict(zip(ARGS, _ARGS.unpack_from(data, _SIGNATURE.size)))
    if version == 11 and args["model"] == 3:
        args["maxn"] = 0  # as fastText reads them: supervised models of version 11 have no character n-grams
    size, nwords, nlabels, ntokens, pruneidx_size = _DICTIONARY.unpack_from(data, _SIGNATURE.size + _ARGS.size)
    bad = _first_bad_arg(args) or _first_bad_size(size, nwords, nlabels, ntokens, len(data) - _HEAD_BYTES)
    if bad:
        raise ModelFileError(f"{path}: {bad}; a damaged or foreign fastText model")
    return args, {"version": version, "size": size, "nwords": nwords, "nlabels": nlabels, "ntokens": ntokens,
                  "pruneidx_size": pruneidx_size}


def _first_bad_arg(args: dict[str, Any]) -> str | None:
    if not 1 <= args["dim"] <= MAX_DIM:
        return f"its dim is {args['dim']}, not a vector size of 1 to {MAX_DIM:,}"
    if args["loss"] not in LOSSES or args["model"] not in MODELS:
        return f"its loss ({args['loss']}) or model ({args['model']}) is none that fastText knows"
    if args["bucket"] < 0 or args["minn"] < 0 or args["maxn"] < 0:
        return f"its bucket ({args['bucket']}), minn ({args['minn']}) or maxn ({args['maxn']}) is negative"
    if args["maxn"] and args["minn"] > args["maxn"]:
        return f"its minn ({args['minn']}) is above its maxn ({args['maxn']})"
    if not np.isfinite(args["t"]):
        return f"its t is {args['t']}"
    return None


def _first_bad_size(size: int, nwords: int, nlabels: int, ntokens: int, room: int) -> str | None:
    if nwords < 1 or nlabels < 0 or size != nwords + nlabels or size > MAX_VOCAB:
        return (f"its dictionary holds {size:,} entries for {nwords:,} words and {nlabels:,} labels (at least one "
                f"word; at most {MAX_VOCAB:,} entries)")
    if ntokens < 0:
        return f"its corpus had {ntokens:,} tokens"
    if 10 * size > room:  # each entry takes at least a NUL, a count and a type
        return f"its dictionary's {size:,} entries cannot fit in the {room:,} bytes after the header (truncated?)"
    return None


def _read_entries(data: Any, path: Path, dictionary: dict[str, int], n: int, unicode_errors: str,
                  label_counts: list[int] | None = None) -> tuple[list[str], np.ndarray, list[str], int]:
    """The first ``n`` words, their counts, the labels (their counts appended to ``label_counts``), and where the
    entries end."""
    pos = _HEAD_BYTES
    nwords, size = dictionary["nwords"], dictionary["size"]
    words: list[str] = []
    counts = np.empty(n, dtype=np.int64)
    labels: list[str] = []
    for i in range(size):
        end = data.find(b"\0", pos)
        if end < 0 or end + 1 + _ENTRY_TAIL.size > len(data):
            raise ModelFileError(f"{path}: truncated inside dictionary entry {i} of {size:,}")
        count, kind = _ENTRY_TAIL.unpack_from(data, end + 1)
        expected = _WORD if i < nwords else _LABEL
        if kind != expected or count < 0 or end == pos:
            raise ModelFileError(
                f"{path}: dictionary entry {i} is damaged (type {kind}, where the {nwords:,} words come first, "
                f"then the labels; count {count:,}; {end - pos} bytes of word)")
        if i < n:
            words.append(_decode(data[pos:end], path, i, unicode_errors))
            counts[i] = count
        elif i >= nwords:
            labels.append(data[pos:end].decode("utf-8", "replace"))
            if label_counts is not None:
                label_counts.append(count)
        pos = end + 1 + _ENTRY_TAIL.size
    duplicate = first_duplicate(words)
    if duplicate is not None:
        raise ModelFileError(f"{path}: its dictionary holds {duplicate!r} twice")
    return words, counts, labels, pos


def _decode(raw: bytes, path: Path, i: int, unicode_errors: str) -> str:
    try:
        word = raw.decode("utf-8", unicode_errors)
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: word {i} ({raw[:40]!r}) is not valid UTF-8 (to read it anyway, use "
                             "unicode_errors 'replace' or 'ignore')") from None
    if not word:
        raise ModelFileError(f"{path}: word {i} ({raw[:40]!r}) is empty once decoded")
    return word


def _skip_pruned(data: Any, path: Path, pos: int, pruneidx_size: int) -> int:
    """Where the input matrix's flag is, past the pruned n-grams' pairs at ``pos``; quantized models and pruned
    dictionaries refused."""
    after = pos + _PRUNE_PAIR_BYTES * max(pruneidx_size, 0)
    if pruneidx_size < -1 or after >= len(data):
        raise ModelFileError(f"{path}: its dictionary declares {pruneidx_size:,} pruned n-grams, and the file ends "
                             "before its input matrix (truncated or damaged)")
    if data[after] == 1:
        raise ModelFileError(f"{path}: quantized fastText models are not supported (a .ftz written by fasttext "
                             "quantize holds compressed vectors); use the model's .bin or .vec")
    if pruneidx_size >= 0:  # fastText's Dictionary::isPruned, which it refuses too unless quantized
        raise ModelFileError(f"{path}: its dictionary is pruned ({pruneidx_size:,} n-grams kept), as only a "
                             "quantized model's is; not supported")
    return after


def _matrix_at(data: Any, path: Path, pos: int, name: str, rows: int, dim: int) -> int:
    """Where the ``name`` matrix's values start, once its flag and shape (at ``pos``) agree with the model and the
    file's length."""
    if pos + _FLAG_AND_MATRIX.size > len(data):
        raise ModelFileError(f"{path}: truncated before its {name} matrix")
    flag, m, n = data[pos], *_FLAG_AND_MATRIX.unpack_from(data, pos)[1:]
    if flag > 1:
        raise ModelFileError(f"{path}: the flag before its {name} matrix is {flag}, neither 0 nor 1 (damaged)")
    if (m, n) != (rows, dim):
        raise ModelFileError(f"{path}: its {name} matrix is declared {m:,} x {n:,}, but the model needs {rows:,} x "
                             f"{dim} (damaged)")
    start = pos + _FLAG_AND_MATRIX.size
    if start + 4 * rows * dim > len(data):
        raise ModelFileError(f"{path}: truncated inside its {name} matrix ({rows:,} x {dim} float32 from byte "
                             f"{start:,}, but the file has {len(data):,} bytes)")
    return start


def _map(handle: IO[bytes], path: Path, at: int, rows: int, dim: int) -> np.ndarray:
    if rows == 0:
        return np.empty((0, dim), dtype=np.float32)
    return np.memmap(path, dtype="<f4", mode="r", offset=at, shape=(rows, dim))


def _read(handle: IO[bytes], path: Path, at: int, rows: int, dim: int) -> np.ndarray:
    array = np.empty((rows, dim), dtype="<f4")
    handle.seek(at)
    _read_into(handle, array.reshape(-1), path)
    return array.astype(np.float32, copy=False)


def _read_into(handle: IO[bytes], values: np.ndarray, path: Path) -> None:
    """Fill the (k,) float32 ``values`` from the handle's position, a block at a time."""
    view = memoryview(values).cast("B")
    done = 0
    while done < len(view):
        got = handle.readinto(view[done:done + _BLOCK_BYTES])
        if not got:
            raise ModelFileError(f"{path}: ended while being read (changed meanwhile?)")
        done += got


_WHAT = {"vectors": "word", "ngram_vectors": "n-gram row", "output_vectors": "output row"}


def _check_finite(handle: IO[bytes], path: Path, at: int, rows: int, dim: int, name: str,
                  array: np.ndarray | None) -> None:
    """Raise ModelFileError naming the first row with NaN or infinite values.

    A matrix in memory is checked where it is; a mapped one (``array`` None) is read from the
    file a block at a time instead, so that its pages do not stay in the process's memory.
    """
    block = max(1, _BLOCK_BYTES // (4 * dim))
    buffer = np.empty(0 if array is not None else min(block, rows) * dim, dtype="<f4")
    handle.seek(at)
    for start in range(0, rows, block):
        stop = min(start + block, rows)
        if array is not None:
            values = array[start:stop]
        else:
            values = buffer[:(stop - start) * dim]
            _read_into(handle, values, path)
            values = values.reshape(stop - start, dim)
        bad = ~np.isfinite(values).all(axis=1)
        if bad.any():
            raise ModelFileError(f"{path}: {_WHAT[name]} {start + int(np.argmax(bad))} holds NaN or infinite values")


def load_fasttext_supervised(path: str | os.PathLike) -> StoredClassifier:
    """Read a fastText supervised ``.bin`` (``fasttext supervised``'s model) as a classifier.

    Labels lose their ``__label__`` prefix; hierarchical softmax's output matrix, which
    fastText allocates with one row per label though its tree uses one fewer, loses its last row.

    Raises
    ------
    ModelFileError
        Not a supervised fastText model, or anything :func:`load_fasttext_bin` refuses.
    """
    path = check_readable(path)
    try:
        with open(path, "rb") as handle:
            return _load_supervised(handle, path)
    except OSError as err:
        raise ModelFileError(f"{path}: cannot read ({err.strerror or err})") from None


def _load_supervised(handle: IO[bytes], path: Path) -> StoredClassifier:
    size = os.fstat(handle.fileno()).st_size
    if size < _HEAD_BYTES:
        raise ModelFileError(f"{path}: not a fastText model, or truncated ({size} bytes)")
    with _mmap.mmap(handle.fileno(), 0, access=_mmap.ACCESS_READ) as data:
        args, dictionary = _read_header(data, path)
        if args["model"] != 3:
            raise ModelFileError(f"{path}: a fastText {MODELS[args['model']]} model, not a supervised one: "
                                 "load its vectors with w2v.load")
        nwords, nlabels, dim, bucket = dictionary["nwords"], dictionary["nlabels"], args["dim"], args["bucket"]
        if nlabels < 1:
            raise ModelFileError(f"{path}: a supervised model without labels (damaged)")
        label_counts: list[int] = []
        words, counts, labels, pos = _read_entries(data, path, dictionary, nwords, "strict", label_counts)
        pos = _skip_pruned(data, path, pos, dictionary["pruneidx_size"])
        input_at = _matrix_at(data, path, pos, "input", nwords + bucket, dim)
        output_at = _matrix_at(data, path, input_at + 4 * (nwords + bucket) * dim, "output", nlabels, dim)
    if output_at + 4 * nlabels * dim != size:
        raise ModelFileError(f"{path}: holds bytes after its output matrix; not a fastText model")
    W_in = _read(handle, path, input_at, nwords + bucket, dim)
    W_out = _read(handle, path, output_at, nlabels, dim)
    check_finite(W_in, path)
    check_finite(W_out, path)
    loss = LOSSES[args["loss"]]
    if loss == "hs" and nlabels > 1:
        W_out = W_out[:-1]
    options = {"loss": loss, "word_ngrams": args["wordNgrams"], "buckets": bucket, "minn": args["minn"],
               "maxn": args["maxn"], "negative": args["neg"], "vector_size": dim, "epochs": args["epoch"],
               "min_count": args["minCount"]}
    return StoredClassifier(W_in, W_out, words, counts, [label.removeprefix(LABEL_PREFIX) for label in labels],
                            np.array(label_counts, dtype=np.int64), options)


# ---- writing ------------------------------------------------------------------------------

def save_fasttext_bin(stored: StoredVectors, path: str | os.PathLike) -> None:
    """Write a subword model as a fastText ``.bin`` (version 12), atomically: what :func:`load_fasttext_bin` reads.

    ``stored`` must be what that function returns: ``vectors`` the words' own rows,
    ``extras["subwords"]`` with ``"vectors": "own rows"``, and ``extra_arrays["ngram_vectors"]``
    (buckets, D). The output matrix is ``extra_arrays["output_vectors"]`` (V, D), or zeros.
    The args come from ``extras["fasttext"]`` where it has them, else fastText's defaults
    (ws 5, epoch 5, minCount 1, neg 5, wordNgrams 1, loss ns, lrUpdateRate 100, t 1e-4;
    the model from ``info["config"]["model"]``, else skipgram). Counts are 1 where
    ``counts`` is None. fastText's ``load_model`` and gensim's ``load_facebook_model`` read the file.

    Raises
    ------
    ConfigError
        ``stored`` is not a subword model's own rows, or its parts disagree.
    ModelFileError
        A word that fastText's file cannot hold, or NaN or infinite values.
    """
    path = Path(path)
    args, ngrams, output = _checked_parts(stored, path)
    counts = np.ones(len(stored), dtype=np.int64) if stored.counts is None else np.asarray(stored.counts)
    if counts.shape != (len(stored),) or counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
        raise ConfigError(f"{path}: counts must be one whole number >= 0 per word")
    counts = counts.astype(np.int64)
    words = [word.encode("utf-8") for word in stored.index_to_key]
    for i, word in enumerate(words):
        if not word or b"\0" in word:
            raise ModelFileError(f"{path}: cannot write word {i} ({stored.index_to_key[i]!r}): fastText's "
                                 "dictionary ends each word with a NUL byte, so a word must be non-empty and hold none")
    duplicate = first_duplicate(stored.index_to_key)
    if duplicate is not None:
        raise ModelFileError(f"{path}: cannot write {duplicate!r} twice: fastText's dictionary holds each word once")
    saved = stored.extras.get("fasttext")
    ntokens = saved.get("ntokens") if isinstance(saved, dict) else None  # the corpus's, where it was read
    if not isinstance(ntokens, int) or isinstance(ntokens, bool) or not 0 <= ntokens < 2**63:
        ntokens = min(int(counts.sum(dtype=object)), 2**63 - 1)
    for name, array in (("vectors", stored.vectors), ("ngram_vectors", ngrams), ("output_vectors", output)):
        if array is not None:
            check_finite(array, f"{path}: {name}")
    with atomic_write(path) as handle:
        handle.write(_SIGNATURE.pack(MAGIC, VERSION))
        handle.write(_ARGS.pack(*(args[name] for name in ARGS)))
        handle.write(_DICTIONARY.pack(len(words), len(words), 0, ntokens, -1))
        handle.write(b"".join(word + b"\0" + _ENTRY_TAIL.pack(count, _WORD)
                              for word, count in zip(words, counts.tolist())))
        dim = stored.vector_size
        handle.write(_FLAG_AND_MATRIX.pack(False, len(words) + len(ngrams), dim))
        _write_rows(handle, stored.vectors)
        _write_rows(handle, ngrams)
        handle.write(_FLAG_AND_MATRIX.pack(False, len(words), dim))
        if output is None:
            _write_zeros(handle, len(words) * dim)
        else:
            _write_rows(handle, output)


def _checked_parts(stored: StoredVectors, path: Path) -> tuple[dict[str, Any], np.ndarray, np.ndarray | None]:
    """The args to write, the n-gram rows and the output rows (or None) of ``stored``; ConfigError if they disagree."""
    subwords = stored.extras.get("subwords")
    if not isinstance(subwords, dict) or subwords.get("vectors") != OWN_ROWS:
        raise ConfigError(f"{path}: a fastText .bin holds a subword model (its words' own rows and its n-grams' "
                          "rows), and these vectors are not one; write them as .npz or word2vec text or binary")
    vectors = stored.vectors
    if vectors.ndim != 2 or not 1 <= vectors.shape[1] <= MAX_DIM or len(vectors) != len(stored) or not len(stored):
        raise ConfigError(f"{path}: vectors of shape {vectors.shape} for {len(stored)} words cannot be written")
    dim = vectors.shape[1]
    sizes = {name: subwords.get(key) for name, key in (("minn", "minn"), ("maxn", "maxn"), ("bucket", "buckets"))}
    for name, value in sizes.items():
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 0 <= value <= MAX_INT32:
            raise ConfigError(f"{path}: extras['subwords'] must give {name} as a whole number, not {value!r}")
    ngrams = stored.extra_arrays.get("ngram_vectors")
    if ngrams is None or ngrams.shape != (sizes["bucket"], dim):
        shape = None if ngrams is None else ngrams.shape
        raise ConfigError(f"{path}: extra_arrays['ngram_vectors'] must be ({sizes['bucket']}, {dim}), one row per "
                          f"bucket, not {shape}")
    output = stored.extra_arrays.get("output_vectors")
    if output is not None and output.shape != vectors.shape:
        raise ConfigError(f"{path}: extra_arrays['output_vectors'] must be {vectors.shape}, like the vectors, not "
                          f"{output.shape}")
    config = stored.info.get("config") if isinstance(stored.info.get("config"), dict) else {}
    args: dict[str, Any] = {"dim": dim, "ws": 5, "epoch": 5, "minCount": 1, "neg": 5, "wordNgrams": 1, "loss": 2,
                            "model": 1 if config.get("model") == "cbow" else 2, "lrUpdateRate": 100, "t": 1e-4,
                            **{name: int(value) for name, value in sizes.items()}}
    saved = stored.extras.get("fasttext")
    if isinstance(saved, dict):
        for name in ARGS:
            value = saved.get(name, args[name])
            if name in sizes or name == "dim":
                if value != args[name]:
                    raise ConfigError(f"{path}: extras['fasttext'] says {name} {value!r}, but the vectors have "
                                      f"{args[name]!r}")
            elif name == "t":
                if not isinstance(value, (int, float)) or not np.isfinite(value):
                    raise ConfigError(f"{path}: extras['fasttext'] holds t {value!r}, not a number")
                args[name] = float(value)
            elif not isinstance(value, (int, np.integer)) or not -2**31 <= value <= MAX_INT32:
                raise ConfigError(f"{path}: extras['fasttext'] holds {name} {value!r}, not a 32-bit whole number")
            else:
                args[name] = int(value)
    if args["model"] not in (1, 2) or args["loss"] not in (1, 2, 3):
        raise ConfigError(f"{path}: w2v writes fastText's unsupervised models (model cbow or skipgram, loss hs, ns or "
                          f"softmax), not model {args['model']} with loss {args['loss']}")
    return args, ngrams, output


def _write_rows(handle: IO[bytes], rows: np.ndarray) -> None:
    """Write (k, D) ``rows`` as little-endian float32, a block at a time (a mapped matrix is never copied whole)."""
    block = max(1, _BLOCK_BYTES // (4 * max(rows.shape[1], 1)))
    for start in range(0, len(rows), block):
        handle.write(np.ascontiguousarray(rows[start:start + block], dtype="<f4").data)


def _write_zeros(handle: IO[bytes], count: int) -> None:
    zeros = bytes(min(count * 4, _BLOCK_BYTES))
    left = count * 4
    while left:
        handle.write(zeros[:left] if left < len(zeros) else zeros)
        left -= min(left, len(zeros))


def save_fasttext_supervised(stored: StoredClassifier, path: str | os.PathLike) -> None:
    """Write a classifier as fastText's supervised ``.bin`` (version 12), atomically: what ``fasttext.load_model``
    serves and :func:`load_fasttext_supervised` reads.

    Labels get fastText's ``__label__`` prefix back, and hierarchical softmax's output matrix a
    last row of zeros (fastText allocates one row per label). ModelFileError for a word or
    label that fastText's dictionary cannot hold.
    """
    path = Path(path)
    options = stored.options
    entries = [(word.encode("utf-8"), count, _WORD) for word, count in zip(stored.words, stored.word_counts.tolist())]
    entries += [((LABEL_PREFIX + label).encode("utf-8"), count, _LABEL)
                for label, count in zip(stored.labels, stored.label_counts.tolist())]
    for raw, _, _ in entries:
        if not raw or b"\0" in raw or any(c in raw for c in b" \t\n\r\v\f"):
            raise ModelFileError(f"{path}: cannot write {raw[:40]!r}: fastText's dictionary holds words without "
                                 "whitespace or NUL bytes")
    W_out = stored.W_out
    if options["loss"] == "hs" and len(stored.labels) > 1:
        W_out = np.concatenate([W_out, np.zeros((1, W_out.shape[1]), dtype=np.float32)])
    dim = stored.W_in.shape[1]
    args = {"dim": dim, "ws": 5, "epoch": int(options.get("epochs", 5)), "minCount": int(options.get("min_count", 1)),
            "neg": int(options.get("negative", 5)), "wordNgrams": int(options.get("word_ngrams", 1)),
            "loss": LOSS_CODES[options["loss"]], "model": 3, "bucket": int(options["buckets"]),
            "minn": int(options.get("minn", 0)), "maxn": int(options.get("maxn", 0)), "lrUpdateRate": 100, "t": 1e-4}
    check_finite(stored.W_in, path)
    check_finite(W_out, path)
    with atomic_write(path) as handle:
        handle.write(_SIGNATURE.pack(MAGIC, VERSION))
        handle.write(_ARGS.pack(*(args[name] for name in ARGS)))
        handle.write(_DICTIONARY.pack(len(entries), len(stored.words), len(stored.labels),
                                      int(stored.word_counts.sum()), -1))
        handle.write(b"".join(raw + b"\0" + _ENTRY_TAIL.pack(count, kind) for raw, count, kind in entries))
        handle.write(_FLAG_AND_MATRIX.pack(False, *stored.W_in.shape))
        _write_rows(handle, stored.W_in)
        handle.write(_FLAG_AND_MATRIX.pack(False, *W_out.shape))
        _write_rows(handle, W_out)
