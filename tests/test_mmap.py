"""``w2v.load(path, mmap=True)``: the vectors of an .npz mapped read-only, with the same answers."""

import zipfile

import numpy as np
import pytest

import w2v
from w2v import WordVectors
from w2v.errors import ModelFileError
from w2v.io.npz import ALIGNMENT


@pytest.fixture
def saved(tmp_path):
    rng = np.random.default_rng(5)
    wv = WordVectors(rng.standard_normal((200, 12)).astype(np.float32), [f"w{i}" for i in range(200)],
                     counts=np.arange(200, 0, -1) * 3)
    path = tmp_path / "m.npz"
    wv.save(path)
    return wv, path


def answers(wv):
    return [wv.most_similar("w3"), wv.most_similar(positive=["w3", "w9"], negative=["w1"], restrict_vocab=50),
            wv.most_similar_cosmul(["w3", "w9"], ["w1"]), wv.analogy("w1", "w2", "w3", method="3cosmul"),
            wv.doesnt_match(["w1", "w2", "w3", "w4"]), wv.rank("w1", "w5"), wv.distances("w2").tolist(),
            wv.similar_by_vector(wv["w4"]), wv.get_mean_vector(["w1", "w2"]).tolist()]


def test_mapped_vectors_are_read_only_and_answer_exactly_as_read_ones(saved):
    wv, path = saved
    mapped, read = w2v.load(path, mmap=True), w2v.load(path)
    assert isinstance(mapped.vectors.base, np.memmap) and not mapped.vectors.flags.writeable
    assert not isinstance(read.vectors.base, np.memmap)
    assert np.array_equal(mapped.vectors, wv.vectors) and np.array_equal(mapped.counts, wv.counts)
    assert answers(mapped) == answers(read)
    with pytest.raises(ValueError, match="read-only"):
        mapped.vectors[0, 0] = 1
    assert w2v.load(path, mmap=True, limit=10).vectors.shape == (10, 12)


def test_every_member_starts_aligned_so_blas_takes_mapped_vectors(saved):
    _, path = saved
    with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            mapped = w2v.io.npz.map_member(handle, info, path)
            assert mapped.ctypes.data % ALIGNMENT == 0, info.filename


def test_archives_numpy_wrote_map_too(saved, tmp_path):
    wv, path = saved
    with np.load(path) as archive:
        members = {name: archive[name] for name in archive.files}
    plain = tmp_path / "plain.npz"
    np.savez(plain, **members)  # unaligned members: mapped all the same
    mapped = w2v.load(plain, mmap=True)
    assert np.array_equal(mapped.vectors, wv.vectors)
    assert [word for word, _ in mapped.most_similar("w3")] == [word for word, _ in wv.most_similar("w3")]


def test_compressed_archives_and_word2vec_files_are_refused_clearly(saved, tmp_path):
    wv, path = saved
    with np.load(path) as archive:
        members = {name: archive[name] for name in archive.files}
    packed = tmp_path / "packed.npz"
    np.savez_compressed(packed, **members)
    assert np.array_equal(w2v.load(packed).vectors, wv.vectors)  # read normally: fine
    with pytest.raises(ModelFileError, match=r"packed\.npz: its member vectors\.npy is compressed or encrypted, so "
                                             r"it cannot be memory-mapped; load it without mmap"):
        w2v.load(packed, mmap=True)
    text = tmp_path / "m.txt"
    wv.save(text)
    with pytest.raises(ModelFileError, match=r"mmap=True maps w2v \.npz files only.*w2v export"):
        w2v.load(text, mmap=True)


def test_a_member_whose_header_lies_is_refused(saved, tmp_path):
    _, path = saved
    data = bytearray(path.read_bytes())
    header = data.index(b"'shape': (200, 12)")
    data[header : header + 18] = b"'shape': (900, 12)"  # more rows than the member holds
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="bad.npz"):
        w2v.load(bad, mmap=True)
