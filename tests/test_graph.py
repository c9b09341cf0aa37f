"""Graphs and walks (w2v.text.graph, w2v.text.walks, w2v.graph, ``w2v walks``)."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from collections import Counter

import numpy as np
import pytest
from scipy import sparse, stats

import w2v
from w2v.cli import main
from w2v.errors import ConfigError, CorpusError
from w2v.text.graph import build_graph, graph_from_arrays, graph_from_sparse, open_graph, read_edge_list
from w2v.text.prepared import open_corpus
from w2v.text.walks import WalkOptions, walk_arrays, write_walks


def _write(path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _random_graph(seed: int, nodes: int = 30, edges: int = 80, *, directed: bool, weighted: bool):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, nodes, edges), rng.integers(0, nodes, edges)
    weights = rng.uniform(0.1, 5.0, edges) if weighted else None
    return graph_from_arrays(src, dst, weights, nodes=nodes, directed=directed)


def _walks(graph, **options):
    ids, offsets = walk_arrays(graph, WalkOptions(**options))
    return [ids[a:b].tolist() for a, b in zip(offsets[:-1], offsets[1:])]


def _edge_set(graph) -> set[tuple[int, int]]:
    return {(v, int(x)) for v in range(graph.nodes) for x in graph.indices[graph.indptr[v]:graph.indptr[v + 1]]}


# --- reading graphs -------------------------------------------------------------------------------------------

def test_an_edge_list_becomes_a_sorted_csr_graph_with_names_in_order_of_appearance(tmp_path):
    graph = read_edge_list(_write(tmp_path / "g.txt", "# a comment\nb a\n\na c\n% another\nc   d\n"))
    assert graph.names == ["b", "a", "c", "d"]
    assert graph.indptr.tolist() == [0, 1, 3, 5, 6]
    assert graph.indices.tolist() == [1, 0, 2, 1, 3, 2]  # b: a; a: b c; c: a d; d: c
    assert graph.weights is None and not graph.directed


def test_directed_edges_go_one_way_and_repeats_merge_with_their_weights_added(tmp_path):
    graph = read_edge_list(_write(tmp_path / "g.txt", "a b 1.5\nb a 2\na b 0.5\nb b 1\n"), directed=True)
    assert graph.indptr.tolist() == [0, 1, 3]
    assert graph.indices.tolist() == [1, 0, 1]
    assert graph.weights.tolist() == [2.0, 2.0, 1.0]
    undirected = read_edge_list(str(tmp_path / "g.txt"))
    assert undirected.indices.tolist() == [1, 0, 1]  # a-b twice both ways; the self-loop b-b once
    assert undirected.weights.tolist() == [4.0, 4.0, 1.0]


@pytest.mark.parametrize("opener,suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")])
def test_compressed_edge_lists_read_as_text(tmp_path, opener, suffix):
    text = "".join(f"n{i} n{(i * 7) % 50} {1 + i % 3}\n" for i in range(50))
    with opener(tmp_path / f"g{suffix}", "wt") as handle:
        handle.write(text)
    plain, packed = read_edge_list(_write(tmp_path / "g.txt", text)), read_edge_list(str(tmp_path / f"g{suffix}"))
    assert packed.names == plain.names
    for name in ("indptr", "indices", "weights"):
        np.testing.assert_array_equal(getattr(packed, name), getattr(plain, name))


def test_lines_cut_by_chunk_boundaries_are_read_whole_and_errors_name_their_line(tmp_path):
    lines = [f"node{i} node{i + 1} {1 + i % 5}.25" for i in range(120_000)]  # about 3 MB: several chunks
    graph = read_edge_list(_write(tmp_path / "g.txt", "\n".join(lines) + "\n"), directed=True)
    assert graph.nodes == 120_001 and graph.edges == 120_000
    assert graph.names[-1] == "node120000"
    assert graph.weights[:5].tolist() == [1.25, 2.25, 3.25, 4.25, 5.25]
    lines[99_999] = "node1 node2 heavy"
    with pytest.raises(CorpusError, match=r"g2.txt:100000: the weight 'heavy' is not a positive finite number"):
        read_edge_list(_write(tmp_path / "g2.txt", "\n".join(lines) + "\n"))


@pytest.mark.parametrize("text,message", [
    ("a b\nc\n", r":2: expected 'src dst', as the first edge, found 1 field$"),
    ("a b 1\nc d\n", r":2: expected 'src dst weight', as the first edge, found 2 fields"),
    ("a b c d\n", r":1: expected 'src dst' or 'src dst weight', found 4 fields"),
    ("a b 1\nb c -2\n", r":2: the weight '-2' is not a positive finite number"),
    ("a b nan\n", r":1: the weight 'nan' is not a positive finite number"),
    ("a b inf\n", r":1: the weight 'inf' is not a positive finite number"),
    ("a b 0\n", r":1: the weight '0' is not a positive finite number"),
    ("# only a comment\n\n", r"holds no edges"),
])
def test_bad_edge_lists_are_refused_with_their_line(tmp_path, text, message):
    with pytest.raises(CorpusError, match=message):
        read_edge_list(_write(tmp_path / "g.txt", text))


def test_an_edge_list_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    (tmp_path / "g.txt").write_bytes(b"a b\nc d\n\xe9t\xe9 e\n")
    with pytest.raises(CorpusError, match=r"g.txt:3: not valid UTF-8 \(byte 0xe9\)"):
        read_edge_list(str(tmp_path / "g.txt"))


def test_arrays_matrices_and_tuples_give_the_same_graph():
    src, dst, weights = np.array([0, 1, 2, 4]), np.array([1, 2, 0, 4]), np.array([1.0, 2.0, 3.0, 4.0])
    graph = graph_from_arrays(src, dst, weights, nodes=6)
    assert graph.nodes == 6 and graph.names is None  # node 3 and 5 have no edges, but are nodes
    assert graph.keys() == [0, 1, 2, 3, 4, 5]
    matrix = graph_from_sparse(sparse.coo_matrix((weights, (src, dst)), shape=(6, 6)))
    edges = w2v.text.graph.as_graph(np.column_stack([src, dst, weights]), nodes=6)
    for other in (matrix, edges, w2v.text.graph.as_graph((src, dst, weights), nodes=6)):
        for name in ("indptr", "indices", "weights"):
            np.testing.assert_array_equal(getattr(other, name), getattr(graph, name))


@pytest.mark.parametrize("call,message", [
    (lambda: graph_from_arrays([0, -1], [1, 2]), "node ids must be 0 or more"),
    (lambda: graph_from_arrays([0, 1], [1, 2], nodes=2), "must exceed every id"),
    (lambda: graph_from_arrays([0, 1], [1, 2], [1.0, np.nan]), "edge 1 has the weight nan"),
    (lambda: graph_from_arrays([0.5], [1]), "integer node ids"),
    (lambda: graph_from_sparse(sparse.coo_matrix((2, 3))), "must be square"),
    (lambda: w2v.text.graph.as_graph({"a": 1}), "expected an edge list file"),
])
def test_bad_arrays_are_refused(call, message):
    with pytest.raises(CorpusError, match=message):
        call()


# --- walks ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.25, 4.0), (4.0, 0.5)])
def test_every_step_of_a_walk_is_an_edge(directed, weighted, p, q):
    graph = _random_graph(3, directed=directed, weighted=weighted)
    edges = _edge_set(graph)
    walks = _walks(graph, walks_per_node=4, walk_length=25, p=p, q=q, workers=2)
    assert len(walks) == 4 * graph.nodes
    for round_ in range(4):
        assert sorted(walk[0] for walk in walks[round_ * graph.nodes:(round_ + 1) * graph.nodes]) == \
            list(range(graph.nodes))  # each round starts one walk at every node
    for walk in walks:
        assert all((a, b) in edges for a, b in zip(walk, walk[1:]))
        ended_early = len(walk) < 25
        assert not ended_early or graph.indptr[walk[-1]] == graph.indptr[walk[-1] + 1]


def _node2vec_probabilities(graph, t: int, v: int, p: float, q: float) -> tuple[list[int], np.ndarray]:
    """node2vec's transition probabilities from v having come from t, by its formula, in plain NumPy."""
    neighbours = graph.indices[graph.indptr[v]:graph.indptr[v + 1]].tolist()
    weights = np.ones(len(neighbours)) if graph.weights is None else graph.weights[graph.indptr[v]:graph.indptr[v + 1]]
    of_t = set(graph.indices[graph.indptr[t]:graph.indptr[t + 1]].tolist())
    alpha = np.array([1 / p if x == t else 1.0 if x in of_t else 1 / q for x in neighbours])
    unnormalised = weights * alpha
    return neighbours, unnormalised / unnormalised.sum()


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("p,q", [(0.5, 2.0), (2.0, 0.25), (1.0, 1.0)])
def test_node2vec_transition_frequencies_match_the_formula(weighted, p, q):
    # A small graph with triangles, so that each step has neighbours at distance 0, 1 and 2 from the last node.
    src = np.array([0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 5])
    dst = np.array([1, 2, 3, 2, 4, 3, 5, 5, 5, 6, 4])
    weights = np.array([1.0, 3.0, 0.5, 2.0, 1.0, 4.0, 1.5, 1.0, 2.5, 1.0, 0.7]) if weighted else None
    graph = graph_from_arrays(src, dst, weights, directed=False)
    walks = _walks(graph, walks_per_node=300, walk_length=30, p=p, q=q, seed=7, workers=2)
    seen: dict[tuple[int, int], Counter] = {}
    for walk in walks:
        for t, v, x in zip(walk, walk[1:], walk[2:]):
            seen.setdefault((t, v), Counter())[x] += 1
    tested = 0
    for (t, v), counts in seen.items():
        neighbours, probabilities = _node2vec_probabilities(graph, t, v, p, q)
        observed = np.array([counts[x] for x in neighbours])
        assert observed.sum() == sum(counts.values())  # no step off the edges
        if observed.sum() < 200 or len(neighbours) < 2:
            continue
        result = stats.chisquare(observed, probabilities * observed.sum())
        assert result.pvalue > 1e-4, (t, v, observed, probabilities)
        tested += 1
    assert tested >= 15


