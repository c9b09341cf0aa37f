"""The README's first command on a fresh install: how long the first and second ``w2v train ptb`` take.

    W2V_DATA_DIR=../shared/data python bench/first_run.py

Makes a new virtual environment in a temporary folder, ``pip install .`` into it (pip builds
the wheel, which precompiles the kernels: see setup.py), then times ``w2v train ptb -o
ptb.npz --epochs 10`` twice as whole processes, and says whether either compiled a kernel
(the stderr notice). Needs the package index, or pip's cache, for the dependencies.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        venv = Path(folder) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        started = time.perf_counter()
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(ROOT)], check=True)
        print(f"pip install .: {time.perf_counter() - started:.1f} s")
        command = [str(venv / "bin" / "w2v"), "train", "ptb", "-o", str(Path(folder) / "ptb.npz"), "--epochs", "10"]
        for run in ("first", "second"):
            started = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=folder)
            seconds = time.perf_counter() - started
            compiled = "compiled kernels" if "compiling the kernels" in result.stderr else "no compile"
            print(f"{run} w2v train ptb --epochs 10: {seconds:.1f} s ({compiled})")


if __name__ == "__main__":
    main()
