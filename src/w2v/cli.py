"""The ``w2v`` command: a thin argparse layer over :mod:`w2v` (train, prepare, phrases, similar, analogy, evaluate,
plot, export, classes).

Every error caused by input ends with one line on stderr and a non-zero exit status; output
survives any terminal encoding (what it cannot show is escaped), and SIGTERM or SIGHUP end
any command with one line, like Ctrl-C.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import signal
import sys
import warnings
from pathlib import Path
from typing import Any, Sequence, get_args

from .config import Algorithm, Device, EvaluateEvery, Kernel, Model, Optimizer, TrainConfig
from .errors import ConfigError, TrainingInterrupted, W2VError
from .io import Format


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _choices(literal: Any) -> list[str]:
    return list(get_args(literal))


def _train_options(parser: argparse.ArgumentParser) -> None:
    """One flag per TrainConfig field (``--vector-size`` for ``vector_size``), choices from its types."""
    defaults = TrainConfig()
    parser.add_argument("corpus", nargs="*", default=[], metavar="CORPUS",
                        help="'ptb' (default: the Penn Treebank, downloaded or from $W2V_DATA_DIR), a prepared "
                             "corpus folder (w2v prepare), or UTF-8 text, one sentence per line: files, .gz/.bz2/.xz "
                             "files, folders of them, or - for standard input")
    parser.add_argument("-o", "--output", required=True, metavar="MODEL.npz", help="where to save the vectors")
    saving = parser.add_argument_group("checkpoints")
    saving.add_argument("--checkpoint", metavar="MODEL.ckpt.npz", default=None,
                        help="save the run's state here every --checkpoint-every (default: MODEL.ckpt.npz, "
                             "written only when Ctrl-C or SIGTERM stops the run)")
    saving.add_argument("--checkpoint-every", type=_duration, default=None, metavar="TIME",
                        help="how often to save, e.g. 90s, 10m, 1h (default with --checkpoint: 10m)")
    saving.add_argument("--resume", metavar="MODEL.ckpt.npz", default=None,
                        help="continue a stopped run; its options and corpus come from the checkpoint")
    parser.add_argument("--model", choices=_choices(Model), default=defaults.model)
    parser.add_argument("--algorithm", "--engine", dest="algorithm", choices=_choices(Algorithm),
                        default=defaults.algorithm,
                        help="fast (default): word2vec.c's algorithm in compiled multi-threaded kernels; "
                             "reference: the book's layers with mini-batch Adam")
    parser.add_argument("--device", choices=_choices(Device), default=defaults.device,
                        help="cuda: train on the GPU (needs the gpu extra); auto: the GPU when one is usable")
    parser.add_argument("--vector-size", type=int, default=defaults.vector_size,
                        help="dimensions (the book's hidden size)")
    parser.add_argument("--window", type=int, default=defaults.window, help="context words on each side")
    parser.add_argument("--negative", type=int, default=defaults.negative, help="negative samples per target")
    parser.add_argument("--epochs", type=int, default=None,
                        help="passes over the corpus (default: fast 5, reference 10)")
    parser.add_argument("--min-count", type=int, default=None,
                        help="drop words seen fewer times (default: 1 for ptb, 5 for text files)")
    parser.add_argument("--max-vocab-size", "--max-final-vocab", dest="max_vocab_size", type=int, default=None,
                        help="keep only the N most frequent words, counted exactly (gensim's max_final_vocab)")
    parser.add_argument("--read-vocab", metavar="VOCAB.txt", default=None,
                        help="fix the vocabulary: the words of this 'word count' file (word2vec.c's -save-vocab) "
                             "with its counts, less those below --min-count; other words are dropped")
    parser.add_argument("--save-vocab", metavar="VOCAB.txt", default=None,
                        help="write the vocabulary as 'word count' lines once the corpus is read")
    parser.add_argument("--seed", type=int, default=None,
                        help="makes a run reproducible (the fast algorithm: with --workers 1)")
    parser.add_argument("--ns-exponent", "--power", dest="ns_exponent", type=float, default=defaults.ns_exponent,
                        help="negatives are drawn from counts ** ns_exponent (default 0.75, word2vec.c's; gensim's "
                             "ns_exponent; 0 draws uniformly)")
    parser.add_argument("--loss-every", "--eval-interval", dest="loss_every", type=int, default=defaults.loss_every,
                        help="units per recorded loss value: iterations (reference), 10,000-word chunks (fast)")
    scoring = parser.add_argument_group("evaluation during training")
    scoring.add_argument("--evaluate-every", choices=_choices(EvaluateEvery), default=None,
                         help="score the vectors after every epoch (the default when a file is given); the scores "
                              "go into the model's training log, the progress line and the loss plot")
    scoring.add_argument("--evaluate-analogies", metavar="FILE", default=None,
                         help="analogy accuracy per epoch: a questions-words.txt-format file or google")
    scoring.add_argument("--evaluate-similarity", metavar="FILE", default=None,
                         help="Spearman's rho per epoch: a 'word1 word2 score' file or wordsim353/simlex999")
    fast = parser.add_argument_group("fast algorithm")
    fast.add_argument("--alpha", type=float, default=None,
                      help="start learning rate (default: cbow 0.05, skipgram 0.025)")
    fast.add_argument("--min-alpha", type=float, default=None, help="final learning rate (default: alpha * 1e-4)")
    fast.add_argument("--sample", type=float, default=defaults.sample, help="subsampling of frequent words (0: off)")
    fast.add_argument("--workers", type=int, default=None, help="threads (default: the number of cores)")
    fast.add_argument("--kernel", choices=_choices(Kernel), default=defaults.kernel,
                      help="batched (default): shared negatives per window for skip-gram (HogBatch); "
                           "plain: word2vec.c's per-pair updates")
    ref = parser.add_argument_group("reference algorithm")
    ref.add_argument("--batch-size", type=int, default=defaults.batch_size)
    ref.add_argument("--lr", type=float, default=defaults.lr, help="optimizer learning rate")
    ref.add_argument("--optimizer", choices=_choices(Optimizer), default=defaults.optimizer,
                     help="adam (default): the book's Adam, every row every step; lazy-adam: the same "
                          "rule on the rows a batch touched only (faster; rare words learn less)")
    ref.add_argument("--max-grad", type=float, default=None, help="clip the gradient norm")
    ref.add_argument("--distinct-negatives", action=argparse.BooleanOptionalAction, default=defaults.distinct_negatives,
                     help="each target's negatives are distinct and never the target, as in the book (default); "
                          "--no-distinct-negatives draws them i.i.d., as word2vec.c does")
    ref.add_argument("--replace-negatives", dest="distinct_negatives", action="store_false", help=argparse.SUPPRESS)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _config_from(args: argparse.Namespace) -> TrainConfig:
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    return TrainConfig(**{k: v for k, v in vars(args).items() if k in fields})


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


_RESUME_KEEPS = ("model", "algorithm", "device", "vector_size", "window", "negative", "epochs", "min_count",
                 "max_vocab_size", "read_vocab", "seed", "ns_exponent", "loss_every", "alpha", "min_alpha", "sample",
                 "workers", "kernel", "batch_size", "lr", "optimizer", "max_grad", "distinct_negatives",
                 "evaluate_every", "evaluate_analogies", "evaluate_similarity")


def _inputs_of(corpus: list[str]) -> list[str]:
    """The files a training run reads (for the output checks)."""
    from .sources import expand_inputs

    if corpus in ([], ["ptb"]):
        return []
    try:
        return [source.path for source in expand_inputs(corpus)]
    except W2VError:
        return list(corpus)  # the reader says what is wrong with them


def cmd_train(args: argparse.Namespace) -> int:
    from .io.files import check_output
    from .plot import save_loss_curve
    from .train import resume, train

    if args.resume:
        given = [name for name in _RESUME_KEEPS if getattr(args, name) != args.parser.get_default(name)]
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise ConfigError(f"--resume goes on with the options the run started with; drop {flags}")
    output = Path(args.output)
    checkpoint = Path(args.checkpoint or args.resume or output.with_suffix(".ckpt.npz"))
    curve = output.with_name(output.stem + "-loss.png")
    inputs = _inputs_of(args.corpus) + [name for name in (args.read_vocab, args.evaluate_analogies,
                                                           args.evaluate_similarity) if name]
    check_output(output, inputs=inputs, outputs=[checkpoint, curve])
    check_output(checkpoint, inputs=inputs, outputs=[curve])
    check_output(curve, inputs=inputs + ([args.resume] if args.resume else []))
    if args.save_vocab:
        check_output(args.save_vocab, inputs=inputs + ([args.resume] if args.resume else []),
                     outputs=[output, checkpoint, curve])
    every = args.checkpoint_every
    if every is None and (args.checkpoint or args.resume):
        every = 600.0
    corpus = args.corpus[0] if len(args.corpus) == 1 else args.corpus
    try:
        if args.resume:
            wv = resume(args.resume, progress=not args.quiet, checkpoint_every=every, corpus=corpus or None,
                        save_vocab=args.save_vocab)
        else:
            wv = train(corpus or "ptb", _config_from(args), progress=not args.quiet, checkpoint=checkpoint,
                       checkpoint_every=every, save_vocab=args.save_vocab)
    except TrainingInterrupted as err:
        print(f"w2v train: {err.summary}; progress saved to {err.checkpoint}; continue with: "
              f"w2v train --resume {err.checkpoint} -o {output}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        saved = f"; the last checkpoint is {checkpoint}" if checkpoint.exists() else ""
        print(f"w2v train: stopped at once by a second signal{saved}", file=sys.stderr)
        return 130
    wv.save(output, "npz")
    record = wv.record
    log, corpus_info, cfg = record.log, record.corpus, record.config
    written = [str(output)]
    try:
        save_loss_curve(log, curve, title=f"{cfg.model} on {corpus_info.name}")
        written.append(str(curve))
    except (W2VError, OSError, ValueError) as err:
        warnings.warn(f"the loss curve was not drawn ({err}); the model is saved", stacklevel=1)
    print(f"trained {cfg.model} ({cfg.algorithm} algorithm) on {_safe(corpus_info.name)}: {corpus_info.words:,} words, "
          f"{corpus_info.vocabulary:,} in vocabulary, {cfg.epochs} epochs in {log.seconds:.1f} s "
          f"({log.words_per_second:,.0f} words/s)")
    print(f"final loss {log.final_loss:.4f}")
    if log.evaluations:
        from .loop import describe_scores

        print(f"after epoch {log.evaluations[-1]['epoch']}: {describe_scores(log.evaluations[-1])}")
    if args.save_vocab:
        written.append(args.save_vocab)
    print(f"wrote {', '.join(written[:-1])} and {written[-1]}" if len(written) > 1 else f"wrote {written[0]}")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    from .prepared import DEFAULT_COUNT_MEMORY, prepare

    report = prepare(args.inputs, args.output, min_count=args.min_count, max_vocab_size=args.max_vocab_size,
                     count_memory=args.count_memory or DEFAULT_COUNT_MEMORY, read_vocab=args.read_vocab)
    print(_safe(report.describe()))
    return 0


def cmd_phrases(args: argparse.Namespace) -> int:
    from .phrases import DEFAULT_COUNT_MEMORY, phrases

    report = phrases(args.inputs, args.output, min_count=args.min_count, threshold=args.threshold,
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
        value = int(float(number) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 512M or 2G)") from None
    if value < 1 << 20:
        raise argparse.ArgumentTypeError(f"must be at least 1M, not {text}")
    return value


def _print_table(title: str, rows: list[tuple[str, float]]) -> None:
    width = max([4] + [len(word) for word, _ in rows])
    print(title)
    print(f"  rank  {'word':<{width}}  cosine")
    for rank, (word, score) in enumerate(rows, 1):
        print(f"  {rank:>4}  {_safe(word):<{width}}  {score:6.3f}")


def _results(rows: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"word": word, "cosine": round(score, 6)} for word, score in rows]


def cmd_similar(args: argparse.Namespace) -> int:
    from .vectors import load

    wv = load(args.model, unicode_errors=args.unicode_errors, no_header=args.no_header)
    answers = [(word, wv.most_similar(word, topn=args.topn)) for word in args.words]
    if args.json:
        print(json.dumps([{"query": word, "results": _results(rows)} for word, rows in answers]))
        return 0
    for i, (word, rows) in enumerate(answers):
        if i:
            print()
        _print_table(f"nearest to {_safe(repr(word))}", rows)
    return 0


def cmd_analogy(args: argparse.Namespace) -> int:
    from .vectors import load

    wv = load(args.model, unicode_errors=args.unicode_errors, no_header=args.no_header)
    rows = wv.analogy(args.a, args.b, args.c, topn=args.topn)
    if args.json:
        print(json.dumps({"query": [args.a, args.b, args.c], "results": _results(rows)}))
        return 0
    _print_table(_safe(f"{args.a} : {args.b} = {args.c} : ?"), rows)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from . import evaluate, report
    from .io.files import check_output
    from .vectors import load

    if args.report:
        report_path = Path(args.report)
        chart = report_path.with_name(f"{report_path.stem}-analogies.png")
        check_output(report_path, inputs=[args.model], outputs=[chart])
        check_output(chart, inputs=[args.model])
    wv = load(args.model, unicode_errors=args.unicode_errors, no_header=args.no_header)
    default = not args.analogies and not args.similarity  # neither given: the standard pair
    analogy_file = "google" if default else args.analogies
    similarity_files = ["wordsim353"] if default else args.similarity or []
    case_insensitive = not args.case_sensitive
    analogy = None
    if analogy_file:
        analogy = evaluate.analogies(wv, analogy_file, restrict_vocab=args.restrict_vocab, method=args.method,
                                     case_insensitive=case_insensitive)
    similarities = [evaluate.similarity(wv, f, score_column=args.score_column, case_insensitive=case_insensitive)
                    for f in similarity_files]
    written = report.write_report(args.report, analogy, similarities, model=args.model) if args.report else []
    if args.json:
        print(json.dumps({"model": args.model, "analogies": analogy.to_dict() if analogy else None,
                          "similarity": [s.to_dict() for s in similarities]}))
        return 0
    print(report.format_results(analogy, similarities))
    if written:
        print(f"\nwrote {' and '.join(map(str, written))}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from .io.files import check_output
    from .plot import save_word_plot
    from .vectors import load

    check_output(args.output, inputs=[args.model])
    wv = load(args.model, unicode_errors=args.unicode_errors, no_header=args.no_header)
    extra = save_word_plot(wv, args.words, args.output, neighbors=args.neighbors)
    print(f"wrote {args.output} ({len(set(args.words))} words" + (f", {len(extra)} neighbours)" if extra else ")"))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .errors import ModelFileError
    from .io import format_of
    from .io.files import check_output
    from .vectors import load
    from .vocab import write_vocab_file

    if args.output is None and args.vocab is None:
        raise ConfigError("name the file to write (OUT), or --vocab VOCAB.txt for the vocabulary")
    fmt = None
    if args.output is not None:
        output = check_output(args.output, inputs=[args.model], outputs=[args.vocab] if args.vocab else [])
        fmt = args.format or format_of(output)
        if fmt is None:
            raise ModelFileError(f"{output}: cannot tell the format from the extension; "
                                 f"pass --format {', '.join(_choices(Format))}")
    if args.vocab is not None:
        check_output(args.vocab, inputs=[args.model])
    wv = load(args.model, limit=args.limit, unicode_errors=args.unicode_errors, no_header=args.no_header)
    if args.vocab is not None and wv.counts is None:
        raise ModelFileError(f"{args.model}: holds no word counts (word2vec files keep none); export the "
                             "vocabulary from the w2v .npz the vectors came from")
    if fmt is not None:
        wv.save(output, fmt, dtype=args.dtype)
        shown = fmt if args.dtype == "float32" else f"{fmt}, {args.dtype}"
        print(f"wrote {len(wv):,} vectors of {wv.vector_size} dimensions to {output} ({shown})")
    if args.vocab is not None:
        write_vocab_file(args.vocab, wv.index_to_key, wv.counts)
        print(f"wrote {len(wv):,} words and their counts to {args.vocab}")
    return 0


def cmd_classes(args: argparse.Namespace) -> int:
    import time

    from .classes import word_classes, write_classes
    from .io.files import check_output
    from .vectors import load

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


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="w2v", description="word2vec (CBOW / skip-gram with negative sampling), fast.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = sub.add_parser("train", help="train vectors on PTB, text files or a prepared corpus")
    _train_options(train)
    train.set_defaults(func=cmd_train, parser=train)

    prepare = sub.add_parser("prepare", help="write a corpus as word ids to a folder, to train on memory-mapped",
                             description="Reads the text once; memory stays bounded whatever the corpus size.")
    prepare.add_argument("inputs", nargs="+", metavar="INPUT",
                         help="UTF-8 text files, .gz/.bz2/.xz files, folders of them (their files, sorted by name, "
                              "not subfolders), or - for standard input")
    prepare.add_argument("-o", "--output", required=True, metavar="CORPUS_DIR")
    prepare.add_argument("--min-count", type=_positive_int, default=5, help="drop words seen fewer times (default 5)")
    prepare.add_argument("--max-vocab-size", type=_positive_int, default=None,
                         help="keep only the N most frequent words (counted exactly)")
    prepare.add_argument("--read-vocab", metavar="VOCAB.txt", default=None,
                         help="fix the vocabulary to this 'word count' file's words and counts instead of counting")
    prepare.add_argument("--count-memory", type=_byte_size, default=None, metavar="SIZE",
                         help="memory for counting words, e.g. 512M or 4G (default 1G); beyond it counts spill to "
                              "disk and stay exact")
    prepare.set_defaults(func=cmd_prepare)

    phrases = sub.add_parser("phrases", help="join frequent bigrams with _ (word2vec.c's word2phrase)",
                             description="Each pass joins the bigrams of what the last one wrote that score above "
                                         "the threshold: default (word2phrase): (count(ab) - min_count) / (count(a) "
                                         "count(b)) * tokens; npmi: normalised pointwise mutual information.")
    phrases.add_argument("inputs", nargs="+", metavar="INPUT",
                         help="UTF-8 text files, .gz/.bz2/.xz files, folders of them, or - for standard input")
    phrases.add_argument("-o", "--output", required=True, metavar="OUTPUT", help="the text with phrases joined")
    phrases.add_argument("--min-count", type=_positive_int, default=5,
                         help="words and bigrams seen fewer times are never joined (default 5)")
    phrases.add_argument("--threshold", type=float, nargs="+", default=[100.0], metavar="T",
                         help="join bigrams scoring above T (default 100; npmi: -1..1); one value for every pass, "
                              "or one per pass (word2vec.c's demo-phrases.sh: 200 100)")
    phrases.add_argument("--scoring", choices=["default", "npmi"], default="default")
    phrases.add_argument("--passes", type=_positive_int, default=2,
                         help="passes; each can join the phrases of the last into longer ones (default 2)")
    phrases.add_argument("--count-memory", type=_byte_size, default=None, metavar="SIZE",
                         help="memory for counting bigrams, e.g. 512M or 4G (default 1G); beyond it counts spill to "
                              "disk and stay exact")
    phrases.set_defaults(func=cmd_phrases)

    similar = sub.add_parser("similar", help="nearest words by cosine similarity")
    similar.add_argument("model", metavar="MODEL")
    similar.add_argument("words", metavar="WORD", nargs="+")
    similar.add_argument("--topn", type=_positive_int, default=5)
    similar.add_argument("--json", action="store_true", help="print JSON")
    _load_options(similar)
    similar.set_defaults(func=cmd_similar)

    analogy = sub.add_parser("analogy", help="a : b = c : ?  (nearest to b - a + c)")
    analogy.add_argument("model", metavar="MODEL")
    analogy.add_argument("a", metavar="A")
    analogy.add_argument("b", metavar="B")
    analogy.add_argument("c", metavar="C")
    analogy.add_argument("--topn", type=_positive_int, default=5)
    analogy.add_argument("--json", action="store_true", help="print JSON")
    _load_options(analogy)
    analogy.set_defaults(func=cmd_analogy)

    export = sub.add_parser("export", help="write vectors as word2vec text or binary, or the book's pickle")
    export.add_argument("model", metavar="MODEL", help="vectors to read: .npz, word2vec .txt/.vec or .bin")
    export.add_argument("output", metavar="OUT", nargs="?", default=None,
                        help="file to write (replaced only once complete)")
    export.add_argument("--vocab", metavar="VOCAB.txt", default=None,
                        help="also (or only) write the words and their corpus counts as 'word count' lines "
                             "(word2vec.c's -save-vocab; for SIF weights, or --read-vocab); needs a w2v .npz")
    export.add_argument("--format", choices=_choices(Format), default=None,
                        help="default: from OUT's extension (.txt/.vec text, .bin binary, "
                             ".pkl book-pickle, .npz npz); book-pickle is the book's cbow_params.pkl")
    export.add_argument("--limit", type=_positive_int, default=None, help="export only the first N words")
    export.add_argument("--dtype", choices=["float32", "float16"], default="float32",
                        help="float16 halves an .npz file (read back as float32; about 3 significant digits); "
                             "word2vec .bin files are always float32")
    _load_options(export)
    export.set_defaults(func=cmd_export)

    classes = sub.add_parser("classes", help="k-means word classes, one 'word class' line per word (word2vec.c's "
                                             "-classes)",
                             description="Lloyd's k-means from a k-means++ start, on the unit vectors.")
    classes.add_argument("model", metavar="MODEL")
    classes.add_argument("-k", "--classes", type=_positive_int, required=True, metavar="K", help="number of classes")
    classes.add_argument("-o", "--output", required=True, metavar="CLASSES.txt")
    classes.add_argument("--seed", type=_non_negative_int, default=0, help="seeds the k-means++ start (default 0)")
    classes.add_argument("--max-iter", type=_positive_int, default=100, metavar="N",
                         help="assignment steps at most (default 100; it stops once no word changes class)")
    classes.add_argument("--limit", type=_positive_int, default=None, metavar="N",
                         help="classify only the N most frequent words")
    _load_options(classes)
    classes.set_defaults(func=cmd_classes)

    from .datasets.benchmarks import names

    evaluate = sub.add_parser("evaluate", help="analogy accuracy and word-similarity correlations",
                              description="Without --analogies or --similarity: google and wordsim353.")
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument("--analogies", metavar="FILE",
                          help=f"questions-words.txt-format file or {'/'.join(names('analogies'))}")
    evaluate.add_argument("--similarity", metavar="FILE", nargs="+",
                          help=f"'word1 word2 score' files or {'/'.join(names('similarity'))}")
    evaluate.add_argument("--restrict-vocab", type=_positive_int, default=30000, metavar="N",
                          help="analogies: search only the most frequent words and skip questions "
                               "outside them (default 30000)")
    evaluate.add_argument("--method", choices=["3cosadd", "3cosmul"], default="3cosadd", help="analogy objective")
    evaluate.add_argument("--score-column", type=_positive_int, default=None, metavar="N",
                          help="similarity: 1-based column of the score (default 3)")
    evaluate.add_argument("--case-sensitive", action="store_true", help="match words exactly (default: ignore case)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--report", metavar="REPORT.md", help="also write Markdown tables and a PNG bar chart")
    _load_options(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)

    plot = sub.add_parser("plot", help="a labelled 2-D PCA picture of words and their neighbours")
    plot.add_argument("model", metavar="MODEL")
    plot.add_argument("words", metavar="WORD", nargs="+")
    plot.add_argument("--neighbors", type=_non_negative_int, default=0, metavar="N",
                      help="also draw each word's N nearest words")
    plot.add_argument("-o", "--output", required=True, metavar="WORDS.png")
    _load_options(plot)
    plot.set_defaults(func=cmd_plot)
    return parser


class _Signalled(BaseException):
    """SIGTERM or SIGHUP outside training, where the loop does not take them over."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.name = signal.Signals(signum).name


def _signalled(signum: int, frame: Any) -> None:
    raise _Signalled(signum)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")  # an ASCII-only terminal gets escapes, not a crash
    args = build_parser().parse_args(argv)
    prefix = f"w2v {args.command}"
    warnings.showwarning = lambda message, *_, **__: print(f"{prefix}: warning: {message}", file=sys.stderr)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name) and signal.getsignal(getattr(signal, name)) is signal.SIG_DFL:
            signal.signal(getattr(signal, name), _signalled)
    try:
        return args.func(args)
    except W2VError as err:
        print(f"{prefix}: error: {_safe(_as_flags(err))}", file=sys.stderr)
        return 1
    except _Signalled as err:
        print(f"{prefix}: stopped by {err.name}; files it was writing are left as they were", file=sys.stderr)
        return 128 + signal.Signals[err.name].value
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted; files it was writing are left as they were", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"{prefix}: error: out of memory; try --max-vocab-size or a smaller corpus, or w2v prepare",
              file=sys.stderr)
        return 1
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        print(f"{prefix}: error: {_safe(where)}{err.strerror or err}", file=sys.stderr)
        return 1