def test_first_steps_follow_the_weights():
    graph = graph_from_arrays(np.zeros(4, dtype=int), np.arange(1, 5), [1.0, 2.0, 3.0, 4.0], directed=True)
    walks = _walks(graph, walks_per_node=4000, walk_length=2, seed=3)
    firsts = Counter(walk[1] for walk in walks if walk[0] == 0)
    observed = np.array([firsts[x] for x in range(1, 5)])
    assert stats.chisquare(observed, observed.sum() * np.arange(1, 5) / 10).pvalue > 1e-4


def test_walks_are_reproducible_with_a_seed_whatever_the_workers():
    graph = _random_graph(5, nodes=200, edges=600, directed=False, weighted=True)
    one = _walks(graph, walks_per_node=3, walk_length=15, p=0.5, q=2.0, seed=11, workers=1)
    assert _walks(graph, walks_per_node=3, walk_length=15, p=0.5, q=2.0, seed=11, workers=1) == one
    assert _walks(graph, walks_per_node=3, walk_length=15, p=0.5, q=2.0, seed=11, workers=3) == one
    assert _walks(graph, walks_per_node=3, walk_length=15, p=0.5, q=2.0, seed=12, workers=1) != one


def test_a_node_without_out_edges_ends_its_walks_and_an_isolated_node_walks_alone():
    # 0 -> 1 -> 2 (directed; 2 has no out-edges), 3 -> 4 -> 3 apart, 5 without any edge.
    graph = graph_from_arrays([0, 1, 3, 4], [1, 2, 4, 3], nodes=6, directed=True)
    walks = {walk[0]: walk for walk in _walks(graph, walks_per_node=1, walk_length=6, p=0.5, q=2.0)}
    assert walks[0] == [0, 1, 2] and walks[1] == [1, 2] and walks[2] == [2] and walks[5] == [5]
    assert walks[3] == [3, 4, 3, 4, 3, 4]


