"""The strategy parts of an assessment file checked against the file and its method.

International developments, the effects, costs, status, lead and side effects of measures, and
capabilities with the scenarios that need them (:mod:`nsra.model.assessment`). Like
:mod:`nsra.io.meaning` this walks the plain data, so each problem carries its field path (and so
its line) even when the file has problems of shape elsewhere.

The rules, each said in the problem's words:

* every reference names something declared (scenario, organisation, intensity level, criterion or
  interest);
* a shift is class steps or a factor, with an interval that holds it;
* a measure's effects lower risk (steps <= 0, factors <= 1, over the whole interval); what a measure
  raises is recorded as a side effect;
* a measure's effect names one of the scenarios the measure addresses (or none: then it acts on
  all of them); a development's effect always names its scenario;
* a measure's lead is one of its owners;
* an effect changes something (likelihood or impact).
"""

from __future__ import annotations

from typing import Any

from nsra.io.modelcheck import check
from nsra.io.problems import Path, Problem
from nsra.io.references import ids, items, ref
from nsra.model.assessment import Shift, shift_of
from nsra.model.method import Method


class StrategyCheck:
    """One run over developments, measures and capabilities."""

    def __init__(
        self,
        data: Any,
        method: Method,
        scenarios: dict[str, int],
        orgs: dict[str, int],
        problems: list[Problem],
    ) -> None:
        self.data = data
        self.method = method
        self.scenarios = scenarios
        self.orgs = orgs
        self.problems = problems
        self.levels = {lv.id: i for i, lv in enumerate(method.intensity_levels)}
        self.criteria = {c.id: k for k, c in enumerate(method.criteria)}
        self.interests = {i.id: n for n, i in enumerate(method.interests)}

    def run(self) -> None:
        ids(items(self.data, "developments"), ("developments",), "development", self.problems)
        ids(items(self.data, "capabilities"), ("capabilities",), "capability", self.problems)
        for i, m in enumerate(items(self.data, "measures")):
            if isinstance(m, dict):
                self._measure(i, m)
        for i, d in enumerate(items(self.data, "developments")):
            if isinstance(d, dict):
                for j, e in enumerate(items(d, "effects")):
                    if isinstance(e, dict):
                        self._effect(e, ("developments", i, "effects", j), None, raises=True)
        for i, c in enumerate(items(self.data, "capabilities")):
            if isinstance(c, dict):
                self._capability(i, c)

    def _problem(self, message: str, path: Path) -> None:
        self.problems.append(Problem(message, path))

    def _measure(self, i: int, m: dict[str, Any]) -> None:
        base: Path = ("measures", i)
        owners = [o for o in items(m, "owners") if isinstance(o, str)]
        lead = m.get("lead")
        known_lead = ref(lead, self.orgs, "organisation", (*base, "lead"), self.problems)
        if known_lead is not None and lead not in owners:
            self._problem(
                f"the lead {lead!r} must be one of the measure's owners "
                f"({', '.join(owners) or 'none given'}); add it to owners",
                (*base, "lead"),
            )
        addressed = {s for s in items(m, "scenarios") if isinstance(s, str)}
        for j, e in enumerate(items(m, "effects")):
            if isinstance(e, dict):
                self._effect(e, (*base, "effects", j), addressed, raises=False)
        for j, se in enumerate(items(m, "side_effects")):
            if isinstance(se, dict):
                path: Path = (*base, "side_effects", j, "scenario")
                sid = se.get("scenario")
                known = ref(sid, self.scenarios, "scenario", path, self.problems)
                if known is not None and sid in addressed:
                    self._problem(
                        f"{sid!r} is a scenario this measure addresses; a side effect is on "
                        "a risk the measure does not address (give the effect under effects)",
                        path,
                    )

    def _effect(
        self, e: dict[str, Any], base: Path, addressed: set[str] | None, raises: bool
    ) -> None:
        sid = e.get("scenario")
        if addressed is None and sid is None:
            self._problem("name the scenario this development affects (scenario: ...)", base)
        elif sid is not None:
            path: Path = (*base, "scenario")
            known = ref(sid, self.scenarios, "scenario", path, self.problems)
            if known is not None and addressed is not None and sid not in addressed:
                self._problem(
                    f"the measure does not address {sid!r}; add it to the measure's scenarios, "
                    "or record it as a side effect",
                    path,
                )
        for j, lv in enumerate(items(e, "levels")):
            path = (*base, "levels", j)
            if not self.levels:
                self._problem(
                    f"the method {self.method.id} has no intensity levels; leave levels out", path
                )
                break
            ref(lv, self.levels, "intensity level", path, self.problems)
        lik = e.get("likelihood")
        impact = e.get("impact")
        if lik is None and not impact:
            self._problem(
                "say what changes: likelihood, impact (per criterion or interest), or both", base
            )
        if lik is not None:
            self._shift(lik, (*base, "likelihood"), raises)
        if isinstance(impact, dict):
            for key, spec in impact.items():
                path = (*base, "impact", str(key))
                if key not in self.criteria and key not in self.interests:
                    listing = ", ".join([*self.criteria, *self.interests])
                    self._problem(
                        f"{key!r} is neither a criterion nor an interest of the method "
                        f"{self.method.id}; known: {listing}",
                        path,
                    )
                    continue
                self._shift(spec, path, raises)
            if set(impact) & set(self.interests):
                for key in impact:
                    if key in self.criteria:
                        interest = self.method.criteria[self.criteria[key]].interest
                        if interest in impact:
                            self._problem(
                                f"{key!r} belongs to the interest {interest!r}, which this effect "
                                "also shifts; give one or the other",
                                (*base, "impact", str(key)),
                            )

    def _shift(self, spec: Any, path: Path, raises: bool) -> None:
        if isinstance(spec, dict):
            _, shape = check(Shift, spec)
            for p in shape:
                self._problem(p.message, (*path, *p.path))
            if shape:
                return
        try:
            shift = shift_of(spec)
        except ValueError as e:
            self._problem(str(e), path)
            return
        if raises:
            return
        low, high = shift.bounds
        if shift.steps is not None and max(low, high, shift.steps) > 0:
            self._problem(
                "a measure's effect lowers risk: give class steps of 0 or below (-1 is one class "
                "down), over the whole interval; what it raises is a side effect",
                path,
            )
        if shift.factor is not None and max(low, high, shift.factor) > 1:
            self._problem(
                "a measure's effect lowers risk: give a factor of 1 or below (0.7 takes 30% "
                "off), over the whole interval; what it raises is a side effect",
                path,
            )

    def _capability(self, i: int, c: dict[str, Any]) -> None:
        base: Path = ("capabilities", i)
        for j, o in enumerate(items(c, "owners")):
            ref(o, self.orgs, "organisation", (*base, "owners", j), self.problems)
        seen: dict[tuple[str, str], int] = {}
        for j, need in enumerate(items(c, "needed")):
            if not isinstance(need, dict):
                continue
            sid = need.get("scenario")
            ref(sid, self.scenarios, "scenario", (*base, "needed", j, "scenario"), self.problems)
            for phase in items(need, "phases"):
                if not isinstance(sid, str) or not isinstance(phase, str):
                    continue
                if (sid, phase) in seen:
                    self._problem(
                        f"{sid!r} in the phase {phase!r} is already given at entry "
                        f"{seen[(sid, phase)] + 1}; give each scenario and phase once",
                        (*base, "needed", j, "phases"),
                    )
                else:
                    seen[(sid, phase)] = j


def check_strategy(
    data: Any,
    method: Method,
    scenarios: dict[str, int],
    orgs: dict[str, int],
    problems: list[Problem],
) -> None:
    """Append the problems of the file's developments, measures and capabilities."""
    StrategyCheck(data, method, scenarios, orgs, problems).run()
