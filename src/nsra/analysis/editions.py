"""Changes since the previous edition: what moved between two computed assessments.

:func:`compare_editions` takes two checked assessments (content, method, the engine's arrays)
with the engine's results of each and says, as plain typed data:

* the scenarios added and removed (by id, with their titles);
* for every scenario in both: its standing in each edition (rank, risk, the level the diagram
  shows, the likelihood and impact classes at that level, serious or not), the levels whose
  classes changed (methods with intensity levels), and the estimates that caused the change:
  every slot (likelihood or a criterion, per level) whose aggregated central position or
  consensus changed, with its class and position before and after, the consensus as written
  before and after, and the analysts whose own estimate of that slot changed;
* the measures added, removed, completed (status moved to ``in_place``) and otherwise changed
  in status; the strategies added and removed;
* the method of each edition: with a different method id or version the classes are read on
  different scales, and :attr:`EditionChanges.same_method` says so.

Decisions:

* Scenarios, analysts, criteria, levels, measures and strategies are matched by id, never by
  position in the file.
* A slot changed when its aggregated central position differs (exactly; NaN equals NaN) or its
  consensus as written differs. An analyst's estimate changed when its positions (low, high,
  central on the class scale) differ; writing ``C`` as ``{class: C}`` is no change. An analyst
  whose estimate changed in a slot whose aggregate did not (a consensus wins) is no cause.
* Pure and deterministic: no I/O, nothing printed; texts stay as the files give them
  (:data:`~nsra.model.text.TextOrStr`), the caller picks the language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from nsra.analysis.checked import CheckedAssessment
from nsra.engine.classes import NO_CLASS
from nsra.engine.compute import Results
from nsra.model.assessment import MeasureStatus
from nsra.model.method import ClassScale, Method
from nsra.model.text import TextOrStr

LIKELIHOOD = "likelihood"
"""The slot id of the likelihood estimate (the other slots are criterion ids)."""

SlotKey = tuple[str | None, str]
"""(level id, or None for methods without levels; ``likelihood`` or a criterion id)."""

Position = tuple[float, float, float]
"""An analyst's estimate on the class scale: (low, high, central)."""


def written(spec: Any) -> str | None:
    """An estimate as the file writes it, without its rationale: ``C``, ``C..D``, ``3``,
    ``12.5``; None where there is none."""
    if spec is None:
        return None
    if isinstance(spec, dict):
        for kind in ("class", "value", "scale"):
            if spec.get(kind) is not None:
                return str(spec[kind])
        return None
    return str(spec)


# -- the result ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """A scenario, measure or strategy named in a change."""

    id: str
    title: TextOrStr


@dataclass(frozen=True)
class Standing:
    """A scenario's place in one edition, at the level the risk diagram shows."""

    rank: int | None
    risk: float | None
    level: str | None
    likelihood: str | None
    impact: str | None
    serious: bool


@dataclass(frozen=True)
class LevelChange:
    """The classes of one intensity level in both editions (only levels that changed)."""

    level: str
    old_likelihood: str | None
    new_likelihood: str | None
    old_impact: str | None
    new_impact: str | None


@dataclass(frozen=True)
class AnalystChange:
    """One analyst's estimate of one slot, as written in each edition (None: none given)."""

    analyst: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class SlotChange:
    """One slot whose aggregated central position or consensus changed."""

    level: str | None
    slot: str
    old_class: str | None
    new_class: str | None
    old_position: float | None
    new_position: float | None
    old_consensus: str | None
    new_consensus: str | None
    analysts: tuple[AnalystChange, ...]


