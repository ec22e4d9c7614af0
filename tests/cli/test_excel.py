"""``nsra excel``: template, export and import as a user runs them; problems with sheet and
cell on standard error, exit code 1, nothing written, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl.workbook.workbook import Workbook

import nsra
from tests.helpers import EXAMPLES_DIR, run_main
from tests.io.excel_books import column, edited, exported, find_row, ref


def test_export_then_import_gives_a_file_that_reads_as_the_same_assessment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = EXAMPLES_DIR / "be-bnra.yaml"
    book, back = tmp_path / "book.xlsx", tmp_path / "back.yaml"
    code, out, err = run_main(capsys, "excel", "export", str(source), "-o", str(book))
    assert code == 0, err
    assert "7 scenarios exported" in out
    code, out, err = run_main(capsys, "excel", "import", str(book), "-o", str(back))
    assert code == 0, err
    assert "7 scenarios" in out and "be-bnra-2023" in out
    assert nsra.read(str(back)).assessment == nsra.read(str(source)).assessment


def test_import_to_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book, back = tmp_path / "book.xlsx", tmp_path / "back.json"
    book.write_bytes(exported("uk-nsra"))
    code, _, err = run_main(capsys, "excel", "import", str(book), "-o", str(back))
    assert code == 0, err
    assert (
        nsra.read(str(back)).assessment == nsra.read(str(EXAMPLES_DIR / "uk-nsra.yaml")).assessment
    )


@pytest.mark.parametrize("source", ["nl-snv", "be-bnra-2023"])
def test_template_for_a_method_by_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    book = tmp_path / "t.xlsx"
    code, out, err = run_main(capsys, "excel", "template", source, "-o", str(book))
    assert code == 0, err
    assert f"template for method {source}" in out
    assert book.read_bytes()[:2] == b"PK"


def test_template_for_an_assessment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "t.xlsx"
    source = EXAMPLES_DIR / "uk-nsra.yaml"
    code, out, err = run_main(capsys, "excel", "template", str(source), "-o", str(book))
    assert code == 0, err
    assert "template with the 8 scenarios" in out


def test_a_workbook_with_problems_writes_nothing_and_names_each_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cells: list[str] = []

    def edit(wb: Workbook) -> None:
        ws = wb["Estimates"]
        r = find_row(ws, estimate_of="likelihood")
        ws.cell(r, column(ws, "class")).value = "F"
        cells.append(ref(ws, r, "class"))
        ws.cell(r + 1, column(ws, "value")).value = "lots"
        cells.append(ref(ws, r + 1, "value"))

    book, target = tmp_path / "book.xlsx", tmp_path / "out.yaml"
    book.write_bytes(edited(exported("nl-integrated"), edit))
    code, out, err = run_main(capsys, "excel", "import", str(book), "-o", str(target))
    assert code == 1
    assert (
        f"{cells[0]}: error: likelihood: " in err and "no class 'F'; allowed: A, B, C, D, E" in err
    )
    assert f"{cells[1]}: error: value: expected a number; found 'lots'" in err
    assert "2 problems found; nothing was computed or written." in err
    assert "Traceback" not in err + out
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [book]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["export", "EXAMPLE", "-o", "book.xls"], "written as .xlsx"),
        (["import", "BOOK", "-o", "out.txt"], "written as .yaml or .json"),
        (["import", "missing.xlsx", "-o", "out.yaml"], "cannot read"),
        (["template", "no-such-method", "-o", "t.xlsx"], "no-such-method"),
    ],
)
def test_wrong_use_is_said_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    (tmp_path / "book.xlsx").write_bytes(exported("uk-nsra"))
    replace = {
        "EXAMPLE": str(EXAMPLES_DIR / "uk-nsra.yaml"),
        "BOOK": str(tmp_path / "book.xlsx"),
    }
    argv = [
        replace.get(a, a if a.startswith("-") or "." not in a else str(tmp_path / a)) for a in args
    ]
    code, out, err = run_main(capsys, "excel", *argv)
    assert code == 1, out + err
    assert words in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
