"""The workbooks written: drop-down lists of each criterion's classes, the bounds and unit
beside each input, frozen headers, instructions in Dutch and English, and a template for a
method that, filled in, imports as an assessment."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from nsra.io.excel import import_workbook, method_template
from nsra.io.excel.layout import SHEETS
from nsra.io.methods import load_method
from tests.io.excel_books import column, edited, example, exported, find_row


def _open(book: bytes) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(book))


def _list_at(wb: Workbook, ws: Worksheet, cell: str) -> list[str]:
    """The values the drop-down list of a cell offers."""
    for dv in ws.data_validations.dataValidation:
        if cell in dv.sqref:
            formula = dv.formula1 or ""
            if formula.startswith('"'):
                return formula.strip('"').split(",")
            m = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z])\$(\d+):\$([A-Z])\$(\d+)", formula)
            assert m, formula
            sheet, col, first, _, last = m.groups()
            return [str(wb[sheet][f"{col}{r}"].value) for r in range(int(first), int(last) + 1)]
    raise KeyError(cell)


@pytest.mark.parametrize(
    ("name", "item", "scale"),
    [
        ("be-bnra", "Ha", "ha"),
        ("be-bnra", "likelihood", None),
        ("nl-integrated", "2.1", None),
        ("uk-nsra", "likelihood", None),
    ],
)
def test_each_class_cell_offers_the_classes_of_its_own_scale(
    name: str, item: str, scale: str | None
) -> None:
    loaded = example(name)
    wb = _open(exported(name))
    ws = wb["Estimates"]
    r = find_row(ws, estimate_of=item)
    scenario = next(s for s in loaded.assessment.scenarios if s.id == ws.cell(r, 1).value)
    method = loaded.method
    scale_id = (
        method.likelihood.scale_for(scenario.malicious).scale
        if item == "likelihood"
        else method.criterion(item).scale
    )
    if scale is not None:
        assert scale_id == scale
    codes = method.scale(scale_id).codes
    for header in ("class", "up to class"):
        cell = ws.cell(r, column(ws, header)).coordinate
        assert _list_at(wb, ws, cell) == codes


def test_malicious_and_non_malicious_likelihoods_offer_different_scales() -> None:
    wb = _open(exported("be-bnra"))
    ws = wb["Estimates"]
    offered = {}
    for sid in ("pandemic", "cyber-attack-critical-infrastructure"):
        r = find_row(ws, scenario=sid, estimate_of="likelihood")
        offered[sid] = _list_at(wb, ws, ws.cell(r, column(ws, "class")).coordinate)
    assert offered["pandemic"] == ["1", "2", "3", "4", "5"]  # DP
    assert offered["cyber-attack-critical-infrastructure"] == ["0", "1", "2", "3"]  # M


def test_choices_and_levels_are_drop_down_lists() -> None:
    wb = _open(exported("be-bnra"))
    sc, est = wb["Scenarios"], wb["Estimates"]
    assert _list_at(wb, sc, sc.cell(2, column(sc, "domain")).coordinate) == [
        "internal",
        "external",
        "both",
    ]
    assert _list_at(wb, sc, sc.cell(2, column(sc, "malicious")).coordinate) == ["yes", "no"]
    assert _list_at(wb, est, est.cell(2, column(est, "level")).coordinate) == [
        "considerable",
        "major",
        "extreme",
    ]


def test_bounds_and_unit_stand_beside_each_input() -> None:
    wb = _open(exported("be-bnra"))
    ws = wb["Estimates"]
    r = find_row(ws, estimate_of="Ha")
    assert ws.cell(r, column(ws, "about")).value == "Fatalities — persons"
    bounds = str(ws.cell(r, column(ws, "classes")).value)
    assert bounds.startswith("0: ")
    assert "1: 1 – 10;" in bounds and "5: 10,000 – …" in bounds


def test_every_sheet_has_a_frozen_header_and_set_widths() -> None:
    wb = _open(exported("nl-integrated"))
    for s in SHEETS:
        ws = wb[s.name]
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["A"].width >= 8
    assert wb["Estimates"].column_dimensions["I"].width == 40  # rationale


def test_the_instructions_are_in_dutch_and_english() -> None:
    ws = _open(exported("uk-nsra"))["Instructions"]
    assert ws["B1"].value.startswith("Workbook for an nsra assessment (method uk-nsra-2023")
    assert ws["C1"].value.startswith("Werkboek voor een nsra-beoordeling")
    names = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert [s.name for s in SHEETS] == [n for n in names if n in {s.name for s in SHEETS}]


def test_a_filled_in_method_template_imports_as_an_assessment() -> None:
    method = load_method("nl-snv")
    book = method_template(method)

    def fill(wb: Workbook) -> None:
        about = wb["About"]
        values = {r[0].value: r[1] for r in about.iter_rows(min_row=2)}
        assert values["method"].value == "nl-snv"
        assert values["method version"].value == method.version
        values["title (en)"].value = "Flood risk"
        values["classification"].value = "UNCLASSIFIED"
        wb["Organisations"].append(["rws", None, "Rijkswaterstaat", "Rijkswaterstaat"])
        wb["Analysts"].append(["a1", "Analyst one", None, None, "rws"])
        wb["Themes"].append(["water", "Water", None, None, "#1f77b4"])
        sc = wb["Scenarios"]
        sc.cell(2, 1).value = "flood"
        sc.cell(2, column(sc, "title (nl)")).value = "Overstroming"
        sc.cell(2, column(sc, "theme")).value = "water"
        sc.cell(2, column(sc, "domain")).value = "internal"
        sc.cell(2, column(sc, "malicious")).value = "no"
        sc.cell(2, column(sc, "owner")).value = "rws"
        sc.cell(2, column(sc, "kind")).value = "chronic"
        sc.cell(2, column(sc, "trend")).value = "rising"
        sc.cell(2, column(sc, "horizon")).value = 2040
        est = wb["Estimates"]
        for r, (item, code) in enumerate([("2.1", "D")], start=2):
            est.cell(r, 1).value = "flood"
            est.cell(r, column(est, "analyst")).value = "a1"
            est.cell(r, column(est, "estimate of")).value = item
            est.cell(r, column(est, "class")).value = code

    a = import_workbook(edited(book, fill), "book.xlsx").loaded.assessment
    assert a.title == {"en": "Flood risk"}
    assert a.organisations[0].name == {"en": "Rijkswaterstaat", "nl": "Rijkswaterstaat"}
    (sc,) = a.scenarios
    assert sc.title == {"nl": "Overstroming"} and sc.malicious is False
    assert (sc.kind, sc.trend, sc.horizon) == ("chronic", "rising", 2040)
    (theme,) = a.themes
    assert (theme.id, theme.name, theme.colour) == ("water", "Water", "#1f77b4")
    (e,) = sc.estimates
    assert (e.analyst, e.level, e.likelihood, e.impact) == ("a1", None, None, {"2.1": "D"})
