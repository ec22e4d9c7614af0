"""The cascades of an assessment file checked against its method, and their rows for the engine.

A cascade names a cause and an effect (two different scenarios of the file, each pair once) and
the conditional probability that the effect follows the cause: one ``probability`` for methods
without intensity levels, or ``levels`` (cause level -> effect level -> probability) for methods
with them. Only pairs with a probability above 0 become rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nsra.engine.inputs import CascadeRows
from nsra.io.estimates import BadEstimate, Target
from nsra.io.problems import Path, Problem
from nsra.io.references import items, ref
from nsra.model.method import Method


class _Columns:
    """The rows gathered so far: cause, cause level, effect, effect level, and the position of
    the conditional probability on the method's scale (read into probabilities all at once in
    :meth:`rows`: one vectorised call instead of one per estimate)."""

    def __init__(self) -> None:
        self.cause: list[int] = []
        self.cause_level: list[int] = []
        self.effect: list[int] = []
        self.effect_level: list[int] = []
        self.position: list[float] = []

    def add(
        self, cause: int, cause_level: int, effect: int, effect_level: int, position: float
    ) -> None:
        self.cause.append(cause)
        self.cause_level.append(cause_level)
        self.effect.append(effect)
        self.effect_level.append(effect_level)
        self.position.append(position)

    def rows(self, target: Target) -> CascadeRows:
        """The rows whose probability is above 0."""
        if not self.cause:
            return CascadeRows.empty()
        p = np.asarray(target.kernel.value(np.asarray(self.position, dtype=float)), dtype=float)
        keep = p > 0
        return CascadeRows(
            np.asarray(self.cause, dtype=np.int64)[keep],
            np.asarray(self.cause_level, dtype=np.int64)[keep],
            np.asarray(self.effect, dtype=np.int64)[keep],
            np.asarray(self.effect_level, dtype=np.int64)[keep],
            p[keep],
        )


def cascade_rows(
    data: Any,
    method: Method,
    scenarios: dict[str, int],
    levels: dict[str, int],
    target: Target | None,
    problems: list[Problem],
) -> CascadeRows:
    """Check the ``cascades`` section of ``data``; problems are appended to ``problems``.

    ``scenarios`` and ``levels`` map the ids of the file's scenarios and of the method's
    intensity levels to their indices; ``target`` reads a conditional probability (None when the
    method has no cascades).
    """
    entries = items(data, "cascades")
    if target is None:
        if entries:
            problems.append(
                Problem(
                    f"method {method.id} defines no cascades; remove the cascades section",
                    ("cascades",),
                )
            )
        return CascadeRows.empty()
    columns = _Columns()
    pairs: dict[tuple[str, str], int] = {}
    for i, cz in enumerate(entries):
        if isinstance(cz, dict):
            _check_cascade(cz, i, method, scenarios, levels, target, pairs, columns, problems)
    return columns.rows(target)


def _check_cascade(
    cz: dict[str, Any],
    i: int,
    method: Method,
    scenarios: dict[str, int],
    levels: dict[str, int],
    target: Target,
    pairs: dict[tuple[str, str], int],
    columns: _Columns,
    problems: list[Problem],
) -> None:
    """One cascade entry: its scenarios, that it is given once, and its probabilities."""
    path: Path = ("cascades", i)
    cause = ref(cz.get("cause"), scenarios, "scenario", (*path, "cause"), problems)
    effect = ref(cz.get("effect"), scenarios, "scenario", (*path, "effect"), problems)
    if cause is not None and cause == effect:
        problems.append(Problem("a scenario cannot be its own cause", (*path, "effect")))
        return
    key = (str(cz.get("cause")), str(cz.get("effect")))
    if key in pairs:
        problems.append(
            Problem(
                f"the cascade {key[0]} -> {key[1]} is given twice (also entry "
                f"{pairs[key] + 1}); keep one",
                path,
            )
        )
        cause = effect = None  # still check what it says, but add nothing
    else:
        pairs[key] = i
    pair = None if cause is None or effect is None else (cause, effect)
    if levels:
        _per_level_pair(cz, path, method, levels, target, pair, columns, problems)
    else:
        _one_probability(cz, path, target, pair, columns, problems)


def _per_level_pair(
    cz: dict[str, Any],
    path: Path,
    method: Method,
    levels: dict[str, int],
    target: Target,
    pair: tuple[int, int] | None,
    columns: _Columns,
    problems: list[Problem],
) -> None:
    """``levels: {cause level: {effect level: probability}}`` on a method with levels."""
    matrix = cz.get("levels")
    if cz.get("probability") is not None or not isinstance(matrix, dict):
        problems.append(
            Problem(
                f"method {method.id} scores cascades per pair of intensity levels: "
                "give levels: {cause level: {effect level: class}} "
                f"(levels: {', '.join(levels)})",
                path,
            )
        )
        return
    for a_id, row in matrix.items():
        if a_id not in levels:
            problems.append(_unknown_level(a_id, levels, (*path, "levels", a_id)))
            continue
        if not isinstance(row, dict):
            problems.append(Problem("expected effect level: class pairs", (*path, "levels", a_id)))
            continue
        for b_id, spec in row.items():
            where: Path = (*path, "levels", a_id, b_id)
            if b_id not in levels:
                problems.append(_unknown_level(b_id, levels, where))
                continue
            s = _position(target, spec, where, problems)
            if s is not None and pair is not None:
                columns.add(pair[0], levels[a_id], pair[1], levels[b_id], s)


def _one_probability(
    cz: dict[str, Any],
    path: Path,
    target: Target,
    pair: tuple[int, int] | None,
    columns: _Columns,
    problems: list[Problem],
) -> None:
    """``probability: class`` on a method without intensity levels."""
    if cz.get("levels") is not None or cz.get("probability") is None:
        problems.append(
            Problem(
                f"give the conditional probability as probability: class "
                f"({target.allowed()}) or {{value: 0.2}}",
                path,
            )
        )
        return
    s = _position(target, cz["probability"], (*path, "probability"), problems)
    if s is not None and pair is not None:
        columns.add(pair[0], 0, pair[1], 0, s)


def _unknown_level(level: Any, levels: dict[str, int], path: Path) -> Problem:
    return Problem(f"unknown intensity level {level!r}; allowed: {', '.join(levels)}", path)


def _position(target: Target, spec: Any, where: Path, problems: list[Problem]) -> float | None:
    """The central position of one conditional probability estimate, or a problem."""
    try:
        pos = target.resolve(spec)
    except BadEstimate as bad:
        problems.append(Problem(bad.message, (*where, *bad.sub)))
        return None
    return pos[2]
