import hashlib

import numpy as np
import pytest

from w2v.datasets import fetch, ptb
from w2v.errors import DataError

from conftest import ptb_dir, requires_ptb


def book_load_data(path):
    """The book's dataset/ptb.py load_data, written out."""
    words = open(path).read().replace("\n", "<eos>").strip().split()
    word_to_id, id_to_word = {}, {}
    for word in words:
        if word not in word_to_id:
            word_to_id[word] = len(word_to_id)
            id_to_word[word_to_id[word]] = word
    return np.array([word_to_id[w] for w in words]), word_to_id, id_to_word


@requires_ptb
def test_train_split_matches_the_book():
    corpus = ptb.load("train", order="book")
    book_corpus, word_to_id, id_to_word = book_load_data(ptb_dir() / "ptb" / "ptb.train.txt")
    np.testing.assert_array_equal(corpus.ids, book_corpus)
    assert corpus.vocab.words == [id_to_word[i] for i in range(len(id_to_word))]
    assert corpus.vocab.word_to_id == word_to_id
    assert len(corpus.vocab) == 10000 and len(corpus) == 929589
    assert corpus.ids.dtype == np.int32
    np.testing.assert_array_equal(corpus.vocab.counts, np.bincount(book_corpus))


@requires_ptb
def test_ids_go_by_frequency_ties_in_the_books_order():
    book, corpus = ptb.load("train", order="book"), ptb.load("train")
    counts = corpus.vocab.counts
    assert np.all(counts[:-1] >= counts[1:])
    assert corpus.vocab.words[:3] == ["the", "<unk>", "<eos>"]
    book_id = {word: i for i, word in enumerate(book.vocab.words)}
    for a, b in zip(corpus.vocab.words[:-1], corpus.vocab.words[1:]):
        assert corpus.vocab.counts[corpus.vocab.word_to_id[a]] > corpus.vocab.counts[corpus.vocab.word_to_id[b]] \
            or book_id[a] < book_id[b]
    same_words = [corpus.vocab.words[i] for i in corpus.ids[:1000]] == [book.vocab.words[i] for i in book.ids[:1000]]
    assert same_words and ptb.book_words() == book.vocab.words


@requires_ptb
@pytest.mark.parametrize("split, size", [("valid", 73760), ("test", 82430)])
def test_other_splits_use_the_train_vocabulary(split, size):
    corpus = ptb.load(split)
    assert len(corpus) == size
    assert corpus.vocab is ptb.load("train").vocab
    words = (ptb_dir() / "ptb" / f"ptb.{split}.txt").read_text().replace("\n", "<eos>").strip().split()
    assert [corpus.vocab.words[i] for i in corpus.ids[:50]] == words[:50]


def test_unknown_split_and_order():
    with pytest.raises(Exception, match="splits train, valid and test"):
        ptb.load("dev")
    with pytest.raises(Exception, match="frequency or as the book"):
        ptb.load("train", order="alphabetical")


@requires_ptb
def test_hierarchical_softmax_trains_on_ptb_and_its_book_pickle_has_the_books_ids(tmp_path):
    import pickle

    import w2v

    part = ptb.load("train")
    wv = w2v.train("ptb", hs=True, negative=0, epochs=1, vector_size=16, workers=1, seed=1, loss_every=10_000)
    assert wv.index_to_key == part.vocab.words and np.isfinite(wv.record.log.final_loss)
    path = tmp_path / "cbow_params.pkl"
    wv.save(path)
    with open(path, "rb") as handle:  # our own file, just written: the book's reader does the same
        params = pickle.load(handle)
    _, word_to_id, id_to_word = book_load_data(ptb_dir() / "ptb" / "ptb.train.txt")
    assert params["word_to_id"] == word_to_id and params["id_to_word"] == id_to_word
    for word in ("the", "you", "market"):
        np.testing.assert_array_equal(params["word_vecs"][word_to_id[word]], wv[word].astype(np.float16))


def _remote(tmp_path, content: bytes, relpath="x/file.txt"):
    source = tmp_path / "source.txt"
    source.write_bytes(content)
    return fetch.RemoteFile(relpath, source.as_uri(), hashlib.sha256(content).hexdigest())


def test_download_verifies_and_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("W2V_DATA_DIR", raising=False)
    remote = _remote(tmp_path, b"hello world\n")
    path = fetch.locate(remote)
    assert path == tmp_path / "cache" / "x" / "file.txt" and path.read_bytes() == b"hello world\n"
    (tmp_path / "source.txt").unlink()
    assert fetch.locate(remote) == path  # from the cache, no download


def test_wrong_checksum_is_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("W2V_DATA_DIR", raising=False)
    remote = _remote(tmp_path, b"tampered\n")
    remote = fetch.RemoteFile(remote.relpath, remote.url, "0" * 64)
    with pytest.raises(DataError, match="sha256"):
        fetch.locate(remote)
    assert not any((tmp_path / "cache").rglob("*file*"))


def test_no_network_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path / "empty"))
    remote = fetch.RemoteFile("ptb/ptb.train.txt", "http://127.0.0.1:9/ptb.train.txt", "0" * 64)
    with pytest.raises(DataError, match="W2V_DATA_DIR") as err:
        fetch.locate(remote)
    assert "download" in str(err.value)


def test_data_dir_file_with_a_wrong_checksum_is_refused(tmp_path, monkeypatch):
    (tmp_path / "data" / "x").mkdir(parents=True)
    (tmp_path / "data" / "x" / "file.txt").write_bytes(b"edited")
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path / "data"))
    remote = _remote(tmp_path, b"original")
    with pytest.raises(DataError, match="checksum mismatch"):
        fetch.locate(remote)
