"""w2v: the word2vec of Deep Learning from Scratch 2 (chapter 4), as a fast, tested package.

>>> import w2v
>>> wv = w2v.train("ptb", epochs=1)          # doctest: +SKIP
>>> wv.most_similar("you")                   # doctest: +SKIP

The names below are imported when first used, so ``import w2v`` (and the command line's
start, which imports ``w2v.cli`` through it) costs milliseconds, not NumPy's and Numba's
half second: a Ctrl-C in that half second reaches w2v's own handling (see ``__main__``).
"""

import importlib
import importlib.util
import sys
import types

from . import _moved
from ._version import __version__

_WHERE = {  # name -> the module that defines it
    "Corpus": "text.corpus", "read_corpus": "text.corpus", "SentenceEncoder": "vectors.sentences",
    "Sequences": "text.sequences", "StopTraining": "errors", "W2VError": "errors",
    "TextClassifier": "classify", "TrainConfig": "config", "Vocab": "text.vocab",
    "WordVectors": "vectors.word_vectors", "load": "vectors.word_vectors", "align": "vectors.align",
    "drift": "vectors.align", "open_corpus": "text.prepared", "prepare": "text.prepared",
    "phrases": "text.phrases", "resume": "train", "train": "train",
}
_FUNCTIONS_NAMED_AS_MODULES = {"train"}  # w2v.train is the function, not the module w2v/train.py

__all__ = ["Corpus", "SentenceEncoder", "Sequences", "StopTraining", "TextClassifier", "TrainConfig", "Vocab",
           "W2VError", "WordVectors", "__version__", "align", "drift", "graph", "load", "open_corpus", "phrases",
           "prepare", "read_corpus", "resume", "train"]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    elif not name.startswith("__") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        for module in {*_WHERE.values(), "graph"}:  # what ``import w2v`` loaded before, so w2v.text.corpus works
            importlib.import_module(f".{module}", __name__)
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'w2v' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value) -> None:
        # importing the submodule w2v.train sets the package's attribute to it: the function keeps the name
        if name in _FUNCTIONS_NAMED_AS_MODULES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
_moved.install()
