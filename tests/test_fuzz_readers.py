"""Random and damaged bytes fed to every reader: only w2v's own errors, with a message, may escape."""

import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import w2v
from w2v import W2VError, WordVectors
from w2v.io import read_vectors
from w2v.io.fasttext import load_fasttext_bin, save_fasttext_bin
from w2v.io.npz import load_npz
from w2v.io.stored import StoredVectors
from w2v.io.word2vec import load_word2vec_format

from conftest import sample_record

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid_files() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    wv = WordVectors(rng.standard_normal((4, 3)), ["a", "ñandú", "東京", "x.y"], counts=[5, 3, 2, 1],
                     record=sample_record())
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        wv.save(folder / "v.npz")
        wv.save_word2vec_format(folder / "v.txt")
        wv.save_word2vec_format(folder / "v.bin", binary=True)
        subwords = {"minn": 2, "maxn": 3, "buckets": 5, "vectors": "own rows"}
        save_fasttext_bin(StoredVectors(wv.vectors, wv.index_to_key, wv.counts, extras={"subwords": subwords},
                                        extra_arrays={"ngram_vectors": rng.standard_normal((5, 3))}),
                          folder / "fasttext.bin")
        return {name: (folder / name).read_bytes() for name in ("v.npz", "v.txt", "v.bin", "fasttext.bin")}


VALID = _valid_files()
READERS = {
    "load": lambda path: w2v.load(path),
    "load, limit 2, replace": lambda path: w2v.load(path, limit=2, unicode_errors="replace"),
    "npz": load_npz,
    "text": lambda path: load_word2vec_format(path, binary=False),
    "binary": lambda path: load_word2vec_format(path, binary=True),
    "guessed, ignore": lambda path: load_word2vec_format(path, unicode_errors="ignore"),
    "fasttext": load_fasttext_bin,
    "read, mmap, limit 2": lambda path: read_vectors(path, mmap=True, limit=2),
}
SUFFIXES = [".npz", ".txt", ".vec", ".bin", ".pkl", ".dat", ""]


@st.composite
def mutated(draw):
    """A valid file with a few truncations, byte flips, insertions or deletions."""
    data = bytearray(VALID[draw(st.sampled_from(sorted(VALID)))])
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[at:at + draw(st.integers(1, 8))]
    return bytes(data)


contents = st.one_of(
    st.binary(max_size=300),
    st.from_regex(rb"\A[0-9]{1,3} [0-9]{1,3}\n[\x00-\xff]{0,200}\Z"),  # a header, then anything
    mutated(),
)


def _only_our_errors(read, path: Path) -> None:
    try:
        wv = read(path)
    except W2VError as err:
        assert str(err).strip(), f"{type(err).__name__} without a message"
        return
    assert np.isfinite(wv.vectors).all() and wv.vectors.dtype == np.float32
    assert len(set(wv.index_to_key)) == len(wv) == wv.vectors.shape[0]


@pytest.mark.parametrize("reader", sorted(READERS))
@FUZZ
@given(data=contents, suffix=st.sampled_from(SUFFIXES))
def test_readers_raise_only_w2v_errors(tmp_path_factory, reader, data, suffix):
    path = tmp_path_factory.getbasetemp() / f"fuzz-{reader.replace(' ', '').replace(',', '')}{suffix}"
    path.write_bytes(data)
    _only_our_errors(READERS[reader], path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
metas = st.one_of(
    st.just({"format": "w2v.vectors", "version": 1}),
    json_values,
    st.fixed_dictionaries({"format": st.just("w2v.vectors")}, optional={"version": json_values, "info": json_values}),
)
any_arrays = arrays(
    dtype=st.sampled_from([np.uint8, np.int64, np.uint64, np.float32, np.float64, np.bool_]),
    shape=array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
)


@st.composite
def npz_members(draw):
    """A valid w2v archive's arrays, each kept, dropped or replaced by another array."""
    with np.load(io.BytesIO(VALID["v.npz"])) as archive:
        members = dict(archive)
    members["meta_json"] = np.frombuffer(json.dumps(draw(metas)).encode(), dtype=np.uint8)
    for name in list(members):
        action = draw(st.sampled_from(["keep", "keep", "drop", "replace"]))
        if action == "drop":
            del members[name]
        elif action == "replace":
            members[name] = draw(any_arrays)
    return members


@FUZZ
@given(members=npz_members())
def test_npz_with_wrong_members_raises_only_w2v_errors(tmp_path_factory, members):
    path = tmp_path_factory.getbasetemp() / "fuzz-members.npz"
    np.savez(path, **members)
    _only_our_errors(w2v.load, path)


def _valid_prepared() -> dict[str, bytes]:
    rng = np.random.default_rng(1)
    lines = [" ".join(f"w{i}" for i in rng.zipf(1.5, rng.integers(1, 12)) % 30) for _ in range(60)]
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        (folder / "c.txt").write_text("\n".join(lines) + "\n")
        w2v.prepare(folder / "c.txt", folder / "p", min_count=1)
        return {path.name: path.read_bytes() for path in (folder / "p").iterdir()}


PREPARED = _valid_prepared()
_DTYPES = {"tokens.int32": "<i4", "offsets.int64": "<i8"}
values = st.one_of(st.integers(-3, 40), st.integers(-(2**31), 2**31 - 1), st.sampled_from([-(2**62), 2**40]))


@st.composite
def damaged_prepared(draw):
    """A valid prepared folder's files with a few values of one of them replaced, or its bytes mutated."""
    files = dict(PREPARED)
    name = draw(st.sampled_from(sorted(files)))
    if name in _DTYPES and draw(st.booleans()):
        array = np.frombuffer(files[name], dtype=_DTYPES[name]).copy()
        bounds = np.iinfo(array.dtype)
        for _ in range(draw(st.integers(1, 3))):
            array[draw(st.integers(0, array.size - 1))] = min(max(draw(values), bounds.min), bounds.max)
        files[name] = array.tobytes()
    else:
        data = bytearray(files[name])
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            if data and draw(st.booleans()):
                data[at] ^= draw(st.integers(1, 255))
            else:
                del data[at:]
        files[name] = bytes(data)
    return files


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=damaged_prepared())
def test_a_damaged_prepared_folder_never_reaches_a_kernel(tmp_path_factory, files):
    folder = tmp_path_factory.getbasetemp() / "fuzz-prepared"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    try:
        wv = w2v.train(w2v.open_corpus(folder), vector_size=4, epochs=1, workers=1)
    except W2VError as err:
        assert str(err).strip()
        return
    assert np.isfinite(wv.vectors).all()
