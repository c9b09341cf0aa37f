"""``train()``: corpus + options in, :class:`WordVectors` out, whichever engine runs."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from typing import Any

import numpy as np

from .config import TrainConfig
from .corpus import Corpus, read_corpus
from .engine import Engine
from .devices import gpu_problem
from .errors import ConfigError, ModelFileError
from .checkpoint import load_checkpoint, save_checkpoint
from .io._files import check_writable
from .loop import CheckpointPolicy, Trainer, TrainingLog
from .vectors import WordVectors


def load_training_corpus(source: str | os.PathLike | Corpus, cfg: TrainConfig) -> Corpus:
    """``"ptb"`` -> the PTB train split; a path -> that text file; a Corpus -> itself."""
    if isinstance(source, Corpus):
        return source
    if str(source) == "ptb":
        from .datasets import ptb

        return ptb.load("train")
    return read_corpus(source, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size)


def check_device(cfg: TrainConfig) -> None:
    """Refuse ``--device cuda`` where it cannot run, before any corpus is read."""
    if cfg.device == "cuda":
        problem = gpu_problem(cfg.engine, simulated=True)  # asked for by name: the simulator will do
        if problem:
            raise ConfigError(f"--device cuda: {problem}")


def make_engine(corpus: Corpus, cfg: TrainConfig) -> Engine:
    """The engine for ``cfg.engine`` on ``cfg.device`` (already resolved from "auto")."""
    if cfg.engine == "reference":
        from .devices import cupy_module
        from .reference.engine import ReferenceEngine

        return ReferenceEngine(corpus, cfg, xp=cupy_module() if cfg.device == "cuda" else np)
    if cfg.device == "cuda":
        from .fast.cuda import CudaEngine

        return CudaEngine(corpus, cfg)
    from .fast.cpu import CpuEngine

    return CpuEngine(corpus, cfg)


def train(
    corpus: str | os.PathLike | Corpus = "ptb",
    config: TrainConfig | None = None,
    *,
    progress: bool = False,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: float | None = None,
    **options: Any,
) -> WordVectors:
    """Train word vectors.

    Parameters
    ----------
    corpus : "ptb", a path to a UTF-8 text file (one sentence per line), or a Corpus
    config : TrainConfig, optional
        Options; keyword ``options`` override its fields (``train("ptb", epochs=1)``).
    progress : bool
        Show a progress bar on stderr.
    checkpoint : path, optional
        Where to save the run's state: every ``checkpoint_every`` seconds, and before stopping
        on SIGINT or SIGTERM (which then raises :class:`~w2v.errors.TrainingInterrupted`).
        :func:`resume` goes on from it.

    Returns
    -------
    WordVectors
        ``info`` holds the resolved config, the corpus name and the training log.
    """
    cfg = dataclasses.replace(config or TrainConfig(), **options)
    cfg = cfg.resolve(corpus_is_ptb=isinstance(corpus, str) and corpus == "ptb")
    check_device(cfg)
    data = load_training_corpus(corpus, cfg)
    engine = make_engine(data, cfg)
    source = None if isinstance(corpus, Corpus) else str(corpus)
    policy = _checkpoint_policy(checkpoint, checkpoint_every, cfg, source, data, engine)
    trainer = Trainer(engine, cfg.epochs, interval=cfg.eval_interval, progress=progress, checkpoint=policy)
    return _vectors(engine, data, cfg, trainer.fit())


def resume(
    checkpoint: str | os.PathLike,
    *,
    progress: bool = False,
    checkpoint_every: float | None = None,
    corpus: str | os.PathLike | Corpus | None = None,
) -> WordVectors:
    """Continue a run from a checkpoint written by :func:`train`, saving further checkpoints there.

    The corpus is read again from where the run read it (or ``corpus``) and must be the same.
    With one worker and a seed the result equals an uninterrupted run bit for bit.
    """
    meta, state = load_checkpoint(checkpoint)
    try:
        cfg = TrainConfig.from_dict(meta["config"])
        cfg.validate()
        source, fingerprint = meta["corpus"]["source"], meta["corpus"]["fingerprint"]
        log = TrainingLog.from_dict(meta["log"])
        start = (int(meta["position"]["epoch"]), int(meta["position"]["unit"]))
    except (KeyError, TypeError, ValueError) as err:
        raise ModelFileError(f"{checkpoint}: the checkpoint's metadata is malformed ({err})") from None
    check_device(cfg)
    if corpus is None and source is None:
        raise ModelFileError(f"{checkpoint}: the run trained on an in-memory corpus; pass it to resume()")
    data = load_training_corpus(corpus if corpus is not None else source, cfg)
    if corpus_fingerprint(data) != fingerprint:
        raise ModelFileError(f"{checkpoint}: the corpus {data.name} is not the one this run trained on")
    engine = make_engine(data, cfg)
    engine.load_state_dict(state)
    policy = _checkpoint_policy(checkpoint, checkpoint_every, cfg, source, data, engine)
    trainer = Trainer(engine, cfg.epochs, interval=cfg.eval_interval, progress=progress, checkpoint=policy,
                      log=log, start=start)
    return _vectors(engine, data, cfg, trainer.fit())


def corpus_fingerprint(corpus: Corpus) -> str:
    """sha256 of the vocabulary, counts, ids and sentence offsets: the same corpus, exactly."""
    digest = hashlib.sha256()
    digest.update("\n".join(corpus.vocab.words).encode("utf-8"))
    for array in (corpus.vocab.counts, corpus.ids, corpus.offsets):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _checkpoint_policy(
    path: str | os.PathLike | None,
    every: float | None,
    cfg: TrainConfig,
    source: str | None,
    data: Corpus,
    engine: Engine,
) -> CheckpointPolicy | None:
    if path is None:
        return None
    check_writable(path)
    fingerprint = corpus_fingerprint(data)

    def save(epoch: int, unit: int, log: TrainingLog) -> None:
        meta = {
            "config": dataclasses.asdict(cfg),
            "corpus": {"source": source, "name": data.name, "fingerprint": fingerprint},
            "position": {"epoch": epoch, "unit": unit},
            "log": log.to_dict(),
        }
        save_checkpoint(path, meta, engine.state_dict())

    return CheckpointPolicy(str(path), save, every)


def _vectors(engine: Engine, data: Corpus, cfg: TrainConfig, log: TrainingLog) -> WordVectors:
    info = {
        "config": dataclasses.asdict(cfg),
        "corpus": {"name": data.name, "words": len(data), "vocabulary": len(data.vocab)},
        "training": log.to_dict(),
    }
    return WordVectors(engine.word_vectors(), data.vocab.words, counts=data.vocab.counts, info=info)
