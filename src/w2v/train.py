"""``train()`` and ``resume()``: corpus + options in, :class:`WordVectors` out, whichever engine runs.

The engine registry maps an algorithm and a device to the class that runs it; the driver
(:mod:`w2v.training.loop`) never knows which one it drives.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import sys
import threading
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence, Union

import numpy as np

from .config import TrainConfig, check_continues, continued, renamed_options
from .datasets.benchmarks import read_analogies, read_word_pairs, resolve
from .datasets.fetch import cache_dir
from .devices import available_cores, available_memory, cupy_module, gpu_problem, require_gpu
from .errors import ConfigError, ModelFileError, StopTraining, W2VError
from .memory import MemoryEstimate, check_fits, estimate
from .record import CorpusSummary, Position, TrainingLog, TrainingRecord
from .text.corpus import Corpus, corpus_from_sentences, grown_corpus, is_token_lists, read_corpus
from .text.huffman import huffman_tree
from .text.prepared import cached_corpus, is_prepared, mapped_text, open_corpus
from .text.sequences import is_sequences, item_corpus
from .text.sources import codec_of, expand_inputs
from .text.vocab import Vocab, fixed_vocab, read_vocab_file, write_vocab_file
from .training.checkpoint import Checkpoint, CorpusRef, load_checkpoint, save_checkpoint
from .training.engine import Engine, Start
from .training.loop import CheckpointPolicy, TrainingLoop
from .training.outputs import RunFiles, run_files, save_run
from .vectors import evaluate
from .vectors.word_vectors import WordVectors, load


def _reference_engine(corpus: Corpus, cfg: TrainConfig, start: Start | None = None) -> Engine:
    from .reference.engine import ReferenceEngine

    return ReferenceEngine(corpus, cfg, xp=cupy_module() if cfg.device == "cuda" else np, start=start)


def _cpu_engine(corpus: Corpus, cfg: TrainConfig, start: Start | None = None) -> Engine:
    from .fast.cpu import CpuEngine  # imported when used: its kernels compile or load on import

    return CpuEngine(corpus, cfg, start)


def _cuda_engine(corpus: Corpus, cfg: TrainConfig, start: Start | None = None) -> Engine:
    from .fast.cuda import CudaEngine

    return CudaEngine(corpus, cfg, start)


_ADVICE = {"fast": ("lower alpha", ("alpha",)),
           "reference": ("lower lr, or set max_grad to clip the gradient", ("lr", "max_grad"))}

ENGINES: dict[tuple[str, str], Callable[..., Engine]] = {
    ("reference", "cpu"): _reference_engine,
    ("reference", "cuda"): _reference_engine,
    ("fast", "cpu"): _cpu_engine,
    ("fast", "cuda"): _cuda_engine,
}


@contextmanager
def _compile_notice(progress: bool, after_seconds: float = 1.0) -> Iterator[None]:
    """With progress on, say so on stderr if building the engine takes long: the kernels are compiling."""
    timer = threading.Timer(after_seconds, lambda: print(
        "compiling the kernels (first run only: later runs load them from the cache) ...", file=sys.stderr,
        flush=True))
    if progress:
        timer.start()
    try:
        yield
    finally:
        timer.cancel()


def make_engine(corpus: Corpus, cfg: TrainConfig, start: Start | None = None) -> Engine:
    """The engine for ``cfg.algorithm`` on ``cfg.device`` (already resolved from "auto"); with
    ``cfg.distributed``, that engine run on this MPI rank's share (:mod:`w2v.fast.mpi`); ``start``: the
    model a continued run starts from."""
    local = ENGINES[(cfg.algorithm, cfg.device)]
    if cfg.distributed:
        from .fast.mpi import DistributedEngine  # imported when used: it loads mpi4py

        return DistributedEngine(corpus, cfg, lambda corpus, cfg: local(corpus, cfg, start))
    return local(corpus, cfg, start)


def resolve_config(cfg: TrainConfig, *, corpus_is_ptb: bool) -> TrainConfig:
    """``cfg`` with its defaults filled in from this machine (cores, a usable GPU for "auto").

    A distributed run's ranks share their machine's cores, and take rank 0's seed.
    """
    gpu_usable = cfg.device == "auto" and gpu_problem(cfg.algorithm) is None
    cores = available_cores()
    if cfg.distributed:
        from .fast.mpi import local_size

        cores = max(1, cores // local_size())
    resolved = cfg.resolve(corpus_is_ptb=corpus_is_ptb, cores=cores, gpu_usable=gpu_usable)
    if resolved.device == "cuda":
        require_gpu(resolved.algorithm)  # before any corpus is read
    if resolved.distributed:
        from .fast.mpi import agree

        resolved = agree(resolved)
    return resolved


Inputs = Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]]


def load_training_corpus(source: Inputs | Corpus, cfg: TrainConfig) -> Corpus:
    """The corpus to train on.

    ``"ptb"`` -> the PTB train split; a Corpus -> itself (renumbered by frequency if its ids are
    not); tokenised sentences (lists of str) -> a corpus in memory; a prepared corpus folder ->
    that corpus, memory-mapped; one plain text file that fits easily in memory -> prepared into
    a temporary folder of the cache and memory-mapped (:func:`w2v.text.prepared.mapped_text`;
    read into memory if the cache cannot be written); standard input -> read into memory; anything
    else (compressed files, folders, several inputs, a large file) -> prepared once into the
    cache (``$W2V_CACHE_DIR/corpora``) and memory-mapped from there, reused while the inputs
    keep their size and modification time. ``cfg.read_vocab`` fixes the vocabulary of text
    (:func:`w2v.text.vocab.fixed_vocab`).
    """
    if isinstance(source, Corpus):
        if cfg.read_vocab is not None:
            raise ConfigError("read_vocab applies to text; a Corpus comes with its vocabulary", options=("read_vocab",))
        source.check()
        return source.by_frequency()
    if is_token_lists(source):
        vocab = None if cfg.read_vocab is None else \
            fixed_vocab(cfg.read_vocab, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size)
        return corpus_from_sentences(source, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size, vocab=vocab)
    if isinstance(source, (str, os.PathLike)) and str(source) == "ptb":
        from .datasets import ptb

        if cfg.min_count != 1 or cfg.max_vocab_size is not None or cfg.read_vocab is not None:
            raise ConfigError("ptb comes with the book's 10,000-word vocabulary: min_count, max_vocab_size and "
                              "read_vocab do not apply to it", options=("min_count", "max_vocab_size", "read_vocab"))
        return ptb.load("train")
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if len(items) == 1 and is_prepared(items[0]):
        corpus = open_corpus(items[0])
        if cfg.read_vocab is not None and cfg.read_vocab != corpus.prepared_with.get("read_vocab"):
            raise ConfigError(f"{items[0]}: a prepared corpus's vocabulary was fixed when it was prepared; "
                              "prepare it with read_vocab instead", options=("read_vocab",))
        return corpus
    sources = expand_inputs(items)
    pipe = len(sources) == 1 and not os.path.isfile(sources[0].path)  # read as it comes
    if pipe or (len(sources) == 1 and codec_of(sources[0]) == "text"
                and os.path.getsize(sources[0].path) <= available_memory() // 4):
        if not pipe:
            try:
                return mapped_text(items, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size,
                                   under=cache_dir() / "corpora", read_vocab=cfg.read_vocab)
            except OSError:
                pass  # no room, or no writable cache: read into memory instead
        vocab = None if cfg.read_vocab is None else \
            fixed_vocab(cfg.read_vocab, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size)
        return read_corpus(items, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size, vocab=vocab)
    corpus, _ = cached_corpus(items, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size, cache=cache_dir(),
                              read_vocab=cfg.read_vocab)
    return corpus


def _checked(corpus: Corpus, cfg: TrainConfig) -> tuple[Corpus, TrainConfig, MemoryEstimate]:
    """Refuse a run that cannot fit in memory; a prepared corpus's vocabulary options go into the config."""
    if corpus.prepared_with is not None:
        cfg = dataclasses.replace(cfg, **corpus.prepared_with)
    needed = estimate(corpus, cfg)
    check_fits(needed, available_memory())
    return corpus, cfg, needed


