"""The modules' names before they moved into folders, kept importable (``import w2v.evaluate``).

``from w2v import evaluate`` and ``from w2v.classes import word_classes`` were documented;
they give the moved module itself (one module object under two names), not a copy.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

MOVED = {f"w2v.{old}": f"w2v.{new}" for old, new in {
    "sources": "text.sources", "vocab": "text.vocab", "huffman": "text.huffman", "corpus": "text.corpus",
    "prepared": "text.prepared",  # not phrases: w2v.phrases is the function, which an alias would replace
    "engine": "training.engine", "loop": "training.loop", "checkpoint": "training.checkpoint",
    "scoring": "vectors.scoring", "evaluate": "vectors.evaluate", "sentences": "vectors.sentences",
    "classes": "vectors.classes", "report": "vectors.report", "plot": "vectors.plot",
}.items()}


class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old name and loads it as the module at its new place."""

    def find_spec(self, fullname, path=None, target=None):
        return importlib.util.spec_from_loader(fullname, self) if fullname in MOVED else None

    def create_module(self, spec):
        return importlib.import_module(MOVED[spec.name])

    def exec_module(self, module):
        pass  # already run under its new name


def install() -> None:
    if not any(isinstance(finder, _MovedFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