@dataclass(frozen=True)
class ScenarioChange:
    """A scenario present in both editions: where it stood, and what in its estimates moved."""

    id: str
    title: TextOrStr
    old: Standing
    new: Standing
    levels: tuple[LevelChange, ...]
    causes: tuple[SlotChange, ...]

    @property
    def moved(self) -> int | None:
        """Ranks moved up the ranking (old rank minus new rank); None when unranked."""
        if self.old.rank is None or self.new.rank is None:
            return None
        return self.old.rank - self.new.rank

    @property
    def shifted(self) -> bool:
        """Its rank, a class at the level shown, the level shown or its seriousness changed."""
        o, n = self.old, self.new
        return (o.rank, o.level, o.likelihood, o.impact, o.serious) != (
            n.rank,
            n.level,
            n.likelihood,
            n.impact,
            n.serious,
        )

    @property
    def changed(self) -> bool:
        """Anything changed: the standing (risk included), a level's classes or an estimate."""
        return self.old != self.new or bool(self.levels) or bool(self.causes)


@dataclass(frozen=True)
class MeasureChange:
    """A measure added (``old_status`` None), removed (``new_status`` None) or whose status
    changed; ``completed`` when it moved to ``in_place``."""

    id: str
    title: TextOrStr
    old_status: MeasureStatus | None
    new_status: MeasureStatus | None

    @property
    def kind(self) -> str:
        """``added``, ``removed``, ``completed`` or ``status``."""
        if self.old_status is None:
            return "added"
        if self.new_status is None:
            return "removed"
        return "completed" if self.new_status == "in_place" else "status"


@dataclass(frozen=True)
class EditionChanges:
    """Everything that changed from the old edition to the new one."""

    old_method: tuple[str, str]
    new_method: tuple[str, str]
    added: tuple[Item, ...]
    removed: tuple[Item, ...]
    scenarios: tuple[ScenarioChange, ...]  # every scenario in both, in the new rank order
    measures: tuple[MeasureChange, ...]
    strategies_added: tuple[Item, ...]
    strategies_removed: tuple[Item, ...]

    @property
    def same_method(self) -> bool:
        """Both editions use the same method id and version (classes on the same scales)."""
        return self.old_method == self.new_method

    @property
    def moves(self) -> tuple[ScenarioChange, ...]:
        """Scenarios whose rank, class, level shown or seriousness changed."""
        return tuple(s for s in self.scenarios if s.shifted)

    @property
    def changed(self) -> bool:
        return bool(
            not self.same_method
            or self.added
            or self.removed
            or any(s.changed for s in self.scenarios)
            or self.measures
            or self.strategies_added
            or self.strategies_removed
        )

    def measures_of(self, kind: str) -> tuple[MeasureChange, ...]:
        """The measure changes of one kind (:attr:`MeasureChange.kind`)."""
        return tuple(m for m in self.measures if m.kind == kind)


# -- one edition, read once ---------------------------------------------------------------------
def _code(scale: ClassScale, index: int) -> str | None:
    return None if index == NO_CLASS else scale.code_of(index)


def _number(x: float) -> float | None:
    return None if math.isnan(x) or math.isinf(x) else float(x)


