"""The parts of gensim's KeyedVectors surface where w2v decides something gensim's own tests leave open."""

from __future__ import annotations

import numpy as np
import pytest

from w2v import WordVectors, load
from w2v.errors import ModelFileError, UndecodableWordError, UnknownWordError


@pytest.fixture
def wv():
    rng = np.random.default_rng(0)
    return WordVectors(rng.standard_normal((200, 7)).astype(np.float32), [f"w{i}" for i in range(200)],
                       counts=np.arange(200, 0, -1))


def test_a_word_is_exactly_as_similar_to_itself_as_one(wv):
    assert all(wv.similarity(word, word) == 1.0 for word in wv.index_to_key)
    assert all(wv.distance(word, word) == 0.0 for word in wv.index_to_key)
    zero = WordVectors(np.zeros((1, 3)), ["z"])
    assert zero.similarity("z", "z") == 0.0  # a zero vector has no direction


def test_integer_keys_are_rows_and_lists_give_matrices(wv):
    assert np.array_equal(wv[3], wv["w3"]) and wv.has_index_for(3) and not wv.has_index_for(200)
    assert wv[["w1", 2]].shape == (2, 7) and wv[[]].shape == (0, 7)
    with pytest.raises(UnknownWordError):
        wv[200]
    with pytest.raises(TypeError, match="keys are words"):
        wv.add_vectors([5], np.zeros((1, 7)))


def test_added_words_are_counted_zero_times_and_queries_see_them(wv):
    wv["new"] = wv["w0"] * 2
    assert wv.get_vecattr("new", "count") == 0 and wv.get_vecattr("w0", "count") == 200
    assert wv.most_similar("w0", topn=1) == [("new", pytest.approx(1.0))]
    assert wv.add_vector("w0", np.ones(7)) == 0 and not np.array_equal(wv["w0"], np.ones(7))  # kept
    with pytest.raises(KeyError, match="'count'"):
        wv.get_vecattr("w0", "frequency")


def test_setting_a_vector_of_a_mapped_model_copies_it_and_leaves_the_file(tmp_path, wv):
    path = tmp_path / "m.npz"
    wv.save(path)
    mapped = load(path, mmap=True)
    mapped["w1"] = np.ones(7)
    assert np.array_equal(mapped["w1"], np.ones(7)) and np.array_equal(load(path)["w1"], wv["w1"])


def test_vocabulary_files_give_counts_and_must_list_every_word(tmp_path, wv):
    wv.save_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "v.vocab")
    back = WordVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "v.vocab")
    assert np.array_equal(back.counts, wv.counts)
    assert WordVectors.load_word2vec_format(tmp_path / "v.txt").counts is None  # no invented counts
    (tmp_path / "short.vocab").write_text("w0 5\n")
    with pytest.raises(ModelFileError, match="no count for 'w1'"):
        WordVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "short.vocab")


def test_a_word_that_is_not_utf8_is_one_line_and_a_unicode_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"1 2\n\xe3\x83 0.5 0.5\n")
    with pytest.raises(UndecodableWordError) as caught:
        load(path)
    assert isinstance(caught.value, UnicodeDecodeError) and isinstance(caught.value, ModelFileError)
    assert "\n" not in str(caught.value) and "not valid UTF-8" in str(caught.value)


def test_relative_cosine_similarity_and_most_similar_to_given(wv):
    nearest = wv.most_similar("w0", topn=10)
    assert wv.relative_cosine_similarity("w0", nearest[0][0]) == pytest.approx(
        nearest[0][1] / sum(score for _, score in nearest))
    assert wv.most_similar_to_given("w0", ["w5", nearest[0][0], "w9"]) == nearest[0][0]
