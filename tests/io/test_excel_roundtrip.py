"""The Excel round trip: an assessment exported as a workbook and imported again is the same
assessment, for every example and for generated assessments using every part of the model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

import nsra
from nsra.io.excel import assessment_template, export_workbook, import_workbook
from nsra.io.meaning import check_meaning
from nsra.io.modelcheck import check
from nsra.model.assessment import Assessment
from nsra.model.method import Method
from tests.generators import assessments
from tests.helpers import EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_comes_back_equal(example: Any) -> None:
    loaded = nsra.read(str(example))
    book = export_workbook(loaded.assessment, loaded.method)
    back = import_workbook(book, "book.xlsx").loaded
    assert back.assessment == loaded.assessment
    assert back.method == loaded.method
    assert back.inputs.estimates.central.tolist() == loaded.inputs.estimates.central.tolist()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_a_template_of_an_assessment_left_blank_gives_the_assessment(example: Any) -> None:
    loaded = nsra.read(str(example))
    book = assessment_template(loaded.assessment, loaded.method)
    assert import_workbook(book, "book.xlsx").loaded.assessment == loaded.assessment


def _valid(method: Method, data: dict[str, Any]) -> Assessment:
    assessment, shape = check(Assessment, data)
    _, meaning = check_meaning(data, method)
    errors = [str(p) for p in shape + meaning if p.severity == "error"]
    assert assessment is not None and not errors, errors  # the generator's own promise
    return assessment


@settings(max_examples=60)
@given(case=assessments())
def test_a_generated_assessment_comes_back_equal(case: tuple[Method, dict[str, Any]]) -> None:
    method, data = case
    assessment = _valid(method, data)
    imported = import_workbook(export_workbook(assessment, method), "book.xlsx")
    assert imported.loaded.assessment == assessment
    # the file written from the workbook's data reads as the same assessment too
    again = nsra.io.validate.parse_assessment(json.dumps(imported.data), "back.json")
    assert again.assessment == assessment
