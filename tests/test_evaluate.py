import dataclasses
import hashlib
import json
import math
import os
import shutil
from pathlib import Path

import gensim
import numpy as np
import pytest
from gensim.models import KeyedVectors

import w2v
from w2v import WordVectors
from w2v.cli import main
from w2v.datasets import benchmarks
from w2v.errors import BenchmarkError, DataError
from w2v.vectors import evaluate, report


def eval_file(name: str) -> Path | None:
    data = os.environ.get("W2V_DATA_DIR")
    path = Path(data) / "eval" / name if data else None
    return path if path is not None and path.is_file() else None


requires_google = pytest.mark.skipif(
    eval_file("questions-words.txt") is None,
    reason="questions-words.txt not available offline: set W2V_DATA_DIR to a folder holding eval/",
)
requires_wordsim = pytest.mark.skipif(
    eval_file("wordsim353.tsv") is None,
    reason="wordsim353.tsv not available offline: set W2V_DATA_DIR to a folder holding eval/",
)


# ---------------------------------------------------------------- test vectors


def write_questions(path: Path, sections: dict[str, list[tuple[str, str]]]) -> Path:
    """An analogy file asking every ordered pair of distinct pairs of each section."""
    lines = []
    for name, pairs in sections.items():
        lines.append(f": {name}")
        lines += [f"{a} {b} {c} {d}" for a, b in pairs for c, d in pairs if a != c]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def questions(tmp_path) -> Path:
    return write_questions(tmp_path / "questions.txt", {
        "capital-common": [(f"city{i}", f"Land{i}") for i in range(10)],  # mixed case on purpose
        "family": [(f"he{i}", f"she{i}") for i in range(8)],
        "gram1-plural": [(f"noun{i}", f"noun{i}s") for i in range(10)],
        "gram2-past": [(f"verb{i}", f"verb{i}ed") for i in range(9)],
    })


def structured_vectors(sections, dim=24, noise=0.6, seed=0) -> tuple[list[str], np.ndarray]:
    """Vectors in which ``b - a ≈ d - c`` within a section, plus noise: many answers right, some wrong.

    The words (lower-cased) get vectors from a least-squares fit of ``v_b - v_a = r_section``
    for every pair of every question, pulled towards random points.
    """
    rng = np.random.default_rng(seed)
    words = list(dict.fromkeys(w.lower() for _, qs in sections for q in qs for w in q))
    row = {w: i for i, w in enumerate(words)}
    pairs = sorted({(row[x.lower()], row[y.lower()], s)
                    for s, (_, qs) in enumerate(sections) for q in qs for x, y in (q[:2], q[2:])})
    n_words, n_sections = len(words), len(sections)
    system = np.zeros((len(pairs) + n_words, n_words + n_sections))
    target = np.zeros((len(pairs) + n_words, dim))
    for r, (x, y, s) in enumerate(pairs):
        system[r, [y, x, n_words + s]] = [1, -1, -1]
    system[len(pairs):, :n_words] = 0.5 * np.eye(n_words)
    target[len(pairs):] = 0.5 * rng.standard_normal((n_words, dim))
    fitted = np.linalg.solve(system.T @ system, system.T @ target)[:n_words]  # least squares
    scale = np.linalg.norm(fitted, axis=1).mean() / np.sqrt(dim)
    return words, (fitted + noise * scale * rng.standard_normal(fitted.shape)).astype(np.float32)


def with_variants_and_distractors(words, vectors, seed=1) -> tuple[list[str], np.ndarray]:
    """Shuffle the words ("frequency" order), add case variants and unrelated words.

    Every 10th word gets a capitalised variant *before* it (so the variant is the one
    gensim keeps), every 10th an upper-cased variant after it; variants lie close to the
    word, so they are often the nearest answer, or must be excluded as a question word.
    """
    rng = np.random.default_rng(seed)
    scale = np.linalg.norm(vectors, axis=1).mean() / np.sqrt(vectors.shape[1])
    out_words, out_vectors = [], []
    for i in rng.permutation(len(words)):
        word, vector = words[i], vectors[i]
        entries = [(word, vector)]
        if i % 10 == 0:
            entries.insert(0, (word.capitalize(), vector + 0.05 * scale * rng.standard_normal(vector.shape)))
        if i % 10 == 5:
            entries.append((word.upper(), vector + 0.05 * scale * rng.standard_normal(vector.shape)))
        if i % 3 == 0:
            entries.append((f"other{i}", scale * rng.standard_normal(vector.shape)))
        for w, v in entries:
            out_words.append(w)
            out_vectors.append(v)
    return out_words, np.array(out_vectors, dtype=np.float32)


