"""How a golden file is compared with what nsra writes: field by field, with a readable diff.

Numbers agree within a relative 1e-9 (no absolute tolerance: an expected 0 must be 0);
``True`` is not ``1``; ``null`` is not ``0``; everything else must be equal. Each difference is
one line naming where it is (``$.scenarios[3].risk``) and both values.

Whole documents (regression files) are compared both ways: a field missing from the output and
a field the golden file does not have are both differences. Expected values of a hand-checked
case are compared as a *subset*: every field the case names must be in the output with its
value; fields it does not name are not looked at.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from nsra.io.jsondoc import Json

RTOL = 1e-9


def stable(doc: Json) -> Json:
    """The document without the fields that change between machines and versions."""
    out = copy.deepcopy(doc)
    out.pop("nsra_version", None)
    assessment = out.get("assessment")
    if isinstance(assessment, dict):
        assessment.pop("source", None)
    return out


def differences(expected: Any, got: Any, path: str = "$", subset: bool = False) -> list[str]:
    """Where ``got`` differs from ``expected`` (numbers within a relative :data:`RTOL`).

    ``subset``: only the fields of ``expected`` count; ``got`` may have more.
    """
    number = (int, float)
    if isinstance(expected, bool) or isinstance(got, bool):
        return [] if expected is got else [f"{path}: {got!r}, expected {expected!r}"]
    if isinstance(expected, number) and isinstance(got, number):
        if math.isclose(expected, got, rel_tol=RTOL, abs_tol=0.0):
            return []
        return [f"{path}: {got!r}, expected {expected!r}"]
    if isinstance(expected, dict) and isinstance(got, dict):
        out = [f"{path}.{k}: missing" for k in expected if k not in got]
        if not subset:
            out += [f"{path}.{k}: not in the golden file" for k in got if k not in expected]
        for k in expected:
            if k in got:
                out += differences(expected[k], got[k], f"{path}.{k}", subset)
        return out
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return [f"{path}: {len(got)} items, expected {len(expected)}"]
        out = []
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            out += differences(e, g, f"{path}[{i}]", subset)
        return out
    return [] if expected == got else [f"{path}: {got!r}, expected {expected!r}"]


def report(diff: list[str], first: int = 20) -> str:
    """The message of a failed comparison: how many differences, and the first ones."""
    more = f"\n... and {len(diff) - first} more" if len(diff) > first else ""
    return f"{len(diff)} differences:\n" + "\n".join(diff[:first]) + more
