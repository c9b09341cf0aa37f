"""``train()`` and ``resume()``: corpus + options in, :class:`WordVectors` out, whichever engine runs.

The engine registry maps an algorithm and a device to the class that runs it; the driver
(:mod:`w2v.loop`) never knows which one it drives.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable

import numpy as np

from .checkpoint import Checkpoint, CorpusRef, load_checkpoint, save_checkpoint
from .config import TrainConfig, renamed_options
from .corpus import Corpus, read_corpus
from .devices import available_cores, cupy_module, gpu_problem, require_gpu
from .engine import Engine
from .errors import ModelFileError
from .io.files import check_writable
from .loop import CheckpointPolicy, TrainingLoop
from .record import CorpusSummary, Position, TrainingLog, TrainingRecord
from .vectors import WordVectors


def _reference_engine(corpus: Corpus, cfg: TrainConfig) -> Engine:
    from .reference.engine import ReferenceEngine

    return ReferenceEngine(corpus, cfg, xp=cupy_module() if cfg.device == "cuda" else np)


def _cpu_engine(corpus: Corpus, cfg: TrainConfig) -> Engine:
    from .fast.cpu import CpuEngine  # imported when used: its kernels compile or load on import

    return CpuEngine(corpus, cfg)


def _cuda_engine(corpus: Corpus, cfg: TrainConfig) -> Engine:
    from .fast.cuda import CudaEngine

    return CudaEngine(corpus, cfg)


ENGINES: dict[tuple[str, str], Callable[[Corpus, TrainConfig], Engine]] = {
    ("reference", "cpu"): _reference_engine,
    ("reference", "cuda"): _reference_engine,
    ("fast", "cpu"): _cpu_engine,
    ("fast", "cuda"): _cuda_engine,
}


def make_engine(corpus: Corpus, cfg: TrainConfig) -> Engine:
    """The engine for ``cfg.algorithm`` on ``cfg.device`` (already resolved from "auto")."""
    return ENGINES[(cfg.algorithm, cfg.device)](corpus, cfg)


def resolve_config(cfg: TrainConfig, *, corpus_is_ptb: bool) -> TrainConfig:
    """``cfg`` with its defaults filled in from this machine (cores, a usable GPU for "auto")."""
    gpu_usable = cfg.device == "auto" and gpu_problem(cfg.algorithm) is None
    resolved = cfg.resolve(corpus_is_ptb=corpus_is_ptb, cores=available_cores(), gpu_usable=gpu_usable)
    if resolved.device == "cuda":
        require_gpu(resolved.algorithm)  # before any corpus is read
    return resolved


def load_training_corpus(source: str | os.PathLike | Corpus, cfg: TrainConfig) -> Corpus:
    """``"ptb"`` -> the PTB train split; a path -> that text file; a Corpus -> itself."""
    if isinstance(source, Corpus):
        return source
    if str(source) == "ptb":
        from .datasets import ptb

        return ptb.load("train")
    return read_corpus(source, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size)


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
        ``record`` holds the resolved config, the corpus and the training log.
    """
    cfg = dataclasses.replace(config or TrainConfig(), **renamed_options(options))
    cfg = resolve_config(cfg, corpus_is_ptb=isinstance(corpus, str) and corpus == "ptb")
    data = load_training_corpus(corpus, cfg)
    engine = make_engine(data, cfg)
    source = None if isinstance(corpus, Corpus) else str(corpus)
    ref = CorpusRef(source, data.name, data.fingerprint()) if checkpoint is not None else None
    policy = _checkpoint_policy(checkpoint, checkpoint_every, cfg, ref, engine)
    loop = TrainingLoop(engine, cfg.epochs, loss_every=cfg.loss_every, progress=progress, checkpoint=policy)
    return _vectors(engine, data, cfg, loop.run())


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
    saved = load_checkpoint(checkpoint)
    cfg = saved.config
    if cfg.device == "cuda":
        require_gpu(cfg.algorithm)
    if corpus is None and saved.corpus.source is None:
        raise ModelFileError(f"{checkpoint}: the run trained on an in-memory corpus; pass it to resume()")
    data = load_training_corpus(corpus if corpus is not None else saved.corpus.source, cfg)
    if data.fingerprint() != saved.corpus.fingerprint:
        raise ModelFileError(f"{checkpoint}: the corpus {data.name} is not the one this run trained on")
    engine = make_engine(data, cfg)
    engine.load_state_dict(saved.state)
    policy = _checkpoint_policy(checkpoint, checkpoint_every, cfg, saved.corpus, engine)
    loop = TrainingLoop(engine, cfg.epochs, loss_every=cfg.loss_every, progress=progress, checkpoint=policy,
                        log=saved.log, start=saved.position)
    return _vectors(engine, data, cfg, loop.run())


def _checkpoint_policy(
    path: str | os.PathLike | None,
    every: float | None,
    cfg: TrainConfig,
    corpus: CorpusRef | None,
    engine: Engine,
) -> CheckpointPolicy | None:
    if path is None:
        return None
    check_writable(path)

    def save(position: Position, log: TrainingLog) -> None:
        save_checkpoint(path, Checkpoint(cfg, corpus, position, log, engine.state_dict()))

    return CheckpointPolicy(str(path), save, every)


def _vectors(engine: Engine, data: Corpus, cfg: TrainConfig, log: TrainingLog) -> WordVectors:
    record = TrainingRecord(cfg, CorpusSummary(data.name, len(data), len(data.vocab)), log)
    return WordVectors(engine.word_vectors(), data.vocab.words, counts=data.vocab.counts, record=record)
