import numpy as np
import pytest

from w2v import WordVectors
from w2v.cli import main
from w2v.errors import UnknownWordError
from w2v.record import TrainingLog
from w2v.vectors.evaluate import AnalogyResult, SectionScore
from w2v.vectors.plot import pca_2d, save_loss_curve, save_section_chart, save_word_plot

PNG = b"\x89PNG"


def test_pca_recovers_points_lying_on_a_plane():
    rng = np.random.default_rng(0)
    flat = rng.standard_normal((12, 2)) * [3.0, 1.0]
    basis = np.linalg.qr(rng.standard_normal((5, 2)))[0].T  # (2, 5) orthonormal rows
    coords, explained = pca_2d(flat @ basis + 7.0)
    distances = np.linalg.norm(flat[:, None] - flat[None], axis=-1)
    np.testing.assert_allclose(np.linalg.norm(coords[:, None] - coords[None], axis=-1), distances, atol=1e-9)
    assert explained.sum() == pytest.approx(1.0) and explained[0] > explained[1]
    assert coords.var(axis=0)[0] > coords.var(axis=0)[1]


def test_pca_signs_are_fixed_and_degenerate_inputs_give_zeros():
    points = np.random.default_rng(1).standard_normal((6, 4))
    coords, _ = pca_2d(points)
    flipped, _ = pca_2d(-points)  # the same cloud mirrored: same picture up to the fixed signs
    np.testing.assert_allclose(np.abs(coords), np.abs(flipped), atol=1e-12)
    np.testing.assert_allclose(pca_2d(points)[0], coords)
    one, explained = pca_2d(points[:1])
    np.testing.assert_array_equal(one, [[0.0, 0.0]])
    np.testing.assert_array_equal(explained, [0.0, 0.0])
    line, _ = pca_2d(np.arange(6.0).reshape(3, 2) @ np.ones((2, 1)))  # one dimension only
    assert line.shape == (3, 2) and np.all(line[:, 1] == 0)


@pytest.fixture
def royal():
    rng = np.random.default_rng(2)
    words = ["king", "queen", "man", "woman", "prince", "princess", "apple", "pear", "boy", "girl"]
    return WordVectors(rng.standard_normal((len(words), 6)), words)


def test_word_plot_draws_words_and_their_neighbours(tmp_path, royal):
    path = tmp_path / "words.png"
    extra = save_word_plot(royal, ["king", "queen", "king"], path, neighbors=2)
    assert path.read_bytes()[:4] == PNG
    assert set(extra) == {w for q in ("king", "queen") for w, _ in royal.most_similar(q, topn=2)} - {"king", "queen"}
    assert save_word_plot(royal, ["king"], tmp_path / "one.png") == []


def test_word_plot_refuses_unknown_words_and_writes_nothing(tmp_path, royal):
    with pytest.raises(UnknownWordError, match="'emperor'"):
        save_word_plot(royal, ["king", "emperor"], tmp_path / "w.png")
    assert list(tmp_path.iterdir()) == []


def test_section_chart_and_loss_curve_are_pngs(tmp_path):
    result = AnalogyResult("q.txt", "3cosadd", 100, (
        SectionScore("capital-world", 5, 10, 2), SectionScore("gram1-adjective-to-adverb", 0, 0, 4),
    ))
    save_section_chart(result, tmp_path / "chart.png")
    save_loss_curve(TrainingLog(unit="epoch", loss_curve=[[1, 4.0], [2, 3.0]]), tmp_path / "loss.png")
    assert (tmp_path / "chart.png").read_bytes()[:4] == PNG and (tmp_path / "loss.png").read_bytes()[:4] == PNG


def test_loss_curve_puts_the_epoch_scores_on_a_second_axis(tmp_path, monkeypatch):
    import w2v.vectors.plot

    drawn = []
    monkeypatch.setattr(w2v.vectors.plot, "save_figure", lambda figure, path: drawn.append(figure))
    log = TrainingLog(unit="chunk", loss_curve=[[5, 4.0], [10, 3.0], [15, 2.5], [20, 2.2]],
                      evaluations=[{"epoch": 0, "units": 0, "analogies": None, "similarity": 0.1},
                                   {"epoch": 1, "units": 10, "analogies": 0.2, "similarity": 0.4},
                                   {"epoch": 2, "units": 20, "analogies": 0.3, "similarity": 0.5}])
    save_loss_curve(log, tmp_path / "loss.png")
    loss_axes, score_axes = drawn[0].axes
    analogies, similarity = score_axes.get_lines()
    assert analogies.get_xdata().tolist() == [10, 20] and analogies.get_ydata().tolist() == [0.2, 0.3]
    assert similarity.get_xdata().tolist() == [0, 10, 20] and "Spearman" in score_axes.get_ylabel()
    save_loss_curve(TrainingLog(unit="chunk", loss_curve=[[5, 4.0]]), tmp_path / "plain.png")
    assert len(drawn[1].axes) == 1  # no scores, no second axis


def test_cli_plot(tmp_path, royal, capsys):
    model = tmp_path / "m.npz"
    royal.save(model)
    code = main(["plot", str(model), "king", "woman", "--neighbors", "3", "-o", str(tmp_path / "w.png")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "wrote" in out and "2 words" in out and (tmp_path / "w.png").read_bytes()[:4] == PNG
    code = main(["plot", str(model), "zebra", "-o", str(tmp_path / "z.png")])
    err = capsys.readouterr().err
    assert code == 1 and "'zebra' is not in the vocabulary" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit):
        main(["plot", str(model), "king", "--neighbors", "-1", "-o", str(tmp_path / "n.png")])
    assert "must be 0 or more" in capsys.readouterr().err
