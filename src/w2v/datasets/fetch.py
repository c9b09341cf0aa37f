"""Find a data file offline (``W2V_DATA_DIR``), in the cache, or download it with a checksum.

Look-up order for a file known as ``ptb/ptb.train.txt``:

1. ``$W2V_DATA_DIR/ptb/ptb.train.txt`` (for machines without internet);
2. ``$W2V_CACHE_DIR/ptb/ptb.train.txt``, by default ``~/.cache/w2v/...`` (``$XDG_CACHE_HOME``);
3. a download from the public source into the cache.

Every file is checked against its sha256 before use.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError

DOWNLOAD_TIMEOUT_S = 60


@dataclass(frozen=True)
class RemoteFile:
    """A public data file: where it lives in the data folder, where to get it, its checksum."""

    relpath: str
    url: str
    sha256: str


def cache_dir() -> Path:
    """The folder downloads go to: ``$W2V_CACHE_DIR``, else ``$XDG_CACHE_HOME/w2v`` or ``~/.cache/w2v``."""
    if os.environ.get("W2V_CACHE_DIR"):
        return Path(os.environ["W2V_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "w2v"


def locate(remote: RemoteFile) -> Path:
    """Return a verified local path for ``remote``, downloading it if needed."""
    data_dir = os.environ.get("W2V_DATA_DIR")
    if data_dir:
        candidate = Path(data_dir) / remote.relpath
        if candidate.is_file():
            _verify(candidate, remote, hint="replace it with the original file")
            return candidate
    cached = cache_dir() / remote.relpath
    if cached.is_file():
        _verify(cached, remote, hint="delete it to download it again")
        return cached
    return _download(remote, cached, looked_in=data_dir)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, remote: RemoteFile, hint: str) -> None:
    actual = sha256_of(path)
    if actual != remote.sha256:
        raise DataError(
            f"{path}: checksum mismatch (sha256 {actual[:12]}..., expected {remote.sha256[:12]}...); {hint}"
        )


def _download(remote: RemoteFile, target: Path, looked_in: str | None) -> Path:
    where = f"$W2V_DATA_DIR/{remote.relpath} ({looked_in}) or " if looked_in else ""
    advice = (
        f"download {remote.url} by hand into {target}, or set W2V_DATA_DIR to a folder "
        f"holding {remote.relpath}"
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    except OSError as err:
        raise DataError(f"cannot write the cache folder {target.parent} ({err.strerror}); {advice}") from None
    tmp = Path(tmp_name)
    import urllib.request  # imported when used: with http and email it adds to every run's memory

    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(remote.url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                out.write(block)
        actual = sha256_of(tmp)
        if actual != remote.sha256:
            raise DataError(
                f"downloaded {remote.url} but its sha256 is {actual[:12]}..., expected "
                f"{remote.sha256[:12]}...; the source may have changed: {advice}"
            )
        os.replace(tmp, target)
        return target
    except (OSError, ValueError) as err:  # urllib's URLError is an OSError
        reason = getattr(err, "reason", None) or err
        raise DataError(f"{remote.relpath} not found in {where}the cache, and downloading it failed ({reason}); "
                        f"{advice}") from None
    finally:
        tmp.unlink(missing_ok=True)
