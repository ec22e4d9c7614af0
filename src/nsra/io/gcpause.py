"""Pause the cyclic garbage collector while building large trees of plain objects.

Reading a big file or building a big result creates millions of small dicts and lists, none of
them in reference cycles. The collector's repeated full passes over them made such work grow
faster than linearly (measured: 1.5 s instead of 0.4 s for 10,000 scenarios). Reference counting
still frees everything; the collector runs again afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block (nesting-safe)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
