"""The memory estimate (w2v.memory) is computed from the sizes the engines allocate."""

import pytest

from w2v.config import TrainConfig
from w2v.fast.cpu import CpuEngine
from w2v.memory import estimate
from w2v.text.corpus import corpus_from_sentences

from conftest import planted_sentences


@pytest.mark.parametrize("workers, hs", [(1, False), (2, True)])
def test_the_fast_engines_weights_and_tables_are_the_estimates(workers, hs):
    corpus = corpus_from_sentences(planted_sentences(200))
    cfg = TrainConfig(vector_size=13, workers=workers, hs=hs, epochs=1, seed=1).resolve(
        corpus_is_ptb=False, cores=2, gpu_usable=False)
    parts = dict(estimate(corpus, cfg).parts)
    engine = CpuEngine(corpus, cfg)
    weights = engine.W_in.nbytes + engine.W_out.nbytes
    assert parts["W_in and W_out"] == weights
    assert parts["hot rows' private copies"] == engine._out_rows.nbytes - engine.W_out.nbytes
    assert parts["W_node"] == engine.W_node.nbytes
    assert parts["noise table"] == engine.setup.table.nbytes
