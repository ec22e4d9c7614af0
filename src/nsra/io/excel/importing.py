"""Importing a workbook (``nsra excel import``): its cells read (:mod:`.reading`), put together
as an assessment file (:mod:`.building`), then the file's usual checks (shape, method, meaning)
with every problem said at its sheet and cell: ``Estimates!F12: likelihood: class 'F' does not
exist; allowed: A, B, C, D, E``. Every problem is found at once; nothing is half-imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nsra.io.excel.building import Builder, Data, build
from nsra.io.excel.reading import read_grids
from nsra.io.excel.safety import Limits
from nsra.io.meaning import check_meaning
from nsra.io.methods import load_method
from nsra.io.modelcheck import check
from nsra.io.problems import InputError, Path, Problem
from nsra.io.validate import Loaded
from nsra.model.assessment import Assessment
from nsra.model.method import Method

_SPEC_FIELDS = ("class", "value", "scale")
MethodFor = Callable[[str], Method]
"""A method by the reference the workbook gives (a shipped id, or a file)."""


@dataclass
class Imported:
    """A workbook read and checked: the assessment file's data and the checked assessment."""

    data: Data
    loaded: Loaded
    warnings: list[Problem] = field(default_factory=list)


def _shown_field(path: Path) -> Path:
    """The part of a field path after its last list index (``impact.Ha``, ``owner``)."""
    last = max((n for n, p in enumerate(path) if isinstance(p, int)), default=-1)
    shown = tuple(str(p) for p in path[last + 1 :])
    if len(shown) > 1 and shown[-1] in _SPEC_FIELDS:
        shown = shown[:-1]  # the cell says which: class, value or scale
    return shown


def _placed(problems: list[Problem], b: Builder, source: str) -> list[Problem]:
    """Problems of the file's checks said at their cell; none where a cell already has one."""
    out: list[Problem] = []
    for p in problems:
        ref = b.where.find(p.path)
        if ref is not None and ref in b.where.failed:
            continue
        p.file = ref or source
        p.line = p.column = None
        p.path = _shown_field(p.path)
        out.append(p)
    return out


def import_workbook(
    data: bytes,
    source: str,
    method_for: MethodFor | None = None,
    limits: Limits | None = None,
) -> Imported:
    """Read and check a workbook; raises :class:`InputError` with every problem found."""
    grids = read_grids(data, source, limits)
    file_data, b = build(grids)
    problems = list(b.problems)
    assessment, shape = check(Assessment, file_data)
    problems += _placed(shape, b, source)
    method: Method | None = None
    ref = file_data.get("method")
    if isinstance(ref, str):
        try:
            method = (method_for or load_method)(ref)
        except InputError as exc:
            for p in exc.problems:
                p.path = ("method",)
                p.file = b.where.find(("method",)) or source
            problems += exc.problems
    warnings = list(b.notes)
    inputs = None
    if method is not None:
        inputs, meaning = check_meaning(file_data, method)
        placed = _placed(meaning, b, source)
        problems += [p for p in placed if p.severity == "error"]
        warnings += [p for p in placed if p.severity == "warning"]
    if problems or assessment is None or method is None or inputs is None:
        raise InputError(problems + warnings or [Problem("the workbook has no data", file=source)])
    loaded = Loaded(source, assessment, method, inputs, warnings)
    return Imported(file_data, loaded, warnings)
