"""The ``w2v`` command: a thin argparse layer over :mod:`w2v` (train, prepare, walks, phrases, similar, analogy,
embed, evaluate, plot, export, classes, align, drift, classify).

Every error caused by input ends with one line on stderr and a non-zero exit status; output
survives any terminal encoding (what it cannot show is escaped), and SIGTERM or SIGHUP end
any command with one line, like Ctrl-C.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import os
import re
import signal
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Sequence, get_args

from .config import Algorithm, Combine, Device, EvaluateEvery, Freeze, Kernel, Model, Optimizer, TrainConfig
from .devices import abort_job, available_cores, mpi_job
from .errors import ConfigError, TrainingInterrupted, W2VError
from .io import Format
from .text.counting import DEFAULT_COUNT_MEMORY, MAX_COUNT_MEMORY
from .text.graph import hold_out, read_edge_list
from .text.phrases import Scoring
from .text.phrases import phrases as join_phrases
from .text.prepared import prepare as prepare_corpus
from .text.walks import WalkOptions, write_walks
from .training.loop import REPEAT_SECONDS, STOP_SIGNALS
from .vectors.classes import word_classes
from .vectors.evaluate import analogies
from .vectors.graph_evaluation import held_out_edges, link_prediction, node_classification
from .vectors.scoring import ANALOGY_METHODS
from .vectors.sentences import METHODS as SENTENCE_METHODS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _choices(literal: Any) -> list[str]:
    return list(get_args(literal))


def _default(function: Any, name: str) -> Any:
    """The library's default for the option ``name`` of ``function``: the command takes it from there."""
    return inspect.signature(function).parameters[name].default


_CONFIG_FIELDS = tuple(field.name for field in dataclasses.fields(TrainConfig))


