"""The package build: setuptools as configured in pyproject.toml, plus the kernels' cache.

Once the sources are copied into the build folder, ``w2v.precompile`` runs on that copy, so the
wheel carries Numba's cache of the usual kernels and the first ``w2v train`` after
``pip install .`` loads them instead of compiling (see that module). Editable installs skip it
(their kernels compile on first use, into the source tree's cache), as does a build with
``W2V_NO_PRECOMPILE=1``; a precompile that fails only warns.
"""

import os
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithKernelCache(build_py):
    def run(self):
        super().run()
        if self.editable_mode or os.environ.get("W2V_NO_PRECOMPILE"):
            return
        # The build folder's copy, and Numba's cache beside it: not the builder's NUMBA_CACHE_DIR.
        # The build folder goes in front of PYTHONPATH, not in its place: pip's isolated build
        # environment (where numpy and numba are) reaches the child through it.
        env = {key: value for key, value in os.environ.items() if not key.startswith("NUMBA_")}
        paths = [os.path.abspath(self.build_lib), os.environ.get("PYTHONPATH")]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
        print("w2v: compiling the CPU kernels into the package (about 25 s on 2 cores)", file=sys.stderr, flush=True)
        if subprocess.run([sys.executable, "-m", "w2v.precompile"], env=env).returncode:
            print("w2v: warning: the kernels were not precompiled; they compile on the first run", file=sys.stderr)


setup(cmdclass={"build_py": BuildWithKernelCache})
