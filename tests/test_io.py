import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import w2v
from w2v import WordVectors
from w2v.errors import ModelFileError, OutputError
from w2v.io.files import atomic_write

from conftest import sample_record


@pytest.fixture
def wv():
    rng = np.random.default_rng(0)
    return WordVectors(rng.standard_normal((4, 3)), ["a", "b", "ñandú", "東京"], counts=[9, 5, 2, 1],
                       record=sample_record())


def test_round_trip_keeps_vectors_words_counts_and_record(tmp_path, wv):
    path = tmp_path / "m.npz"
    wv.save(path)
    back = w2v.load(path)
    np.testing.assert_array_equal(back.vectors, wv.vectors)
    assert back.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(back.counts, wv.counts)
    assert back.record == wv.record
    assert back.vectors.dtype == np.float32


def test_the_file_holds_no_pickled_objects(tmp_path, wv):
    path = tmp_path / "m.npz"
    wv.save(path)
    with np.load(path, allow_pickle=False) as archive:  # would raise on object arrays
        assert all(archive[name].dtype != object for name in archive.files)


def test_save_is_atomic_and_keeps_the_old_file_on_failure(tmp_path, wv, monkeypatch):
    path = tmp_path / "m.npz"
    wv.save(path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", broken)
    with pytest.raises(OutputError, match=r"m\.npz: could not be written \(disk full\); it is unchanged"):
        wv.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]  # no temporary file left behind


def test_atomic_write_into_a_missing_folder_or_onto_a_directory(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        with atomic_write(tmp_path / "nope" / "x.npz"):
            pass
    with pytest.raises(OutputError, match="is a folder"):
        with atomic_write(tmp_path):
            pass


def test_truncated_file_gives_a_clear_error(tmp_path, wv):
    path = tmp_path / "m.npz"
    wv.save(path)
    data = path.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 5):
        path.write_bytes(data[:cut])
        with pytest.raises(ModelFileError, match="m.npz"):
            w2v.load(path)


def test_foreign_npz_and_unknown_files_are_refused(tmp_path):
    foreign = tmp_path / "other.npz"
    np.savez(foreign, x=np.zeros(3))
    with pytest.raises(ModelFileError, match="not a w2v vectors file"):
        w2v.load(foreign)
    text = tmp_path / "notes.dat"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="unknown vectors format"):
        w2v.load(text)
    with pytest.raises(ModelFileError, match="no such file"):
        w2v.load(tmp_path / "missing.npz")
    with pytest.raises(ModelFileError, match="is a directory"):
        w2v.load(tmp_path)


def test_pickles_are_never_loaded(tmp_path):
    marker = tmp_path / "pwned"
    payload = tmp_path / "evil.pkl"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload.write_bytes(pickle.dumps(Evil()))
    disguised = tmp_path / "evil.npz"
    disguised.write_bytes(payload.read_bytes())
    for path in (payload, disguised):
        with pytest.raises(ModelFileError, match="pickle"):
            w2v.load(path)
    assert not marker.exists()


def test_object_arrays_inside_an_npz_are_refused(tmp_path, wv):
    path = tmp_path / "m.npz"
    wv.save(path)
    with zipfile.ZipFile(path, "a") as archive:  # replace nothing, just add a pickled member
        with archive.open("vectors_extra.npy", "w") as member:
            np.lib.format.write_array(member, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ModelFileError, match="m.npz"):
        w2v.load(path)


def test_nan_vectors_and_inconsistent_shapes_are_refused(tmp_path, wv):
    bad = WordVectors(wv.vectors.copy(), wv.index_to_key)
    bad.vectors[2, 1] = np.nan
    path = tmp_path / "nan.npz"
    bad.save(path)
    with pytest.raises(ModelFileError, match="vector 2 holds NaN"):
        w2v.load(path)
    with np.load(tmp_path / "nan.npz") as archive:
        arrays = dict(archive)
    arrays["vectors"] = arrays["vectors"][:3]
    np.savez(tmp_path / "short.npz", **arrays)
    with pytest.raises(ModelFileError, match="shape"):
        w2v.load(tmp_path / "short.npz")


def test_load_tells_the_format_by_content_then_by_extension(tmp_path, wv):
    wv.save(tmp_path / "m.npz")
    wv.save_word2vec_format(tmp_path / "v.txt")
    wv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    renamed = {"m.npz": "model.data", "v.txt": "text.bin", "v.bin": "binary.data"}  # misleading names
    for source, target in renamed.items():
        (tmp_path / target).write_bytes((tmp_path / source).read_bytes())
        back = w2v.load(tmp_path / target)
        assert back.index_to_key == wv.index_to_key
        np.testing.assert_array_equal(back.vectors, wv.vectors)


def test_load_limit_keeps_the_first_words_of_an_npz(tmp_path, wv):
    wv.save(tmp_path / "m.npz")
    back = w2v.load(tmp_path / "m.npz", limit=2)
    assert back.index_to_key == wv.index_to_key[:2]
    np.testing.assert_array_equal(back.vectors, wv.vectors[:2])
    np.testing.assert_array_equal(back.counts, wv.counts[:2])
    assert len(w2v.load(tmp_path / "m.npz", limit=10)) == 4


@pytest.mark.parametrize("name", ["empty.npz", "empty.txt", "empty.bin", "empty"])
def test_an_empty_file_is_named_as_empty(tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    with pytest.raises(ModelFileError, match=f"{name}: is empty"):
        w2v.load(tmp_path / name)


def test_the_pickle_refusal_says_why_and_what_to_use_instead(tmp_path):
    path = tmp_path / "cbow_params.pkl"
    path.write_bytes(pickle.dumps({"word_vecs": [[0.0]]}))
    with pytest.raises(ModelFileError) as error:
        w2v.load(path)
    message = str(error.value)
    assert str(path) in message and "runs whatever code" in message
    assert all(kind in message for kind in (".npz", ".txt", ".vec", ".bin", "WordVectors"))


def test_malformed_metadata_is_refused(tmp_path, wv):
    wv.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as archive:
        arrays = dict(archive)
    for meta in ({"format": "w2v.vectors", "version": 1, "info": [1, 2]}, {"format": "w2v.vectors", "version": "1"}):
        arrays["meta_json"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        np.savez(tmp_path / "bad.npz", **arrays)
        with pytest.raises(ModelFileError, match="bad.npz: its metadata is malformed"):
            w2v.load(tmp_path / "bad.npz")


def test_word_offsets_that_go_backwards_are_refused(tmp_path, wv):
    wv.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as archive:
        arrays = dict(archive)
    arrays["word_ends"] = arrays["word_ends"][[1, 0, 2, 3]].astype(np.uint64)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match="word list is malformed"):
        w2v.load(tmp_path / "bad.npz")
