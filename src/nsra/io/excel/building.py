"""From the workbook's cells to the data of an assessment file, and where each field came from.

:func:`build` reads every sheet of the layout (:mod:`nsra.io.excel.layout`) with its header row,
converts the cells by their column's kind (:mod:`nsra.io.excel.cells`) and puts the rows
together as an assessment file would have them: a scenario's estimates from the ``Estimates``
rows of the same scenario, level and analyst, a measure's effects from its ``Effects`` rows and
so on. It records, for every field path (``scenarios[3].estimates[2].impact.Ha``), the cell it
came from, so that the file's usual checks can be said with sheet and cell.

Accepted without a word: empty rows, hidden rows, columns in any order, trailing spaces around
ids and codes, numbers stored as text. Columns nsra does not know are ignored, with a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nsra.io.excel import cells
from nsra.io.excel.cells import CellError
from nsra.io.excel.layout import (
    FORMAT,
    LIKELIHOOD,
    SHEETS,
    Column,
    Sheet,
    horizon_of,
    sheet,
    split_header,
)
from nsra.io.excel.reading import Grid
from nsra.io.problems import Path, Problem

Data = dict[str, Any]
SPEC_KEYS = ("class", "up to class", "value", "scale", "rationale")
SHIFT_KEYS = ("steps", "factor", "low", "high")


@dataclass
class Where:
    """Field path -> the cell (``Estimates!F12``) or row it came from; the cells that could
    not be read."""

    cells: dict[Path, str] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)

    def put(self, path: Path, ref: str) -> None:
        self.cells.setdefault(path, ref)

    def find(self, path: Path) -> str | None:
        """The cell of ``path``, else of the nearest field that holds it."""
        for n in range(len(path), -1, -1):
            ref = self.cells.get(path[:n])
            if ref is not None:
                return ref
        return None


@dataclass
class RowIn:
    """One data row: its number, its fields read (a multilingual text as a text or a mapping),
    the cell of each field, and the fields whose cell could not be read."""

    number: int
    ref: str
    values: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def has(self, keys: Iterable[str]) -> bool:
        return any(self.values.get(k) is not None or k in self.failed for k in keys)


def field_name(key: str) -> str:
    """The assessment file's field of a column: ``measures basis`` -> ``measures_basis``."""
    return key.replace(" ", "_")


