"""Training options: one dataclass, validated once, saved with the model.

CLI flags map 1:1 to the fields (``--vector-size`` -> ``vector_size``). Options left at
``None`` have a default that depends on the corpus, the algorithm or the machine;
:meth:`TrainConfig.resolve` fills them in from facts it is given (it probes nothing), so a
saved config always says what actually ran.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from dataclasses import dataclass
from typing import Any, Literal, get_args

from .errors import ConfigError, check_integer
from .text.subwords import DEFAULT_BUCKETS, Subwords

Model = Literal["cbow", "skipgram"]
Algorithm = Literal["fast", "reference"]
Optimizer = Literal["adam", "lazy-adam", "sgd"]
Kernel = Literal["batched", "plain"]
Device = Literal["cpu", "cuda", "auto"]
Combine = Literal["changes", "mean"]
EvaluateEvery = Literal["epoch"]
Freeze = Literal["old", "out"]

# Options renamed since they were first saved: old name -> new name. Saved configs and keyword
# arguments with an old name still work.
RENAMED = {"engine": "algorithm", "eval_interval": "loss_every", "power": "ns_exponent"}


# (model, with subwords) -> the fast algorithm's start learning rate: word2vec.c's without subwords;
# with them, where a sweep on wiki.txt put the analogy and WS353 columns highest together
# (bench/RESULTS.md, "Subword vectors"): n-gram rows shared by many words, and sample 1e-4, want a larger step.
DEFAULT_ALPHA = {("cbow", False): 0.05, ("skipgram", False): 0.025, ("cbow", True): 0.075, ("skipgram", True): 0.03}


@dataclass
class TrainConfig:
    """Every option of a training run.

    Shared by both algorithms
        model, algorithm, device, vector_size, window, negative, hs, cbow_mean, subwords, buckets,
        epochs, min_count, max_vocab_size, read_vocab, seed, ns_exponent, loss_every.
    Evaluation during training (scores go into the training log)
        evaluate_every, evaluate_analogies, evaluate_similarity.
    Continuing a model (``train(..., init=model)``)
        freeze, count_old.
    Fast algorithm (word2vec.c's: SGD with linear decay, subsampling, dynamic window)
        alpha, min_alpha, sample, workers, kernel; over MPI: distributed, sync_chunks,
        full_sync_chunks, hot_rows, combine.
    Reference algorithm (the book's layers, mini-batch gradient descent)
        batch_size, lr, optimizer, max_grad, distinct_negatives.
    """

    model: Model = "cbow"
    algorithm: Algorithm = "fast"
    device: Device = "cpu"  # auto: cuda when a GPU is usable
    vector_size: int = 100
    window: int = 5
    negative: int = 5  # 0: no negative sampling (then hs=True)
    hs: bool = False  # hierarchical softmax over a Huffman tree (word2vec.c -hs 1); with negative > 0 both add
    cbow_mean: bool = True  # CBOW's hidden vector: the mean of the context vectors (False: their sum)
    subwords: tuple[int, int] | None = None  # (minn, maxn): a word's vector is the mean of its rows and its n-grams'
    buckets: int = DEFAULT_BUCKETS  # rows the character n-grams are hashed into (fastText's -bucket)
    epochs: int | None = None  # fast: 5 (word2vec.c), reference: 10 (the book)
    min_count: int | None = None  # PTB: 1 (already a 10k vocabulary); text files: 5
    max_vocab_size: int | None = None
    read_vocab: str | None = None  # a 'word count' file that fixes the vocabulary and its counts (word2vec.c)
    seed: int | None = None  # None: drawn from the OS, then recorded here
    ns_exponent: float = 0.75  # noise distribution: counts ** ns_exponent (gensim's name; word2vec.c's 0.75)
    loss_every: int = 100  # units per recorded loss: iterations (reference), 10k-word chunks (fast)
    evaluate_every: EvaluateEvery | None = None  # "epoch" (the default when a file is given)
    evaluate_analogies: str | None = None  # an analogy file or benchmark name ("google"): accuracy per epoch
    evaluate_similarity: str | None = None  # a word-similarity file or name ("wordsim353"): Spearman per epoch
    # With init: "old" keeps the model's words' rows of W_in and W_out fixed (only new words move), "out" all
    # of W_out and W_node (TWEC's compass); either, both or neither.
    freeze: tuple[Freeze, ...] = ()
    count_old: str | None = None  # with init: a 'word count' file of the old corpus, added to the new counts

    alpha: float | None = None  # DEFAULT_ALPHA: cbow 0.05, skipgram 0.025 (word2vec.c); with subwords 0.075, 0.03
    min_alpha: float | None = None  # alpha * 1e-4
    sample: float | None = None  # subsampling threshold; 0 keeps every word; 1e-3 (word2vec.c), 1e-4 with subwords
    workers: int | None = None  # threads; default: the CPU cores this process may use
    kernel: Kernel = "batched"
    shrink_windows: bool | None = None  # fast: True (word2vec.c's random window); reference: False (the book's)
    distributed: bool = False  # data-parallel over MPI ranks (mpiexec), weights averaged periodically
    sync_chunks: int = 1  # chunks each rank trains between syncs of the hot rows (~10,000 words)
    # chunks between averages of every row (also at each epoch's end); None: at least 64, and
    # often enough that every-row averages move no more bytes than the hot averages between them
    full_sync_chunks: int | None = None
    hot_rows: int = 4096  # the most frequent words' rows, averaged at every sync
    combine: Combine = "changes"  # + the ranks' changes, damped past two ranks ("mean": model averaging)

    batch_size: int = 100
    lr: float = 0.001
    optimizer: Optimizer = "adam"
    max_grad: float | None = None
    distinct_negatives: bool = True  # the book's CPU sampler: K distinct, never the target

    def resolve(self, *, corpus_is_ptb: bool, cores: int, gpu_usable: bool) -> "TrainConfig":
        """Return a validated copy with every ``None`` default that the algorithm reads (and ``device="auto"``)
        filled in; fast-only options set for ``algorithm="reference"`` are refused (ConfigError).

        Parameters
        ----------
        corpus_is_ptb : bool
            PTB already has a 10,000-word vocabulary, so ``min_count`` defaults to 1 there.
        cores : int
            CPU cores this process may use: the fast algorithm's default ``workers`` (the reference runs in one).
        gpu_usable : bool
            Whether the algorithm can run on a GPU here: what ``device="auto"`` picks.
        """
        import numpy as np

        self.validate()
        self._refuse_unused()
        filled = dataclasses.replace(self)
        fast = filled.algorithm == "fast"
        if filled.epochs is None:
            filled.epochs = 5 if fast else 10
        if filled.alpha is None and fast:
            filled.alpha = DEFAULT_ALPHA[filled.model, filled.subwords is not None]
        if filled.min_alpha is None and fast:
            filled.min_alpha = filled.alpha * 1e-4
        if filled.workers is None:
            filled.workers = cores if fast else 1
        if filled.sample is None and fast:  # fastText's t: its n-gram rows learn more from the frequent words kept
            filled.sample = 1e-4 if filled.subwords is not None else 1e-3
        if filled.device == "auto":
            filled.device = "cuda" if gpu_usable else "cpu"
        if filled.min_count is None:
            filled.min_count = 1 if corpus_is_ptb else 5
        if filled.shrink_windows is None:
            filled.shrink_windows = filled.algorithm == "fast"
        if filled.seed is None:
            filled.seed = int(np.random.SeedSequence().entropy % (2**31))
        filled.freeze = tuple(sorted(set(filled.freeze)))  # a list when read back from JSON
        for name in ("read_vocab", "evaluate_analogies", "evaluate_similarity", "count_old"):
            if getattr(filled, name) is not None:
                setattr(filled, name, os.fspath(getattr(filled, name)))  # saved as JSON
        if filled.subwords is not None:
            filled.subwords = tuple(filled.subwords)  # a list when read back from JSON
        if filled.evaluate_every is None and filled.evaluates:
            filled.evaluate_every = "epoch"
        filled.validate()
        return filled

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first option whose value cannot work."""
        for name, choices in (("model", Model), ("algorithm", Algorithm), ("optimizer", Optimizer),
                              ("kernel", Kernel), ("device", Device), ("combine", Combine)):
            value = getattr(self, name)
            if value not in get_args(choices):
                raise ConfigError(f"{name} must be one of {', '.join(get_args(choices))}, not {value!r}",
                                  options=(name,))
        for name, (low, high, why) in LIMITS.items():
            _int_in(self, name, low, high, why)
        if self.seed is not None and (not _is_int(self.seed) or not 0 <= self.seed < 2**63):
            raise ConfigError(f"seed must be an integer in 0..2**63-1, not {self.seed!r}", options=("seed",))
        _positive_float(self, "lr", "max_grad", "alpha")
        if self.min_alpha is not None and (not _is_number(self.min_alpha) or self.min_alpha < 0):
            raise ConfigError(f"min_alpha must be a number >= 0, not {self.min_alpha!r}", options=("min_alpha",))
        if self.min_alpha is not None and self.alpha is not None and self.min_alpha > self.alpha:
            raise ConfigError(f"min_alpha={self.min_alpha!r} is above alpha={self.alpha!r}: the learning rate "
                              "only falls", options=("min_alpha", "alpha"))
        if self.sample is not None and (not _is_number(self.sample) or not 0 <= self.sample < 1):
            raise ConfigError(f"sample must be a number in [0, 1), not {self.sample!r}", options=("sample",))
        # Negative exponents draw rare items more often: what item2vec's recommenders tune (Caselles-Dupre et al.).
        if not _is_number(self.ns_exponent) or not -2 <= self.ns_exponent <= 2:
            raise ConfigError(f"ns_exponent must be a number in -2..2, not {self.ns_exponent!r}",
                              options=("ns_exponent",))
        if not isinstance(self.freeze, (tuple, list)) or any(part not in get_args(Freeze) for part in self.freeze):
            raise ConfigError(f"freeze must list some of {', '.join(get_args(Freeze))}, not {self.freeze!r}",
                              options=("freeze",))
        for name, what in (("read_vocab", "the path of a 'word count' file"),
                           ("count_old", "the path of a 'word count' file"),
                           ("evaluate_analogies", "an analogy file or benchmark name"),
                           ("evaluate_similarity", "a word-similarity file or benchmark name")):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (str, os.PathLike)) or not os.fspath(value)):
                raise ConfigError(f"{name} must be {what}, not {value!r}", options=(name,))
        if self.evaluate_every not in (None, *get_args(EvaluateEvery)):
            raise ConfigError(f"evaluate_every must be 'epoch' or None, not {self.evaluate_every!r}",
                              options=("evaluate_every",))
        if self.evaluate_every is not None and not self.evaluates:
            raise ConfigError("evaluate_every needs something to evaluate: evaluate_analogies or evaluate_similarity",
                              options=("evaluate_every", "evaluate_analogies", "evaluate_similarity"))
        for name in ("distinct_negatives", "distributed", "hs", "cbow_mean", "shrink_windows"):
            value = getattr(self, name)
            if not isinstance(value, bool) and not (value is None and name == "shrink_windows"):
                raise ConfigError(f"{name} must be True or False, not {value!r}", options=(name,))
        self.subword_spec()
        if self.negative == 0 and not self.hs:
            raise ConfigError("negative=0 needs hs=True: no output loss is left", options=("negative", "hs"))
        if self.algorithm == "reference" and self.shrink_windows:
            raise ConfigError("the reference algorithm uses the book's fixed window: shrink_windows=True is for "
                              "the fast algorithm", options=("shrink_windows",))
        if self.distributed and self.algorithm != "fast":
            raise ConfigError("distributed=True runs the fast algorithm only, not algorithm='reference'",
                              options=("distributed", "algorithm"))

    def _refuse_unused(self) -> None:
        """Raise :class:`ConfigError` naming the fast-only options set for ``algorithm="reference"``, which
        would ignore them: values other than their defaults and than what the reference does anyway."""
        if self.algorithm != "reference":
            return
        unused = [name for name in FAST_ONLY
                  if getattr(self, name) not in (_DEFAULTS[name], REFERENCE_DOES.get(name, _DEFAULTS[name]))]
        if unused:
            given = ", ".join(f"{name}={getattr(self, name)!r}" for name in unused)
            one = len(unused) == 1
            raise ConfigError(f"{given} {'is' if one else 'are'} for algorithm='fast'; algorithm='reference' "
                              f"does not use {'it' if one else 'them'}", options=(*unused, "algorithm"))

    def subword_spec(self) -> Subwords | None:
        """The character n-grams a word's vector is made of (``subwords``, ``buckets``), or None without them."""
        if self.subwords is None:
            return None
        if not isinstance(self.subwords, (tuple, list)) or len(self.subwords) != 2:
            raise ConfigError(f"subwords must be (minn, maxn), two integers, or None, not {self.subwords!r}",
                              options=("subwords",))
        return Subwords(*self.subwords, self.buckets)

    @property
    def evaluates(self) -> bool:
        """Whether the run scores its vectors on a benchmark as it trains."""
        return self.evaluate_analogies is not None or self.evaluate_similarity is not None

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainConfig":
        """Build a config from saved values: old option names are renamed, unknown keys ignored."""
        known = {f.name for f in dataclasses.fields(cls)}
        renamed = {RENAMED.get(k, k): v for k, v in values.items()}
        if isinstance(renamed.get("freeze"), list):  # JSON has no tuples
            renamed["freeze"] = tuple(renamed["freeze"])
        return cls(**{k: v for k, v in renamed.items() if k in known})


