"""Writing a workbook: the instructions, the sheets of :mod:`nsra.io.excel.layout` with their
rows, drop-down lists, frozen headers and widths, and the method's classes with their bounds.

The export (:mod:`.export`) and the template (:mod:`.template`) both write through
:func:`write_book`, so a template and an export have the same sheets and columns.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from nsra.engine.scales import ScaleKernel
from nsra.i18n import t
from nsra.io.excel import cells
from nsra.io.excel.layout import (
    CLASSES,
    ESTIMATES,
    INSTRUCTIONS,
    LIKELIHOOD,
    NO,
    SHEETS,
    YES,
    Header,
    Sheet,
    headers,
    horizon_of,
)
from nsra.io.excel.rows import SCALE, Row
from nsra.model.method import ClassScale, Method
from nsra.model.text import tr

_HEAD = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_INFO_HEAD_FILL = PatternFill("solid", fgColor="7F7F7F")
_WRAP = Alignment(wrap_text=True, vertical="top")
_INLINE_LIST_MAX = 250  # Excel's limit for a list written into the validation is 255 characters
INSTRUCTION_LANGS = ("en", "nl")


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:,.6g}"


def class_bounds(scale: ClassScale, k: int) -> str:
    """``10 – 100`` for the k-th class (0-based) of a scale, its label when it has no bounds."""
    c = scale.classes[k]
    lower, upper = c.lower, c.upper
    if lower is None and upper is None and scale.function is not None:
        kernel = ScaleKernel.of(scale)
        index = k + scale.first_index
        lower = float(kernel.value(max(index - 0.5, kernel.min_position)))
        upper = float(kernel.value(min(index + 0.5, kernel.max_position)))
    if lower is None and upper is None:
        return tr(c.label) if c.label else ""
    lo = "" if lower is None else _number(lower)
    hi = "…" if upper is None else _number(upper)
    return f"{lo} – {hi}" if lo else f"≤ {hi}"


def classes_text(scale: ClassScale) -> str:
    """Every class of a scale with its bounds: ``A: ≤ 10; B: 10 – 100; ...``."""
    return "; ".join(
        f"{c.code}: {class_bounds(scale, k)}".rstrip(": ") for k, c in enumerate(scale.classes)
    )


class _Lists:
    """The ``Classes`` sheet: every scale's classes, bounds and unit; the drop-down lists of
    class cells point at a scale's block of codes there."""

    def __init__(self, method: Method) -> None:
        self.method = method
        self.rows: list[list[Any]] = []
        self.blocks: dict[str, str] = {}
        used: dict[str, list[str]] = defaultdict(list)
        for criterion in method.criteria:
            used[criterion.scale].append(criterion.id)
        for ls in method.likelihood.scales:
            used[ls.scale].append(f"{LIKELIHOOD} ({ls.applies_to.replace('_', '-')})")
        if method.cascades:
            used[method.cascades.scale].append("cascades")
        for scale in method.scales:
            first = len(self.rows) + 2
            for k, c in enumerate(scale.classes):
                self.rows.append(
                    [
                        scale.id,
                        ", ".join(used.get(scale.id, [])) if k == 0 else None,
                        c.code,
                        tr(c.label, "en") if c.label else None,
                        tr(c.label, "nl") if c.label else None,
                        class_bounds(scale, k),
                        tr(scale.unit, "en") if scale.unit else None,
                    ]
                )
            self.blocks[scale.id] = self._ref(first, len(self.rows) + 1)
        codes = list(dict.fromkeys(c.code for sc in method.scales for c in sc.classes))
        first = len(self.rows) + 2
        for code in codes:
            self.rows.append(["(any)", None, code, None, None, None, None])
        self.blocks["(any)"] = self._ref(first, len(self.rows) + 1)

    @staticmethod
    def _ref(first: int, last: int) -> str:
        return f"{quote_sheetname(CLASSES)}!$C${first}:$C${last}"

    def write(self, wb: Workbook) -> None:
        ws = wb.create_sheet(CLASSES)
        titles = ["scale", "used for", "class", "label (en)", "label (nl)", "bounds", "unit"]
        widths = [18, 30, 8, 30, 30, 28, 24]
        _header_row(ws, titles, widths, [False] * len(titles))
        for r in self.rows:
            ws.append(r)


def _header_row(ws: Worksheet, titles: list[str], widths: list[int], info: list[bool]) -> None:
    for n, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = w
    ws.freeze_panes = "A2"
    row = []
    for title, grey in zip(titles, info, strict=True):
        c = WriteOnlyCell(ws, value=title)
        c.font = _HEAD
        c.fill = _INFO_HEAD_FILL if grey else _HEAD_FILL
        row.append(c)
    ws.append(row)