def gensim_kv(words, vectors) -> KeyedVectors:
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors)
    return kv


def gensim_sections(kv, path, restrict_vocab):
    _, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=restrict_vocab, case_insensitive=True)
    return [(s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in sections[:-1]]


def ours(result):
    return [(s.section, s.correct, s.total) for s in result.sections]


def test_structured_vectors_answer_many_but_not_all_questions(questions):
    words, vectors = structured_vectors(benchmarks.read_analogies(questions))
    result = evaluate.analogies(WordVectors(vectors, words), questions)
    assert 0.3 < result.accuracy < 0.95 and result.skipped == 0


# ---------------------------------------------------------------- analogies against gensim


@pytest.mark.parametrize("restrict_vocab", [None, 70])
def test_analogy_accuracy_per_section_equals_gensim(questions, restrict_vocab):
    words, vectors = with_variants_and_distractors(*structured_vectors(benchmarks.read_analogies(questions)))
    limit = restrict_vocab or len(words)
    result = evaluate.analogies(WordVectors(vectors, words), questions, restrict_vocab=limit)
    assert ours(result) == gensim_sections(gensim_kv(words, vectors), questions, limit)
    assert result.correct > 0 and (result.skipped > 0) == (restrict_vocab is not None)


@requires_google
def test_google_questions_equal_gensim_on_vectors_exported_in_word2vec_format(tmp_path):
    sample = tmp_path / "questions.txt"  # every 8th question of each section keeps the test fast
    sections = benchmarks.read_analogies(eval_file("questions-words.txt"))
    write_lines = [line for name, qs in sections for line in [f": {name}", *(" ".join(q) for q in qs[::8])]]
    sample.write_text("\n".join(write_lines) + "\n")
    words, vectors = with_variants_and_distractors(*structured_vectors(benchmarks.read_analogies(sample), noise=0.35))
    exported = tmp_path / "vectors.bin"
    WordVectors(vectors, words).save_word2vec_format(exported, binary=True)
    kv = KeyedVectors.load_word2vec_format(str(exported), binary=True)
    wv = w2v.load(exported)
    for limit in (len(words), len(words) * 2 // 3):
        result = evaluate.analogies(wv, sample, restrict_vocab=limit)
        assert ours(result) == gensim_sections(kv, sample, limit)
        assert len(result.sections) == 14 and result.correct > 0


def test_3cosmul_equals_gensim_most_similar_cosmul(questions, monkeypatch):
    monkeypatch.setattr(evaluate, "COSMUL_EPSILON", 1e-6)  # gensim's epsilon; Levy & Goldberg use 0.001
    words, vectors = structured_vectors(benchmarks.read_analogies(questions))
    kv = gensim_kv(words, vectors)
    result = evaluate.analogies(WordVectors(vectors, words), questions, method="3cosmul")
    expected = []
    for name, qs in benchmarks.read_analogies(questions):
        answers = [kv.most_similar_cosmul(positive=[b.lower(), c.lower()], negative=[a.lower()], topn=1)[0][0]
                   for a, b, c, _ in qs]
        expected.append((name, sum(x == q[3].lower() for x, q in zip(answers, qs)), len(qs)))
    assert ours(result) == expected
    assert result.accuracy != evaluate.analogies(WordVectors(vectors, words), questions).accuracy


def test_3cosmul_follows_levy_and_goldberg(tmp_path):
    vectors = np.array([[1, 0, 0], [0.6, 0.8, 0], [0.8, 0, 0.6], [0.3, 0.6, 0.7], [0.5, 0.5, 0.1], [-1, 0, 0.2]])
    wv = WordVectors(vectors, ["a", "b", "c", "x", "y", "z"])
    unit = wv.unit_vectors.astype(np.float64)
    shifted = (1 + unit[3:] @ unit[:3].T) / 2  # (3, 3): cos' of x, y, z with a, b, c
    multiplied = shifted[:, 1] * shifted[:, 2] / (shifted[:, 0] + 0.001)
    added = unit[3:] @ (unit[1] - unit[0] + unit[2])
    assert (np.argmax(multiplied), np.argmax(added)) == (2, 0)  # the two methods disagree: z and x
    path = tmp_path / "q.txt"
    path.write_text(": mul\na b c z\n: add\na b c x\n")
    assert [s.correct for s in evaluate.analogies(wv, path, method="3cosmul").sections] == [1, 0]
    assert [s.correct for s in evaluate.analogies(wv, path, method="3cosadd").sections] == [0, 1]


# ---------------------------------------------------------------- analogy semantics


@pytest.fixture
def tiny(tmp_path):
    """king - man + woman = queen; 'twin' has queen's vector but comes later."""
    words = ["man", "woman", "king", "queen", "twin", "apple", "paris", "france", "rome", "italy"]
    vectors = np.array([
        [1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0],
        [0, 0, 0, 1], [0.1, 0.2, 0, 1], [0.1, 0.5, 0.6, 1], [0.7, 0, 0.3, 0.8], [0, 0.7, 0.3, 0.8],
    ])
    path = tmp_path / "tiny.txt"
    path.write_text(": family\nman woman king queen\nman woman king twin\nMAN Woman King Queen\n\n"
                    ": gram1-plural\nrome italy paris france\nman woman king zebra\n")
    return WordVectors(vectors, words), path


def test_ties_go_to_the_more_frequent_word_and_case_is_ignored(tiny):
    wv, path = tiny
    result = evaluate.analogies(wv, path)
    family, plural = result.sections
    assert (family.correct, family.total, family.skipped) == (2, 3, 0)  # 'twin' ties with 'queen' and loses
    assert (plural.total, plural.skipped) == (1, 1)


def test_totals_coverage_and_the_json_keys(tiny):
    wv, path = tiny
    result = evaluate.analogies(wv, path, restrict_vocab=8)  # italy, france... outside
    data = result.to_dict()
    assert {"file", "accuracy", "semantic", "syntactic", "correct", "total", "skipped", "sections"} <= set(data)
    assert data["total"] == 3 and data["skipped"] == 2 and data["coverage"] == pytest.approx(3 / 5)
    assert data["semantic"] == pytest.approx(2 / 3) and data["syntactic"] is None
    assert data["sections"][1] == {"section": "gram1-plural", "accuracy": None, "correct": 0, "total": 0, "skipped": 2}
    json.dumps(data)


def test_case_sensitive_matching(tiny):
    wv, path = tiny
    family = evaluate.analogies(wv, path, case_insensitive=False).sections[0]
    assert (family.total, family.skipped) == (2, 1)


def test_bad_options_are_refused(tiny):
    wv, path = tiny
    with pytest.raises(ValueError, match="method"):
        evaluate.analogies(wv, path, method="3cosavg")
    with pytest.raises(ValueError, match="restrict_vocab"):
        evaluate.analogies(wv, path, restrict_vocab=0)


def test_batches_give_the_same_answers(questions, monkeypatch):
    words, vectors = structured_vectors(benchmarks.read_analogies(questions))
    wv = WordVectors(vectors, words)
    whole = evaluate.analogies(wv, questions)
    monkeypatch.setattr(evaluate, "MAX_BATCH", 7)
    assert ours(evaluate.analogies(wv, questions)) == ours(whole)


# ---------------------------------------------------------------- malformed analogy files


@pytest.mark.parametrize(
    "content, message",
    [
        (b": s\na b c d\na b c\n", r":3: expected four words 'a b c d', found 3"),
        (b": s\na b c d e\n", r":2: expected four words"),
        (b"a b c d\n", r":1: a question before the first ': section' line"),
        (b": s\na b c d\n: \n", r":3: a ':' line without a section name"),
        (b": s\na b c d\ncaf\xe9 b c d\n", r":3: not valid UTF-8 \(byte 0xe9 at column 4\)"),
        (b"", r"holds no analogy questions"),
        (b": s\n\n", r"holds no analogy questions"),
    ],
)
def test_malformed_analogy_files_name_the_file_and_line(tmp_path, tiny, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(BenchmarkError, match=message) as err:
        evaluate.analogies(tiny[0], path)
    assert str(path) in str(err.value)


def test_analogy_files_with_crlf_blank_lines_and_a_bom_are_read(tmp_path):
    path = tmp_path / "q.txt"
    path.write_bytes("\ufeff: s\r\n\r\nA b c d\r\n   \r\n".encode("utf-8"))
    assert benchmarks.read_analogies(path) == [("s", [("A", "b", "c", "d")])]


def test_a_missing_file_is_a_clear_error(tmp_path, tiny):
    with pytest.raises(BenchmarkError, match="no such file, and not a named benchmark .*google"):
        evaluate.analogies(tiny[0], tmp_path / "nope.txt")
    with pytest.raises(BenchmarkError, match="wordsim353 is a similarity benchmark"):
        evaluate.analogies(tiny[0], "wordsim353")


# ---------------------------------------------------------------- word similarity


@pytest.fixture
def pair_vectors():
    rng = np.random.default_rng(3)
    words = ["tiger", "cat", "Cat", "car", "train", "money", "cash", "bank", "king", "queen", "Jerusalem", "israel"]
    return WordVectors(rng.standard_normal((len(words), 8)), words)


PAIRS = ("Word 1\tWord 2\tHuman (mean)\ntiger\tcat\t7.35\nTIGER\tCat\t7.35\ncar\ttrain\t6.31\nmoney\tcash\t9.15\n"
         "money\tcash\t9.08\nbank\tmoney\t8.50\nking\tqueen\t8.58\njerusalem\tIsrael\t8.46\nzebra\tcat\t4.00\n"
         "king\tcash\t1.10\n")


def test_similarity_equals_gensim_evaluate_word_pairs(tmp_path, pair_vectors):
    path = tmp_path / "pairs.tsv"
    path.write_text(PAIRS)
    result = evaluate.similarity(pair_vectors, path)
    kv = gensim_kv(pair_vectors.index_to_key, pair_vectors.vectors)
    pearson, spearman, oov_ratio = kv.evaluate_word_pairs(str(path))
    assert result.spearman == pytest.approx(spearman[0], abs=1e-6)
    assert result.pearson == pytest.approx(pearson[0], abs=1e-6)
    assert (result.pairs, result.skipped) == (9, 1)
    assert oov_ratio == pytest.approx(100 * result.skipped / (result.pairs + result.skipped))


@requires_wordsim
def test_wordsim353_equals_gensim(pair_vectors):
    path = eval_file("wordsim353.tsv")
    words = sorted({w for w1, w2, _ in benchmarks.read_word_pairs(path) for w in (w1.lower(), w2)})[:-20]
    vectors = np.random.default_rng(4).standard_normal((len(words), 16)).astype(np.float32)
    result = evaluate.similarity(WordVectors(vectors, words), "wordsim353")
    pearson, spearman, _ = gensim_kv(words, vectors).evaluate_word_pairs(str(path))
    assert result.spearman == pytest.approx(spearman[0], abs=1e-6)
    assert result.pearson == pytest.approx(pearson[0], abs=1e-6)
    assert result.pairs + result.skipped == 353 and result.skipped > 0


def test_similarity_files_from_the_wild(tmp_path, pair_vectors):
    wild = tmp_path / "wild.txt"  # CRLF, spaces, a comment, extra columns, score in column 4
    wild.write_bytes(b"# pairs\r\nw1 w2 POS score sd\r\ntiger cat N 7.35 0.4\r\n\r\ncar  train N 6.31 1\r\n"
                     b"MONEY cash N 9.15 0.1\r\nking queen N 8.58 0.2\r\n")
    assert benchmarks.read_word_pairs(wild, score_column=4) == [
        ("tiger", "cat", 7.35), ("car", "train", 6.31), ("MONEY", "cash", 9.15), ("king", "queen", 8.58)
    ]
    result = evaluate.similarity(pair_vectors, wild, score_column=4)
    assert (result.pairs, result.skipped) == (4, 0)
    tabs = tmp_path / "tabs.tsv"  # a tab-separated file may hold phrases with spaces
    tabs.write_text("new york\tcity\t7\ncat\ttiger\t8\n")
    assert benchmarks.read_word_pairs(tabs) == [("new york", "city", 7.0), ("cat", "tiger", 8.0)]


@pytest.mark.parametrize(
    "content, column, message",
    [
        (b"a b 1\nc d x\n", 3, r":2: the score 'x' \(column 3\) is not a finite number"),
        (b"a b 1\nc d nan\n", 3, r":2: the score 'nan' \(column 3\) is not a finite number"),
        (b"a b 1\nc d\n", 3, r":2: expected 'word1 word2 score' with the score in column 3, found 2 fields"),
        (b"a b c 1\nd e f 2\n", 5, r":2: expected 'word1 word2 score' with the score in column 5"),
        (b"a\t\t1\n", 3, r":1: expected 'word1 word2 score'"),
        (b"a b 1\ncaf\xc3 b 2\n", 3, r":2: not valid UTF-8"),
        (b"word1 word2 score\n", 3, r"holds no word pairs"),
        (b"a b 1\n", 2, r"score column must be 3 or more"),
    ],
)
def test_malformed_similarity_files_name_the_file_and_line(tmp_path, content, column, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(BenchmarkError, match=message):
        benchmarks.read_word_pairs(path, score_column=column)


def test_too_few_known_pairs_is_an_error_and_constant_scores_give_nan(tmp_path, pair_vectors):
    path = tmp_path / "p.txt"
    path.write_text("tiger cat 1\nzebra gnu 2\n")
    with pytest.raises(BenchmarkError, match="only 1 of its 2 pairs have both words in the vocabulary"):
        evaluate.similarity(pair_vectors, path)
    path.write_text("tiger cat 5\ncar train 5\nking queen 5\n")
    result = evaluate.similarity(pair_vectors, path)
    assert math.isnan(result.spearman) and result.to_dict()["spearman"] is None


# ---------------------------------------------------------------- named benchmarks


@requires_google
def test_named_benchmarks_come_from_w2v_data_dir_and_match_their_checksums():
    for name, kind in (("google", "analogies"), ("wordsim353", "similarity")):
        path, bench = benchmarks.resolve(name, kind)
        assert path == Path(os.environ["W2V_DATA_DIR"]) / bench.relpath


def test_a_named_benchmark_neither_offline_nor_downloadable_is_a_clear_error(tmp_path, monkeypatch, tiny):
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path / "empty"))
    gone = dataclasses.replace(benchmarks.BENCHMARKS["google"], url=(tmp_path / "gone.txt").as_uri())
    monkeypatch.setitem(benchmarks.BENCHMARKS, "google", gone)
    with pytest.raises(DataError, match="eval/questions-words.txt not found in .*W2V_DATA_DIR"):
        evaluate.analogies(tiny[0], "google")
    with pytest.raises(BenchmarkError, match=r"men: not found at \$W2V_DATA_DIR/eval/men.txt .*no download"):
        evaluate.similarity(tiny[0], "men")


def test_benchmarks_without_a_verified_download_are_read_from_w2v_data_dir(tmp_path, monkeypatch, pair_vectors):
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "rw.txt").write_text("tiger\tcat\t7.35\t7\t8\ncar\ttrain\t6.31\t6\t5\nking\tqueen\t8\t9\t9\n")
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path))
    assert evaluate.similarity(pair_vectors, "rw").pairs == 3


