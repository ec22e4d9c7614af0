"""Workbooks for the Excel tests: an example exported, opened for editing as a person would in
Excel (openpyxl, not read-only), and saved again; and where a row or column is."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

import nsra
from nsra.io.excel import export_workbook
from nsra.io.validate import Loaded
from tests.helpers import EXAMPLES_DIR


@functools.lru_cache(maxsize=8)
def example(name: str) -> Loaded:
    return nsra.read(str(EXAMPLES_DIR / f"{name}.yaml"))


@functools.lru_cache(maxsize=8)
def exported(name: str) -> bytes:
    loaded = example(name)
    return export_workbook(loaded.assessment, loaded.method)


def edited(book: bytes, edit: Callable[[Workbook], None]) -> bytes:
    """The workbook after ``edit`` changed it (opened and saved as Excel would)."""
    wb = openpyxl.load_workbook(io.BytesIO(book))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def column(ws: Worksheet, header: str) -> int:
    """The 1-based column of a header in row 1."""
    for cell in ws[1]:
        if cell.value == header:
            return int(cell.column)
    raise KeyError(header)


def find_row(ws: Worksheet, **match: object) -> int:
    """The first data row whose cells under the given headers hold the given values
    (``estimate_of="likelihood"`` for the header ``estimate of``)."""
    cols = {column(ws, k.replace("_", " ")): v for k, v in match.items()}
    for r in range(2, ws.max_row + 1):
        if all(ws.cell(r, c).value == v for c, v in cols.items()):
            return r
    raise KeyError(match)


def ref(ws: Worksheet, row: int, header: str) -> str:
    """``Estimates!E5``: the cell of a header in a row."""
    return f"{ws.title}!{ws.cell(row, column(ws, header)).coordinate}"
