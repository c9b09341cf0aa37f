"""Supervised classification: the reference layers' gradients, the kernels against them, the reader's bad input,
the classifier's files (w2v's .npz and fastText's supervised .bin, served by the fasttext wheel), the command line,
and TextClassifier inside scikit-learn."""

import json
import subprocess
import sys

import numpy as np
import pytest

from w2v.classify import TextClassifier, label_scores, load_model, train_classifier
from w2v.cli import main
from w2v.errors import ConfigError, CorpusError, ModelFileError
from w2v.fast._classify_kernels import LOSSES, train_lines
from w2v.fast.classify import label_tree, noise_table
from w2v.reference.classifier import EmbeddingBag, SupervisedModel
from w2v.text.bags import BagMaker
from w2v.text.labelled import read_labelled

from gradcheck import assert_close, numerical_grad

rng = np.random.default_rng(0)
POSITIVE = ["good", "great", "fun", "superb", "lovely"]
NEGATIVE = ["bad", "awful", "boring", "dull", "poor"]
NEUTRAL = ["the", "movie", "film", "plot", "was"]


def toy(n=200, seed=0):
    """Lines of neutral words and one sentiment word each: separable by that word alone."""
    r = np.random.default_rng(seed)
    lines, labels = [], []
    for i in range(n):
        label = "pos" if i % 2 else "neg"
        words = list(r.choice(NEUTRAL, 3)) + [str(r.choice(POSITIVE if label == "pos" else NEGATIVE))]
        r.shuffle(words)
        lines.append(words)
        labels.append(label)
    return lines, labels


# ---- the reference: gradient checks --------------------------------------------------------

def test_the_embedding_bag_is_each_bags_mean_row_and_passes_the_gradient_check():
    W = rng.standard_normal((7, 3))
    layer = EmbeddingBag(W)
    offsets, rows = np.array([0, 3, 3, 5]), np.array([1, 1, 4, 0, 6])  # row 1 twice, an empty bag
    out = layer.forward(offsets, rows)
    np.testing.assert_allclose(out, [W[[1, 1, 4]].mean(0), np.zeros(3), W[[0, 6]].mean(0)])
    dout = rng.standard_normal(out.shape)
    layer.backward(dout)
    assert_close(layer.grads[0].to_dense(), numerical_grad(lambda: float((layer.forward(offsets, rows) * dout).sum()),
                                                           W))


def _targets(loss, L):
    if loss == "softmax":
        return np.array([2, 0]), None
    if loss == "ova":
        return np.array([[0, 1, 1, 0], [1, 0, 0, 0]], dtype=float), None
    if loss == "ns":
        return (np.array([[2, 0, 3], [0, 1, 1]]), np.array([[1, 0, 0], [1, 0, 0]], dtype=float)), None
    tree = label_tree("hs", np.array([9, 5, 3, 2]))
    P = tree.codes.shape[1]
    picked = np.stack([tree.points[2], tree.points[0]])
    codes = np.stack([tree.codes[2], tree.codes[0]]).astype(float)
    mask = (np.arange(P) < np.array([[tree.lengths[2]], [tree.lengths[0]]])).astype(float)
    return (picked, codes), mask


@pytest.mark.parametrize("loss", ["softmax", "ova", "ns", "hs"])
def test_the_supervised_model_passes_the_gradient_check(loss):
    L, H = 4, 3
    W_in, W_out = rng.standard_normal((9, H)), rng.standard_normal((L - 1 if loss == "hs" else L, H))
    model = SupervisedModel(W_in, W_out, loss)
    offsets, rows = np.array([0, 3, 5]), np.array([1, 8, 8, 0, 2])
    targets, mask = _targets(loss, L)

    def f():
        return model.forward(offsets, rows, targets, mask)

    f()
    model.zero_grad()
    model.backward()
    assert_close(model.grads[0].to_dense(), numerical_grad(f, W_in), rtol=1e-5, atol=1e-8)
    assert_close(model.grads[1], numerical_grad(f, W_out), rtol=1e-5, atol=1e-8)