def test_simlex999_is_gensims_copy_and_scores_as_gensim_does(tmp_path, monkeypatch):
    gensim_copy = Path(gensim.__file__).parent / "test" / "test_data" / "simlex999.txt"
    bench = benchmarks.BENCHMARKS["simlex999"]
    assert hashlib.sha256(gensim_copy.read_bytes()).hexdigest() == bench.sha256
    (tmp_path / "eval").mkdir()
    shutil.copy(gensim_copy, tmp_path / bench.relpath)
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path))
    words = sorted({w for w1, w2, _ in benchmarks.read_word_pairs(gensim_copy) for w in (w1, w2)})[::2]
    vectors = np.random.default_rng(5).standard_normal((len(words), 16)).astype(np.float32)
    result = evaluate.similarity(WordVectors(vectors, words), "simlex999")
    pearson, spearman, _ = gensim_kv(words, vectors).evaluate_word_pairs(str(gensim_copy))
    assert result.spearman == pytest.approx(spearman[0], abs=1e-6) and result.pairs + result.skipped == 999


def test_every_verified_benchmark_has_a_pinned_url():
    for bench in benchmarks.BENCHMARKS.values():
        assert bench.relpath.startswith("eval/") and bool(bench.url) == bool(bench.sha256)
        if bench.url:
            assert bench.url.startswith("https://raw.githubusercontent.com/") and len(bench.sha256) == 64