def train(
    corpus: Inputs | Corpus = "ptb",
    config: TrainConfig | None = None,
    *,
    progress: bool = False,
    output: str | os.PathLike | None = None,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: float | None = None,
    loss_curve: bool = True,
    save_vocab: str | os.PathLike | None = None,
    on_epoch_end: EpochCallback | Sequence[EpochCallback] | None = None,
    init: WordVectors | str | os.PathLike | None = None,
    output_weights: bool = True,
    **options: Any,
) -> WordVectors:
    """Train word vectors, or continue training a model on new text (``init``).

    Parameters
    ----------
    corpus : "ptb", a Corpus, a prepared corpus folder (:func:`w2v.prepare`, ``w2v walks``), UTF-8 text
        (a file, one sentence per line; a ``.gz``/``.bz2``/``.xz`` file, a folder of them, ``"-"``
        for standard input, or a list of those: see :func:`load_training_corpus`), tokenised sentences
        (a list of lists of str, as gensim's ``Word2Vec`` takes them), or integer
        sequences (a NumPy int array, a list of them, or :class:`~w2v.text.sequences.Sequences`):
        item ids, which key the vectors as given (``min_count`` then defaults to 1)
    config : TrainConfig, optional
        Options; keyword ``options`` override its fields (``train("ptb", epochs=1)``).
    progress : bool
        Show a progress bar on stderr.
    output : path, optional
        Save the vectors there (a w2v ``.npz``, as ``w2v train -o``) once trained, with the loss
        curve beside it (``MODEL-loss.png``, unless ``loss_curve=False``); the checkpoint then
        defaults to ``MODEL.ckpt.npz``. Every output is checked before the corpus is read.
    checkpoint : path, optional
        Where to save the run's state: every ``checkpoint_every`` seconds (default 600 for a
        checkpoint named here; ``math.inf`` and the default beside ``output``: never on a timer),
        and before stopping on SIGINT or SIGTERM (which then raises
        :class:`~w2v.errors.TrainingInterrupted`). :func:`resume` goes on from it.
    save_vocab : path, optional
        Write the vocabulary there as ``word count`` lines (word2vec.c's ``-save-vocab``) once
        the corpus is read, before training; ``read_vocab`` reads it back.
    on_epoch_end : callable, or a list of them
        ``on_epoch_end(epoch, vectors, log)`` after each epoch (``epoch`` counts the epochs
        done: 1 after the first), where ``vectors`` is a :class:`WordVectors` snapshot (its own
        copy, with the record as of then) and ``log`` the run's :class:`~w2v.record.TrainingLog`
        (``log.evaluations`` holds the scores of ``evaluate_analogies``/``evaluate_similarity``).
        It runs between blocks, while no worker thread does. Returning True, or raising
        :class:`~w2v.errors.StopTraining`, ends training there: the vectors trained so far are
        returned (the fast algorithm's learning rate has then not fallen to ``min_alpha``).
    init : WordVectors or path, optional
        Continue this model (a w2v ``.npz`` that kept ``W_out``, or its WordVectors) on ``corpus``
        (:func:`continue_setup`): its words keep their ids and rows, the new words that reach
        ``min_count`` on the new counts (old plus new with ``count_old``) get fresh rows, and
        options not given are the model's. ``freeze=("old",)`` keeps its words' rows fixed,
        ``freeze=("out",)`` its output matrix. ``epochs=0`` gives the model back with the new
        words' fresh rows. A continued run writes no checkpoint.
    output_weights : bool
        Save ``W_out`` and ``W_node`` with the vectors to ``output`` (what continuing needs; False: a smaller file).

    Returns
    -------
    WordVectors
        ``record`` holds the resolved config, the corpus and the training log.
    """
    options = renamed_options(options)
    model = None
    if init is None:
        cfg = dataclasses.replace(config or TrainConfig(), **options)
        if cfg.freeze or cfg.count_old is not None:
            raise ConfigError("freeze and count_old apply to a continued run: give init=MODEL",
                              options=("freeze", "count_old"))
    else:
        model = init if isinstance(init, WordVectors) else load(init)
        cfg = continued(model.record.config if model.record else TrainConfig(), config or TrainConfig(), options)
        if checkpoint is not None:
            raise ConfigError("a continued run writes no checkpoint (resuming it needs the model it started from: "
                              "run it again)", options=("checkpoint",))
    if is_sequences(corpus):
        cfg = dataclasses.replace(cfg, min_count=cfg.min_count or 1)
        corpus = item_corpus(corpus, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size)
    files = run_files(output, checkpoint=checkpoint, checkpoint_every=checkpoint_every, loss_curve=loss_curve,
                      inputs=training_inputs(corpus, cfg) + ([os.fspath(init)] if isinstance(init, (str, os.PathLike))
                                                             else []), save_vocab=save_vocab)
    if model is not None:
        files = dataclasses.replace(files, checkpoint=None)
    zero_epochs = model is not None and cfg.epochs == 0  # the model as it is, with its new words' fresh rows
    cfg = resolve_config(dataclasses.replace(cfg, epochs=None) if zero_epochs else cfg,
                         corpus_is_ptb=isinstance(corpus, str) and corpus == "ptb")
    _check_benchmarks(cfg)
    start = None
    if model is None:
        data, cfg, needed = _checked(load_training_corpus(corpus, cfg), cfg)
    else:
        data, start = continue_setup(model, corpus, cfg)
        data, cfg, needed = _checked(data, cfg)
    if zero_epochs:
        cfg = dataclasses.replace(cfg, epochs=0)
    engine, progress = _start(data, cfg, needed, save_vocab, progress, start)
    source = None if isinstance(corpus, Corpus) or is_token_lists(corpus) else _source_of(corpus)
    ref = CorpusRef(source, data.name, data.fingerprint()) if files.checkpoint is not None else None
    policy = _checkpoint_policy(files, cfg, ref, engine)
    log = TrainingLog(unit=engine.unit_name)
    if cfg.evaluates:  # the initial vectors' scores: chance level, and the benchmarks checked before training
        log.evaluations.append({"epoch": 0, "units": 0, **_scores(_snapshot(engine, data, cfg, log), cfg)})
    loop = TrainingLoop(engine, cfg.epochs, loss_every=cfg.loss_every, progress=progress, checkpoint=policy,
                        log=log, divergence_advice=_ADVICE[cfg.algorithm],
                        on_epoch_end=_epoch_end(engine, data, cfg, on_epoch_end))
    return _finished(engine, data, cfg, loop.run(), files, output_weights)


