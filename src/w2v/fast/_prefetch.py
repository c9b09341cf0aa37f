"""A software prefetch for the CPU kernels: ``prefetch(M, i, k)`` asks for the cache line of
``M[i, k]``, ``prefetch_item(v, i)`` for that of ``v[i]``.

The kernels know which rows the next centre word will touch (its noise words are drawn a
position ahead), and which noise-table entries the one after it will read, long before they
read them; a random row of a large vocabulary, or a random entry of the 4 MB table, is a
cache miss, and the hint lets the load overlap the current word's arithmetic. It is LLVM's
``llvm.prefetch`` (read, keep in all cache levels), which compiles to ``prefetcht0`` on x86
and to ``prfm pldl1keep`` on ARM; it never faults, so any address may be hinted.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_READ, _KEEP_IN_ALL_CACHES, _DATA = 0, 3, 1


def _hint(context, builder, array_type, array_value, index_types, index_values):
    """Emit ``llvm.prefetch`` for the address of ``array[indices]``."""
    array = context.make_array(array_type)(context, builder, array_value)
    indices = [context.cast(builder, value, kind, types.intp) for value, kind in zip(index_values, index_types)]
    address = cgutils.get_item_pointer(context, builder, array_type, array, indices, wraparound=False)
    byte_pointer = ir.IntType(8).as_pointer()
    i32 = ir.IntType(32)
    hint = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]), "llvm.prefetch.p0")
    builder.call(hint, [builder.bitcast(address, byte_pointer), i32(_READ), i32(_KEEP_IN_ALL_CACHES), i32(_DATA)])


@intrinsic
def prefetch(typingctx, matrix, row, column):
    """Hint that ``matrix[row, column]`` (a 2-D array, integer indices) will be read soon."""
    if not (isinstance(matrix, types.Array) and matrix.ndim == 2
            and isinstance(row, types.Integer) and isinstance(column, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        _hint(context, builder, signature.args[0], args[0], signature.args[1:], args[1:])
        return context.get_dummy_value()

    return types.void(matrix, row, column), codegen


@intrinsic
def prefetch_item(typingctx, vector, index):
    """Hint that ``vector[index]`` (a 1-D array, an integer index) will be read soon."""
    if not (isinstance(vector, types.Array) and vector.ndim == 1 and isinstance(index, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        _hint(context, builder, signature.args[0], args[0], signature.args[1:], args[1:])
        return context.get_dummy_value()

    return types.void(vector, index), codegen
