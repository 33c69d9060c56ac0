"""Compiled kernels: a typed wrapper around numba's ``njit``.

The loops that stay compiled (tokenising and term ids, :mod:`crawler.dedup.kernels.tokenize`;
an article's word table and pair statistics, :mod:`crawler.dedup.kernels.pair`) are plain
Python functions over numpy arrays, compiled to machine code on first call and cached on
disk (``__pycache__`` beside the module, or numba's user-wide cache where that is not
writable; ``NUMBA_CACHE_DIR`` overrides), so a later process loads them in milliseconds.

What makes a first compilation slow, measured with numba's compile events
(``python -m bench.first_run_bench``): each specialisation of a kernel is compiled again,
so the kernels are called with one layout per array (whole arrays, not slices or rows of a
2-d array) and with typed integers (:data:`i64`), not literals, which numba would
otherwise compile a version of first; and an array slice assigned from another array
brings in numba's error message for a shape mismatch (2-4 s of string formatting to
compile), so such copies are loops.

numba's own ``NUMBA_DISABLE_JIT=1`` runs them as plain Python (slow: for debugging a kernel
with pdb or coverage, and as an oracle in the tests; never for production).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., object])

i64 = cast(Callable[[int], int], np.int64)
"""``np.int64`` as the type checker should see it in a kernel: ``i64(0)`` is a typed
integer to numba, not a literal (a literal argument gets a version of its own compiled)."""


def kernel(fn: F) -> F:
    """Compile ``fn`` with numba on first call (nopython mode, cached on disk, GIL
    released, numpy's error model: no division in the kernels can have a zero divisor,
    and without the ``ZeroDivisionError`` checks there is less to compile)."""
    return cast(F, numba.njit(cache=True, nogil=True, error_model="numpy")(fn))
