"""Problems found in a file, said in plain words with where they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Path = tuple[str | int, ...]
Severity = Literal["error", "warning"]


def format_path(path: Path) -> str:
    """``("scenarios", 3, "impact", "2.1")`` -> ``scenarios[3].impact.2.1``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class Problem:
    """One problem: where (file, line, column, field path) and why, in plain words."""

    message: str
    path: Path = ()
    severity: Severity = "error"
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def where(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        field_ = f" {format_path(self.path)}:" if self.path else ""
        where = f"{self.where()}: " if self.file is not None or self.line is not None else ""
        return f"{where}{self.severity}:{field_} {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": format_path(self.path),
            "message": self.message,
        }


class InputError(Exception):
    """Raised at an edge when a file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0] if problems else Problem("invalid input")
        super().__init__(str(first))
