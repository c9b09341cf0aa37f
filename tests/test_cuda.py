"""The GPU engines. The fast one runs in Numba's CUDA simulator without a GPU (see conftest);
the reference engine on CuPy needs a real GPU and is skipped without one."""

import math

import numpy as np
import pytest

import w2v
from w2v.config import TrainConfig
from w2v.devices import gpu_problem
from w2v.errors import ConfigError
from w2v.fast.cuda import CudaEngine, piece_table
from w2v.text.corpus import corpus_from_sentences
from w2v.train import resolve_config

TINY = [["a", "b", "c", "d", "e", "f", "a", "b", "c", "d", "e", "f"], ["f", "e", "d", "c", "b", "a"] * 2]
OPTIONS = dict(device="cuda", vector_size=8, window=2, negative=3, sample=0.0, epochs=1, seed=5, min_count=1)


def _config(**options):
    return TrainConfig(**(OPTIONS | options)).resolve(corpus_is_ptb=False, cores=2, gpu_usable=False)


def test_pieces_cover_every_position_once_inside_its_sentence():
    offsets = np.array([0, 5, 5 + 130, 5 + 130 + 64])
    pieces = piece_table(offsets, piece_tokens=64)
    covered = np.concatenate([np.arange(s, e) for s, e in pieces[:, :2]])
    np.testing.assert_array_equal(covered, np.arange(offsets[-1]))
    assert np.all((pieces[:, 2] <= pieces[:, 0]) & (pieces[:, 1] <= pieces[:, 3]))


def test_one_epoch_on_the_gpu_engine_reads_every_word_and_reports_the_exact_starting_loss():
    corpus = corpus_from_sentences(TINY)
    engine = CudaEngine(corpus, _config())
    engine.start_epoch(0)
    stats = engine.run(0, engine.units_per_epoch)
    assert stats.words == len(corpus) == 24
    assert stats.loss_count == 24  # CBOW: every centre word has a context; nothing is subsampled
    # Output vectors start at zero, so each of the (up to) 4 labels has probability 1/2.
    assert 3 * math.log(2) < stats.loss_sum / stats.loss_count <= 4 * math.log(2) + 1e-6
    assert not np.allclose(engine.word_vectors(), CudaEngine(corpus, engine.cfg).word_vectors())


def test_gpu_runs_depend_only_on_the_seed():
    corpus = corpus_from_sentences(TINY)
    a = w2v.train(corpus, **OPTIONS)
    b = w2v.train(corpus, **OPTIONS)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert a.record.config.device == "cuda"


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
def test_the_gpu_engine_trains_subwords_like_the_cpu_engine_does(model):
    corpus = corpus_from_sentences(TINY)
    options = OPTIONS | dict(model=model, subwords=(2, 3), buckets=31)
    gpu = w2v.train(corpus, **options)
    cpu = w2v.train(corpus, **(options | dict(device="cpu", workers=1)))
    assert gpu.ngram_vectors.shape == cpu.ngram_vectors.shape == (31, 8)
    assert gpu.record.log.epoch_losses[0] == pytest.approx(cpu.record.log.epoch_losses[0], rel=0.1)
    assert np.isfinite(gpu["unseen"]).all()


@pytest.mark.parametrize("options, message", [(dict(kernel="plain"), "only the batched"),
                                              (dict(window=17), "window up to 16"),
                                              (dict(negative=25), "at most 24 negatives")])
def test_gpu_engine_limits_are_clear_errors(options, message):
    with pytest.raises(ConfigError, match=message):
        CudaEngine(corpus_from_sentences(TINY), _config(**options))


def test_auto_never_picks_the_simulator():
    from numba import config

    if config.ENABLE_CUDASIM:
        assert resolve_config(TrainConfig(device="auto"), corpus_is_ptb=False).device == "cpu"


@pytest.mark.skipif(gpu_problem("reference") is not None, reason="the reference engine on a GPU needs CuPy and a GPU")
def test_reference_engine_on_cupy_matches_numpy():
    corpus = corpus_from_sentences(TINY * 20)
    options = dict(algorithm="reference", vector_size=8, window=2, negative=3, batch_size=8, epochs=2, seed=1,
                   min_count=1)
    cpu = w2v.train(corpus, device="cpu", **options)
    gpu = w2v.train(corpus, device="cuda", **options)  # same seed: same batches and negatives
    np.testing.assert_allclose(gpu.vectors, cpu.vectors, rtol=1e-4, atol=1e-6)