def _declare_size(ws: Worksheet, n_rows: int, n_columns: int) -> None:
    """Say the sheet's size in the file (openpyxl's writer asks ``calculate_dimension``), so
    that a reader need not read the whole sheet once more to learn it."""
    size = f"A1:{get_column_letter(max(n_columns, 1))}{max(n_rows, 1)}"
    setattr(ws, "calculate_dimension", lambda: size)  # noqa: B010


def _text_cell(ws: Worksheet, value: Any) -> Any:
    """A cell for ``value``; a text starting with ``=`` stays a text, never a formula."""
    if isinstance(value, str) and value.startswith("="):
        c = WriteOnlyCell(ws, value=value)
        c.data_type = "s"
        return c
    return value


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for r in sorted(rows):
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


class _Validations:
    """The drop-down lists of one sheet, gathered while its rows are written."""

    def __init__(self) -> None:
        self.lists: dict[tuple[str, bool], list[str]] = defaultdict(list)

    def add(self, formula: str, letter: str, first: int, last: int, strict: bool = True) -> None:
        self.add_range(formula, f"{letter}{first}:{letter}{last}", strict)

    def add_range(self, formula: str, ref: str, strict: bool = True) -> None:
        self.lists[(formula, strict)].append(ref)

    def write(self, ws: Worksheet) -> None:
        for (formula, strict), ranges in self.lists.items():
            # one sqref string: adding ranges one by one is quadratic in openpyxl
            dv = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop" if strict else "warning",
                errorTitle="nsra",
                error=t("xl_not_in_list", "en") + " / " + t("xl_not_in_list", "nl"),
                sqref=" ".join(ranges),
            )
            ws.data_validations.append(dv)


def _inline(words: Iterable[str]) -> str | None:
    text = ",".join(words)
    if not text or len(text) > _INLINE_LIST_MAX or '"' in text:
        return None
    return f'"{text}"'


def _id_range(sheet: str, n_rows: int) -> str:
    return f"{quote_sheetname(sheet)}!$A$2:$A${n_rows + 1}"


class _Writer:
    def __init__(self, method: Method, langs: tuple[str, ...], spare: int) -> None:
        self.method = method
        self.langs = langs
        self.spare = spare
        self.lists = _Lists(method)
        self.sizes: dict[str, int] = {}

    def _column_list(self, s: Sheet, h: Header) -> tuple[str, bool] | None:
        """The drop-down list of a column (and whether it refuses other values)."""
        c, m = h.column, self.method
        if h.lang is not None:
            return None
        levels = [lv.id for lv in m.intensity_levels]
        if c.kind == "choice":
            found = _inline(c.choices)
        elif c.kind == "bool":
            found = _inline((YES, NO))
        elif c.key in ("level", "cause level", "effect level") and levels:
            found = _inline(levels)
        elif c.key == "estimate of":
            found = _inline([LIKELIHOOD, *(x.id for x in m.criteria)])
        elif c.key == "shift of":
            found = _inline([LIKELIHOOD, *(x.id for x in m.criteria), *(i.id for i in m.interests)])
        elif c.key in ("scenario", "cause", "effect") and s.name != "Scenarios":
            return _id_range("Scenarios", self.sizes.get("Scenarios", 0) + self.spare), False
        elif c.key == "theme":
            return _id_range("Themes", self.sizes.get("Themes", 0) + self.spare), False
        elif c.key == "analyst":
            return _id_range("Analysts", self.sizes.get("Analysts", 0) + self.spare), False
        elif c.key in ("organisation", "owner"):
            return _id_range(
                "Organisations", self.sizes.get("Organisations", 0) + self.spare
            ), False
        else:
            return None
        return (found, True) if found else None

    def table(self, wb: Workbook, s: Sheet, rows: list[Row]) -> None:
        ws = wb.create_sheet(s.name)
        hs = headers(s, self.langs)
        _declare_size(ws, len(rows) + 1, len(hs))
        _header_row(
            ws,
            [h.title for h in hs],
            [h.column.width for h in hs],
            [h.column.kind == "info" for h in hs],
        )
        info_cols = [n for n, h in enumerate(hs) if h.column.kind == "info"]
        class_cols = [
            get_column_letter(n + 1) for n, h in enumerate(hs) if h.column.kind == "class"
        ]
        by_scale: dict[str, list[int]] = defaultdict(list)
        for r_index, row in enumerate(rows, start=2):
            values: list[Any] = []
            for h in hs:
                v = row.get(h.column.key)
                if h.column.multilingual:
                    if h.lang is None:
                        v = v if isinstance(v, str) else None
                    else:
                        v = v.get(h.lang) if isinstance(v, dict) else None
                values.append(_text_cell(ws, cells.written(h.column, v)))
            for n in info_cols:
                values[n] = row.get(hs[n].column.key)
            if row.get(SCALE):
                by_scale[row[SCALE]].append(r_index)
            ws.append(values)
        last = len(rows) + 1
        v = _Validations()
        for n, h in enumerate(hs):
            found = self._column_list(s, h)
            if found is not None:
                v.add(found[0], get_column_letter(n + 1), 2, last + self.spare, found[1])
        span = f"{class_cols[0]}{{}}:{class_cols[-1]}{{}}" if class_cols else ""
        for scale_id, row_numbers in by_scale.items():
            for first, end in _runs(row_numbers):  # class and up to class: one range
                v.add_range(self.lists.blocks[scale_id], span.format(first, end))
        if self.spare and class_cols:
            for letter in class_cols:
                v.add(self.lists.blocks["(any)"], letter, last + 1, last + self.spare)
        v.write(ws)
        if len(rows) + self.spare > 0:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(hs))}{last + self.spare}"

    def record(self, wb: Workbook, s: Sheet, row: Row) -> None:
        ws = wb.create_sheet(s.name)
        _header_row(ws, ["field", "value"], [24, 70], [False, False])
        v = _Validations()
        for n, h in enumerate(headers(s, self.langs), start=2):
            value = row.get(h.column.key)
            if h.column.multilingual:
                value = (
                    (value if isinstance(value, str) else None)
                    if h.lang is None
                    else (value.get(h.lang) if isinstance(value, dict) else None)
                )
            cell = cells.written(h.column, value)
            if h.column.kind == "date" and cell is not None:
                cell = WriteOnlyCell(ws, value=cell)
                cell.number_format = "yyyy-mm-dd"
            ws.append([h.title, _text_cell(ws, cell)])
            found = self._column_list(s, h)
            if found is not None:
                v.add(found[0], "B", n, n, found[1])
        v.write(ws)