# Integer options: (smallest, largest, why no larger value makes sense). The bounds keep an absurd
# value from reaching an allocation or a thread pool.
LIMITS: dict[str, tuple[int, int, str]] = {
    "vector_size": (1, 10_000, "the (V, D) matrices grow with it; published vectors use 50-1000"),
    "window": (1, 1_000, "context words on each side, within one sentence"),
    "negative": (0, 1_000, "noise words scored per example"),
    "batch_size": (1, 10_000_000, "a mini-batch is held in memory at once"),
    "loss_every": (1, 10**9, "units between recorded losses"),
    "epochs": (1, 100_000, "passes over the corpus"),
    "min_count": (1, 2**62, "a count"),
    "max_vocab_size": (1, 2**31 - 1, "word ids are int32"),
    "workers": (1, 1_024, "one thread per core is best; more only contend"),
    "sync_chunks": (1, 10**6, "chunks of about 10,000 words"),
    "full_sync_chunks": (1, 10**7, "chunks of about 10,000 words"),
    "hot_rows": (1, 2**31 - 1, "rows of the most frequent words"),
}
# What only the fast algorithm reads, and the values among them that say what the reference algorithm
# does anyway (one thread, every word kept); TrainConfig.resolve refuses others for algorithm="reference".
FAST_ONLY = ("alpha", "min_alpha", "sample", "workers", "kernel", "sync_chunks", "full_sync_chunks", "hot_rows",
             "combine")
