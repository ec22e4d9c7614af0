"""Ids and references in the plain data of an assessment file.

The checks on meaning walk the plain data (not the typed model), so that they run, and are
reported, even when the file also has problems of shape: a list that is not a list counts as
empty here (its shape problem is reported by :mod:`nsra.io.modelcheck`).
"""

from __future__ import annotations

from typing import Any

from nsra.io.problems import Path, Problem


def items(data: Any, key: str) -> list[Any]:
    """``data[key]`` when ``data`` is a mapping and that is a list; else an empty list."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def ids(entries: list[Any], path: Path, what: str, problems: list[Problem]) -> dict[str, int]:
    """Index of each id; repeated ids are problems."""
    seen: dict[str, int] = {}
    for i, item in enumerate(entries):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in seen:
            problems.append(
                Problem(
                    f"the {what} id {ident!r} is used twice (also at entry {seen[ident] + 1}); "
                    "ids must be unique",
                    (*path, i, "id"),
                )
            )
        else:
            seen[ident] = i
    return seen


def ref(
    value: Any, known: dict[str, int], what: str, path: Path, problems: list[Problem]
) -> int | None:
    """The index of the id ``value`` refers to; an unknown id is a problem (None).

    A value that is not text gives None without a problem: its shape problem is reported by the
    model check.
    """
    if not isinstance(value, str):
        return None
    if value not in known:
        listing = ", ".join(list(known)[:12]) + (" ..." if len(known) > 12 else "")
        problems.append(
            Problem(
                f"unknown {what} {value!r}"
                + (f"; known: {listing}" if known else "; none is declared in the file"),
                path,
            )
        )
        return None
    return known[value]
