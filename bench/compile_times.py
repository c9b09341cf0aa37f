"""Where a first run's compile time goes: Numba's timers for each compiled function of w2v.

    W2V_DATA_DIR=../shared/data NUMBA_CACHE_DIR=$(mktemp -d) python bench/compile_times.py

Runs the README's first command (``w2v train ptb --epochs 10``) in this process and prints,
for each w2v function Numba compiled, the seconds spent holding the compiler lock (the whole
compile) and the LLVM lock (LLVM's share). With a warm cache the functions are loaded, not
compiled, and the times are near zero: point ``NUMBA_CACHE_DIR`` at an empty folder.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    from numba.core.registry import CPUDispatcher

    from w2v.cli import main as w2v_main

    output = Path(tempfile.mkdtemp()) / "ptb.npz"
    started = time.perf_counter()
    sys.argv = ["w2v", "train", "ptb", "-o", str(output), "--epochs", "10", "--quiet"]
    w2v_main()
    print(f"w2v train ptb: {time.perf_counter() - started:.1f} s in all\n")
    timed = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("w2v"):
            continue
        for attribute, value in vars(module).items():
            if isinstance(value, CPUDispatcher):
                for result in value.overloads.values():
                    timers = (result.metadata or {}).get("timers", {})
                    timed.add((timers.get("compiler_lock", 0.0), timers.get("llvm_lock", 0.0), f"{name}.{attribute}"))
    print("| function | compile s | of which LLVM s |")
    print("|---|---:|---:|")
    for compile_s, llvm_s, function in sorted(timed, reverse=True):
        if compile_s >= 0.05:
            print(f"| {function} | {compile_s:.2f} | {llvm_s:.2f} |")


if __name__ == "__main__":
    main()
