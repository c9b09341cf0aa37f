"""``borrowed(*arrays)``: the same arrays, without reference counts, for a kernel's inner loops.

Numba counts references to an array whenever compiled code binds it to another name, and the
kernels' helpers are inlined into them (``inline="always"``), so every helper call in a
loop binds its array arguments again: an atomic increment and decrement of the array's
count per array per call, which LLVM's reference-count pruning cannot remove across the
helpers' loops. Two workers' threads training the same W_in and W_out then also fight over
the one cache line holding each matrix's count. An array whose memory-info pointer is null
is not counted (Numba's increment and decrement skip a null pointer), so the kernels work on
borrowed views: of the arrays they are given, which the caller's references keep alive for
the whole call, and of their own scratch arrays, kept alive by a ``keep_alive`` call at the
end. A borrowed view never outlives the call (it is never returned or stored). What that
saves per example is measured by ``bench/worker_costs.py`` (``bench/RESULTS.md``).
"""

from __future__ import annotations

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _borrowed_view(context, builder, array_type, value):
    """The array struct ``value`` with its memory-info and parent pointers null."""
    source = context.make_array(array_type)(context, builder, value)
    view = context.make_array(array_type)(context, builder)
    for field in ("nitems", "itemsize", "data", "shape", "strides"):
        setattr(view, field, getattr(source, field))
    view.meminfo = cgutils.get_null_value(view.meminfo.type)
    view.parent = cgutils.get_null_value(view.parent.type)
    return view._getvalue()


@intrinsic
def borrowed(typingctx, *arrays):
    """Each of ``arrays`` (Numba arrays) with no memory-info pointer: the same data, shape and
    strides, not reference counted; the view itself for one array, a tuple of views for several.
    Only for arrays that something else keeps alive while the views are used."""
    if not arrays or not all(isinstance(array, types.Array) for array in arrays):
        return None

    def codegen(context, builder, signature, args):
        views = [_borrowed_view(context, builder, array_type, value)
                 for array_type, value in zip(arrays, cgutils.unpack_tuple(builder, args[0]))]
        return views[0] if len(views) == 1 else context.make_tuple(builder, signature.return_type, views)

    result = arrays[0] if len(arrays) == 1 else types.Tuple(arrays)
    return result(types.StarArgTuple.from_types(arrays)), codegen


@intrinsic
def keep_alive(typingctx, value):
    """A use of ``value`` that does nothing: the arrays it holds are not freed before this point,
    so borrowed views of them stay valid until here."""

    def codegen(context, builder, signature, args):
        return context.get_dummy_value()

    return types.void(value), codegen
