"""Shared helpers for the nsra test suite (imported by the test files).

* ``EXAMPLES``: every example assessment shipped in ``examples/`` (globbed, so a new example is
  covered without touching the tests);
* ``run_cli``: the ``nsra`` command in a subprocess, as a user runs it; ``no_traceback``: what
  every run of it must satisfy; ``table_row``: a row of a table it printed;
* ``parse``/``problems_of``: an assessment written in a test as YAML text, checked by
  :func:`nsra.io.validate.parse_assessment`;
* ``line_of``: the 1-based line of a marker in such a text, to check reported line numbers;
  ``single_error``/``check_error``: the one error of such a text, its message and its line;
* ``reachable_models``/``places``/``with_unknown_field``: the models of assessment and method
  files, where each stands in the real files, and such a file with a field no model has;
* ``run_main``: the ``nsra`` command's entry point run in the test's process.
* ``ranks_by_rule``/``tie_groups_by_rule``: nsra's tie rule written out plainly, the reference
  for the vectorised ranking of the engine and of SMAA.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import subprocess
import sys
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st
from numpy.typing import NDArray
from pydantic import BaseModel

from nsra.io.methods import shipped_method_ids
from nsra.io.problems import InputError, Problem
from nsra.io.problems import Path as ProblemPath
from nsra.io.safeyaml import load
from nsra.io.validate import Loaded, parse_assessment
from nsra.model.assessment import EstimateDetail, EstimateSpec, Shift, ShiftSpec

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.yaml") if not p.name.startswith("_"))
METHODS_DIR = ROOT / "src" / "nsra" / "methods"
METHOD_FILES = sorted(p for p in METHODS_DIR.glob("*.yaml") if not p.name.startswith("_"))
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


def single_error(text: str) -> Problem:
    """The only error reported for ``text`` (warnings aside); fails if there are more."""
    errors = errors_of(text)
    assert len(errors) == 1, [str(p) for p in errors]
    return errors[0]


def check_error(text: str, message: str, marker: str, exact: bool = False) -> Problem:
    """The text has exactly one error; it contains ``message`` (or is it, with ``exact``) and
    sits on the line of ``marker`` in the file ``test.yaml``."""
    p = single_error(text)
    if exact:
        assert p.message == message
    else:
        assert message in p.message, p.message
    assert p.line == line_of(text, marker), str(p)
    assert p.file == "test.yaml"
    return p


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
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


# -- the tie rule written out plainly (the reference for nsra.engine.ranking and SMAA) -------------
def ties_by_rule(higher: float, lower: float, rtol: float) -> bool:
    """Neighbours ``higher >= lower`` in decreasing order tie (docs/decisions.md, "Ranking")."""
    if math.isnan(higher) or math.isnan(lower):
        return False
    if higher == lower:  # equal infinities tie, as do 0.0 and -0.0
        return True
    if math.isinf(higher) or math.isinf(lower):  # an infinite and a finite value never do
        return False
    return higher - lower <= rtol * max(abs(higher), abs(lower))


def tie_groups_by_rule(values: Sequence[float], rtol: float) -> list[list[int]]:
    """Indices of the values that are not NaN in decreasing order, grouped into ties (chained
    along the sorted values)."""
    order = sorted((i for i, v in enumerate(values) if not math.isnan(v)), key=lambda i: -values[i])
    groups: list[list[int]] = []
    for pos, i in enumerate(order):
        if pos and ties_by_rule(values[order[pos - 1]], values[i], rtol):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def ranks_by_rule(values: Sequence[float], rtol: float = 1e-12) -> list[int]:
    """Competition ranks ("1224"), 1 for the highest value; NaN is not ranked (0)."""
    ranks = [0] * len(values)
    place = 1
    for group in tie_groups_by_rule(values, rtol):
        for i in group:
            ranks[i] = place
        place += len(group)
    return ranks


TIE_BASES = (
    0.0,
    -0.0,
    0.37,
    -0.37,
    1.0,
    -1.0,
    3.0,
    -2.5,
    1e300,
    -1e300,
    5e-324,
    math.inf,
    -math.inf,
)
"""Values around which :func:`tie_prone_values` and :func:`tie_prone_array` put near ties."""

TIE_STEPS = (0.45, 0.55, 0.95, 1.0, 1.05)
"""Gaps between near ties, in units of the tolerance: within it, at it (exactly so for a
tolerance that is a power of 2) and just beyond it."""


def _ulps(x: float, k: int) -> float:
    for _ in range(abs(k)):
        x = math.nextafter(x, math.copysign(math.inf, k))
    return x


@st.composite
def tie_prone_values(
    draw: st.DrawFn, rtol: float, max_size: int = 12, nan: bool = True
) -> list[float]:
    """Values with exact ties, near ties within and just beyond ``rtol`` that chain (each a
    multiple of one step of 0.45 to 1.05 ``rtol`` from a base value), a few ulps apart, signed
    zeros, a subnormal, huge and infinite values of both signs, and NaN (if ``nan``)."""
    step = draw(st.sampled_from(TIE_STEPS)) * (rtol if rtol > 0 else 1e-15)
    pool = TIE_BASES + ((math.nan,) if nan else ())
    cells = draw(
        st.lists(
            st.tuples(st.sampled_from(pool), st.integers(-3, 3), st.integers(-2, 2)),
            min_size=1,
            max_size=max_size,
        )
    )
    return [_ulps(base * (1 + m * step), k) for base, m, k in cells]


def tie_prone_array(
    rng: np.random.Generator, shape: tuple[int, int], rtol: float
) -> NDArray[np.float64]:
    """An array like :func:`tie_prone_values` (without NaN), drawn with numpy."""
    pool = rng.choice(np.array(TIE_BASES), size=int(rng.integers(1, 5)), replace=False)
    base = rng.choice(pool, size=shape)  # a few bases per array: many ties and chains
    step = float(rng.choice(TIE_STEPS)) * (rtol if rtol > 0 else 1e-15)
    v = base * (1 + rng.integers(-3, 4, size=shape) * step)
    nudge = rng.integers(-2, 3, size=shape) * np.spacing(np.abs(np.where(np.isfinite(v), v, 0.0)))
    return np.asarray(np.where(np.isfinite(v), v + nudge, v), dtype=np.float64)


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


# -- the models of the files, and the places they take in real files -------------------------------
UNKNOWN_FIELD = "zz_not_a_field"
"""A field no model of nsra has (put into real files to see it refused)."""


@dataclass(frozen=True)
class Place:
    """Where a mapping of ``model`` stands in a real file, reached through the field ``via``
    (``"Scenario.sources"``; ``""`` for the root)."""

    model: type[BaseModel]
    via: str
    file: Path
    path: ProblemPath

    def __str__(self) -> str:
        return f"{self.model.__name__}{'@' + self.via if self.via else ''}-{self.file.stem}"


def _alternatives(annotation: Any) -> list[Any]:
    """The types a field may hold: Optional, Union and Annotated undone. An estimate
    (``EstimateSpec``, ``Any`` to pydantic) is an :class:`EstimateDetail` when written out: the
    one model that the meaning check (:mod:`nsra.io.estimates`), not pydantic, holds to its
    fields."""
    if annotation == EstimateSpec:
        return [EstimateDetail]
    if annotation == ShiftSpec:  # a shift, checked in nsra.io.strategy_checks
        return [Shift]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _alternatives(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _alternatives(arg)]
    return [annotation]


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _field_names(model: type[BaseModel]) -> dict[str, str]:
    """Name in the file (the alias, if any) -> attribute name."""
    return {f.alias or name: name for name, f in model.model_fields.items()}


def reachable_models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every model a file of ``root`` can hold, found by walking the field annotations."""
    found: list[type[BaseModel]] = []
    todo: list[Any] = [root]
    while todo:
        for t in _alternatives(todo.pop(0)):
            if _is_model(t):
                if t not in found:
                    found.append(t)
                    todo.extend(f.annotation for f in t.model_fields.values())
            else:
                todo.extend(typing.get_args(t))  # list[X], dict[str, X], Literal[...] (no models)
    return found


