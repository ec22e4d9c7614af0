"""Reading and checking an assessment file against its method.

:func:`read_assessment` returns a :class:`Loaded` assessment (the typed file, its method and the
engine's input arrays) or raises :class:`InputError` with *every* problem found, each with file,
line, column, field path and the reason in plain words. Nothing is half-loaded.

The checks on meaning (classes, references, ranges) walk the plain data, not the typed model, so
that they run, and are reported, even when the file also has problems of shape.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nsra.engine.inputs import (
    AssessmentInput,
    CascadeRows,
    EstimateRows,
    FloatArray,
    IntArray,
)
from nsra.engine.scales import ScaleKernel, exponential_position
from nsra.io.gcpause import gc_paused
from nsra.io.methods import load_method, with_positions
from nsra.io.modelcheck import check
from nsra.io.problems import InputError, Path, Problem
from nsra.io.safeyaml import Limits, load, read_text
from nsra.model.assessment import Assessment
from nsra.model.method import ExponentialFunction, Method
from nsra.model.text import tr

Position = tuple[float, float, float]  # low, high, central


@dataclass(frozen=True)
class Loaded:
    """A checked assessment, ready for the engine."""

    source: str
    assessment: Assessment
    method: Method
    inputs: AssessmentInput
    warnings: list[Problem] = field(default_factory=list)


class _Clamped(Exception):
    """A value beyond the ends of its scale: it counts as the end, with a warning."""

    def __init__(self, position: float, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


def _held_on_scale(s: float, low: float, high: float, v: float, what: str) -> float:
    if s > high:
        raise _Clamped(
            high, f"{v:g} lies beyond the top of the scale of {what}; it counts as the top"
        )
    if s < low:
        raise _Clamped(
            low, f"{v:g} lies below the bottom of the scale of {what}; it counts as the bottom"
        )
    return s


class _Bad(Exception):
    def __init__(self, message: str, sub: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.sub = sub


@dataclass(frozen=True)
class Target:
    """What an estimate is about, and how its forms become positions."""

    name: str  # "criterion 2.1", "likelihood", "conditional probability"
    kernel: ScaleKernel
    continuous: bool
    unit: str | None  # what a value means, or None when values are not accepted
    from_value: Callable[[float], float] | None
    known: dict[str, Position] = field(default_factory=dict, compare=False, repr=False)
    notes: list[str] = field(default_factory=list, compare=False, repr=False)  # warnings

    def allowed(self) -> str:
        return ", ".join(self.kernel.scale.codes)

    def index(self, code: str) -> int:
        i = self.kernel.scale.index_of(code)
        if i is None:
            raise _Bad(f"{self.name} has no class {code!r}; allowed: {self.allowed()}")
        return i

    def resolve(self, spec: Any) -> Position:
        """(low, high, central) position of one estimate, or :class:`_Bad`."""
        if isinstance(spec, bool) or spec is None:
            raise _Bad(f"expected a class of {self.name} ({self.allowed()}); found {spec!r}")
        if isinstance(spec, int):
            code = str(spec)
            if self.kernel.scale.index_of(code) is None:
                hint = f"; for a value in {self.unit} write {{value: {spec}}}" if self.unit else ""
                raise _Bad(f"{self.name} has no class {code}; allowed: {self.allowed()}{hint}")
            k = float(self.index(code))
            return k, k, k
        if isinstance(spec, float):
            hints = []
            if self.continuous:
                hints.append(f"{{scale: {spec}}} for a position on the class scale")
            if self.unit:
                hints.append(f"{{value: {spec}}} for a value in {self.unit}")
            hint = "; write " + " or ".join(hints) if hints else ""
            raise _Bad(
                f"a bare number is ambiguous for {self.name}; give a class ({self.allowed()}){hint}"
            )
        if isinstance(spec, str):
            pos = self.known.get(spec)
            if pos is None:  # few distinct class texts: remember the good ones
                pos = self.known[spec] = self._class_text(spec)
            return pos
        if isinstance(spec, dict):
            return self._detail(spec)
        raise _Bad(f"expected a class of {self.name} ({self.allowed()}); found {spec!r}")

    def _class_text(self, text: str, sub: Path = ()) -> Position:
        text = text.strip()
        if ".." in text:
            a, _, b = text.partition("..")
            try:
                lo, hi = float(self.index(a.strip())), float(self.index(b.strip()))
            except _Bad as bad:
                raise _Bad(bad.message, sub) from None
            if hi < lo:
                raise _Bad(f"the range {text} runs downwards; write {b.strip()}..{a.strip()}", sub)
            return lo, hi, (lo + hi) / 2
        try:
            k = float(self.index(text))
        except _Bad as bad:
            raise _Bad(bad.message, sub) from None
        return k, k, k

    def _detail(self, spec: dict[str, Any]) -> Position:
        allowed = {"class", "value", "scale", "rationale"}
        unknown = sorted(set(spec) - allowed)
        if unknown:
            raise _Bad(
                f"unknown field {unknown[0]!r}; allowed fields: class, value, scale, rationale",
                (unknown[0],),
            )
        rationale = spec.get("rationale")
        if rationale is not None and not isinstance(rationale, str):
            raise _Bad("the rationale must be text", ("rationale",))
        given = [k for k in ("class", "value", "scale") if k in spec]
        if len(given) != 1:
            raise _Bad(
                "give exactly one of class, value or scale"
                + (f" (found {', '.join(given)})" if given else "")
            )
        kind = given[0]
        raw = spec[kind]
        if kind == "class":
            if isinstance(raw, int) and not isinstance(raw, bool):
                raw = str(raw)
            if not isinstance(raw, str):
                raise _Bad(f"expected a class ({self.allowed()}); found {raw!r}", ("class",))
            return self._class_text(raw, ("class",))
        try:
            number = float(raw)
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(number):
            found = repr(raw) if len(repr(raw)) < 40 else repr(raw)[:37] + "..."
            raise _Bad(f"expected a finite number; found {found}", (kind,))
        if kind == "scale":
            if not self.continuous:
                raise _Bad(
                    "this method scores classes, not positions on a continuous scale; "
                    f"give a class ({self.allowed()})",
                    ("scale",),
                )
            lo, hi = self.kernel.min_position, self.kernel.max_position
            if not lo <= number <= hi:
                raise _Bad(f"{number} is outside the scale of {self.name} ({lo}..{hi})", ("scale",))
            return number, number, number
        if self.from_value is None or self.unit is None:
            raise _Bad(
                f"{self.name} is qualitative: give a class ({self.allowed()}), not a value",
                ("value",),
            )
        try:
            s = self.from_value(number)
        except _Clamped as clamped:
            self.notes.append(clamped.message)
            s = clamped.position
        except _Bad as bad:
            raise _Bad(bad.message, ("value",)) from None
        return s, s, s


def _value_reader(kernel: ScaleKernel, continuous: bool, what: str) -> Callable[[float], float]:
    """Value in the scale's unit -> position (discrete methods: the class index)."""

    def read(v: float) -> float:
        if v < 0:
            raise _Bad(f"{what} cannot be negative; found {v:g}")
        if continuous and kernel.scale.function is not None:
            s = float(kernel.position(v))
            return _held_on_scale(s, kernel.min_position, kernel.max_position, v, what)
        if kernel.bounds is not None or kernel.scale.quantitative:
            k = kernel.class_of_value(v)
            if k is None:
                first, last = kernel.scale.classes[0], kernel.scale.classes[-1]
                raise _Bad(
                    f"{v:g} lies outside the classes of {what} "
                    f"({first.lower if first.lower is not None else '-inf'} .. "
                    f"{last.upper if last.upper is not None else 'no upper bound'})"
                )
            return float(k)
        return float(kernel.classes(kernel.position(v)))

    return read


