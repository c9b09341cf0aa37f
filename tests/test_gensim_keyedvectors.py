"""gensim's own test_keyedvectors.py (imported from the installed gensim, not copied) run against WordVectors.

The module's ``KeyedVectors`` (and ``gensim.models.KeyedVectors``, which its vocabulary-file
tests name) is replaced by :class:`GensimConstructed`, WordVectors with gensim's constructor
``KeyedVectors(vector_size)``; everything its tests call is WordVectors' own API. Left out:
``Gensim320Test``, which unpickles a gensim 3.2 model (w2v never loads pickles).
"""

from __future__ import annotations

import gensim.models
import gensim.models.keyedvectors
import numpy as np
import pytest
from gensim.test import test_keyedvectors as theirs

from w2v import WordVectors


class GensimConstructed(WordVectors):
    """WordVectors built as gensim builds an empty ``KeyedVectors(vector_size)`` (the one thing the tests do that
    WordVectors spells differently: ``WordVectors.empty(vector_size)``)."""

    def __init__(self, vector_size, count=0, dtype=np.float32):
        empty = WordVectors.empty(vector_size)
        super().__init__(empty.vectors, empty.index_to_key)

    @classmethod
    def load_word2vec_format(cls, *args, **kwargs):
        return WordVectors.load_word2vec_format(*args, **kwargs)


def _load_word2vec_format(cls, fname, binary=False, limit=None, binary_chunk_size=None, **kwargs):
    """gensim's module-level loader, which LoadWord2VecFormatTest calls with a chunk size (w2v reads whole)."""
    return cls.load_word2vec_format(fname, binary=binary, limit=limit, **kwargs)


@pytest.fixture(autouse=True)
def word_vectors_for_keyed_vectors(monkeypatch):
    monkeypatch.setattr(theirs, "KeyedVectors", GensimConstructed)
    monkeypatch.setattr(gensim.models, "KeyedVectors", GensimConstructed)
    monkeypatch.setattr(gensim.models.keyedvectors, "_load_word2vec_format", _load_word2vec_format)


class TestKeyedVectors(theirs.TestKeyedVectors):
    def test_the_vectors_are_word_vectors(self):
        assert type(self.vectors) is WordVectors


class TestLoadWord2VecFormat(theirs.LoadWord2VecFormatTest):
    pass


def test_every_test_of_gensim_is_run_but_the_pickled_model():
    """A gensim release that adds a test class shows up here, not as a silently skipped class."""
    classes = {name for name, value in vars(theirs).items() if isinstance(value, type) and name.endswith("Test")
               or name.startswith("Test")}
    assert classes - {"Gensim320Test"} == {"TestKeyedVectors", "LoadWord2VecFormatTest"}
