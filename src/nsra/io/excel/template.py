"""A workbook to fill in (``nsra excel template``): for a method, empty sheets with the
method's classes, units and drop-down lists; for an existing assessment, its data with a row
for every estimate still to give (each analyst x scenario x level x criterion or likelihood).
"""

from __future__ import annotations

import datetime as dt

from nsra.io.excel.book import info_for, write_book
from nsra.io.excel.layout import DEFAULT_LANGS, FORMAT, ordered_langs
from nsra.io.excel.rows import estimate_grid, languages_of, sheet_rows
from nsra.model.assessment import Assessment
from nsra.model.method import Method

TEMPLATE_SPARE_ROWS = 200
"""Empty rows with drop-down lists in each sheet of a template."""


def method_template(method: Method, method_ref: str | None = None) -> bytes:
    """An empty workbook for ``method`` (named in the file as ``method_ref``, else its id)."""
    about = {
        "format": FORMAT,
        "method": method_ref or method.id,
        "method version": method.version,
        "date": dt.date.today().isoformat(),
        "illustrative": False,
        "measures basis": "current",
    }
    return write_book(method, {"About": [about]}, DEFAULT_LANGS, TEMPLATE_SPARE_ROWS)


def assessment_template(assessment: Assessment, method: Method) -> bytes:
    """The assessment's workbook with a row for every estimate, given or still to give."""
    rows = sheet_rows(assessment, method)
    rows["Estimates"] = estimate_grid(assessment, method)
    info_for(method, rows)
    langs = ordered_langs(languages_of(assessment))
    return write_book(method, rows, langs, TEMPLATE_SPARE_ROWS)
