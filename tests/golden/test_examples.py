"""Regression files of ``nsra compute EXAMPLE --format json`` for every example in examples/.

Each example has a golden file ``tests/golden/<example>.json``: the JSON result without the
volatile fields ``nsra_version`` and ``assessment.source``, compared field by field (numbers
within a relative 1e-9, see ``tests/golden/compare.py``). These files were written by nsra
itself: they catch a change, not a wrong number (the hand-checked cases in ``cases/`` do that).

After an intended change of the results, write them again with ``tests/golden/regenerate.py``
and review the diff. A new example without a golden file fails until then.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.compare import differences, report
from tests.golden.runs import compute_example, compute_golden
from tests.helpers import EXAMPLES, GOLDEN_DIR


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_golden(example: Path) -> None:
    golden = compute_golden(example)
    if not golden.exists():
        pytest.fail(
            f"no golden file for {example.name}; write it with tests/golden/regenerate.py "
            "and review it"
        )
    expected = json.loads(golden.read_text(encoding="utf-8"))
    diff = differences(expected, compute_example(example))
    assert not diff, report(diff)


def test_every_golden_file_has_its_example() -> None:
    stems = {p.stem for p in EXAMPLES}
    orphans = [p.name for p in GOLDEN_DIR.glob("*.json") if p.stem not in stems]
    assert not orphans, f"golden files without an example: {orphans}"
