"""Word vectors and their uses: queries, scoring, evaluation, sentence vectors, classes, reports, plots."""

from .word_vectors import WordVectors, from_stored, load

__all__ = ["WordVectors", "from_stored", "load"]
