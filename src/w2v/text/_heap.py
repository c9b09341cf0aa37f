"""Handing the C heap's free memory back to the system once a corpus is read."""

from __future__ import annotations

import ctypes


def trim_heap() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Reading frees thousands of chunk-sized buffers, and glibc keeps them in its heap (its
    mmap threshold rises as large blocks are freed), where training's few large arrays never
    reuse them: resident memory that training never gets back otherwise.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return
    trim(0)
