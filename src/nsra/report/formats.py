"""The report's formats: the HTML page, and the PDF and Word documents built from it.

The file name's suffix chooses the format (``report.pdf``); :func:`publish` turns the rendered
HTML report into the bytes of the chosen format.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal, get_args

from nsra.io.problems import InputError, Problem

ReportFormat = Literal["html", "pdf", "docx"]
FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)

MEDIA_TYPES: dict[ReportFormat, str] = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def format_of(path: str | PurePath) -> ReportFormat:
    """The format a report file name asks for by its suffix (``.html``/``.htm``, ``.pdf``,
    ``.docx``); any other suffix is an :class:`InputError` naming the ones there are."""
    suffix = PurePath(path).suffix.lower().lstrip(".")
    if suffix == "htm":
        return "html"
    for fmt in FORMATS:
        if suffix == fmt:
            return fmt
    found = f"'.{suffix}'" if suffix else "no suffix"
    raise InputError(
        [
            Problem(
                f"{PurePath(path).name}: the report is written as .html, .pdf or .docx; the file "
                f"name decides which (found {found})"
            )
        ]
    )


def publish(page: str, fmt: ReportFormat) -> bytes:
    """The rendered HTML report ``page`` in format ``fmt``, as the bytes of the file."""
    if fmt == "pdf":
        from nsra.report.pdf import render_pdf

        return render_pdf(page)
    if fmt == "docx":
        from nsra.report.word import render_docx

        return render_docx(page)
    return page.encode("utf-8")
