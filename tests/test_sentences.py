"""SentenceEncoder: mean, SIF, uSIF, IDF and power means equal NumPy statements of their formulas; fitting, saving,
scikit-learn."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from gensim.models import KeyedVectors

import w2v
from w2v import SentenceEncoder, WordVectors
from w2v.errors import ConfigError, CorpusError, EmptySentenceWarning, ModelFileError
from w2v.text.vocab import vocab_file_bytes

V, D = 60, 8


@pytest.fixture(scope="module")
def toy():
    """Zipf-like counts (a few frequent words, many rare ones), vectors of varied lengths, short sentences."""
    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(V)]
    counts = np.rint(20000 / np.arange(1, V + 1) ** 1.3).astype(np.int64)
    vectors = (rng.standard_normal((V, D)) * rng.uniform(0.5, 2.0, size=(V, 1))).astype(np.float32)
    probabilities = counts / counts.sum()
    sentences = [" ".join(rng.choice(words, size=rng.integers(3, 9), p=probabilities)) for _ in range(40)]
    return WordVectors(vectors, words, counts=counts), sentences


def by_formula(wv, sentences, weight, unit_vectors):
    """Each sentence's weighted mean, word by word: (1/n) sum weight(w) v_w."""
    rows = []
    for sentence in sentences:
        known = [w for w in sentence.split() if w in wv]
        total = np.zeros(D)
        for word in known:
            vector = wv[word].astype(np.float64)
            total += weight[wv.index(word)] * (vector / np.linalg.norm(vector) if unit_vectors else vector)
        rows.append(total / max(len(known), 1))
    return np.array(rows)


def remove(matrix, components, lambdas):
    out = matrix.copy()
    for u, lam in zip(components, lambdas):
        out -= lam * np.outer(out @ u, u)
    return out


def test_idf_is_the_smoothed_idf_weighted_mean_of_unit_vectors(toy):
    wv, sentences = toy
    df = np.array([sum(word in sentence.split() for sentence in sentences) for word in wv.index_to_key])
    idf = np.log((1 + len(sentences)) / (1 + df)) + 1
    encoder = SentenceEncoder(wv, "idf")
    np.testing.assert_allclose(encoder.fit_transform(sentences), by_formula(wv, sentences, idf, unit_vectors=True),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(encoder.weights_, idf, rtol=1e-6)


def test_power_means_are_the_minimum_mean_and_maximum_of_unit_vectors(toy):
    wv, sentences = toy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptySentenceWarning)
        got = SentenceEncoder(wv, "power").fit_transform(sentences + ["unknown words only"])
    assert got.shape == (len(sentences) + 1, 3 * D)
    for row, sentence in zip(got, sentences):
        unit = np.array([wv[w] / np.linalg.norm(wv[w]) for w in sentence.split()])
        np.testing.assert_allclose(row, np.concatenate([unit.min(0), unit.max(0), unit.mean(0)]), rtol=1e-5,
                                   atol=1e-6)
    assert not got[-1].any()


def test_sif_is_arora_et_al(toy):
    wv, sentences = toy
    a = 1e-3
    p = wv.counts / wv.counts.sum()
    raw = by_formula(wv, sentences, a / (a + p), unit_vectors=False)
    first = np.linalg.svd(raw)[2][:1]  # the first right singular vector, not centred
    encoder = SentenceEncoder(wv, "sif")
    np.testing.assert_allclose(encoder.fit_transform(sentences), remove(raw, first, [1.0]), rtol=1e-4, atol=1e-6)
    assert encoder.a_ == a and encoder.components_.shape == (1, D)