# ---------------------------------------------------------------- reports and the command line


def test_report_writes_markdown_and_a_chart(tmp_path, tiny, pair_vectors):
    wv, path = tiny
    analogy = evaluate.analogies(wv, path)
    pairs = tmp_path / "p.txt"
    pairs.write_text("man woman 3\nking queen 4\nparis rome 2\napple king 0.5\n")
    similarity = evaluate.similarity(wv, pairs)
    written = report.write_report(tmp_path / "report.md", analogy, [similarity], model="m.npz")
    assert written == [tmp_path / "report.md", tmp_path / "report-analogies.png"]
    text = written[0].read_text()
    assert text.startswith("# Evaluation of m.npz") and "![accuracy per section](report-analogies.png)" in text
    assert "| family" in text and "66.7 %" in text and "| p.txt" in text
    assert written[1].read_bytes()[:4] == b"\x89PNG"


def test_format_results_is_aligned_markdown(tiny):
    wv, path = tiny
    lines = report.format_results(evaluate.analogies(wv, path), []).splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len({len(line) for line in table}) == 1
    assert table[1].startswith("| ---") and table[-1].startswith("| total")
    assert lines[0].startswith("Analogies: tiny.txt, 3cosadd over the top 10 words: 75.0 % right; 4 of 5 questions")


