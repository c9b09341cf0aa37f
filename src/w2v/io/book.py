"""The book's ``cbow_params.pkl`` (write only: unpickling runs whatever code a file holds)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np

from ..errors import ModelFileError
from .files import atomic_write, check_finite
from .stored import StoredVectors

_FLOAT16_MAX = float(np.finfo(np.float16).max)


class _PortableArray:
    """Pickles as ``numpy.ndarray(shape, dtype, buffer)``, which numpy 1.x and 2.x both unpickle.

    An ndarray's own pickle names ``numpy._core``, which numpy 1.x (the book's era) lacks.
    The buffer is a bytearray so that the array comes back writable: the book's
    ``normalize`` divides in place.
    """

    def __init__(self, array: np.ndarray):
        self.array = np.ascontiguousarray(array)

    def __reduce__(self):
        return np.ndarray, (self.array.shape, self.array.dtype.str, bytearray(self.array.tobytes()))


def save_book_pickle(wv: StoredVectors, path: str | os.PathLike) -> None:
    """Write ``wv`` as the book's ``ch04/train.py`` saves ``cbow_params.pkl``, atomically.

    The pickle holds a dict of plain objects, so the book's ``eval.py`` can load it:
    ``word_vecs`` (V, D) float16, ``word_to_id`` {str: int} and ``id_to_word`` {int: str}.
    """
    path = Path(path)
    check_finite(wv.vectors, path)
    if wv.vectors.size and np.abs(wv.vectors).max() > _FLOAT16_MAX:
        raise ModelFileError(f"{path}: values beyond ±{_FLOAT16_MAX:g} do not fit the book's float16")
    params = {
        "word_vecs": _PortableArray(wv.vectors.astype(np.float16)),
        "word_to_id": {word: i for i, word in enumerate(wv.index_to_key)},
        "id_to_word": dict(enumerate(wv.index_to_key)),
    }
    with atomic_write(path) as handle:
        pickle.dump(params, handle, protocol=4)  # Python >= 3.4 reads protocol 4
