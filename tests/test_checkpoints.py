"""Checkpoints: periodic and on-signal saves, resume, bit-identical continuation."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import w2v
from w2v.config import TrainConfig
from w2v.errors import ModelFileError
from w2v.io.npz import write_archive
from w2v.record import Position, TrainingLog
from w2v.train import resume, train
from w2v.training.checkpoint import Checkpoint, CorpusRef, load_checkpoint, save_checkpoint

from conftest import planted_sentences, takes_ctrl_c


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "planted.txt"
    path.write_text("\n".join(" ".join(s) for s in planted_sentences(6000)) + "\n")
    return path


SETTINGS = dict(epochs=3, seed=1, workers=1, vector_size=16, loss_every=3, min_count=1)


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_resuming_from_a_mid_run_checkpoint_gives_bit_identical_vectors(tmp_path, corpus_file, engine):
    options = SETTINGS | dict(algorithm=engine)
    straight = train(corpus_file, **options)
    checkpoint = tmp_path / "run.ckpt.npz"
    saved = train(corpus_file, checkpoint=checkpoint, checkpoint_every=0.0, **options)  # saves after every block
    np.testing.assert_array_equal(saved.vectors, straight.vectors)  # checkpointing changes nothing
    position = load_checkpoint(checkpoint).position
    assert position.epoch == 2 and position.unit > 0  # the last save is mid-epoch
    resumed = resume(checkpoint)
    np.testing.assert_array_equal(resumed.vectors, straight.vectors)
    assert resumed.record.log.epoch_losses == straight.record.log.epoch_losses


def test_resume_refuses_a_different_corpus(tmp_path, corpus_file):
    checkpoint = tmp_path / "run.ckpt.npz"
    train(corpus_file, checkpoint=checkpoint, checkpoint_every=0.0, **SETTINGS)
    other = tmp_path / "other.txt"
    other.write_text(corpus_file.read_text().replace("a1", "a2"))
    with pytest.raises(ModelFileError, match="not the one this run trained on"):
        resume(checkpoint, corpus=other)


def test_broken_checkpoints_give_clear_errors(tmp_path):
    path = tmp_path / "bad.ckpt.npz"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ModelFileError, match="bad.ckpt.npz"):
        resume(path)
    write_archive(path, {"format": "w2v.checkpoint", "version": 1, "meta": {"config": {}}, "state": {}}, {})
    with pytest.raises(ModelFileError, match="malformed"):
        resume(path)
    model = tmp_path / "m.npz"
    w2v.WordVectors(np.zeros((1, 2)), ["a"]).save(model)
    with pytest.raises(ModelFileError, match="not a w2v checkpoint"):
        resume(model)


def test_checkpoint_round_trip(tmp_path):
    state = {"params": [np.arange(6.0).reshape(2, 3), np.ones(2, np.float32)], "rng": {"a": 1, "b": [2, 3]},
             "order": None, "epoch": 4}
    saved = Checkpoint(TrainConfig(seed=2, epochs=3), CorpusRef("corpus.txt", "corpus", "f" * 64), Position(1, 7),
                       TrainingLog(unit="chunk", epoch_losses=[3.0], words=10), state)
    save_checkpoint(tmp_path / "c.npz", saved)
    back = load_checkpoint(tmp_path / "c.npz")
    assert (back.config, back.corpus, back.position) == (saved.config, saved.corpus, saved.position)
    assert back.log == saved.log
    assert back.state["rng"] == state["rng"] and back.state["order"] is None and back.state["epoch"] == 4
    np.testing.assert_array_equal(back.state["params"][0], state["params"][0])
    assert back.state["params"][1].dtype == np.float32


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_sigint_mid_epoch_saves_and_resume_matches_an_uninterrupted_run(tmp_path, corpus_file, engine):
    """The CLI as a user runs it: Ctrl-C, then ``w2v train --resume``."""
    epochs = "800" if engine == "fast" else "60"
    flags = ["--algorithm", engine, "--workers", "1", "--seed", "3", "--epochs", epochs, "--min-count", "1",
             "--vector-size", "16", "--loss-every", "1" if engine == "fast" else "100", "--quiet"]
    # Blocks of one chunk (fast) or 100 of 720 iterations (reference): the signal lands mid-epoch
    # most of the time; resuming mid-epoch is also checked deterministically above.
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "w2v", "train", str(corpus_file)]
    interrupted = subprocess.Popen(command + ["-o", str(tmp_path / "a.npz"), "--checkpoint",
                                              str(tmp_path / "a.ckpt.npz"), "--checkpoint-every", "0.2s", *flags],
                                   stderr=subprocess.PIPE, text=True, env=env, preexec_fn=takes_ctrl_c)
    deadline = time.time() + 60
    while not (tmp_path / "a.ckpt.npz").exists() and time.time() < deadline:  # training is under way
        time.sleep(0.05)
    interrupted.send_signal(signal.SIGINT)
    _, err = interrupted.communicate(timeout=60)
    assert interrupted.returncode == 130, err
    assert "stopped by SIGINT" in err and "--resume" in err and "Traceback" not in err
    assert not (tmp_path / "a.npz").exists()

    resumed = subprocess.run([sys.executable, "-m", "w2v", "train", "--resume", str(tmp_path / "a.ckpt.npz"),
                              "-o", str(tmp_path / "a.npz"), "--quiet"], capture_output=True, text=True, env=env)
    assert resumed.returncode == 0, resumed.stderr
    straight = subprocess.run(command + ["-o", str(tmp_path / "b.npz"), *flags], capture_output=True, text=True,
                              env=env)
    assert straight.returncode == 0, straight.stderr
    np.testing.assert_array_equal(w2v.load(tmp_path / "a.npz").vectors, w2v.load(tmp_path / "b.npz").vectors)
