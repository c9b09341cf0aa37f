"""The fast CPU engine: word2vec.c's schedule, subsampling and sharding, learning, reproducibility."""

import math

import numpy as np
import pytest
from numba import njit

import w2v
from w2v.config import TrainConfig
from w2v.errors import ConfigError
from w2v.fast._constants import HOT_ROWS, ROW_ALIGN
from w2v.fast._cpu_kernels import _merge_rows, _take_hot_rows, train_cbow_chunks, train_chunks
from w2v.fast._row_width import RowWidth, RowWidthType, row_length
from w2v.fast.common import aligned_zeros, chunk_starts, unpad_rows
from w2v.fast.cpu import CpuEngine, guided_batches, merge_schedule, output_row_rates, output_rows
from w2v.text.corpus import Corpus, corpus_from_sentences
from w2v.text.vocab import Vocab

from conftest import group_separation, planted_sentences, requires_ptb

FAST = dict(algorithm="fast", vector_size=20, window=3, negative=4, epochs=3, sample=0.0, seed=3)


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
@pytest.mark.parametrize("kernel", ["plain", "batched"])
@pytest.mark.parametrize("workers", [1, 2])
def test_training_separates_planted_groups(model, kernel, workers):
    corpus = corpus_from_sentences(planted_sentences(3000))
    wv = w2v.train(corpus, **(FAST | dict(model=model, kernel=kernel, workers=workers)))
    assert group_separation(wv) > 0.3
    losses = wv.record.log.epoch_losses
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
def test_one_worker_and_a_seed_give_bit_identical_vectors(model):
    corpus = corpus_from_sentences(planted_sentences(500))
    options = FAST | dict(model=model, workers=1, sample=1e-2)
    a, b = w2v.train(corpus, **options), w2v.train(corpus, **options)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert not np.array_equal(a.vectors, w2v.train(corpus, **(options | dict(seed=4))).vectors)


def _engine(corpus, **options):
    return CpuEngine(corpus, TrainConfig(**(FAST | options)).resolve(corpus_is_ptb=False, cores=2, gpu_usable=False))


def test_loss_is_the_exact_mean_example_loss_at_the_start():
    """With output vectors at zero every label has probability 1/2: an example costs m ln 2."""
    corpus = corpus_from_sentences(planted_sentences(50))
    engine = _engine(corpus, model="cbow", negative=4, alpha=1e-12, min_alpha=0.0, workers=2)
    engine.start_epoch(0)
    stats = engine.run(0, engine.units_per_epoch)
    mean = stats.loss_sum / stats.loss_count
    # A noise word equal to the target is skipped, so m is 5 or a little less.
    assert 4.6 * math.log(2) < mean <= 5 * math.log(2) + 1e-9
    assert stats.words == len(corpus)


def test_every_word_is_read_once_per_epoch_even_in_sentences_over_10000_words():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 50, 25_000).astype(np.int32)
    vocab = Vocab([f"w{i}" for i in range(50)], np.bincount(ids, minlength=50))
    corpus = Corpus(ids, np.array([0, 3, 25_000]), vocab, "long")
    engine = _engine(corpus, workers=2)
    assert np.diff(engine.setup.offsets).max() == 10_000
    engine.start_epoch(0)
    assert engine.run(0, engine.units_per_epoch).words == 25_000


def test_chunks_hold_whole_sentences_of_at_least_chunk_words():
    offsets = np.array([0, 3, 13, 23, 28, 38])
    np.testing.assert_array_equal(chunk_starts(offsets, 10), [0, 2, 3, 5])
    np.testing.assert_array_equal(chunk_starts(np.array([0, 4]), 10), [0, 1])


