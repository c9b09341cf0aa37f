"""``train()``: corpus + options in, :class:`WordVectors` out, whichever engine runs."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from .config import TrainConfig
from .corpus import Corpus, read_corpus
from .engines import Engine
from .trainer import Trainer
from .vectors import WordVectors


def load_training_corpus(source: str | os.PathLike | Corpus, cfg: TrainConfig) -> Corpus:
    """``"ptb"`` -> the PTB train split; a path -> that text file; a Corpus -> itself."""
    if isinstance(source, Corpus):
        return source
    if str(source) == "ptb":
        from .datasets import ptb

        return ptb.load("train")
    return read_corpus(source, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size)


def make_engine(corpus: Corpus, cfg: TrainConfig) -> Engine:
    if cfg.engine == "reference":
        from .engines.reference import ReferenceEngine

        return ReferenceEngine(corpus, cfg)
    from .engines.cpu import CpuEngine

    return CpuEngine(corpus, cfg)


def train(
    corpus: str | os.PathLike | Corpus = "ptb",
    config: TrainConfig | None = None,
    *,
    progress: bool = False,
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

    Returns
    -------
    WordVectors
        ``info`` holds the resolved config, the corpus name and the training log.
    """
    cfg = dataclasses.replace(config or TrainConfig(), **options)
    cfg = cfg.resolve(corpus_is_ptb=isinstance(corpus, str) and corpus == "ptb")
    data = load_training_corpus(corpus, cfg)
    engine = make_engine(data, cfg)
    log = Trainer(engine, cfg.epochs, interval=cfg.eval_interval, progress=progress).fit()
    info = {
        "config": dataclasses.asdict(cfg),
        "corpus": {"name": data.name, "words": len(data), "vocabulary": len(data.vocab)},
        "training": log.to_dict(),
    }
    return WordVectors(engine.word_vectors(), data.vocab.words, counts=data.vocab.counts, info=info)