@pytest.fixture
def model_file(tmp_path, tiny):
    wv, path = tiny
    wv.save(tmp_path / "m.npz")
    return tmp_path / "m.npz", path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_evaluate_prints_json_and_writes_a_report(tmp_path, model_file, capsys):
    model, questions = model_file
    pairs = tmp_path / "p.csv"
    pairs.write_text("w1,w2,x,score\nman woman 1 3\nking queen 1 4\nparis rome 1 2\n".replace(",", " "))
    code, out, err = run(capsys, "evaluate", model, "--analogies", questions, "--similarity", pairs, pairs,
                         "--score-column", 4, "--json", "--report", tmp_path / "r.md", "--method", "3cosmul")
    assert code == 0, err
    data = json.loads(out)
    assert data["analogies"]["total"] == 4 and data["analogies"]["sections"][0]["section"] == "family"
    assert [s["pairs"] for s in data["similarity"]] == [3, 3]
    assert (tmp_path / "r.md").is_file() and (tmp_path / "r-analogies.png").is_file()
    code, out, _ = run(capsys, "evaluate", model, "--analogies", questions)
    assert code == 0 and "| family" in out and "Word similarity" not in out


@requires_wordsim
@requires_google
def test_cli_evaluate_defaults_to_google_and_wordsim353(model_file, capsys):
    code, out, err = run(capsys, "evaluate", model_file[0], "--json")
    data = json.loads(out)
    assert Path(data["analogies"]["file"]).name == "questions-words.txt"
    assert Path(data["similarity"][0]["file"]).name == "wordsim353.tsv" and data["similarity"][0]["pairs"] >= 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--analogies", "{tmp}/bad.txt"], "bad.txt:2: expected four words"),
        (["--analogies", "nonsense"], "nonsense: no such file, and not a named benchmark"),
        (["--analogies", "{questions}", "--similarity", "{tmp}/bad.txt"], "bad.txt:2: the score 'c' (column 3)"),
        (["--analogies", "{questions}", "--report", "{tmp}/nodir/r.md"], "does not exist"),
    ],
)
def test_cli_evaluate_errors_are_one_line(tmp_path, model_file, capsys, argv, message):
    (tmp_path / "bad.txt").write_text(": s\na b c\n")
    argv = [a.format(tmp=tmp_path, questions=model_file[1]) for a in argv]
    code, out, err = run(capsys, "evaluate", model_file[0], *argv)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1



def test_similarity_scores_never_copy_the_matrix_to_unit_length(tmp_path):
    """Mapped vectors stay shared: cosines divide by the rows' lengths, for the pairs scored only."""
    rng = np.random.default_rng(0)
    wv = WordVectors(rng.normal(size=(50, 8)).astype(np.float32), [f"w{i}" for i in range(50)])
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("".join(f"w{i} w{i + 1} {i % 7}\n" for i in range(0, 40, 2)))
    result = evaluate.similarity(wv, pairs)
    assert wv._unit is None
    unit = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    model = [float(unit[i] @ unit[i + 1]) for i in range(0, 40, 2)]
    assert result.spearman == pytest.approx(stats_spearman([i % 7 for i in range(0, 40, 2)], model))


def stats_spearman(gold, model):
    from scipy import stats

    return float(stats.spearmanr(gold, model)[0])