@pytest.mark.parametrize("options,name", [
    ({"p": 0.0}, "p"), ({"q": -1.0}, "q"), ({"q": float("nan")}, "q"), ({"walk_length": 0}, "walk_length"),
    ({"walk_length": 10_001}, "walk_length"), ({"walks_per_node": 0}, "walks_per_node"), ({"workers": 0}, "workers"),
])
def test_walk_options_are_checked(options, name):
    with pytest.raises(ConfigError) as raised:
        WalkOptions(**options).validate()
    assert raised.value.options == (name,)


# --- walks on disk, and training on them ---------------------------------------------------------------------

def test_written_walks_are_a_prepared_corpus_of_the_walks_with_the_graph_beside_them(tmp_path):
    graph = read_edge_list(_write(tmp_path / "g.txt", "a b 1\nb c 2\nc a 1\nc d 3\ne f 1\n"))
    options = WalkOptions(walks_per_node=5, walk_length=7, p=0.5, q=2.0, seed=4, workers=2)
    report = write_walks(graph, tmp_path / "walks", options)
    corpus = open_corpus(tmp_path / "walks")
    assert report.walks == 30 and len(corpus) == report.tokens
    assert sorted(corpus.vocab.words) == ["a", "b", "c", "d", "e", "f"]  # every node, by how often it is visited
    assert corpus.vocab.by_frequency
    ids, offsets = walk_arrays(graph, options)
    names = np.array(graph.names)
    np.testing.assert_array_equal(np.array(corpus.vocab.words)[corpus.ids], names[ids])
    np.testing.assert_array_equal(corpus.offsets, offsets)
    again = open_graph(tmp_path / "walks")
    assert again.names == graph.names and not again.directed
    for name in ("indptr", "indices", "weights"):
        np.testing.assert_array_equal(getattr(again, name), getattr(graph, name))
    manifest = json.loads((tmp_path / "walks" / "manifest.json").read_text())
    assert manifest["walks"] == {"walks_per_node": 5, "walk_length": 7, "p": 0.5, "q": 2.0, "seed": 4}