def continue_setup(model: WordVectors, corpus: Inputs | Corpus, cfg: TrainConfig) -> tuple[Corpus, Start]:
    """The corpus and the start of a run that continues ``model`` on ``corpus`` with the resolved ``cfg``.

    The corpus is read with every word, then renumbered onto the model's vocabulary grown by the
    new words that reach ``cfg.min_count`` (:func:`w2v.text.corpus.grown_corpus`; with
    ``cfg.count_old``, a 'word count' file of the old corpus adds its counts). The start holds the
    model's W_in and W_out (and W_node where the Huffman tree of the combined counts is the model's;
    else it starts from zeros, with a warning) and the rows ``cfg.freeze`` keeps fixed.
    ConfigError or ModelFileError, in one line, for a model that cannot be continued so.
    """
    old = model.record.config if model.record else None
    if old is not None:
        check_continues(old, cfg)
    if model.vector_size != cfg.vector_size:
        raise ConfigError(f"vector_size={cfg.vector_size}, but the model's vectors have {model.vector_size} "
                          "dimensions: a continued run keeps them", options=("vector_size",))
    if model.subwords is not None or cfg.subwords is not None:
        raise ConfigError("a subword model cannot be continued yet: its n-gram rows are shared with words "
                          "outside the vocabulary; train it again on both corpora", options=("subwords",))
    if cfg.negative and model.W_out is None:
        raise ModelFileError("the model has no W_out (saved without its output weights, or not by w2v): it can "
                             "be queried but not continued")
    if cfg.hs and model.W_node is None:
        raise ModelFileError("the model has no W_node (hierarchical softmax's inner nodes): it cannot be continued")
    if model.counts is None:
        raise ModelFileError("the model holds no word counts: continuing needs them for the noise table")
    if cfg.read_vocab is not None or cfg.max_vocab_size is not None:
        raise ConfigError("a continued run's vocabulary is the model's and the new words': read_vocab and "
                          "max_vocab_size do not apply", options=("read_vocab", "max_vocab_size"))
    if cfg.freeze and cfg.distributed:
        raise ConfigError("freeze runs in one process, not with distributed=True", options=("freeze", "distributed"))
    everything = dataclasses.replace(cfg, min_count=1)
    text = load_training_corpus(corpus, everything)
    if text.prepared_with is not None and text.prepared_with.get("min_count", 1) > 1:
        warnings.warn(f"{text.name} was prepared with min_count={text.prepared_with['min_count']}: its rarer new "
                      "words are not there to add", stacklevel=3)
    earlier = read_vocab_file(cfg.count_old) if cfg.count_old is not None else None
    old_vocab = Vocab(model.index_to_key, model.counts)
    data, _ = grown_corpus(text, old_vocab, min_count=cfg.min_count, earlier=earlier)
    W_node = None
    if cfg.hs:
        before, after = huffman_tree(model.counts), huffman_tree(data.vocab.counts)
        if len(data.vocab) == len(model) and all(np.array_equal(a, b) for a, b in zip(
                (before.codes, before.points, before.lengths), (after.codes, after.points, after.lengths))):
            W_node = model.W_node
        else:
            warnings.warn("the Huffman tree of the combined counts is not the model's: hierarchical softmax's "
                          "W_node starts again from zeros", stacklevel=3)
            if "out" in cfg.freeze:
                raise ConfigError("freeze='out' keeps W_node, but the combined counts give another Huffman tree, "
                                  "so the model's W_node no longer fits; freeze 'old' only, or use negative sampling",
                                  options=("freeze",))
    words, frozen_old = len(data.vocab), len(model) if "old" in cfg.freeze else 0
    return data, Start(np.asarray(model.vectors, dtype=np.float32), model.W_out, W_node,
                       frozen_in=frozen_old, frozen_out=words if "out" in cfg.freeze else frozen_old,
                       frozen_node="out" in cfg.freeze)


