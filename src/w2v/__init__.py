"""w2v: the word2vec of Deep Learning from Scratch 2 (chapter 4), as a fast, tested package.

>>> import w2v
>>> wv = w2v.train("ptb", epochs=1)          # doctest: +SKIP
>>> wv.most_similar("you")                   # doctest: +SKIP
"""

from . import _moved, graph
from ._version import __version__
from .classify import TextClassifier
from .config import TrainConfig
from .errors import StopTraining, W2VError
from .text.corpus import Corpus, read_corpus
from .text.phrases import phrases
from .text.prepared import open_corpus, prepare
from .text.sequences import Sequences
from .text.vocab import Vocab
from .train import resume, train
from .vectors.align import align, drift
from .vectors.sentences import SentenceEncoder
from .vectors.word_vectors import WordVectors, load

_moved.install()

__all__ = ["Corpus", "SentenceEncoder", "Sequences", "StopTraining", "TextClassifier", "TrainConfig", "Vocab",
           "W2VError", "WordVectors", "__version__", "align", "drift", "graph", "load", "open_corpus", "phrases",
           "prepare", "read_corpus", "resume", "train"]
