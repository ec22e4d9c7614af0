"""``nsra compare OLD NEW``: the changes since the previous edition, as tables, JSON or CSV.

OLD and NEW are assessment files (YAML or JSON), or editions in the server's database:
``db:ID/N`` is published version N of assessment ID, ``db:ID/live`` the assessment as it is now
(the database is ``--url``, else ``NSRA_DATABASE_URL``, else ``sqlite:///nsra.db``). The
comparison is :func:`nsra.analysis.editions.compare_editions`, the document
:func:`nsra.io.changes.changes_of`.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

import nsra
from nsra.cli.console import out
from nsra.cli.files import load, write_atomic
from nsra.cli.options import DbUrl, Fmt, FormatOpt, LangOpt, MaxSize, OutputOpt
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import DEFAULT_MAX_BYTES
from nsra.model.text import DEFAULT_LANG

if TYPE_CHECKING:
    from nsra.io.jsondoc import Json
    from nsra.io.validate import Loaded

DB_EDITION = re.compile(r"^db:([1-9][0-9]{0,8})/([1-9][0-9]{0,8}|live)$")
"""``db:ID/N`` (published version N of assessment ID) or ``db:ID/live``."""

ARROW = "->"


def _from_database(spec: str, url: str | None) -> Loaded:
    """A published version (or the live state) of an assessment in the server's database."""
    from sqlalchemy.orm import Session

    from nsra.cli.database import database
    from nsra.server.db import versions as vs
    from nsra.server.db.exporting import assessment_data
    from nsra.server.db.methods import method_of
    from nsra.server.db.models import AssessmentRow

    found = DB_EDITION.match(spec)
    if found is None:
        raise InputError(
            [
                Problem(
                    f"{spec!r}: an edition in the database is written db:ID/N (published version "
                    "N of assessment ID) or db:ID/live (the assessment as it is now)"
                )
            ]
        )
    assessment_id, which = int(found.group(1)), found.group(2)
    with database(url) as engine, Session(engine) as session:
        row = session.get(AssessmentRow, assessment_id)
        if row is None:
            raise InputError([Problem(f"there is no assessment {assessment_id} in the database")])
        if which == "live":
            data = vs.round_trip(assessment_data(session, assessment_id))
            return vs.loaded_of(data, method_of(row.method), f"assessment {assessment_id} (live)")
        version = vs.version_by_number(session, assessment_id, int(which))
        if version is None:
            raise InputError(
                [Problem(f"assessment {assessment_id} has no published version {which}")]
            )
        loaded = vs.version_loaded(version)
    return replace(loaded, source=f"assessment {assessment_id} version {which}")


def edition(spec: str, url: str | None, max_size: int) -> Loaded:
    """An edition: an assessment file, or ``db:ID/N`` / ``db:ID/live`` in the database."""
    if spec.startswith("db:"):
        return _from_database(spec, url)
    return load(Path(spec), max_size)


