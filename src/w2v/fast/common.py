"""The fast engines' shared setup: the learning-rate schedule and the limits every device checks."""

from __future__ import annotations

from typing import Any

import numpy as np


def linear_alpha(cfg: Any, words_done: Any, total_words: int) -> np.ndarray:
    """The fast engines' schedule: alpha falls linearly to min_alpha over ``total_words`` words.

    words_done : int or array of words processed (by all workers together); returns float32.
    """
    progress = np.minimum(np.asarray(words_done, dtype=np.float64) / total_words, 1.0)
    return (cfg.alpha - (cfg.alpha - cfg.min_alpha) * progress).astype(np.float32)


def check_negatives(corpus: Any, cfg: Any) -> None:
    """K negatives need a vocabulary of more than K words (the message the CLI prints)."""
    from ..errors import ConfigError

    if cfg.negative >= len(corpus.vocab):
        raise ConfigError(
            f"negative={cfg.negative} needs at least {cfg.negative + 1} words, but the vocabulary "
            f"of {corpus.name} has {len(corpus.vocab)}; lower --negative or --min-count, or use a larger corpus"
        )
