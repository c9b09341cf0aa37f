"""WordVectors' queries give gensim's KeyedVectors answers on the same vectors; analogies give evaluate's."""

import numpy as np
import pytest
from gensim.models import KeyedVectors

from w2v import WordVectors, evaluate
from w2v.errors import UnknownWordError

V, D, RESTRICT = 300, 16, 120


def _pair(words, vectors):
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors)
    return WordVectors(vectors, words), kv


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((V, D)).astype(np.float32)
    vectors[::7] *= 3  # lengths differ, so whether a query uses unit vectors shows
    return _pair([f"w{i}" for i in range(V)], vectors)


def assert_same(ours, theirs):
    assert [word for word, _ in ours] == [word for word, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5, atol=1e-6)


def queries(wv):
    return [
        {"positive": "w3"},
        {"positive": ["w3", "w10"], "negative": ["w5"]},
        {"positive": [("w3", 2.0), "w10"], "negative": [("w5", -0.5), "w6"]},
        {"negative": ["w8"]},
        {"positive": ["w150", "w4"]},  # w150 lies beyond restrict_vocab: excluded all the same
        {"positive": [wv["w3"] * 0.5, "w10"]},  # a vector, used as given
        {"positive": [(wv["w9"], 0.3), "w12"], "negative": ["w13"]},
    ]


@pytest.mark.parametrize("restrict_vocab", [None, RESTRICT])
@pytest.mark.parametrize("topn", [1, 10, V + 5])
def test_most_similar_equals_gensim(pair, restrict_vocab, topn):
    wv, kv = pair
    for query in queries(wv):
        assert_same(wv.most_similar(**query, topn=topn, restrict_vocab=restrict_vocab),
                    kv.most_similar(**query, topn=topn, restrict_vocab=restrict_vocab))


@pytest.mark.parametrize("restrict_vocab", [None, RESTRICT])
def test_topn_none_gives_every_score_as_gensim(pair, restrict_vocab):
    wv, kv = pair
    for query in queries(wv):
        ours = wv.most_similar(**query, topn=None, restrict_vocab=restrict_vocab)
        assert ours.shape == (restrict_vocab or V,) and ours.dtype == np.float32
        np.testing.assert_allclose(ours, kv.most_similar(**query, topn=None, restrict_vocab=restrict_vocab),
                                   rtol=1e-5, atol=1e-6)


def test_a_batch_equals_its_queries_one_by_one(pair):
    wv, _ = pair
    asked = queries(wv)
    batch = wv.most_similar_batch([q.get("positive") for q in asked], [q.get("negative") for q in asked], topn=7)
    for ours, query in zip(batch, asked):  # a matrix-matrix product: the same words, scores to float32 rounding
        assert_same(ours, wv.most_similar(**query, topn=7))
    scores = wv.most_similar_batch(["w1", "w2"], topn=None, restrict_vocab=RESTRICT)
    assert scores.shape == (2, RESTRICT)


def test_the_books_call_is_gensims_positive_word(pair):
    wv, _ = pair
    assert wv.most_similar("w3", topn=4) == wv.most_similar(positive=["w3"], topn=4)
    assert len(wv.most_similar("w3")) == 10  # gensim's default topn


def test_most_similar_cosmul_equals_gensim(pair):
    wv, kv = pair
    for query in [{"positive": ["w3", "w10"], "negative": ["w5"]}, {"positive": "w3"},
                  {"positive": ["w3", "w4", "w20"], "negative": ["w5", "w6"]},
                  {"positive": [wv["w3"] / np.linalg.norm(wv["w3"]), "w10"], "negative": ["w5"]}]:
        assert_same(wv.most_similar_cosmul(**query, topn=10), kv.most_similar_cosmul(**query, topn=10))
        np.testing.assert_allclose(wv.most_similar_cosmul(**query, topn=None),
                                   kv.most_similar_cosmul(**query, topn=None), rtol=1e-5)


