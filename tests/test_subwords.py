"""Subword vectors: fastText's n-grams and hashing, training with them, and vectors for words never seen."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import w2v
from w2v.errors import ConfigError, ModelFileError, UnknownWordError
from w2v.text.subwords import Subwords
from w2v.vectors.subword_vectors import compose, ngram_means, own_rows

from conftest import planted_sentences

WORDS = ["where", "ñandú", "東京", "a", "naïve", "x" * 30, "日本語のテキスト", "Ünïcødé", "the", "cat"]


def test_ngrams_are_the_marked_words_character_ngrams():
    assert Subwords(3, 3, 10).ngrams("where") == ["<wh", "whe", "her", "ere", "re>"]
    assert Subwords(1, 2, 10).ngrams("東京") == ["<東", "東", "東京", "京", "京>"]  # never "<" or ">" alone
    assert Subwords(3, 6, 10).ngrams("</s>") == []  # fastText's end of line has none


def test_rows_are_the_word_then_its_ngram_buckets_in_order():
    spec = Subwords(2, 4, 1000)
    offsets, rows = spec.rows(WORDS, len(WORDS))
    for i, word in enumerate(WORDS):
        ngrams = spec.ngrams(word)
        assert rows[offsets[i]] == i and offsets[i + 1] - offsets[i] == 1 + len(ngrams)
    outside, outside_rows = spec.rows(["unseen"], 7, own_rows=False)
    assert outside_rows.size == len(spec.ngrams("unseen")) and outside_rows.min() >= 7


def test_bucket_rows_equal_gensims_port_of_fasttexts_hash_on_non_ascii_words():
    """gensim's ``ft_ngram_hashes`` reproduces Facebook's hashing (sign-extended bytes included); the
    fastText wheel's own ``get_subwords`` is compared on a model file in test_fasttext_format."""
    from gensim.models.fasttext import ft_ngram_hashes

    for minn, maxn in [(3, 6), (2, 5), (1, 3)]:
        spec = Subwords(minn, maxn, 2_000_000)
        offsets, rows = spec.rows(WORDS, 0, own_rows=False)
        for i, word in enumerate(WORDS):
            assert rows[offsets[i]:offsets[i + 1]].tolist() == ft_ngram_hashes(word, minn, maxn, 2_000_000), word


