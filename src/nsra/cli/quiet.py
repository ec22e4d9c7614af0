"""Keep native solvers from writing to the command's standard output.

HiGHS (the MILP solver inside scipy) sometimes prints a debug line
(``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();``) straight to file
descriptor 1 from C++, whatever its display option says. The CLI's JSON and CSV go to standard
output, so that line would corrupt them; the commands that solve portfolios run the analysis
inside :func:`quiet_native_stdout`. (The server does not: there descriptor 1 carries the access
log of other requests, and a stray line in a log harms nothing.) :func:`quiet_native_stdout`
points descriptor 1 at the null device for the duration (child processes started meanwhile
inherit that), flushing C's buffers before and after so that nothing buffered leaks out later.
Python's own ``sys.stdout`` is flushed first and is not silenced for long: the solves are short.
Where this cannot be done (no descriptor 1, no C library found) it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
import threading
from collections.abc import Iterator

_LOCK = threading.Lock()


def _libc_flush() -> None:
    name = ctypes.util.find_library("c")
    if name is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).fflush(None)


@contextlib.contextmanager
def quiet_native_stdout() -> Iterator[None]:
    with _LOCK:
        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError, AttributeError):
            yield
            return
        try:
            _libc_flush()
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
            yield
        finally:
            _libc_flush()
            os.dup2(saved, 1)
            os.close(saved)