class _Edition:
    """Look-ups of one edition: scenario index by id, slots, classes, estimates as written."""

    def __init__(self, checked: CheckedAssessment, results: Results) -> None:
        self.a = checked.assessment
        self.m: Method = checked.method
        self.inputs = checked.inputs
        self.r = results
        self.index = {sc.id: s for s, sc in enumerate(self.a.scenarios)}
        self.level_ids: list[str | None] = [lv.id for lv in self.m.intensity_levels] or [None]
        self.slot_ids = [c.id for c in self.m.criteria] + [LIKELIHOOD]
        self.crit_scales = [self.m.scale(c.scale) for c in self.m.criteria]
        self.lik_scales = {
            flag: self.m.scale(self.m.likelihood.scale_for(flag).scale) for flag in (True, False)
        }
        self.total_scale = self.m.scale(self.m.aggregation.total_scale)
        self.analyst_ids = [an.id for an in self.a.analysts]
        rows = self.inputs.estimates
        self._order = np.argsort(rows.scenario, kind="stable")
        self._starts = np.searchsorted(
            rows.scenario[self._order], np.arange(len(self.a.scenarios) + 1)
        )

    def positions(self, s: int) -> dict[SlotKey, dict[str, Position]]:
        """Each analyst's estimate of scenario ``s`` on the class scale, per slot."""
        rows = self.inputs.estimates
        at = self._order[self._starts[s] : self._starts[s + 1]]
        out: dict[SlotKey, dict[str, Position]] = {}
        for lv, k, an, lo, hi, c in zip(
            rows.level[at].tolist(),
            rows.slot[at].tolist(),
            rows.analyst[at].tolist(),
            rows.low[at].tolist(),
            rows.high[at].tolist(),
            rows.central[at].tolist(),
            strict=True,
        ):
            key = (self.level_ids[lv], self.slot_ids[k])
            out.setdefault(key, {})[self.analyst_ids[an]] = (lo, hi, c)
        return out

    def standing(self, s: int) -> Standing:
        r, lv = self.r, int(self.r.level[s])
        return Standing(
            rank=int(r.rank[s]) or None,
            risk=_number(float(r.risk[s])),
            level=self.level_ids[lv],
            likelihood=self.likelihood_class(s, lv),
            impact=_code(self.total_scale, int(r.classes.impact[s, lv])),
            serious=bool(r.serious[s]),
        )

    def likelihood_class(self, s: int, lv: int) -> str | None:
        scale = self.lik_scales[self.a.scenarios[s].malicious]
        return _code(scale, int(self.r.classes.likelihood[s, lv]))

    def level_classes(self, s: int) -> dict[str, tuple[str | None, str | None]]:
        """(likelihood class, impact class) per level id (methods with levels only)."""
        return {
            str(level): (
                self.likelihood_class(s, lv),
                _code(self.total_scale, int(self.r.classes.impact[s, lv])),
            )
            for lv, level in enumerate(self.level_ids)
            if level is not None
        }

    def cells(self, s: int) -> dict[SlotKey, tuple[float | None, str | None]]:
        """Central position and class of every slot of scenario ``s`` (likelihood first)."""
        out: dict[SlotKey, tuple[float | None, str | None]] = {}
        central = self.r.cells.central
        k = len(self.crit_scales)
        for lv, level in enumerate(self.level_ids):
            out[(level, LIKELIHOOD)] = (
                _number(float(central[s, lv, k])),
                self.likelihood_class(s, lv),
            )
            for j, scale in enumerate(self.crit_scales):
                cls = _code(scale, int(self.r.classes.criterion[s, lv, j]))
                out[(level, self.slot_ids[j])] = (_number(float(central[s, lv, j])), cls)
        return out

    def consensus(self, s: int) -> dict[SlotKey, str]:
        """The consensus as written, per slot."""
        out: dict[SlotKey, str] = {}
        for c in self.a.scenarios[s].consensus:
            for slot, spec in [(LIKELIHOOD, c.likelihood), *c.impact.items()]:
                text = written(spec)
                if text is not None:
                    out[(c.level, slot)] = text
        return out

    def estimates(self, s: int) -> dict[SlotKey, dict[str, str]]:
        """Each analyst's estimate as written, per slot and analyst."""
        out: dict[SlotKey, dict[str, str]] = {}
        for e in self.a.scenarios[s].estimates:
            for slot, spec in [(LIKELIHOOD, e.likelihood), *e.impact.items()]:
                text = written(spec)
                if text is not None:
                    out.setdefault((e.level, slot), {})[e.analyst] = text
        return out


# -- the comparison -----------------------------------------------------------------------------
def _same(a: float | None, b: float | None) -> bool:
    return a == b  # None stands for NaN on both sides


