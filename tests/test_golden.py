"""Golden results: ``nsra compute EXAMPLE --format json`` for every example in examples/.

Each example has a golden file ``tests/golden/<example>.json``: the JSON result without the
volatile fields ``nsra_version`` and ``assessment.source``. Numbers are compared with a relative
tolerance of 1e-9; everything else exactly.

To regenerate the golden files after an intended change of the results (and review the diff!):

    NSRA_REGEN_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_golden.py

A new example without a golden file fails until the golden file is generated this way.
"""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLES, GOLDEN_DIR, ROOT, compute_json

REGEN = os.environ.get("NSRA_REGEN_GOLDEN") == "1"
RTOL = 1e-9


def stable(doc: dict[str, Any]) -> dict[str, Any]:
    """The result without the fields that change between machines and versions."""
    out = copy.deepcopy(doc)
    out.pop("nsra_version", None)
    out.get("assessment", {}).pop("source", None)
    return out


def differences(expected: Any, got: Any, path: str = "$") -> list[str]:
    """Where ``got`` differs from ``expected`` (numbers within a relative 1e-9)."""
    number = (int, float)
    if isinstance(expected, bool) or isinstance(got, bool):
        return [] if expected is got else [f"{path}: {got!r}, expected {expected!r}"]
    if isinstance(expected, number) and isinstance(got, number):
        if math.isclose(expected, got, rel_tol=RTOL, abs_tol=0.0):
            return []
        return [f"{path}: {got!r}, expected {expected!r}"]
    if isinstance(expected, dict) and isinstance(got, dict):
        out = [f"{path}.{k}: missing" for k in expected if k not in got]
        out += [f"{path}.{k}: not in the golden file" for k in got if k not in expected]
        for k in expected:
            if k in got:
                out += differences(expected[k], got[k], f"{path}.{k}")
        return out
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return [f"{path}: {len(got)} items, expected {len(expected)}"]
        out = []
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            out += differences(e, g, f"{path}[{i}]")
        return out
    return [] if expected == got else [f"{path}: {got!r}, expected {expected!r}"]


def test_differences_uses_a_relative_tolerance() -> None:
    assert differences({"a": 1.0}, {"a": 1.0 + 1e-12}) == []
    assert differences({"a": 1e12}, {"a": 1e12 * (1 + 1e-10)}) == []
    assert differences({"a": 1.0}, {"a": 1.0 + 1e-6}) != []
    assert differences({"a": 0.0}, {"a": 1e-300}) != []
    assert differences({"a": None}, {"a": 0.0}) != []
    assert differences({"a": True}, {"a": 1}) != []
    assert differences([1, 2], [1, 2, 3]) != []
    assert differences({"a": "x"}, {"a": "x", "b": 1}) != []


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_golden(example: Path) -> None:
    got = stable(compute_json(str(example.relative_to(ROOT))))
    golden = GOLDEN_DIR / f"{example.stem}.json"
    if REGEN:
        GOLDEN_DIR.mkdir(exist_ok=True)
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not golden.exists():
        pytest.fail(
            f"no golden file for {example.name}; generate it with NSRA_REGEN_GOLDEN=1 "
            "(see the top of tests/test_golden.py) and review it"
        )
    expected = json.loads(golden.read_text(encoding="utf-8"))
    diff = differences(expected, got)
    assert not diff, f"{len(diff)} differences, first ones:\n" + "\n".join(diff[:20])


def test_every_golden_file_has_its_example() -> None:
    stems = {p.stem for p in EXAMPLES}
    orphans = [p.name for p in GOLDEN_DIR.glob("*.json") if p.stem not in stems]
    assert not orphans, f"golden files without an example: {orphans}"
