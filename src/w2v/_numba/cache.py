"""Where Numba caches the compiled kernels, decided before any kernel is defined.

Numba's ``cache=True`` writes beside the source (``__pycache__``) or in the user's cache folder
(``~/.cache/numba``); for a user who can write neither (a package installed by root, a shared
environment, a container's user without a home) it raises at import, even for ``--help``.
Here the usual places are used when they are writable (or ``NUMBA_CACHE_DIR`` when set);
otherwise a private folder in the temporary directory; otherwise no cache (the kernels then
compile on every run). Either fallback says so in one line on stderr.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from numba import config
from numba.misc import appdirs

_KERNEL_FOLDERS = ("text", "fast", "reference")  # where the package's cached kernels live


def _writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (made if missing), as Numba will try."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _private_folder() -> Path | None:
    """``$TMPDIR/w2v-numba-UID``, made with mode 700 and checked to be this user's own, or None."""
    folder = Path(tempfile.gettempdir()) / f"w2v-numba-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        return None  # someone else's, or writable by others: not safe to load code from
    return folder if _writable(folder) else None


def use_cache() -> bool:
    """Make sure Numba has a writable cache folder; False if there is none (compile every run)."""
    if config.CACHE_DIR:
        if _writable(Path(config.CACHE_DIR)):
            return True
    else:
        package = Path(__file__).parent.parent
        in_tree = all(_writable(package / sub / "__pycache__") for sub in _KERNEL_FOLDERS)
        if in_tree or _writable(Path(appdirs.user_cache_dir(appname="numba", appauthor=False))):
            return True
    folder = _private_folder()
    if folder is not None:
        config.CACHE_DIR = str(folder)
        _note(f"cannot cache the compiled kernels beside the package or in your cache folder; caching them in {folder}")
        return True
    _note("no writable folder for the compiled kernels' cache: they compile on every run")
    return False


def _note(message: str) -> None:
    print(f"w2v: note: {message}", file=sys.stderr)


CACHE = use_cache()
