"""The book's chapter 4 as layers: the executable specification of word2vec with negative sampling.

>>> from w2v.reference import CBOW, Adam            # doctest: +SKIP
"""

from .layers import Embedding, EmbeddingDot, NegativeSamplingLoss, Sigmoid, SigmoidWithLoss, UnigramSampler
from .models import CBOW, SkipGram
from .optim import SGD, Adam, LazyAdam

__all__ = ["CBOW", "SGD", "Adam", "Embedding", "EmbeddingDot", "LazyAdam", "NegativeSamplingLoss", "Sigmoid",
           "SigmoidWithLoss", "SkipGram", "UnigramSampler"]
