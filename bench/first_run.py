"""The README's first command on a fresh install: how long the first and second ``w2v train ptb`` take.

    W2V_DATA_DIR=../shared/data python bench/first_run.py

Makes a new virtual environment in a temporary folder and, with that environment's own pip,
installs a copy of the sources (no build folder left over from an earlier build: a stale one
once hid a failing precompile); pip builds the wheel, which precompiles the kernels (see
setup.py). Then times ``w2v train ptb -o ptb.npz --epochs 10`` twice as whole processes, with
the training seconds each reports, and says whether either compiled a kernel (the stderr
notice). Needs the package index, or pip's cache, for the dependencies. The build's own
share: ``time pip wheel . --no-deps -w DIR`` with and without ``W2V_NO_PRECOMPILE=1``. It also
counts the kernels' cache files the install holds: a build whose precompile failed only
warns, inside pip's quiet output.
"""

from __future__ import annotations

import re
import shutil
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
        source = Path(folder) / "source"
        shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        for name in ("pyproject.toml", "setup.py", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(source)], check=True)
        seconds = time.perf_counter() - started
        shipped = len(list(Path(folder).glob("venv/lib/python*/site-packages/w2v/fast/__pycache__/*_chunks-*.nbi")))
        print(f"pip install: {seconds:.1f} s, {shipped} of 2 precompiled kernels in the package")
        command = [str(venv / "bin" / "w2v"), "train", "ptb", "-o", str(Path(folder) / "ptb.npz"), "--epochs", "10"]
        for run in ("first", "second"):
            started = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=folder)
            seconds = time.perf_counter() - started
            compiled = "compiled kernels" if "compiling the kernels" in result.stderr else "no compile"
            training = re.search(r"epochs in ([0-9.]+) s", result.stdout)
            print(f"{run} w2v train ptb --epochs 10: {seconds:.1f} s, training {training.group(1)} s ({compiled})")


if __name__ == "__main__":
    main()