def _fits(model: type[BaseModel], node: dict[str, Any]) -> bool:
    """Whether a mapping can be a ``model``: its keys are fields, its literals are allowed (the
    discriminator of a union such as ``kind: interval``)."""
    names = _field_names(model)
    if not set(node) <= set(names):
        return False
    for key, value in node.items():
        annotation = model.model_fields[names[key]].annotation
        literals = [t for t in _alternatives(annotation) if typing.get_origin(t) is typing.Literal]
        if literals and not any(value in typing.get_args(t) for t in literals):
            return False
    return True


def places(root: type[BaseModel], file: Path) -> list[Place]:
    """The first place of each model, by the field it is reached through, in a real file."""
    found: dict[tuple[type[BaseModel], str], ProblemPath] = {}

    def walk(annotation: Any, node: Any, path: ProblemPath, via: str) -> None:
        alternatives = _alternatives(annotation)
        if isinstance(node, dict):
            for model in filter(_is_model, alternatives):
                if _fits(model, node):
                    found.setdefault((model, via), path)
                    names = _field_names(model)
                    for key, value in node.items():
                        name = names[key]
                        field = model.model_fields[name]
                        walk(field.annotation, value, (*path, key), f"{model.__name__}.{name}")
                    return
        for t in alternatives:
            origin, args = typing.get_origin(t), typing.get_args(t)
            if origin is dict and isinstance(node, dict):
                for key, value in node.items():
                    walk(args[1], value, (*path, key), via)
            elif origin is list and isinstance(node, list):
                for i, value in enumerate(node):
                    walk(args[0], value, (*path, i), via)
        if EstimateDetail in alternatives and not isinstance(node, dict):
            found.setdefault((EstimateDetail, via), path)  # "C": written out, {class: C}

    walk(root, load(file.read_text(encoding="utf-8")), (), "")
    return [Place(model, via, file, path) for (model, via), path in found.items()]


def with_unknown_field(place: Place) -> str:
    """The real file as JSON (which is YAML), with :data:`UNKNOWN_FIELD` added at ``place``."""
    data = load(place.file.read_text(encoding="utf-8"))
    if not place.path:
        data[UNKNOWN_FIELD] = 1
    else:
        parent = data
        for part in place.path[:-1]:
            parent = parent[part]
        node = parent[place.path[-1]]
        if isinstance(node, dict):
            node[UNKNOWN_FIELD] = 1
        else:  # an estimate written as a class: written out
            parent[place.path[-1]] = {"class": node, UNKNOWN_FIELD: 1}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def unknown_field_message(model: type[BaseModel]) -> str:
    """What ``nsra validate`` says about :data:`UNKNOWN_FIELD` in a mapping of ``model``."""
    return f"unknown field {UNKNOWN_FIELD!r}; allowed fields: " + ", ".join(_field_names(model))


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The ``nsra`` command run in this process (its entry point, :func:`nsra.cli.main`):
    exit code, standard output and standard error."""
    from nsra import cli

    capsys.readouterr()
    argv = sys.argv
    sys.argv = ["nsra", *args]
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return code, captured.out, captured.err