def test_most_similar_cosmul_restricted_equals_gensim_on_the_first_words(pair):
    # gensim 4.4 ignores restrict_vocab in most_similar_cosmul; searching the first R words is
    # what it means, which gensim computes on vectors holding only those.
    wv, _ = pair
    _, first = _pair(wv.index_to_key[:RESTRICT], wv.vectors[:RESTRICT])
    query = {"positive": ["w3", "w10"], "negative": ["w5"]}
    assert_same(wv.most_similar_cosmul(**query, restrict_vocab=RESTRICT), first.most_similar_cosmul(**query))


def test_similar_by_vector_one_and_many(pair):
    wv, kv = pair
    vector = wv["w3"] + wv["w4"]
    assert_same(wv.similar_by_vector(vector, topn=5), kv.similar_by_vector(vector, topn=5))
    assert_same(wv.similar_by_vector(vector, restrict_vocab=RESTRICT),
                kv.similar_by_vector(vector, restrict_vocab=RESTRICT))
    many = wv.similar_by_vector(np.stack([vector, wv["w7"]]), topn=3)
    assert_same(many[0], wv.similar_by_vector(vector, topn=3))
    assert_same(many[1], wv.similar_by_vector(wv["w7"], topn=3))
    assert many[1][0][0] == "w7"  # nothing is excluded


def test_doesnt_match_n_similarity_distances_rank_and_closer_than_equal_gensim(pair):
    wv, kv = pair
    rng = np.random.default_rng(3)
    for _ in range(20):
        words = [f"w{i}" for i in rng.choice(V, size=6, replace=False)]
        assert wv.doesnt_match(words) == kv.doesnt_match(words)
        assert wv.n_similarity(words[:2], words[2:]) == pytest.approx(kv.n_similarity(words[:2], words[2:]), abs=1e-6)
        assert wv.rank(words[0], words[1]) == kv.rank(words[0], words[1])
        assert wv.closer_than(words[0], words[1]) == kv.closer_than(words[0], words[1])
        np.testing.assert_allclose(wv.distances(words[0], words[1:]), kv.distances(words[0], words[1:]), atol=1e-6)
    np.testing.assert_allclose(wv.distances("w3"), kv.distances("w3"), atol=1e-6)
    vector = wv["w3"] - wv["w8"]
    np.testing.assert_allclose(wv.distances(vector, ["w1", "w2"]), kv.distances(vector, ["w1", "w2"]), atol=1e-6)
    assert wv.distances("w3").shape == (V,) and wv.distances("w3")[3] == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("pre_normalize", [True, False])
@pytest.mark.parametrize("post_normalize", [True, False])
def test_get_mean_vector_equals_gensim(pair, pre_normalize, post_normalize):
    wv, kv = pair
    for keys, weights in [(["w1", "w2", "w3"], None), (["w1", wv["w9"], "w3"], [0.5, -2.0, 1.0]),
                          (["w1", "zebra"], None)]:
        ours = wv.get_mean_vector(keys, weights, pre_normalize, post_normalize)
        assert ours.dtype == np.float32 and ours.shape == (D,)
        np.testing.assert_allclose(ours, kv.get_mean_vector(keys, weights, pre_normalize, post_normalize),
                                   rtol=1e-5, atol=1e-6)
    with pytest.raises(UnknownWordError, match="'zebra' is not in the vocabulary"):
        wv.get_mean_vector(["w1", "zebra"], ignore_missing=False)
    assert not wv.get_mean_vector(["zebra"]).any()  # nothing used: gensim's zero vector
    with pytest.raises(ValueError, match="weights has shape"):
        wv.get_mean_vector(["w1", "w2"], [1.0])


