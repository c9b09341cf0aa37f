"""Integer item sequences as a corpus, and w2v.train on them (w2v.text.sequences)."""

from __future__ import annotations

import numpy as np
import pytest

import w2v
from w2v.errors import CorpusError
from w2v.text.sequences import Sequences, is_sequences, item_corpus


def _sentences(corpus) -> list[list]:
    keys = corpus.vector_keys
    return [[keys[i] for i in corpus.ids[a:b].tolist()] for a, b in zip(corpus.offsets[:-1], corpus.offsets[1:])]


def test_items_keep_their_ids_ranked_by_count_ties_by_first_appearance():
    corpus = item_corpus([np.array([70, 5, 5]), np.array([9, 70, 70, -3])])
    assert corpus.keys == [70, 5, 9, -3]
    assert corpus.vocab.words == ["70", "5", "9", "-3"] and corpus.vocab.counts.tolist() == [3, 2, 1, 1]
    assert _sentences(corpus) == [[70, 5, 5], [9, 70, 70, -3]]
    corpus.check()


def test_every_form_gives_the_same_corpus():
    ids = np.array([3, 1, 2, 3, 3, 1], dtype=np.uint16)
    as_list = item_corpus([ids[:3], ids[3:]])
    for other in (item_corpus(Sequences(ids, [0, 3, 6])), item_corpus(ids.reshape(2, 3)),
                  item_corpus((ids[:3], ids[3:]))):
        np.testing.assert_array_equal(other.ids, as_list.ids)
        np.testing.assert_array_equal(other.offsets, as_list.offsets)
        assert other.keys == as_list.keys
    assert item_corpus(ids).offsets.tolist() == [0, 6]


def test_min_count_and_max_vocab_size_drop_items_and_sequences_left_empty():
    corpus = item_corpus([np.array([1, 2, 2]), np.array([3]), np.array([2, 1, 4])], min_count=2)
    assert corpus.keys == [2, 1]
    assert _sentences(corpus) == [[1, 2, 2], [2, 1]]
    assert item_corpus([np.array([1, 2, 2, 3, 3, 3])], max_vocab_size=1).keys == [3]


@pytest.mark.parametrize("value,message", [
    ([np.array([1.5, 2.0])], "item ids must be integers"),
    (Sequences(np.array([1, 2]), np.array([0, 3])), "offsets must rise from 0 to the 2 ids"),
    (Sequences(np.array([1, 2]), np.array([1, 2])), "offsets must rise"),
    ([np.zeros(0, dtype=int)], "holds no items"),
    ([np.array([1, 2])], "no word occurs at least 3 times"),
])
def test_bad_sequences_are_refused(value, message):
    with pytest.raises(CorpusError, match=message):
        item_corpus(value, min_count=3 if message.startswith("no word") else 1)


def test_what_counts_as_sequences():
    assert is_sequences(np.array([1, 2])) and is_sequences([np.array([1])]) and is_sequences(Sequences([1], [0, 1]))
    assert not is_sequences("corpus.txt") and not is_sequences(["a.txt", "b.txt"]) and not is_sequences([])


def test_train_on_sessions_keys_the_vectors_by_item_id_and_saves_them(tmp_path):
    rng = np.random.default_rng(0)
    # Two groups of items, never in the same session: items of a group should end up nearer each other.
    sessions = [rng.choice(np.arange(100, 110) if s % 2 else np.arange(500, 510), size=8) for s in range(600)]
    wv = w2v.train(sessions, model="skipgram", vector_size=16, window=3, epochs=3, negative=3, workers=1, seed=1,
                   ns_exponent=-0.5, sample=0)
    assert sorted(wv.index_to_key) == list(range(100, 110)) + list(range(500, 510))
    assert wv.record.config.min_count == 1
    near = [key for key, _ in wv.most_similar(103, topn=5)]
    assert all(100 <= key < 110 for key in near)
    assert wv[np.int64(103)].shape == (16,)
    wv.save(tmp_path / "items.npz")
    loaded = w2v.load(tmp_path / "items.npz")
    assert loaded.index_to_key == wv.index_to_key and isinstance(loaded.index_to_key[0], int)
    np.testing.assert_array_equal(loaded.vectors, wv.vectors)
    wv.save(tmp_path / "items.txt")
    assert w2v.load(tmp_path / "items.txt").index_to_key == [str(key) for key in wv.index_to_key]


def test_item_ids_are_keys_never_row_numbers_and_new_items_are_ids():
    wv = w2v.WordVectors(np.eye(3, dtype=np.float32), [100, 7, 2])
    assert np.array_equal(wv[2], wv.vectors[2]) and np.array_equal(wv[7], wv.vectors[1])
    with pytest.raises(w2v.errors.UnknownWordError):
        wv[1]  # a row number of word vectors, but no item here
    wv.add_vectors([5], np.ones((1, 3)))
    assert wv.index_to_key[-1] == 5 and np.array_equal(wv[5], np.ones(3))
    with pytest.raises(TypeError, match="item ids"):
        wv.add_vectors(["five"], np.ones((1, 3)))


def test_min_count_applies_to_items_when_given():
    sessions = [np.array([1, 2, 3, 1, 2, 4, 5, 6, 7, 8, 1, 2])] * 3
    wv = w2v.train(sessions, min_count=4, epochs=1, vector_size=4, negative=1, workers=1)
    assert sorted(wv.index_to_key) == [1, 2]
