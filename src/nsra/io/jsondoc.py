"""Plain JSON data: the one type for a JSON object, and numbers made JSON-safe.

``Json`` is a JSON object as Python holds it (``dict[str, Any]``). Documents with a fixed shape
(results, analyses) have their own ``TypedDict`` in :mod:`nsra.io.contract`; ``Json`` is for
data whose shape is the caller's (request bodies, stored items, audit values).
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import numpy as np

Json: TypeAlias = dict[str, Any]
"""A JSON object."""


def num(x: Any) -> float | None:
    """A number as a JSON number, or None where it is not finite."""
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else v


def json_numbers(a: Any) -> Any:
    """A numpy array (or number) as nested lists of floats, None where not finite."""
    arr = np.asarray(a, dtype=float)
    out = arr.astype(object)
    out[~np.isfinite(arr)] = None
    return out.tolist()
