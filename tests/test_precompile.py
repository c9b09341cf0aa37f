"""Precompiling (what the package build does): a later run in another process compiles nothing."""

import os
import subprocess
import sys

# Trains from a text file and from sentences in memory, with each model on two workers, then
# prints how many w2v functions Numba compiled rather than loaded from its cache.
_RUN = """
import sys
from numba.core.registry import CPUDispatcher
import w2v
from w2v.corpus import corpus_from_sentences
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


def test_a_run_after_precompiling_compiles_no_kernel(tmp_path):
    cache = tmp_path / "numba"
    _python(["-m", "w2v.precompile"], cache)
    assert any(cache.rglob("*train_cbow_chunks*.nbi")) and any(cache.rglob("*train_skipgram_chunks*.nbi"))
    text = tmp_path / "other.txt"
    text.write_text("a different corpus with other words\nand longer lines than the precompiled one had\n" * 20)
    assert _python(["-c", _RUN, str(text)], cache).split() == ["none"]
