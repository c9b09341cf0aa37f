import threading

import numpy as np
import pytest

import w2v
from w2v.config import TrainConfig
from w2v.errors import BenchmarkError, ConfigError, TrainingError
from w2v.text.corpus import corpus_from_sentences

from conftest import group_separation, planted_sentences, requires_ptb

SMALL = dict(algorithm="reference", vector_size=16, window=2, negative=3, batch_size=32, epochs=2, lr=0.01)


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
@pytest.mark.parametrize("optimizer", ["lazy-adam", "adam", "sgd"])
def test_reference_training_separates_planted_groups(model, optimizer):
    corpus = corpus_from_sentences(planted_sentences(600))
    lr = 0.5 if optimizer == "sgd" else 0.01
    wv = w2v.train(corpus, **(SMALL | dict(model=model, optimizer=optimizer, lr=lr, seed=1)))
    assert group_separation(wv) > 0.3
    log = wv.record.log
    assert log.epoch_losses[-1] < log.epoch_losses[0]


def test_a_seed_makes_a_run_reproducible():
    corpus = corpus_from_sentences(planted_sentences(200))
    a = w2v.train(corpus, **(SMALL | dict(seed=7)))
    b = w2v.train(corpus, **(SMALL | dict(seed=7)))
    c = w2v.train(corpus, **(SMALL | dict(seed=8)))
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert not np.array_equal(a.vectors, c.vectors)


def test_an_unseeded_run_records_the_seed_it_used():
    corpus = corpus_from_sentences(planted_sentences(100))
    wv = w2v.train(corpus, **SMALL)
    again = w2v.train(corpus, **(SMALL | dict(seed=wv.record.config.seed)))
    np.testing.assert_array_equal(wv.vectors, again.vectors)


def test_diverging_loss_stops_with_a_clear_error():
    corpus = corpus_from_sentences(planted_sentences(100))
    with pytest.raises(TrainingError, match="diverged"):
        with np.errstate(all="ignore"):
            w2v.train(corpus, **(SMALL | dict(optimizer="sgd", lr=1e3, seed=0)))


def test_loss_curve_and_gradient_clipping():
    corpus = corpus_from_sentences(planted_sentences(200))
    wv = w2v.train(corpus, **(SMALL | dict(max_grad=0.01, loss_every=5, seed=0)))
    curve = wv.record.log.loss_curve
    assert len(curve) >= 4 and curve[-1][0] > curve[0][0]


@pytest.mark.parametrize(
    "options, name",
    [
        (dict(window=0), "window"),
        (dict(negative=0), "negative"),
        (dict(vector_size=0), "vector_size"),
        (dict(epochs=-1), "epochs"),
        (dict(lr=float("nan")), "lr"),
        (dict(model="glove"), "model"),
        (dict(optimizer="rmsprop"), "optimizer"),
        (dict(min_count=0), "min_count"),
        (dict(ns_exponent=-3), "ns_exponent"),
    ],
)
def test_bad_options_name_the_option(options, name):
    with pytest.raises(ConfigError, match=name):
        TrainConfig(**options).validate()


def test_batch_larger_than_the_corpus_is_a_clear_error():
    corpus = corpus_from_sentences([["a", "b", "c", "d", "e", "f"]])
    with pytest.raises(ConfigError, match="batch_size"):
        w2v.train(corpus, **(SMALL | dict(batch_size=100)))


@requires_ptb
def test_reference_trainer_learns_on_a_slice_of_ptb():
    """One epoch on the first 100k PTB words: the loss falls from about 6 ln 2 = 4.16 to under 2.8."""
    from w2v.datasets import ptb
    from w2v.text.corpus import Corpus

    full = ptb.load("train")
    part = Corpus(full.ids[:100_000], np.array([0, 100_000]), full.vocab, "ptb.train[:100k]")
    wv = w2v.train(part, algorithm="reference", epochs=1, seed=0)
    curve = wv.record.log.loss_curve
    assert curve[0][1] > 4.0 and curve[-1][1] < 2.8
    assert len(wv) == 10000


def test_renamed_options_still_work_with_a_warning():
    corpus = corpus_from_sentences(planted_sentences(50))
    with pytest.warns(DeprecationWarning, match="engine is now called algorithm"):
        wv = w2v.train(corpus, engine="reference", eval_interval=3, vector_size=8, epochs=1, batch_size=16, seed=0)
    assert wv.record.config.algorithm == "reference" and wv.record.config.loss_every == 3


