"""The files a run writes (w2v.training.outputs): one policy for w2v train -o and w2v.train(output=...)."""

import math

import numpy as np
import pytest

import w2v
from w2v.errors import OutputError
from w2v.text.corpus import corpus_from_sentences
from w2v.training.outputs import DEFAULT_CHECKPOINT_SECONDS, run_files

from conftest import planted_sentences


def test_the_checkpoint_and_loss_curve_default_to_names_beside_the_model(tmp_path):
    files = run_files(tmp_path / "m.npz")
    assert files.checkpoint == tmp_path / "m.ckpt.npz" and files.curve == tmp_path / "m-loss.png"
    assert files.checkpoint_every == math.inf  # saved only when a signal stops the run
    named = run_files(tmp_path / "m.npz", checkpoint=tmp_path / "run.ckpt.npz", loss_curve=False)
    assert named.checkpoint_every == DEFAULT_CHECKPOINT_SECONDS and named.curve is None
    resumed = run_files(None, resuming=tmp_path / "run.ckpt.npz", checkpoint_every=5.0)
    assert resumed.checkpoint == tmp_path / "run.ckpt.npz" and resumed.checkpoint_every == 5.0
    assert run_files(None) == type(files)(None, None, None, math.inf)


def test_outputs_that_clash_or_replace_an_input_are_refused_before_any_work(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text("a b c\n")
    with pytest.raises(OutputError, match="another output"):
        run_files(tmp_path / "m.npz", checkpoint=tmp_path / "m.npz")
    with pytest.raises(OutputError):
        run_files(text, inputs=[text])
    with pytest.raises(OutputError):
        w2v.train(str(text), output=text, min_count=1, epochs=1)
    assert text.read_text() == "a b c\n"


def test_train_with_an_output_saves_the_model_and_its_loss_curve_as_the_command_does(tmp_path):
    corpus = corpus_from_sentences(planted_sentences(50))
    wv = w2v.train(corpus, output=tmp_path / "m.npz", vector_size=8, epochs=1, workers=1, seed=1)
    saved = w2v.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(saved.vectors, wv.vectors)
    assert (tmp_path / "m-loss.png").stat().st_size > 0 and not (tmp_path / "m.ckpt.npz").exists()
    w2v.train(corpus, output=tmp_path / "n.npz", loss_curve=False, vector_size=8, epochs=1, workers=1, seed=1)
    assert (tmp_path / "n.npz").exists() and not (tmp_path / "n-loss.png").exists()
