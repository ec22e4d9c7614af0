"""Regression files of seeded ``nsra analyse`` on every example in examples/.

``tests/golden/analyse/<example>.json`` holds the output of ``nsra analyse EXAMPLE --samples 400
--years 2000 --seed 7`` (``tests/golden/runs.py``) without ``nsra_version``: the Monte Carlo
intervals, weight profiles, SMAA, sensitivity indices, the threat network and the cascade
simulation. With the seed fixed the output is a pure function of the code, so any change of a
number shows here, field by field (numbers within a relative 1e-9).

These files were written by nsra itself (``tests/golden/regenerate.py``, run on purpose, never
by a test): they catch a change, not a wrong number. After an intended change, run the script
and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.compare import differences, report
from tests.golden.runs import ANALYSE_DIR, EXAMPLES, analyse_example, analyse_golden


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_analyse_golden(example: Path) -> None:
    golden = analyse_golden(example)
    if not golden.exists():
        pytest.fail(
            f"no analyse golden file for {example.name}; write it with "
            "tests/golden/regenerate.py analyse and review it"
        )
    expected = json.loads(golden.read_text(encoding="utf-8"))
    diff = differences(expected, analyse_example(example))
    assert not diff, report(diff)


def test_every_analyse_golden_file_has_its_example() -> None:
    stems = {p.stem for p in EXAMPLES}
    orphans = [p.name for p in ANALYSE_DIR.glob("*.json") if p.stem not in stems]
    assert not orphans, f"analyse golden files without an example: {orphans}"
