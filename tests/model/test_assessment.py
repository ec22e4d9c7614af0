"""The models of an assessment file (nsra.model.assessment) refuse fields they do not have.

A misspelt field silently dropped would be a judgement lost (``probabilty: E`` on a cascade would
leave it at 0), so every model of the file must refuse an unknown field. The models are found by
walking the field annotations from :class:`Assessment` (a new model is covered without touching
these tests); each is given an unknown field at every kind of place it takes in the shipped
examples, and ``parse_assessment`` and ``nsra validate`` must name the field at its path and line,
and nothing may be computed or written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from nsra.io.problems import InputError, format_path
from nsra.io.validate import parse_assessment
from nsra.model import assessment
from nsra.model.assessment import Assessment, Cascade, EstimateDetail
from tests.helpers import (
    EXAMPLES,
    UNKNOWN_FIELD,
    Place,
    line_of,
    places,
    reachable_models,
    run_main,
    unknown_field_message,
    with_unknown_field,
)

PLACES = [place for example in EXAMPLES for place in places(Assessment, example)]


def test_the_walk_reaches_every_model_of_the_module() -> None:
    """Every model defined for assessment files is reached from :class:`Assessment` (the
    written-out estimate through the estimate fields), so none escapes the test below."""
    defined = {
        obj
        for obj in vars(assessment).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseModel)
        and obj.__module__ == assessment.__name__
    }
    reached = set(reachable_models(Assessment))
    assert {Cascade, EstimateDetail} <= reached
    assert defined == reached


def test_every_model_has_a_place_in_an_example() -> None:
    placed = {place.model for place in PLACES}
    missing = [m.__name__ for m in reachable_models(Assessment) if m not in placed]
    assert not missing, f"no example holds {missing}: add one, so that its fields are tested"


def test_cascades_are_tested_in_both_forms() -> None:
    """A cascade's probability is one estimate, or one per pair of intensity levels."""
    vias = {place.via for place in PLACES if place.model is EstimateDetail}
    assert {"Cascade.probability", "Cascade.levels"} <= vias


def _where(text: str) -> tuple[int, int]:
    """Line and column of the unknown field's key in ``text``."""
    line = line_of(text, f'"{UNKNOWN_FIELD}"')
    return line, text.splitlines()[line - 1].index(f'"{UNKNOWN_FIELD}"') + 1


@pytest.mark.parametrize("place", PLACES, ids=str)
def test_an_unknown_field_is_refused(
    place: Place, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = with_unknown_field(place)
    path = (*place.path, UNKNOWN_FIELD)
    message = unknown_field_message(place.model)
    line, column = _where(text)

    with pytest.raises(InputError) as info:
        parse_assessment(text, "unknown.json")
    errors = [p for p in info.value.problems if p.severity == "error"]
    assert [(p.path, p.message, p.file, p.line, p.column) for p in errors] == [
        (path, message, "unknown.json", line, column)
    ]

    file = tmp_path / "unknown.json"
    file.write_text(text, encoding="utf-8")
    code, out, err = run_main(capsys, "validate", str(file))
    assert (code, out) == (1, ""), err
    assert f"{file}:{line}:{column}: error: {format_path(path)}: {message}" in err
    assert "1 problem found; nothing was computed or written." in err

    results = tmp_path / "results.json"
    code, out, err = run_main(capsys, "compute", str(file), "--format", "json", "-o", str(results))
    assert (code, out) == (1, ""), err
    assert f"{format_path(path)}: {message}" in err
    assert list(tmp_path.iterdir()) == [file]  # no results, no temporary file