def test_power_is_now_ns_exponent_and_saved_configs_with_power_load():
    corpus = corpus_from_sentences(planted_sentences(50))
    with pytest.warns(DeprecationWarning, match="power is now called ns_exponent"):
        wv = w2v.train(corpus, power=0.5, vector_size=8, epochs=1, seed=0)
    assert wv.record.config.ns_exponent == 0.5
    assert TrainConfig.from_dict({"power": 0.25, "model": "skipgram"}).ns_exponent == 0.25


def test_library_errors_name_options_as_python_callers_write_them():
    with pytest.raises(ConfigError) as error:
        w2v.train(corpus_from_sentences([["a", "b", "c"]] * 3), negative=5, min_count=1)
    assert "negative=5 needs" in str(error.value) and "--" not in str(error.value)
    assert error.value.options == ("negative", "min_count")


# ---- evaluation during training and on_epoch_end callbacks ---------------------------------

PLANTED_PAIRS = "".join(f"a{i} a{j} 9\nb{i} b{j} 9\na{i} b{j} 1\n" for i in range(5) for j in range(5, 10))
PLANTED_ANALOGIES = ": planted\n" + "".join(f"a{i} a{i + 1} b{i} b{i + 1}\n" for i in range(8))
EVALUATED = dict(algorithm="fast", vector_size=16, window=3, negative=3, epochs=4, seed=1, workers=1, min_count=1,
                 loss_every=5)


@pytest.fixture
def benchmarks(tmp_path):
    (tmp_path / "pairs.txt").write_text(PLANTED_PAIRS)
    (tmp_path / "analogies.txt").write_text(PLANTED_ANALOGIES)
    return tmp_path / "pairs.txt", tmp_path / "analogies.txt"


def test_scores_after_every_epoch_go_into_the_log_and_the_saved_model(tmp_path, benchmarks):
    pairs, questions = benchmarks
    corpus = corpus_from_sentences(planted_sentences(600))
    wv = w2v.train(corpus, evaluate_similarity=pairs, evaluate_analogies=questions, **EVALUATED)
    cfg, log = wv.record.config, wv.record.log
    assert cfg.evaluate_every == "epoch" and cfg.evaluate_similarity == str(pairs)
    assert [e["epoch"] for e in log.evaluations] == [0, 1, 2, 3, 4]  # 0: the initial vectors
    units = log.loss_curve[-1][0] // 4  # per epoch
    assert [e["units"] for e in log.evaluations] == [0, units, 2 * units, 3 * units, 4 * units]
    assert abs(log.evaluations[0]["similarity"]) < 0.5 < log.evaluations[-1]["similarity"]  # the groups are learnt
    assert all(0 <= e["analogies"] <= 1 for e in log.evaluations)
    wv.save(tmp_path / "m.npz")
    assert w2v.load(tmp_path / "m.npz").record.log.evaluations == log.evaluations


def test_logs_saved_before_evaluations_existed_still_load():
    from w2v.record import TrainingLog

    old = {"unit": "chunk", "loss_curve": [[1, 2.0]], "epoch_losses": [2.0], "epoch_partial": [0.0, 0],
           "seconds": 1.0, "words": 10}
    assert TrainingLog.from_dict(old).evaluations == []
    with pytest.raises(TypeError):
        TrainingLog.from_dict(old | {"evaluations": [{"epoch": "one", "units": 1}]})


