"""Labelled text for supervised training: fastText's ``__label__`` lines and ``text<TAB>label`` files.

- fastText's format: every token that starts with the prefix (``__label__``) is a label of its
  line, wherever it stands, and the other tokens are the text (``__label__a __label__b some
  words``: two labels).
- ``text<TAB>label``: what follows the line's last tab is its one label, what precedes it the text.

Text is split where ``str.split()`` splits (as ``w2v train`` tokenises). Blank lines are
skipped; a line without a label, a line whose text is empty and bytes that are not UTF-8 are
refused with one :class:`~w2v.errors.CorpusError` naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

from ..errors import CorpusError
from .sources import read_lines

LabelFormat = Literal["auto", "fasttext", "tsv"]
LABEL_PREFIX = "__label__"


@dataclass(frozen=True)
class LabelledLines:
    """Lines of text and their labels, in file order.

    Attributes
    ----------
    tokens : list of list of str, length N
    labels : list of list of str, length N
        Each line's labels without the prefix (at least one each), in the order they stand.
    """

    tokens: list[list[str]]
    labels: list[list[str]]


def read_labelled(path: str, *, format: LabelFormat = "auto", prefix: str = LABEL_PREFIX) -> LabelledLines:
    """Read a labelled file (``-``: standard input).

    ``format="auto"`` reads fastText's format when the first line holding text has a token
    starting with ``prefix``, and ``text<TAB>label`` when it has a tab instead.
    """
    name = "standard input" if path == "-" else path
    lines = read_lines(path)
    if format == "auto":
        first = next((line for line in lines if line.strip()), "")
        format = "fasttext" if any(token.startswith(prefix) for token in first.split()) else (
            "tsv" if "\t" in first else "fasttext")
    if format not in ("fasttext", "tsv"):
        raise CorpusError(f"format must be 'auto', 'fasttext' or 'tsv', not {format!r}", options=("format",))
    tokens, labels = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        text, found = _split_tsv(line) if format == "tsv" else split_labels(line.split(), prefix)
        if not found:
            raise CorpusError(f"{name}:{number}: no label (" + ("text<TAB>label expected" if format == "tsv" else
                                                               f"a line needs a token starting with {prefix}") + ")")
        if not text:
            raise CorpusError(f"{name}:{number}: no text besides the label{'s' if len(found) > 1 else ''}")
        tokens.append(text)
        labels.append(found)
    if not tokens:
        raise CorpusError(f"{name}: holds no labelled lines")
    return LabelledLines(tokens, labels)


def split_labels(tokens: Sequence[str], prefix: str = LABEL_PREFIX) -> tuple[list[str], list[str]]:
    """(the text's tokens, the labels without ``prefix``) of one line's tokens."""
    text = [token for token in tokens if not token.startswith(prefix)]
    return text, [token[len(prefix):] for token in tokens if token.startswith(prefix) and len(token) > len(prefix)]


def _split_tsv(line: str) -> tuple[list[str], list[str]]:
    text, tab, label = line.rpartition("\t")
    return (text.split(), [label.strip()] if tab and label.strip() else [])
