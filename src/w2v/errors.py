"""The project's own error types.

Every problem caused by the user's input (a missing or malformed file, a bad option, an
unknown word, a diverging run) is raised as a :class:`W2VError` whose message names what is
wrong and, where possible, what to do. The CLI prints that message as one line.
:func:`check_integer` is the one check of an integer option, wherever it is taken.
"""

from __future__ import annotations

import numpy as np


class W2VError(Exception):
    """Base class of every error w2v raises on purpose.

    The message names options as a Python caller writes them (``negative=6``); ``options``
    lists those names, so that the command line can word them as its flags (``--negative 6``).
    """

    def __init__(self, message: str = "", *, options: tuple[str, ...] = ()):
        super().__init__(message)
        self.options = tuple(options)


class BenchmarkError(W2VError):
    """An evaluation file is missing, unreadable, not UTF-8 or malformed (names the file and line)."""


class ConfigError(W2VError, ValueError):
    """A training option has a value that cannot work (names the option and the value)."""


class CorpusError(W2VError):
    """A corpus file is missing, unreadable, not UTF-8, or holds no usable words."""


class DataError(W2VError):
    """A data set could not be found, downloaded or verified."""


class ModelFileError(W2VError):
    """A model or vectors file is missing, truncated, foreign or inconsistent."""


class UndecodableWordError(ModelFileError, UnicodeDecodeError):
    """A word in a vectors or vocabulary file is not valid UTF-8: a ModelFileError whose message names the file and
    the word, and a UnicodeDecodeError (what gensim raises there) carrying the bytes and where they fail."""

    def __init__(self, message: str, cause: UnicodeDecodeError):
        UnicodeDecodeError.__init__(self, cause.encoding, cause.object, cause.start, cause.end, cause.reason)
        self.message = message
        self.options = ()

    def __str__(self) -> str:
        return self.message


class OutputError(W2VError):
    """An output path cannot be written safely: not a regular file, an input of the run, or a write failed."""


class TrainingError(W2VError):
    """Training cannot go on (for example the loss became NaN)."""


class TrainingInterrupted(W2VError):
    """Training stopped on a signal after saving a checkpoint (the message says how to resume).

    ``summary`` says where it stopped, ``checkpoint`` is the path it was saved to.
    """

    def __init__(self, summary: str, *, checkpoint: str):
        super().__init__(f"{summary}; progress saved to {checkpoint}; continue with w2v.resume({checkpoint!r})")
        self.summary = summary
        self.checkpoint = checkpoint


class StopTraining(Exception):
    """Raised by an ``on_epoch_end`` callback to end training after this epoch (returning True does the same).

    Not an error: :func:`w2v.train` then returns the vectors trained so far.
    """


class UnknownWordError(W2VError, KeyError):
    """Query words are not in the vocabulary (a ``KeyError`` that names them all); ``subwords``: nor do they
    have a character n-gram, so a subword model has no vector for them either.

    ``word`` is the first of them, ``words`` all of them.
    """

    def __init__(self, word: str, *more: str, subwords: bool = False):
        words = (word, *more)
        verb = "is" if len(words) == 1 else "are"
        either = ", and no character n-gram of the model's either" if subwords else ""
        super().__init__(f"{', '.join(repr(w) for w in words)} {verb} not in the vocabulary{either}")
        self.word = word
        self.words = words

    def __str__(self) -> str:
        return str(self.args[0])


class CheckpointWarning(UserWarning):
    """A periodic checkpoint could not be saved; training went on."""


class EmptySentenceWarning(UserWarning):
    """Sentences without a word in the vocabulary got zero vectors (the warning gives their number)."""


class ZeroVectorWarning(UserWarning):
    """A query's vector is zero (or every vector is): every cosine with it is 0, so its answers are in no order."""


def check_integer(name: str, value: object, low: int = 1, high: int | None = None, *, why: str = "",
                  none_ok: bool = False, error: type[Exception] = ValueError) -> None:
    """Raise ``error`` naming ``name`` unless ``value`` is an integer (Python's or NumPy's, never a bool)
    in ``low .. high`` (no upper bound when None), or None where ``none_ok``; ``why`` explains the bounds.

    A W2VError subclass as ``error`` carries ``options=(name,)``, so the command line words it as a flag.
    """
    if value is None and none_ok:
        return
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if is_int and low <= value and (high is None or value <= high):
        return
    if high is None:
        what = "a positive integer" if low == 1 else f"an integer of at least {low:,}"
    else:
        what = f"an integer in {low:,}..{high:,}"
    shown = f"about 10**{len(str(abs(int(value)))) - 1}" if is_int and abs(int(value)) >= 10**12 else repr(value)
    message = f"{name} must be {what}{f' ({why})' if why else ''}{' or None' if none_ok else ''}, not {shown}"
    raise error(message, options=(name,)) if issubclass(error, W2VError) else error(message)