class Builder:
    """One import: the problems and notes found, and where every field came from."""

    def __init__(self, grids: dict[str, Grid]) -> None:
        self.grids = grids
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        self.where = Where()

    # -- cells -------------------------------------------------------------------------------
    def problem(self, ref: str, field_: str, message: str) -> None:
        self.problems.append(Problem(message, (field_,) if field_ else (), file=ref))

    def _read_cell(self, row: RowIn, c: Column, lang: str | None, value: Any, ref: str) -> None:
        try:
            v = cells.read(c, value)
        except CellError as e:
            row.failed.add(c.key)
            row.refs.setdefault(c.key, ref)
            self.where.failed.add(ref)
            self.problem(ref, c.key, e.message)
            return
        if v is None:
            return
        if lang is None:
            if isinstance(row.values.get(c.key), dict):
                self._both(row, c, ref)
                return
            row.values[c.key] = v
            row.refs[c.key] = ref
        else:
            current = row.values.get(c.key)
            if isinstance(current, str):
                self._both(row, c, ref)
                return
            row.values.setdefault(c.key, {})[lang] = v
            row.refs.setdefault(c.key, ref)

    def _both(self, row: RowIn, c: Column, ref: str) -> None:
        if c.key in row.failed:
            return  # said once per text
        row.failed.add(c.key)
        self.where.failed.add(ref)
        self.where.failed.add(row.refs.setdefault(c.key, ref))
        self.problem(
            ref,
            c.key,
            f"give the text either in the column '{c.key}' (one text for every language) or per "
            f"language in '{c.key} (en)', '{c.key} (nl)', ..., not in both",
        )

    def _known(
        self, s: Sheet, header: Any, what: str, ref: str
    ) -> tuple[Column | None, str | None]:
        """The column a header names and its language; None (with a note) when not read."""
        key, lang = split_header(str(header).strip())
        try:
            c = s.column(key.lower())
        except KeyError:
            c = None
        if c is not None and (lang is None or c.multilingual):
            return c, lang
        why = f": '{c.key}' is one text for every language" if c is not None else ""
        self.notes.append(
            Problem(f"the {what} '{header}' is not read{why}", severity="warning", file=ref)
        )
        return None, None

    def table(self, s: Sheet) -> list[RowIn]:
        """The data rows of a table sheet (none when the workbook lacks it)."""
        grid = self.grids.get(s.name)
        if grid is None or not grid.rows:
            return []
        head = grid.rows[0]
        plan: list[tuple[int, Column, str | None]] = []
        seen: dict[tuple[str, str | None], str] = {}
        for n, h in enumerate(head):
            if h is None or (isinstance(h, str) and not h.strip()):
                continue
            ref = grid.ref(1, n)
            c, lang = self._known(s, h, "column", ref)
            if c is None or c.kind == "info":
                continue
            if (c.key, lang) in seen:
                self.problem(
                    ref, c.key, f"the column '{h}' is there twice (also {seen[c.key, lang]})"
                )
                continue
            seen[(c.key, lang)] = ref
            plan.append((n, c, lang))
        rows: list[RowIn] = []
        for number, values in enumerate(grid.rows[1:], start=2):
            if not any(
                v is not None and not (isinstance(v, str) and not v.strip()) for v in values
            ):
                continue
            row = RowIn(number, grid.ref(number, 0))
            for n, c, lang in plan:
                if n < len(values) and values[n] is not None:
                    self._read_cell(row, c, lang, values[n], grid.ref(number, n))
            if row.values or row.failed:
                rows.append(row)
        if rows:
            missing = [c.key for c in s.columns if c.required and (c.key, None) not in seen]
            for key in missing:
                self.problem(
                    f"{s.name}!1", key, f"the column '{key}' is missing (row 1 names the columns)"
                )
            if missing:
                return []
        return rows

    def record(self, s: Sheet) -> RowIn:
        """A record sheet (field names in column A, values in column B) as one row."""
        grid = self.grids.get(s.name)
        row = RowIn(1, f"{s.name}!A1")
        if grid is None:
            self.problem(f"{s.name}", "", f"the sheet '{s.name}' is missing; it names the method")
            return row
        for number, values in enumerate(grid.rows[1:], start=2):
            if not values or values[0] is None or not str(values[0]).strip():
                continue
            ref = grid.ref(number, 1)
            c, lang = self._known(s, values[0], "field", ref)
            if c is None:
                continue
            value = values[1] if len(values) > 1 else None
            if value is not None:
                self._read_cell(row, c, lang, value, ref)
        return row

    # -- fields -------------------------------------------------------------------------------
    def fields(self, row: RowIn, keys: Iterable[str], path: Path, out: Data) -> Data:
        """Copy the given columns of a row into ``out`` as the file's fields."""
        for key in keys:
            name = field_name(key)
            if key in row.refs:
                self.where.put((*path, name), row.refs[key])
            v = row.values.get(key)
            if v is not None and key not in row.failed:
                out[name] = v
        return out

    def spec(self, row: RowIn, path: Path) -> Any:
        """The estimate of a row in its file form: ``"C"``, ``"C..D"``, ``3`` or a mapping."""
        code = row.get("class")
        upto = row.get("up to class")
        ref = row.refs.get("class") or next(
            (row.refs[k] for k in SPEC_KEYS if k in row.refs), row.ref
        )
        self.where.put(path, ref)
        for k in ("value", "scale", "rationale"):
            if k in row.refs:
                self.where.put((*path, k), row.refs[k])
        if upto is not None:
            if code is None:
                self.problem(
                    row.refs["up to class"],
                    "up to class",
                    "a range needs its lower class in 'class' too (class B, up to class C)",
                )
                self.where.failed.add(row.refs["up to class"])
                return None
            code = f"{code}..{upto}"
        rest = {k: row.get(k) for k in ("value", "scale", "rationale") if row.get(k) is not None}
        if not rest:
            return code
        return {"class": code, **rest} if code is not None else rest

    def shift(self, row: RowIn, path: Path) -> Data:
        """A shift as a mapping of ``steps``, ``factor``, ``low`` and ``high``."""
        ref = next((row.refs[k] for k in SHIFT_KEYS if k in row.refs), row.ref)
        self.where.put(path, ref)
        return self.fields(row, SHIFT_KEYS, path, {})