def resume(
    checkpoint: str | os.PathLike,
    *,
    progress: bool = False,
    output: str | os.PathLike | None = None,
    checkpoint_to: str | os.PathLike | None = None,
    checkpoint_every: float | None = None,
    loss_curve: bool = True,
    corpus: Inputs | Corpus | None = None,
    save_vocab: str | os.PathLike | None = None,
    on_epoch_end: EpochCallback | Sequence[EpochCallback] | None = None,
) -> WordVectors:
    """Continue a run from a checkpoint written by :func:`train`, saving further checkpoints there, or to
    ``checkpoint_to`` (every ``checkpoint_every`` seconds, default 600, and when a signal stops the run).

    The corpus is read again from where the run read it (or ``corpus``) and must be the same.
    With one worker and a seed the result equals an uninterrupted run bit for bit.
    ``output``, ``loss_curve``, ``save_vocab`` and ``on_epoch_end`` are as in :func:`train`.
    """
    files = run_files(output, checkpoint=checkpoint_to, checkpoint_every=checkpoint_every, loss_curve=loss_curve,
                      resuming=checkpoint, inputs=[] if corpus is None else training_inputs(corpus, TrainConfig()),
                      save_vocab=save_vocab)
    saved = load_checkpoint(checkpoint)
    cfg = saved.config
    if corpus is not None and is_sequences(corpus):
        corpus = item_corpus(corpus, min_count=cfg.min_count, max_vocab_size=cfg.max_vocab_size)
    if cfg.device == "cuda":
        require_gpu(cfg.algorithm)
    _check_benchmarks(cfg)
    if corpus is None and saved.corpus.source is None:
        raise ModelFileError(f"{checkpoint}: the run trained on an in-memory corpus; pass it to resume()")
    data, _, needed = _checked(load_training_corpus(corpus if corpus is not None else saved.corpus.source, cfg), cfg)
    if data.fingerprint() != saved.corpus.fingerprint:
        raise ModelFileError(f"{checkpoint}: the corpus {data.name} is not the one this run trained on")
    engine, progress = _start(data, cfg, needed, save_vocab, progress)
    if not 0 <= saved.position.unit < engine.units_per_epoch or not 0 <= saved.position.epoch < cfg.epochs:
        raise ModelFileError(f"{checkpoint}: its position {saved.position} is not inside this run (damaged?)")
    try:
        engine.load_state_dict(saved.state)
    except ModelFileError as err:
        raise ModelFileError(f"{checkpoint}: {err}") from None
    policy = _checkpoint_policy(files, cfg, saved.corpus, engine)
    loop = TrainingLoop(engine, cfg.epochs, loss_every=cfg.loss_every, progress=progress, checkpoint=policy,
                        log=saved.log, start=saved.position, divergence_advice=_ADVICE[cfg.algorithm],
                        on_epoch_end=_epoch_end(engine, data, cfg, on_epoch_end))
    return _finished(engine, data, cfg, loop.run(), files)


