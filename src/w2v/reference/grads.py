"""Gradients of embedding matrices kept as the rows a batch touched, and gradient clipping."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Sequence

import numpy as np


class RowSparseGrad:
    """The gradient of a (V, D) matrix, stored as (row index, row gradient) pairs.

    A batch touches a few hundred of V rows, so zeroing and adding a dense (V, D) gradient
    per layer (what makes the book's code slow) is avoided. Rows may repeat until
    :meth:`coalesce` sums them.
    """

    def __init__(self, shape: tuple[int, int], xp: ModuleType, dtype: Any):
        self.shape = shape
        self.xp = xp
        self.dtype = dtype
        self._rows: list[Any] = []
        self._values: list[Any] = []
        self._coalesced = False

    def zero(self) -> None:
        self._rows.clear()
        self._values.clear()
        self._coalesced = False

    def add(self, rows: Any, values: Any) -> None:
        """Accumulate ``values[i]`` into row ``rows[i]``; rows : (n,) int, values : (n, D)."""
        self._rows.append(rows.reshape(-1))
        self._values.append(values.reshape(-1, self.shape[1]))
        self._coalesced = False

    def coalesce(self) -> tuple[Any, Any]:
        """Return (unique rows (u,) sorted, summed values (u, D)), summing repeated rows once."""
        xp = self.xp
        if not self._rows:
            return xp.zeros(0, dtype=xp.int64), xp.zeros((0, self.shape[1]), dtype=self.dtype)
        if not self._coalesced:
            rows = xp.concatenate(self._rows)
            values = xp.concatenate(self._values)
            unique_rows, sums = coalesce_rows(xp, rows, values)
            self._rows[:] = [unique_rows]
            self._values[:] = [sums]
            self._coalesced = True
        return self._rows[0], self._values[0]

    def to_dense(self) -> Any:
        """The (V, D) dense gradient."""
        rows, values = self.coalesce()
        dense = self.xp.zeros(self.shape, dtype=self.dtype)
        dense[rows] = values
        return dense


def clip_grads(grads: Sequence[Any], max_norm: float) -> float:
    """Scale all gradients together so their joint L2 norm is at most ``max_norm`` (the book's rule).

    Returns the norm before clipping.
    """
    values = [g.coalesce()[1] if isinstance(g, RowSparseGrad) else g for g in grads]
    total = sum(float((v * v).sum()) for v in values) ** 0.5
    rate = max_norm / (total + 1e-6)
    if rate < 1:
        for v in values:
            v *= rate
    return total


def coalesce_rows(xp: ModuleType, rows: Any, values: Any) -> tuple[Any, Any]:
    """Sum the value rows that share a row index.

    Parameters
    ----------
    rows : (n,) int
    values : (n, D) float

    Returns
    -------
    unique_rows : (u,) int, sorted
    sums : (u, D), same dtype as ``values``; ``sums[j]`` adds every ``values[i]`` with
        ``rows[i] == unique_rows[j]``.
    """
    unique_rows, inverse = xp.unique(rows, return_inverse=True)
    inverse = inverse.reshape(-1)
    n = inverse.size
    if xp is np:
        # A sparse one-hot product: much faster than np.add.at on (n, D) blocks.
        from scipy import sparse

        onehot = sparse.csr_matrix(
            (np.ones(n, dtype=values.dtype), (inverse, np.arange(n))), shape=(unique_rows.size, n)
        )
        return unique_rows, np.asarray(onehot @ values)
    import cupyx

    sums = xp.zeros((unique_rows.size,) + values.shape[1:], dtype=values.dtype)
    cupyx.scatter_add(sums, inverse, values)
    return unique_rows, sums
