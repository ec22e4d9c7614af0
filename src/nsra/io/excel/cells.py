"""One cell, written and read: the conversions of each column kind (:data:`layout.Kind`) in
both directions, so that what the export writes the import reads back as the same value.

Reading accepts what people do in spreadsheets where it is unambiguous: a number stored as
text, trailing spaces around an id or a code, Excel's TRUE/FALSE or yes/no in several
languages, an Excel date or a date typed as text. A cell that cannot be read raises
:class:`CellError` with the reason in plain words.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from nsra.io.excel.layout import FALSE_WORDS, NO, TRUE_WORDS, YES, Column

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class CellError(Exception):
    """A cell whose content cannot be read as its column says."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def written(column: Column, value: Any) -> Any:
    """The cell value of a field's value (None leaves the cell empty)."""
    if value is None:
        return None
    kind = column.kind
    if kind == "ids":
        return ", ".join(value) if value else None
    if kind == "bool":
        return YES if value else NO
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _text_of_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def read(column: Column, value: Any) -> Any:
    """The field's value of a cell, or None for an empty cell; raises :class:`CellError`."""
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    kind = column.kind
    if kind == "text":
        if isinstance(value, bool):
            return YES if value else NO
        if isinstance(value, (int, float)):
            return _text_of_number(value)
        if isinstance(value, (dt.datetime, dt.date)):
            return _date(value)
        return str(value)
    if kind in ("id", "choice"):
        return _word(value)
    if kind == "ids":
        return [w.strip() for w in re.split(r"[,;]", _word(value)) if w.strip()]
    if kind == "class":
        if isinstance(value, bool):
            raise CellError(f"expected a class code; found {_shown(value)}")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        return _word(value)
    if kind == "bool":
        return _bool(value)
    if kind == "number":
        return _number(value)
    if kind == "int":
        n = _number(value)
        if not float(n).is_integer():
            raise CellError(f"expected a whole number; found {_shown(value)}")
        return int(n)
    if kind == "date":
        if isinstance(value, (dt.datetime, dt.date)):
            return _date(value)
        return _word(value)
    return None


def _shown(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _word(value: Any) -> str:
    if isinstance(value, bool):
        raise CellError(f"expected a word or an id; found {'TRUE' if value else 'FALSE'}")
    if isinstance(value, (int, float)):
        return _text_of_number(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return _date(value)
    return str(value).strip()


def _date(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            return value.isoformat()
        value = value.date()
    return value.isoformat()


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"expected yes or no; found {_shown(value)}")


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise CellError(f"expected a number; found {'TRUE' if value else 'FALSE'}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(f"expected a finite number; found {value}")
        return value
    text = str(value).strip().replace("\u00a0", "")
    if _NUMBER.match(text):
        number = float(text)
        if math.isfinite(number):
            return int(text) if re.fullmatch(r"[+-]?\d+", text) else number
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?|[+-]?\d+,\d+", text):
        raise CellError(
            f"{_shown(value)} is ambiguous: write numbers with a decimal point and no "
            "thousands separator (1500000 or 1.5e6; 0.25)"
        )
    raise CellError(f"expected a number; found {_shown(value)}")