def _start(data: Corpus, cfg: TrainConfig, needed: MemoryEstimate, save_vocab: str | os.PathLike | None,
           progress: bool, start: Start | None = None) -> tuple[Engine, bool]:
    """Write the vocabulary file if asked, build the engine (compiling its kernels), describe the run;
    the engine and whether this process shows progress (over MPI only rank 0 does)."""
    if save_vocab is not None:
        write_vocab_file(save_vocab, data.vocab.words, data.vocab.counts)
    with _compile_notice(progress):
        engine = make_engine(data, cfg, start)
    progress = progress and engine.is_root
    _describe(engine, needed, progress)
    return engine, progress


def _describe(engine: Engine, needed: MemoryEstimate, progress: bool) -> None:
    """With progress on: what the run will hold, and how a distributed run is laid out."""
    if progress:
        print(needed.describe(), file=sys.stderr)
        layout = engine.describe()
        if layout is not None:
            print(layout, file=sys.stderr)


def _source_of(corpus: Inputs) -> str | list[str]:
    """How a checkpoint records the inputs, to read them again on resume."""
    if isinstance(corpus, (str, os.PathLike)):
        return os.fspath(corpus)
    return [os.fspath(item) for item in corpus]


def _checkpoint_policy(files: RunFiles, cfg: TrainConfig, corpus: CorpusRef | None,
                       engine: Engine) -> CheckpointPolicy | None:
    path = files.checkpoint
    if path is None:
        return None

    def save(position: Position, log: TrainingLog) -> None:
        state = engine.state_dict()  # on every rank: a distributed engine averages and gathers here
        if engine.is_root:
            save_checkpoint(path, Checkpoint(cfg, corpus, position, log, state))

    return CheckpointPolicy(str(path), save, files.checkpoint_every)