def compare(
    old: Annotated[
        str, typer.Argument(help="The previous edition: a file, or db:ID/N (version N).")
    ],
    new: Annotated[str, typer.Argument(help="The new edition: a file, db:ID/N or db:ID/live.")],
    fmt: FormatOpt = Fmt.table,
    output: OutputOpt = None,
    lang: LangOpt = DEFAULT_LANG,
    url: DbUrl = None,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """What changed since the previous edition: new and removed scenarios, rank and class
    changes with the estimates that caused them, measures added, completed or removed."""
    from nsra.io.changes import changes_csv, changes_of

    if output is not None and fmt == Fmt.table:
        raise InputError([Problem("--output needs --format json or csv")])
    before, after = edition(old, url, max_size), edition(new, url, max_size)
    doc = changes_of(before, nsra.compute(before), after, nsra.compute(after), lang)
    if fmt == Fmt.table:
        print_changes(doc)
        return
    text = (
        json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        if fmt == Fmt.json
        else changes_csv(doc)
    )
    if output is not None:
        write_atomic(output, text)
        out.print(f"Written: {output}")
    else:
        sys.stdout.write(text)


# -- the tables -----------------------------------------------------------------------------------
def _or_dash(x: object) -> str:
    return "-" if x is None else str(x)


def _pair(a: object, b: object) -> str:
    """``C -> D``, or ``C`` when unchanged."""
    return _or_dash(a) if a == b else f"{_or_dash(a)} {ARROW} {_or_dash(b)}"


def _move(moved: int | None) -> str:
    if moved is None or moved == 0:
        return ""
    return f"up {moved}" if moved > 0 else f"down {-moved}"


def _cause(x: Json) -> str:
    slot = x["slot"] if x["level"] is None else f"{x['slot']} [{x['level']}]"
    text = f"{slot} {_pair(x['old']['class'], x['new']['class'])}"
    if x["old"]["consensus"] != x["new"]["consensus"]:
        text += f", consensus {_pair(x['old']['consensus'], x['new']['consensus'])}"
    who = [f"{w['analyst']} {_pair(w['old'], w['new'])}" for w in x["analysts"]]
    return text + (f" ({'; '.join(who)})" if who else "")


def _no_cause(sc: Json) -> str:
    """Why a risk moved when none of its own estimates changed."""
    if sc["old"]["risk"] == sc["new"]["risk"]:
        return "other risks moved"
    return "its risk changed through cascades (no estimate of its own changed)"


def print_changes(doc: Json) -> None:
    """The changes as readable sections: summary, moved risks, estimates, scenarios, measures."""
    old, new, counts = doc["old"], doc["new"], doc["counts"]

    def edition_line(e: Json) -> str:
        return f"{e['title']} ({e['date']}, {e['method']['id']} {e['method']['version']})"

    out.print(f"Changes from {edition_line(old)}", style="bold")
    out.print(f"          to {edition_line(new)}", style="bold")
    if not doc["same_method"]:
        out.print(
            "The editions use different methods: their classes are on different scales and are "
            "compared as codes.",
            style="yellow",
        )
    if not doc["changed"]:
        out.print("No changes.")
        return
    out.print(
        f"{counts['added']} new and {counts['removed']} removed scenarios; "
        f"{counts['moved']} risks moved ({counts['up']} up, {counts['down']} down); "
        f"{counts['serious_new']} newly serious, {counts['serious_gone']} no longer serious; "
        f"measures: {counts['measures_added']} added, {counts['measures_completed']} completed, "
        f"{counts['measures_removed']} removed."
    )
    changed = doc["scenarios"]["changed"]
    moved = [sc for sc in changed if sc["shifted"]]
    if moved:
        table = Table(title="Moved risks")
        for col in ("rank", "move", "scenario", "likelihood", "impact", "serious", "because"):
            table.add_column(col)
        for sc in moved:
            o, n = sc["old"], sc["new"]
            level = _pair(o["level"], n["level"]) if o["level"] or n["level"] else ""
            table.add_row(
                _pair(o["rank"], n["rank"]),
                _move(sc["moved"]),
                sc["title"] + (f" [{level}]" if level else ""),
                _pair(o["likelihood"], n["likelihood"]),
                _pair(o["impact"], n["impact"]),
                _pair("yes" if o["serious"] else "no", "yes" if n["serious"] else "no"),
                "\n".join(_cause(x) for x in sc["causes"]) or _no_cause(sc),
            )
        out.print(table)
    quiet = [sc for sc in changed if not sc["shifted"] and sc["causes"]]
    if quiet:
        table = Table(title="Changed estimates that moved no class or rank")
        table.add_column("scenario")
        table.add_column("estimates")
        for sc in quiet:
            table.add_row(sc["title"], "\n".join(_cause(x) for x in sc["causes"]))
        out.print(table)
    for kind, title in (("added", "New scenarios"), ("removed", "Removed scenarios")):
        items = doc["scenarios"][kind]
        if items:
            out.print(f"{title}: " + "; ".join(f"{x['title']} ({x['id']})" for x in items))
    rows = [(kind, m) for kind, ms in doc["measures"].items() for m in ms]
    if rows:
        table = Table(title="Measures")
        for col in ("change", "measure", "status"):
            table.add_column(col)
        for kind, m in rows:
            table.add_row(kind, m["title"], _pair(m["old_status"], m["new_status"]))
        out.print(table)
    for kind, title in (("added", "New strategies"), ("removed", "Removed strategies")):
        items = doc["strategies"][kind]
        if items:
            out.print(f"{title}: " + "; ".join(f"{x['title']} ({x['id']})" for x in items))
