"""An assessment as a filled workbook (``nsra excel export``): every sheet holds the
assessment's data, so that importing the workbook gives the same assessment back."""

from __future__ import annotations

from nsra.io.excel.book import info_for, write_book
from nsra.io.excel.layout import ordered_langs
from nsra.io.excel.rows import languages_of, sheet_rows
from nsra.model.assessment import Assessment
from nsra.model.method import Method

EXPORT_SPARE_ROWS = 20
"""Empty rows with drop-down lists below the data of each sheet, to add to."""


def export_workbook(assessment: Assessment, method: Method) -> bytes:
    """The workbook's bytes (``.xlsx``) of a checked assessment and its method."""
    rows = sheet_rows(assessment, method)
    info_for(method, rows)
    return write_book(method, rows, ordered_langs(languages_of(assessment)), EXPORT_SPARE_ROWS)
