"""Amounts of money as people type them: ``150000000``, ``150M``, ``150 m``, ``2.5bn``, ``€ 40k``,
``150_000_000`` or ``150,000,000``; for the budget of ``nsra strategy``, ``nsra report`` and the
strategy page."""

from __future__ import annotations

import math

_SUFFIXES = (("BN", 1e9), ("B", 1e9), ("M", 1e6), ("K", 1e3))


def parse_euros(text: str) -> float:
    """The amount in euros; ValueError in plain words when it is not one, or below 0."""
    cleaned = (
        text.replace("_", "").replace(",", "").replace(" ", "").replace("€", "").upper()
    ).removeprefix("EUR")
    factor = 1.0
    for suffix, f in _SUFFIXES:
        if cleaned.endswith(suffix):
            cleaned, factor = cleaned[: -len(suffix)], f
            break
    try:
        value = float(cleaned) * factor
    except ValueError:
        raise ValueError(
            f"{text!r} is not an amount in euros; write for example 150000000, 150M or 2.5bn"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"the budget must be 0 or more euros; found {text!r}")
    return value
