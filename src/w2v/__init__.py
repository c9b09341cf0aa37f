"""w2v: the word2vec of Deep Learning from Scratch 2 (chapter 4), as a fast, tested package.

>>> import w2v
>>> wv = w2v.train("ptb", epochs=1)          # doctest: +SKIP
>>> wv.most_similar("you")                   # doctest: +SKIP
"""

from ._version import __version__
from .config import TrainConfig
from .corpus import Corpus, read_corpus
from .errors import StopTraining, W2VError
from .phrases import phrases
from .prepared import open_corpus, prepare
from .sentences import SentenceEncoder
from .train import resume, train
from .vectors import WordVectors, load
from .vocab import Vocab

__all__ = ["Corpus", "SentenceEncoder", "StopTraining", "TrainConfig", "Vocab", "W2VError", "WordVectors",
           "__version__", "load", "open_corpus", "phrases", "prepare", "read_corpus", "resume", "train"]
