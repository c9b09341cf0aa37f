"""Node vectors scored on their graph (vectors.graph_evaluation; w2v walks --hold-out; evaluate --nodes, --links)."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

import w2v
from w2v.cli import main
from w2v.errors import BenchmarkError, ConfigError
from w2v.text.graph import graph_from_arrays, hold_out, open_graph
from w2v.vectors.graph_evaluation import (
    classify_folds,
    f1_scores,
    logistic_loss,
    node_classification,
    rank_auc,
    sample_non_edges,
    stratified_folds,
    top_k,
)
from w2v.vectors.word_vectors import WordVectors

from gradcheck import assert_close, numerical_grad


def _edge_set(graph) -> set[tuple[int, int]]:
    return {(v, int(x)) for v in range(graph.nodes) for x in graph.indices[graph.indptr[v]:graph.indptr[v + 1]]}


def _planted(tmp_path, nodes: int = 60, inside: float = 0.35, across: float = 0.01, seed: int = 3):
    """Two communities (even and odd nodes): an edge list file, a labels file."""
    rng = np.random.default_rng(seed)
    lines = [f"n{u} n{v}\n" for u in range(nodes) for v in range(u + 1, nodes)
             if rng.random() < (inside if (u - v) % 2 == 0 else across)]
    (tmp_path / "g.txt").write_text("".join(lines), encoding="utf-8")
    (tmp_path / "labels.txt").write_text("".join(f"n{u} {'even' if u % 2 == 0 else 'odd'}\n" for u in range(nodes)),
                                         encoding="utf-8")
    return str(tmp_path / "g.txt"), str(tmp_path / "labels.txt")


def _separable(seed: int, n: int = 300, d: int = 6, k: int = 3):
    """Vectors around k centres, and their (N, K) one-hot truth."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, k, n)
    x = rng.normal(size=(k, d))[label] * 1.5 + rng.normal(size=(n, d))
    return x, np.eye(k, dtype=bool)[label]


# --- logistic regression and scores -----------------------------------------------------------------------------

def test_the_logistic_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 4)), (rng.random((20, 3)) < 0.4).astype(float)
    params = rng.normal(size=(4 + 1) * 3) * 3  # large enough for some saturated sigmoids
    _, grad = logistic_loss(params, x, y, 0.7)
    assert_close(grad, numerical_grad(lambda: logistic_loss(params, x, y, 0.7)[0], params), rtol=1e-6, atol=1e-9)


