"""Precompiling (what the package build does): a later run in another process compiles nothing."""

import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

# Trains from a text file and from sentences in memory, with each model on two workers, then
# prints how many w2v functions Numba compiled rather than loaded from its cache.
_RUN = """
import sys
from numba.core.registry import CPUDispatcher
import w2v
from w2v.text.corpus import corpus_from_sentences
words = [f"v{i}" for i in range(30)]
for model in ("cbow", "skipgram"):
    w2v.train(sys.argv[1], model=model, epochs=1, workers=2, min_count=1, window=3)
    w2v.train(corpus_from_sentences([words, words[::-1]]), model=model, epochs=1, workers=2, negative=3)
compiled = sorted(f"{name}.{attribute}" for name, module in list(sys.modules.items()) if name.startswith("w2v")
                  for attribute, value in vars(module).items()
                  if isinstance(value, CPUDispatcher) and sum(value.stats.cache_misses.values()))
print(" ".join(compiled) or "none")
"""


def _python(arguments, cache):
    env = {key: value for key, value in os.environ.items() if not key.startswith("NUMBA_")}
    env["NUMBA_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, *arguments], env=env, capture_output=True, text=True, check=True,
                          timeout=600).stdout


@pytest.mark.slow
def test_a_run_after_precompiling_compiles_no_kernel(tmp_path):
    cache = tmp_path / "numba"
    _python(["-m", "w2v.precompile"], cache)
    assert any(cache.rglob("*train_cbow_chunks*.nbi")) and any(cache.rglob("*train_skipgram_chunks*.nbi"))
    text = tmp_path / "other.txt"
    text.write_text("a different corpus with other words\nand longer lines than the precompiled one had\n" * 20)
    assert _python(["-c", _RUN, str(text)], cache).split() == ["none"]


@pytest.mark.slow
def test_a_wheel_built_as_pip_install_builds_it_carries_the_kernels(tmp_path):
    """The build hook's child must see pip's isolated build environment (numpy, numba there): a
    fresh virtual environment's own pip, in a copy of the sources with no build folder left over."""
    root = Path(__file__).resolve().parent.parent
    source = tmp_path / "source"
    shutil.copytree(root / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(root / name, source / name)
    venv.create(tmp_path / "venv", with_pip=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NUMBA_", "PYTHON"))}
    subprocess.run([str(tmp_path / "venv" / "bin" / "pip"), "wheel", "--quiet", "--no-deps", "-w",
                    str(tmp_path / "wheel"), str(source)], env=env, check=True, timeout=900)
    (wheel,) = (tmp_path / "wheel").glob("w2v-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for kernel in ("train_cbow_chunks", "train_skipgram_chunks"):
        assert any(re.fullmatch(rf"w2v/fast/__pycache__/_cpu_kernels\.{kernel}-\d+\.py\d+\.nbi", n) for n in names)
    for page in ("index.html", "app.js", "style.css"):  # w2v serve's explorer, served from the package
        assert f"w2v/vectors/static/{page}" in names
