"""Reading an assessment file: its text, its shape, its method and its meaning, all checked.

:func:`read_assessment` returns a :class:`Loaded` assessment (the typed file, its method and the
engine's input arrays) or raises :class:`InputError` with *every* problem found, each with file,
line, column, field path and the reason in plain words. Nothing is half-loaded.

The steps: the text is read as plain data (:mod:`nsra.io.safeyaml`), its shape is checked against
the model (:mod:`nsra.io.modelcheck`), the method it names is loaded (:mod:`nsra.io.methods`), and
its meaning is checked against the method (:mod:`nsra.io.meaning`, which reads estimates with
:mod:`nsra.io.estimates` and cascades with :mod:`nsra.io.cascade_checks`). The meaning checks run
even when the shape has problems, so that every problem shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nsra.engine.inputs import AssessmentInput
from nsra.io.gcpause import gc_paused
from nsra.io.meaning import check_meaning
from nsra.io.methods import load_method, with_positions
from nsra.io.modelcheck import check
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import Limits, load, read_text
from nsra.model.assessment import Assessment
from nsra.model.method import Method


@dataclass(frozen=True)
class Loaded:
    """A checked assessment, ready for the engine."""

    source: str
    assessment: Assessment
    method: Method
    inputs: AssessmentInput
    warnings: list[Problem] = field(default_factory=list)


def parse_assessment(
    text: str,
    source: str,
    method: Method | None = None,
    base_path: str | None = None,
    limits: Limits | None = None,
) -> Loaded:
    """Check an assessment given as text; raises :class:`InputError` with every problem."""
    data = load(text, source, limits or Limits())
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    "an assessment file must be a mapping (title:, method:, scenarios: ...)",
                    file=source,
                    line=1,
                )
            ]
        )
    assessment, shape_problems = check(Assessment, data)
    problems.extend(shape_problems)
    if method is None:
        ref = data.get("method")
        if isinstance(ref, str):
            try:
                method = load_method(ref, relative_to=base_path)
            except InputError as exc:
                for p in exc.problems:
                    if p.line is None:  # the method file itself could not be read
                        if p.file is not None:
                            p.message = f"method file {p.file}: {p.message}"
                        p.file, p.path = None, ("method",)
                problems.extend(exc.problems)
    inputs: AssessmentInput | None = None
    warnings: list[Problem] = []
    if method is not None:
        inputs, meaning = check_meaning(data, method)
        problems.extend(p for p in meaning if p.severity == "error")
        warnings = [p for p in meaning if p.severity == "warning"]
    if problems or assessment is None or method is None or inputs is None:
        raise InputError(with_positions(problems + warnings, text, source))
    return Loaded(source, assessment, method, inputs, with_positions(warnings, text, source))


def read_assessment(path: str, limits: Limits | None = None) -> Loaded:
    """Read and check an assessment file (YAML or JSON)."""
    limits = limits or Limits()
    text = read_text(path, limits)
    with gc_paused():
        return parse_assessment(text, path, base_path=path, limits=limits)
