"""What a command imports: ``nsra analyse --only cascades`` loads only what the cascade
analysis runs (the start-up of the command counts in the cascade analysis end to end, issue 13),
and ``nsra --help`` none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES_DIR

HEAVY = (
    "scipy.stats",
    "SALib",
    "pandas",
    "matplotlib",
    "jinja2",
    "openpyxl",
    "fastapi",
    "sqlalchemy",
    "networkx",
    "docx",
    "weasyprint",
)
"""Libraries the cascade analysis does not use. (``scipy.sparse`` is loaded: the engine's
first-order cascades, which ``nsra.compute`` works out for every command, are sparse
matrices.)"""

RUN = """
import json, runpy, sys
sys.argv = ["nsra", *json.loads(sys.argv[1])]
try:
    runpy.run_module("nsra.cli", run_name="__main__")
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
"""Runs the command as ``python -m nsra.cli`` does, then lists the modules on standard error."""


def loaded_by(args: list[str]) -> set[str]:
    """The modules loaded in a fresh interpreter that ran ``nsra ARGS``."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(args)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return set(modules)


def heavy_in(modules: set[str]) -> list[str]:
    return [h for h in HEAVY if h in modules or any(m.startswith(h + ".") for m in modules)]


def test_the_help_loads_no_heavy_library() -> None:
    assert heavy_in(loaded_by(["--help"])) == []


@pytest.mark.parametrize("analyses", ["cascades"])
def test_analyse_only_cascades_loads_no_other_analysis(analyses: str, tmp_path: Path) -> None:
    bnra = str(EXAMPLES_DIR / "be-bnra.yaml")
    out = str(tmp_path / "out.json")
    args = ["analyse", bnra, "--only", analyses, "--years", "20", "--graphs", "5", "-o", out]
    modules = loaded_by(args)
    assert heavy_in(modules) == []
    assert "nsra.analysis.forced_start" in modules  # it did run the cascade analysis
    assert json.loads(Path(out).read_text(encoding="utf-8"))["cascades"]
