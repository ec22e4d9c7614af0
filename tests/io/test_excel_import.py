"""Importing a workbook: every problem at once with sheet, cell and field; what people do in
spreadsheets accepted; what cannot be read refused clearly, before openpyxl opens anything
dangerous."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from openpyxl.workbook.workbook import Workbook

from nsra.io.excel import Limits, import_workbook
from nsra.io.problems import InputError, Problem
from tests.io.excel_books import column, edited, example, exported, find_row, ref


def problems(book: bytes, source: str = "book.xlsx", **kw: Any) -> list[Problem]:
    with pytest.raises(InputError) as info:
        import_workbook(book, source, **kw)
    return info.value.problems


def errors(book: bytes, **kw: Any) -> list[Problem]:
    return [p for p in problems(book, **kw) if p.severity == "error"]


def same(book: bytes, name: str) -> list[Problem]:
    """The workbook imports as the example; its notes."""
    imported = import_workbook(book, "book.xlsx")
    assert imported.loaded.assessment == example(name).assessment
    return imported.warnings


# -- every problem at once, at its cell -------------------------------------------------------
def test_a_class_the_scale_lacks_is_reported_at_its_cell_with_the_classes_allowed() -> None:
    where: dict[str, str] = {}

    def edit(wb: Workbook) -> None:
        ws = wb["Estimates"]
        r = find_row(ws, estimate_of="likelihood")
        ws.cell(r, column(ws, "class")).value = "F"
        where["cell"] = ref(ws, r, "class")

    (p,) = errors(edited(exported("nl-integrated"), edit))
    assert p.file == where["cell"]
    assert p.path == ("likelihood",)
    assert "no class 'F'; allowed: A, B, C, D, E" in p.message
    assert str(p).startswith(f"{where['cell']}: error: likelihood: ")


def test_every_problem_is_reported_at_once() -> None:
    cells: list[str] = []

    def edit(wb: Workbook) -> None:
        est, sc = wb["Estimates"], wb["Scenarios"]
        r = find_row(est, estimate_of="2.1")
        est.cell(r, column(est, "class")).value = "Q"
        cells.append(ref(est, r, "class"))
        est.cell(r + 1, column(est, "analyst")).value = "nobody"
        cells.append(ref(est, r + 1, "analyst"))
        sc.cell(2, column(sc, "malicious")).value = "maybe"
        cells.append(ref(sc, 2, "malicious"))
        sc.cell(3, column(sc, "owner")).value = "no-such-ministry"
        cells.append(ref(sc, 3, "owner"))

    found = errors(edited(exported("nl-integrated"), edit))
    assert sorted(p.file or "" for p in found) == sorted(cells)
    by_cell = {p.file: p for p in found}
    assert "expected yes or no; found 'maybe'" in by_cell[cells[2]].message
    assert "no-such-ministry" in by_cell[cells[3]].message
    assert by_cell[cells[3]].path == ("owner",)


def test_a_range_without_its_lower_class_is_said_at_the_up_to_cell() -> None:
    where: dict[str, str] = {}

    def edit(wb: Workbook) -> None:
        ws = wb["Estimates"]
        r = find_row(ws, estimate_of="likelihood")
        ws.cell(r, column(ws, "class")).value = None
        ws.cell(r, column(ws, "up to class")).value = "C"
        where["cell"] = ref(ws, r, "up to class")

    (p,) = errors(edited(exported("nl-integrated"), edit))
    assert p.file == where["cell"]
    assert "lower class" in p.message


def test_a_text_both_plain_and_per_language_is_refused_at_its_cell() -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["Scenarios"]
        ws.cell(2, column(ws, "title")).value = "One title"

    (p,) = errors(edited(exported("nl-integrated"), edit))
    assert p.file is not None and p.file.startswith("Scenarios!") and p.file.endswith("2")
    assert "not in both" in p.message


def test_a_missing_column_is_named() -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["Analysts"]
        ws.cell(1, column(ws, "organisation")).value = "organization"

    found = problems(edited(exported("uk-nsra"), edit))
    assert any(
        p.file == "Analysts!1" and "the column 'organisation' is missing" in p.message
        for p in found
    )


# -- accepted ---------------------------------------------------------------------------------
def test_numbers_stored_as_text_are_read_as_numbers() -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["Estimates"]
        for r in range(2, ws.max_row + 1):
            c = ws.cell(r, column(ws, "value"))
            if isinstance(c.value, (int, float)):
                c.value = f" {c.value!r} "
                c.data_type = "s"

    same(edited(exported("be-bnra"), edit), "be-bnra")


def test_trailing_spaces_around_ids_and_codes_are_dropped() -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["Estimates"]
        for header in ("scenario", "analyst", "level", "estimate of", "class"):
            c = column(ws, header)
            for r in range(2, ws.max_row + 1):
                v = ws.cell(r, c).value
                if isinstance(v, str):
                    ws.cell(r, c).value = v + "  "

    same(edited(exported("be-bnra"), edit), "be-bnra")


def test_hidden_rows_are_read_with_a_note() -> None:
    def edit(wb: Workbook) -> None:
        wb["Estimates"].row_dimensions[3].hidden = True

    notes = same(edited(exported("uk-nsra"), edit), "uk-nsra")
    assert any(p.file == "Estimates!A3" and "hidden" in p.message for p in notes)


def test_empty_rows_are_skipped() -> None:
    def edit(wb: Workbook) -> None:
        for name in ("Scenarios", "Estimates", "Measures"):
            wb[name].insert_rows(3, 2)

    same(edited(exported("nl-integrated"), edit), "nl-integrated")


def test_an_extra_column_is_ignored_with_a_note() -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["Scenarios"]
        c = ws.max_column + 1
        ws.cell(1, c).value = "notes"
        ws.cell(2, c).value = "check with the ministry"

    notes = same(edited(exported("uk-nsra"), edit), "uk-nsra")
    assert any("the column 'notes' is not read" in p.message for p in notes)


def test_yes_no_in_dutch_and_excel_booleans_are_read() -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["Scenarios"]
        c = column(ws, "malicious")
        for r in range(2, ws.max_row + 1):
            v = ws.cell(r, c).value
            ws.cell(r, c).value = ("ja" if v == "yes" else "nee") if r % 2 else v == "yes"

    same(edited(exported("nl-integrated"), edit), "nl-integrated")


def _cached_formula(book: bytes, sheet_part: str, cell: str, formula: str, value: str) -> bytes:
    """The workbook with one cell turned into a formula whose saved result is ``value``."""
    src = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == sheet_part:
                text = data.decode()
                start = text.index(f'<c r="{cell}"')
                end = text.index("</c>", start) + 4
                new = f'<c r="{cell}" t="str"><f>{formula}</f><v>{value}</v></c>'
                data = (text[:start] + new + text[end:]).encode()
            dst.writestr(info, data)
    return out.getvalue()


def test_a_formula_with_a_saved_result_is_read_as_that_result() -> None:
    book = exported("uk-nsra")
    # Organisations is the third sheet (after Instructions and About): sheet3.xml
    wb_id = _cached_formula(book, "xl/worksheets/sheet3.xml", "A2", 'LOWER("X")', "cabinet-office")
    imported = import_workbook(wb_id, "book.xlsx")
    assert imported.loaded.assessment == example("uk-nsra").assessment


# -- refused ----------------------------------------------------------------------------------
def test_a_formula_without_a_saved_result_is_refused_at_its_cell() -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["Estimates"]
        ws.cell(4, column(ws, "class")).value = '=UPPER("c")'

    (p,) = problems(edited(exported("uk-nsra"), edit))
    assert p.file == "Estimates!E4"
    assert "has no saved result" in p.message


def test_merged_cells_inside_the_data_are_refused_with_their_range() -> None:
    def edit(wb: Workbook) -> None:
        wb["Estimates"].merge_cells("I2:I3")

    (p,) = problems(edited(exported("uk-nsra"), edit))
    assert p.file == "Estimates!I2:I3"
    assert "merged cells" in p.message


@pytest.mark.parametrize("name", ["book.xlsm", "BOOK.XLSM", "book.xlsb"])
def test_a_macro_enabled_workbook_is_refused_by_its_name(name: str) -> None:
    (p,) = problems(exported("uk-nsra"), source=name)
    assert "macro" in p.message
    assert p.file == name


def _with_part(book: bytes, name: str, data: bytes, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr(name, data)
    return out.getvalue()


def test_a_workbook_with_a_vba_project_is_refused_whatever_its_name() -> None:
    book = _with_part(exported("uk-nsra"), "xl/vbaProject.bin", b"\x00" * 100)
    (p,) = problems(book)
    assert "macros (VBA)" in p.message


def test_a_workbook_over_the_size_limit_is_refused() -> None:
    book = exported("uk-nsra")
    (p,) = problems(book, limits=Limits(max_bytes=len(book) - 1))
    assert f"the workbook is {len(book):,} bytes" in p.message


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import nsra.io.excel.reading as reading

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(reading, "load_workbook", never)
    bomb = _with_part(exported("uk-nsra"), "xl/media/zeros.bin", b"\x00" * 30_000_000)
    (p,) = problems(bomb)
    assert "zip bomb" in p.message and "xl/media/zeros.bin" in p.message
    # many parts each under the ratio, too much in all
    (p,) = problems(exported("uk-nsra"), limits=Limits(max_unpacked=10_000))
    assert "unpacks to" in p.message and "zip bomb" in p.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"name,title\npandemic,Pandemic\n", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel file (.xls)"),
    ],
)
def test_other_files_are_refused_in_plain_words(data: bytes, words: str) -> None:
    (p,) = problems(data)
    assert words in p.message


def test_a_workbook_of_another_format_is_refused() -> None:
    def edit(wb: Workbook) -> None:
        wb["About"]["B2"].value = "something-else"

    found = errors(edited(exported("uk-nsra"), edit))
    assert [p.file for p in found] == ["About!B2"]
    assert "not in the format nsra reads" in found[0].message


def _sheet_offset(book: bytes, name: str) -> int:
    """Where a part's compressed data starts in the archive."""
    info = zipfile.ZipFile(io.BytesIO(book)).getinfo(name)
    return info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b, at: b[:at] + b"\xff" * 16 + b[at + 16 :],  # compressed data overwritten
        lambda b, at: b[:at] + bytes(range(16)) + b[at + 16 :],
        lambda b, at: b[: at + 40],  # cut short inside the part
    ],
)
def test_a_damaged_workbook_is_refused_in_plain_words_not_a_crash(damage: Any) -> None:
    """Damage inside a sheet's compressed data shows only while the sheet is read (a bad
    checksum, a broken deflate stream): it is a problem of the file, like any other."""
    book = exported("uk-nsra")
    (p,) = problems(damage(book, _sheet_offset(book, "xl/worksheets/sheet8.xml") + 200))
    assert "damaged" in p.message or "not an Excel workbook" in p.message
    assert "save it" in p.message and p.file == "book.xlsx"
