"""Compiled kernels: a typed wrapper around numba's ``njit``.

The dedup engine's per-token and per-pair loops (tokenising, MinHash, pair statistics,
index probes) run as numba kernels: plain Python functions over numpy arrays, compiled
to machine code on first call and cached on disk (``__pycache__`` beside the module, or
numba's user-wide cache where that is not writable; ``NUMBA_CACHE_DIR`` overrides), so
a later process loads them in milliseconds.

``NEWSDEDUP_JIT=0`` runs the same functions as plain Python (slow: for debugging a kernel
with pdb or coverage, never for production).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar, cast

F = TypeVar("F", bound=Callable[..., object])

ENABLED = os.environ.get("NEWSDEDUP_JIT", "1").strip() != "0"


def kernel(fn: F) -> F:
    """Compile ``fn`` with numba (nopython mode, cached on disk, GIL released)."""
    if not ENABLED:
        return fn
    import numba  # imported here: a process that never dedups never loads LLVM

    return cast(F, numba.njit(cache=True, nogil=True)(fn))
