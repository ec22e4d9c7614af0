"""Shared helpers for the nsra test suite (imported by the test files).

* ``EXAMPLES``: every example assessment shipped in ``examples/`` (globbed, so a new example is
  covered without touching the tests);
* ``run_cli``: the ``nsra`` command in a subprocess, as a user runs it; ``no_traceback``: what
  every run of it must satisfy; ``table_row``: a row of a table it printed;
* ``parse``/``problems_of``: an assessment written in a test as YAML text, checked by
  :func:`nsra.io.validate.parse_assessment`;
* ``line_of``: the 1-based line of a marker in such a text, to check reported line numbers.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nsra.io.methods import shipped_method_ids
from nsra.io.problems import InputError, Problem
from nsra.io.validate import Loaded, parse_assessment

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.yaml") if not p.name.startswith("_"))
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
METHOD_IDS = shipped_method_ids()


def example_id(path: Path) -> str:
    return path.stem


# -- assessments written in the tests --------------------------------------------------------------
def parse(text: str, source: str = "test.yaml") -> Loaded:
    return parse_assessment(text, source)


def problems_of(text: str, source: str = "test.yaml") -> list[Problem]:
    """Every problem (errors and warnings) reported for ``text``; fails if the text is valid."""
    with pytest.raises(InputError) as info:
        parse_assessment(text, source)
    return info.value.problems


def errors_of(text: str, source: str = "test.yaml") -> list[Problem]:
    return [p for p in problems_of(text, source) if p.severity == "error"]


def line_of(text: str, marker: str) -> int:
    """1-based number of the only line of ``text`` that contains ``marker``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if marker in line]
    assert len(hits) == 1, f"marker {marker!r} found on lines {hits}"
    return hits[0]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# -- the command line ------------------------------------------------------------------------------
def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("NSRA_DEBUG", None)
    env["COLUMNS"] = "200"
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "nsra.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    """A user never sees a Python traceback, on either stream."""
    assert "Traceback" not in proc.stdout
    assert "Traceback" not in proc.stderr


def table_row(text: str, first_cell: str) -> str:
    """The row of a table the command printed that starts with ``first_cell``, its cells
    joined by `` | `` (a cell wrapped over several lines joined by spaces)."""
    lines = text.splitlines()
    starts = re.compile(rf"│ *{re.escape(first_cell)} ")  # right-aligned cells too
    start = next(n for n, line in enumerate(lines) if starts.match(line))
    cells = [c.strip() for c in lines[start].strip("│").split("│")]
    for line in lines[start + 1 :]:
        if not re.match(r"│\s+│", line):  # a new row begins with its first cell
            break
        more = [c.strip() for c in line.strip("│").split("│")]
        cells = [f"{a} {b}".strip() for a, b in zip(cells, more, strict=True)]
    return " | ".join(cells)


@functools.cache
def compute_json(path: str) -> dict[str, Any]:
    """``nsra compute PATH --format json``, parsed (cached: several tests read it)."""
    proc = run_cli("compute", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# -- small assessments used by several test files --------------------------------------------------
NL_BASE = """\
title: Test assessment
method: nl-snv
date: 2026-01-15
classification: UNCLASSIFIED
organisations:
  - id: jenv
    name: Justice
  - id: bz
    name: Foreign Affairs
analysts:
  - id: a1
    organisation: jenv
  - id: a2
    organisation: bz
strategies:
  - id: nss
    title: National security strategy
    scope: national
    owner: jenv
measures:
  - id: m1
    title: A measure
    owners: [jenv]
    strategy: nss
    phase: prevent
    scenarios: [flood]
scenarios:
  - id: flood
    title: River flood
    theme: water
    domain: internal
    malicious: false
    owner: jenv
    estimates:
      - analyst: a1
        likelihood: C
        impact:
          "2.1": B
          "3.1": {value: 2.0e9}
      - analyst: a2
        likelihood: B..C
        impact:
          "2.1": C
  - id: attack
    title: Attack
    theme: terrorism
    domain: both
    malicious: true
    owner: bz
    estimates:
      - analyst: a1
        likelihood: D
        impact:
          "2.1": B
          "5.3": D
cascades:
  - cause: flood
    effect: attack
    probability: B
"""


BNRA_BASE = """\
title: BNRA test
method: be-bnra-2023
date: 2026-01-15
classification: UNCLASSIFIED
organisations:
  - id: nccn
    name: NCCN
analysts:
  - id: a1
    organisation: nccn
scenarios:
  - id: flood
    title: Flood
    theme: water
    domain: internal
    malicious: false
    owner: nccn
    estimates:
      - analyst: a1
        level: considerable
        likelihood: "3"
        impact: {Fa: "1"}
      - analyst: a1
        level: major
        likelihood: "3"
        impact: {Fa: "2"}
      - analyst: a1
        level: extreme
        likelihood: "3"
        impact: {Fa: "3", Ha: "2"}
  - id: sabotage
    title: Sabotage
    theme: state actors
    domain: external
    malicious: true
    owner: nccn
    estimates:
      - analyst: a1
        level: considerable
        likelihood: "1"
        impact: {Fb: "2"}
      - analyst: a1
        level: major
        likelihood: "1"
        impact: {Fb: "2"}
      - analyst: a1
        level: extreme
        likelihood: "1"
        impact: {Fb: "2"}
cascades:
  - cause: flood
    effect: sabotage
    levels:
      considerable: {considerable: "2"}
      extreme: {major: "3"}
"""
