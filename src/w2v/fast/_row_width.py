"""The length of the CPU kernels' rows as a compile-time constant: ``RowWidth(104)``.

Passed to a kernel, a ``RowWidth`` is a type, not a value: Numba compiles (and caches) the
kernel once per width, and every loop over a row has a constant trip count, so LLVM unrolls
it completely (a 104-float row becomes thirteen 8-float vector operations); with the width
read from the array at run time it ran a vector loop plus a remainder loop for every row
(``bench/worker_costs.py`` under both checkouts compares them). Inside a kernel,
``row_length(matrix, width)`` gives the number: ``width``'s for a ``RowWidth`` (a constant),
the integer itself for an integer, and ``matrix.shape[1]`` for None.
"""

from __future__ import annotations

from numba import types
from numba.extending import NativeValue, models, overload, register_model, typeof_impl, unbox


class RowWidth:
    """Floats per row of the matrices a kernel call trains, fixed when the kernel compiles."""

    __slots__ = ("floats",)

    def __init__(self, floats: int):
        self.floats = int(floats)


class RowWidthType(types.Type):
    """Numba's type of a ``RowWidth``: one type per width, so one compiled kernel per width."""

    def __init__(self, floats: int):
        self.floats = floats
        super().__init__(name=f"RowWidth({floats})")


@typeof_impl.register(RowWidth)
def _typeof_row_width(value: RowWidth, context) -> RowWidthType:
    return RowWidthType(value.floats)


register_model(RowWidthType)(models.OpaqueModel)  # nothing is passed at run time: the type holds the width


@unbox(RowWidthType)
def _unbox_row_width(typ, obj, c):
    return NativeValue(c.context.get_dummy_value())


def row_length(matrix, width):
    """Floats per row: ``width``'s (a ``RowWidth`` or an integer), or ``matrix.shape[1]`` for None."""
    if width is None:
        return matrix.shape[1]
    return width.floats if isinstance(width, RowWidth) else width


@overload(row_length, inline="always")
def _row_length(matrix, width):
    if isinstance(width, RowWidthType):
        floats = width.floats
        return lambda matrix, width: floats  # a constant of the compiled code
    if isinstance(width, types.Integer):
        return lambda matrix, width: width
    if width is None or isinstance(width, (types.NoneType, types.Omitted)):
        return lambda matrix, width: matrix.shape[1]
    return None
