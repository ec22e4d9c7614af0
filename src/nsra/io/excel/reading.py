"""Reading a workbook's cells: the checked archive (:mod:`.safety`) opened with openpyxl
(read-only, the values Excel saved), each sheet of the layout as rows of values with their
row numbers, and what is refused in the data: merged cells, and formulas whose result was
never saved (a workbook written by a program and never opened in Excel).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from nsra.io.excel.layout import SHEETS
from nsra.io.excel.safety import Limits, checked_archive
from nsra.io.problems import InputError, Problem

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*?\bhidden="(?:1|true)"')


@dataclass
class Grid:
    """One sheet's cells: rows of values (row 1 is the header), with the sheet's name."""

    name: str
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)

    def ref(self, row: int, col: int) -> str:
        """``Estimates!F12``: the cell at 1-based ``row`` and 0-based ``col``."""
        return f"{self.name}!{get_column_letter(col + 1)}{row}"


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the archive part that holds it."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {}
    for r in rels.iter(f"{{{_NS_PKG}}}Relationship"):
        target = r.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[r.get("Id")] = target
    out = {}
    for s in book.iter(f"{{{_NS_MAIN}}}sheet"):
        rid = s.get(f"{{{_NS_REL}}}id")
        if s.get("name") is not None and rid in targets:
            out[str(s.get("name"))] = targets[rid]
    return out


def _checked_parts(
    archive: zipfile.ZipFile, parts: dict[str, str], source: str
) -> tuple[list[str], dict[str, list[int]], list[Problem]]:
    """The sheets with formulas, the hidden rows per sheet, and merged cells refused."""
    wanted = {s.name for s in SHEETS}
    with_formulas: list[str] = []
    hidden: dict[str, list[int]] = {}
    problems: list[Problem] = []
    for name, part in parts.items():
        if name not in wanted:
            continue
        try:
            xml = archive.read(part)
        except KeyError:
            continue
        for m in _MERGE.finditer(xml):
            ref = m.group(1).decode()
            problems.append(
                Problem(
                    "merged cells inside the data are not read: unmerge them (Home > Merge & "
                    "Center > Unmerge Cells) and give every cell its own value",
                    file=f"{name}!{ref}",
                )
            )
        if _FORMULA.search(xml):
            with_formulas.append(name)
        hidden[name] = [int(m.group(1)) for m in _HIDDEN_ROW.finditer(xml)]
    return with_formulas, hidden, problems


def _formula_problems(data: bytes, sheets: list[str], grids: dict[str, Grid]) -> list[Problem]:
    """Formulas whose result was never saved: their cell would read as empty."""
    problems: list[Problem] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        for name in sheets:
            grid = grids.get(name)
            if grid is None:
                continue
            for r, row in enumerate(wb[name].iter_rows(values_only=True), start=1):
                for c, v in enumerate(row):
                    if not (isinstance(v, str) and v.startswith("=")):
                        continue
                    saved = (
                        grid.rows[r - 1][c]
                        if r <= len(grid.rows) and c < len(grid.rows[r - 1])
                        else None
                    )
                    if saved is None:
                        problems.append(
                            Problem(
                                f"the formula {v[:60]} has no saved result: open the workbook "
                                "in Excel or LibreOffice, let it calculate and save it, or "
                                "type the value",
                                file=grid.ref(r, c),
                            )
                        )
    finally:
        wb.close()
    return problems


_MAX_ROWS, _MAX_COLUMNS = 1_048_576, 16_384  # Excel's own limits


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    """A sheet's rows, each as wide as its header row. Both bounds are given so that openpyxl
    does not read the whole sheet once more to find its size (a workbook written by a program
    often does not say it)."""
    head = next(ws.iter_rows(max_row=1, max_col=_MAX_COLUMNS, values_only=True), ())
    width = max((n + 1 for n, v in enumerate(head) if v is not None), default=0)
    if width == 0:
        return []
    return list(ws.iter_rows(max_row=_MAX_ROWS, max_col=width, values_only=True))


DAMAGED = (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, SyntaxError)
"""What reading a damaged archive raises: a part whose checksum or compressed data is wrong, a
zip feature Python does not read, XML cut short (``ParseError`` is a ``SyntaxError``)."""


def read_grids(data: bytes, source: str, limits: Limits | None = None) -> dict[str, Grid]:
    """The cells of every sheet of the layout the workbook has; InputError when the workbook
    is refused (size, macros, zip bomb, merged cells, formulas without saved results) or
    damaged (its parts are read lazily, so damage may show only while its cells are read)."""
    try:
        return _read_grids(data, source, limits)
    except DAMAGED as exc:
        raise InputError(
            [
                Problem(
                    f"the workbook is damaged ({type(exc).__name__}): open it in Excel or "
                    "LibreOffice and save it again as an Excel workbook (.xlsx)",
                    file=source,
                )
            ]
        ) from None


def _read_grids(data: bytes, source: str, limits: Limits | None) -> dict[str, Grid]:
    archive = checked_archive(data, source, limits)
    parts = _sheet_parts(archive)
    with_formulas, hidden, problems = _checked_parts(archive, parts, source)
    if problems:
        raise InputError(problems)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of extensions it does not read
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged archive
        raise InputError(
            [
                Problem(
                    f"the workbook cannot be opened ({type(exc).__name__}): open it in Excel "
                    "or LibreOffice and save it again as an Excel workbook (.xlsx)",
                    file=source,
                )
            ]
        ) from None
    grids: dict[str, Grid] = {}
    try:
        names = set(wb.sheetnames)
        for s in SHEETS:
            if s.name not in names:
                continue
            grids[s.name] = Grid(s.name, _rows(wb[s.name]), hidden.get(s.name, []))
    finally:
        wb.close()
    if with_formulas:
        problems = _formula_problems(data, with_formulas, grids)
        if problems:
            raise InputError(problems)
    return grids
