"""The project's own error types.

Every problem caused by the user's input (a missing or malformed file, a bad option, an
unknown word, a diverging run) is raised as a :class:`W2VError` whose message names what is
wrong and, where possible, what to do. The CLI prints that message as one line.
"""


class W2VError(Exception):
    """Base class of every error w2v raises on purpose."""


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


class TrainingError(W2VError):
    """Training cannot go on (for example the loss became NaN)."""


class TrainingInterrupted(W2VError):
    """Training stopped on a signal after saving a checkpoint (the message says how to resume)."""


class UnknownWordError(W2VError, KeyError):
    """A query word is not in the vocabulary (a ``KeyError`` that names the word)."""

    def __init__(self, word: str):
        super().__init__(f"{word!r} is not in the vocabulary")
        self.word = word

    def __str__(self) -> str:
        return str(self.args[0])
