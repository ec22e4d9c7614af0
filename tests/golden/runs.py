"""How the golden outputs are made: the ``nsra`` command's own code, with fixed arguments.

The tests and ``regenerate.py`` both call these functions, so a regenerated file holds exactly
what its test compares it with.

* :func:`compute_case`: ``nsra compute CASE/assessment.yaml --format json`` for a hand-checked
  case, run in this process through the command's entry (click's test runner: the same option
  parsing, reading, computing and JSON writing as on the command line, without starting Python
  again for each of the small cases);
* :func:`compute_example`: ``nsra compute EXAMPLE --format json`` in a subprocess
  (``helpers.compute_json``, shared with the command's tests);
* :func:`analyse_example`: ``nsra analyse EXAMPLE`` with :data:`ANALYSE_ARGS` (a fixed seed and
  small sample counts), in this process as :func:`compute_case`.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nsra.cli import app
from nsra.io.jsondoc import Json
from tests.golden.compare import stable
from tests.helpers import EXAMPLES, GOLDEN_DIR, ROOT, compute_json

CASES_DIR = GOLDEN_DIR / "cases"
ANALYSE_DIR = GOLDEN_DIR / "analyse"
ANALYSE_ARGS = ("--samples", "400", "--years", "2000", "--seed", "7")
"""Small sizes, so each example runs in seconds; the seed makes the output reproducible."""

__all__ = [
    "ANALYSE_ARGS",
    "ANALYSE_DIR",
    "CASES_DIR",
    "EXAMPLES",
    "analyse_example",
    "analyse_golden",
    "case_dirs",
    "compute_case",
    "compute_example",
    "compute_golden",
]


def nsra_json(*args: str) -> Json:
    """``nsra ARGS`` run in this process; its standard output parsed as JSON."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, f"nsra {' '.join(args)} failed:\n{result.output}"
    doc: Json = json.loads(result.stdout)
    return doc


def case_dirs() -> list[Path]:
    """Every case folder under ``cases/`` (names starting with ``_`` or ``.`` are not cases)."""
    return sorted(
        p for p in CASES_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    )


def compute_case(case: Path) -> Json:
    """``nsra compute CASE/assessment.yaml --format json``."""
    return nsra_json("compute", str(case / "assessment.yaml"), "--format", "json")


def compute_golden(example: Path) -> Path:
    """The regression file of ``nsra compute`` on an example."""
    return GOLDEN_DIR / f"{example.stem}.json"


def compute_example(example: Path) -> Json:
    """``nsra compute EXAMPLE --format json`` without its volatile fields."""
    return stable(compute_json(str(example.relative_to(ROOT))))


def analyse_golden(example: Path) -> Path:
    """The regression file of seeded ``nsra analyse`` on an example."""
    return ANALYSE_DIR / f"{example.stem}.json"


def analyse_example(example: Path) -> Json:
    """``nsra analyse EXAMPLE`` with :data:`ANALYSE_ARGS`, without its volatile fields."""
    return stable(nsra_json("analyse", str(example), *ANALYSE_ARGS))