# ---- the kernels: one line's update is one SGD step of the reference ------------------------

def _one_step(loss, labels, label_counts, negative=1):
    """(W_in, W_out) after the kernel's update on one line, and after the reference's SGD step."""
    L, H, lr = label_counts.size, 4, 0.3
    W_in = rng.standard_normal((9, H)).astype(np.float32)
    W_out = rng.standard_normal((max(L - 1, 1) if loss == "hs" else L, H)).astype(np.float32)
    offsets, rows = np.array([0, 4], dtype=np.int64), np.array([1, 8, 8, 3], dtype=np.int32)
    tree = label_tree(loss, label_counts)
    fast_in, fast_out = W_in.copy(), W_out.copy()
    train_lines(fast_in, fast_out, offsets, rows, np.array([0, len(labels)], dtype=np.int64),
                np.array(labels, dtype=np.int32), np.array([4], dtype=np.int64), np.array([0], dtype=np.int64),
                LOSSES[loss], negative, noise_table(label_counts), tree.codes, tree.points, tree.lengths, lr, 0.0,
                0.0, np.array([1], dtype=np.uint64), np.zeros(H, np.float32), np.zeros(H, np.float32),
                np.zeros(L, np.float64))
    model = SupervisedModel(W_in.astype(np.float64), W_out.astype(np.float64), loss)
    target = labels[0]
    if loss == "softmax":
        targets, mask = np.array([target]), None
    elif loss == "ova":
        targets, mask = np.isin(np.arange(L), labels).astype(float)[None], None
    elif loss == "ns":  # two labels: the negative is the other one (drawn once: repeats would move its row between)
        targets = (np.array([[target] + [1 - target] * negative]), np.array([[1.0] + [0.0] * negative]))
        mask = None
    else:
        n = tree.lengths[target]
        targets, mask = (tree.points[target:target + 1, :n], tree.codes[target:target + 1, :n].astype(float)), None
    model.forward(offsets, rows, targets, mask)
    model.backward()
    ref_in = model.params[0] - lr * model.grads[0].to_dense()
    ref_out = model.params[1] - lr * model.grads[1]
    return (fast_in, fast_out), (ref_in, ref_out)


@pytest.mark.parametrize("loss, labels, counts", [
    ("softmax", [2], [5, 4, 3, 1]),
    ("ova", [0, 3], [5, 4, 3, 1]),
    ("ns", [1], [5, 4]),
    ("hs", [3], [9, 5, 3, 2, 1]),
])
def test_a_kernel_update_is_one_sgd_step_of_the_reference(loss, labels, counts):
    fast, ref = _one_step(loss, labels, np.array(counts))
    for got, want in zip(fast, ref):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("loss", ["softmax", "ns", "hs", "ova"])
def test_a_separable_toy_set_is_learned_to_100_percent(loss):
    lines, labels = toy()
    model, losses = train_classifier(lines, [[label] for label in labels], loss=loss, vector_size=10, epochs=10,
                                     alpha=0.5, buckets=1000, workers=2)
    test_lines, test_labels = toy(seed=1)
    predicted = [found[0][0] for found in model.predict(test_lines)]
    assert predicted == test_labels
    assert losses[-1] < losses[0]


def test_several_labels_per_line_are_all_learned_by_one_vs_all():
    lines = [["red", "apple"], ["green", "apple"], ["red", "car"], ["green", "car"]] * 30
    labels = [["red", "fruit"], ["green", "fruit"], ["red", "vehicle"], ["green", "vehicle"]] * 30
    model, _ = train_classifier(lines, labels, loss="ova", vector_size=8, epochs=20, alpha=0.5, buckets=100)
    for line, truth in zip(lines[:4], labels[:4]):
        assert sorted(label for label, _ in model.predict([line], k=2)[0]) == sorted(truth)
    scores = label_scores([[label for label, _ in found] for found in model.predict(lines, k=2)], labels, 2)
    assert scores.precision == scores.recall == 1.0


