"""Supervised text classification (fastText's ``supervised``, Joulin et al. 2016): training, prediction,
evaluation, and :class:`TextClassifier`, a scikit-learn classifier of raw text.

A line's vector is the mean of its words', word n-grams' and (optionally) character n-grams'
rows (:mod:`w2v.text.bags`); one linear layer scores the labels (:mod:`w2v.reference.classifier`
states the model; :mod:`w2v.fast.classify` trains it). Models are saved as w2v's ``.npz``
(:mod:`w2v.io.classifier`) or as fastText's supervised ``.bin`` (:mod:`w2v.io.fasttext`).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from .devices import available_cores
from .errors import ConfigError, W2VError, check_integer
from .fast.classify import initial_weights, output_rows, probabilities, train_supervised
from .io.classifier import LOSSES, StoredClassifier, load_classifier, save_classifier
from .io.fasttext import is_fasttext, load_fasttext_supervised, save_fasttext_supervised
from .text.bags import BagMaker, Bags, count_words
from .text.subwords import Subwords
from .vectors.word_vectors import WordVectors, load

PARAMS = ("vector_size", "epochs", "alpha", "word_ngrams", "buckets", "subwords", "min_count", "loss", "negative",
          "pretrained_vectors", "workers", "seed")


class Classifier:
    """A trained classifier: its file's contents and what turns text into its bags.

    Built by :func:`train_classifier` or read by :func:`load_model`; see :class:`TextClassifier`
    for the scikit-learn face of the same model.
    """

    def __init__(self, stored: StoredClassifier):
        self.stored = stored
        options = stored.options
        subwords = (Subwords(options["minn"], options["maxn"], options["buckets"])
                    if options.get("maxn", 0) > 0 else None)
        self._bags = BagMaker(stored.words, options.get("word_ngrams", 1), options["buckets"], subwords)

    @property
    def labels(self) -> list[str]:
        """The labels, most frequent first (the columns of :meth:`probabilities`)."""
        return self.stored.labels

    def bags(self, lines: Sequence[Sequence[str]]) -> Bags:
        return self._bags.bags(lines)

    def probabilities(self, lines: Sequence[Sequence[str]]) -> np.ndarray:
        """(N, L) float64: each line's probability of each label (see :func:`w2v.fast.classify.probabilities`)."""
        s = self.stored
        return probabilities(s.W_in, s.W_out, self.bags(lines), s.options["loss"], s.label_counts)

    def predict(self, lines: Sequence[Sequence[str]], k: int = 1, threshold: float = 0.0
                ) -> list[list[tuple[str, float]]]:
        """Each line's ``k`` most probable labels with their probabilities, those below ``threshold`` left out."""
        check_integer("k", k, error=ConfigError)
        p = self.probabilities(lines)
        k = min(k, p.shape[1])
        top = np.argsort(-p, axis=1, kind="stable")[:, :k]
        return [[(self.labels[j], float(row[j])) for j in order if row[j] >= threshold] for row, order in zip(p, top)]

    def save(self, path: str | os.PathLike) -> None:
        """w2v's ``.npz``, or fastText's supervised ``.bin`` when ``path`` ends in ``.bin``."""
        if str(path).endswith(".bin"):
            save_fasttext_supervised(self.stored, path)
        else:
            save_classifier(self.stored, path)


