"""Phrases (w2v phrases, w2v.text.phrases): word2phrase's scores, gensim's Phrases as the peer, bounded memory,
streaming inputs, safe outputs, and phrase analogies on vectors trained on the joined text."""

import gzip
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import w2v
from w2v import evaluate
from w2v.cli import main
from w2v.errors import ConfigError, CorpusError, OutputError

PLANTED = [("new", "york"), ("los", "angeles"), ("united", "states"), ("york", "times"), ("prime", "minister")]


def planted_lines(n_lines=3000, seed=0):
    """Zipf-like words with collocations planted among them (``new york times`` makes a trigram)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, 401)
    weights /= weights.sum()
    lines = []
    for _ in range(n_lines):
        words = [f"w{i}" for i in rng.choice(400, size=rng.integers(3, 25), p=weights)]
        if rng.random() < 0.15:
            pair = PLANTED[rng.integers(len(PLANTED))]
            at = int(rng.integers(len(words) + 1))
            words[at:at] = ["new", "york", "times"] if pair == ("york", "times") else list(pair)
        lines.append(" ".join(words))
    return lines


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "planted.txt"
    path.write_text("\n".join(planted_lines()) + "\n")
    return path


def word2phrase_score(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """word2vec.c's score, for gensim's scoring= (gensim's own default multiplies by len_vocab instead)."""
    return (bigram_count - min_count) / worda_count / wordb_count * corpus_word_count


def lines_of(path):
    return [line.split() for line in path.read_text().splitlines()]


@pytest.fixture
def gensim_phrases():
    return pytest.importorskip("gensim.models.phrases").Phrases


@pytest.mark.parametrize("scoring, threshold", [("default", 100.0), ("default", 10.0), ("npmi", 0.5)])
def test_one_pass_finds_gensims_phrases_with_its_scores_and_writes_its_text(tmp_path, text, gensim_phrases,
                                                                           scoring, threshold):
    report = w2v.phrases(text, tmp_path / "out.txt", min_count=5, threshold=threshold, scoring=scoring, passes=1)
    sentences = lines_of(text)
    theirs = gensim_phrases(sentences, min_count=5, threshold=threshold,
                            scoring=word2phrase_score if scoring == "default" else "npmi")
    found = theirs.export_phrases()
    assert report.passes[0].found.keys() == found.keys() and len(found) >= 4
    for phrase, score in found.items():
        assert report.passes[0].found[phrase] == pytest.approx(score, rel=1e-12)
    assert lines_of(tmp_path / "out.txt") == [theirs[s] for s in sentences]


def test_two_passes_write_what_gensims_phrases_of_phrases_write(tmp_path, text, gensim_phrases):
    report = w2v.phrases(text, tmp_path / "out.txt", threshold=[200, 100], passes=2)
    sentences = lines_of(text)
    bigrams = gensim_phrases(sentences, threshold=200, scoring=word2phrase_score)
    once = [bigrams[s] for s in sentences]
    trigrams = gensim_phrases(once, threshold=100, scoring=word2phrase_score)
    assert lines_of(tmp_path / "out.txt") == [trigrams[s] for s in once]
    assert "new_york_times" in report.passes[1].found
    assert set(trigrams.find_phrases(once)) <= set(report.passes[1].found)
    assert [p.threshold for p in report.passes] == [200.0, 100.0]


def test_the_default_score_is_word2phrases_formula(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a b a b a b a c\nb a b\n")  # N = 11; c(a) = c(b) = 5, c(ab) = c(ba) = 4, c(ac) = 1
    report = w2v.phrases(path, tmp_path / "out.txt", min_count=1, threshold=0.01, passes=1)
    assert report.passes[0].found["a_b"] == pytest.approx((4 - 1) / (5 * 5) * 11)
    assert report.passes[0].found.keys() == {"a_b", "b_a"}  # a_c scores (1 - 1) / 5 * 11 = 0
    npmi = w2v.phrases(path, tmp_path / "npmi.txt", min_count=1, threshold=-1, scoring="npmi", passes=1)
    assert npmi.passes[0].found["a_b"] == pytest.approx(math.log((4 / 11) / (5 / 11) ** 2) / -math.log(4 / 11))
    # Left to right, and a word that ends a phrase does not start the next one.
    assert (tmp_path / "out.txt").read_text() == "a_b a_b a_b a c\nb_a b\n"


def test_two_passes_are_one_pass_run_twice(tmp_path, text):
    w2v.phrases(text, tmp_path / "twice.txt", threshold=50, passes=2)
    w2v.phrases(text, tmp_path / "once.txt", threshold=50, passes=1)
    w2v.phrases(tmp_path / "once.txt", tmp_path / "again.txt", threshold=50, passes=1)
    assert (tmp_path / "twice.txt").read_bytes() == (tmp_path / "again.txt").read_bytes()


def test_counts_spilled_under_a_tiny_memory_cap_are_exact(tmp_path, text):
    roomy = w2v.phrases(text, tmp_path / "roomy.txt", threshold=10)
    tight = w2v.phrases(text, tmp_path / "tight.txt", threshold=10, count_memory=1 << 12)
    assert tight.spilled and not roomy.spilled
    assert [p.found for p in tight.passes] == [p.found for p in roomy.passes]
    assert (tmp_path / "tight.txt").read_bytes() == (tmp_path / "roomy.txt").read_bytes()


def test_lines_stay_lines_and_whitespace_becomes_single_spaces(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(("x y\t x  y\n\n  x\u00a0y \r\nz" + "\nx y" * 9).encode())
    w2v.phrases(path, tmp_path / "out.txt", min_count=1, threshold=1, passes=1)
    assert (tmp_path / "out.txt").read_text().split("\n")[:5] == ["x_y x_y", "", "x_y", "z", "x_y"]


def test_compressed_files_folders_and_standard_input_give_the_same_text(tmp_path, text):
    w2v.phrases(text, tmp_path / "plain.txt")
    folder = tmp_path / "parts"
    folder.mkdir()
    lines = text.read_text().splitlines(keepends=True)
    (folder / "a.txt.gz").write_bytes(gzip.compress("".join(lines[:1400]).encode()))
    (folder / "b.txt").write_text("".join(lines[1400:]))
    w2v.phrases(folder, tmp_path / "folder.txt")
    assert (tmp_path / "folder.txt").read_bytes() == (tmp_path / "plain.txt").read_bytes()
    with open(text, "rb") as stdin:
        result = subprocess.run([sys.executable, "-m", "w2v", "phrases", "-", "-o", str(tmp_path / "stdin.txt")],
                                stdin=stdin, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "stdin.txt").read_bytes() == (tmp_path / "plain.txt").read_bytes()


def test_the_output_is_written_atomically_and_never_over_an_input(tmp_path, text, monkeypatch):
    out = tmp_path / "out.txt"
    out.write_text("old\n")
    with pytest.raises(OutputError, match="is an input of this run"):
        w2v.phrases(text, text)

    def broken(*args):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(sys.modules["w2v.text.phrases"], "render", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        w2v.phrases(text, out)
    assert out.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "planted.txt"]


@pytest.mark.parametrize("options, message", [
    (dict(threshold=0), r"threshold must be a finite number above 0 for default scoring"),
    (dict(threshold=1.5, scoring="npmi"), r"threshold must be a number in \[-1, 1\) for npmi scoring"),
    (dict(threshold=[1, 2, 3], passes=2), "threshold gives 3 values for passes=2"),
    (dict(scoring="pmi"), "scoring must be one of default, npmi"),
    (dict(min_count=0), "min_count must be an integer in 1.."),
    (dict(passes=0), "passes must be an integer in 1..16"),
])
def test_bad_options_name_the_option(tmp_path, text, options, message):
    with pytest.raises(ConfigError, match=message):
        w2v.phrases(text, tmp_path / "out.txt", **options)
    assert not (tmp_path / "out.txt").exists()


def test_a_text_without_words_is_refused(tmp_path):
    (tmp_path / "empty.txt").write_text("\n \n")
    with pytest.raises(CorpusError, match="holds no words"):
        w2v.phrases(tmp_path / "empty.txt", tmp_path / "out.txt")


def test_the_phrases_command(tmp_path, text, capsys):
    code = main(["phrases", str(text), "-o", str(tmp_path / "out.txt"), "--threshold", "200", "100"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "pass 1: " in out and "pass 2: " in out and "new_york_times" in (tmp_path / "out.txt").read_text()
    for argv, message in ((["--threshold", "1", "2", "3"], "--threshold gives 3 values for --passes 2"),
                          (["--scoring", "npmi", "--threshold", "2"], "--threshold must be a number in [-1, 1)"),
                          (["-o", str(text)], "is an input of this run")):
        code = main(["phrases", str(text), "-o", str(tmp_path / "o.txt"), *argv])
        err = capsys.readouterr().err
        assert code == 1 and message in err and len(err.strip().splitlines()) == 1, err


def test_vectors_trained_on_the_joined_text_answer_phrase_analogies(tmp_path, text):
    w2v.phrases(text, tmp_path / "phrased.txt", threshold=[200, 100])
    wv = w2v.train(tmp_path / "phrased.txt", vector_size=16, epochs=2, seed=1, workers=1, min_count=5)
    assert {"new_york_times", "los_angeles", "prime_minister"} <= set(wv.index_to_key)
    questions = tmp_path / "questions-phrases.txt"  # the layout and case of word2vec.c's file
    questions.write_text(": newspapers\nNew_York New_York_Times Los_Angeles Los_Angeles_Times\n"
                         ": misc\nUnited_States Prime_Minister Los_Angeles New_York_Times\n")
    result = evaluate.analogies(wv, questions)
    assert result.total == 1 and result.skipped == 1  # Los_Angeles_Times never occurs
    model = tmp_path / "m.npz"
    wv.save(model)
    assert main(["evaluate", str(model), "--analogies", str(questions)]) == 0


def test_the_phrase_analogy_set_of_word2vec_c_is_read(tmp_path, text):
    data = os.environ.get("W2V_DATA_DIR")
    questions = os.path.join(data or "", "eval", "questions-phrases.txt")
    if not os.path.isfile(questions):
        pytest.skip("questions-phrases.txt not available offline: set W2V_DATA_DIR to a folder holding eval/")
    w2v.phrases(text, tmp_path / "phrased.txt")
    wv = w2v.train(tmp_path / "phrased.txt", vector_size=8, epochs=1, seed=1, workers=1, min_count=1)
    result = evaluate.analogies(wv, questions)
    assert result.total + result.skipped == 3218 and len(result.sections) == 5