def test_learning_rate_decays_linearly_over_all_epochs():
    corpus = corpus_from_sentences(planted_sentences(50))
    engine = _engine(corpus, alpha=0.05, epochs=4)
    total = 4 * engine.setup.epoch_words
    np.testing.assert_allclose(engine.setup.alpha_at(0, np.array([0, total // 2, total])), [0.05, 0.025 + 2.5e-6, 5e-6],
                               rtol=1e-5)


def test_word2vec_c_subsampling_formula():
    vocab = Vocab(["the", "cat", "rare"], [9000, 900, 100])
    keep = vocab.keep_thresholds(1e-3) / 2**32
    t = 1e-3 * 10_000
    expected = np.minimum(1, (np.sqrt(np.array([9000, 900, 100]) / t) + 1) * t / np.array([9000, 900, 100]))
    np.testing.assert_allclose(keep, expected, rtol=0, atol=2**-32)
    assert np.all(vocab.keep_thresholds(0) == 2**32)


def test_noise_table_follows_counts_to_the_power():
    vocab = Vocab(["a", "b", "c", "d"], [1000, 100, 10, 1])
    table = vocab.noise_table(0.75)
    assert table.size == 2**20 and table.dtype == np.int32
    np.testing.assert_allclose(np.bincount(table, minlength=4) / table.size, vocab.noise_distribution(0.75),
                               atol=1e-5)


@pytest.mark.parametrize("options, name", [(dict(window=0), "window"), (dict(negative=0), "negative"),
                                           (dict(vector_size=0), "vector_size"), (dict(sample=-1), "sample"),
                                           (dict(alpha=0.01, min_alpha=0.1), "min_alpha"),
                                           (dict(workers=0), "workers"), (dict(kernel="fancy"), "kernel")])
def test_bad_parameters_get_clear_errors(options, name):
    with pytest.raises(ConfigError, match=name):
        TrainConfig(**options).validate()


def test_more_negatives_than_words_is_a_clear_error():
    corpus = corpus_from_sentences([["a", "b", "c"]] * 3)
    with pytest.raises(ConfigError, match="negative=5"):
        w2v.train(corpus, algorithm="fast", negative=5)


@requires_ptb
def test_fast_engine_on_ptb_finds_the_books_neighbours():
    # One worker: two threads' Hogwild order depends on timing, and "went" sits at rank 2 or 3,
    # so with two it fell to 4th in about one run of ten
    wv = w2v.train("ptb", algorithm="fast", model="cbow", epochs=10, seed=1, workers=1)
    top = [w for w, _ in wv.most_similar("you", topn=5)]
    assert "we" in top and "i" in top
    assert "went" in [w for w, _ in wv.analogy("take", "took", "go", topn=3)]


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
@pytest.mark.parametrize("kernel", ["plain", "batched"])
@pytest.mark.parametrize("negative", [0, 4])
def test_hierarchical_softmax_learns_alone_and_beside_negatives(model, kernel, negative):
    corpus = corpus_from_sentences(planted_sentences(3000))
    wv = w2v.train(corpus, **(FAST | dict(model=model, kernel=kernel, workers=1, hs=True, negative=negative)))
    assert group_separation(wv) > 0.3
    losses = wv.record.log.epoch_losses
    assert losses[-1] < losses[0]


def test_hierarchical_softmax_starts_at_the_path_length_times_ln2():
    """W_node starts at zero: every turn has probability 1/2, so a word costs its path length x ln 2."""
    corpus = corpus_from_sentences(planted_sentences(50))
    engine = _engine(corpus, model="cbow", negative=0, hs=True, alpha=1e-12, min_alpha=0.0, workers=1)
    engine.start_epoch(0)
    stats = engine.run(0, engine.units_per_epoch)
    lengths = engine.setup.tree.lengths
    assert lengths.min() * math.log(2) <= stats.loss_sum / stats.loss_count <= lengths.max() * math.log(2)


def test_fixed_windows_train_every_context_word():
    corpus = corpus_from_sentences([[f"w{i}" for i in range(10)]] * 40)
    engine = _engine(corpus, model="skipgram", window=2, shrink_windows=False, sample=0.0, workers=1)
    engine.start_epoch(0)
    # each 10-word sentence has 2*2*10 - 2*(2+1) = 34 (context, centre) pairs with a full window of 2
    assert engine.run(0, engine.units_per_epoch).loss_count == 40 * 34
    shrunk = _engine(corpus, model="skipgram", window=2, sample=0.0, workers=1)
    shrunk.start_epoch(0)
    assert shrunk.run(0, shrunk.units_per_epoch).loss_count < 40 * 34


def test_hierarchical_softmax_and_cbow_sum_resume_bit_identically(tmp_path):
    corpus_file = tmp_path / "c.txt"
    corpus_file.write_text("\n".join(" ".join(s) for s in planted_sentences(4000)) + "\n")
    options = dict(epochs=2, seed=1, workers=1, vector_size=16, loss_every=1, min_count=1, hs=True, cbow_mean=False)
    straight = w2v.train(corpus_file, **options)
    w2v.train(corpus_file, checkpoint=tmp_path / "c.ckpt.npz", checkpoint_every=0.0, **options)
    np.testing.assert_array_equal(w2v.resume(tmp_path / "c.ckpt.npz").vectors, straight.vectors)


def test_reference_algorithm_with_hierarchical_softmax_and_without_negatives():
    corpus = corpus_from_sentences(planted_sentences(600))
    wv = w2v.train(corpus, algorithm="reference", vector_size=16, window=2, negative=0, hs=True, batch_size=32,
                   epochs=2, lr=0.01, seed=1)
    assert group_separation(wv) > 0.3
    with pytest.raises(ConfigError, match="negative=0 needs hs=True"):
        w2v.train(corpus, negative=0)
    with pytest.raises(ConfigError, match="fixed window"):
        w2v.train(corpus, algorithm="reference", shrink_windows=True)


@pytest.mark.parametrize("rows", [1, 5, 40_000])
def test_unpadding_rows_in_place_keeps_every_value(rows):
    padded = np.zeros((rows, 104), dtype=np.float32)
    padded[:, :100] = np.random.default_rng(0).random((rows, 100), dtype=np.float32)
    expected = padded[:, :100].copy()
    vectors = unpad_rows(padded, 100)
    np.testing.assert_array_equal(vectors, expected)
    assert vectors.flags.c_contiguous and np.shares_memory(vectors, padded)


def test_the_final_vectors_are_those_the_engine_trained():
    engine = _engine(corpus_from_sentences(planted_sentences(200)), vector_size=20)  # rows padded to 24 floats
    engine.run(0, engine.units_per_epoch)
    trained = engine.word_vectors()
    final = engine.word_vectors(final=True)
    np.testing.assert_array_equal(final, trained)
    assert final.shape == (len(trained), 20) and final.flags.c_contiguous


def _private_rows_run(corpus, model, hot_rows, schedule):
    """One epoch of one worker's kernel, its hot output rows trained in a private copy (hot_rows > 0) or
    not, merged by ``schedule`` (the kernels' (end row, interval - 1) tiers)."""
    engine = _engine(corpus, model=model, workers=1, sample=1e-2)
    V = engine.W_out.shape[0]
    rows = np.zeros((V + 2 * hot_rows, engine.W_out.shape[1]), dtype=np.float32)
    setup = engine.setup
    chunks = np.arange(engine.units_per_epoch, dtype=np.int64)
    train_chunks(setup.ids, setup.offsets, setup.chunk_starts, chunks, setup.alpha_at(0, setup.chunk_position[chunks]),
                 engine.W_in, rows, setup.table, setup.keep, None, None, setup.options,
                 (hot_rows, V, V + hot_rows, np.array(schedule, dtype=np.int64).reshape(-1, 2)),
                 engine.rng_states[0], engine.stats[0])
    return engine.W_in, rows[:V], rows[V:]


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
@pytest.mark.parametrize("schedule", [[[5, 7]], [[1, 0], [2, 1], [5, 15]]])
def test_a_private_copy_of_the_hot_output_rows_trains_what_the_shared_rows_would(model, schedule):
    """One worker alone: merging its private rows back, in one tier or several, changes nothing but
    float rounding, and leaves the private and base copies equal to the shared rows."""
    corpus = corpus_from_sentences(planted_sentences(400))
    W_in, W_out, _ = _private_rows_run(corpus, model, 0, [])
    hot = 5
    W_in_hot, W_out_hot, copies = _private_rows_run(corpus, model, hot, schedule)
    assert np.abs(W_out[:hot, : FAST["vector_size"]]).min() > 0  # the hot rows did train (the padding stays 0)
    np.testing.assert_allclose(W_out_hot, W_out, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(W_in_hot, W_in, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(copies[:hot], W_out_hot[:hot])
    np.testing.assert_array_equal(copies[hot:], W_out_hot[:hot])


def test_merging_private_rows_adds_every_workers_change():
    V, H, D = 6, 2, 3
    rows = np.zeros((V + 2 * 2 * H, D), dtype=np.float32)
    rows[:V] = 1.0
    hot = [(H, V + w * H, V + (2 + w) * H) for w in range(2)]
    for worker in hot:
        _take_hot_rows(rows, worker, D)
    rows[hot[0][1] : hot[0][1] + H] += 2.0  # worker 0's training
    rows[hot[1][1]] += 5.0  # worker 1 changed its first hot row only
    _merge_rows(rows, hot[0], 0, H, D)
    _merge_rows(rows, hot[1], 0, H, D)
    np.testing.assert_array_equal(rows[:H], [[8.0] * D, [3.0] * D])
    np.testing.assert_array_equal(rows[H:V], 1.0)  # the other rows are nobody's copy
    np.testing.assert_array_equal(rows[hot[1][1] : hot[1][1] + H], rows[:H])  # the last to merge has both changes
    np.testing.assert_array_equal(rows[hot[1][2] : hot[1][2] + H], rows[:H])


@pytest.mark.parametrize("shape", [(3, 5), (1000, 104)])
def test_aligned_zeros_start_on_a_cache_line(shape):
    a = aligned_zeros(shape)
    assert a.shape == shape and a.dtype == np.float32 and a.flags.c_contiguous and a.flags.writeable
    assert a.ctypes.data % 64 == 0 and not a.any()


def test_the_engines_weight_rows_start_on_a_cache_line():
    engine = _engine(corpus_from_sentences(planted_sentences(50)), workers=2, hs=True)
    for matrix in (engine.W_in, engine._out_rows, engine.W_node):
        assert matrix.ctypes.data % 64 == 0


def test_the_hotter_an_output_row_the_more_often_a_worker_merges_it():
    rates = 0.5 / np.arange(1, 101)  # expected updates per centre word, as Zipf's law gives
    schedule = merge_schedule(rates, updates=8)
    ends, intervals = schedule[:, 0], schedule[:, 1] + 1
    np.testing.assert_array_equal(ends, [1, 2, 4, 8, 16, 32, 64, 100])
    assert (intervals & (intervals - 1) == 0).all() and (np.diff(intervals) >= 0).all()
    first = np.concatenate([[0], ends[:-1]])
    updates = intervals * rates[first]  # a worker's updates to each tier's hottest row between merges
    assert (updates <= 8).all() and (2 * updates > 8).all()
    assert merge_schedule(np.zeros(0)).shape == (0, 2)


@pytest.mark.parametrize("model", ["cbow", "skipgram"])
@pytest.mark.parametrize("kernel", ["plain", "batched"])
def test_output_row_rates_count_the_centre_word_and_the_noise_words(model, kernel):
    corpus = corpus_from_sentences(planted_sentences(300))
    engine = _engine(corpus, model=model, kernel=kernel, workers=2, sample=1e-2)
    rates = output_row_rates(engine.setup, corpus.vocab.counts)
    per_example = 1 + FAST["negative"]  # the centre word's row and the noise words'
    examples = FAST["window"] + 1 if (model, kernel) == ("skipgram", "plain") else 1  # per centre word
    assert rates.sum() == pytest.approx(examples * per_example)
    slot = examples * FAST["negative"] / engine.setup.table.size  # a noise-table slot's share of the updates
    assert (np.diff(rates) <= 2 * slot).all()  # most frequent first, as far as the table's slots can tell
    hs_only = _engine(corpus, model=model, kernel=kernel, workers=2, negative=0, hs=True)
    rows, hot = output_rows(20, 2, output_row_rates(hs_only.setup, corpus.vocab.counts))
    assert rows.shape[0] == len(corpus.vocab) and hot[0][0] == 0  # no output rows to train: no private copies


def test_several_workers_train_the_shared_output_rows_and_nothing_else_sees_their_copies():
    engine = _engine(corpus_from_sentences(planted_sentences(300)), workers=2)
    V = len(engine.setup.keep)
    assert engine.W_out.shape[0] == V and np.shares_memory(engine.W_out, engine._out_rows)
    engine.start_epoch(0)
    engine.run(0, engine.units_per_epoch)
    assert np.abs(engine.W_out[: min(V, HOT_ROWS)]).sum(axis=1).min() > 0  # the merges reached every hot row
    assert engine.state_dict()["W_out"].shape == engine.W_out.shape


@pytest.mark.parametrize("vector_size", [20, 33])
def test_each_row_width_compiles_its_own_kernel_and_trains(vector_size):
    corpus = corpus_from_sentences(planted_sentences(3000))
    wv = w2v.train(corpus, **(FAST | dict(model="cbow", workers=1, vector_size=vector_size)))
    assert wv.vectors.shape[1] == vector_size and group_separation(wv) > 0.3
    width = -(-vector_size // ROW_ALIGN) * ROW_ALIGN
    assert any(RowWidthType(width) in signature for signature in train_cbow_chunks.signatures)


def test_row_length_is_the_widths_or_the_matrixs():
    matrix = np.zeros((3, 24), dtype=np.float32)

    @njit
    def compiled(matrix, width):
        return row_length(matrix, width)

    for width, expected in ((RowWidth(16), 16), (8, 8), (None, 24)):
        assert row_length(matrix, width) == expected
        assert compiled(matrix, width) == expected


@pytest.mark.parametrize("chunks, workers", [(100, 2), (7, 3), (1, 2), (1000, 16)])
def test_guided_batches_cover_a_block_once_in_order_and_end_in_single_chunks(chunks, workers):
    batches = guided_batches(chunks, workers)
    assert [first for first, _ in batches] == [0] + [end for _, end in batches[:-1]]
    assert sum(end - first for first, end in batches) == chunks
    sizes = [end - first for first, end in batches]
    assert sizes == sorted(sizes, reverse=True) and all(size >= 1 for size in sizes)
    if chunks >= 2 * workers:
        assert sizes[0] == chunks // (2 * workers) and sizes[-workers:] == [1] * workers
