"""Continuing a model: the weights a model keeps, vocabulary growth, frozen rows, alignment and drift."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import w2v
from w2v.cli import main
from w2v.errors import ConfigError, ModelFileError
from w2v.text.corpus import corpus_from_sentences, grown_corpus
from w2v.text.huffman import huffman_tree
from w2v.text.vocab import Vocab
from w2v.vectors.align import align, drift, rotation
from w2v.vectors.word_vectors import WordVectors

OLD = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "the mat and the log"] * 30
NEW = ["the cat saw a bird", "a bird sat on the dog", "the bird and the fox", "a fox saw the cat"] * 30


@pytest.fixture
def texts(tmp_path):
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("\n".join(OLD) + "\n")
    new.write_text("\n".join(NEW) + "\n")
    return old, new


def _train(path, **options):
    return w2v.train(str(path), **{"vector_size": 16, "epochs": 2, "min_count": 1, "workers": 1, "seed": 3,
                                   "negative": 3, "sample": 0, **options})


def test_npz_keeps_the_output_weights_and_can_leave_them_out(texts, tmp_path):
    old = _train(texts[0], hs=True)
    assert old.W_out.shape == old.vectors.shape and old.W_node.shape == (len(old) - 1, 16)
    old.save(tmp_path / "m.npz")
    back = w2v.load(tmp_path / "m.npz")
    assert np.array_equal(back.W_out, old.W_out) and np.array_equal(back.W_node, old.W_node)
    old.save(tmp_path / "small.npz", output_weights=False)
    small = w2v.load(tmp_path / "small.npz")
    assert small.W_out is None and small.W_node is None and np.array_equal(small.vectors, old.vectors)
    assert (tmp_path / "small.npz").stat().st_size < (tmp_path / "m.npz").stat().st_size
    assert w2v.load(tmp_path / "m.npz", limit=3).W_out.shape == (3, 16)


def test_no_new_text_trained_is_the_old_model(texts):
    old = _train(texts[0])
    same = _train(texts[1], init=old, epochs=0)
    V0 = len(old)
    assert same.index_to_key[:V0] == old.index_to_key
    assert np.array_equal(same.vectors[:V0], old.vectors) and np.array_equal(same.W_out[:V0], old.W_out)
    assert not same.W_out[V0:].any()  # new words' output rows start as a fresh run's: zeros
    assert same.record.config.epochs == 0


def test_new_words_get_rows_and_old_ids_stay(texts):
    old = _train(texts[0])
    grown = _train(texts[1], init=old)
    V0 = len(old)
    assert grown.index_to_key[:V0] == old.index_to_key
    assert set(grown.index_to_key[V0:]) == {"saw", "bird", "fox"}
    cat = old.key_to_index["cat"]
    assert grown.counts[cat] == old.counts[cat] + sum(s.split().count("cat") for s in NEW)
    assert grown.record.config.vector_size == 16 and grown.record.config.negative == 3  # the model's options


def test_min_count_applies_to_the_new_counts_or_old_plus_new(texts, tmp_path):
    corpus = corpus_from_sentences([s.split() for s in NEW[:4]] + [["rare", "the"]])
    old = Vocab(["the", "cat", "a"], [50, 10, 20])
    grown, new = grown_corpus(corpus, old, min_count=2)
    assert "rare" not in grown.vocab and new == 3  # saw, bird and fox: seen twice or more
    earlier = Vocab(["rare"], [4])
    grown, _ = grown_corpus(corpus, old, min_count=2, earlier=earlier)
    assert "rare" in grown.vocab and grown.vocab.counts[grown.vocab.word_to_id["rare"]] == 5


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
@pytest.mark.parametrize("kernel", ["batched", "plain"])
@pytest.mark.parametrize("workers", [1, 2])
def test_freeze_old_keeps_the_old_rows_bit_identical(texts, model, kernel, workers):
    old = _train(texts[0], model=model, kernel=kernel, hs=True)
    grown = _train(texts[1], init=old, freeze=("old",), model=model, kernel=kernel, hs=True, workers=workers)
    V0 = len(old)
    assert grown.vectors[:V0].tobytes() == old.vectors.tobytes()
    assert grown.W_out[:V0].tobytes() == old.W_out.tobytes()
    assert np.abs(grown.vectors[V0:]).sum() > 0 and grown.W_out[V0:].any()  # the new words trained


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
def test_freeze_out_keeps_the_output_matrix(texts, model):
    old = _train(texts[0], model=model, workers=2)
    grown = _train(texts[1], init=old, freeze=("out",), model=model, workers=2)
    V0 = len(old)
    assert grown.W_out[:V0].tobytes() == old.W_out.tobytes() and not grown.W_out[V0:].any()
    assert not np.array_equal(grown.vectors[:V0], old.vectors)  # the input rows still train


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
def test_freeze_out_keeps_w_node_where_the_tree_stays(texts, model):
    old = _train(texts[0], model=model, hs=True, negative=0)
    again = _train(texts[0], init=old, freeze=("out",), model=model, negative=0)  # counts double: the same tree
    assert again.W_node.tobytes() == old.W_node.tobytes() and again.W_out is None
    assert not np.array_equal(again.vectors, old.vectors)
    with pytest.warns(UserWarning, match="Huffman tree"), pytest.raises(ConfigError, match="another Huffman tree"):
        _train(texts[1], init=old, freeze=("out",), model=model, negative=0)


def test_reference_algorithm_freezes_too(texts):
    old = w2v.train(str(texts[0]), algorithm="reference", vector_size=8, epochs=1, min_count=1, batch_size=10, window=2,
                    seed=1, negative=3)
    grown = w2v.train(str(texts[1]), algorithm="reference", init=old, freeze=("old",), batch_size=10, seed=2)
    V0 = len(old)
    assert grown.vectors[:V0].tobytes() == old.vectors.tobytes() and grown.W_out[:V0].tobytes() == old.W_out.tobytes()


def test_unsorted_counts_give_each_word_its_path():
    counts = np.array([5, 40, 3, 20, 1])
    tree, ranked = huffman_tree(counts), huffman_tree(np.sort(counts)[::-1])
    order = np.argsort(-counts, kind="stable")
    assert np.array_equal(tree.lengths[order], ranked.lengths) and np.array_equal(tree.codes[order], ranked.codes)


def test_alignment_recovers_a_known_rotation():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((200, 10)).astype(np.float32)
    Q, _ = np.linalg.qr(rng.standard_normal((10, 10)))
    words = [f"w{i}" for i in range(200)]
    old = WordVectors(vectors, words)
    new = WordVectors(vectors @ Q.T.astype(np.float32), words, W_out=vectors @ Q.T.astype(np.float32))
    assert np.allclose(rotation(new.vectors, old.vectors), Q, atol=1e-5)
    aligned = align(old, new)
    assert np.allclose(aligned.vectors, vectors, atol=1e-4) and np.allclose(aligned.W_out, vectors, atol=1e-4)


def test_drift_names_the_word_that_moved():
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((100, 12)).astype(np.float32)
    moved = vectors.copy()
    moved[7] = vectors[50] + 0.01  # word 7 now sits beside word 50
    words = [f"w{i}" for i in range(100)]
    found = drift(WordVectors(vectors, words), WordVectors(moved, words), topn=5, count=3)
    assert found[0].word == "w7" and found[0].changed > 0.5 and found[0].new_neighbours[0] == "w50"


def test_bad_input_gets_one_clear_line(texts, tmp_path, capsys):
    old = _train(texts[0])
    old.save(tmp_path / "m.npz")
    old.save(tmp_path / "bare.npz", output_weights=False)
    with pytest.raises(ModelFileError, match="has no W_out"):
        _train(texts[1], init=tmp_path / "bare.npz")
    with pytest.raises(ConfigError, match="vector_size=32 differs"):
        _train(texts[1], init=old, vector_size=32)
    with pytest.raises(ConfigError, match="model='skipgram' differs"):
        _train(texts[1], init=old, model="skipgram")
    with pytest.raises(ConfigError, match="give init"):
        _train(texts[1], freeze=("old",))
    subwords = _train(texts[0], subwords=(3, 4), buckets=100)
    with pytest.raises(ConfigError, match="subword model cannot be continued"):
        _train(texts[1], init=subwords)
    for argv in (["train", str(texts[1]), "--init", str(tmp_path / "bare.npz"), "-o", str(tmp_path / "x.npz")],
                 ["train", str(texts[1]), "--init", str(tmp_path / "m.npz"), "--vector-size", "8", "-o",
                  str(tmp_path / "x.npz")],
                 ["align", str(tmp_path / "m.npz"), str(tmp_path / "nothing.npz"), "-o", str(tmp_path / "a.npz")]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_continues_aligns_and_reports_drift(texts, tmp_path, capsys):
    model, grown, aligned = tmp_path / "m.npz", tmp_path / "g.npz", tmp_path / "al.txt"
    assert main(["train", str(texts[0]), "-o", str(model), "--vector-size", "8", "--min-count", "1", "--epochs",
                 "2", "--quiet"]) == 0
    assert main(["train", str(texts[1]), "--init", str(model), "-o", str(grown), "--freeze", "old", "--quiet"]) == 0
    assert "3 new words, old frozen" in capsys.readouterr().out
    assert main(["align", str(model), str(grown), "-o", str(aligned)]) == 0
    assert len(w2v.load(aligned)) == len(w2v.load(grown))
    capsys.readouterr()
    assert main(["drift", str(model), str(grown), "--topn", "3", "--count", "2"]) == 0
    assert "old:" in capsys.readouterr().out


def test_the_gpu_engine_starts_from_the_model_and_refuses_to_freeze():
    from w2v.config import TrainConfig
    from w2v.fast.cuda import CudaEngine
    from w2v.training.engine import Start

    corpus = corpus_from_sentences([s.split() for s in OLD[:8]])
    cfg = TrainConfig(device="cuda", vector_size=8, window=2, negative=3, sample=0.0, epochs=1, seed=5,
                      min_count=1).resolve(corpus_is_ptb=False, cores=2, gpu_usable=False)
    V = len(corpus.vocab)
    rng = np.random.default_rng(0)
    W_in, W_out = rng.standard_normal((V - 2, 8)).astype(np.float32), rng.standard_normal((V - 2, 8)).astype(np.float32)
    engine = CudaEngine(corpus, cfg, Start(W_in, W_out))
    assert np.array_equal(engine.word_vectors()[: V - 2], W_in)
    assert np.array_equal(engine.output_weights()[0][: V - 2], W_out) and not engine.output_weights()[0][V - 2:].any()
    with pytest.raises(ConfigError, match="CPU engine"):
        CudaEngine(corpus, dataclasses.replace(cfg, freeze=("old",)), Start(W_in, W_out, frozen_in=V - 2))
