"""Compiled kernels: a typed wrapper around numba's ``njit``.

The loops that stay compiled (tokenising and term ids, :mod:`crawler.dedup.kernels.tokenize`;
an article's word table and pair statistics, :mod:`crawler.dedup.kernels.pair`) are plain
Python functions over numpy arrays, compiled to machine code on first call and cached on
disk (``__pycache__`` beside the module, or numba's user-wide cache where that is not
writable; ``NUMBA_CACHE_DIR`` overrides), so a later process loads them in milliseconds.

numba's own ``NUMBA_DISABLE_JIT=1`` runs them as plain Python (slow: for debugging a kernel
with pdb or coverage, and as an oracle in the tests; never for production).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., object])


def kernel(fn: F) -> F:
    """Compile ``fn`` with numba on first call (nopython mode, cached on disk, GIL
    released)."""
    return cast(F, numba.njit(cache=True, nogil=True)(fn))