def _finished(engine: Engine, data: Corpus, cfg: TrainConfig, log: TrainingLog, files: RunFiles,
              output_weights: bool = True) -> WordVectors:
    """The trained vectors with the output weights, saved to the run's files by the process that writes them."""
    record = TrainingRecord(cfg, CorpusSummary(data.name, len(data), len(data.vocab)), log)
    W_out, W_node = engine.output_weights(final=True)
    vectors = WordVectors.from_input_matrix(engine.word_vectors(final=True), data.vector_keys, cfg.subword_spec(),
                                            counts=data.vocab.counts, record=record, W_out=W_out, W_node=W_node)
    if engine.is_root:
        save_run(vectors, files, output_weights=output_weights)
    return vectors


def training_inputs(corpus: Inputs | Corpus, cfg: TrainConfig) -> list[str]:
    """The files a run on ``corpus`` with ``cfg`` reads (the corpus's, the vocabulary and the benchmark
    files'), which no output of the run may replace."""
    named = [os.fspath(path) for path in (cfg.read_vocab, cfg.evaluate_analogies, cfg.evaluate_similarity) if path]
    if isinstance(corpus, Corpus) or is_sequences(corpus) or is_token_lists(corpus) or \
            (isinstance(corpus, str) and corpus == "ptb"):
        return named
    items = [corpus] if isinstance(corpus, (str, os.PathLike)) else list(corpus)
    try:
        return [source.path for source in expand_inputs(items)] + named
    except W2VError:
        # the reader says what is wrong with them
        return [os.fspath(item) for item in items if isinstance(item, (str, os.PathLike))] + named