def test_walks_replace_an_old_walks_folder_but_nothing_else(tmp_path):
    graph = graph_from_arrays([0, 1], [1, 2])
    write_walks(graph, tmp_path / "walks", WalkOptions(walks_per_node=1))
    write_walks(graph, tmp_path / "walks", WalkOptions(walks_per_node=2))
    assert open_corpus(tmp_path / "walks").offsets.size == 7
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(CorpusError, match="not a prepared corpus"):
        write_walks(graph, tmp_path / "other", WalkOptions())


def test_the_command_writes_walks_that_w2v_train_maps(tmp_path, capsys):
    edges = _write(tmp_path / "g.txt", "".join(f"{i} {(i + 1) % 12}\n{i} {(i + 5) % 12}\n" for i in range(12)))
    assert main(["walks", edges, "-o", str(tmp_path / "walks"), "--p", "0.5", "--q", "2", "--walks-per-node", "3",
                 "--walk-length", "10", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "12 nodes" in out and "wrote 36 walks" in out
    assert main(["train", str(tmp_path / "walks"), "-o", str(tmp_path / "m.npz"), "--model", "skipgram",
                 "--epochs", "1", "--vector-size", "8", "--negative", "2", "--workers", "1"]) == 0
    assert len(w2v.load(tmp_path / "m.npz")) == 12


@pytest.mark.parametrize("text,flags,message", [
    ("a b 1\nb\n", [], "g.txt:2: expected 'src dst weight', as the first edge, found 1 field"),
    ("a b -1\n", [], "g.txt:1: the weight '-1' is not a positive finite number"),
    ("a b\n", ["--q", "0"], "--q 0.0: must be a positive number"),
])
def test_the_command_ends_a_bad_edge_list_with_one_line(tmp_path, capsys, text, flags, message):
    edges = _write(tmp_path / "g.txt", text)
    assert main(["walks", edges, "-o", str(tmp_path / "walks"), *flags]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "walks").exists()


def test_embed_gives_every_node_a_vector_and_separates_two_communities():
    # Two 12-node cliques joined by one edge, and a node of its own.
    first = [(a, b) for a in range(12) for b in range(a + 1, 12)]
    edges = np.array(first + [(a + 12, b + 12) for a, b in first] + [(0, 12)])
    wv = w2v.graph.embed(edges, nodes=25, walks_per_node=20, walk_length=20, q=0.5, vector_size=16, window=3,
                         epochs=3, workers=1, negative=3)
    assert sorted(wv.index_to_key) == list(range(25))
    near = [key for key, _ in wv.most_similar(5, topn=8)]
    assert sum(key < 12 for key in near) >= 7
    named = w2v.graph.walks(edges, walks_per_node=2, walk_length=5)
    assert named.keys == list(range(24)) and named.offsets.size == 49


def test_walks_of_an_edge_list_file_keep_its_names(tmp_path):
    walked = w2v.graph.walks(_write(tmp_path / "g.txt", "x y\ny z\n"), walks_per_node=2, walk_length=4, workers=1)
    assert walked.keys == ["x", "y", "z"]
    report = w2v.graph.walks(str(tmp_path / "g.txt"), tmp_path / "walks", walks_per_node=2)
    assert report.walks == 6 and open_corpus(tmp_path / "walks").vocab.words[0] == "y"


def test_build_graph_keeps_a_graph_without_edges():
    graph = build_graph(np.zeros(0, dtype=int), np.zeros(0, dtype=int), None, 3, directed=False)
    assert graph.indptr.tolist() == [0, 0, 0, 0]
    assert sorted(_walks(graph, walks_per_node=1)) == [[0], [1], [2]]
