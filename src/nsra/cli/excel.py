"""``nsra excel``: a workbook to fill in (``template``), an assessment as a workbook
(``export``), and a workbook read back as an assessment file (``import``), every problem said
with its sheet and cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml

from nsra.cli.console import out, show_problems
from nsra.cli.files import load, write_atomic
from nsra.cli.options import WORKBOOK_MAX_BYTES, MaxSize
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from nsra.model.method import Method

excel_app = typer.Typer(
    help="Excel workbooks: a template to fill in, an assessment exported, a workbook imported."
)

Output = Annotated[Path, typer.Option("-o", "--output", help="The workbook to write (.xlsx).")]


def _xlsx(output: Path) -> None:
    if output.suffix.lower() != ".xlsx":
        raise InputError([Problem(f"the workbook is written as .xlsx; found {output.name!r}")])


def _is_method(ref: str, max_size: int) -> bool:
    """A shipped method id, or a file with criteria and scales but no scenarios."""
    from nsra.io.methods import shipped_method_ids
    from nsra.io.safeyaml import Limits, load, read_text

    if ref in shipped_method_ids():
        return True
    data = load(read_text(ref, Limits(max_bytes=max_size)), ref)
    return isinstance(data, dict) and "scenarios" not in data and "criteria" in data


@excel_app.command("template")
def template(
    source: Annotated[
        str,
        typer.Argument(
            help="A method (an id as 'nsra methods' lists them, or a method file) or an "
            "assessment file."
        ),
    ],
    output: Output,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Write a workbook to fill in: for a method, empty sheets with its classes and drop-down
    lists; for an assessment, its data with a row for every estimate still to give."""
    from nsra.io.excel import assessment_template, method_template
    from nsra.io.methods import load_method

    _xlsx(output)
    if _is_method(source, max_size):
        method = load_method(source)
        book = method_template(method, source)
        write_atomic(output, book)
        out.print(f"{output}: template for method {method.id} {method.version}")
        return
    loaded = load(Path(source), max_size)
    write_atomic(output, assessment_template(loaded.assessment, loaded.method))
    out.print(
        f"{output}: template with the {len(loaded.assessment.scenarios)} scenarios of {source}"
    )


@excel_app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="Assessment file (YAML or JSON).")],
    output: Output,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Write an assessment as a filled workbook; importing it gives the same assessment."""
    from nsra.io.excel import export_workbook

    _xlsx(output)
    loaded = load(file, max_size)
    write_atomic(output, export_workbook(loaded.assessment, loaded.method))
    out.print(f"{output}: {len(loaded.assessment.scenarios)} scenarios exported")


@excel_app.command("import")
def import_(
    book: Annotated[Path, typer.Argument(help="The workbook (.xlsx).")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The assessment file to write (.yaml or .json).")
    ],
    max_size: Annotated[
        int, typer.Option("--max-size", min=1, help="Largest workbook accepted, in bytes.")
    ] = WORKBOOK_MAX_BYTES,
) -> None:
    """Read a workbook, check it as an assessment file and write that file. Every problem is
    said with its sheet and cell; nothing is written when there is one."""
    from nsra.io.excel import Limits, import_workbook
    from nsra.io.methods import load_method

    if output.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise InputError(
            [Problem(f"the assessment is written as .yaml or .json; found {output.name!r}")]
        )
    try:
        size = book.stat().st_size
        if size > max_size:
            raise InputError(
                [
                    Problem(
                        f"the workbook is {size:,} bytes; the largest accepted is {max_size:,}",
                        file=str(book),
                    )
                ]
            )
        data = book.read_bytes()
    except OSError as exc:
        raise InputError([Problem(f"cannot read {book}: {exc.strerror}")]) from None

    def method_for(ref: str) -> Method:
        return load_method(ref, relative_to=str(book))

    imported = import_workbook(data, str(book), method_for, Limits(max_bytes=max_size))
    if imported.warnings:
        show_problems(imported.warnings)
    if output.suffix.lower() == ".json":
        text = json.dumps(imported.data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = f"# Imported by nsra from the workbook {book.name}.\n" + yaml.safe_dump(
            imported.data, sort_keys=False, allow_unicode=True, width=100
        )
    write_atomic(output, text)
    a = imported.loaded.assessment
    out.print(
        f"{output}: {len(a.scenarios)} scenarios, {len(imported.loaded.inputs.estimates)} "
        f"estimates, method {imported.loaded.method.id} {imported.loaded.method.version}"
    )
