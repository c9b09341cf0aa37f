import numpy as np
import pytest

from w2v import WordVectors
from w2v.errors import UnknownWordError


@pytest.fixture
def royal():
    # Axes: royalty, maleness, a little noise per word.
    words = ["king", "queen", "man", "woman", "apple", "prince"]
    vectors = np.array(
        [[1.0, 1.0, 0.1], [1.0, -1.0, 0.1], [0.0, 1.0, 0.0], [0.0, -1.0, 0.05], [0.1, 0.0, 1.0], [0.9, 0.9, 0.2]]
    )
    return WordVectors(vectors, words)


def test_most_similar_excludes_the_word_and_ranks_by_cosine(royal):
    result = royal.most_similar("king", topn=2)
    assert [w for w, _ in result] == ["prince", "man"]
    assert result[0][1] == pytest.approx(royal.similarity("king", "prince"))
    assert result[0][1] >= result[1][1]


def test_analogy_king_man_queen_gives_woman(royal):
    assert royal.analogy("king", "man", "queen", topn=1)[0][0] == "woman"
    assert all(w not in ("king", "man", "queen") for w, _ in royal.analogy("king", "man", "queen", topn=10))


def test_similarity_is_cosine(royal):
    a, b = royal["king"], royal["queen"]
    assert royal.similarity("king", "queen") == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b), rel=1e-6)


def test_unknown_word_raises_keyerror_naming_it(royal):
    with pytest.raises(KeyError, match="'emperor' is not in the vocabulary"):
        royal.most_similar("emperor")
    with pytest.raises(UnknownWordError, match="'x'"):
        royal.analogy("king", "x", "queen")
    assert "emperor" not in royal and "king" in royal


def test_topn_larger_than_vocabulary_and_invalid_topn(royal):
    assert len(royal.most_similar("king", topn=100)) == 5
    assert royal.most_similar("king", topn=0) == [] == royal.most_similar("king", topn=np.uint8(0))  # gensim's
    with pytest.raises(ValueError, match="topn"):
        royal.most_similar("king", topn=-1)


def test_zero_vectors_do_not_produce_nan():
    wv = WordVectors(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), ["z", "x", "y"])
    assert all(np.isfinite(score) for _, score in wv.most_similar("x"))
    assert wv.similarity("z", "x") == 0.0


def test_rejects_inconsistent_input():
    with pytest.raises(ValueError, match="duplicate word 'a'"):
        WordVectors(np.zeros((2, 2)), ["a", "a"])
    with pytest.raises(ValueError, match="shape"):
        WordVectors(np.zeros((3, 2)), ["a", "b"])