def test_rank_auc_equals_a_brute_force_pairwise_count_with_ties():
    rng = np.random.default_rng(1)
    positive, negative = rng.integers(0, 6, 40).astype(float), rng.integers(0, 5, 55).astype(float)  # many ties
    pairs = positive[:, None] - negative[None, :]
    expected = ((pairs > 0).sum() + 0.5 * (pairs == 0).sum()) / pairs.size
    assert rank_auc(positive, negative) == pytest.approx(expected, abs=1e-12)
    assert rank_auc(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == 1.0
    assert rank_auc(np.ones(3), np.ones(4)) == 0.5


def test_each_node_gets_as_many_labels_as_it_has_and_f1_counts_them():
    scores = np.array([[0.9, 0.5, 0.1], [0.2, 0.3, 0.8], [0.7, 0.6, 0.0]])
    predicted = top_k(scores, np.array([1, 2, 1]))
    assert predicted.tolist() == [[True, False, False], [False, True, True], [True, False, False]]
    truth = np.array([[True, False, False], [True, False, True], [False, True, False]])
    # label 0: 1 hit, 1 false alarm, 1 miss; label 1: 1 false alarm, 1 miss; label 2: 1 hit
    macro, micro = f1_scores(truth, predicted)
    assert micro == pytest.approx(2 * 2 / (2 * 2 + 4))
    assert macro == pytest.approx((2 / 4 + 0 + 1) / 3)


def test_stratified_folds_spread_every_label_evenly_and_follow_the_seed():
    truth = np.eye(3, dtype=bool)[np.r_[np.zeros(50, int), np.ones(30, int), np.full(20, 2)]]
    fold = stratified_folds(truth, 5, seed=4)
    per_fold = np.array([truth[fold == f].sum(axis=0) for f in range(5)])
    assert per_fold.tolist() == [[10, 6, 4]] * 5
    assert np.array_equal(fold, stratified_folds(truth, 5, seed=4))
    assert not np.array_equal(fold, stratified_folds(truth, 5, seed=5))


def test_f1_agrees_with_scikit_learn_on_the_same_folds():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.multiclass import OneVsRestClassifier

    x, truth = _separable(2)
    fold = stratified_folds(truth, 5, seed=1)
    ours = classify_folds(x, truth, fold, C=0.5)
    label = truth.argmax(axis=1)
    for f in range(5):
        test = fold == f
        model = OneVsRestClassifier(LogisticRegression(C=0.5, max_iter=5000, tol=1e-8)).fit(x[~test], label[~test])
        predicted = model.predict(x[test])
        theirs = f1_score(label[test], predicted, average="macro"), f1_score(label[test], predicted, average="micro")
        assert ours[f] == pytest.approx(theirs, abs=0.01)


def test_the_sklearn_option_fits_scikit_learns_regression_and_agrees_with_ours():
    pytest.importorskip("sklearn")
    x, truth = _separable(8, n=200)
    keys = [f"v{i}" for i in range(200)]
    pairs = [(key, int(row.argmax())) for key, row in zip(keys, truth)] + [("lonely", "rare")]  # in one fold only
    ours = node_classification(WordVectors(np.vstack([x, np.zeros(6)]), keys + ["lonely"]), pairs, folds=4)
    theirs = node_classification(WordVectors(np.vstack([x, np.zeros(6)]), keys + ["lonely"]), pairs, folds=4,
                                 sklearn=True)
    assert theirs.macro_f1 == pytest.approx(ours.macro_f1, abs=0.01)
    assert theirs.micro_f1 == pytest.approx(ours.micro_f1, abs=0.01)


def test_multi_label_f1_agrees_with_scikit_learn():
    pytest.importorskip("sklearn")
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(5)
    truth, predicted = rng.random((50, 6)) < 0.3, rng.random((50, 6)) < 0.3
    truth[:, 5] = predicted[:, 5] = False  # a label nobody has or is given: outside the macro mean
    macro, micro = f1_scores(truth, predicted)
    assert micro == pytest.approx(f1_score(truth, predicted, average="micro"))
    assert macro == pytest.approx(f1_score(truth[:, :5], predicted[:, :5], average="macro"))


def test_labelled_nodes_without_a_vector_are_counted_not_dropped_silently():
    x, truth = _separable(3, n=60)
    keys = [f"v{i}" for i in range(60)]
    pairs = [(key, int(row.argmax())) for key, row in zip(keys, truth)] + [("ghost", 0), ("ghost", 1), ("nobody", 2)]
    scores = node_classification(WordVectors(x, keys), pairs, folds=3)
    assert (scores.nodes, scores.missing, scores.labels) == (60, 2, 3)
    assert scores.macro_f1 > 0.8 and "2 labelled nodes have no vector, left out" in scores.describe()


def test_a_node_with_several_labels_is_given_as_many():
    x, truth = _separable(6, n=120)
    keys = [f"v{i}" for i in range(120)]
    pairs = [(key, int(row.argmax())) for key, row in zip(keys, truth)] + [(key, "all") for key in keys[::2]]
    scores = node_classification(WordVectors(x, keys), pairs, folds=4)
    assert scores.labels == 4 and scores.micro_f1 > 0.8  # "all" half the time: each node gets 1 or 2 labels


# --- hold-out and link prediction ---------------------------------------------------------------------------

@pytest.mark.parametrize("directed", [False, True])
def test_hold_out_keeps_every_node_an_edge_and_takes_the_edges_out(directed):
    rng = np.random.default_rng(7)
    src, dst = rng.integers(0, 40, 150), rng.integers(0, 40, 150)
    graph = graph_from_arrays(np.r_[src, 40], np.r_[dst, 41], nodes=42, directed=directed)  # 40 - 41 alone
    rest, held = hold_out(graph, 0.2, seed=1)
    edges, kept = _edge_set(graph), _edge_set(rest)
    held_set = {tuple(pair) for pair in held.tolist()}
    once = sum(1 for u, v in edges if u != v and (directed or u < v))
    assert len(held) == round(0.2 * once)
    assert held_set <= edges and not held_set & kept
    assert kept | held_set | ({(v, u) for u, v in held_set} if not directed else set()) == edges
    had_out, had_in = np.diff(graph.indptr) > 0, np.bincount(graph.indices, minlength=42) > 0
    assert np.array_equal(np.diff(rest.indptr) > 0, had_out)
    assert np.array_equal(np.bincount(rest.indices, minlength=42) > 0, had_in)
    assert (40, 41) in kept  # its nodes' only edge
    assert np.array_equal(hold_out(graph, 0.2, seed=1)[1], held)


def test_sampled_non_edges_are_distinct_and_no_edges_of_the_whole_graph():
    graph = graph_from_arrays(np.r_[0:9], np.r_[1:10], nodes=10)  # a path
    n = graph.nodes
    keys = np.unique(np.concatenate([np.r_[0:9] * n + np.r_[1:10], np.r_[1:10] * n + np.r_[0:9]]))
    pairs = sample_non_edges(graph, keys, np.arange(10), 30, np.random.default_rng(0))
    as_set = {tuple(p) for p in pairs.tolist()}
    assert len(as_set) == 30 and all(u < v and v - u > 1 for u, v in as_set)
    with pytest.raises(BenchmarkError, match="too dense"):
        sample_non_edges(graph, keys, np.arange(10), 37, np.random.default_rng(0))  # only 36 non-edges


def test_walks_hold_out_edges_that_train_never_sees_and_evaluate_scores_nodes_and_links(tmp_path, capsys):
    edges, labels = _planted(tmp_path)
    walks = str(tmp_path / "walks")
    assert main(["walks", edges, "-o", walks, "--hold-out", "0.1", "--walks-per-node", "10", "--walk-length", "20",
                 "--workers", "1"]) == 0
    out = capsys.readouterr().out
    held = (tmp_path / "walks" / "held_out_edges.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert f"held out {len(held)} edges" in out and f"and {len(held)} held-out edges" in out
    graph = open_graph(walks)
    name_id = {name: i for i, name in enumerate(graph.names)}
    assert graph.nodes == 60 and np.all(np.diff(graph.indptr) > 0)
    walked = _edge_set(graph)
    assert not any((name_id[u], name_id[v]) in walked for u, v in (line.split() for line in held))
    assert main(["train", walks, "-o", str(tmp_path / "m.npz"), "--model", "skipgram", "--epochs", "3",
                 "--vector-size", "16", "--window", "5", "--negative", "3", "--workers", "1", "--seed", "1"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "m.npz"), "--nodes", labels, "--links", walks, "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["analogies"] is None and scores["similarity"] == []
    assert scores["nodes"]["macro_f1"] > 0.9 and scores["nodes"]["nodes"] == 60  # chance: 0.5
    assert scores["links"]["auc"] > 0.75 and scores["links"]["test_edges"] == len(held)
    python = w2v.graph.evaluate_links(tmp_path / "m.npz", tmp_path / "walks" / "held_out_edges.txt")
    assert python.auc == scores["links"]["auc"]
    assert w2v.graph.evaluate_nodes(tmp_path / "m.npz", labels).macro_f1 == scores["nodes"]["macro_f1"]


def test_python_walks_hold_out_edges_beside_the_walks(tmp_path):
    edges, _ = _planted(tmp_path, nodes=20, inside=0.6)
    report = w2v.graph.walks(edges, tmp_path / "walks", hold_out=0.2, walks_per_node=2, workers=1)
    held = (tmp_path / "walks" / "held_out_edges.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert report.held_out == len(held) > 0
    with pytest.raises(ConfigError, match="give output too"):
        w2v.graph.walks(edges, hold_out=0.2)


@pytest.mark.parametrize("text,message", [
    ("a x\nb\n", "labels.txt:2: expected 'node label', found 1 field"),
    ("a x extra\n", "labels.txt:1: expected 'node label', found 3 fields"),
    (b"a x\nb \xff\n", "labels.txt:2: not valid UTF-8 (byte 0xff)"),
    ("# nothing\n\n", "labels.txt: holds no 'node label' lines"),
    (None, "labels.txt: cannot be read (No such file or directory)"),
    ("zz x\nyy x\n", "labels.txt: 0 of its 2 nodes have a vector"),
])
def test_bad_label_files_end_the_command_with_one_line(tmp_path, capsys, text, message):
    WordVectors(np.eye(3), ["a", "b", "c"]).save(tmp_path / "m.npz")
    if text is not None:
        path = tmp_path / "labels.txt"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    assert main(["evaluate", str(tmp_path / "m.npz"), "--nodes", str(tmp_path / "labels.txt")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_bad_links_folds_and_sklearn_end_the_command_with_one_line(tmp_path, capsys, monkeypatch):
    WordVectors(np.eye(3), ["a", "b", "c"]).save(tmp_path / "m.npz")
    (tmp_path / "held.txt").write_text("a b c\n", encoding="utf-8")
    (tmp_path / "labels.txt").write_text("a x\nb y\nc x\n", encoding="utf-8")
    for flags, message in ((["--links", str(tmp_path / "held.txt")], "held.txt:1: expected 'src dst', found 3"),
                           (["--links", str(tmp_path)], "held_out_edges.txt: cannot be read"),
                           (["--nodes", str(tmp_path / "labels.txt"), "--folds", "4"], "--folds must be an integer "
                                                                                        "in 2..3")):
        assert main(["evaluate", str(tmp_path / "m.npz"), *flags]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err and "Traceback" not in err
    for name in ("sklearn", "sklearn.linear_model"):  # not installed
        monkeypatch.setitem(sys.modules, name, None)
    assert main(["evaluate", str(tmp_path / "m.npz"), "--nodes", str(tmp_path / "labels.txt"), "--folds", "2",
                 "--sklearn"]) == 1
    assert "--sklearn: needs scikit-learn, which is not installed" in capsys.readouterr().err
    (tmp_path / "held.txt").write_text("a b\n", encoding="utf-8")
    assert main(["evaluate", str(tmp_path / "m.npz"), "--links", str(tmp_path / "held.txt")]) == 1
    assert "holds no graph (graph.json)" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="2"):
        main(["walks", str(tmp_path / "held.txt"), "-o", str(tmp_path / "w"), "--hold-out", "1"])
    assert "must be a fraction in [0, 1), not 1" in capsys.readouterr().err