def test_unknown_words_are_all_named_or_skipped_on_request(pair):
    wv, _ = pair
    with pytest.raises(UnknownWordError, match="'zebra', 'yak' are not in the vocabulary") as info:
        wv.most_similar(positive=["w1", "zebra"], negative=["yak"])
    assert info.value.words == ("zebra", "yak") and isinstance(info.value, KeyError)
    assert wv.most_similar(positive=["w1", "zebra"], negative=["yak"], ignore_missing=True) == wv.most_similar("w1")
    with pytest.raises(UnknownWordError, match="'zebra'"):  # nothing left to ask
        wv.most_similar(positive=["zebra"], ignore_missing=True)
    for query in (lambda: wv.most_similar_cosmul(["w1"], ["zebra"]), lambda: wv.doesnt_match(["w1", "w2", "zebra"]),
                  lambda: wv.n_similarity(["w1"], ["zebra"]), lambda: wv.distances("w1", ["zebra"]),
                  lambda: wv.rank("zebra", "w1"), lambda: wv.analogy("w1", "zebra", "w2")):
        with pytest.raises(UnknownWordError, match="'zebra'"):
            query()
    assert wv.doesnt_match(["w1", "w2", "w3", "zebra"], ignore_missing=True) == wv.doesnt_match(["w1", "w2", "w3"])
    assert wv.most_similar_cosmul(["w1"], ["zebra"], ignore_missing=True) == wv.most_similar_cosmul(["w1"])
    with pytest.raises(UnknownWordError, match="'zebra'"):
        wv.n_similarity(["w1"], ["zebra"], ignore_missing=True)


def test_bad_arguments_say_what_is_wrong(pair):
    wv, _ = pair
    with pytest.raises(TypeError, match="3.5 is not a word, a vector or a"):
        wv.most_similar(positive=[3.5])
    with pytest.raises(ValueError, match="at least one positive or negative"):
        wv.most_similar()
    with pytest.raises(ValueError, match=r"shape \(16,\)"):
        wv.most_similar(positive=[np.zeros(3)])
    with pytest.raises(ValueError, match="topn must be an integer of at least 0 or None"):
        wv.most_similar("w1", topn=-1)
    with pytest.raises(ValueError, match="restrict_vocab"):
        wv.most_similar("w1", restrict_vocab=0)
    with pytest.raises(TypeError, match="not one string"):
        wv.doesnt_match("w1 w2")
    with pytest.raises(TypeError, match="takes words and vectors"):
        wv.most_similar_cosmul([("w1", 2.0)])
    with pytest.raises(ValueError, match="at least one positive"):
        wv.most_similar_cosmul(negative=["w1"])
    with pytest.raises(TypeError, match="a list of queries"):
        wv.most_similar_batch("w1")


# ---------------------------------------------------------------- analogies: the code evaluate scores with


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul", "book"])
def test_analogy_gives_the_answers_evaluate_counts(pair, tmp_path, method):
    wv, _ = pair
    rng = np.random.default_rng(11)
    questions = [[f"w{i}" for i in rng.choice(RESTRICT, size=3, replace=False)] for _ in range(40)]
    answers = [wv.analogy(*q, topn=1, method=method, restrict_vocab=RESTRICT)[0][0] for q in questions]
    path = tmp_path / "questions.txt"
    path.write_text(": right\n" + "".join(f"{' '.join(q)} {d}\n" for q, d in zip(questions, answers))
                    + ": wrong\n" + "".join(f"{' '.join(q)} {q[0]}\n" for q in questions))
    right, wrong = evaluate.analogies(wv, path, method=method, restrict_vocab=RESTRICT, case_insensitive=False).sections
    assert (right.correct, right.total, wrong.correct) == (40, 40, 0)


def test_analogy_3cosadd_is_gensims_most_similar_and_book_stays_the_book(pair):
    wv, kv = pair
    assert_same(wv.analogy("w1", "w2", "w3", topn=5, method="3cosadd"),
                kv.most_similar(positive=["w2", "w3"], negative=["w1"], topn=5))
    book = wv.analogy("w1", "w2", "w3", topn=5)  # the default: b - a + c of the vectors as trained
    nearest = kv.similar_by_vector(wv["w2"] - wv["w1"] + wv["w3"], topn=8)
    assert_same(book, [(word, score) for word, score in nearest if word not in ("w1", "w2", "w3")][:5])
    with pytest.raises(ValueError, match="method must be one of book, 3cosadd, 3cosmul"):
        wv.analogy("w1", "w2", "w3", method="3cosavg")
