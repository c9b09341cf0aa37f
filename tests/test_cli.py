import json
import subprocess
import sys

import numpy as np
import pytest

import w2v
from w2v import WordVectors
from w2v.cli import main

FAST_TRAIN = ["--algorithm", "reference", "--vector-size", "8", "--window", "2", "--negative", "2",
              "--batch-size", "16", "--epochs", "1", "--min-count", "1", "--seed", "0", "--quiet"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_train_writes_model_and_loss_curve(tmp_path, planted_file, capsys):
    out_path = tmp_path / "m.npz"
    code, out, err = run(capsys, "train", str(planted_file), "-o", str(out_path), *FAST_TRAIN)
    assert code == 0, err
    assert "final loss" in out
    assert out_path.is_file() and (tmp_path / "m-loss.png").read_bytes()[:4] == b"\x89PNG"
    wv = w2v.load(out_path)
    assert len(wv) == 20 and wv.record.config.window == 2


@pytest.mark.parametrize("flag", ["--ns-exponent", "--power"])
def test_gensim_and_word2vec_names_of_options_are_flags(tmp_path, planted_file, capsys, flag):
    out_path = tmp_path / "m.npz"
    code, _, err = run(capsys, "train", str(planted_file), "-o", str(out_path), *FAST_TRAIN, flag, "0.5",
                       "--max-final-vocab", "7")
    assert code == 0, err
    wv = w2v.load(out_path)
    assert wv.record.config.ns_exponent == 0.5 and len(wv) == 7 and wv.record.config.max_vocab_size == 7


def test_train_scores_every_epoch_and_reports_the_last_score(tmp_path, planted_file, capsys):
    (tmp_path / "pairs.txt").write_text("a0 a1 9\nb0 b1 9\na0 b1 1\na2 b3 1\n")
    out_path = tmp_path / "m.npz"
    code, out, err = run(capsys, "train", str(planted_file), "-o", str(out_path), *FAST_TRAIN,
                         "--evaluate-similarity", str(tmp_path / "pairs.txt"))
    assert code == 0, err
    assert "after epoch 1: similarity " in out
    assert [e["epoch"] for e in w2v.load(out_path).record.log.evaluations] == [0, 1]
    code, _, err = run(capsys, "train", str(planted_file), "-o", str(out_path), *FAST_TRAIN, "--evaluate-every",
                       "epoch")
    assert code == 1 and "--evaluate-every needs something to evaluate: --evaluate-analogies or" in err


@pytest.fixture
def model(tmp_path):
    wv = WordVectors(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]]), ["a", "b", "c", "d"])
    path = tmp_path / "v.npz"
    wv.save(path)
    return str(path)


def test_similar_prints_a_table_and_json(model, capsys):
    code, out, _ = run(capsys, "similar", model, "a", "--topn", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "nearest to 'a'" and lines[2].split()[:2] == ["1", "b"]
    code, out, _ = run(capsys, "similar", model, "a", "c", "--json")
    data = json.loads(out)
    assert [d["query"] for d in data] == ["a", "c"] and data[0]["results"][0]["word"] == "b"


def test_analogy_prints_a_table_and_json(model, capsys):
    code, out, _ = run(capsys, "analogy", model, "a", "b", "c", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["query"] == ["a", "b", "c"] and data["results"][0]["word"] == "d"
    code, out, _ = run(capsys, "analogy", model, "a", "b", "c", "--topn", "1")
    assert "a : b = c : ?" in out and "d" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["similar", "{model}", "zebra"], "'zebra' is not in the vocabulary"),
        (["analogy", "{model}", "a", "zebra", "c"], "'zebra' is not in the vocabulary"),
        (["similar", "{tmp}/missing.npz", "a"], "no such file"),
        (["train", "{tmp}/missing.txt", "-o", "{tmp}/m.npz"], "no such file"),
        (["train", "{tmp}/empty.txt", "-o", "{tmp}/m.npz"], "holds no words"),
        (["train", "{tmp}/latin1.txt", "-o", "{tmp}/m.npz"], "not valid UTF-8"),
        (["train", "{tmp}/tiny.txt", "-o", "{tmp}/m.npz", "--min-count", "1"], "--negative 5 needs at least 6 words"),
        (["train", "{tmp}/tiny.txt", "-o", "{tmp}/m.npz", "--window", "0"], "--window must be an integer in 1..1,000"),
        (["train", "{tmp}/tiny.txt", "-o", "{tmp}/nodir/m.npz", "--min-count", "1", "--negative", "1",
          "--batch-size", "1", "--window", "1"], "does not exist"),
    ],
)
def test_bad_input_ends_with_one_clear_line(tmp_path, model, capsys, argv, message):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 ol\xe9\n".encode("latin-1"))
    (tmp_path / "tiny.txt").write_text("a b c d\n")
    argv = [a.format(model=model, tmp=tmp_path) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "-o", "m.npz", "--bogus"], "unrecognized arguments: --bogus"),
        (["train", "-o", "m.npz", "--epochs", "many"], "invalid int value"),
        (["similar", "m.npz", "a", "--topn", "0"], "positive integer"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_nonsense_flags_end_with_one_clear_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_python_dash_m_runs_the_cli_without_tracebacks(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00binary")
    result = subprocess.run([sys.executable, "-m", "w2v", "train", str(bad), "-o", str(tmp_path / "m.npz")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "error:" in result.stderr