def test_usif_is_ethayarajh(toy):
    wv, sentences = toy
    p = wv.counts / wv.counts.sum()
    length = np.mean([len(s.split()) for s in sentences])
    threshold = 1 - (1 - 1 / V) ** length
    alpha = np.mean(p > threshold)
    assert 0 < alpha < 1
    a = (1 - alpha) / (alpha * V / 2)
    raw = by_formula(wv, sentences, a / (a / 2 + p), unit_vectors=True)
    _, singular, right = np.linalg.svd(raw)
    lambdas = singular[:5] ** 2 / np.sum(singular[:5] ** 2)
    encoder = SentenceEncoder(wv, "usif")
    np.testing.assert_allclose(encoder.fit_transform(sentences), remove(raw, right[:5], lambdas), rtol=1e-4, atol=1e-6)
    assert encoder.a_ == pytest.approx(a) and encoder.component_weights_ == pytest.approx(lambdas, rel=1e-5)


def test_mean_is_gensims_get_mean_vector(toy):
    wv, sentences = toy
    kv = KeyedVectors(D)
    kv.add_vectors(wv.index_to_key, wv.vectors)
    expected = np.array([kv.get_mean_vector(s.split() + ["unknown"]) for s in sentences])
    ours = SentenceEncoder(wv).fit_transform([s.split() + ["unknown"] for s in sentences])  # token lists work too
    assert ours.dtype == np.float32 and ours.shape == (len(sentences), D)
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("method", ["sif", "usif"])
def test_new_sentences_use_the_components_of_the_training_sentences(toy, method):
    wv, sentences = toy
    encoder = SentenceEncoder(wv, method).fit(sentences[:30])
    together = encoder.transform(sentences)
    np.testing.assert_allclose(encoder.transform(sentences[30:]), together[30:], rtol=1e-5, atol=1e-6)
    refitted = SentenceEncoder(wv, method).fit_transform(sentences[30:])
    assert not np.allclose(refitted, together[30:], atol=1e-4)  # fitted elsewhere: other components
    np.testing.assert_allclose(SentenceEncoder(wv, method).fit(sentences).transform(sentences),
                               SentenceEncoder(wv, method).fit_transform(sentences), rtol=1e-5, atol=1e-6)


def test_sentences_without_a_known_word_get_zeros_and_one_warning(toy):
    wv, sentences = toy
    encoder = SentenceEncoder(wv, "sif")
    with pytest.warns(EmptySentenceWarning, match="2 of 5 sentences have no word in the vocabulary") as caught:
        out = encoder.fit_transform(sentences[:3] + ["", "zebra yak"])
    assert len(caught) == 1
    assert not out[3:].any() and out[:3].any()
    with pytest.raises(CorpusError, match="none of the 2 sentences has a word in the vocabulary"):
        SentenceEncoder(wv).fit(["zebra", ""])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encoder.transform(sentences)  # no warning when every sentence has a known word


def test_counts_come_from_the_vectors_or_counts_and_are_required_for_sif(toy, tmp_path):
    wv, sentences = toy
    bare = WordVectors(wv.vectors, wv.index_to_key)  # as read from a word2vec file
    with pytest.raises(ConfigError, match=r"method='usif' needs word frequencies.*pass counts=") as info:
        SentenceEncoder(bare, "usif").fit(sentences)
    assert set(info.value.options) == {"counts", "method"}
    SentenceEncoder(bare).fit(sentences)  # the mean needs none
    expected = SentenceEncoder(wv, "usif").fit_transform(sentences)
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes(vocab_file_bytes(wv.index_to_key, wv.counts))
    as_dict = dict(zip(wv.index_to_key, wv.counts.tolist()))
    for counts in (wv.counts, as_dict, str(vocab), vocab, w2v.text.vocab.read_vocab_file(vocab)):
        np.testing.assert_allclose(SentenceEncoder(bare, "usif", counts=counts).fit_transform(sentences), expected,
                                   rtol=1e-5, atol=1e-6)
    rare = {word: count for word, count in as_dict.items() if word != "w59"}
    weights = SentenceEncoder(bare, "sif", counts=rare).fit(sentences).weights_
    assert weights[59] == weights[58]  # a word missing from a dict gets its smallest count
    with pytest.raises(ConfigError, match=r"counts has shape \(3,\) for 60 words"):
        SentenceEncoder(bare, "sif", counts=[1, 2, 3]).fit(sentences)
    with pytest.raises(ConfigError, match="names none of the vocabulary's words"):
        SentenceEncoder(bare, "sif", counts={"zebra": 3}).fit(sentences)