def test_word_bigrams_get_fasttexts_hashed_rows_and_unknown_words_count_in_them():
    maker = BagMaker(["a", "b", "</s>"], word_ngrams=2, buckets=10)
    bags = maker.bags([["a", "zzz", "b"]])
    words = bags.rows[:3].tolist()
    assert words == [0, 1, 2]  # a, b, </s>: the unknown word has no row of its own
    assert bags.rows.size == 3 + 3 and all(3 <= row < 13 for row in bags.rows[3:])  # 3 bigrams: a zzz, zzz b, b </s>
    assert bags.tokens.tolist() == [4]


def test_options_are_checked_by_name():
    lines, labels = toy(20)
    with pytest.raises(ConfigError, match="loss must be"):
        train_classifier(lines, [[x] for x in labels], loss="hinge")
    with pytest.raises(ConfigError, match="epochs"):
        train_classifier(lines, [[x] for x in labels], epochs=0)
    with pytest.raises(ConfigError, match="no label"):
        train_classifier(lines, [[]] * len(lines))


# ---- the reader ------------------------------------------------------------------------------

@pytest.mark.parametrize("content, message", [
    (b"__label__a one\nno label at all\n", "data.txt:2: no label"),
    (b"__label__a one\n__label__b __label__c\n", "data.txt:2: no text besides the labels"),
    (b"__label__a caf\xe9\n", "data.txt:1: not valid UTF-8"),
    (b"one\ttwo\nthree\t\n", "data.txt:2: no label"),
    (b"\n\n", "holds no labelled lines"),
])
def test_bad_labelled_input_is_one_clear_line(tmp_path, capsys, content, message):
    path = tmp_path / "data.txt"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=message):
        read_labelled(str(path))
    assert main(["classify", "train", str(path), "-o", str(tmp_path / "m.npz")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message.split(": ")[-1] in err


def test_labels_stand_anywhere_and_tab_files_have_one_label(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("some __label__x words __label__y\n\n__label__z more\n", encoding="utf-8")
    data = read_labelled(str(path))
    assert data.tokens == [["some", "words"], ["more"]] and data.labels == [["x", "y"], ["z"]]
    path.write_text("some words\tpositive\nmore\tnegative\n", encoding="utf-8")
    data = read_labelled(str(path))
    assert data.tokens == [["some", "words"], ["more"]] and data.labels == [["positive"], ["negative"]]


# ---- files -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained():
    lines, labels = toy()
    model, _ = train_classifier(lines, [[label] for label in labels], vector_size=6, epochs=5, alpha=0.5, buckets=50)
    return model, lines


@pytest.mark.parametrize("name", ["model.npz", "model.bin"])
def test_a_saved_classifier_predicts_as_before(tmp_path, trained, name):
    model, lines = trained
    model.save(tmp_path / name)
    again = load_model(tmp_path / name)
    np.testing.assert_array_equal(again.probabilities(lines), model.probabilities(lines))
    assert again.labels == model.labels


def test_a_damaged_classifier_file_is_refused(tmp_path, trained):
    model, _ = trained
    model.save(tmp_path / "m.bin")
    data = (tmp_path / "m.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[:-10])
    with pytest.raises(ModelFileError, match="cut.bin"):
        load_model(tmp_path / "cut.bin")
    (tmp_path / "m.npz").write_bytes(b"PK junk")
    with pytest.raises(ModelFileError, match="not a readable classifier file"):
        load_model(tmp_path / "m.npz")


FASTTEXT_PREDICT = """
import json, sys, fasttext
model = fasttext.load_model(sys.argv[1])
labels, probabilities = model.predict(json.loads(sys.argv[2]), k=2)
print(json.dumps([[[l, float(p)] for l, p in zip(ls, ps)] for ls, ps in zip(labels, probabilities)]))
"""

FASTTEXT_TRAIN = """
import sys, fasttext, numpy as np
model = fasttext.train_supervised(sys.argv[1], dim=5, epoch=2, wordNgrams=2, minn=2, maxn=4, bucket=10000,
                                  thread=1, verbose=0)
assert np.isfinite(model.get_input_matrix()).all() and np.isfinite(model.get_output_matrix()).all()
model.save_model(sys.argv[2])
"""


def _fasttext(code, *args, tries=10):
    """Run the wheel in a fresh process, retried: it reads memory it never wrote and now and then gives NaN."""
    pytest.importorskip("fasttext")
    for _ in range(tries):
        done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True)
        if done.returncode == 0 and "nan" not in done.stdout.lower():
            return done.stdout
    pytest.fail(f"the fasttext wheel failed {tries} times: {done.stderr[-500:]}")


def test_fasttext_serves_a_classifier_w2v_trained(tmp_path, trained):
    model, lines = trained
    model.save(tmp_path / "m.bin")
    texts = [" ".join(line) for line in lines[:20]]
    served = json.loads(_fasttext(FASTTEXT_PREDICT, tmp_path / "m.bin", json.dumps(texts)))
    ours = model.predict(lines[:20], k=2)
    for theirs, mine in zip(served, ours):
        assert [label for label, _ in theirs] == ["__label__" + label for label, _ in mine]
        np.testing.assert_allclose([p for _, p in theirs], [p for _, p in mine], atol=1e-4)


def test_w2v_reads_a_classifier_fasttext_trained_with_word_and_character_ngrams(tmp_path):
    lines, labels = toy()
    data = tmp_path / "train.txt"
    data.write_text("".join(f"__label__{y} {' '.join(x)}\n" for x, y in zip(lines, labels)), encoding="utf-8")
    _fasttext(FASTTEXT_TRAIN, data, tmp_path / "ft.bin")
    texts = [" ".join(line) for line in lines[:20]]
    served = json.loads(_fasttext(FASTTEXT_PREDICT, tmp_path / "ft.bin", json.dumps(texts)))
    ours = load_model(tmp_path / "ft.bin").predict(lines[:20], k=2)
    for theirs, mine in zip(served, ours):
        assert [label for label, _ in theirs] == ["__label__" + label for label, _ in mine]
        np.testing.assert_allclose([p for _, p in theirs], [p for _, p in mine], atol=1e-4)


# ---- the command line ------------------------------------------------------------------------

def test_the_command_line_trains_predicts_and_tests(tmp_path, capsys):
    lines, labels = toy()
    data = tmp_path / "train.txt"
    data.write_text("".join(f"__label__{y} {' '.join(x)}\n" for x, y in zip(lines, labels)), encoding="utf-8")
    model = tmp_path / "m.npz"
    assert main(["classify", "train", str(data), "-o", str(model), "--epochs", "10", "--alpha", "0.5",
                 "--buckets", "1000", "--vector-size", "10"]) == 0
    assert "wrote" in capsys.readouterr().out
    texts = tmp_path / "texts.txt"
    texts.write_text("the good film\nthe dull plot\n", encoding="utf-8")
    assert main(["classify", "predict", str(model), str(texts), "-k", "2", "--probabilities"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["__label__pos", "__label__neg"] and len(out[0].split()) == 4
    assert main(["classify", "predict", str(model), str(texts), "-k", "2", "--threshold", "0.9"]) == 0
    assert all(len(line.split()) == 1 for line in capsys.readouterr().out.splitlines())
    assert main(["classify", "test", str(model), str(data)]) == 0
    out = capsys.readouterr().out
    assert "P@1\t1.0000" in out and "R@1\t1.0000" in out and "pos\t1.0000\t1.0000\t1.0000\t100" in out


# ---- scikit-learn ----------------------------------------------------------------------------

def test_text_classifier_works_in_a_pipeline_cross_val_score_and_grid_search(tmp_path):
    sklearn = pytest.importorskip("sklearn")
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    lines, labels = toy()
    texts = [" ".join(line) for line in lines]
    y = np.array([1 if label == "pos" else 0 for label in labels])
    pipeline = make_pipeline(FunctionTransformer(lambda xs: [x.upper() for x in xs]),
                             TextClassifier(vector_size=10, epochs=10, alpha=0.5, buckets=1000, workers=1))
    assert cross_val_score(pipeline, texts, y, cv=3).min() == 1.0
    search = GridSearchCV(TextClassifier(vector_size=10, buckets=1000, workers=1), {"epochs": [1, 10],
                                                                                  "alpha": [0.5]}, cv=2)
    search.fit(texts, y)
    assert search.best_params_["epochs"] == 10 and sklearn.base.is_classifier(TextClassifier())
    clf = TextClassifier(vector_size=10, epochs=10, alpha=0.5, buckets=1000).fit(lines, labels)
    assert list(clf.classes_) == ["neg", "pos"] and clf.score(lines, labels) == 1.0
    proba = clf.predict_proba(texts[:4])
    assert proba.shape == (4, 2) and np.allclose(proba.sum(1), 1)
    clf.save(tmp_path / "clf.npz")
    again = TextClassifier.load(tmp_path / "clf.npz")
    np.testing.assert_array_equal(again.predict_proba(texts), clf.predict_proba(texts))
    assert again.get_params() == clf.get_params() and list(again.classes_) == ["neg", "pos"]
    assert "pickle" not in (tmp_path / "clf.npz").read_bytes().decode("latin-1")


def test_the_starting_weights_are_fasttexts_range_and_the_same_for_any_number_of_threads():
    from w2v.fast.classify import initial_weights

    one, out = initial_weights(1000, 3, 20, seed=4, workers=1)
    assert np.array_equal(one, initial_weights(1000, 3, 20, seed=4, workers=3)[0]) and not out.any()
    assert one.min() >= -1 / 20 and one.max() < 1 / 20 and abs(one.mean()) < 1e-3
    assert not np.array_equal(one, initial_weights(1000, 3, 20, seed=5)[0])


def test_pretrained_vectors_start_the_words_rows_and_their_size_must_match(tmp_path):
    from w2v import WordVectors

    lines, labels = toy(40)
    words = ["the", "film", "unrelated"]
    wv = WordVectors(rng.standard_normal((3, 6)).astype(np.float32), words)
    model, _ = train_classifier(lines, [[x] for x in labels], pretrained_vectors=wv, epochs=1, alpha=1e-9,
                                buckets=10)
    stored = model.stored
    assert stored.W_in.shape[1] == 6 and stored.options["pretrained_words"] == 2
    for word in ("the", "film"):
        np.testing.assert_allclose(stored.W_in[stored.words.index(word)], wv[word], atol=1e-6)
    wv.save(tmp_path / "wv.npz")
    data = tmp_path / "train.txt"
    data.write_text("".join(f"__label__{y} {' '.join(x)}\n" for x, y in zip(lines, labels)), encoding="utf-8")
    assert main(["classify", "train", str(data), "-o", str(tmp_path / "m.npz"), "--pretrained-vectors",
                 str(tmp_path / "wv.npz"), "--vector-size", "5"]) == 1
    with pytest.raises(ConfigError, match="6 dimensions, not vector_size=5"):
        train_classifier(lines, [[x] for x in labels], pretrained_vectors=tmp_path / "wv.npz", vector_size=5)


def test_character_ngrams_carry_a_label_to_words_never_seen():
    lines, labels = toy()
    model, _ = train_classifier(lines, [[x] for x in labels], subwords=(3, 5), vector_size=10, epochs=10,
                                alpha=0.5, buckets=5000, word_ngrams=1)
    assert model.stored.options["maxn"] == 5
    assert [found[0][0] for found in model.predict([["superbly"], ["boringly"], ["awfully"]])] == ["pos", "neg",
                                                                                                     "neg"]
