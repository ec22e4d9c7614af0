"""An estimate as the analyst wrote it <-> the columns of :class:`~.models.SpecColumns`.

The file's forms (checked by :mod:`nsra.io.validate` before anything is stored): a class or range
as text (``"C"``, ``"C..D"``), a class code as a number (``3``), or a mapping with exactly one of
``class``, ``value``, ``scale`` and an optional ``rationale``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Spec:
    kind: str  # class | value | scale
    mapping: bool
    class_code: str | None
    number: float | None
    integral: bool
    rationale: str | dict[str, str] | None

    def columns(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "mapping": self.mapping,
            "class_code": self.class_code,
            "number": self.number,
            "integral": self.integral,
            "rationale": self.rationale,
        }


class SpecError(ValueError):
    """An estimate in a form the database does not store (the file was not checked)."""


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def to_spec(written: Any) -> Spec:
    """The columns for an estimate as written in the file."""
    if isinstance(written, str):
        return Spec("class", False, written, None, False, None)
    if _is_int(written):
        return Spec("class", False, str(written), None, True, None)
    if isinstance(written, dict):
        rationale = written.get("rationale")
        kinds = [k for k in ("class", "value", "scale") if k in written]
        if len(kinds) == 1 and set(written) <= {kinds[0], "rationale"}:
            kind, raw = kinds[0], written[kinds[0]]
            if rationale is None or isinstance(rationale, (str, dict)):
                if kind == "class" and (isinstance(raw, str) or _is_int(raw)):
                    return Spec("class", True, str(raw), None, _is_int(raw), rationale)
                if kind != "class" and (_is_int(raw) or isinstance(raw, float)):
                    return Spec(kind, True, None, float(raw), _is_int(raw), rationale)
    raise SpecError(
        f"an estimate must be a class, a range or {{class|value|scale: ...}}: {written!r}"
    )


def from_spec(
    kind: str,
    mapping: bool,
    class_code: str | None,
    number: float | None,
    integral: bool,
    rationale: str | dict[str, str] | None,
) -> Any:
    """The estimate as the file wrote it, from its columns."""
    raw: Any
    if kind == "class":
        assert class_code is not None
        raw = int(class_code) if integral else class_code
    else:
        assert number is not None
        raw = int(number) if integral else float(number)
    if not mapping:
        return raw
    out: dict[str, Any] = {kind: raw}
    if rationale is not None:
        out["rationale"] = rationale
    return out


def row_spec(row: Any) -> Any:
    """:func:`from_spec` on a row with :class:`~.models.SpecColumns`."""
    return from_spec(row.kind, row.mapping, row.class_code, row.number, row.integral, row.rationale)
