"""The meaning of an assessment file checked against its method, and the engine's input built.

:func:`check_meaning` checks what the shape of a file cannot say: that ids are unique, that
references (owners, analysts, strategies, scenarios) name something declared, that estimates give
classes, ranges and values the method's scales hold, at the intensity levels the method has, once
per analyst, and the cascades (:mod:`nsra.io.cascade_checks`). It walks the plain data, not the
typed model, so that it runs, and is reported, even when the file also has problems of shape.
When all is well it builds the engine's :class:`~nsra.engine.inputs.AssessmentInput`.

Problems come in the order of the file's sections: ids, analysts, each scenario (owner,
reinforces, estimates, consensus, then its missing estimates as warnings), cascades, strategies,
measures, then the strategy parts (:mod:`nsra.io.strategy_checks`).
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

from nsra.engine.inputs import (
    AssessmentInput,
    BoolArray,
    CascadeRows,
    EstimateRows,
    FloatArray,
    IntArray,
)
from nsra.io.cascade_checks import cascade_rows
from nsra.io.estimates import BadEstimate, Position, Target, targets
from nsra.io.problems import Path, Problem
from nsra.io.references import ids, items, ref
from nsra.io.scenario_checks import check_scenarios
from nsra.io.strategy_checks import check_strategy
from nsra.model.method import Method


def check_meaning(data: Any, method: Method) -> tuple[AssessmentInput | None, list[Problem]]:
    """Check classes, references and ranges; build the engine input when all is well.

    Returns the input (None when there are errors) and every problem: the errors first, then the
    warnings, each in the order of the file.
    """
    return _MeaningCheck(data, method).run()


class _Rows:
    """Estimate rows gathered in typed arrays (8 bytes a number, not a Python object)."""

    def __init__(self) -> None:
        self.ints = [array("q") for _ in range(4)]
        self.floats = [array("d") for _ in range(3)]
        self.exact = array("b")

    def add(
        self, s: int, lv: int, slot: int, analyst: int, pos: Position, exact: bool = False
    ) -> None:
        i, f = self.ints, self.floats
        self.exact.append(exact)
        i[0].append(s)
        i[1].append(lv)
        i[2].append(slot)
        i[3].append(analyst)
        f[0].append(pos[0])
        f[1].append(pos[1])
        f[2].append(pos[2])

    def rows(self) -> EstimateRows:
        i, f = self.ints, self.floats
        exact = np.frombuffer(self.exact, dtype=np.int8).astype(bool)
        return EstimateRows(
            _int_column(i[0]),
            _int_column(i[1]),
            _int_column(i[2]),
            _int_column(i[3]),
            _float_column(f[0]),
            _float_column(f[1]),
            _float_column(f[2]),
            exact,
        )


def _int_column(a: array[int]) -> IntArray:
    return np.frombuffer(a, dtype=np.int64) if len(a) else np.zeros(0, np.int64)


def _float_column(a: array[float]) -> FloatArray:
    return np.frombuffer(a, dtype=np.float64) if len(a) else np.zeros(0)


class _Covered:
    """The levels of one scenario that have a likelihood, and an impact, estimate."""

    def __init__(self) -> None:
        self.likelihood: set[int] = set()
        self.impact: set[int] = set()

    def add(self, lv: int, got: tuple[bool, bool]) -> None:
        if got[0]:
            self.likelihood.add(lv)
        if got[1]:
            self.impact.add(lv)


_NO_ANALYST = -1
"""The analyst index of a consensus row (and of rows that are checked but not kept)."""


class _MeaningCheck:
    """One run of :func:`check_meaning`: the method's look-ups, the problems, the rows so far."""

    def __init__(self, data: Any, method: Method) -> None:
        self.data = data
        self.method = method
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.crit_targets, self.lik_targets, self.casc_target = targets(method)
        self.criteria = {c.id: k for k, c in enumerate(method.criteria)}
        self.levels = {lv.id: i for i, lv in enumerate(method.intensity_levels)}
        self.has_levels = bool(self.levels)
        self.n_levels = max(len(self.levels), 1)
        self.scenarios_data = items(data, "scenarios")
        self.estimates = _Rows()
        self.consensus = _Rows()
        self.horizon_ids = [h.id for h in method.likelihood.horizons]
        self.horizon_rows = {h: (_Rows(), _Rows()) for h in self.horizon_ids}
        self.malicious = np.zeros(len(self.scenarios_data), dtype=bool)
        self.orgs: dict[str, int] = {}
        self.analysts: dict[str, int] = {}
        self.scenarios: dict[str, int] = {}
        self.strategies: dict[str, int] = {}

    def run(self) -> tuple[AssessmentInput | None, list[Problem]]:
        self._index_ids()
        self._check_analysts()
        for s, sc in enumerate(self.scenarios_data):
            if isinstance(sc, dict):
                self._check_scenario(s, sc)
        cascades = cascade_rows(
            self.data, self.method, self.scenarios, self.levels, self.casc_target, self.problems
        )
        self._check_strategies()
        self._check_measures()
        check_scenarios(self.data, self.problems)
        check_strategy(self.data, self.method, self.scenarios, self.orgs, self.problems)
        if self.problems:
            return None, self.problems + self.warnings
        return self._inputs(cascades), self.warnings

    # -- ids and references ------------------------------------------------------------------
    def _index_ids(self) -> None:
        data, problems = self.data, self.problems
        self.orgs = ids(items(data, "organisations"), ("organisations",), "organisation", problems)
        self.analysts = ids(items(data, "analysts"), ("analysts",), "analyst", problems)
        self.scenarios = ids(self.scenarios_data, ("scenarios",), "scenario", problems)
        self.strategies = ids(items(data, "strategies"), ("strategies",), "strategy", problems)
        ids(items(data, "measures"), ("measures",), "measure", problems)

    def _check_analysts(self) -> None:
        for i, a in enumerate(items(self.data, "analysts")):
            if isinstance(a, dict):
                self._organisation(a.get("organisation"), ("analysts", i, "organisation"))

    def _organisation(self, value: Any, path: Path) -> None:
        ref(value, self.orgs, "organisation", path, self.problems)

    def _check_strategies(self) -> None:
        for i, st in enumerate(items(self.data, "strategies")):
            if isinstance(st, dict):
                self._organisation(st.get("owner"), ("strategies", i, "owner"))

    def _check_measures(self) -> None:
        for i, m in enumerate(items(self.data, "measures")):
            if not isinstance(m, dict):
                continue
            for j, o in enumerate(items(m, "owners")):
                self._organisation(o, ("measures", i, "owners", j))
            path: Path = ("measures", i, "strategy")
            ref(m.get("strategy"), self.strategies, "strategy", path, self.problems)
            for j, sid in enumerate(items(m, "scenarios")):
                path = ("measures", i, "scenarios", j)
                ref(sid, self.scenarios, "scenario", path, self.problems)

    # -- scenarios ---------------------------------------------------------------------------
    def _check_scenario(self, s: int, sc: dict[str, Any]) -> None:
        base: Path = ("scenarios", s)
        flag = sc.get("malicious")
        lik = self.lik_targets[flag] if isinstance(flag, bool) else None
        self.malicious[s] = bool(flag) if isinstance(flag, bool) else False
        self._organisation(sc.get("owner"), (*base, "owner"))
        for j, other in enumerate(items(sc, "reinforces")):
            if other == sc.get("id"):
                self.problems.append(
                    Problem("a scenario cannot reinforce itself", (*base, "reinforces", j))
                )
            else:
                ref(other, self.scenarios, "scenario", (*base, "reinforces", j), self.problems)
        rule = sc.get("cascade_rule")
        if rule is not None:
            rules = self.pass_rules
            if rule not in rules:
                allowed = ", ".join(rules) or "none (the method defines no pass rules)"
                self.problems.append(
                    Problem(
                        f"unknown cascade rule {rule!r}; allowed: {allowed}",
                        (*base, "cascade_rule"),
                    )
                )
        covered = _Covered()
        self._check_estimates(s, sc, base, lik, covered)
        self._check_consensus(s, sc, base, lik, covered)
        if isinstance(flag, bool):
            self._warn_missing(base, covered, sc.get("kind") == "chronic")

    def _check_estimates(
        self, s: int, sc: dict[str, Any], base: Path, lik: Target | None, covered: _Covered
    ) -> None:
        seen: dict[tuple[int, int], int] = {}
        for e, entry in enumerate(items(sc, "estimates")):
            if not isinstance(entry, dict):
                continue
            path: Path = (*base, "estimates", e)
            a = ref(
                entry.get("analyst"), self.analysts, "analyst", (*path, "analyst"), self.problems
            )
            lv = self._level_of(entry, path)
            if a is None or lv is None:
                # still check what the estimate says, so every problem shows at once
                self._read_entry(entry, s, lv or 0, _NO_ANALYST, lik, path, _Rows())
                continue
            if (a, lv) in seen:
                level = f" at level {entry.get('level')}" if self.has_levels else ""
                self.problems.append(
                    Problem(
                        f"analyst {entry.get('analyst')!r} has a second estimate for this "
                        f"scenario{level} (the first is estimate {seen[(a, lv)] + 1}); merge them",
                        (*path, "analyst"),
                    )
                )
                continue
            seen[(a, lv)] = e
            covered.add(lv, self._read_entry(entry, s, lv, a, lik, path, self.estimates))

    def _check_consensus(
        self, s: int, sc: dict[str, Any], base: Path, lik: Target | None, covered: _Covered
    ) -> None:
        seen: dict[int, int] = {}
        for e, entry in enumerate(items(sc, "consensus")):
            if not isinstance(entry, dict):
                continue
            path: Path = (*base, "consensus", e)
            lv = self._level_of(entry, path)
            if lv is None:
                continue
            if lv in seen:
                what = "level" if self.has_levels else "scenario"
                self.problems.append(
                    Problem(f"a second consensus for the same {what}; keep one", path)
                )
                continue
            seen[lv] = e
            covered.add(lv, self._read_entry(entry, s, lv, _NO_ANALYST, lik, path, self.consensus))

    def _warn_missing(self, base: Path, covered: _Covered, chronic: bool) -> None:
        """Warnings for the levels of a scenario without a likelihood (a chronic risk has none)
        or an impact estimate."""
        for lv in range(self.n_levels):
            at = f" at level {self.method.intensity_levels[lv].id}" if self.has_levels else ""
            if lv not in covered.likelihood and not chronic:
                self.warnings.append(
                    Problem(
                        f"no likelihood estimate{at}: the scenario cannot be ranked"
                        + (" at that level" if at else ""),
                        base,
                        "warning",
                    )
                )
            if lv not in covered.impact:
                self.warnings.append(Problem(f"no impact estimate{at}", base, "warning"))

    # -- one estimate or consensus -----------------------------------------------------------
    def _level_of(self, entry: dict[str, Any], path: Path) -> int | None:
        """The index of the entry's intensity level (0 without levels), or None: a problem."""
        lv = entry.get("level")
        method = self.method
        if not self.has_levels:
            if lv is not None:
                self.problems.append(
                    Problem(
                        f"method {method.id} has no intensity levels; remove 'level'",
                        (*path, "level"),
                    )
                )
                return None
            return 0
        level_list = ", ".join(self.levels)
        if lv is None:
            self.problems.append(
                Problem(
                    f"method {method.id} scores each intensity level: add 'level' ({level_list})",
                    path,
                )
            )
            return None
        if not isinstance(lv, str) or lv not in self.levels:
            self.problems.append(
                Problem(f"unknown intensity level {lv!r}; allowed: {level_list}", (*path, "level"))
            )
            return None
        return self.levels[lv]

    def _read_entry(
        self,
        entry: dict[str, Any],
        s: int,
        lv: int,
        analyst: int,
        lik: Target | None,
        path: Path,
        rows: _Rows,
    ) -> tuple[bool, bool]:
        """Add the entry's likelihood and impact rows; whether it gave each of them."""
        got_lik = got_imp = False
        k = len(self.method.criteria)  # the likelihood's slot, after the criteria
        if entry.get("likelihood") is not None and lik is not None:
            pos = self._resolve(lik, entry["likelihood"], (*path, "likelihood"))
            if pos is not None:
                rows.add(s, lv, k, analyst, pos, self._exact(entry["likelihood"]))
                got_lik = True
        self._read_horizons(entry, s, lv, analyst, lik, path, rows)
        impact = entry.get("impact")
        if isinstance(impact, dict):
            for cid, spec in impact.items():
                slot = self.criteria.get(cid)
                if slot is None:
                    self.problems.append(
                        Problem(
                            f"criterion {cid!r} is not in method {self.method.id}; criteria: "
                            + ", ".join(self.criteria),
                            (*path, "impact", cid),
                        )
                    )
                    continue
                pos = self._resolve(self.crit_targets[slot], spec, (*path, "impact", cid))
                if pos is not None:
                    rows.add(s, lv, slot, analyst, pos, self._exact(spec))
                    got_imp = True
        return got_lik, got_imp

    def _read_horizons(
        self,
        entry: dict[str, Any],
        s: int,
        lv: int,
        analyst: int,
        lik: Target | None,
        path: Path,
        rows: _Rows,
    ) -> None:
        """The likelihood at each horizon (``horizon: {"2050": "4"}``), into that horizon's
        estimate or consensus rows."""
        given = entry.get("horizon")
        if not isinstance(given, dict):
            return
        k = len(self.method.criteria)
        for hid, spec in given.items():
            where: Path = (*path, "horizon", hid)
            if hid not in self.horizon_rows:
                allowed = ", ".join(self.horizon_ids) or "none (the method has no horizons)"
                self.problems.append(Problem(f"unknown horizon {hid!r}; allowed: {allowed}", where))
                continue
            if lik is None or spec is None:
                continue
            pos = self._resolve(lik, spec, where)
            if pos is None:
                continue
            est, cons = self.horizon_rows[hid]
            into = est if rows is self.estimates else cons if rows is self.consensus else _Rows()
            into.add(s, lv, k, analyst, pos, self._exact(spec))

    def _resolve(self, target: Target, spec: Any, path: Path) -> Position | None:
        """The position of one estimate, or None: a problem (and its notes as warnings)."""
        try:
            return target.resolve(spec)
        except BadEstimate as bad:
            self.problems.append(Problem(bad.message, (*path, *bad.sub)))
            return None
        finally:
            for note in target.notes:
                self.warnings.append(Problem(note, (*path, "value"), "warning"))
            target.notes.clear()

    def _exact(self, spec: Any) -> bool:
        """A value or a scale position on a continuous method is exact, not a class."""
        return (
            self.method.continuous
            and isinstance(spec, dict)
            and ("value" in spec or "scale" in spec)
        )

    # -- the engine's input ------------------------------------------------------------------
    def _inputs(self, cascades: CascadeRows) -> AssessmentInput:
        scenarios = self.scenarios_data
        return AssessmentInput(
            n_scenarios=len(scenarios),
            n_levels=self.n_levels,
            n_criteria=len(self.method.criteria),
            malicious=self.malicious,
            estimates=self.estimates.rows(),
            consensus=self.consensus.rows(),
            cascades=cascades,
            actor=np.array(
                [isinstance(sc, dict) and sc.get("actor") is True for sc in scenarios], dtype=bool
            ),
            passes=self._passes(),
            horizons={h: (e.rows(), c.rows()) for h, (e, c) in self.horizon_rows.items()},
        )

    @property
    def pass_rules(self) -> dict[str, list[str]]:
        """The method's pass rules: id -> where the scenario passes effects on."""
        c = self.method.cascades
        if c is None:
            return {}
        return {r.id: list(r.passes_effects_when) for r in c.simulation.pass_rules}

    def _passes(self) -> BoolArray:
        """(S, 3): as root, caused by an actor, caused by another risk (see PASS_ROOT)."""
        out = np.ones((len(self.scenarios_data), 3), dtype=bool)
        rules = self.pass_rules
        for s, sc in enumerate(self.scenarios_data):
            rule = sc.get("cascade_rule") if isinstance(sc, dict) else None
            if isinstance(rule, str) and rule in rules:
                out[s] = [c in rules[rule] for c in ("root", "caused_by_actor", "caused_by_other")]
        return out
