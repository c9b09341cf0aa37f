"""The CLI's queries (similar, analogy, from arguments or standard input), embed and export --vocab."""

import io
import json
import os
import select
import subprocess
import sys
import time

import numpy as np
import pytest

import w2v
from w2v import SentenceEncoder, WordVectors, evaluate
from w2v.cli import main
from w2v.text.vocab import read_vocab_file

WORDS = [f"w{i}" for i in range(80)]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code, err, message):
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.fixture
def wv():
    rng = np.random.default_rng(4)
    vectors = (rng.standard_normal((80, 10)) * rng.uniform(0.5, 2, size=(80, 1))).astype(np.float32)
    return WordVectors(vectors, WORDS, counts=np.rint(5000 / np.arange(1, 81)).astype(np.int64))


@pytest.fixture
def model(tmp_path, wv):
    path = tmp_path / "m.npz"
    wv.save(path)
    return path


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    return feed


def words_of(results):
    return [r["word"] for r in results]


# ---------------------------------------------------------------- similar


def test_similar_with_negative_words_is_one_gensim_query(capsys, model, wv):
    code, out, _ = run(capsys, "similar", model, "w3", "w7", "--negative", "w1", "--topn", "4", "--json")
    assert code == 0
    (answer,) = json.loads(out)
    assert answer["query"] == "w3 w7" and answer["negative"] == ["w1"]
    expected = wv.most_similar(positive=["w3", "w7"], negative=["w1"], topn=4)
    assert words_of(answer["results"]) == [word for word, _ in expected]
    code, out, _ = run(capsys, "similar", model, "w3", "w7", "--negative", "w1", "--topn", "2")
    assert out.splitlines()[0] == "nearest to 'w3' + 'w7' - 'w1'"


def test_similar_words_are_separate_queries_unless_joined_and_restrict_limits_the_search(capsys, model, wv):
    code, out, _ = run(capsys, "similar", model, "w3", "w3 w7", "--restrict", "20", "--json")
    first, joined = json.loads(out)
    assert words_of(first["results"]) == [w for w, _ in wv.most_similar("w3", topn=5, restrict_vocab=20)]
    assert words_of(joined["results"]) == [w for w, _ in wv.most_similar(["w3", "w7"], topn=5, restrict_vocab=20)]
    assert all(WORDS.index(word) < 20 for word in words_of(first["results"]) + words_of(joined["results"]))


def test_similar_answers_standard_input_line_by_line_and_reports_bad_lines(capsys, model, wv, stdin):
    stdin("w3\n\nzebra w1\nw3 w7\n")
    code, out, err = run(capsys, "similar", model, "-", "--json", "--topn", "3")
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["query"] for a in answers] == ["w3", "w3 w7"]
    assert words_of(answers[1]["results"]) == [w for w, _ in wv.most_similar(["w3", "w7"], topn=3)]
    assert code == 1 and err.strip() == "w2v similar: error: line 3: 'zebra' is not in the vocabulary"
    stdin("w3\n")
    assert run(capsys, "similar", model, "-")[0] == 0