def test_on_epoch_end_sees_a_snapshot_with_no_worker_running_and_may_stop_training():
    corpus = corpus_from_sentences(planted_sentences(300))
    seen = []

    def watch(epoch, vectors, log):
        assert not [t for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor")]
        seen.append((epoch, vectors, len(log.epoch_losses)))
        return epoch == 2

    wv = w2v.train(corpus, on_epoch_end=watch, **(EVALUATED | dict(workers=2)))
    assert [(epoch, done) for epoch, _, done in seen] == [(1, 1), (2, 2)]
    assert len(wv.record.log.epoch_losses) == 2
    np.testing.assert_array_equal(seen[-1][1].vectors, wv.vectors)
    assert not np.array_equal(seen[0][1].vectors, wv.vectors)  # the first snapshot was not changed by epoch 2
    assert seen[0][1].record.log.epoch_losses == wv.record.log.epoch_losses[:1]


def test_stop_training_raised_by_any_callback_ends_the_run():
    corpus = corpus_from_sentences(planted_sentences(300))
    calls = []

    def stop_at_three(epoch, vectors, log):
        if epoch == 3:
            raise w2v.StopTraining
    wv = w2v.train(corpus, on_epoch_end=[lambda epoch, *_: calls.append(epoch), stop_at_three], **EVALUATED)
    assert calls == [1, 2, 3] and len(wv.record.log.epoch_losses) == 3


def test_a_resumed_run_goes_on_scoring_as_an_uninterrupted_one(tmp_path, benchmarks):
    pairs, _ = benchmarks
    corpus = tmp_path / "planted.txt"
    corpus.write_text("\n".join(" ".join(s) for s in planted_sentences(600)) + "\n")
    straight = w2v.train(corpus, evaluate_similarity=pairs, **EVALUATED)
    checkpoint = tmp_path / "run.ckpt.npz"
    w2v.train(corpus, evaluate_similarity=pairs, checkpoint=checkpoint, checkpoint_every=0.0, **EVALUATED)
    assert w2v.resume(checkpoint).record.log.evaluations == straight.record.log.evaluations


@pytest.mark.parametrize("options, message", [
    (dict(evaluate_every="epoch"), "evaluate_every needs something to evaluate"),
    (dict(evaluate_every="batch", evaluate_similarity="x.txt"), "evaluate_every must be 'epoch'"),
    (dict(evaluate_analogies=3), "evaluate_analogies must be an analogy file"),
])
def test_bad_evaluation_options_name_the_option(options, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**options).validate()


def test_a_missing_or_malformed_benchmark_is_reported_before_training(tmp_path):
    (tmp_path / "bad.txt").write_text(": s\na b c\n")
    corpus = corpus_from_sentences(planted_sentences(50))
    with pytest.raises(BenchmarkError, match="bad.txt:2: expected four words"):
        w2v.train(corpus, evaluate_analogies=tmp_path / "bad.txt", on_epoch_end=pytest.fail, **EVALUATED)
    with pytest.raises(BenchmarkError, match="missing.txt"):
        w2v.train(corpus, evaluate_similarity=tmp_path / "missing.txt", on_epoch_end=pytest.fail, **EVALUATED)


def test_a_corpus_whose_ids_do_not_go_by_frequency_is_renumbered_before_training():
    """Hierarchical softmax's Huffman tree and the hot rows need ids by descending count."""
    from w2v.text.corpus import Corpus
    from w2v.text.vocab import Vocab

    sorted_corpus = corpus_from_sentences(planted_sentences(50))
    vocab, new_id = sorted_corpus.vocab.ranked()
    assert vocab.words == sorted_corpus.vocab.words and np.array_equal(new_id, np.arange(len(vocab)))
    reverse = np.arange(len(vocab))[::-1].astype(np.int32)  # the rarest word gets id 0
    shuffled = Corpus(reverse[sorted_corpus.ids], sorted_corpus.offsets,
                      Vocab(vocab.words[::-1], vocab.counts[::-1]), "by hand")
    assert not shuffled.vocab.by_frequency
    renumbered = shuffled.by_frequency()
    assert renumbered.vocab.by_frequency and sorted(renumbered.vocab.words) == sorted(vocab.words)
    words = np.array(renumbered.vocab.words)[renumbered.ids]
    assert words.tolist() == np.array(vocab.words)[sorted_corpus.ids].tolist()
    wv = w2v.train(shuffled, hs=True, negative=0, vector_size=8, epochs=1, workers=1, seed=1)
    assert wv.index_to_key == renumbered.vocab.words and np.isfinite(wv.record.log.final_loss)


def test_tokenised_sentences_train_as_the_same_text_file_does(tmp_path):
    """gensim's input, a list of lists of str, is a corpus: the same vectors as its lines in a file."""
    sentences = planted_sentences(seed=3)[:300]
    text = tmp_path / "corpus.txt"
    text.write_text("".join(" ".join(sentence) + "\n" for sentence in sentences), encoding="utf-8")
    options = dict(model="skipgram", vector_size=8, epochs=1, min_count=2, workers=1, seed=1)
    from_lists = w2v.train(sentences, **options)
    from_file = w2v.train(text, **options)
    assert from_lists.index_to_key == from_file.index_to_key
    np.testing.assert_array_equal(from_lists.vectors, from_file.vectors)
    assert w2v.train(tuple(map(tuple, sentences)), **options).index_to_key == from_file.index_to_key


@pytest.mark.parametrize("corpus, message", [
    ([["a", "b"], ["c", 7]], r"sentence 2 holds 7 \(int\), not a str token"),
    ([[1, 2], [3]], "integer item ids go in NumPy arrays"),
    ([3, 4], "an input is a path"),
    ([["a"], "b.txt"], "an input is a path"),
])
def test_inputs_that_are_neither_paths_nor_tokenised_sentences_are_one_clear_error(corpus, message):
    from w2v.errors import CorpusError

    with pytest.raises(CorpusError, match=message):
        w2v.train(corpus, vector_size=8, epochs=1, min_count=1)
