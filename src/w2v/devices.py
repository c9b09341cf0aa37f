"""What this machine offers a training run: CPU cores, which GPU support is usable (and why not), and
the MPI job this process is part of."""

from __future__ import annotations

import os
import sys
import time
from types import ModuleType

from .errors import ConfigError

ABORT_GRACE_SECONDS = 0.5  # between a failing rank's last line and MPI_Abort


def cuda_problem() -> str | None:
    """Why Numba's CUDA target cannot run here, or None when it can (or is simulated)."""
    try:
        from numba import cuda
    except ImportError:  # pragma: no cover - numba is a core dependency
        return "Numba's CUDA target is missing; install the gpu extra: pip install 'w2v[gpu]'"
    try:
        if cuda.is_available():
            return None
    except Exception as err:  # a broken driver or toolkit raises all kinds of errors
        return f"CUDA is not usable ({err})"
    return "no CUDA GPU was found (is the NVIDIA driver installed?); install the gpu extra on a GPU machine"


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def available_memory() -> int:
    """Bytes of memory a new allocation can have without swapping (Linux's MemAvailable)."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def gpu_problem(algorithm: str, *, simulated: bool = False) -> str | None:
    """Why ``algorithm`` ("fast" or "reference") cannot run on a GPU here, or None if it can.

    The reference algorithm needs CuPy, the fast one Numba's CUDA target; both need a device.
    Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1) counts as a device only if ``simulated``.
    """
    if algorithm == "reference":
        try:
            import cupy
        except ImportError:
            return "the reference engine on a GPU needs CuPy: pip install 'w2v[gpu]'"
        try:
            if cupy.cuda.runtime.getDeviceCount() > 0:
                return None
        except Exception as err:  # no driver, no device: CuPy raises its own runtime errors
            return f"CuPy finds no usable GPU ({err})"
        return "CuPy finds no GPU"
    from numba import config

    if config.ENABLE_CUDASIM and not simulated:
        return "Numba's CUDA simulator is on (NUMBA_ENABLE_CUDASIM): no real GPU"
    return cuda_problem()


def require_gpu(algorithm: str) -> None:
    """Refuse ``device="cuda"`` where ``algorithm`` cannot run on a GPU (a ConfigError saying why).

    Asked for by name, Numba's CUDA simulator will do (that is how CI runs the CUDA kernels).
    """
    problem = gpu_problem(algorithm, simulated=True)
    if problem:
        raise ConfigError(f"device='cuda': {problem}", options=("device",))


def cupy_module() -> ModuleType:
    """CuPy, or a ConfigError saying in one line why it cannot be used."""
    require_gpu("reference")
    import cupy

    return cupy


def mpi_job() -> tuple[int, int]:
    """(rank, size) of this process's MPI job; (0, 1) when MPI is not running (mpi4py never imported here)."""
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is None or not mpi.Is_initialized() or mpi.Is_finalized():
        return 0, 1
    return mpi.COMM_WORLD.Get_rank(), mpi.COMM_WORLD.Get_size()


def abort_job(code: int) -> None:
    """End every rank of this process's MPI job (a rank that fails must not leave the others waiting in a
    collective); nothing when it is the only process."""
    if mpi_job()[1] > 1:
        sys.stderr.flush()
        # mpiexec ends on the first Abort, sometimes before its proxies have passed on the line just printed
        # (seen under load: the job failed with an empty stderr); a moment lets them.
        time.sleep(ABORT_GRACE_SECONDS)
        sys.modules["mpi4py.MPI"].COMM_WORLD.Abort(code)