class _Groups:
    """Rows gathered into groups (one estimate, one cascade, one effect), in the order each
    group first appears; the fields of a group given once or the same on each row."""

    def __init__(self) -> None:
        self.groups: dict[tuple[Any, ...], list[RowIn]] = {}

    def add(self, key: tuple[Any, ...], row: RowIn) -> None:
        self.groups.setdefault(key, []).append(row)


def _agreed(b: Builder, rows: list[RowIn], key: str) -> tuple[Any, str | None]:
    """The value of a group's column: the first given; another value on a later row is a
    problem."""
    found: Any = None
    ref: str | None = None
    for r in rows:
        v = r.get(key)
        if v is None or key in r.failed:
            continue
        if found is None:
            found, ref = v, r.refs[key]
        elif v != found:
            b.problem(
                r.refs[key],
                key,
                f"the rows of one group give '{key}' twice with different values (also at "
                f"{ref}); give it once, on the first row",
            )
            b.where.failed.add(r.refs[key])
    return found, ref


def _ids(rows: list[RowIn], path: Path, b: Builder, data: list[Data]) -> dict[str, int]:
    """Items by id (the first of an id: a repeated id is for the file's checks to say)."""
    out: dict[str, int] = {}
    for n, (r, d) in enumerate(zip(rows, data, strict=True)):
        b.where.put((*path, n), r.ref)
        if isinstance(d.get("id"), str):
            out.setdefault(d["id"], n)
    return out


def _owner(
    b: Builder, r: RowIn, key: str, known: dict[str, int], what: str, sheet_name: str
) -> int | None:
    v = r.get(key)
    if v is None:
        return None
    if v not in known:
        b.problem(r.refs[key], key, f"there is no {what} '{v}' in the sheet {sheet_name}")
        b.where.failed.add(r.refs[key])
        return None
    return known[v]


def _judgements(
    b: Builder,
    rows: list[RowIn],
    keys: tuple[str, ...],
    group_keys: tuple[str, ...],
    scenarios: dict[str, int],
    data: Data,
    list_name: str,
) -> None:
    """Estimates (keys scenario, level, analyst) or consensus (scenario, level) into their
    scenarios; ``group_keys`` are the estimate's own fields (rationale, date)."""
    groups = _Groups()
    for r in rows:
        s = _owner(b, r, "scenario", scenarios, "scenario", "Scenarios")
        if s is None:
            if r.get("scenario") is None:
                b.problem(r.ref, "scenario", "the row names no scenario")
            continue
        has_spec = r.has(SPEC_KEYS)
        if r.get("estimate of") is None and has_spec:
            b.problem(
                r.refs.get("class", r.ref),
                "estimate of",
                f"say what this estimate is of in 'estimate of': {LIKELIHOOD} or a criterion id",
            )
            continue
        if r.get("estimate of") is not None and not has_spec and not r.has(group_keys):
            continue  # a row of the template left blank
        groups.add((s, *(r.get(k) for k in keys[1:])), r)
    for (s, *rest), group in groups.groups.items():
        items: list[Data] = data["scenarios"][s].setdefault(list_name, [])
        path: Path = ("scenarios", s, list_name, len(items))
        b.where.put(path, group[0].ref)
        item: Data = {}
        for k, v in zip(keys[1:], rest, strict=True):
            if v is not None:
                item[field_name(k)] = v
                b.where.put((*path, field_name(k)), group[0].refs[k])
        impact: Data = {}
        seen: dict[str, str] = {}
        for r in group:
            what = r.get("estimate of")
            if what is None or not r.has(SPEC_KEYS):
                continue
            if what in seen:
                b.problem(
                    r.refs["estimate of"],
                    "estimate of",
                    f"'{what}' is estimated twice in this estimate (also in row "
                    f"{seen[what]}); give it once",
                )
                continue
            seen[what] = str(r.number)
            horizon = horizon_of(what)
            if what == LIKELIHOOD:
                spec = b.spec(r, (*path, "likelihood"))
                if spec is not None:
                    item["likelihood"] = spec
            elif horizon is not None:
                spec = b.spec(r, (*path, "horizon", horizon))
                if spec is not None:
                    item.setdefault("horizon", {})[horizon] = spec
            else:
                spec = b.spec(r, (*path, "impact", what))
                if spec is not None:
                    impact[what] = spec
        if impact or list_name == "estimates":
            item["impact"] = impact
        for k in group_keys:
            v, ref = _agreed(b, group, k)
            name = "rationale" if k.endswith("rationale") else field_name(k)
            if ref is not None:
                b.where.put((*path, name), ref)
            if v is not None:
                item[name] = v
        items.append(item)