def load_model(path: str | os.PathLike) -> Classifier:
    """A classifier from w2v's ``.npz`` or fastText's supervised ``.bin`` (told by the file's first bytes)."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    return Classifier(load_fasttext_supervised(path) if is_fasttext(head) else load_classifier(path))


def train_classifier(lines: Sequence[Sequence[str]], labels: Sequence[Sequence[str]], *, vector_size: int | None = None,
                     epochs: int = 10, alpha: float = 0.5, word_ngrams: int = 2, buckets: int = 2_000_000,
                     subwords: tuple[int, int] | None = None, min_count: int = 1, loss: str = "softmax",
                     negative: int = 5, pretrained_vectors: str | os.PathLike | WordVectors | None = None,
                     workers: int | None = None, seed: int = 1) -> tuple[Classifier, list[float]]:
    """Train a classifier on tokenised lines and their labels; returns it and each epoch's mean loss.

    Parameters
    ----------
    lines : sequence of sequence of str, length N
    labels : sequence of sequence of str, length N
        Each line's labels (at least one each; ``loss="ova"`` learns them all, the others one
        drawn at random each time the line is trained).
    vector_size : int, optional
        D; default 100, or the pretrained vectors' size.
    epochs, alpha : int, float
        Passes over the lines; the learning rate at the start (it falls linearly to 0).
    word_ngrams : int
        The longest word n-gram hashed into the buckets (1: words alone).
    buckets : int
        Rows for the hashed word and character n-grams (unused without either).
    subwords : (minn, maxn), optional
        Character n-grams of each word (:mod:`w2v.text.subwords`).
    min_count : int
        Words seen fewer times are left out (their n-grams still count).
    loss : {"softmax", "ns", "hs", "ova"}
    negative : int
        Negative labels per line for ``loss="ns"``.
    pretrained_vectors : path or WordVectors, optional
        Any model :func:`w2v.load` reads: the vocabulary's words it knows start from its vectors.
    workers : int, optional
        Threads (default: the CPU cores this process may use).
    seed : int
    """
    options = _checked(vector_size=vector_size, epochs=epochs, alpha=alpha, word_ngrams=word_ngrams, buckets=buckets,
                       subwords=subwords, min_count=min_count, loss=loss, negative=negative, workers=workers,
                       seed=seed)
    if len(lines) != len(labels) or not lines:
        raise ConfigError(f"{len(lines)} lines for {len(labels)} label lists: need one list (not empty) per line")
    if any(not found for found in labels):
        raise ConfigError(f"line {next(i for i, found in enumerate(labels) if not found)} has no label")
    pretrained = _pretrained(pretrained_vectors)
    dim = options.pop("vector_size") or (pretrained.vector_size if pretrained is not None else 100)
    if pretrained is not None and pretrained.vector_size != dim:
        raise ConfigError(f"the pretrained vectors have {pretrained.vector_size} dimensions, not "
                          f"vector_size={dim}", options=("vector_size",))
    counts = count_words(lines)
    words = [word for word, count in _by_count(counts) if count >= min_count]
    label_counts = Counter(label for found in labels for label in found)
    ordered = _by_count(label_counts)
    label_names = [label for label, _ in ordered]
    uses_buckets = word_ngrams > 1 or options["subwords"] is not None
    buckets = buckets if uses_buckets else 0
    minn, maxn = options.pop("subwords") or (0, 0)
    stored_options = {**options, "vector_size": dim, "buckets": buckets, "minn": minn, "maxn": maxn}
    workers = options["workers"] or available_cores()
    stored = StoredClassifier(*initial_weights(len(words) + buckets, output_rows(loss, len(label_names)), dim, seed,
                                               workers),
                              words, np.array([counts[w] for w in words], dtype=np.int64), label_names,
                              np.array([c for _, c in ordered], dtype=np.int64), stored_options)
    if pretrained is not None:
        known = [(i, pretrained.key_to_index[w]) for i, w in enumerate(words) if w in pretrained.key_to_index]
        if known:
            rows, source = map(list, zip(*known))
            stored.W_in[rows] = pretrained.vectors[source]
        stored.options["pretrained_words"] = len(known)
    model = Classifier(stored)
    index = {label: i for i, label in enumerate(label_names)}
    label_offsets = np.cumsum([0] + [len(found) for found in labels], dtype=np.int64)
    label_ids = np.array([index[label] for found in labels for label in found], dtype=np.int32)
    losses = train_supervised(stored.W_in, stored.W_out, model.bags(lines), label_offsets, label_ids,
                              stored.label_counts, loss=loss, negative=negative, epochs=epochs, alpha=alpha,
                              workers=workers, seed=seed)
    if not np.isfinite(losses[-1]):
        raise W2VError(f"training diverged (the loss is {losses[-1]}); try a smaller alpha", options=("alpha",))
    return model, losses


def _by_count(counts: Counter) -> list[tuple[str, int]]:
    """Most frequent first; ties in order of first appearance (a Counter keeps it)."""
    return sorted(counts.items(), key=lambda item: -item[1])


def _pretrained(value: Any) -> WordVectors | None:
    if value is None or isinstance(value, WordVectors):
        return value
    return load(value)


def _checked(**options: Any) -> dict[str, Any]:
    """The options, checked; ConfigError names the first bad one."""
    if options["vector_size"] is not None:
        check_integer("vector_size", options["vector_size"], 1, 1 << 16, error=ConfigError)
    check_integer("epochs", options["epochs"], 1, 1_000_000, error=ConfigError)
    check_integer("word_ngrams", options["word_ngrams"], 1, 100, error=ConfigError)
    check_integer("buckets", options["buckets"], 1, 2**31 - 1, error=ConfigError)
    check_integer("min_count", options["min_count"], 1, error=ConfigError)
    check_integer("negative", options["negative"], 1, 1_000, error=ConfigError)
    check_integer("seed", options["seed"], 0, 2**63 - 1, error=ConfigError)
    if options["workers"] is not None:
        check_integer("workers", options["workers"], 1, 1_024, error=ConfigError)
    alpha = options["alpha"]
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 10:
        raise ConfigError(f"alpha must be a number in (0, 10), not {alpha!r}", options=("alpha",))
    if options["loss"] not in LOSSES:
        raise ConfigError(f"loss must be one of {', '.join(LOSSES)}, not {options['loss']!r}", options=("loss",))
    if options["subwords"] is not None:
        if not isinstance(options["subwords"], (tuple, list)) or len(options["subwords"]) != 2:
            raise ConfigError(f"subwords must be (minn, maxn), two integers, or None, not {options['subwords']!r}",
                              options=("subwords",))
        spec = Subwords(*options["subwords"], options["buckets"])
        options["subwords"] = (spec.minn, spec.maxn)
    return dict(options, alpha=float(alpha))


# ---- evaluation ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LabelScores:
    """What ``w2v classify test`` reports (fastText's ``test`` and ``test-label``).

    Attributes
    ----------
    lines : int
    k : int
    precision, recall : float
        P@k: the share of the top-k predictions (above the threshold) that are labels of their
        line; R@k: the share of the lines' labels among them.
    per_label : list of (label, precision, recall, f1, support)
        Each label's scores over the lines, the most frequent in the data first.
    """

    lines: int
    k: int
    precision: float
    recall: float
    per_label: list[tuple[str, float, float, float, int]]


def label_scores(predicted: Sequence[Sequence[str]], truth: Sequence[Sequence[str]], k: int) -> LabelScores:
    """Scores of each line's predicted labels against its true ones."""
    right = sum(len(set(p) & set(t)) for p, t in zip(predicted, truth))
    n_predicted, n_true = sum(len(p) for p in predicted), sum(len(t) for t in truth)
    support = Counter(label for t in truth for label in t)
    guessed = Counter(label for p in predicted for label in p)
    hits = Counter(label for p, t in zip(predicted, truth) for label in set(p) & set(t))
    rows = []
    for label in sorted(set(support) | set(guessed), key=lambda x: (-support[x], x)):
        precision = hits[label] / guessed[label] if guessed[label] else 0.0
        recall = hits[label] / support[label] if support[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append((label, precision, recall, f1, support[label]))
    return LabelScores(len(truth), k, right / n_predicted if n_predicted else 0.0, right / n_true if n_true else 0.0,
                      rows)


# ---- scikit-learn --------------------------------------------------------------------------

class TextClassifier:
    """A scikit-learn classifier of text, trained as fastText's ``supervised`` mode trains.

    ``X`` is raw strings (split where ``str.split()`` splits, as ``w2v train`` tokenises) or
    lists of tokens; ``y`` one label per text (any values NumPy can sort). It follows scikit-learn's
    estimator API without importing scikit-learn, so ``Pipeline``, ``cross_val_score`` and
    ``GridSearchCV`` take it; :meth:`save` and :meth:`load` keep it without pickles.

    Parameters
    ----------
    See :func:`train_classifier`; the defaults (100 dimensions, 2 million buckets, softmax) are
    fastText's, but for word bigrams, 10 epochs instead of 5 and a learning rate of 0.5 instead
    of 0.1: chosen on bench/classify.py's three sets of a few thousand lines by a sweep over the
    first 3 of their 10 folds with 100,000 buckets (10 epochs at 0.1 and 0.5, 25 at 0.2 and 0.5), where 10 at 0.5 was
    the best or within half a point of it on each.

    Attributes
    ----------
    classes_ : (L,) ndarray
        The labels seen by :meth:`fit`, sorted (the columns of :meth:`predict_proba`).
    model_ : Classifier
    losses_ : list of float
        Each epoch's mean loss per line.
    """

    _estimator_type = "classifier"

    def __init__(self, vector_size: int | None = None, epochs: int = 10, alpha: float = 0.5, word_ngrams: int = 2,
                 buckets: int = 2_000_000, subwords: tuple[int, int] | None = None, min_count: int = 1,
                 loss: str = "softmax", negative: int = 5, pretrained_vectors: Any = None,
                 workers: int | None = None, seed: int = 1):
        self.vector_size, self.epochs, self.alpha, self.word_ngrams = vector_size, epochs, alpha, word_ngrams
        self.buckets, self.subwords, self.min_count, self.loss = buckets, subwords, min_count, loss
        self.negative, self.pretrained_vectors, self.workers, self.seed = negative, pretrained_vectors, workers, seed

    def __repr__(self) -> str:
        changed = [f"{name}={getattr(self, name)!r}" for name in PARAMS
                   if getattr(self, name) != _DEFAULTS[name]]
        return f"TextClassifier({', '.join(changed)})"

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PARAMS}

    def set_params(self, **params: Any) -> TextClassifier:
        for name, value in params.items():
            if name not in PARAMS:
                raise ConfigError(f"TextClassifier has no parameter {name!r}; it has {', '.join(PARAMS)}")
            setattr(self, name, value)
        return self

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, Tags, TargetTags  # only scikit-learn asks for its tags

        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags(), input_tags=_input_tags())

    def fit(self, X: Iterable[Any], y: Iterable[Any]) -> TextClassifier:
        lines = _token_lists(X)
        y = np.asarray(list(y))
        if y.ndim != 1 or y.size != len(lines):
            raise ConfigError(f"y must hold one label per text: {y.size} labels of shape {y.shape} for "
                              f"{len(lines)} texts")
        self.classes_ = np.unique(y)
        names = {value: str(i) for i, value in enumerate(self.classes_)}  # labels as text: any values work
        self.model_, self.losses_ = train_classifier(lines, [[names[value]] for value in y.tolist()],
                                                     **self.get_params())
        self._columns = np.array([int(label) for label in self.model_.labels])
        return self

    def predict_proba(self, X: Iterable[Any]) -> np.ndarray:
        """(N, L) float64: columns in the order of ``classes_``."""
        self._check_fitted()
        p = self.model_.probabilities(_token_lists(X))
        out = np.zeros((p.shape[0], self.classes_.size))
        out[:, self._columns] = p
        return out

    def predict(self, X: Iterable[Any]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X: Iterable[Any], y: Iterable[Any]) -> float:
        """Accuracy."""
        return float(np.mean(self.predict(X) == np.asarray(list(y))))

    def save(self, path: str | os.PathLike) -> None:
        """The trained model as w2v's ``.npz`` (the classes and parameters with it), without pickles."""
        self._check_fitted()
        stored = self.model_.stored
        params = self.get_params()
        # A path is kept; vectors handed in as an object are in the weights already, and not stored twice.
        pretrained = params["pretrained_vectors"]
        params["pretrained_vectors"] = os.fspath(pretrained) if isinstance(pretrained, (str, os.PathLike)) else None
        stored.options["estimator"] = {"classes": self.classes_.tolist(), "params": params}
        save_classifier(stored, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> TextClassifier:
        stored = load_classifier(path)
        saved = stored.options.get("estimator")
        if not isinstance(saved, dict):
            raise W2VError(f"{path}: a classifier trained by w2v classify train, not saved by TextClassifier; "
                           "load it with w2v.classify.load_model")
        params = saved["params"]
        if params.get("subwords") is not None:
            params["subwords"] = tuple(params["subwords"])  # a list once read back from JSON
        estimator = cls(**params)
        estimator.classes_ = np.array(saved["classes"])
        estimator.model_, estimator.losses_ = Classifier(stored), []
        estimator._columns = np.array([int(label) for label in stored.labels])
        return estimator

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise W2VError("this TextClassifier is not fitted yet: call fit first")


_DEFAULTS = dict(zip(PARAMS, TextClassifier.__init__.__defaults__))


def _input_tags() -> Any:
    from sklearn.utils import InputTags

    return InputTags(one_d_array=True, two_d_array=False, string=True)


def _token_lists(X: Iterable[Any]) -> list[list[str]]:
    lines = list(X.tolist() if isinstance(X, np.ndarray) else X)
    return [text.split() if isinstance(text, str) else [str(token) for token in text] for text in lines]