EpochCallback = Callable[[int, WordVectors, TrainingLog], Any]


def _snapshot(engine: Engine, data: Corpus, cfg: TrainConfig, log: TrainingLog) -> WordVectors:
    """The vectors and log as they are now, in copies that training does not change."""
    record = TrainingRecord(cfg, CorpusSummary(data.name, len(data), len(data.vocab)), copy.deepcopy(log))
    return WordVectors.from_input_matrix(np.array(engine.word_vectors(), dtype=np.float32), data.vector_keys,
                                         cfg.subword_spec(), counts=data.vocab.counts, record=record)


def _check_benchmarks(cfg: TrainConfig) -> None:
    """Find and read the evaluation files before any training: a mistake there shows at once."""
    if cfg.evaluate_analogies is not None:
        read_analogies(resolve(cfg.evaluate_analogies, "analogies")[0])
    if cfg.evaluate_similarity is not None:
        file, bench = resolve(cfg.evaluate_similarity, "similarity")
        read_word_pairs(file, bench.score_column if bench else 3)


def _scores(vectors: WordVectors, cfg: TrainConfig) -> dict[str, float | None]:
    """The scores ``cfg`` asks for: analogy accuracy (0..1) and Spearman's rho; None where undefined."""
    scores: dict[str, float | None] = {}
    if cfg.evaluate_analogies is not None:
        scores["analogies"] = evaluate.analogies(vectors, cfg.evaluate_analogies).accuracy
    if cfg.evaluate_similarity is not None:
        rho = evaluate.similarity(vectors, cfg.evaluate_similarity).spearman
        scores["similarity"] = rho if math.isfinite(rho) else None
    return scores


def _epoch_end(engine: Engine, data: Corpus, cfg: TrainConfig,
               callbacks: EpochCallback | Sequence[EpochCallback] | None) -> Callable[[int, TrainingLog], bool] | None:
    """The loop's end-of-epoch hook: the run's evaluation, then the user's callbacks; whether to stop."""
    callbacks = [] if callbacks is None else [callbacks] if callable(callbacks) else list(callbacks)
    if not callbacks and not cfg.evaluates:
        return None

    def hook(epochs_done: int, log: TrainingLog) -> bool:
        if cfg.evaluates:
            scores = _scores(_snapshot(engine, data, cfg, log), cfg)
            log.evaluations.append({"epoch": epochs_done, "units": epochs_done * engine.units_per_epoch, **scores})
        if not callbacks:
            return False
        vectors = _snapshot(engine, data, cfg, log)
        for callback in callbacks:
            try:
                if callback(epochs_done, vectors, log):
                    return True
            except StopTraining:
                return True
        return False

    return hook
