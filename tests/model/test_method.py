"""The models of a method file (nsra.model.method) refuse fields they do not have.

A misspelt field silently dropped would change how every assessment of the method is scored
(``treshold:`` on a scale function would leave it without its linear part), so every model of a
method file must refuse an unknown field. The models are found by walking the field annotations
from :class:`Method` (a new model is covered without touching these tests); each is given an
unknown field at every kind of place it takes in the shipped methods, and ``parse_method`` and
``nsra validate`` must name the field at its path and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from nsra.io.methods import parse_method
from nsra.io.problems import InputError, format_path
from nsra.model import method
from nsra.model.method import ExponentialFunction, IntervalFunction, Method, Strict
from tests.helpers import (
    METHOD_FILES,
    UNKNOWN_FIELD,
    Place,
    line_of,
    places,
    reachable_models,
    run_main,
    unknown_field_message,
    with_unknown_field,
)

PLACES = [place for file in METHOD_FILES for place in places(Method, file)]


def test_the_walk_reaches_every_model_of_the_module() -> None:
    """Every model defined for method files (but their common base) is reached from
    :class:`Method`, the members of a tagged union (``kind: interval | exponential``) too."""
    defined = {
        obj
        for obj in vars(method).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseModel)
        and obj.__module__ == method.__name__
    }
    reached = set(reachable_models(Method))
    assert {IntervalFunction, ExponentialFunction} <= reached
    assert defined - {Strict} == reached


def test_every_model_has_a_place_in_a_shipped_method() -> None:
    placed = {place.model for place in PLACES}
    missing = [m.__name__ for m in reachable_models(Method) if m not in placed]
    assert not missing, f"no shipped method holds {missing}: tests cannot reach their fields"


@pytest.mark.parametrize("place", PLACES, ids=str)
def test_an_unknown_field_is_refused(
    place: Place, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = with_unknown_field(place)
    path = (*place.path, UNKNOWN_FIELD)
    message = unknown_field_message(place.model)
    line = line_of(text, f'"{UNKNOWN_FIELD}"')
    column = text.splitlines()[line - 1].index(f'"{UNKNOWN_FIELD}"') + 1

    with pytest.raises(InputError) as info:
        parse_method(text, "unknown.json")
    assert [(p.path, p.message, p.file, p.line, p.column) for p in info.value.problems] == [
        (path, message, "unknown.json", line, column)
    ]

    file = tmp_path / "unknown.json"
    file.write_text(text, encoding="utf-8")
    code, out, err = run_main(capsys, "validate", str(file))
    assert (code, out) == (1, ""), err
    assert f"{file.resolve()}:{line}:{column}: error: {format_path(path)}: {message}" in err
    assert list(tmp_path.iterdir()) == [file]
