"""Approximate neighbours: the index's answers against exact ones, its file beside the model, and the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from w2v import WordVectors, load
from w2v.cli import main
from w2v.errors import ModelFileError, W2VError
from w2v.io.neighbour_graph import index_path, load_neighbour_graph, save_neighbour_graph

pytest.importorskip("pynndescent")  # the ann extra (in the test extra too): building needs it, searching does not


@pytest.fixture(scope="module")
def clustered():
    """3,000 words in 60 clusters of 24 dimensions: the graph inside a cluster reaches no other."""
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((60, 24), dtype=np.float32)
    vectors = centres[rng.integers(0, 60, 3000)] + 0.7 * rng.standard_normal((3000, 24), dtype=np.float32)
    wv = WordVectors(vectors, [f"w{i}" for i in range(3000)])
    wv.build_index()
    return wv


def overlap(a, b):
    return len({w for w, _ in a} & {w for w, _ in b}) / len(b)


def test_approximate_answers_are_nearly_the_exact_ones_with_their_exact_cosines(clustered):
    words = clustered.index_to_key[::30]
    approximate = clustered.most_similar_batch([[w] for w in words], topn=10, approximate=True)
    exact = clustered.most_similar_batch([[w] for w in words], topn=10)
    assert np.mean([overlap(a, e) for a, e in zip(approximate, exact)]) >= 0.95
    for word, answer in zip(words, approximate):
        assert len(answer) == 10 and word not in dict(answer)
        assert [s for _, s in answer] == sorted((s for _, s in answer), reverse=True)
        for other, score in answer:
            assert score == pytest.approx(clustered.similarity(word, other), abs=1e-5)


def test_approximate_takes_vectors_and_negative_words_as_exact_queries_do(clustered):
    query = clustered["w5"] - clustered["w7"]
    assert overlap(clustered.similar_by_vector(query, topn=10, approximate=True),
                   clustered.similar_by_vector(query, topn=10)) >= 0.8
    answer = clustered.most_similar("w1", negative=["w2"], topn=5, approximate=True)
    assert {"w1", "w2"}.isdisjoint(dict(answer))


def test_approximate_refuses_what_it_cannot_answer(clustered):
    with pytest.raises(ValueError, match="topn an int and no restrict_vocab"):
        clustered.most_similar("w1", topn=None, approximate=True)
    with pytest.raises(ValueError, match="restrict_vocab"):
        clustered.most_similar("w1", restrict_vocab=10, approximate=True)
    with pytest.raises(W2VError, match="no approximate-neighbour index"):
        WordVectors(np.eye(3), ["a", "b", "c"]).most_similar("a", approximate=True)


def test_changed_vectors_drop_their_index(clustered):
    wv = WordVectors(clustered.vectors[:100].copy(), clustered.index_to_key[:100])
    wv.build_index(neighbours=5)
    wv["new"] = np.ones(24)
    with pytest.raises(W2VError, match="no approximate-neighbour index"):
        wv.most_similar("w1", approximate=True)


def test_the_index_is_saved_beside_the_model_mapped_and_refused_for_other_vectors(tmp_path, clustered, capsys):
    model = tmp_path / "v.npz"
    clustered.save(model)
    assert main(["index", str(model)]) == 0
    assert "wrote the neighbour index of 3,000 words" in capsys.readouterr().out
    wv = load(model, mmap=True)
    assert wv.most_similar("w3", topn=10, approximate=True) == clustered.most_similar("w3", topn=10,
                                                                                       approximate=True)
    assert isinstance(wv.neighbour_index.graph, np.memmap)
    assert main(["similar", str(model), "w3", "--approximate", "--topn", "3"]) == 0
    printed = capsys.readouterr().out
    assert all(word in printed for word, _ in wv.most_similar("w3", topn=3, approximate=True))
    other = WordVectors(clustered.vectors[::-1].copy(), clustered.index_to_key)
    other.save(model)  # the model changed, its index did not
    with pytest.raises(ModelFileError, match="built for other vectors"):
        load(model).most_similar("w3", approximate=True)
    assert main(["similar", str(model), "w3", "--approximate"]) == 1
    assert "built for other vectors" in capsys.readouterr().err


def test_a_missing_index_is_one_line_at_the_command_line(tmp_path, clustered, capsys):
    model = tmp_path / "v.npz"
    clustered.save(model)
    assert main(["similar", str(model), "w3", "--approximate"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "w2v index MODEL" in err
    with pytest.raises(SystemExit) as usage:
        main(["similar", str(model), "w3", "--approximate", "--restrict", "5"])
    assert usage.value.code == 2 and "leave out --restrict" in capsys.readouterr().err


def test_an_index_pointing_outside_its_rows_is_refused(tmp_path, clustered):
    path = index_path(tmp_path / "v.npz")
    index = clustered.neighbour_index
    graph = np.array(index.graph)
    graph[0, 0] = 3000
    save_neighbour_graph(path, graph, index.entries, index.trees, index.info)
    with pytest.raises(ModelFileError, match="points outside"):
        load_neighbour_graph(path)
    trees = dict(index.trees, bounds=np.array(index.trees["bounds"]) + 1)
    save_neighbour_graph(path, index.graph, index.entries, trees, index.info)
    with pytest.raises(ModelFileError, match="trees point outside"):
        load_neighbour_graph(path)