def _probability_reader(read: Callable[[float], float], what: str) -> Callable[[float], float]:
    def check_p(v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise _Bad(f"{what} must be a probability between 0 and 1; found {v:g}")
        return read(v)

    return check_p


def targets(method: Method) -> tuple[list[Target], dict[bool, Target], Target | None]:
    """Targets for each criterion, for likelihood (by malicious flag) and for cascades."""
    crit: list[Target] = []
    agg = method.aggregation
    for c in method.criteria:
        kernel = ScaleKernel.of(method.scale(c.scale))
        quantitative = kernel.scale.quantitative and kernel.scale.unit is not None
        unit = tr(kernel.scale.unit) if quantitative else None
        reader: Callable[[float], float] | None = None
        if kernel.scale.quantitative:
            f = agg.monetisation
            if agg.kind == "monetised" and c.eur_per_unit is not None and f is not None:
                eur_per_unit = c.eur_per_unit
                top = kernel.max_position

                def monetised(
                    v: float,
                    e: float = eur_per_unit,
                    top: float = top,
                    name: str = c.id,
                    f: ExponentialFunction = f,
                ) -> float:
                    if v < 0:
                        raise _Bad(f"criterion {name} cannot be negative; found {v:g}")
                    s = float(
                        exponential_position(
                            v * e, f.factor, f.base, f.threshold, f.threshold_value
                        )
                    )
                    return _held_on_scale(s, 0.0, top, v, f"criterion {name}")

                held = _within_bounds(monetised, kernel)
                reader = held if method.continuous else _discrete(held, kernel)
            else:
                reader = _value_reader(kernel, method.continuous, f"criterion {c.id}")
        crit.append(Target(f"criterion {c.id}", kernel, method.continuous, unit, reader))
    lik: dict[bool, Target] = {}
    for flag in (True, False):
        spec = method.likelihood.scale_for(flag)
        kernel = ScaleKernel.of(method.scale(spec.scale))
        name = f"likelihood ({'malicious' if flag else 'non-malicious'})"
        if spec.quantity == "return_period_months":
            base = _value_reader(kernel, method.continuous, name)

            def from_years(
                v: float, base: Callable[[float], float] = base, top: float = kernel.max_position
            ) -> float:
                if v <= 0:
                    raise _Bad(f"a return period must be positive; found {v:g}")
                try:
                    return base(v * 12.0)
                except _Clamped as c:
                    end = "shortest" if c.position >= top else "longest"
                    raise _Clamped(
                        c.position,
                        f"a return period of {v:g} years lies beyond the {end} the likelihood "
                        f"scale holds; counted as its end",
                    ) from None

            lik[flag] = Target(name, kernel, method.continuous, "years (return period)", from_years)
        else:
            reader = _probability_reader(_value_reader(kernel, method.continuous, name), name)
            unit = f"probability over {spec.period_months:g} months"
            lik[flag] = Target(name, kernel, method.continuous, unit, reader)
    casc: Target | None = None
    if method.cascades is not None:
        kernel = ScaleKernel.of(method.scale(method.cascades.scale))
        name = "the conditional probability"
        reader = _probability_reader(_value_reader(kernel, method.continuous, name), name)
        casc = Target(name, kernel, method.continuous, "probability (0..1)", reader)
    return crit, lik, casc


def estimate_problem(target: Target, spec: Any) -> Problem | None:
    """What is wrong with one estimate for ``target`` (message and path within the estimate),
    with the same plain message as a file check, or None when it is good."""
    try:
        target.resolve(spec)
    except _Bad as bad:
        return Problem(bad.message, bad.sub)
    finally:
        target.notes.clear()
    return None


def _within_bounds(read: Callable[[float], float], kernel: ScaleKernel) -> Callable[[float], float]:
    """Keep a position inside the class that the published bounds give the value.

    The BNRA's euro curve puts class edges at 1.6e6 x 10^(k+0.5) EUR (5.06e6 x 10^k), its
    published bounds at 5e6 x 10^k: a value just above a bound keeps its exact position but is
    held in the class of the bounds (upper bounds inclusive, as published).
    """

    def held(v: float) -> float:
        s = read(v)
        k = kernel.class_of_value(v)
        if k is None:
            return s
        low = max(k - 0.5, kernel.min_position)
        high = k + 0.5 - 1e-9  # just inside: floor(s + 0.5) must still give k
        if k == kernel.first_index + kernel.n_classes - 1:
            high = max(s, high)
        return min(max(s, low), high)

    return held


def _discrete(read: Callable[[float], float], kernel: ScaleKernel) -> Callable[[float], float]:
    def classed(v: float) -> float:
        return float(kernel.classes(read(v)))

    return classed


# -- the walk over the plain data -------------------------------------------------------------
def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _ids(items: list[Any], path: Path, what: str, problems: list[Problem]) -> dict[str, int]:
    """Index of each id; repeated ids are problems."""
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
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


def _ref(
    value: Any, known: dict[str, int], what: str, path: Path, problems: list[Problem]
) -> int | None:
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


class _Builder:
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
        def ints(a: array[int]) -> IntArray:
            return np.frombuffer(a, dtype=np.int64) if len(a) else np.zeros(0, np.int64)

        def floats(a: array[float]) -> FloatArray:
            return np.frombuffer(a, dtype=np.float64) if len(a) else np.zeros(0)

        i, f = self.ints, self.floats
        exact = np.frombuffer(self.exact, dtype=np.int8).astype(bool)
        return EstimateRows(
            ints(i[0]),
            ints(i[1]),
            ints(i[2]),
            ints(i[3]),
            floats(f[0]),
            floats(f[1]),
            floats(f[2]),
            exact,
        )


def check_meaning(data: Any, method: Method) -> tuple[AssessmentInput | None, list[Problem]]:
    """Check classes, references and ranges; build the engine input when all is well."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    crit_targets, lik_targets, casc_target = targets(method)
    criteria = {c.id: k for k, c in enumerate(method.criteria)}
    levels = {lv.id: i for i, lv in enumerate(method.intensity_levels)}
    has_levels = bool(levels)
    level_list = ", ".join(levels)

    orgs = _ids(_list(data, "organisations"), ("organisations",), "organisation", problems)
    analysts = _ids(_list(data, "analysts"), ("analysts",), "analyst", problems)
    scenarios_data = _list(data, "scenarios")
    scenarios = _ids(scenarios_data, ("scenarios",), "scenario", problems)
    strategies = _ids(_list(data, "strategies"), ("strategies",), "strategy", problems)
    _ids(_list(data, "measures"), ("measures",), "measure", problems)

    for i, a in enumerate(_list(data, "analysts")):
        if isinstance(a, dict):
            _ref(
                a.get("organisation"),
                orgs,
                "organisation",
                ("analysts", i, "organisation"),
                problems,
            )

    def level_of(entry: dict[str, Any], path: Path) -> int | None:
        lv = entry.get("level")
        if not has_levels:
            if lv is not None:
                problems.append(
                    Problem(
                        f"method {method.id} has no intensity levels; remove 'level'",
                        (*path, "level"),
                    )
                )
                return None
            return 0
        if lv is None:
            problems.append(
                Problem(
                    f"method {method.id} scores each intensity level: add 'level' ({level_list})",
                    path,
                )
            )
            return None
        if not isinstance(lv, str) or lv not in levels:
            problems.append(
                Problem(f"unknown intensity level {lv!r}; allowed: {level_list}", (*path, "level"))
            )
            return None
        return levels[lv]

    def resolve(target: Target, spec: Any, path: Path) -> Position | None:
        try:
            return target.resolve(spec)
        except _Bad as bad:
            problems.append(Problem(bad.message, (*path, *bad.sub)))
            return None
        finally:
            for note in target.notes:
                warnings.append(Problem(note, (*path, "value"), "warning"))
            target.notes.clear()

    n_levels = max(len(levels), 1)
    k = len(method.criteria)
    est = _Builder()
    cons = _Builder()
    malicious = np.zeros(len(scenarios_data), dtype=bool)

    def exact(spec: Any) -> bool:
        """A value or a scale position on a continuous method is exact, not a class."""
        return method.continuous and isinstance(spec, dict) and ("value" in spec or "scale" in spec)

    def read_entry(
        entry: dict[str, Any],
        s: int,
        lv: int,
        analyst: int,
        lik: Target | None,
        path: Path,
        builder: _Builder,
    ) -> tuple[bool, bool]:
        got_lik = got_imp = False
        if entry.get("likelihood") is not None and lik is not None:
            pos = resolve(lik, entry["likelihood"], (*path, "likelihood"))
            if pos is not None:
                builder.add(s, lv, k, analyst, pos, exact(entry["likelihood"]))
                got_lik = True
        impact = entry.get("impact")
        if isinstance(impact, dict):
            for cid, spec in impact.items():
                slot = criteria.get(cid)
                if slot is None:
                    problems.append(
                        Problem(
                            f"criterion {cid!r} is not in method {method.id}; criteria: "
                            + ", ".join(criteria),
                            (*path, "impact", cid),
                        )
                    )
                    continue
                pos = resolve(crit_targets[slot], spec, (*path, "impact", cid))
                if pos is not None:
                    builder.add(s, lv, slot, analyst, pos, exact(spec))
                    got_imp = True
        return got_lik, got_imp

    for s, sc in enumerate(scenarios_data):
        if not isinstance(sc, dict):
            continue
        base: Path = ("scenarios", s)
        flag = sc.get("malicious")
        lik = lik_targets[flag] if isinstance(flag, bool) else None
        malicious[s] = bool(flag) if isinstance(flag, bool) else False
        _ref(sc.get("owner"), orgs, "organisation", (*base, "owner"), problems)
        for j, other in enumerate(_list(sc, "reinforces")):
            if other == sc.get("id"):
                problems.append(
                    Problem("a scenario cannot reinforce itself", (*base, "reinforces", j))
                )
            else:
                _ref(other, scenarios, "scenario", (*base, "reinforces", j), problems)
        seen: dict[tuple[int, int], int] = {}
        covered_lik: set[int] = set()
        covered_imp: set[int] = set()
        for e, entry in enumerate(_list(sc, "estimates")):
            if not isinstance(entry, dict):
                continue
            path: Path = (*base, "estimates", e)
            a = _ref(entry.get("analyst"), analysts, "analyst", (*path, "analyst"), problems)
            lv = level_of(entry, path)
            if a is None or lv is None:
                # still check what the estimate says, so every problem shows at once
                read_entry(entry, s, lv or 0, -1, lik, path, _Builder())
                continue
            if (a, lv) in seen:
                problems.append(
                    Problem(
                        f"analyst {entry.get('analyst')!r} has a second estimate for this "
                        f"scenario{' at level ' + str(entry.get('level')) if has_levels else ''}"
                        f" (the first is estimate {seen[(a, lv)] + 1}); merge them",
                        (*path, "analyst"),
                    )
                )
                continue
            seen[(a, lv)] = e
            got_lik, got_imp = read_entry(entry, s, lv, a, lik, path, est)
            if got_lik:
                covered_lik.add(lv)
            if got_imp:
                covered_imp.add(lv)
        cons_seen: dict[int, int] = {}
        for e, entry in enumerate(_list(sc, "consensus")):
            if not isinstance(entry, dict):
                continue
            path = (*base, "consensus", e)
            lv = level_of(entry, path)
            if lv is None:
                continue
            if lv in cons_seen:
                problems.append(
                    Problem(
                        "a second consensus for the same "
                        f"{'level' if has_levels else 'scenario'}; keep one",
                        path,
                    )
                )
                continue
            cons_seen[lv] = e
            got_lik, got_imp = read_entry(entry, s, lv, -1, lik, path, cons)
            if got_lik:
                covered_lik.add(lv)
            if got_imp:
                covered_imp.add(lv)
        wanted = range(n_levels) if isinstance(flag, bool) else range(0)
        for lv in wanted:
            at = f" at level {method.intensity_levels[lv].id}" if has_levels else ""
            if lv not in covered_lik:
                warnings.append(
                    Problem(
                        f"no likelihood estimate{at}: the scenario cannot be ranked"
                        + (" at that level" if at else ""),
                        base,
                        "warning",
                    )
                )
            if lv not in covered_imp:
                warnings.append(Problem(f"no impact estimate{at}", base, "warning"))

    casc = _cascades(data, method, scenarios, levels, casc_target, problems)

    for i, st in enumerate(_list(data, "strategies")):
        if isinstance(st, dict):
            _ref(st.get("owner"), orgs, "organisation", ("strategies", i, "owner"), problems)
    for i, m in enumerate(_list(data, "measures")):
        if not isinstance(m, dict):
            continue
        for j, o in enumerate(_list(m, "owners")):
            _ref(o, orgs, "organisation", ("measures", i, "owners", j), problems)
        _ref(m.get("strategy"), strategies, "strategy", ("measures", i, "strategy"), problems)
        for j, sid in enumerate(_list(m, "scenarios")):
            _ref(sid, scenarios, "scenario", ("measures", i, "scenarios", j), problems)

    if problems:
        return None, problems + warnings
    inputs = AssessmentInput(
        n_scenarios=len(scenarios_data),
        n_levels=n_levels,
        n_criteria=k,
        malicious=malicious,
        estimates=est.rows(),
        consensus=cons.rows(),
        cascades=casc,
        actor=np.array(
            [isinstance(sc, dict) and sc.get("actor") is True for sc in scenarios_data], dtype=bool
        ),
    )
    return inputs, warnings


def _cascades(
    data: Any,
    method: Method,
    scenarios: dict[str, int],
    levels: dict[str, int],
    target: Target | None,
    problems: list[Problem],
) -> CascadeRows:
    items = _list(data, "cascades")
    cols: list[list[Any]] = [[] for _ in range(5)]
    if items and target is None:
        problems.append(
            Problem(
                f"method {method.id} defines no cascades; remove the cascades section",
                ("cascades",),
            )
        )
        return CascadeRows.empty()
    assert target is not None or not items
    pairs: dict[tuple[str, str], int] = {}
    for i, cz in enumerate(items):
        if not isinstance(cz, dict) or target is None:
            continue
        path: Path = ("cascades", i)
        cause = _ref(cz.get("cause"), scenarios, "scenario", (*path, "cause"), problems)
        effect = _ref(cz.get("effect"), scenarios, "scenario", (*path, "effect"), problems)
        if cause is not None and cause == effect:
            problems.append(Problem("a scenario cannot be its own cause", (*path, "effect")))
            continue
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

        def prob(spec: Any, where: Path) -> float | None:
            assert target is not None
            try:
                pos = target.resolve(spec)
            except _Bad as bad:
                problems.append(Problem(bad.message, (*where, *bad.sub)))
                return None
            return float(target.kernel.value(pos[2]))

        if levels:
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
                continue
            for a_id, row in matrix.items():
                if a_id not in levels:
                    problems.append(
                        Problem(
                            f"unknown intensity level {a_id!r}; allowed: {', '.join(levels)}",
                            (*path, "levels", a_id),
                        )
                    )
                    continue
                if not isinstance(row, dict):
                    problems.append(
                        Problem("expected effect level: class pairs", (*path, "levels", a_id))
                    )
                    continue
                for b_id, spec in row.items():
                    where: Path = (*path, "levels", a_id, b_id)
                    if b_id not in levels:
                        problems.append(
                            Problem(
                                f"unknown intensity level {b_id!r}; allowed: {', '.join(levels)}",
                                where,
                            )
                        )
                        continue
                    p = prob(spec, where)
                    if p is not None and cause is not None and effect is not None and p > 0:
                        for col, v in zip(
                            cols, (cause, levels[a_id], effect, levels[b_id], p), strict=True
                        ):
                            col.append(v)
        else:
            if cz.get("levels") is not None or cz.get("probability") is None:
                problems.append(
                    Problem(
                        f"give the conditional probability as probability: class "
                        f"({target.allowed()}) or {{value: 0.2}}",
                        path,
                    )
                )
                continue
            p = prob(cz["probability"], (*path, "probability"))
            if p is not None and cause is not None and effect is not None and p > 0:
                for col, v in zip(cols, (cause, 0, effect, 0, p), strict=True):
                    col.append(v)
    if not cols[0]:
        return CascadeRows.empty()
    return CascadeRows(
        np.asarray(cols[0], dtype=np.int64),
        np.asarray(cols[1], dtype=np.int64),
        np.asarray(cols[2], dtype=np.int64),
        np.asarray(cols[3], dtype=np.int64),
        np.asarray(cols[4], dtype=float),
    )


def parse_assessment(
    text: str,
    source: str,
    method: Method | None = None,
    base_path: str | None = None,
    limits: Limits | None = None,
) -> Loaded:
    """Check an assessment given as text; raises :class:`InputError` with every problem."""
    data = load(text, source, limits or Limits())
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    "an assessment file must be a mapping (title:, method:, scenarios: ...)",
                    file=source,
                    line=1,
                )
            ]
        )
    assessment, shape_problems = check(Assessment, data)
    problems.extend(shape_problems)
    if method is None:
        ref = data.get("method")
        if isinstance(ref, str):
            try:
                method = load_method(ref, relative_to=base_path)
            except InputError as exc:
                for p in exc.problems:
                    if p.line is None:  # the method file itself could not be read
                        if p.file is not None:
                            p.message = f"method file {p.file}: {p.message}"
                        p.file, p.path = None, ("method",)
                problems.extend(exc.problems)
    inputs: AssessmentInput | None = None
    warnings: list[Problem] = []
    if method is not None:
        inputs, meaning = check_meaning(data, method)
        problems.extend(p for p in meaning if p.severity == "error")
        warnings = [p for p in meaning if p.severity == "warning"]
    if problems or assessment is None or method is None or inputs is None:
        raise InputError(with_positions(problems + warnings, text, source))
    return Loaded(source, assessment, method, inputs, with_positions(warnings, text, source))


def read_assessment(path: str, limits: Limits | None = None) -> Loaded:
    """Read and check an assessment file (YAML or JSON)."""
    limits = limits or Limits()
    text = read_text(path, limits)
    with gc_paused():
        return parse_assessment(text, path, base_path=path, limits=limits)
