"""The ``w2v`` command: a thin argparse layer over :mod:`w2v` (train, similar, analogy).

Every error caused by input ends with one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from .config import TrainConfig
from .errors import W2VError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _train_options(parser: argparse.ArgumentParser) -> None:
    defaults = TrainConfig()
    parser.add_argument("corpus", nargs="?", default="ptb",
                        help="'ptb' (default: the Penn Treebank, downloaded or from $W2V_DATA_DIR) "
                             "or a UTF-8 text file, one sentence per line")
    parser.add_argument("-o", "--output", required=True, metavar="MODEL.npz", help="where to save the vectors")
    parser.add_argument("--model", choices=["cbow", "skipgram"], default=defaults.model)
    parser.add_argument("--engine", choices=["reference"], default=defaults.engine,
                        help="reference: the book's layers with mini-batch Adam")
    parser.add_argument("--vector-size", type=int, default=defaults.vector_size, help="dimensions (the book's hidden size)")
    parser.add_argument("--window", type=int, default=defaults.window, help="context words on each side")
    parser.add_argument("--negative", type=int, default=defaults.negative, help="negative samples per target")
    parser.add_argument("--epochs", type=int, default=None, help="passes over the corpus (default 10)")
    parser.add_argument("--min-count", type=int, default=None,
                        help="drop words seen fewer times (default: 1 for ptb, 5 for text files)")
    parser.add_argument("--max-vocab-size", type=int, default=None, help="keep only the most frequent words")
    parser.add_argument("--seed", type=int, default=None, help="makes a run reproducible")
    ref = parser.add_argument_group("reference engine")
    ref.add_argument("--batch-size", type=int, default=defaults.batch_size)
    ref.add_argument("--lr", type=float, default=defaults.lr, help="optimizer learning rate")
    ref.add_argument("--optimizer", choices=["lazy-adam", "adam", "sgd"], default=defaults.optimizer,
                     help="lazy-adam (default) updates only the rows a batch touched; "
                          "adam is the book's dense Adam, exact and slower")
    ref.add_argument("--max-grad", type=float, default=None, help="clip the gradient norm")
    ref.add_argument("--eval-interval", type=int, default=defaults.eval_interval,
                     help="iterations per recorded loss value")
    ref.add_argument("--replace-negatives", dest="distinct_negatives", action="store_false",
                     help="draw negatives i.i.d. (may repeat or hit the target), as word2vec.c does")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _config_from(args: argparse.Namespace) -> TrainConfig:
    import dataclasses

    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    return TrainConfig(**{k: v for k, v in vars(args).items() if k in fields})


def cmd_train(args: argparse.Namespace) -> int:
    from .io import check_writable
    from .plot import save_loss_curve
    from .train import train

    output = Path(args.output)
    check_writable(output)
    wv = train(args.corpus, _config_from(args), progress=not args.quiet)
    wv.save(output)
    curve = output.with_name(output.stem + "-loss.png")
    save_loss_curve(wv.info["training"], curve, title=f"{wv.info['config']['model']} on {wv.info['corpus']['name']}")
    log, corpus, cfg = wv.info["training"], wv.info["corpus"], wv.info["config"]
    print(f"trained {cfg['model']} ({cfg['engine']} engine) on {corpus['name']}: {corpus['words']:,} words, "
          f"{corpus['vocabulary']:,} in vocabulary, {cfg['epochs']} epochs in {log['seconds']:.1f} s "
          f"({log['words_per_second']:,.0f} words/s)")
    print(f"final loss {log['final_loss']:.4f}")
    print(f"wrote {output} and {curve}")
    return 0


def _print_table(title: str, rows: list[tuple[str, float]]) -> None:
    width = max([4] + [len(word) for word, _ in rows])
    print(title)
    print(f"  rank  {'word':<{width}}  cosine")
    for rank, (word, score) in enumerate(rows, 1):
        print(f"  {rank:>4}  {word:<{width}}  {score:6.3f}")


def _results(rows: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"word": word, "cosine": round(score, 6)} for word, score in rows]


def cmd_similar(args: argparse.Namespace) -> int:
    from .io import load

    wv = load(args.model)
    answers = [(word, wv.most_similar(word, topn=args.topn)) for word in args.words]
    if args.json:
        print(json.dumps([{"query": word, "results": _results(rows)} for word, rows in answers]))
        return 0
    for i, (word, rows) in enumerate(answers):
        if i:
            print()
        _print_table(f"nearest to {word!r}", rows)
    return 0


def cmd_analogy(args: argparse.Namespace) -> int:
    from .io import load

    wv = load(args.model)
    rows = wv.analogy(args.a, args.b, args.c, topn=args.topn)
    if args.json:
        print(json.dumps({"query": [args.a, args.b, args.c], "results": _results(rows)}))
        return 0
    _print_table(f"{args.a} : {args.b} = {args.c} : ?", rows)
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="w2v", description="word2vec (CBOW / skip-gram with negative sampling), fast.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = sub.add_parser("train", help="train vectors on PTB or a text file")
    _train_options(train)
    train.set_defaults(func=cmd_train)

    similar = sub.add_parser("similar", help="nearest words by cosine similarity")
    similar.add_argument("model", metavar="MODEL")
    similar.add_argument("words", metavar="WORD", nargs="+")
    similar.add_argument("--topn", type=_positive_int, default=5)
    similar.add_argument("--json", action="store_true", help="print JSON")
    similar.set_defaults(func=cmd_similar)

    analogy = sub.add_parser("analogy", help="a : b = c : ?  (nearest to b - a + c)")
    analogy.add_argument("model", metavar="MODEL")
    analogy.add_argument("a", metavar="A")
    analogy.add_argument("b", metavar="B")
    analogy.add_argument("c", metavar="C")
    analogy.add_argument("--topn", type=_positive_int, default=5)
    analogy.add_argument("--json", action="store_true", help="print JSON")
    analogy.set_defaults(func=cmd_analogy)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except W2VError as err:
        print(f"w2v {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"w2v {args.command}: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"w2v {args.command}: error: out of memory; try --max-vocab-size or a smaller corpus", file=sys.stderr)
        return 1
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        print(f"w2v {args.command}: error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
