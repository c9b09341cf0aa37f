"""Recorded outputs: what each training variant gives with one worker and a seed.

The vectors were recorded by ``W2V_RECORD=1 python -m pytest tests/test_recorded_outputs.py``
before the package was reorganised, and every later change is held to them. On the CPU that
recorded them, compiled by the same Numba and LLVM (``recorded/meta.json`` names them), they must
match bit for bit. Elsewhere the compiled kernels may round differently (fastmath lets LLVM reorder
sums to the CPU's vector width, and another LLVM may vectorise another way), so there they must
agree within ``RTOL``/``ATOL``. They were recorded again on the same CPU when a newer Numba
(0.68.1, LLVM 22) rounded them differently, after they had passed that check.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import llvmlite.binding as llvm
import numpy as np
import pytest

import w2v
from w2v.config import TrainConfig
from w2v.text.corpus import corpus_from_sentences

HERE = Path(__file__).parent / "recorded"
RECORD = os.environ.get("W2V_RECORD") == "1"
RTOL, ATOL = 1e-3, 1e-5  # other CPUs only

COMMON = dict(vector_size=16, window=3, negative=4, min_count=1, seed=1, workers=1)
VARIANTS = {
    "fast-cbow-plain": dict(engine="fast", model="cbow", kernel="plain", epochs=2, sample=1e-3),
    "fast-cbow-batched": dict(engine="fast", model="cbow", kernel="batched", epochs=2, sample=1e-3),
    "fast-skipgram-plain": dict(engine="fast", model="skipgram", kernel="plain", epochs=2, sample=1e-3),
    "fast-skipgram-batched": dict(engine="fast", model="skipgram", kernel="batched", epochs=2, sample=1e-3),
    "reference-cbow-adam": dict(engine="reference", model="cbow", optimizer="adam", epochs=1, batch_size=100),
    "reference-skipgram-adam": dict(engine="reference", model="skipgram", optimizer="adam", epochs=1,
                                    batch_size=100),
}


def recording_corpus():
    """~23k words over 300 word types with Zipf-like counts, one sentence over 10,000 words."""
    rng = np.random.default_rng(2024)
    weights = 1.0 / np.arange(1, 301)
    weights /= weights.sum()
    lengths = list(rng.integers(1, 40, size=400)) + [11_000]
    return corpus_from_sentences([[f"w{i}" for i in rng.choice(300, size=n, p=weights)] for n in lengths])


def host_toolchain() -> dict[str, str]:
    """The CPU and the compilers the kernels were built for: what bit-for-bit agreement depends on."""
    import llvmlite
    import numba

    return {"cpu": llvm.get_host_cpu_name(), "numba": numba.__version__, "llvmlite": llvmlite.__version__}


def recorded_here() -> bool:
    """Whether this host compiles the kernels as the recording's host did (then outputs match bit for bit)."""
    meta = json.loads((HERE / "meta.json").read_text())
    return all(meta.get(key) == value for key, value in host_toolchain().items())


@pytest.fixture(scope="module")
def corpus():
    return recording_corpus()


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_training_output_is_unchanged(corpus, name):
    config = TrainConfig.from_dict(COMMON | VARIANTS[name])
    vectors = w2v.train(corpus, config).vectors
    digest = hashlib.sha256(np.ascontiguousarray(vectors).tobytes()).hexdigest()
    meta_path = HERE / "meta.json"
    if RECORD:
        np.save(HERE / f"{name}.npy", vectors)
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {"sha256": {}}
        meta |= host_toolchain()
        meta["sha256"][name] = digest
        meta_path.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
        return
    meta = json.loads(meta_path.read_text())
    if recorded_here():
        assert digest == meta["sha256"][name], f"{name} no longer gives the recorded vectors bit for bit"
    else:
        np.testing.assert_allclose(vectors, np.load(HERE / f"{name}.npy"), rtol=RTOL, atol=ATOL)


def test_files_written_by_version_0_1_still_load_and_resume(tmp_path):
    """A model and a mid-run checkpoint saved by w2v 0.1 (old option names: engine, eval_interval;
    old state names: syn0, syn1neg), from ``recorded/v0.1-tiny.txt``."""
    old = w2v.load(HERE / "v0.1-model.npz")
    assert old.record.config.algorithm == "fast" and old.record.config.loss_every == 1
    checkpoint = tmp_path / "run.ckpt.npz"  # resume() may write to it
    shutil.copy(HERE / "v0.1-run.ckpt.npz", checkpoint)
    resumed = w2v.resume(checkpoint, corpus=HERE / "v0.1-tiny.txt")
    if recorded_here():
        np.testing.assert_array_equal(resumed.vectors, old.vectors)
    else:
        np.testing.assert_allclose(resumed.vectors, old.vectors, rtol=RTOL, atol=ATOL)
