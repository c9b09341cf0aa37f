"""Numba plumbing shared by every compiled module: the kernel cache and borrowed array views."""
