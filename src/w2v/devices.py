"""What GPU support is usable here, and why not."""

from __future__ import annotations

from types import ModuleType

from .errors import ConfigError


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


def gpu_problem(engine: str, *, simulated: bool = False) -> str | None:
    """Why ``engine`` cannot run on a GPU here, or None if it can.

    The reference engine needs CuPy, the fast engine Numba's CUDA target; both need a device.
    Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1) counts as a device only if ``simulated``.
    """
    if engine == "reference":
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


def cupy_module() -> ModuleType:
    """CuPy, or a ConfigError saying in one line why it cannot be used."""
    problem = gpu_problem("reference")
    if problem:
        raise ConfigError(f"--device cuda: {problem}")
    import cupy

    return cupy
