"""Options several commands share: the language of labels, the largest file accepted, the
database URL, and the output format and file of the commands that print tables."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from nsra import i18n
from nsra.model.text import Lang

DEFAULT_SAMPLES = 10_000
"""Monte Carlo samples of the analyses unless told otherwise: the value of
``nsra.analysis.uncertainty.DEFAULT_SAMPLES``, written here so that the command's options do not
load the analyses (and scipy) before a command runs (a test holds the two equal)."""

WORKBOOK_MAX_BYTES = 50_000_000
"""The largest workbook ``nsra excel import`` reads unless told otherwise:
``nsra.io.excel.safety.MAX_BYTES``, written here so that the command's options do not load
openpyxl (a test holds the two equal)."""


def languages(langs: Sequence[Lang]) -> str:
    """The languages as a sentence lists them: ``en``, ``en or nl``, ``en, nl or fr``."""
    if len(langs) <= 1:
        return "".join(langs)
    return ", ".join(langs[:-1]) + " or " + langs[-1]


def nsra_lang(value: str) -> Lang:
    """``value`` when nsra's own words exist in it (:data:`nsra.i18n.LANGS`); else wrong use of
    the command (exit 2), naming the languages allowed."""
    if value not in i18n.LANGS:
        raise typer.BadParameter(
            f"{value!r} is not a language of nsra's labels; allowed: {', '.join(i18n.LANGS)}"
        )
    return value


LangOpt = Annotated[
    Lang,
    typer.Option(
        "--lang",
        help=f"Language of labels: {languages(i18n.LANGS)}.",
        parser=nsra_lang,
        metavar=f"<{'|'.join(i18n.LANGS)}>",
    ),
]
"""``--lang``: one of the languages of nsra's own words (default English)."""

MaxSize = Annotated[
    int,
    typer.Option("--max-size", min=1, help="Largest file accepted, in bytes.", show_default=True),
]
"""``--max-size``: the largest assessment file read, in bytes."""

DbUrl = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Database URL (default: NSRA_DATABASE_URL, else sqlite:///nsra.db in this folder).",
    ),
]
"""``--url``: the database of the server's commands."""


class Fmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[Fmt, typer.Option("--format", help="table, json or csv")]
"""``--format``: a table for people (the default), JSON or CSV."""

OutputOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write to this file (json or csv).")
]
"""``-o``/``--output``: the file the JSON or CSV is written to (standard output without)."""