def _train_options(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field (``--vector-size`` for ``vector_size``), choices from its types.

    Those flags default to None, "not given": the config's own default then applies, and
    ``--resume`` tells the flags given from those left out.
    """
    defaults = TrainConfig()
    parser.add_argument("corpus", nargs="*", default=[], metavar="CORPUS",
                        help="'ptb' (default: the Penn Treebank, downloaded or from $W2V_DATA_DIR), a prepared "
                             "corpus folder (w2v prepare), or UTF-8 text, one sentence per line: files, .gz/.bz2/.xz "
                             "files, folders of them, or - for standard input")
    parser.add_argument("-o", "--output", required=True, metavar="MODEL.npz", help="where to save the vectors")
    saving = parser.add_argument_group("checkpoints")
    saving.add_argument("--checkpoint", metavar="MODEL.ckpt.npz", default=None,
                        help="save the run's state here every --checkpoint-every (default: MODEL.ckpt.npz, "
                             "written only when Ctrl-C or SIGTERM stops the run; with --resume: the checkpoint "
                             "resumed, saved over)")
    saving.add_argument("--checkpoint-every", type=_duration, default=None, metavar="TIME",
                        help="how often to save, e.g. 90s, 10m, 1h (default with --checkpoint: 10m)")
    saving.add_argument("--resume", metavar="MODEL.ckpt.npz", default=None,
                        help="continue a stopped run; its options and corpus come from the checkpoint")
    going_on = parser.add_argument_group("continuing a model", "options left out are the model's; the learning "
                                          "rate starts again at --alpha and falls to --min-alpha over the new run, "
                                          "as word2vec.c's does: the old run's ended near zero, where nothing new "
                                          "would be learned")
    going_on.add_argument("--init", metavar="MODEL.npz", default=None,
                          help="continue this model (a w2v .npz with its output weights) on CORPUS: its words keep "
                               "their ids, new words reaching --min-count on the new counts get fresh rows, the "
                               "noise table and subsampling follow the combined counts")
    going_on.add_argument("--freeze", action="append", choices=_choices(Freeze),
                          help="old: the model's words' rows stay fixed, only new words move (the vectors stay "
                               "comparable with the model's); out: train against the model's fixed output matrix "
                               "(TWEC's compass: models of several periods share one space); may be given twice")
    going_on.add_argument("--count-old", metavar="VOCAB.txt",
                          help="a 'word count' file of the old corpus (w2v prepare OLD --min-count 1 writes one): "
                               "new words reach --min-count on old plus new counts")
    parser.add_argument("--vectors-only", action="store_true",
                        help="leave W_out and W_node out of MODEL.npz: a smaller file, which cannot be continued")
    parser.add_argument("--model", choices=_choices(Model))
    parser.add_argument("--algorithm", "--engine", dest="algorithm", choices=_choices(Algorithm),
                        help="fast (default): word2vec.c's algorithm in compiled multi-threaded kernels; "
                             "reference: the book's layers with mini-batch Adam")
    parser.add_argument("--device", choices=_choices(Device),
                        help="cuda: train on the GPU (needs the gpu extra); auto: the GPU when one is usable")
    parser.add_argument("--vector-size", type=int,
                        help="dimensions (the book's hidden size)")
    parser.add_argument("--window", type=int, help="context words on each side")
    parser.add_argument("--negative", type=int,
                        help="negative samples per target (0: none, with --hs)")
    parser.add_argument("--hs", action=argparse.BooleanOptionalAction,
                        help="hierarchical softmax over a Huffman tree (word2vec.c -hs 1); with --negative 0 the "
                             "only loss, else the two add")
    parser.add_argument("--cbow-mean", action=argparse.BooleanOptionalAction,
                        help="CBOW averages the context vectors (default); --no-cbow-mean sums them (gensim "
                             "cbow_mean=0)")
    parser.add_argument("--subwords", type=int, nargs=2, metavar=("MINN", "MAXN"),
                        help="fastText's model: a word's vector is the mean of its own and its character n-grams' "
                             "(MINN to MAXN characters, e.g. 3 6), so words outside the vocabulary get vectors too")
    parser.add_argument("--buckets", type=int,
                        help=f"rows the n-grams are hashed into (with --subwords; default {defaults.buckets:,}, "
                             "fastText's)")
    parser.add_argument("--epochs", type=int,
                        help="passes over the corpus (default: fast 5, reference 10)")
    parser.add_argument("--min-count", type=int,
                        help="drop words seen fewer times (default: 1 for ptb, 5 for text files)")
    parser.add_argument("--max-vocab-size", "--max-final-vocab", dest="max_vocab_size", type=int,
                        help="keep only the N most frequent words, counted exactly (gensim's max_final_vocab)")
    parser.add_argument("--read-vocab", metavar="VOCAB.txt",
                        help="fix the vocabulary: the words of this 'word count' file (word2vec.c's -save-vocab) "
                             "with its counts, less those below --min-count; other words are dropped")
    parser.add_argument("--save-vocab", metavar="VOCAB.txt", default=None,
                        help="write the vocabulary as 'word count' lines once the corpus is read")
    parser.add_argument("--seed", type=int,
                        help="makes a run reproducible (the fast algorithm: with --workers 1)")
    parser.add_argument("--ns-exponent", "--power", dest="ns_exponent", type=float,
                        help="negatives are drawn from counts ** ns_exponent (default 0.75, word2vec.c's; gensim's "
                             "ns_exponent; 0 draws uniformly, below 0 favours rare words: -2..2)")
    parser.add_argument("--loss-every", "--eval-interval", dest="loss_every", type=int,
                        help="units per recorded loss value: iterations (reference), 10,000-word chunks (fast)")
    scoring = parser.add_argument_group("evaluation during training")
    scoring.add_argument("--evaluate-every", choices=_choices(EvaluateEvery),
                         help="score the vectors after every epoch (the default when a file is given); the scores "
                              "go into the model's training log, the progress line and the loss plot")
    scoring.add_argument("--evaluate-analogies", metavar="FILE",
                         help="analogy accuracy per epoch: a questions-words.txt-format file or google")
    scoring.add_argument("--evaluate-similarity", metavar="FILE",
                         help="Spearman's rho per epoch: a 'word1 word2 score' file or wordsim353/simlex999")
    fast = parser.add_argument_group("fast algorithm")
    fast.add_argument("--alpha", type=float,
                      help="start learning rate (default: cbow 0.05, skipgram 0.025; with --subwords 0.075, 0.03)")
    fast.add_argument("--min-alpha", type=float, help="final learning rate (default: alpha * 1e-4)")
    fast.add_argument("--sample", type=float,
                      help="subsampling of frequent words (0: off; default 1e-3, word2vec.c's, and 1e-4 with "
                           "--subwords, fastText's)")
    fast.add_argument("--workers", type=int, help="threads (default: the number of cores)")
    fast.add_argument("--shrink-windows", action=argparse.BooleanOptionalAction,
                      help="shrink each window by a random 0..window-1 (word2vec.c, the fast default); "
                           "--no-shrink-windows keeps it fixed (gensim 4 shrink_windows=False; the reference "
                           "algorithm's window is always fixed)")
    fast.add_argument("--kernel", choices=_choices(Kernel),
                      help="batched (default): shared negatives per window for skip-gram (HogBatch); "
                           "plain: word2vec.c's per-pair updates")
    mpi = parser.add_argument_group("several processes (MPI)", "launch with: mpiexec -n N python -m mpi4py -m w2v "
                                    "train CORPUS -o MODEL.npz --distributed")
    mpi.add_argument("--distributed", action="store_true",
                     help="train data-parallel over the MPI job's ranks, averaging weights periodically")
    mpi.add_argument("--sync-chunks", type=int, metavar="N",
                     help=f"chunks (~10,000 words) each rank trains between averages of the hot rows "
                          f"(default {defaults.sync_chunks})")
    mpi.add_argument("--full-sync-chunks", type=int, metavar="N",
                     help="chunks between averages of every row, also done at each epoch's end (default: "
                          "64, or sync-chunks x vocabulary / hot-rows if larger, so that these averages move no "
                          "more bytes than the hot-row averages between them)")
    mpi.add_argument("--combine", choices=_choices(Combine),
                     help="changes (default): add the ranks' changes since the last sync to each row (two "
                          "ranks' worth of their mean where more ranks changed it), so a word trained on one rank "
                          "keeps its whole update; mean: plain model averaging (a change made on one rank counts "
                          "1/P)")
    mpi.add_argument("--hot-rows", type=int, metavar="N",
                     help=f"rows of the most frequent words averaged at every sync (default {defaults.hot_rows})")
    ref = parser.add_argument_group("reference algorithm")
    ref.add_argument("--batch-size", type=int)
    ref.add_argument("--lr", type=float, help="optimizer learning rate")
    ref.add_argument("--optimizer", choices=_choices(Optimizer),
                     help="adam (default): the book's Adam, every row every step; lazy-adam: the same "
                          "rule on the rows a batch touched only (faster; rare words learn less)")
    ref.add_argument("--max-grad", type=float, help="clip the gradient norm")
    ref.add_argument("--distinct-negatives", action=argparse.BooleanOptionalAction,
                     help="each target's negatives are distinct and never the target, as in the book (default); "
                          "--no-distinct-negatives draws them i.i.d., as word2vec.c does")
    ref.add_argument("--replace-negatives", dest="distinct_negatives", action="store_false", help=argparse.SUPPRESS)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(**dict.fromkeys(_CONFIG_FIELDS))


def _config_from(args: argparse.Namespace) -> TrainConfig:
    """The config of the flags given (the others keep TrainConfig's defaults)."""
    return TrainConfig(**{name: getattr(args, name) for name in _given_options(args)})


def _given_options(args: argparse.Namespace) -> list[str]:
    """The TrainConfig fields whose flags were given."""
    return [name for name in _CONFIG_FIELDS if getattr(args, name) is not None]


def _as_flags(err: W2VError) -> str:
    """The error's message with the options it names worded as this command's flags."""
    message = str(err)
    for name in err.options:
        flag = "--" + name.replace("_", "-")
        message = re.sub(rf"\b{name}=(['\"]?)([^\s'\",;)]*)\1", rf"{flag} \2", message)
        message = re.sub(rf"(?<![-\w]){name}\b(?!=)", flag, message)
    return message


def _duration(text: str) -> float:
    """'90s', '10m', '1.5h' or plain seconds -> seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = (text[:-1], units[text[-1]]) if text and text[-1] in units else (text, 1)
    try:
        seconds = float(number) * unit
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 30s, 10m or 1h)") from None
    if not seconds >= 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r}")
    return seconds


def cmd_train(args: argparse.Namespace) -> int:
    from .train import resume, train, training_inputs
    from .training.outputs import run_files, save_run

    if args.resume and _given_options(args):  # a checkpoint fixes every option
        flags = ", ".join(("--no-" if getattr(args, name) is False else "--") + name.replace("_", "-")
                          for name in _given_options(args))
        raise ConfigError(f"--resume goes on with the options the run started with; drop {flags}")
    if args.init and (args.resume or args.checkpoint):
        raise ConfigError("--init starts a run that writes no checkpoint; drop --resume and --checkpoint")
    corpus = args.corpus[0] if len(args.corpus) == 1 else args.corpus
    config = _config_from(args)
    files = run_files(args.output, checkpoint=args.checkpoint, checkpoint_every=args.checkpoint_every,
                      resuming=args.resume, inputs=training_inputs(corpus or "ptb", config) + (
                          [args.init] if args.init else []), save_vocab=args.save_vocab)
    model = None
    if args.init:
        from .vectors.word_vectors import load

        files = dataclasses.replace(files, checkpoint=None)
        model = load(args.init)
    # The files go to the library as checked here, and are written below, where this command can list them.
    run = dict(progress=not args.quiet, checkpoint_every=files.checkpoint_every, save_vocab=args.save_vocab,
               loss_curve=False)
    try:
        if args.resume:
            wv = resume(args.resume, checkpoint_to=files.checkpoint, corpus=corpus or None, **run)
        else:
            wv = train(corpus or "ptb", config, checkpoint=files.checkpoint, init=model, **run)
    except TrainingInterrupted as err:  # every rank of a distributed run stops here together
        rank, size = mpi_job()
        if rank == 0:
            launch = f"mpiexec -n {size} python -m mpi4py -m w2v" if size > 1 else "w2v"
            print(f"w2v train: {err.summary}; progress saved to {err.checkpoint}; continue with: "
                  f"{launch} train --resume {err.checkpoint} -o {args.output}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        saved = f"; the last checkpoint is {files.checkpoint}" if files.checkpoint and files.checkpoint.exists() else ""
        return _end("w2v train", f"stopped at once by a second signal{saved}", 130)
    if mpi_job()[0] > 0:
        return 0  # rank 0 writes the model and reports
    written = [str(path) for path in save_run(wv, files, output_weights=not args.vectors_only)]
    record = wv.record
    log, corpus_info, cfg = record.log, record.corpus, record.config
    print(f"trained {cfg.model} ({cfg.algorithm} algorithm) on {_safe(corpus_info.name)}: {corpus_info.words:,} words, "
          f"{corpus_info.vocabulary:,} in vocabulary, {cfg.epochs} epochs in {log.seconds:.1f} s "
          f"({log.words_per_second:,.0f} words/s)")
    if model is not None:
        grown = len(wv) - len(model)
        frozen = f", {' and '.join(cfg.freeze)} frozen" if cfg.freeze else ""
        print(f"continued {_safe(args.init)}: {grown:,} new words{frozen}")
    print(f"final loss {log.final_loss:.4f}")
    if log.evaluations:
        from .training.loop import describe_scores

        print(f"after epoch {log.evaluations[-1]['epoch']}: {describe_scores(log.evaluations[-1])}")
    if args.save_vocab:
        written.append(args.save_vocab)
    print(f"wrote {', '.join(written[:-1])} and {written[-1]}" if len(written) > 1 else f"wrote {written[0]}")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    report = prepare_corpus(args.inputs, args.output, min_count=args.min_count, max_vocab_size=args.max_vocab_size,
                     count_memory=args.count_memory or DEFAULT_COUNT_MEMORY, read_vocab=args.read_vocab)
    print(_safe(report.describe()))
    return 0


def cmd_walks(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    options = WalkOptions(args.walks_per_node, args.walk_length, args.p, args.q, args.seed,
                          args.workers or available_cores())
    options.validate()  # before the graph is read
    digests: list = []
    graph = read_edge_list(args.graph, directed=args.directed, digests=digests)
    if args.unweighted:
        graph = dataclasses.replace(graph, weights=None)
    print(_safe(f"read {graph.describe()}"))
    held = None
    if args.hold_out:
        graph, held = hold_out(graph, args.hold_out, args.seed)
        print(f"held out {len(held):,} edges ({args.hold_out:.0%} asked; none that is a node's last), walking "
              f"{graph.edges:,} stored edges")
    report = write_walks(graph, args.output, options, sources=digests, inputs=[args.graph], started=started,
                         held_out=held)
    print(_safe(report.describe()))
    return 0


def cmd_phrases(args: argparse.Namespace) -> int:
    report = join_phrases(args.inputs, args.output, min_count=args.min_count, threshold=args.threshold,
                     scoring=args.scoring, passes=args.passes, count_memory=args.count_memory or DEFAULT_COUNT_MEMORY)
    print(_safe(report.describe()))
    return 0


def _safe(text: str) -> str:
    """``text`` with control characters (escape sequences a terminal would obey) shown as escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def _byte_size(text: str) -> int:
    """'512M', '2G', '1.5g' or plain bytes -> bytes."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    suffix = text[-1:].lower()
    number, scale = (text[:-1], units[suffix]) if suffix in units else (text, 1)
    try:
        value = float(number) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 512M or 2G)") from None
    if not 1 << 20 <= value <= MAX_COUNT_MEMORY:  # nan and inf too
        raise argparse.ArgumentTypeError(f"must be between 1M and {MAX_COUNT_MEMORY >> 40}T, not {text}")
    return int(value)


def _print_table(title: str, rows: list[tuple[str, float]], score: str = "cosine") -> None:
    width = max([4] + [len(word) for word, _ in rows])
    print(title)
    print(f"  rank  {'word':<{width}}  {score}")
    for rank, (word, value) in enumerate(rows, 1):
        print(f"  {rank:>4}  {_safe(word):<{width}}  {value:6.3f}")


def _results(rows: list[tuple[str, float]], score: str = "cosine") -> list[dict[str, Any]]:
    return [{"word": word, score: round(value, 6)} for word, value in rows]


def _answer_lines(args: argparse.Namespace, answer: Any) -> int:
    """Answer the queries on standard input, one a line, as they come (like word2vec.c's ``distance``).

    ``answer(words)`` prints the answer to a line's words; the output is flushed after each.
    A line that cannot be answered gets one error line on stderr and the next line is read;
    the exit status is 1 if any could not be. Blank lines are skipped. Binary input (a NUL byte)
    or a line longer than :data:`~w2v.text.sources.MAX_LINE_BYTES` ends the reading with one line.
    """
    failed = 0
    from .text.sources import standard_input, text_lines

    for number, raw in text_lines(standard_input(), "standard input"):
        try:
            words = raw.decode("utf-8").split()
            if words:
                answer(words)
        except (W2VError, UnicodeDecodeError) as err:
            failed += 1
            reason = "not valid UTF-8" if isinstance(err, UnicodeDecodeError) else _as_flags(err)
            print(f"w2v {args.command}: error: line {number}: {_safe(reason)}", file=sys.stderr, flush=True)
        sys.stdout.flush()
    return 1 if failed else 0


def _similar_title(words: list[str], negative: list[str]) -> str:
    return _safe("nearest to " + " + ".join(map(repr, words)) + "".join(f" - {word!r}" for word in negative))


def _similar_record(words: list[str], negative: list[str], rows: list[tuple[str, float]]) -> dict[str, Any]:
    record: dict[str, Any] = {"query": " ".join(words), "results": _results(rows)}
    if negative:
        record["negative"] = negative
    return record


def cmd_similar(args: argparse.Namespace) -> int:
    from .vectors.word_vectors import load

    if "-" in args.words and args.words != ["-"]:
        args.parser.error("- (queries from standard input) must be the only WORD")
    if args.approximate and args.restrict_vocab is not None:
        args.parser.error("--approximate searches the whole vocabulary: leave out --restrict")
    wv = load(args.model, unicode_errors=args.unicode_errors, no_header=args.no_header)
    negative = args.negative or []
    if args.words == ["-"]:
        def answer(words: list[str]) -> None:
            rows = wv.most_similar(words, negative, topn=args.topn, restrict_vocab=args.restrict_vocab,
                                   approximate=args.approximate)
            if args.json:
                print(json.dumps(_similar_record(words, negative, rows)))
            else:
                _print_table(_similar_title(words, negative), rows)
                print()

        return _answer_lines(args, answer)
    # Each WORD is a query of its own; --negative makes all of them one query.
    queries = [[w for word in args.words for w in word.split()]] if negative else [word.split() for word in args.words]
    if not all(queries):
        args.parser.error("a WORD is empty")
    answers = wv.most_similar_batch(queries, [negative] * len(queries), topn=args.topn,
                                    restrict_vocab=args.restrict_vocab, approximate=args.approximate)
    if args.json:
        print(json.dumps([_similar_record(words, negative, rows) for words, rows in zip(queries, answers)]))
        return 0
    for i, (words, rows) in enumerate(zip(queries, answers)):
        if i:
            print()
        _print_table(_similar_title(words, negative), rows)
    return 0


def cmd_analogy(args: argparse.Namespace) -> int:
    from .vectors.word_vectors import load

    if args.words != ["-"] and len(args.words) != 3:
        args.parser.error(f"expected three words A B C, or - to read 'A B C' lines from standard input; "
                          f"found {len(args.words)}")
    wv = load(args.model, unicode_errors=args.unicode_errors, no_header=args.no_header)
    score = "score" if args.method == "3cosmul" else "cosine"

    def answer(words: list[str]) -> None:
        if len(words) != 3:
            raise W2VError(f"expected three words 'A B C', found {len(words)}")
        rows = wv.analogy(*words, topn=args.topn, method=args.method, restrict_vocab=args.restrict_vocab)
        if args.json:
            print(json.dumps({"query": words, "method": args.method, "results": _results(rows, score)}))
        else:
            _print_table(_safe("{} : {} = {} : ?".format(*words)), rows, score)

    if args.words != ["-"]:
        answer(args.words)
        return 0

    def answer_line(words: list[str]) -> None:
        answer(words)
        if not args.json:
            print()

    return _answer_lines(args, answer_line)


def cmd_embed(args: argparse.Namespace) -> int:
    import numpy as np

    from .io.files import atomic_write, check_output
    from .vectors.sentences import embed_lines

    inputs = [args.model] + ([args.input] if args.input != "-" else []) + ([args.counts] if args.counts else [])
    extra = [args.save_encoder] if args.save_encoder else []
    output = check_output(args.output, inputs=inputs, outputs=extra)
    if args.save_encoder:
        check_output(args.save_encoder, inputs=inputs, outputs=[output])
    vectors, encoder = embed_lines(args.model, args.input, method=args.method, counts=args.counts,
                                   unicode_errors=args.unicode_errors, no_header=args.no_header)
    with atomic_write(output) as handle:
        np.save(handle, vectors)
    written = [str(output)]
    if args.save_encoder:
        encoder.save(args.save_encoder)
        written.append(f"the fitted encoder to {args.save_encoder}")
    print(f"embedded {len(vectors):,} sentences as {vectors.shape[1]}-dimensional {encoder.method} vectors; "
          f"wrote {' and '.join(written)}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .io.files import check_output
    from .vectors import evaluate, report
    from .vectors.word_vectors import load

    if args.report:
        report_path = Path(args.report)
        chart = report_path.with_name(f"{report_path.stem}-analogies.png")
        check_output(report_path, inputs=[args.model], outputs=[chart])
        check_output(chart, inputs=[args.model])
    wv = load(args.model, unicode_errors=args.unicode_errors, no_header=args.no_header)
    default = not (args.analogies or args.similarity or args.nodes or args.links)  # none given: the standard pair
    analogy_file = "google" if default else args.analogies
    similarity_files = ["wordsim353"] if default else args.similarity or []
    case_insensitive = not args.case_sensitive
    analogy = None
    if analogy_file:
        analogy = evaluate.analogies(wv, analogy_file, restrict_vocab=args.restrict_vocab, method=args.method,
                                     case_insensitive=case_insensitive)
    similarities = [evaluate.similarity(wv, f, score_column=args.score_column, case_insensitive=case_insensitive)
                    for f in similarity_files]
    nodes = node_classification(wv, args.nodes, folds=args.folds, seed=args.seed, sklearn=args.sklearn) \
        if args.nodes else None
    links = None
    if args.links:
        graph, held_out = held_out_edges(args.links)
        links = link_prediction(wv, graph, held_out, seed=args.seed)
    written = report.write_report(args.report, analogy, similarities, model=args.model) if args.report else []
    if args.json:
        print(json.dumps({"model": args.model, "analogies": analogy.to_dict() if analogy else None,
                          "similarity": [s.to_dict() for s in similarities],
                          "nodes": nodes.to_dict() if nodes else None, "links": links.to_dict() if links else None}))
        return 0
    if analogy or similarities:
        print(report.format_results(analogy, similarities))
    for graph_scores in (nodes, links):
        if graph_scores:
            print(graph_scores.describe())
    if written:
        print(f"\nwrote {' and '.join(map(str, written))}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from .io.files import check_output
    from .vectors.plot import save_word_plot
    from .vectors.word_vectors import load

    check_output(args.output, inputs=[args.model])
    wv = load(args.model, unicode_errors=args.unicode_errors, no_header=args.no_header)
    extra = save_word_plot(wv, args.words, args.output, neighbors=args.neighbors)
    print(f"wrote {args.output} ({len(set(args.words))} words" + (f", {len(extra)} neighbours)" if extra else ")"))
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from .io.files import check_output
    from .io.neighbour_graph import index_path
    from .vectors.word_vectors import load

    output = check_output(index_path(args.model), inputs=[args.model])
    wv = load(args.model, mmap=Path(args.model).suffix.lower() == ".npz", unicode_errors=args.unicode_errors,
              no_header=args.no_header)
    start = time.perf_counter()
    index = wv.build_index(output, neighbours=args.neighbours, seed=args.seed)
    print(f"wrote the neighbour index of {len(wv):,} words ({index.nbytes / 2**20:,.1f} MiB) to {output} in "
          f"{time.perf_counter() - start:,.1f} s")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import subprocess

    from .io.files import check_readable

    try:
        import uvicorn  # noqa: F401 - run below as its own command line

        from .vectors import server
    except ImportError:
        raise W2VError("w2v serve needs Starlette and uvicorn: pip install 'w2v[serve]'") from None
    model = str(check_readable(args.model).resolve())
    os.environ[server.MODEL_VARIABLE] = model
    server.app_from_environment()  # a model that cannot be served stops here, in one line, before any worker
    # Each worker answers requests from several threads at once: BLAS's own threads on top of them would fight
    # over the cores (a matrix-vector product ran 14x slower so on a loaded 2-core host).
    env = {**os.environ, **{name: os.environ.get(name, "1") for name in _BLAS_THREADS}}
    print(f"serving {model} at http://{args.host}:{args.port}/ with {args.workers} worker"
          f"{'s' if args.workers > 1 else ''} (Ctrl-C stops)", flush=True)
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "w2v.vectors.server:app_from_environment",
                                "--host", args.host, "--port", str(args.port), "--workers", str(args.workers),
                                "--log-level", "warning"], env=env)
    try:
        code = process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()
    if code:
        raise W2VError(f"the server stopped with exit status {code} (is port {args.port} in use?)")
    return 0


_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def cmd_export(args: argparse.Namespace) -> int:
    from .errors import ModelFileError
    from .io import format_of
    from .io.files import check_output
    from .vectors.word_vectors import load

    if args.output is None and args.vocab is None:
        raise ConfigError("name the file to write (OUT), or --vocab VOCAB.txt for the vocabulary")
    output = fmt = None
    if args.output is not None:
        output = check_output(args.output, inputs=[args.model], outputs=[args.vocab] if args.vocab else [])
        fmt = args.format or format_of(output)
        if fmt is None:
            raise ModelFileError(f"{output}: cannot tell the format from the extension; "
                                 f"pass --format {', '.join(_choices(Format))}")
    if args.vocab is not None:
        check_output(args.vocab, inputs=[args.model])
    wv = load(args.model, limit=args.limit, unicode_errors=args.unicode_errors, no_header=args.no_header)
    if args.vocab is not None:  # first: a vocabulary that cannot be written stops the export before any file
        try:
            wv.save_vocab(args.vocab)
        except W2VError as err:
            raise type(err)(f"{args.model}: {err}", options=err.options) from None
    if fmt is not None:
        wv.save(output, fmt, dtype=args.dtype, output_weights=not args.vectors_only)
        shown = fmt if args.dtype == "float32" else f"{fmt}, {args.dtype}"
        print(f"wrote {len(wv):,} vectors of {wv.vector_size} dimensions to {output} ({shown})")
    if args.vocab is not None:
        print(f"wrote {len(wv):,} words and their counts to {args.vocab}")
    return 0


def cmd_align(args: argparse.Namespace) -> int:
    from .io.files import check_output
    from .vectors.align import align
    from .vectors.word_vectors import load

    check_output(args.output, inputs=[args.old, args.new])
    old, new = load(args.old), load(args.new)
    aligned = align(old, new, restrict=args.restrict_vocab)
    aligned.save(args.output)
    print(f"wrote {len(aligned):,} vectors of {_safe(args.new)} rotated into the space of {_safe(args.old)} to "
          f"{_safe(args.output)}")
    return 0


def cmd_drift(args: argparse.Namespace) -> int:
    from .vectors.align import drift
    from .vectors.word_vectors import load

    moved = drift(load(args.old), load(args.new), topn=args.topn, restrict=args.restrict_vocab, count=args.count)
    if args.json:
        print(json.dumps([dataclasses.asdict(d) for d in moved], ensure_ascii=False))
        return 0
    for d in moved:
        print(f"{_safe(d.word)}  changed {d.changed:.0%}, cosine {d.cosine:.3f} after alignment")
        print(f"  old: {_safe(' '.join(d.old_neighbours))}")
        print(f"  new: {_safe(' '.join(d.new_neighbours))}")
    return 0


def cmd_classes(args: argparse.Namespace) -> int:
    import time

    from .io.files import check_output
    from .vectors.classes import word_classes, write_classes
    from .vectors.word_vectors import load

    check_output(args.output, inputs=[args.model])
    wv = load(args.model, unicode_errors=args.unicode_errors, no_header=args.no_header)
    started = time.perf_counter()
    words, labels, result = word_classes(wv, args.classes, seed=args.seed, max_iter=args.max_iter, limit=args.limit)
    write_classes(args.output, words, labels)
    how = f"converged in {result.iterations}" if result.converged else f"stopped after {result.iterations}"
    print(f"wrote {len(words):,} words in {args.classes:,} classes to {args.output} (k-means {how} iterations, "
          f"inertia {result.inertia:,.1f}, {time.perf_counter() - started:.1f} s)")
    return 0


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def _load_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--unicode-errors", choices=["strict", "replace", "ignore"], default="strict",
                        help="for word2vec files whose words are not valid UTF-8: fail (default), "
                             "replace the bad bytes with U+FFFD, or drop them")
    parser.add_argument("--no-header", action="store_true",
                        help="MODEL is word2vec text without the 'VOCAB_SIZE VECTOR_SIZE' line (GloVe's files)")


def _restrict_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--restrict", "--restrict-vocab", dest="restrict_vocab", type=_positive_int, default=None,
                        metavar="N", help="search only the N most frequent words (default: all)")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text}")
    return value


def _add_train(sub: Any) -> None:
    """``w2v train``."""
    train = sub.add_parser("train", help="train vectors on PTB, text files or a prepared corpus")
    _train_options(train)
    train.set_defaults(func=cmd_train, parser=train)


def _add_prepare(sub: Any) -> None:
    """``w2v prepare``."""
    prepare = sub.add_parser("prepare", help="write a corpus as word ids to a folder, to train on memory-mapped",
                             description="Reads the text once; memory stays bounded whatever the corpus size.")
    prepare.add_argument("inputs", nargs="+", metavar="INPUT",
                         help="UTF-8 text files, .gz/.bz2/.xz files, folders of them (their files, sorted by name, "
                              "not subfolders), or - for standard input")
    prepare.add_argument("-o", "--output", required=True, metavar="CORPUS_DIR")
    min_count = _default(prepare_corpus, "min_count")
    prepare.add_argument("--min-count", type=_positive_int, default=min_count,
                         help=f"drop words seen fewer times (default {min_count})")
    prepare.add_argument("--max-vocab-size", type=_positive_int, default=None,
                         help="keep only the N most frequent words (counted exactly)")
    prepare.add_argument("--read-vocab", metavar="VOCAB.txt", default=None,
                         help="fix the vocabulary to this 'word count' file's words and counts instead of counting")
    prepare.add_argument("--count-memory", type=_byte_size, default=None, metavar="SIZE",
                         help="memory for counting words, e.g. 512M or 4G (default 1G); beyond it counts spill to "
                              "disk and stay exact")
    prepare.set_defaults(func=cmd_prepare)


def _add_walks(sub: Any) -> None:
    """``w2v walks``."""
    defaults = WalkOptions()
    walks = sub.add_parser("walks", help="DeepWalk or node2vec walks over a graph, written as a prepared corpus",
                           description="Reads an edge list ('src dst' or 'src dst weight' lines; node names any "
                                       "string without white space; # and %% lines are comments) and writes random "
                                       "walks to a folder that w2v train maps, with the graph beside them.")
    walks.add_argument("graph", metavar="GRAPH", help="an edge list: text, .gz, .bz2 or .xz")
    walks.add_argument("-o", "--output", required=True, metavar="WALKS_DIR")
    walks.add_argument("--directed", action="store_true", help="edges go one way (default: both ways)")
    walks.add_argument("--unweighted", action="store_true", help="ignore a weight column")
    walks.add_argument("--walks-per-node", type=_positive_int, default=defaults.walks_per_node,
                       help=f"walks starting at each node (default {defaults.walks_per_node})")
    walks.add_argument("--walk-length", type=_positive_int, default=defaults.walk_length,
                       help=f"nodes each walk visits at most (default {defaults.walk_length})")
    walks.add_argument("--p", type=float, default=defaults.p,
                       help="node2vec's return parameter: a step back weighs 1/p (default 1)")
    walks.add_argument("--q", type=float, default=defaults.q,
                       help="node2vec's in-out parameter: a step away from the last node weighs 1/q (default 1; "
                            "--p 1 --q 1 is DeepWalk)")
    walks.add_argument("--seed", type=int, default=defaults.seed,
                       help="the same seed gives the same walks, whatever --workers")
    walks.add_argument("--workers", type=_positive_int, default=None, help="threads (default: every core)")
    walks.add_argument("--hold-out", type=_fraction, default=0.0, metavar="FRACTION",
                       help="for w2v evaluate --links: take this share of the edges out (seeded by --seed; never "
                            "a node's last edge) before walking, and write them to WALKS_DIR/held_out_edges.txt")
    walks.set_defaults(func=cmd_walks)


def _add_phrases(sub: Any) -> None:
    """``w2v phrases``."""
    phrases = sub.add_parser("phrases", help="join frequent bigrams with _ (word2vec.c's word2phrase)",
                             description="Each pass joins the bigrams of what the last one wrote that score above "
                                         "the threshold: default (word2phrase): (count(ab) - min_count) / (count(a) "
                                         "count(b)) * tokens; npmi: normalised pointwise mutual information.")
    phrases.add_argument("inputs", nargs="+", metavar="INPUT",
                         help="UTF-8 text files, .gz/.bz2/.xz files, folders of them, or - for standard input")
    phrases.add_argument("-o", "--output", required=True, metavar="OUTPUT", help="the text with phrases joined")
    phrases.add_argument("--min-count", type=_positive_int, default=_default(join_phrases, "min_count"),
                         help="words and bigrams seen fewer times are never joined (default 5)")
    phrases.add_argument("--threshold", type=float, nargs="+", default=[_default(join_phrases, "threshold")],
                         metavar="T",
                         help="join bigrams scoring above T (default 100; npmi: -1 <= T < 1); one value for every "
                              "pass, or one per pass (word2vec.c's demo-phrases.sh: 200 100)")
    phrases.add_argument("--scoring", choices=_choices(Scoring), default=_default(join_phrases, "scoring"))
    phrases.add_argument("--passes", type=_positive_int, default=_default(join_phrases, "passes"),
                         help="passes; each can join the phrases of the last into longer ones (default 2)")
    phrases.add_argument("--count-memory", type=_byte_size, default=None, metavar="SIZE",
                         help="memory for counting bigrams, e.g. 512M or 4G (default 1G); beyond it counts spill to "
                              "disk and stay exact")
    phrases.set_defaults(func=cmd_phrases)


def _add_similar(sub: Any) -> None:
    """``w2v similar``."""
    similar = sub.add_parser("similar", help="nearest words by cosine similarity",
                             description="gensim's most_similar: each query word enters as its unit vector; the "
                                         "query words are not answers.")
    similar.add_argument("model", metavar="MODEL")
    similar.add_argument("words", metavar="WORD", nargs="+",
                         help="each WORD is a query of its own ('king queen', quoted, adds the two); with --negative "
                              "the WORDs make one query; - reads queries from standard input, one a line (its words "
                              "added), answering each as it comes")
    similar.add_argument("--negative", metavar="WORD", nargs="+", default=None,
                         help="words to subtract: w2v similar MODEL king woman --negative man")
    _restrict_option(similar)
    similar.add_argument("--topn", type=_positive_int, default=5)
    similar.add_argument("--approximate", action="store_true",
                         help="walk the neighbour index saved next to MODEL (w2v index MODEL) instead of scoring "
                              "every word: far faster for large vocabularies, most but not always all of the answers")
    similar.add_argument("--json", action="store_true", help="print JSON (one object a line for -)")
    _load_options(similar)
    similar.set_defaults(func=cmd_similar, parser=similar)


def _add_analogy(sub: Any) -> None:
    """``w2v analogy``."""
    analogy = sub.add_parser("analogy", help="a : b = c : ?  (nearest to b - a + c)",
                             description="The three words are not answers. The default method, 3cosadd, is what "
                                         "w2v evaluate scores (and word2vec.c and gensim answer), so the answer shown "
                                         "is the one a benchmark counts; pass the same --restrict as evaluate's "
                                         "--restrict-vocab (30000) for its exact answer.")
    analogy.add_argument("model", metavar="MODEL")
    analogy.add_argument("words", metavar="WORD", nargs="+",
                         help="A B C, or - to read 'A B C' lines from standard input, answering each as it comes")
    analogy.add_argument("--method", choices=list(ANALOGY_METHODS), default="3cosadd",
                         help="3cosadd (default): cosine with b - a + c of unit vectors; 3cosmul: Levy & Goldberg's "
                              "cos(x,b) cos(x,c) / (cos(x,a) + 0.001) of cosines shifted to 0..1; book: cosine with "
                              "b - a + c of the vectors as trained, the book's analogy()")
    _restrict_option(analogy)
    analogy.add_argument("--topn", type=_positive_int, default=5)
    analogy.add_argument("--json", action="store_true", help="print JSON (one object a line for -)")
    _load_options(analogy)
    analogy.set_defaults(func=cmd_analogy, parser=analogy)


def _add_embed(sub: Any) -> None:
    """``w2v embed``."""
    embed = sub.add_parser("embed", help="sentence vectors (mean, SIF, uSIF, idf, power), one per line of INPUT, to "
                                         "a .npy file",
                           description="Writes an (N, D) float32 .npy, row i for line i; a line without a known word "
                                       "gets zeros (one warning counts them). SIF and uSIF are fitted on INPUT.")
    embed.add_argument("model", metavar="MODEL",
                       help="vectors (.npz, .txt/.vec, .bin), or an encoder saved by --save-encoder (then INPUT is "
                            "embedded with the weights and components it was fitted with)")
    embed.add_argument("input", metavar="INPUT", help="UTF-8 text, one sentence a line, or - for standard input")
    embed.add_argument("-o", "--output", required=True, metavar="OUT.npy")
    embed.add_argument("--method", choices=list(SENTENCE_METHODS), default=None,
                       help="mean (default): the mean of the words' unit vectors (gensim's get_mean_vector); sif: "
                            "Arora et al.'s weighted mean less the first principal component; usif: Ethayarajh's "
                            "(needs the word counts a w2v .npz keeps, or --counts); idf: the IDF-weighted mean of "
                            "unit vectors (IDF from INPUT); power: each dimension's minimum, maximum and mean "
                            "(3 x D values)")
    embed.add_argument("--counts", metavar="VOCAB_FILE", default=None,
                       help="'word count' lines (w2v export MODEL --vocab FILE, word2vec -save-vocab) for sif and "
                            "usif when MODEL has no counts")
    embed.add_argument("--save-encoder", metavar="ENCODER.npz", default=None,
                       help="also save the fitted encoder, to embed other sentences the same way: "
                            "w2v embed ENCODER.npz TEST -o test.npy")
    _load_options(embed)
    embed.set_defaults(func=cmd_embed)


def _add_export(sub: Any) -> None:
    """``w2v export``."""
    export = sub.add_parser("export", help="write vectors as word2vec text or binary, or the book's pickle")
    export.add_argument("model", metavar="MODEL", help="vectors to read: .npz, word2vec .txt/.vec or .bin")
    export.add_argument("output", metavar="OUT", nargs="?", default=None,
                        help="file to write (replaced only once complete)")
    export.add_argument("--vocab", metavar="VOCAB.txt", default=None,
                        help="also (or only) write the words and their corpus counts as 'word count' lines "
                             "(word2vec.c's -save-vocab; for SIF weights with w2v embed --counts, or --read-vocab); "
                             "needs a w2v .npz")
    export.add_argument("--format", choices=_choices(Format), default=None,
                        help="default: from OUT's extension (.txt/.vec text, .bin binary, "
                             ".pkl book-pickle, .npz npz); book-pickle is the book's cbow_params.pkl; fasttext is "
                             "fastText's .bin model, for subword vectors only")
    export.add_argument("--limit", type=_positive_int, default=None, help="export only the first N words")
    export.add_argument("--vectors-only", action="store_true",
                        help="an .npz without W_out and W_node: smaller, but it cannot be continued (w2v train --init)")
    export.add_argument("--dtype", choices=["float32", "float16"], default="float32",
                        help="float16 halves an .npz file (read back as float32; about 3 significant digits); "
                             "word2vec .bin files are always float32")
    _load_options(export)
    export.set_defaults(func=cmd_export, parser=export)


def _add_align(sub: Any) -> None:
    """``w2v align``."""
    align = sub.add_parser("align", help="NEW rotated into OLD's space (orthogonal Procrustes on the shared words)")
    align.add_argument("old", metavar="OLD", help="the model whose space is kept")
    align.add_argument("new", metavar="NEW", help="the model rotated")
    align.add_argument("-o", "--output", required=True, metavar="ALIGNED",
                       help="where to write NEW aligned, in the format of its extension (.npz, .txt/.vec, .bin)")
    align.add_argument("--restrict", "--restrict-vocab", dest="restrict_vocab", type=_positive_int, default=None,
                       metavar="N", help="fit the rotation on the shared words among OLD's N most frequent")
    align.set_defaults(func=cmd_align)


def _add_drift(sub: Any) -> None:
    """``w2v drift``."""
    drift = sub.add_parser("drift", help="the words whose nearest neighbours changed most between OLD and NEW")
    drift.add_argument("old", metavar="OLD")
    drift.add_argument("new", metavar="NEW")
    drift.add_argument("--topn", type=_positive_int, default=10, help="neighbours compared per word (default 10)")
    drift.add_argument("--count", type=_positive_int, default=20, help="words shown (default 20)")
    drift.add_argument("--restrict", "--restrict-vocab", dest="restrict_vocab", type=_positive_int, default=10_000,
                       metavar="N", help="compare OLD's N most frequent words that NEW has too (default 10,000)")
    drift.add_argument("--json", action="store_true", help="print one JSON list")
    drift.set_defaults(func=cmd_drift)


def _add_classes(sub: Any) -> None:
    """``w2v classes``."""
    classes = sub.add_parser("classes", help="k-means word classes, one 'word class' line per word (word2vec.c's "
                                             "-classes)",
                             description="Lloyd's k-means from a k-means++ start, on the unit vectors.")
    classes.add_argument("model", metavar="MODEL")
    classes.add_argument("-k", "--classes", type=_positive_int, required=True, metavar="K", help="number of classes")
    classes.add_argument("-o", "--output", required=True, metavar="CLASSES.txt")
    seed = _default(word_classes, "seed")
    classes.add_argument("--seed", type=_non_negative_int, default=seed,
                         help=f"seeds the k-means++ start (default {seed})")
    classes.add_argument("--max-iter", type=_positive_int, default=_default(word_classes, "max_iter"), metavar="N",
                         help="assignment steps at most (default 100; it stops once no word changes class)")
    classes.add_argument("--limit", type=_positive_int, default=None, metavar="N",
                         help="classify only the N most frequent words")
    _load_options(classes)
    classes.set_defaults(func=cmd_classes)


def cmd_classify_train(args: argparse.Namespace) -> int:
    from .classify import train_classifier
    from .io.files import check_output
    from .text.labelled import read_labelled

    inputs = [args.data] + ([args.pretrained_vectors] if args.pretrained_vectors else [])
    output = check_output(args.output, inputs=[path for path in inputs if path != "-"])
    data = read_labelled(args.data, format=args.format, prefix=args.label_prefix)
    start = time.perf_counter()
    model, losses = train_classifier(
        data.tokens, data.labels, vector_size=args.vector_size, epochs=args.epochs, alpha=args.alpha,
        word_ngrams=args.word_ngrams, buckets=args.buckets, subwords=args.subwords, min_count=args.min_count,
        loss=args.loss, negative=args.negative, pretrained_vectors=args.pretrained_vectors, workers=args.workers,
        seed=args.seed)
    seconds = time.perf_counter() - start
    model.save(output)
    stored = model.stored
    print(f"trained on {len(data.tokens):,} lines: {len(stored.words):,} words, {len(stored.labels):,} labels, "
          f"{stored.W_in.shape[1]} dimensions, {stored.options['buckets']:,} buckets, loss {stored.options['loss']} "
          f"{losses[-1]:.4f} after {len(losses)} epochs in {seconds:.1f} s; wrote {output}")
    return 0


def _classify_lines(path: str, prefix: str) -> list[list[str]]:
    from .text.labelled import split_labels
    from .text.sources import read_lines

    return [split_labels(line.split(), prefix)[0] for line in read_lines(path)]


def cmd_classify_predict(args: argparse.Namespace) -> int:
    from .classify import load_model

    model = load_model(args.model)
    for found in model.predict(_classify_lines(args.input, args.label_prefix), args.k, args.threshold):
        print(" ".join(f"{args.label_prefix}{_safe(label)}" + (f" {p:.6g}" if args.probabilities else "")
                       for label, p in found))
    return 0


def cmd_classify_test(args: argparse.Namespace) -> int:
    from .classify import label_scores, load_model
    from .text.labelled import read_labelled

    model = load_model(args.model)
    data = read_labelled(args.data, format=args.format, prefix=args.label_prefix)
    predicted = [[label for label, _ in found] for found in model.predict(data.tokens, args.k, args.threshold)]
    scores = label_scores(predicted, data.labels, args.k)
    print(f"N\t{scores.lines}")
    print(f"P@{scores.k}\t{scores.precision:.4f}")
    print(f"R@{scores.k}\t{scores.recall:.4f}")
    print("label\tprecision\trecall\tF1\tsupport")
    for label, precision, recall, f1, support in scores.per_label:
        print(f"{_safe(label)}\t{precision:.4f}\t{recall:.4f}\t{f1:.4f}\t{support}")
    return 0


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a probability from 0 to 1, got {text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction in [0, 1), not {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value


def _add_classify(sub: Any) -> None:
    """``w2v classify train | predict | test``: fastText's supervised mode."""
    from .classify import train_classifier
    from .text.labelled import LABEL_PREFIX

    classify = sub.add_parser("classify", help="text classification: train, predict, test (fastText's supervised)",
                              description="Supervised text classification (fastText's supervised mode): a line's "
                                          "vector is the mean of its words' and word n-grams' rows, scored by one "
                                          "linear layer per label.")
    commands = classify.add_subparsers(dest="classify_command", required=True, metavar="COMMAND")

    def data_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--format", choices=["auto", "fasttext", "tsv"], default="auto",
                            help="fasttext: __label__ tokens anywhere on a line (several allowed); tsv: "
                                 "text<TAB>label; auto (default): fasttext if the first line has a __label__ "
                                 "token, else tsv if it has a tab")
        parser.add_argument("--label-prefix", default=LABEL_PREFIX, metavar="PREFIX",
                            help=f"what marks a label (default {LABEL_PREFIX})")

    train = commands.add_parser("train", help="train a classifier on labelled lines",
                                description="Writes w2v's .npz, or fastText's supervised .bin for OUT ending in .bin.")
    train.add_argument("data", metavar="DATA", help="labelled UTF-8 text, one example a line (- for standard input)")
    train.add_argument("-o", "--output", required=True, metavar="MODEL.npz")
    data_options(train)
    train.add_argument("--vector-size", type=_positive_int, default=None,
                       help="dimensions (default 100, or the pretrained vectors')")
    train.add_argument("--epochs", type=_positive_int, default=_default(train_classifier, "epochs"),
                       help="passes over DATA (default 10)")
    train.add_argument("--alpha", type=_positive_float, default=_default(train_classifier, "alpha"),
                       help="learning rate at the start, falling linearly to 0 (default 0.5)")
    train.add_argument("--word-ngrams", type=_positive_int, default=_default(train_classifier, "word_ngrams"),
                       help="longest word n-gram hashed into the buckets (default 2; 1: words alone)")
    train.add_argument("--buckets", type=_positive_int, default=_default(train_classifier, "buckets"),
                       help="rows for the hashed word and character n-grams (default 2,000,000, fastText's)")
    train.add_argument("--subwords", type=_positive_int, nargs=2, default=None, metavar=("MINN", "MAXN"),
                       help="also each word's character n-grams, MINN to MAXN characters (fastText's -minn -maxn)")
    train.add_argument("--min-count", type=_positive_int, default=1, help="leave out rarer words (default 1)")
    train.add_argument("--loss", choices=["softmax", "ns", "hs", "ova"], default="softmax",
                       help="softmax (default); ns: negative sampling; hs: hierarchical softmax; ova: one-vs-all, "
                            "for lines of several labels")
    train.add_argument("--negative", type=_positive_int, default=5, help="negative labels per line for --loss ns")
    train.add_argument("--pretrained-vectors", metavar="MODEL", default=None,
                       help="start the words' rows from these vectors (any model w2v loads)")
    train.add_argument("--workers", type=_positive_int, default=None, help="threads (default: the CPU cores)")
    train.add_argument("--seed", type=_non_negative_int, default=1)
    train.set_defaults(func=cmd_classify_train)

    predict = commands.add_parser("predict", help="the most probable labels of each line of INPUT",
                                  description="One line per input line: the labels, most probable first, as "
                                              "fastText's predict prints them.")
    predict.add_argument("model", metavar="MODEL", help="a classifier: w2v's .npz or fastText's supervised .bin")
    predict.add_argument("input", metavar="INPUT", help="UTF-8 text, one example a line (- for standard input)")
    predict.add_argument("-k", type=_positive_int, default=1, help="labels per line (default 1)")
    predict.add_argument("--threshold", type=_probability, default=0.0,
                         help="leave out labels less probable than this (default 0)")
    predict.add_argument("--probabilities", action="store_true", help="print each label's probability after it")
    predict.add_argument("--label-prefix", default=LABEL_PREFIX, metavar="PREFIX")
    predict.set_defaults(func=cmd_classify_predict)

    test = commands.add_parser("test", help="precision and recall at k on labelled lines, and each label's P, R, F1")
    test.add_argument("model", metavar="MODEL")
    test.add_argument("data", metavar="DATA")
    test.add_argument("-k", type=_positive_int, default=1, help="labels predicted per line (default 1)")
    test.add_argument("--threshold", type=_probability, default=0.0)
    data_options(test)
    test.set_defaults(func=cmd_classify_test)


def _add_evaluate(sub: Any) -> None:
    """``w2v evaluate``."""
    from .datasets.benchmarks import names

    evaluate = sub.add_parser("evaluate", help="analogy accuracy, word-similarity correlations, and node vectors' "
                                               "classification F1 and link-prediction AUC",
                              description="Without --analogies, --similarity, --nodes or --links: google and "
                                          "wordsim353.")
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument("--analogies", metavar="FILE",
                          help=f"questions-words.txt-format file or {'/'.join(names('analogies'))}")
    evaluate.add_argument("--similarity", metavar="FILE", nargs="+",
                          help=f"'word1 word2 score' files or {'/'.join(names('similarity'))}")
    evaluate.add_argument("--restrict-vocab", type=_positive_int, default=_default(analogies, "restrict_vocab"),
                          metavar="N",
                          help="analogies: search only the most frequent words and skip questions "
                               "outside them (default 30000)")
    evaluate.add_argument("--method", choices=list(ANALOGY_METHODS), default=_default(analogies, "method"),
                          help="analogy objective (as in w2v analogy)")
    evaluate.add_argument("--score-column", type=_positive_int, default=None, metavar="N",
                          help="similarity: 1-based column of the score (default 3)")
    evaluate.add_argument("--case-sensitive", action="store_true", help="match words exactly (default: ignore case)")
    evaluate.add_argument("--nodes", metavar="LABELS",
                          help="node classification: 'node label' lines (a node may have several); macro and micro "
                               "F1 of a one-vs-rest logistic regression over --folds stratified folds")
    evaluate.add_argument("--links", metavar="DIR_OR_FILE",
                          help="link prediction: AUC of held-out edges (w2v walks --hold-out's WALKS_DIR, or its "
                               "held_out_edges.txt) against as many non-edges of the graph saved beside them")
    folds = _default(node_classification, "folds")
    evaluate.add_argument("--folds", type=_positive_int, default=folds, help=f"--nodes: folds (default {folds})")
    evaluate.add_argument("--seed", type=_non_negative_int, default=_default(node_classification, "seed"),
                          help="--nodes: the folds; --links: the sampled non-edges (default 1)")
    evaluate.add_argument("--sklearn", action="store_true",
                          help="--nodes: fit scikit-learn's LogisticRegression instead of w2v's own (needs "
                               "scikit-learn)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--report", metavar="REPORT.md", help="also write Markdown tables and a PNG bar chart")
    _load_options(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)


def _add_plot(sub: Any) -> None:
    """``w2v plot``."""
    plot = sub.add_parser("plot", help="a labelled 2-D PCA picture of words and their neighbours")
    plot.add_argument("model", metavar="MODEL")
    plot.add_argument("words", metavar="WORD", nargs="+")
    plot.add_argument("--neighbors", type=_non_negative_int, default=0, metavar="N",
                      help="also draw each word's N nearest words")
    plot.add_argument("-o", "--output", required=True, metavar="WORDS.png")
    _load_options(plot)
    plot.set_defaults(func=cmd_plot)


def _add_index(sub: Any) -> None:
    """``w2v index``."""
    index = sub.add_parser("index", help="build the neighbour index that --approximate queries walk",
                           description="Builds a graph of each word's nearest words (pynndescent: pip install "
                                       "'w2v[ann]') and saves it next to MODEL as MODEL.ann, where w2v similar "
                                       "--approximate, w2v serve and w2v.load find it.")
    index.add_argument("model", metavar="MODEL")
    index.add_argument("--neighbours", type=_positive_int, default=30, metavar="K",
                       help="neighbours per word in the graph (default 30; more: better recall, slower build)")
    index.add_argument("--seed", type=_non_negative_int, default=0)
    _load_options(index)
    index.set_defaults(func=cmd_index)


def _add_serve(sub: Any) -> None:
    """``w2v serve``."""
    serve = sub.add_parser("serve", help="a JSON API and a web page for the vectors' queries",
                           description="Serves the queries as JSON (GET /api lists the routes) and an explorer page "
                                       "at /, with Starlette under uvicorn (pip install 'w2v[serve]'). A w2v .npz is "
                                       "memory-mapped, so its workers share one copy of the vectors.")
    serve.add_argument("model", metavar="MODEL")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this "
                                                          "machine only)")
    serve.add_argument("--port", type=_positive_int, default=8000)
    serve.add_argument("--workers", type=_positive_int, default=1, metavar="N", help="worker processes")
    serve.set_defaults(func=cmd_serve)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="w2v", description="word2vec (CBOW / skip-gram with negative sampling), fast.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_train(sub)
    _add_prepare(sub)
    _add_walks(sub)
    _add_phrases(sub)
    _add_similar(sub)
    _add_index(sub)
    _add_analogy(sub)
    _add_embed(sub)
    _add_export(sub)
    _add_classes(sub)
    _add_align(sub)
    _add_drift(sub)
    _add_classify(sub)
    _add_evaluate(sub)
    _add_plot(sub)
    _add_serve(sub)
    return parser


def _end(prefix: str, message: str, code: int) -> int:
    """Print the one line (naming the rank in a job of several) and, in such a job, end every rank."""
    rank, size = mpi_job()
    print(f"{prefix}: {f'rank {rank}: ' if size > 1 else ''}{message}", file=sys.stderr)
    abort_job(code)
    return code


class _Signalled(BaseException):
    """SIGINT, SIGTERM or SIGHUP outside training, where the loop does not take them over."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _signal_words(signum: int) -> str:
    return "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"


class _StopSignals:
    """The command's handler of SIGINT, SIGTERM and SIGHUP outside training.

    The first raises :class:`_Signalled` wherever the command is, so that what it was writing
    is abandoned (outputs are replaced only once complete) and it ends with one line. Repeats
    within ``REPEAT_SECONDS`` are the same request (``timeout`` sends its signal twice); a
    later one ends the process at once by the signal's own action, for a user who will not
    wait for the cleanup (temporaries it leaves are removed by the next run).
    """

    def __init__(self) -> None:
        self.first: float | None = None
        self.signum = 0

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
                signal.signal(signum, self._handle)
        sys.unraisablehook = self._unraisable

    @staticmethod
    def _unraisable(unraisable: Any) -> None:
        """A signal's exception raised in a finalizer is lost (Python reports and drops it there): main
        says the one line once the command returns; anything else is reported as Python would."""
        if not isinstance(unraisable.exc_value, _Signalled):
            sys.__unraisablehook__(unraisable)

    @staticmethod
    def ignore() -> None:
        """Ignore them from now on: the command has said its last line and exits (at the interpreter's
        exit, a handler in Python would fall back to the signal's own action)."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)

    def _handle(self, signum: int, frame: Any) -> None:
        now = time.monotonic()
        if self.first is None:
            self.first, self.signum = now, signum
            raise _Signalled(signum)
        if now - self.first > REPEAT_SECONDS:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")  # an ASCII-only terminal gets escapes, not a crash
    args = build_parser().parse_args(argv)
    prefix = f"w2v {args.command}"
    warnings.showwarning = lambda message, *_, **__: print(f"{prefix}: warning: {message}", file=sys.stderr)
    stop_signals = _StopSignals()
    stop_signals.install()
    try:
        code = args.func(args)
        if stop_signals.first is not None:  # its _Signalled was raised in a finalizer, which ignores exceptions
            return _end(prefix, f"{_signal_words(stop_signals.signum)} as it finished; what it wrote is complete",
                        128 + stop_signals.signum)
        return code
    except W2VError as err:
        return _end(prefix, f"error: {_safe(_as_flags(err))}", 1)
    except _Signalled as err:
        code = _end(prefix, f"{_signal_words(err.signum)}; files it was writing are left as they were",
                    128 + err.signum)
        stop_signals.ignore()
        return code
    except MemoryError:
        return _end(prefix, "error: out of memory; try --max-vocab-size or a smaller corpus, or w2v prepare", 1)
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        return _end(prefix, f"error: {_safe(where)}{err.strerror or err}", 1)