REFERENCE_DOES = {"workers": 1, "sample": 0}
_DEFAULTS = {field.name: field.default for field in dataclasses.fields(TrainConfig)}
_OPTIONAL = {"epochs", "min_count", "max_vocab_size", "workers", "max_grad", "alpha", "full_sync_chunks"}
MAX_RATE = 1e3  # learning rates and clipping norms above this only diverge


def renamed_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with old option names replaced by new ones, with a DeprecationWarning for each."""
    for old in set(options) & set(RENAMED):
        warnings.warn(f"the option {old} is now called {RENAMED[old]}", DeprecationWarning, stacklevel=3)
    return {RENAMED.get(k, k): v for k, v in options.items()}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _int_in(cfg: TrainConfig, name: str, low: int, high: int, why: str) -> None:
    value = getattr(cfg, name)
    if value is None and name in _OPTIONAL:
        return
    check_integer(name, value, low, high, why=why, error=ConfigError)


def _positive_float(cfg: TrainConfig, *names: str) -> None:
    for name in names:
        value = getattr(cfg, name)
        if value is None and name in _OPTIONAL:
            continue
        if not _is_number(value) or not 0 < value <= MAX_RATE:
            raise ConfigError(f"{name} must be a number in (0, {MAX_RATE:g}], not {value!r}", options=(name,))


# What a run continued from a model (train(..., init=model)) takes from the model's config unless given, and
# what it must share with the model (its matrices' shapes and meaning).
INHERITED = ("model", "vector_size", "window", "negative", "hs", "cbow_mean", "subwords", "buckets", "epochs",
             "min_count", "ns_exponent", "alpha", "sample", "shrink_windows", "kernel", "batch_size", "lr",
             "optimizer", "distinct_negatives")
SAME_MODEL = ("model", "vector_size", "hs", "subwords", "buckets")


def continued(old: TrainConfig, config: TrainConfig, options: dict[str, Any]) -> TrainConfig:
    """The config of a run that continues a model trained with ``old``: ``config`` with ``options``, where
    the :data:`INHERITED` options neither sets (``config``'s left at their defaults) are the model's. The
    fast algorithm's options are not taken into a reference run, which refuses them."""
    given = {name for name in INHERITED if getattr(config, name) != _DEFAULTS[name]} | set(options)
    cfg = dataclasses.replace(config, **options)
    unused = () if cfg.algorithm == "fast" else (*FAST_ONLY, "shrink_windows")
    return dataclasses.replace(cfg, **{name: getattr(old, name) for name in INHERITED
                                       if name not in given and name not in unused})


def check_continues(old: TrainConfig, cfg: TrainConfig) -> None:
    """Raise :class:`ConfigError` naming the first :data:`SAME_MODEL` option in which the resolved ``cfg``
    differs from the config ``old`` of the model it continues."""
    for name in SAME_MODEL:
        mine, theirs = getattr(cfg, name), getattr(old, name)
        if (tuple(mine) if isinstance(mine, list) else mine) != (tuple(theirs) if isinstance(theirs, list) else theirs):
            raise ConfigError(f"{name}={mine!r} differs from the {theirs!r} that init was trained with: a "
                              "continued run keeps it", options=(name,))
