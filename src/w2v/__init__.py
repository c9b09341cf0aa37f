"""w2v: the word2vec of Deep Learning from Scratch 2 (chapter 4), as a fast, tested package.

>>> import w2v
>>> wv = w2v.train("ptb", epochs=1)          # doctest: +SKIP
>>> wv.most_similar("you")                   # doctest: +SKIP
"""

from .config import TrainConfig
from .corpus import Corpus, read_corpus
from .errors import W2VError
from .train import resume, train
from .vectors import WordVectors, load
from .vocab import Vocab

__all__ = ["Corpus", "TrainConfig", "Vocab", "W2VError", "WordVectors", "load", "read_corpus", "resume", "train"]
__version__ = "0.2.0"