def _instructions(wb: Workbook, method: Method) -> None:
    ws = wb.create_sheet(INSTRUCTIONS)
    ws.column_dimensions["A"].width = 22
    for n, _ in enumerate(INSTRUCTION_LANGS):
        ws.column_dimensions[get_column_letter(n + 2)].width = 70
    title = [WriteOnlyCell(ws, value="nsra")]
    for lang in INSTRUCTION_LANGS:
        c = WriteOnlyCell(ws, value=t("xl_title", lang, method=f"{method.id} {method.version}"))
        c.font = Font(bold=True, size=14)
        title.append(c)
    ws.append(title)
    keys = [
        "xl_intro",
        "xl_how",
        "xl_rows",
        "xl_classes",
        "xl_texts_languages",
        "xl_accepted",
        "xl_refused",
    ]
    lines: list[tuple[str, str]] = [("", k) for k in keys]
    lines += [(s.name, s.help_key) for s in SHEETS]
    lines += [(CLASSES, "xl_help_classes")]
    for name, key in lines:
        row: list[Any] = [WriteOnlyCell(ws, value=name or None)]
        row[0].font = Font(bold=True)
        for lang in INSTRUCTION_LANGS:
            c = WriteOnlyCell(ws, value=t(key, lang))
            c.alignment = _WRAP
            row.append(c)
        ws.append(row)


def write_book(
    method: Method,
    rows: dict[str, list[Row]],
    langs: tuple[str, ...],
    spare: int = 0,
) -> bytes:
    """The workbook's bytes: instructions, every sheet of the layout with ``rows`` (and
    ``spare`` empty rows with the drop-down lists), then the method's classes."""
    wb = Workbook(write_only=True)
    w = _Writer(method, langs, spare)
    w.sizes = {name: len(r) for name, r in rows.items()}
    _instructions(wb, method)
    for s in SHEETS:
        if s.record:
            w.record(wb, s, rows.get(s.name, [{}])[0])
        else:
            w.table(wb, s, rows.get(s.name, []))
    w.lists.write(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def info_for(method: Method, rows: dict[str, list[Row]]) -> None:
    """Fill in the ``about`` (with the unit) and ``classes`` cells beside each estimate (English
    labels) from the method: what the row estimates, its unit and its class bounds."""
    texts: dict[tuple[str, str], Row] = {}
    for name in (ESTIMATES.name, "Consensus", "Cascades"):
        for row in rows.get(name, []):
            scale_id = row.get(SCALE)
            item = row.get("estimate of") or ("cascades" if name == "Cascades" else "")
            if not scale_id:
                continue
            key = (item, scale_id)
            if key not in texts:
                scale = method.scale(scale_id)
                horizon = horizon_of(item)
                if item == LIKELIHOOD or item == "cascades":
                    about = tr(scale.label) if scale.label else item
                elif horizon is not None:
                    label = tr(scale.label) if scale.label else LIKELIHOOD
                    about = f"{label} ({horizon})"
                else:
                    about = tr(method.criterion(item).label)
                if scale.unit:
                    about = f"{about} — {tr(scale.unit)}"
                texts[key] = {"about": about, "classes": classes_text(scale)}
            row.update(texts[key])
