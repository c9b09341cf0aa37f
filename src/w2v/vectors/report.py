"""Evaluation results as text: aligned Markdown tables, and a report file with a bar chart."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Sequence

from ..io.files import atomic_write
from .evaluate import AnalogyResult, SimilarityResult, _ratio
from .plot import save_section_chart


def format_results(analogy: AnalogyResult | None, similarities: Sequence[SimilarityResult]) -> str:
    """Aligned Markdown tables of the results (they read well in a terminal too)."""
    blocks = []
    if analogy is not None:
        blocks.append("\n".join([f"Analogies: {_analogy_summary(analogy)}", "", *_analogy_table(analogy)]))
    if similarities:
        blocks.append("\n".join([f"Word similarity: {_SIMILARITY_NOTE}", "", *_similarity_table(similarities)]))
    return "\n\n".join(blocks)


def write_report(
    path: str | os.PathLike,
    analogy: AnalogyResult | None,
    similarities: Sequence[SimilarityResult],
    *,
    model: str = "",
) -> list[Path]:
    """Write a Markdown report and, with analogy results, a PNG bar chart next to it.

    The chart is ``<report stem>-analogies.png``. Both files are written atomically.
    Returns the paths written.
    """
    path = Path(path)
    charts = []
    lines = [f"# Evaluation of {model}" if model else "# Evaluation", ""]
    if analogy is not None:
        charts.append(path.with_name(f"{path.stem}-analogies.png"))
        save_section_chart(analogy, charts[0])
        lines += ["## Analogies", "", _analogy_summary(analogy), "", *_analogy_table(analogy), "",
                  f"![accuracy per section]({charts[0].name})", ""]
    if similarities:
        lines += ["## Word similarity", "", _SIMILARITY_NOTE, "", *_similarity_table(similarities), ""]
    with atomic_write(path) as handle:
        handle.write("\n".join(lines).encode("utf-8"))
    return [path, *charts]


_SIMILARITY_NOTE = "Spearman's rho and Pearson's r against cosine similarity; pairs with an unknown word are skipped."


def _percent(fraction: float | None) -> str:
    return "n/a" if fraction is None else f"{100 * fraction:.1f} %"


def _analogy_summary(result: AnalogyResult) -> str:
    asked = result.total + result.skipped
    return (
        f"{Path(result.file).name}, {result.method} over the top {result.restrict_vocab:,} words: "
        f"{_percent(result.accuracy)} right; {result.total:,} of {asked:,} questions answered "
        f"({_percent(result.coverage)}), {result.skipped:,} skipped for a word outside those"
    )


def _analogy_table(result: AnalogyResult) -> list[str]:
    rows = [[s.section, _percent(s.accuracy), f"{s.correct:,}", f"{s.total:,}", f"{s.skipped:,}"]
            for s in result.sections]
    for label, syntactic in (("all semantic", False), ("all syntactic", True)):
        group = [s for s in result.sections if s.syntactic == syntactic]
        if group:
            correct, total = sum(s.correct for s in group), sum(s.total for s in group)
            rows.append([label, _percent(_ratio(correct, total)), f"{correct:,}", f"{total:,}",
                         f"{sum(s.skipped for s in group):,}"])
    rows.append(["total", _percent(result.accuracy), f"{result.correct:,}", f"{result.total:,}", f"{result.skipped:,}"])
    return _table(["section", "accuracy", "correct", "answered", "skipped"], rows)


def _similarity_table(results: Sequence[SimilarityResult]) -> list[str]:
    rows = [[Path(r.file).name, _correlation(r.spearman), _correlation(r.pearson), f"{r.pairs:,}", f"{r.skipped:,}"]
            for r in results]
    return _table(["file", "Spearman", "Pearson", "pairs", "skipped"], rows)


def _correlation(value: float) -> str:
    return f"{value:.4f}" if math.isfinite(value) else "n/a"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Markdown table lines, padded to align; every column but the first is right-aligned."""
    widths = [max(3, *(len(row[k]) for row in [header, *rows])) for k in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join("-" * w if k == 0 else "-" * (w - 1) + ":" for k, w in enumerate(widths)) + " |"
    return [line(header), rule, *(line(row) for row in rows)]
