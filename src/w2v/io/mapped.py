"""Read-only memory maps of a prepared corpus's files, and handing their pages back once read.

A mapped file's pages count in the process's resident set (RSS) from the first read until
the mapping closes, although the data lives in the kernel's page cache either way. Training
reads a corpus front to back once an epoch, so :func:`release` drops the pages of a range it
is done with: RSS holds about a block of the corpus, and the next epoch reads the pages
again from the page cache (from the disk only if the kernel reclaimed them meanwhile).
"""

from __future__ import annotations

import mmap
import os

import numpy as np


def map_file(path: str | os.PathLike, dtype: np.dtype, count: int) -> np.ndarray:
    """The first ``count`` values of ``dtype`` in ``path``, memory-mapped read-only.

    Returns a (count,) array that is not writeable; ``count`` must be positive and the file
    at least ``count * dtype.itemsize`` bytes long.
    """
    with open(path, "rb") as handle:
        mapping = mmap.mmap(handle.fileno(), count * dtype.itemsize, access=mmap.ACCESS_READ)
    return np.frombuffer(mapping, dtype=dtype, count=count)


def is_mapped(array: np.ndarray) -> bool:
    """Whether ``array`` is one that :func:`map_file` returned (not a slice of it)."""
    base = array.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)


def release(array: np.ndarray, start: int, stop: int) -> None:
    """Drop the resident pages wholly inside ``array[start:stop]`` if ``array`` is mapped (:func:`is_mapped`).

    The values stay readable: a later read faults the pages in again. Arrays in memory, and
    systems without ``madvise``, are left as they are.
    """
    if not is_mapped(array) or not hasattr(mmap, "MADV_DONTNEED"):
        return
    page = mmap.PAGESIZE
    first = -(-start * array.itemsize // page) * page
    last = stop * array.itemsize // page * page
    if last > first:
        array.base.obj.madvise(mmap.MADV_DONTNEED, first, last - first)
