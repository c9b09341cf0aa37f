"""Files written safely and read carefully: one output-path policy for every writer.

- :func:`check_output` refuses, before any long work, a path that cannot be written as a
  regular file (a folder, a device, a FIFO, a missing or read-only folder) or that is an
  input of the same run (the corpus, the model being read) or another output of it.
- :func:`atomic_write` writes a temporary file beside the target and renames it over the
  target: an interrupted or failed write leaves the old file intact. Replacing a file keeps
  its permissions, and a symbolic link stays a link (the file it points to is replaced).
- :func:`staged_folder` does the same for a folder (``w2v prepare``'s): it is built under a
  hidden name and replaces the old one only when complete.
- Temporary files and folders are named ``.NAME.w2v-PID-RANDOM.KIND``; one whose process has
  ended (killed mid-save) is removed by the next write of the same name.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import numpy as np

from ..errors import ModelFileError, OutputError

_MARK = ".w2v-"
_ASIDE = "old"  # the kind of a replaced folder's temporary name
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def staging_name(name: str, kind: str = "tmp") -> str:
    """A hidden temporary name beside ``name`` that :func:`remove_stale_temporaries` recognises."""
    return f".{name}{_MARK}{os.getpid()}-{secrets.token_hex(4)}.{kind}"


def remove_stale_temporaries(path: str | os.PathLike) -> None:
    """Remove temporaries of ``path`` left by w2v processes that no longer run.

    A folder :func:`replace_folder` had moved aside when its process was killed, before the
    new one took its place, is put back instead: it is the user's last complete output.
    """
    path = Path(path)
    prefix = f".{path.name}{_MARK}"
    try:
        entries = [e for e in os.scandir(path.parent) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            if entry.name.endswith(f".{_ASIDE}") and not os.path.lexists(path):
                os.replace(entry.path, path)
            elif entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                Path(entry.path).unlink(missing_ok=True)


@contextmanager
def work_folder(target: str | os.PathLike, kind: str = "tmp") -> Iterator[Path]:
    """A new hidden folder beside ``target`` for the files a command writes on its way to
    ``target``; removed afterwards, however the block ends.

    Running out of room in it (a full disk, a quota, a file too large) is an
    :class:`~w2v.errors.OutputError` that names ``target`` and says what ran out.
    """
    target = Path(target)
    remove_stale_temporaries(target)
    folder = target.with_name(staging_name(target.name, kind))
    try:
        folder.mkdir()
        yield folder
    except OSError as err:
        if err.errno not in _NO_ROOM:
            raise
        state = "it is unchanged" if target.exists() else "nothing was written"
        raise OutputError(f"{target}: could not be written in {target.parent} ({err.strerror}); {state}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def staged_folder(target: str | os.PathLike) -> Iterator[Path]:
    """A :func:`work_folder` that replaces the folder ``target`` once the block completes
    (:func:`replace_folder`); until then ``target`` is as it was."""
    with work_folder(target) as staging:
        yield staging
        replace_folder(staging, Path(target))


def replace_folder(complete: Path, target: Path) -> None:
    """Rename the folder ``complete`` to ``target``, replacing a folder there.

    The old folder is moved aside, the new one renamed into place, and only then is the old
    one removed; a process killed between the renames leaves the old one aside, and the next
    :func:`remove_stale_temporaries` of ``target`` puts it back.
    """
    if not target.exists():
        os.replace(complete, target)
        return
    aside = target.with_name(staging_name(target.name, _ASIDE))
    os.replace(target, aside)
    os.replace(complete, target)
    shutil.rmtree(aside, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to another user
        return True
    return True


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def check_output(path: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = (),
                 outputs: Iterable[str | os.PathLike] = ()) -> Path:
    """``path`` as a Path if it can be written as a regular file and is none of ``inputs`` or ``outputs``.

    Raises :class:`~w2v.errors.OutputError` saying why not. ``inputs`` are the files this
    run reads; ``outputs`` are the run's other outputs.
    """
    path = Path(path)
    target = path.resolve()
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise OutputError(f"{path}: cannot be written ({err.strerror})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise OutputError(f"{path}: is {kind}; w2v writes only regular files")
    if not target.parent.is_dir():
        raise OutputError(f"{path}: the folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK):
        raise OutputError(f"{path}: the folder {target.parent} is not writable")
    for other in outputs:
        if Path(other).resolve() == target:
            raise OutputError(f"{path}: is also another output of this run; give each output its own name")
    if info is None:
        return path
    for source in inputs:
        if str(source) == "-":
            continue
        try:
            source_info = os.stat(source)
        except OSError:
            continue
        if _same_file(source_info, info):
            raise OutputError(f"{path}: is an input of this run; writing it would destroy that input")
    return path


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``'s target; on success rename it over the target.

    An interrupted or failed write leaves the target as it was (or absent) and no temporary
    file behind; a full disk or other failure is an :class:`~w2v.errors.OutputError` naming ``path``.
    """
    path = check_output(path)
    target = path.resolve()  # a symlink stays a link: the file it points to is replaced
    remove_stale_temporaries(target)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}{_MARK}{os.getpid()}-",
                                        suffix=".tmp")
    except OSError as err:
        raise OutputError(f"{path}: cannot write in {target.parent} ({err.strerror})") from None
    try:
        old_mode = os.stat(target).st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, old_mode)
        os.replace(tmp_name, target)
    except OSError as err:
        Path(tmp_name).unlink(missing_ok=True)
        raise OutputError(f"{path}: could not be written ({err.strerror or err}); it is unchanged") from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_readable(path: str | os.PathLike) -> Path:
    """``path`` as a Path if it names an existing regular file, else :class:`ModelFileError`
    (a device such as ``/dev/zero`` would be read without end)."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory, not a vectors file")
    if not path.is_file():
        raise ModelFileError(f"{path}: is not a regular file (a device, FIFO or socket); w2v reads models from files")
    return path


def check_finite(vectors: np.ndarray, path: Any, block: int = 1 << 16) -> None:
    """Raise ModelFileError if any value is NaN or infinite, naming the first bad row.

    ``block`` rows are checked at a time, so a memory-mapped matrix is never copied whole.
    """
    for start in range(0, len(vectors), block):
        bad = ~np.isfinite(vectors[start : start + block]).all(axis=1)
        if bad.any():
            raise ModelFileError(f"{path}: vector {start + int(np.argmax(bad))} holds NaN or infinite values")
