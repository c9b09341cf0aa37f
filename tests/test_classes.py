"""Word classes: k-means on unit vectors (w2v classes, word2vec.c's -classes)."""

import numpy as np
import pytest

from w2v import WordVectors
from w2v.cli import main
from w2v.errors import ConfigError
from w2v.vectors.classes import kmeans, word_classes, write_classes


def clusters(n_clusters=6, per_cluster=40, dim=16, spread=0.05, seed=0):
    """Unit vectors scattered tightly around ``n_clusters`` random directions; (points, true labels)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_clusters, dim))
    truth = np.repeat(np.arange(n_clusters), per_cluster)
    points = centres[truth] / np.linalg.norm(centres[truth], axis=1, keepdims=True)
    points += spread * rng.standard_normal(points.shape)
    order = rng.permutation(len(points))
    return points[order] / np.linalg.norm(points[order], axis=1, keepdims=True), truth[order]


def same_partition(a, b):
    """Whether two labelings group the points the same way (up to renaming the classes)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_well_separated_clusters_are_recovered():
    points, truth = clusters()
    result = kmeans(points, 6, seed=3)
    assert result.converged and same_partition(result.labels, truth)
    for label in range(6):  # each centroid is the mean of its points, and each point is nearest its own
        np.testing.assert_allclose(result.centroids[label], points[result.labels == label].mean(axis=0), atol=1e-5)
    distances = ((points[:, None, :] - result.centroids[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(distances.argmin(axis=1), result.labels)
    assert result.inertia == pytest.approx(distances.min(axis=1).sum(), rel=1e-4)


def test_a_seed_makes_the_classes_reproducible():
    points, _ = clusters(n_clusters=20, spread=0.6, seed=1)
    first, again = kmeans(points, 12, seed=7), kmeans(points, 12, seed=7)
    np.testing.assert_array_equal(first.labels, again.labels)
    assert first.inertia == again.inertia


def test_the_inertia_is_as_low_as_scikit_learns():
    cluster = pytest.importorskip("sklearn.cluster")
    rng = np.random.default_rng(5)
    points = rng.standard_normal((3000, 20)).astype(np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    ours = kmeans(points, 30, seed=0).inertia
    theirs = cluster.KMeans(30, n_init=3, random_state=0).fit(points).inertia_
    assert ours == pytest.approx(theirs, rel=0.03)


def test_fewer_distinct_points_than_classes_leaves_classes_empty_without_failing():
    points = np.repeat(np.eye(3, dtype=np.float32), 5, axis=0)
    result = kmeans(points, 5, seed=0)
    assert result.inertia == 0 and set(result.labels.tolist()) <= set(range(5))
    assert same_partition(result.labels, np.repeat(np.arange(3), 5))


def test_word_classes_number_classes_by_their_most_frequent_word_and_write_word2vec_c_lines(tmp_path):
    points, truth = clusters(n_clusters=3, per_cluster=4)
    wv = WordVectors(points, [f"w{i}" for i in range(len(points))])
    words, labels, _ = word_classes(wv, 3, seed=0)
    assert words == wv.index_to_key and labels[0] == 0 and same_partition(labels, truth)
    assert [int(c) for c in dict.fromkeys(labels.tolist())] == [0, 1, 2]
    write_classes(tmp_path / "classes.txt", words, labels)
    lines = (tmp_path / "classes.txt").read_text().splitlines()
    assert lines == [f"{word} {label}" for word, label in zip(words, labels.tolist())]
    assert word_classes(wv, 2, limit=5)[0] == words[:5]
    with pytest.raises(ConfigError, match="classes must be an integer in 1..5"):
        word_classes(wv, 6, limit=5)


@pytest.mark.parametrize("bad", [dict(k=0), dict(k=13), dict(k=2.5), dict(k=2, max_iter=0)])
def test_bad_arguments_are_value_errors(bad):
    points, _ = clusters(n_clusters=3, per_cluster=4)
    with pytest.raises(ValueError):
        kmeans(points, **bad)


def test_the_classes_command(tmp_path, capsys):
    points, truth = clusters(n_clusters=4, per_cluster=10)
    words = [f"w{i}" for i in range(len(points))]
    WordVectors(points, words).save(tmp_path / "m.npz")
    out = tmp_path / "classes.txt"
    assert main(["classes", str(tmp_path / "m.npz"), "-k", "4", "-o", str(out), "--seed", "1"]) == 0
    assert "wrote 40 words in 4 classes" in capsys.readouterr().out
    labels = np.array([int(line.split()[1]) for line in out.read_text().splitlines()])
    assert same_partition(labels, truth)
    assert main(["classes", str(tmp_path / "m.npz"), "-k", "41", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "--classes must be an integer in 1..40" in err and len(err.strip().splitlines()) == 1
    assert main(["classes", str(tmp_path / "m.npz"), "-k", "2", "-o", str(tmp_path / "m.npz")]) == 1
    assert "is an input of this run" in capsys.readouterr().err