def test_queries_from_standard_input_are_answered_as_they_come(model):
    """A line is answered before the next is written (word2vec.c's distance, fastText's nn)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-m", "w2v", "analogy", str(model), "-", "--json"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        for query in (["w1", "w2", "w3"], ["w4", "w5", "w6"]):
            process.stdin.write((" ".join(query) + "\n").encode())
            process.stdin.flush()
            deadline = time.monotonic() + 60
            while not select.select([process.stdout], [], [], 1)[0]:
                assert time.monotonic() < deadline and process.poll() is None, "no answer while stdin stays open"
            assert json.loads(process.stdout.readline())["query"] == query
        rest, err = process.communicate(timeout=60)  # closes stdin: the command ends
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0 and rest == b"" and err == b""


# ---------------------------------------------------------------- analogy


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul", "book"])
def test_analogy_answers_as_evaluate_scores(capsys, model, wv, tmp_path, method):
    code, out, _ = run(capsys, "analogy", model, "w1", "w2", "w3", "--method", method, "--restrict", "40", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["method"] == method
    assert words_of(answer["results"]) == [w for w, _ in wv.analogy("w1", "w2", "w3", method=method,
                                                                      restrict_vocab=40)]
    path = tmp_path / "q.txt"
    path.write_text(f": s\nw1 w2 w3 {answer['results'][0]['word']}\n")
    code, out, _ = run(capsys, "evaluate", model, "--analogies", path, "--method", method, "--restrict-vocab", "40",
                       "--json")
    assert json.loads(out)["analogies"]["correct"] == 1
    assert evaluate.analogies(wv, path, method=method, restrict_vocab=40).correct == 1


def test_analogy_defaults_to_3cosadd_and_reads_standard_input(capsys, model, wv, stdin):
    code, out, _ = run(capsys, "analogy", model, "w1", "w2", "w3", "--json")
    assert json.loads(out)["method"] == "3cosadd"
    stdin("w1 w2 w3\nw1 w2\nw4 w5 w6\n")
    code, out, err = run(capsys, "analogy", model, "-")
    assert out.count(" : ?") == 2 and "w4 : w5 = w6 : ?" in out
    assert code == 1 and err.strip() == "w2v analogy: error: line 2: expected three words 'A B C', found 2"
    with pytest.raises(SystemExit) as exit_info:
        main(["analogy", str(model), "w1", "w2"])
    assert exit_info.value.code == 2 and "expected three words" in capsys.readouterr().err


# ---------------------------------------------------------------- embed and export --vocab


@pytest.mark.parametrize("method", ["mean", "sif", "usif"])
def test_embed_writes_the_encoders_vectors_one_row_per_line(capsys, model, wv, tmp_path, method):
    lines = ["w1 w2 w3", "w4 w5", "w1 w9 w20 w33", "w2 w2 w7"] * 5
    source = tmp_path / "s.txt"
    source.write_text("\n".join(lines) + "\n")
    out_path = tmp_path / "s.npy"
    code, out, err = run(capsys, "embed", model, source, "-o", out_path, "--method", method)
    assert code == 0 and err == "" and f"embedded 20 sentences as 10-dimensional {method} vectors" in out
    vectors = np.load(out_path)
    assert vectors.dtype == np.float32 and vectors.shape == (20, 10)
    np.testing.assert_allclose(vectors, SentenceEncoder(wv, method).fit_transform(lines), rtol=1e-6, atol=1e-7)


def test_embed_from_standard_input_with_a_saved_encoder(capsys, model, wv, tmp_path, stdin):
    stdin("w1 w2 w3\n\nw4 w5 w6 w7\nw8 w1\n")
    encoder_path = tmp_path / "enc.npz"
    code, _, err = run(capsys, "embed", model, "-", "-o", tmp_path / "a.npy", "--method", "sif",
                       "--save-encoder", encoder_path)
    assert code == 0 and err.strip() == ("w2v embed: warning: 1 of 4 sentences have no word in the vocabulary and "
                                         "have zero vectors")
    assert not np.load(tmp_path / "a.npy")[1].any()
    test = tmp_path / "test.txt"
    test.write_text("w9 w10\nw1 w2 w3\n")
    assert run(capsys, "embed", encoder_path, test, "-o", tmp_path / "b.npy")[0] == 0
    np.testing.assert_array_equal(np.load(tmp_path / "b.npy"),
                                  SentenceEncoder.load(encoder_path).transform(["w9 w10", "w1 w2 w3"]))
    code, _, err = run(capsys, "embed", encoder_path, test, "-o", tmp_path / "c.npy", "--method", "usif")
    one_line_error(code, err, "holds a fitted 'sif' encoder that embeds with its own weights: leave out --method")


def test_export_vocab_feeds_sif_for_vectors_without_counts(capsys, model, wv, tmp_path):
    vocab = tmp_path / "vocab.txt"
    code, out, _ = run(capsys, "export", model, tmp_path / "m.txt", "--vocab", vocab)
    assert code == 0 and "wrote 80 words and their counts" in out
    read = read_vocab_file(vocab)
    assert read.words == WORDS and read.counts.tolist() == wv.counts.tolist()
    source = tmp_path / "s.txt"
    source.write_text("w1 w2 w3\nw4 w5\n")
    code, _, err = run(capsys, "embed", tmp_path / "m.txt", source, "-o", tmp_path / "s.npy", "--method", "sif")
    one_line_error(code, err, "--method sif needs word frequencies")
    assert "--counts VOCAB" in err
    code, _, _ = run(capsys, "embed", tmp_path / "m.txt", source, "-o", tmp_path / "s.npy", "--method", "sif",
                     "--counts", vocab)
    assert code == 0
    np.testing.assert_allclose(np.load(tmp_path / "s.npy"),
                               SentenceEncoder(wv, "sif").fit_transform(["w1 w2 w3", "w4 w5"]), rtol=1e-5)
    code, _, err = run(capsys, "export", tmp_path / "m.txt", "--vocab", tmp_path / "v2.txt")
    one_line_error(code, err, "hold no word counts (word2vec files keep none)")


@pytest.mark.parametrize(
    "content, argv, message",
    [
        (b"zebra yak\n\n", [], "s.txt: none of its 2 lines has a word in the vocabulary"),
        (b"", [], "s.txt: holds no lines"),
        (b"w1 w2\ncaf\xe9\n", [], "s.txt:2: not valid UTF-8 (byte 0xe9 at column 4)"),
        (b"w1 w2\n", ["-o", "{model}"], "is an input of this run"),
        (b"w1 w2\n", ["--counts", "{tmp}/missing.txt", "--method", "sif"], "missing.txt: cannot read"),
    ],
)
def test_bad_embed_input_gives_one_line(capsys, model, tmp_path, content, argv, message):
    source = tmp_path / "s.txt"
    source.write_bytes(content)
    argv = [a.format(model=model, tmp=tmp_path) for a in argv]
    out_flag = [] if "-o" in argv else ["-o", tmp_path / "s.npy"]
    code, _, err = run(capsys, "embed", model, source, *out_flag, *argv)
    one_line_error(code, err, message)
    assert w2v.load(model).vectors.shape == (80, 10)  # the model was not touched
