"""BLAS on one thread for the analyses' small matrix products.

The SMAA driver multiplies blocks of 4,096 weight samples by the scenarios' values over K
criteria: K is a handful to a few dozen, far too small an inner dimension for BLAS threads to
pay. On 2 cores OpenBLAS's threads made SMAA at its default settings 2 to 3 times slower than
one thread (``benchmarks/README.md``): the threads are woken and synchronised for every
product. :func:`one_blas_thread` runs a function with BLAS limited to one thread (threadpoolctl,
for the whole process while it runs, then restored); parallel work uses the driver's executors
instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from threadpoolctl import threadpool_limits

P = ParamSpec("P")
R = TypeVar("R")


def one_blas_thread(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` run with BLAS on one thread (its products are small)."""

    @functools.wraps(func)
    def limited(*args: P.args, **kwargs: P.kwargs) -> R:
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return limited