def test_parameters_are_checked_by_fit_not_init(toy):
    wv, sentences = toy
    encoder = SentenceEncoder(wv, "tfidf", a=-1)  # scikit-learn's convention: __init__ only stores
    assert encoder.get_params() == {"vectors": wv, "method": "tfidf", "counts": None, "a": -1, "n_components": None}
    with pytest.raises(ConfigError, match="method must be one of mean, sif, usif, idf, power, not 'tfidf'"):
        encoder.fit(sentences)
    with pytest.raises(ConfigError, match="a must be a positive number"):
        encoder.set_params(method="sif").fit(sentences)
    with pytest.raises(ConfigError, match=r"n_components must be an integer in 0\.\.8"):
        SentenceEncoder(wv, "sif", n_components=9).fit(sentences)
    with pytest.raises(ValueError, match="not fitted yet"):
        SentenceEncoder(wv).transform(sentences)
    with pytest.raises(TypeError, match="not one string"):
        SentenceEncoder(wv).fit("w1 w2")
    with pytest.raises(ValueError, match="no parameter 'size'"):
        encoder.set_params(size=3)
    assert SentenceEncoder(wv, "sif", n_components=3).fit(sentences).components_.shape == (3, D)
    assert SentenceEncoder(wv, "sif", a=1e-2).fit(sentences).a_ == 1e-2


@pytest.mark.parametrize("method", ["mean", "sif", "usif", "idf", "power"])
def test_an_encoder_round_trips_through_a_vectors_file(toy, tmp_path, method):
    wv, sentences = toy
    encoder = SentenceEncoder(wv, method).fit(sentences[:30])
    path = tmp_path / "encoder.npz"
    encoder.save(path)
    for mmap in (False, True):
        loaded = SentenceEncoder.load(path, mmap=mmap)
        assert (loaded.method, loaded.a_) == (method, encoder.a_)
        np.testing.assert_array_equal(loaded.transform(sentences), encoder.transform(sentences))
    as_vectors = w2v.load(path)  # still a vectors file
    assert np.array_equal(as_vectors.vectors, wv.vectors) and np.array_equal(as_vectors.counts, wv.counts)
    wv.save(tmp_path / "plain.npz")
    with pytest.raises(ModelFileError, match="holds vectors but no fitted sentence encoder"):
        SentenceEncoder.load(tmp_path / "plain.npz")
    with pytest.raises(ValueError, match="fit the SentenceEncoder before saving"):
        SentenceEncoder(wv).save(tmp_path / "unfitted.npz")
    with pytest.raises(ValueError, match="saved as a w2v .npz"):
        encoder.save(tmp_path / "encoder.txt")


def test_a_damaged_saved_encoder_is_refused(toy, tmp_path):
    wv, sentences = toy
    encoder = SentenceEncoder(wv, "sif").fit(sentences)
    encoder.components_ = encoder.components_[:, :3]  # the wrong shape for these vectors
    path = tmp_path / "bad.npz"
    encoder.save(path)
    with pytest.raises(ModelFileError, match="bad.npz: its sentence encoder is malformed"):
        SentenceEncoder.load(path)


def test_works_in_a_scikit_learn_pipeline_without_w2v_importing_it(toy):
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    wv, sentences = toy
    labels = np.arange(len(sentences)) % 2
    pipeline = make_pipeline(SentenceEncoder(wv, "sif"), LogisticRegression())
    scores = cross_val_score(pipeline, sentences, labels, cv=3)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    copy = clone(SentenceEncoder(wv, "usif", a=0.1))
    assert copy.get_params()["a"] == 0.1 and not hasattr(copy, "weights_")
    code = "import sys, w2v; w2v.SentenceEncoder; print('sklearn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