def _cascades(b: Builder, rows: list[RowIn], data: Data) -> None:
    groups = _Groups()
    for r in rows:
        groups.add((r.get("cause"), r.get("effect")), r)
    out: list[Data] = data["cascades"]
    for group in groups.groups.values():
        path: Path = ("cascades", len(out))
        first = group[0]
        b.where.put(path, first.ref)
        item: Data = b.fields(first, ("cause", "effect"), path, {})
        levels: dict[str, dict[str, Any]] = {}
        for r in group:
            if not r.has(SPEC_KEYS):
                continue
            cl, el = r.get("cause level"), r.get("effect level")
            if cl is None and el is None:
                if "probability" in item:
                    b.problem(r.ref, "", "the cascade's probability is given twice; give it once")
                    continue
                spec = b.spec(r, (*path, "probability"))
                if spec is not None:
                    item["probability"] = spec
            elif cl is None or el is None:
                ref = r.refs.get("cause level") or r.refs.get("effect level") or r.ref
                b.problem(ref, "cause level", "give both the cause level and the effect level")
            else:
                if el in levels.get(cl, {}):
                    b.problem(
                        r.refs["cause level"],
                        "cause level",
                        f"the pair {cl} -> {el} is given twice in this cascade; give it once",
                    )
                    continue
                spec = b.spec(r, (*path, "levels", cl, el))
                if spec is not None:
                    levels.setdefault(cl, {})[el] = spec
                    b.where.put((*path, "levels", cl), r.refs["cause level"])
        if levels:
            item["levels"] = levels
        v, found = _agreed(b, group, "cascade rationale")
        if found is not None:
            b.where.put((*path, "rationale"), found)
        if v is not None:
            item["rationale"] = v
        out.append(item)


def _effects(
    b: Builder, rows: list[RowIn], owners: dict[str, tuple[str, dict[str, int]]], data: Data
) -> None:
    """Effects of measures and developments, by owner and effect number."""
    groups = _Groups()
    for r in rows:
        kind = r.get("for")
        if kind not in owners:
            if kind is not None:
                b.problem(r.refs["for"], "for", f"expected measure or development; found '{kind}'")
            continue
        list_name, known = owners[kind]
        n = _owner(b, r, "id", known, kind, "Measures" if kind == "measure" else "Developments")
        if n is None or r.get("effect") is None:
            if n is not None and "effect" not in r.failed:
                b.problem(
                    r.ref,
                    "effect",
                    "number the effect (1, 2, ...): rows with the same number make one effect",
                )
            continue
        groups.add((kind, n, r.get("effect")), r)
    ordered = sorted(groups.groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2]))
    for (kind, n, _number), group in ordered:
        list_name, _ = owners[kind]
        effects: list[Data] = data[list_name][n].setdefault("effects", [])
        path: Path = (list_name, n, "effects", len(effects))
        b.where.put(path, group[0].ref)
        item: Data = {}
        for key in ("scenario", "levels"):
            v, ref = _agreed(b, group, key)
            if ref is not None:
                b.where.put((*path, key), ref)
            if v is not None:
                item[key] = v
        impact: Data = {}
        for r in group:
            what = r.get("shift of")
            if what is None:
                if r.has(SHIFT_KEYS):
                    b.problem(
                        r.ref,
                        "shift of",
                        f"say what is shifted in 'shift of': {LIKELIHOOD}, a criterion or an "
                        "interest",
                    )
                continue
            if what == LIKELIHOOD:
                if "likelihood" in item:
                    b.problem(
                        r.refs["shift of"],
                        "shift of",
                        "the likelihood is shifted twice in this effect",
                    )
                    continue
                item["likelihood"] = b.shift(r, (*path, "likelihood"))
            else:
                if what in impact:
                    b.problem(
                        r.refs["shift of"], "shift of", f"'{what}' is shifted twice in this effect"
                    )
                    continue
                impact[what] = b.shift(r, (*path, "impact", what))
        if impact:
            item["impact"] = impact
        for key in ("confidence", "rationale"):
            v, ref = _agreed(b, group, key)
            if ref is not None:
                b.where.put((*path, key), ref)
            if v is not None:
                item[key] = v
        effects.append(item)