def test_composing_and_undoing_it():
    spec = Subwords(2, 3, 11)
    rng = np.random.default_rng(1)
    own, ngrams = rng.standard_normal((len(WORDS), 4)).astype(np.float32), rng.standard_normal((11, 4)).astype(
        np.float32)
    offsets, rows = spec.rows(WORDS, len(WORDS))
    matrix = np.concatenate([own, ngrams])
    vectors = compose(own, ngrams, spec, WORDS)
    for i in range(len(WORDS)):
        np.testing.assert_allclose(vectors[i], matrix[rows[offsets[i]:offsets[i + 1]]].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(own_rows(vectors, ngrams, spec, WORDS), own, rtol=1e-4, atol=1e-5)
    outside, has = ngram_means(ngrams, spec, ["zzz", ""])
    np.testing.assert_allclose(outside[0], ngrams[spec.rows(["zzz"], 0, own_rows=False)[1]].mean(axis=0), rtol=1e-5)
    assert has.tolist() == [True, True]  # even "" has "<>"


def _trained(**options):
    sentences = planted_sentences(1500)
    return w2v.train(w2v.text.corpus.corpus_from_sentences(sentences), **(dict(
        subwords=(2, 3), buckets=997, vector_size=16, epochs=3, seed=1, workers=1, min_count=1, sample=1e-3) | options))


@pytest.mark.parametrize("options", [dict(model="cbow"), dict(model="skipgram"), dict(model="skipgram", kernel="plain"),
                                     dict(model="cbow", hs=True, negative=0), dict(model="skipgram", hs=True),
                                     dict(algorithm="reference", epochs=2, batch_size=32, sample=None)],
                         ids=["cbow", "skipgram", "skipgram-plain", "cbow-hs", "skipgram-hs-ns", "reference"])
def test_training_with_subwords_learns_the_planted_groups_and_gives_unseen_words_vectors(options):
    wv = _trained(**options)
    assert wv.subwords == Subwords(2, 3, 997) and wv.ngram_vectors.shape == (997, 16)
    log = wv.record.log
    assert log.epoch_losses[-1] < log.epoch_losses[0]
    a, b = wv.vectors[[wv.index(f"a{i}") for i in range(10)]], wv.vectors[[wv.index(f"b{i}") for i in range(10)]]
    within = np.mean([wv.similarity("a0", f"a{i}") for i in range(1, 10)])
    across = np.mean([wv.similarity("a0", f"b{i}") for i in range(10)])
    assert within > across, (within, across)
    assert np.isfinite(a).all() and np.isfinite(b).all()
    unseen = wv["a10"]  # "<a", "a1", ... are "a" words' n-grams
    assert unseen.shape == (16,) and np.isfinite(unseen).all()
    assert wv.most_similar("a10", topn=3)


def test_queries_take_words_outside_the_vocabulary(tmp_path):
    wv = _trained()
    assert "a10" not in wv  # membership is the vocabulary's
    np.testing.assert_allclose(wv.get_mean_vector(["a10"], pre_normalize=False), wv["a10"], rtol=1e-6)
    assert wv.similarity("a10", "a10") == pytest.approx(1.0, abs=1e-6)
    assert len(wv.analogy("a1", "a2", "b10", topn=2)) == 2
    sentences = w2v.SentenceEncoder(wv, "mean").fit(["a1 a2", "b1 b2"]).transform(["a10 a11", "zzzz"])
    assert sentences.shape == (2, 16) and np.abs(sentences).sum(axis=1).min() > 0
    spec = Subwords(5, 6, 997)
    short = w2v.WordVectors(wv.vectors, wv.index_to_key, subwords=spec, ngram_vectors=wv.ngram_vectors)
    with pytest.raises(UnknownWordError, match="no character n-gram of the model's either"):
        short["ab"]  # "<ab>" is shorter than 5 characters


def test_a_subword_model_is_saved_and_loaded_with_its_ngrams(tmp_path):
    wv = _trained()
    wv.save(tmp_path / "m.npz")
    for mmap in (False, True):
        back = w2v.load(tmp_path / "m.npz", mmap=mmap)
        assert back.subwords == wv.subwords
        np.testing.assert_array_equal(back["a10"], wv["a10"])
    wv.save(tmp_path / "m.txt")
    assert w2v.load(tmp_path / "m.txt").subwords is None  # word2vec's text holds the word vectors alone
    stored = wv.to_stored()
    stored.extra_arrays["ngram_vectors"] = stored.extra_arrays["ngram_vectors"][:5]
    w2v.io.write_vectors(stored, tmp_path / "bad.npz")
    with pytest.raises(ModelFileError, match="do not fit its subwords"):
        w2v.load(tmp_path / "bad.npz")


@pytest.mark.parametrize("options, message", [
    (dict(subwords=(4, 3)), "minn"), (dict(subwords=(0, 3)), "minn"), (dict(subwords=(3,)), "minn, maxn"),
    (dict(subwords=(3, 6), buckets=0), "buckets"),
])
def test_bad_subword_options_are_refused(options, message):
    with pytest.raises((ConfigError, w2v.errors.W2VError), match=message):
        _trained(**options)


def test_the_command_line_trains_subwords_and_answers_unseen_words(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(" ".join(s) for s in planted_sentences(1500)) + "\n")
    run = [sys.executable, "-m", "w2v"]
    trained = subprocess.run([*run, "train", corpus, "-o", tmp_path / "m.npz", "--subwords", "2", "3", "--buckets",
                              "997", "--min-count", "1", "--epochs", "1", "--vector-size", "8", "--quiet"],
                             capture_output=True, text=True)
    assert trained.returncode == 0, trained.stderr
    similar = subprocess.run([*run, "similar", tmp_path / "m.npz", "a10"], capture_output=True, text=True)
    assert similar.returncode == 0 and "nearest to 'a10'" in similar.stdout, similar.stderr
    unknown = subprocess.run([*run, "similar", tmp_path / "m.npz", "a"], capture_output=True, text=True)
    assert unknown.returncode == 0  # "<a>" has n-grams of 2 and 3 characters


def test_a_subword_model_written_as_fasttext_bin_gives_fasttext_and_gensim_the_same_vectors(tmp_path):
    fasttext = pytest.importorskip("fasttext")
    from gensim.models.fasttext import load_facebook_vectors

    wv = _trained()
    wv.save(tmp_path / "m.bin", format="fasttext")
    model, gensim = fasttext.load_model(str(tmp_path / "m.bin")), load_facebook_vectors(str(tmp_path / "m.bin"))
    for word in ["a0", "b3", "a10", "zz9"]:  # two in the vocabulary, two outside it
        np.testing.assert_allclose(model.get_word_vector(word), wv[word], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(gensim[word], wv[word], rtol=1e-4, atol=1e-6)
    back = w2v.load(tmp_path / "m.bin")
    assert back.subwords == wv.subwords
    np.testing.assert_allclose(back.vectors, wv.vectors, rtol=1e-4, atol=1e-6)
    plain = w2v.WordVectors(wv.vectors, wv.index_to_key)
    with pytest.raises(w2v.errors.W2VError, match="own rows"):
        plain.save(tmp_path / "p.bin", format="fasttext")


MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")


@pytest.mark.skipif(MPIEXEC is None, reason="needs mpiexec and mpi4py: pip install 'w2v[mpi]'")
def test_subwords_train_over_mpi_and_one_rank_is_the_single_process_run(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(" ".join(s) for s in planted_sentences(1500)) + "\n")
    options = ["--subwords", "2", "3", "--buckets", "97", "--min-count", "1", "--vector-size", "8", "--epochs", "1",
               "--workers", "1", "--seed", "3", "--quiet"]
    single = w2v.train(corpus, subwords=(2, 3), buckets=97, min_count=1, vector_size=8, epochs=1, workers=1, seed=3)
    for ranks in (1, 2):
        run = subprocess.run([MPIEXEC, "-n", str(ranks), sys.executable, "-m", "mpi4py", "-m", "w2v", "train", corpus,
                              "-o", tmp_path / f"d{ranks}.npz", "--distributed", *options],
                             capture_output=True, text=True, timeout=240)
        assert run.returncode == 0, run.stderr
    np.testing.assert_array_equal(w2v.load(tmp_path / "d1.npz")["a10"], single["a10"])
    assert w2v.load(tmp_path / "d2.npz").subwords == single.subwords
