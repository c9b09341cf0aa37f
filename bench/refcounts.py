"""Reference counting left in the compiled kernels: calls to NRT_incref / NRT_decref in their optimised LLVM IR.

Numba counts a reference whenever compiled code binds an array to another name, such as a
helper's argument; in a loop, that is an atomic increment and decrement per array per
iteration (see ``w2v._numba.borrowed``). This compiles the CPU kernels and the tokenizer into a
fresh, temporary Numba cache (about 15 s) and counts the calls in each function's IR: the
increments of the entry block run once a call, those of any other block may run in the loops.

    python bench/refcounts.py
    PYTHONPATH=/tmp/w2v-old/src python bench/refcounts.py   # another checkout
"""

from __future__ import annotations

import os
import re
import tempfile

os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="w2v-refcounts-")  # before Numba is imported: compile afresh

from w2v.fast import _cpu_kernels  # noqa: E402
from w2v.precompile import compile_kernels  # noqa: E402
from w2v.text import _tokenizer  # noqa: E402

_CALL = re.compile(r"call void @(NRT_incref|NRT_decref)\(")


def function_ir(dispatcher) -> list[str]:
    """The optimised IR of each compiled overload of ``dispatcher``'s own function."""
    bodies = []
    for result in dispatcher.overloads.values():
        module = result.library.get_llvm_str()
        name = re.escape(result.fndesc.llvm_func_name)
        match = re.search(r"define[^\n]*@\"?" + name + r"\"?\(.*?\n}\n", module, re.S)
        bodies.append(match.group(0) if match else "")
    return bodies


def count_calls(body: str) -> tuple[int, int, int]:
    """(increments in the entry block, increments in any other block, decrements anywhere).

    An increment outside the entry block is one the loops may run; decrements follow
    increments, plus one for each array the function allocates or receives.
    """
    entry, other, decrements = 0, 0, 0
    for block in re.split(r"\n(?=[\w.$\"-]+:)", body):
        calls = _CALL.findall(block)
        increments = calls.count("NRT_incref")
        if block.startswith(("define", "entry:")):
            entry += increments
        else:
            other += increments
        decrements += calls.count("NRT_decref")
    return entry, other, decrements


def main() -> None:
    compile_kernels()
    rows = [("train_cbow_chunks", _cpu_kernels.train_cbow_chunks),
            ("train_skipgram_chunks", _cpu_kernels.train_skipgram_chunks),
            ("encode_bytes", _tokenizer.encode_bytes)]
    print("| function | overloads | increments in the entry block | increments elsewhere | decrements |")
    print("|---|---:|---:|---:|---:|")
    for name, dispatcher in rows:
        totals = [sum(values) for values in zip(*(count_calls(body) for body in function_ir(dispatcher)))]
        print(f"| {name} | {len(dispatcher.overloads)} | {totals[0]} | {totals[1]} | {totals[2]} |")


if __name__ == "__main__":
    main()