def _children(
    b: Builder,
    rows: list[RowIn],
    owner_key: str,
    owners: dict[str, int],
    what: str,
    sheet_name: str,
    list_name: str,
    child: str,
    keys: tuple[str, ...],
    data: Data,
) -> None:
    """Rows that add an item to their owner's list (sources, side effects, needs)."""
    for r in rows:
        n = _owner(b, r, owner_key, owners, what, sheet_name)
        if n is None:
            continue
        items: list[Data] = data[list_name][n].setdefault(child, [])
        path: Path = (list_name, n, child, len(items))
        b.where.put(path, r.ref)
        items.append(b.fields(r, keys, path, {}))


def build(grids: dict[str, Grid]) -> tuple[Data, Builder]:
    """The assessment file's data of a workbook, and the builder with its problems, notes and
    where each field came from."""
    b = Builder(grids)
    about = b.record(sheet("About"))
    data: Data = {}
    b.where.put((), "About!A1")
    for c in sheet("About").data_columns:
        if c.key in ("format", "method version"):
            continue
        b.fields(about, (c.key,), (), data)
    fmt = about.get("format")
    if grids.get("About") is not None and fmt != FORMAT:
        b.problem(
            about.refs.get("format", "About!A1"),
            "format",
            f"this workbook is not in the format nsra reads ({FORMAT}; found {fmt!r}): start "
            "from 'nsra excel template' or 'nsra excel export'",
        )
    tables = {s.name: b.table(s) for s in SHEETS if not s.record}

    def plain(name: str, list_name: str) -> dict[str, int]:
        s = sheet(name)
        items = [
            b.fields(r, [c.key for c in s.data_columns], (list_name, n), {})
            for n, r in enumerate(tables[name])
        ]
        data[list_name] = items
        return _ids(tables[name], (list_name,), b, items)

    plain("Organisations", "organisations")
    plain("Analysts", "analysts")
    plain("Themes", "themes")
    scenarios = plain("Scenarios", "scenarios")
    strategies = plain("Strategies", "strategies")
    measures = plain("Measures", "measures")
    developments = plain("Developments", "developments")
    capabilities = plain("Capabilities", "capabilities")

    for r in tables["Sources"]:
        kind = r.get("for")
        owners = {
            "scenario": (scenarios, "scenarios", "Scenarios"),
            "strategy": (strategies, "strategies", "Strategies"),
            "development": (developments, "developments", "Developments"),
        }
        if kind not in owners:
            if kind is not None:
                b.problem(
                    r.refs["for"],
                    "for",
                    f"expected scenario, strategy or development; found '{kind}'",
                )
            continue
        known, list_name, sheet_name = owners[kind]
        _children(
            b,
            [r],
            "id",
            known,
            kind,
            sheet_name,
            list_name,
            "sources",
            ("ref", "title", "url", "date"),
            data,
        )

    _judgements(
        b,
        tables["Estimates"],
        ("scenario", "level", "analyst"),
        ("estimate rationale",),
        scenarios,
        data,
        "estimates",
    )
    _judgements(
        b,
        tables["Consensus"],
        ("scenario", "level"),
        ("consensus rationale", "date"),
        scenarios,
        data,
        "consensus",
    )
    data["cascades"] = []
    _cascades(b, tables["Cascades"], data)
    _effects(
        b,
        tables["Effects"],
        {"measure": ("measures", measures), "development": ("developments", developments)},
        data,
    )
    _children(
        b,
        tables["Side effects"],
        "measure",
        measures,
        "measure",
        "Measures",
        "measures",
        "side_effects",
        ("scenario", "direction", "rationale"),
        data,
    )
    _children(
        b,
        tables["Needs"],
        "capability",
        capabilities,
        "capability",
        "Capabilities",
        "capabilities",
        "needed",
        ("scenario", "phases", "adequacy", "rationale"),
        data,
    )
    for name, grid in grids.items():
        if grid.hidden_rows:
            b.notes.append(
                Problem(
                    f"{len(grid.hidden_rows)} hidden row(s) are read like the others",
                    severity="warning",
                    file=f"{name}!A{grid.hidden_rows[0]}",
                )
            )
    return data, b