def _causes(old: _Edition, s: int, new: _Edition, t: int) -> tuple[SlotChange, ...]:
    a_cells, b_cells = old.cells(s), new.cells(t)
    a_cons, b_cons = old.consensus(s), new.consensus(t)
    changed = [
        key
        for key in dict.fromkeys([*a_cells, *b_cells])
        if not _same(a_cells.get(key, (None, None))[0], b_cells.get(key, (None, None))[0])
        or a_cons.get(key) != b_cons.get(key)
    ]
    if not changed:
        return ()
    a_pos, b_pos = old.positions(s), new.positions(t)
    a_text, b_text = old.estimates(s), new.estimates(t)
    out: list[SlotChange] = []
    for key in changed:
        (pa, ca), (pb, cb) = a_cells.get(key, (None, None)), b_cells.get(key, (None, None))
        x, y = a_pos.get(key, {}), b_pos.get(key, {})
        analysts = tuple(
            AnalystChange(w, a_text.get(key, {}).get(w), b_text.get(key, {}).get(w))
            for w in dict.fromkeys([*x, *y])
            if x.get(w) != y.get(w)
        )
        out.append(
            SlotChange(
                level=key[0],
                slot=key[1],
                old_class=ca,
                new_class=cb,
                old_position=pa,
                new_position=pb,
                old_consensus=a_cons.get(key),
                new_consensus=b_cons.get(key),
                analysts=analysts,
            )
        )
    return tuple(out)


def _level_changes(old: _Edition, s: int, new: _Edition, t: int) -> tuple[LevelChange, ...]:
    a, b = old.level_classes(s), new.level_classes(t)
    return tuple(
        LevelChange(level, a[level][0], b[level][0], a[level][1], b[level][1])
        for level in a
        if level in b and a[level] != b[level]
    )


def _rank_key(change: ScenarioChange) -> tuple[bool, int, str]:
    rank = change.new.rank
    return (rank is None, rank or 0, change.id)


def compare_editions(
    old: CheckedAssessment, old_results: Results, new: CheckedAssessment, new_results: Results
) -> EditionChanges:
    """What changed from the old edition (``old`` and its results) to the new one."""
    a, b = _Edition(old, old_results), _Edition(new, new_results)
    scenarios = []
    for sc in new.assessment.scenarios:
        if sc.id not in a.index:
            continue
        s, t = a.index[sc.id], b.index[sc.id]
        scenarios.append(
            ScenarioChange(
                id=sc.id,
                title=sc.title,
                old=a.standing(s),
                new=b.standing(t),
                levels=_level_changes(a, s, b, t),
                causes=_causes(a, s, b, t),
            )
        )
    scenarios.sort(key=_rank_key)
    old_measures = {m.id: m for m in old.assessment.measures}
    new_measures = {m.id: m for m in new.assessment.measures}
    measures = [
        MeasureChange(
            m.id, m.title, old_measures[m.id].status if m.id in old_measures else None, m.status
        )
        for m in new.assessment.measures
        if m.id not in old_measures or old_measures[m.id].status != m.status
    ] + [
        MeasureChange(m.id, m.title, m.status, None)
        for m in old.assessment.measures
        if m.id not in new_measures
    ]
    old_strategies = {st.id for st in old.assessment.strategies}
    new_strategies = {st.id for st in new.assessment.strategies}
    return EditionChanges(
        old_method=(old.method.id, old.method.version),
        new_method=(new.method.id, new.method.version),
        added=tuple(
            Item(sc.id, sc.title) for sc in new.assessment.scenarios if sc.id not in a.index
        ),
        removed=tuple(
            Item(sc.id, sc.title) for sc in old.assessment.scenarios if sc.id not in b.index
        ),
        scenarios=tuple(scenarios),
        measures=tuple(measures),
        strategies_added=tuple(
            Item(st.id, st.title) for st in new.assessment.strategies if st.id not in old_strategies
        ),
        strategies_removed=tuple(
            Item(st.id, st.title) for st in old.assessment.strategies if st.id not in new_strategies
        ),
    )
