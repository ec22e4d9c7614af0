"""Reading one estimate: the forms an analyst may write, and the scale position each one gives.

An estimate is about a *target*: a criterion, the likelihood (of malicious or non-malicious
scenarios) or the conditional probability of a cascade. It may be written as a class (``C``), a
class range (``C..D``), a class number on scales with numeric codes (``3``), or a mapping with
exactly one of ``class``, ``value`` (in the target's unit) or ``scale`` (a position on the
continuous class scale) and an optional ``rationale``. :meth:`Target.resolve` turns each form into
a (low, high, central) position or raises :class:`BadEstimate` with the reason in plain words.

The same rules serve the file checker (:mod:`nsra.io.meaning`, :mod:`nsra.io.cascade_checks`) and
the server's estimate writes (:func:`estimate_problem`), so both give the same message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from nsra.engine.scales import ScaleKernel, exponential_position
from nsra.io.problems import Path, Problem
from nsra.model.method import Criterion, ExponentialFunction, Method
from nsra.model.text import is_text_or_str, tr

Position = tuple[float, float, float]  # low, high, central

ValueReader = Callable[[float], float]
"""A value in the target's unit -> its scale position; raises :class:`BadEstimate`."""


class BadEstimate(Exception):
    """An estimate that cannot be read: the reason, and where inside the estimate (``sub``)."""

    def __init__(self, message: str, sub: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.sub = sub


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


@dataclass(frozen=True)
class Target:
    """What an estimate is about, and how its forms become positions."""

    name: str  # "criterion 2.1", "likelihood", "conditional probability"
    kernel: ScaleKernel
    continuous: bool
    unit: str | None  # what a value means, or None when values are not accepted
    from_value: ValueReader | None
    known: dict[str, Position] = field(default_factory=dict, compare=False, repr=False)
    notes: list[str] = field(default_factory=list, compare=False, repr=False)  # warnings

    def allowed(self) -> str:
        return ", ".join(self.kernel.scale.codes)

    def index(self, code: str) -> int:
        i = self.kernel.scale.index_of(code)
        if i is None:
            raise BadEstimate(f"{self.name} has no class {code!r}; allowed: {self.allowed()}")
        return i

    def resolve(self, spec: Any) -> Position:
        """(low, high, central) position of one estimate, or :class:`BadEstimate`."""
        if isinstance(spec, bool) or spec is None:
            raise BadEstimate(f"expected a class of {self.name} ({self.allowed()}); found {spec!r}")
        if isinstance(spec, int):
            code = str(spec)
            if self.kernel.scale.index_of(code) is None:
                hint = f"; for a value in {self.unit} write {{value: {spec}}}" if self.unit else ""
                raise BadEstimate(
                    f"{self.name} has no class {code}; allowed: {self.allowed()}{hint}"
                )
            k = float(self.index(code))
            return k, k, k
        if isinstance(spec, float):
            hints = []
            if self.continuous:
                hints.append(f"{{scale: {spec}}} for a position on the class scale")
            if self.unit:
                hints.append(f"{{value: {spec}}} for a value in {self.unit}")
            hint = "; write " + " or ".join(hints) if hints else ""
            raise BadEstimate(
                f"a bare number is ambiguous for {self.name}; give a class ({self.allowed()}){hint}"
            )
        if isinstance(spec, str):
            pos = self.known.get(spec)
            if pos is None:  # few distinct class texts: remember the good ones
                pos = self.known[spec] = self._class_text(spec)
            return pos
        if isinstance(spec, dict):
            return self._detail(spec)
        raise BadEstimate(f"expected a class of {self.name} ({self.allowed()}); found {spec!r}")

    def _class_text(self, text: str, sub: Path = ()) -> Position:
        text = text.strip()
        if ".." in text:
            a, _, b = text.partition("..")
            try:
                lo, hi = float(self.index(a.strip())), float(self.index(b.strip()))
            except BadEstimate as bad:
                raise BadEstimate(bad.message, sub) from None
            if hi < lo:
                raise BadEstimate(
                    f"the range {text} runs downwards; write {b.strip()}..{a.strip()}", sub
                )
            return lo, hi, (lo + hi) / 2
        try:
            k = float(self.index(text))
        except BadEstimate as bad:
            raise BadEstimate(bad.message, sub) from None
        return k, k, k

    def _detail(self, spec: dict[str, Any]) -> Position:
        allowed = {"class", "value", "scale", "rationale"}
        unknown = sorted(set(spec) - allowed)
        if unknown:
            raise BadEstimate(
                f"unknown field {unknown[0]!r}; allowed fields: class, value, scale, rationale",
                (unknown[0],),
            )
        rationale = spec.get("rationale")
        if rationale is not None and not is_text_or_str(rationale):
            raise BadEstimate(
                "the rationale must be text, or a text per language such as {en: ..., nl: ...}",
                ("rationale",),
            )
        given = [k for k in ("class", "value", "scale") if k in spec]
        if len(given) != 1:
            raise BadEstimate(
                "give exactly one of class, value or scale"
                + (f" (found {', '.join(given)})" if given else "")
            )
        kind = given[0]
        raw = spec[kind]
        if kind == "class":
            if isinstance(raw, int) and not isinstance(raw, bool):
                raw = str(raw)
            if not isinstance(raw, str):
                raise BadEstimate(f"expected a class ({self.allowed()}); found {raw!r}", ("class",))
            return self._class_text(raw, ("class",))
        try:
            number = float(raw)
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(number):
            found = repr(raw) if len(repr(raw)) < 40 else repr(raw)[:37] + "..."
            raise BadEstimate(f"expected a finite number; found {found}", (kind,))
        if kind == "scale":
            return self._scale_position(number)
        return self._value_position(number)

    def _scale_position(self, number: float) -> Position:
        if not self.continuous:
            raise BadEstimate(
                "this method scores classes, not positions on a continuous scale; "
                f"give a class ({self.allowed()})",
                ("scale",),
            )
        lo, hi = self.kernel.min_position, self.kernel.max_position
        if not lo <= number <= hi:
            raise BadEstimate(
                f"{number} is outside the scale of {self.name} ({lo}..{hi})", ("scale",)
            )
        return number, number, number

    def _value_position(self, number: float) -> Position:
        if self.from_value is None or self.unit is None:
            raise BadEstimate(
                f"{self.name} is qualitative: give a class ({self.allowed()}), not a value",
                ("value",),
            )
        try:
            s = self.from_value(number)
        except _Clamped as clamped:
            self.notes.append(clamped.message)
            s = clamped.position
        except BadEstimate as bad:
            raise BadEstimate(bad.message, ("value",)) from None
        return s, s, s


def estimate_problem(target: Target, spec: Any) -> Problem | None:
    """What is wrong with one estimate for ``target`` (message and path within the estimate),
    with the same plain message as a file check, or None when it is good."""
    try:
        target.resolve(spec)
    except BadEstimate as bad:
        return Problem(bad.message, bad.sub)
    finally:
        target.notes.clear()
    return None


# -- the targets of a method -----------------------------------------------------------------------
def targets(method: Method) -> tuple[list[Target], dict[bool, Target], Target | None]:
    """Targets for each criterion, for likelihood (by malicious flag) and for cascades."""
    crit = [_criterion_target(method, c) for c in method.criteria]
    lik = {flag: _likelihood_target(method, flag) for flag in (True, False)}
    return crit, lik, _cascade_target(method)


def _criterion_target(method: Method, c: Criterion) -> Target:
    kernel = ScaleKernel.of(method.scale(c.scale))
    quantitative = kernel.scale.quantitative and kernel.scale.unit is not None
    unit = tr(kernel.scale.unit) if quantitative else None
    reader: ValueReader | None = None
    if kernel.scale.quantitative:
        f = method.aggregation.monetisation
        if method.aggregation.kind == "monetised" and c.eur_per_unit is not None and f is not None:
            euros = partial(
                _monetised_position, e=c.eur_per_unit, top=kernel.max_position, name=c.id, f=f
            )
            held = _within_bounds(euros, kernel)
            reader = held if method.continuous else _discrete(held, kernel)
        else:
            reader = _value_reader(kernel, method.continuous, f"criterion {c.id}")
    return Target(f"criterion {c.id}", kernel, method.continuous, unit, reader)


def _monetised_position(v: float, e: float, top: float, name: str, f: ExponentialFunction) -> float:
    """A value in the criterion's unit -> euros -> position on the monetised scale."""
    if v < 0:
        raise BadEstimate(f"criterion {name} cannot be negative; found {v:g}")
    s = float(exponential_position(v * e, f.factor, f.base, f.threshold, f.threshold_value))
    return _held_on_scale(s, 0.0, top, v, f"criterion {name}")


def _likelihood_target(method: Method, malicious: bool) -> Target:
    spec = method.likelihood.scale_for(malicious)
    kernel = ScaleKernel.of(method.scale(spec.scale))
    name = f"likelihood ({'malicious' if malicious else 'non-malicious'})"
    if spec.quantity == "return_period_months":
        months = _value_reader(kernel, method.continuous, name)
        years = partial(_return_period_position, months=months, top=kernel.max_position)
        return Target(name, kernel, method.continuous, "years (return period)", years)
    reader = _probability_reader(_value_reader(kernel, method.continuous, name), name)
    unit = f"probability over {spec.period_months:g} months"
    return Target(name, kernel, method.continuous, unit, reader)


def _return_period_position(v: float, months: ValueReader, top: float) -> float:
    """A return period in years -> position on a scale of return periods in months."""
    if v <= 0:
        raise BadEstimate(f"a return period must be positive; found {v:g}")
    try:
        return months(v * 12.0)
    except _Clamped as c:
        end = "shortest" if c.position >= top else "longest"
        raise _Clamped(
            c.position,
            f"a return period of {v:g} years lies beyond the {end} the likelihood "
            f"scale holds; counted as its end",
        ) from None


def _cascade_target(method: Method) -> Target | None:
    if method.cascades is None:
        return None
    kernel = ScaleKernel.of(method.scale(method.cascades.scale))
    name = "the conditional probability"
    reader = _probability_reader(_value_reader(kernel, method.continuous, name), name)
    return Target(name, kernel, method.continuous, "probability (0..1)", reader)


# -- value readers ---------------------------------------------------------------------------------
def _value_reader(kernel: ScaleKernel, continuous: bool, what: str) -> ValueReader:
    """Value in the scale's unit -> position (discrete methods: the class index)."""

    def read(v: float) -> float:
        if v < 0:
            raise BadEstimate(f"{what} cannot be negative; found {v:g}")
        if continuous and kernel.scale.function is not None:
            s = float(kernel.position(v))
            return _held_on_scale(s, kernel.min_position, kernel.max_position, v, what)
        if kernel.bounds is not None or kernel.scale.quantitative:
            k = kernel.class_of_value(v)
            if k is None:
                first, last = kernel.scale.classes[0], kernel.scale.classes[-1]
                raise BadEstimate(
                    f"{v:g} lies outside the classes of {what} "
                    f"({first.lower if first.lower is not None else '-inf'} .. "
                    f"{last.upper if last.upper is not None else 'no upper bound'})"
                )
            return float(k)
        return float(kernel.classes(kernel.position(v)))

    return read


def _probability_reader(read: ValueReader, what: str) -> ValueReader:
    def check_p(v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise BadEstimate(f"{what} must be a probability between 0 and 1; found {v:g}")
        return read(v)

    return check_p


def _within_bounds(read: ValueReader, kernel: ScaleKernel) -> ValueReader:
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


def _discrete(read: ValueReader, kernel: ScaleKernel) -> ValueReader:
    def classed(v: float) -> float:
        return float(kernel.classes(read(v)))

    return classed
