"""Portfolio choice under a budget: which proposed measures to fund to remove the most risk.

The problem arrives as arrays only. ``P`` proposed measures have yearly costs ``costs`` (P,) and
there is a ``budget``. The risk they remove is separable per scenario *group*: group ``g`` (one
scenario) lists the measures acting on it, ``members[g]`` (k_g measure indices, k_g <= 12), and
its table ``values[g]`` (2**k_g,) gives the risk removed on that scenario when exactly the
measures ``{members[g][i] : bit i of mask set}`` are funded; ``values[g][0] == 0``. Tables need
not be additive (effects on one scenario multiply and overlap) nor monotone, only non-negative.
The value of a selection ``x`` is ``sum_g values[g][mask_g(x)]`` (:func:`subset_value`).

* :func:`best_portfolio` solves it exactly as a mixed-integer programme with
  :func:`scipy.optimize.milp` (HiGHS).
* :func:`greedy_portfolio` adds measures by marginal gain per euro, for comparison.
* :func:`portfolio_robustness` solves the exact programme for each of N Monte Carlo draws of the
  tables and reports, per measure, the share of draws in which it is in the best portfolio (the
  SMAA idea applied to portfolios). The constraint matrix is built once; only the objective
  changes between draws.

Ties. The programme maximises ``value - penalty``, with the value scaled so that the largest
attainable value ``V`` (the sum of each group's largest entry) is 10**6 units, and a penalty per
funded measure ``j`` of ``0.1 * cost_j / C + 0.001 * (j + 1) / (P + 1)`` units (``C``: the
total cost of the measures that can be funded at all). All penalties together stay below
``(0.1 + 0.0005 * P) * 1e-6 * V``, so a portfolio is never given up for one whose value is lower
by more than that. Among portfolios of equal value the one with the lower penalty wins: mostly
the cheaper one, and among equally cheap ones the one whose measures come earlier in the list
(by the sum of their positions); exact ties of the penalty itself (same cost, same sum of
positions) are left to the solver, which is deterministic. A measure that adds nothing is not
funded (its penalty, at least 0.001 / (P + 1) units, is above HiGHS's tolerance of 1e-6 units
for up to some hundreds of measures). The same rule decides every draw of
:func:`portfolio_robustness`, so results do not depend on the number of workers.

Speed. The greedy portfolio of the same tables bounds each exact search (HiGHS's
``objective_bound``, a little above the greedy portfolio's objective): this only prunes
portfolios worse than one already known, so the answer is the same, found about twice as fast;
should that search return nothing, or less than the greedy portfolio, it runs again unbounded.

Output. Some HiGHS builds print a stray debug line (``HighsMipSolverData::
transformNewIntegerFeasibleSolution tmpSolver.run();``) on the process's standard output from C,
on a few per cent of solves. The worker processes of :func:`portfolio_robustness` point their
standard output at the null device; a caller that solves in its own process and writes results
to standard output should do the same around the call.

No I/O, nothing printed; the caller builds the tables from an assessment.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from multiprocessing import get_context

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.optimize import Bounds, LinearConstraint, milp

from nsra.engine.inputs import BoolArray, FloatArray, IntArray

__all__ = [
    "MAX_GROUP",
    "Portfolio",
    "Robustness",
    "best_portfolio",
    "greedy_portfolio",
    "portfolio_robustness",
    "subset_value",
]

MAX_GROUP = 12
"""The most proposed measures one group may hold: its table has 2**k entries."""

_UNITS = 1e6  # the largest attainable value, in the programme's objective units
_COST_TIE = 0.1  # units shared by the cost tie-break (all measures together)
_INDEX_TIE = 1e-3  # units per measure for the position tie-break
_ADDITIVE_RTOL = 1e-12  # a table this close to the sum of its singletons is solved as linear
_BUDGET_RETRIES = 5
_BOUNDED: dict[str, float | bool] = {  # HiGHS options when a good portfolio bounds the search:
    "mip_heuristic_effort": 0.0,  # its heuristics only look for portfolios, and one is known
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_detect_symmetry": False,
}
_CUTOFF_SLACK = 1e-3  # objective units above the best known portfolio that the search keeps


@dataclass(frozen=True)
class Portfolio:
    """A selection of proposed measures.

    ``selected`` (P,) says which are funded; ``value`` is the risk they remove (the objective,
    recomputed exactly from the tables), ``cost`` their total cost. ``method`` is ``"milp"`` or
    ``"greedy"``; ``status`` is scipy's MILP status (0: proven optimal; greedy always 0) and
    ``message`` the solver's words.
    """

    selected: BoolArray
    value: float
    cost: float
    method: str
    status: int
    message: str

    @property
    def optimal(self) -> bool:
        """True when the MILP proved this portfolio optimal (never for greedy)."""
        return self.method == "milp" and self.status == 0

    @property
    def indices(self) -> IntArray:
        """Positions of the funded measures, in order."""
        out: IntArray = np.flatnonzero(self.selected).astype(np.int64)
        return out


@dataclass(frozen=True)
class Robustness:
    """The exact portfolio for each of N draws of the tables.

    ``selected`` (N, P): the best portfolio of each draw; ``share`` (P,): the share of draws in
    which each measure is in the best portfolio; ``value`` (N,) and ``cost`` (N,): the value and
    cost of each draw's best portfolio (the distribution of the attainable risk reduction);
    ``status`` (N,): scipy's MILP status per draw (0: optimal).
    """

    selected: BoolArray
    share: FloatArray
    value: FloatArray
    cost: FloatArray
    status: IntArray

    @property
    def draws(self) -> int:
        return int(self.selected.shape[0])

    @property
    def all_optimal(self) -> bool:
        return bool(np.all(self.status == 0))


@dataclass(frozen=True)
class _Groups:
    """The groups, flattened: every table one after the other in one array."""

    n_measures: int
    sizes: IntArray  # (G,) k_g
    offset: IntArray  # (G + 1,) where each group's table starts in the flat array
    pair_group: IntArray  # one entry per (group, member)
    pair_measure: IntArray
    pair_bit: IntArray  # 1 << i for member i of its group

    @property
    def n_groups(self) -> int:
        return int(self.sizes.shape[0])

    @property
    def width(self) -> int:
        return int(self.offset[-1])

    def masks(self, selected: ArrayLike) -> IntArray:
        """The mask of each group under a selection (..., P) -> (..., G)."""
        sel = np.asarray(selected, dtype=bool)
        bits = np.where(sel[..., self.pair_measure], self.pair_bit, 0)
        # distinct bits within a group: their sum is their OR
        onehot = np.zeros((self.pair_group.size, self.n_groups), dtype=np.int64)
        onehot[np.arange(self.pair_group.size), self.pair_group] = 1
        out: IntArray = bits @ onehot
        return out

    def value(self, flat: FloatArray, selected: ArrayLike) -> float:
        masks = self.masks(selected)
        return float(flat[self.offset[:-1] + masks].sum()) if self.n_groups else 0.0

    def group_max(self, flat: FloatArray) -> FloatArray:
        """Each group's largest entry, (..., G)."""
        if self.n_groups == 0:
            return np.zeros((*flat.shape[:-1], 0))
        out: FloatArray = np.maximum.reduceat(flat, self.offset[:-1], axis=-1)
        return out


def _plain_costs(costs: ArrayLike) -> FloatArray:
    c = np.asarray(costs, dtype=float)
    if c.ndim != 1:
        raise ValueError(f"costs must be a list of numbers, one per measure (got shape {c.shape}).")
    bad = np.flatnonzero(~np.isfinite(c) | (c < 0))
    if bad.size:
        j = int(bad[0])
        raise ValueError(
            f"The measure at position {j} has a cost of {c[j]}: "
            "costs must be known numbers of zero euros or more."
        )
    return c


def _plain_budget(budget: float) -> float:
    b = float(budget)
    if np.isnan(b) or b < 0:
        raise ValueError(f"The budget is {budget}: it must be a number of zero euros or more.")
    return b


def _groups(n_measures: int, members: Sequence[ArrayLike]) -> _Groups:
    sizes: list[int] = []
    pg: list[IntArray] = []
    pm: list[IntArray] = []
    for g, m in enumerate(members):
        arr = np.asarray(m)
        if arr.size and (arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer)):
            raise ValueError(f"Group {g}: its members must be a list of measure positions.")
        idx = arr.astype(np.int64).ravel()
        k = int(idx.size)
        if k > MAX_GROUP:
            raise ValueError(
                f"Group {g} has {k} proposed measures acting on one scenario; at most "
                f"{MAX_GROUP} are supported (its table would have 2**{k} entries). Split the "
                "scenario's effects into groups of measures that act independently, or propose "
                "fewer measures for it."
            )
        if k and (idx.min() < 0 or idx.max() >= n_measures):
            raise ValueError(
                f"Group {g} names measure {int(idx[(idx < 0) | (idx >= n_measures)][0])}, "
                f"but there are {n_measures} measures (positions 0 to {n_measures - 1})."
            )
        if np.unique(idx).size != k:
            raise ValueError(f"Group {g} names the same measure more than once.")
        sizes.append(k)
        pg.append(np.full(k, g, dtype=np.int64))
        pm.append(idx)
    size_arr = np.array(sizes, dtype=np.int64)
    offset = np.zeros(size_arr.size + 1, dtype=np.int64)
    np.cumsum(np.left_shift(1, size_arr), out=offset[1:])
    bit = [np.left_shift(1, np.arange(k, dtype=np.int64)) for k in sizes]
    empty = np.zeros(0, dtype=np.int64)
    return _Groups(
        n_measures=n_measures,
        sizes=size_arr,
        offset=offset,
        pair_group=np.concatenate(pg) if pg else empty,
        pair_measure=np.concatenate(pm) if pm else empty,
        pair_bit=np.concatenate(bit) if bit else empty,
    )


def _flat_values(groups: _Groups, values: Sequence[ArrayLike], draws: bool) -> FloatArray:
    """The tables in one array: (T,), or (N, T) when ``draws``."""
    if len(values) != groups.n_groups:
        raise ValueError(
            f"There are {groups.n_groups} groups of members but {len(values)} value tables: "
            "give one table per group."
        )
    what = "value draws" if draws else "values"
    parts: list[FloatArray] = []
    n: int | None = None
    for g, v in enumerate(values):
        arr = np.asarray(v, dtype=float)
        want = 1 << int(groups.sizes[g])
        if draws:
            if arr.ndim != 2 or arr.shape[1] != want:
                raise ValueError(
                    f"Group {g}: its {what} must be a table of N draws x {want} values "
                    f"(got shape {arr.shape})."
                )
            if n is not None and arr.shape[0] != n:
                raise ValueError(f"Group {g} has {arr.shape[0]} draws where others have {n}.")
            n = int(arr.shape[0])
        elif arr.shape != (want,):
            raise ValueError(
                f"Group {g} has {groups.sizes[g]} measures, so its table needs {want} values "
                f"(got shape {arr.shape})."
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"Group {g}: its {what} contain a missing or infinite number.")
        if np.any(arr < 0):
            raise ValueError(f"Group {g}: risk removed cannot be negative.")
        if np.any(arr[..., 0] != 0):
            raise ValueError(
                f"Group {g}: the value with none of its measures funded (the first entry) "
                "must be 0."
            )
        parts.append(arr)
    if not parts:
        return np.zeros((0, 0) if draws else (0,))
    return np.concatenate(parts, axis=-1)


def _additive(groups: _Groups, flat: FloatArray) -> BoolArray:
    """Per group: is its table (every draw of it) the sum of its singletons?"""
    out = np.zeros(groups.n_groups, dtype=bool)
    for g in range(groups.n_groups):
        k = int(groups.sizes[g])
        tab = flat[..., groups.offset[g] : groups.offset[g + 1]]
        if k <= 1:
            out[g] = True
            continue
        bits = (np.arange(1 << k)[:, None] >> np.arange(k)) & 1
        single = tab[..., np.left_shift(1, np.arange(k))]
        linear = single @ bits.T
        scale = max(float(np.abs(tab).max()), 1e-300)
        out[g] = bool(np.all(np.abs(tab - linear) <= _ADDITIVE_RTOL * scale))
    return out


@dataclass(frozen=True)
class _Programme:
    """The MILP without its objective: variables x (P) then z of the non-additive groups."""

    groups: _Groups
    costs: FloatArray
    budget: float
    eligible: BoolArray  # measures that may be funded at all
    linear: BoolArray  # (G,) groups solved as linear terms on x
    z_group: IntArray  # per z variable, its group
    z_mask: IntArray  # per z variable, its mask
    matrix: sp.csr_array
    row_low: FloatArray
    row_high: FloatArray
    budget_row: int  # -1 when there is no budget row
    tie: FloatArray  # (P,) tie-break penalty per measure, in objective units

    @property
    def n_x(self) -> int:
        return self.groups.n_measures

    def objective(self, flat: FloatArray) -> tuple[FloatArray, float]:
        """The coefficients to minimise for one set of tables (T,), and the scale applied to
        the values (objective units per unit of risk)."""
        g = self.groups
        top = float(g.group_max(flat).sum())
        unit = _UNITS / top if top > 0 else 1.0
        c = np.zeros(self.n_x + self.z_group.size)
        lin = self.linear[g.pair_group]
        gain = flat[g.offset[g.pair_group[lin]] + g.pair_bit[lin]]
        c[: self.n_x] = self.tie - unit * np.bincount(
            g.pair_measure[lin], weights=gain, minlength=self.n_x
        )
        c[self.n_x :] = -unit * flat[g.offset[self.z_group] + self.z_mask]
        return c, unit

    def solve(self, flat: FloatArray) -> tuple[BoolArray, int, str]:
        """The exact portfolio for one set of tables. The greedy portfolio of these tables
        bounds the search (HiGHS's ``objective_bound``, a little above its objective), which
        only prunes portfolios worse than a known one: the answer is the same, found sooner,
        and HiGHS's heuristics (which only look for portfolios) are switched off. Should
        nothing be found below the bound, the search runs again without it."""
        c, unit = self.objective(flat)
        known = _greedy(self.groups, self.costs, self.budget, flat)  # within the budget

        def score(sel: BoolArray) -> float:  # the objective of a portfolio, minimised
            return float(self.tie[sel].sum()) - unit * self.groups.value(flat, sel)

        slack = _CUTOFF_SLACK * (1.0 + abs(score(known)) / _UNITS)
        cutoff = score(known) + slack
        high = self.row_high.copy()
        integrality = np.zeros(c.size)
        integrality[: self.n_x] = 1
        upper = np.ones(c.size)
        upper[: self.n_x] = self.eligible
        bounds = Bounds(np.zeros(c.size), upper)
        bounded = True
        for _ in range(_BUDGET_RETRIES):
            cons = LinearConstraint(self.matrix, self.row_low, high) if high.size else None
            options: dict[str, float | bool] = {"mip_rel_gap": 0.0}
            if bounded:
                options.update(_BOUNDED)
                options["objective_bound"] = cutoff
            with warnings.catch_warnings():  # scipy passes these on to HiGHS, with a warning
                warnings.filterwarnings("ignore", "Unrecognized options")
                res = milp(c, integrality=integrality, bounds=bounds, constraints=cons,
                           options=options)  # fmt: skip
            sel: BoolArray = (
                np.asarray(res.x[: self.n_x] > 0.5) & self.eligible
                if res.x is not None
                else np.zeros(self.n_x, dtype=bool)
            )
            if bounded and (res.x is None or score(sel) > cutoff):
                # nothing found below the bound, or something worse than the greedy portfolio
                # (never seen): search again without the bound
                bounded = False
                continue
            if res.x is None:
                return sel, int(res.status), str(res.message)
            over = float(self.costs[sel].sum()) - self.budget
            if over <= 0 or self.budget_row < 0:
                return sel, int(res.status), str(res.message)
            # within the solver's tolerance but over the budget: tighten the row and solve again
            high[self.budget_row] -= max(2 * over, 1e-9 * self.budget)
        return self._within_budget(sel), int(res.status), str(res.message)

    def _within_budget(self, sel: BoolArray) -> BoolArray:
        """Last resort (never reached in tests): drop the dearest measures until it fits."""
        out = sel.copy()
        for j in np.argsort(-self.costs, kind="stable"):
            if float(self.costs[out].sum()) <= self.budget:
                break
            out[j] = False
        return out


def _programme(groups: _Groups, costs: FloatArray, budget: float, linear: BoolArray) -> _Programme:
    p = groups.n_measures
    eligible = np.zeros(p, dtype=bool)
    eligible[groups.pair_measure] = True  # a measure in no group removes nothing
    eligible &= costs <= budget
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    low: list[float] = []
    high: list[float] = []
    budget_row = -1
    if np.isfinite(budget) and p:
        budget_row = 0
        scale = budget if budget > 0 else 1.0
        nz = np.flatnonzero(costs > 0)
        rows.append(np.zeros(nz.size, dtype=np.int64))
        cols.append(nz)
        vals.append(costs[nz] / scale)
        low.append(-np.inf)
        high.append(budget / scale)
    z_group: list[IntArray] = []
    z_mask: list[IntArray] = []
    n_z = 0
    for g in np.flatnonzero(~linear):
        k = int(groups.sizes[g])
        masks = np.arange(1 << k, dtype=np.int64)
        zcols = p + n_z + masks
        r = len(low)
        rows.append(np.full(masks.size, r, dtype=np.int64))  # sum of z = 1
        cols.append(zcols)
        vals.append(np.ones(masks.size))
        low.append(1.0)
        high.append(1.0)
        members = groups.pair_measure[groups.pair_group == g]
        for i in range(k):  # x_member = sum of z over masks with bit i
            on = zcols[(masks >> i) & 1 == 1]
            rows.append(np.full(on.size + 1, r + 1 + i, dtype=np.int64))
            cols.append(np.concatenate([on, [members[i]]]))
            vals.append(np.concatenate([np.ones(on.size), [-1.0]]))
            low.append(0.0)
            high.append(0.0)
        z_group.append(np.full(masks.size, g, dtype=np.int64))
        z_mask.append(masks)
        n_z += masks.size
    empty = np.zeros(0, dtype=np.int64)
    matrix = sp.csr_array(
        (
            np.concatenate(vals) if vals else np.zeros(0),
            (np.concatenate(rows) if rows else empty, np.concatenate(cols) if cols else empty),
        ),
        shape=(len(low), p + n_z),
    )
    total = float(costs[eligible].sum())
    tie = _INDEX_TIE * np.arange(1, p + 1) / (p + 1)
    if total > 0:
        tie = tie + _COST_TIE * costs / total
    return _Programme(
        groups=groups,
        costs=costs,
        budget=budget,
        eligible=eligible,
        linear=linear,
        z_group=np.concatenate(z_group) if z_group else empty,
        z_mask=np.concatenate(z_mask) if z_mask else empty,
        matrix=matrix,
        row_low=np.array(low),
        row_high=np.array(high),
        budget_row=budget_row,
        tie=tie,
    )


def subset_value(
    members: Sequence[ArrayLike], values: Sequence[ArrayLike], selected: ArrayLike
) -> float:
    """The risk removed by funding exactly ``selected`` (bool, one per measure):
    ``sum_g values[g][mask_g]``, where bit i of ``mask_g`` says whether ``members[g][i]`` is
    funded."""
    sel = np.asarray(selected, dtype=bool)
    if sel.ndim != 1:
        raise ValueError("selected must be one true/false per measure.")
    groups = _groups(sel.size, members)
    return groups.value(_flat_values(groups, values, draws=False), sel)


def _portfolio(
    sel: BoolArray, costs: FloatArray, groups: _Groups, flat: FloatArray, method: str,
    status: int, message: str,
) -> Portfolio:  # fmt: skip
    return Portfolio(
        selected=sel,
        value=groups.value(flat, sel),
        cost=float(costs[sel].sum()),
        method=method,
        status=status,
        message=message,
    )


def best_portfolio(
    costs: ArrayLike,
    budget: float,
    members: Sequence[ArrayLike],
    values: Sequence[ArrayLike],
) -> Portfolio:
    """The portfolio that removes the most risk within the budget, solved exactly.

    A binary x_j per measure; per group g and mask m a continuous z_{g,m} in [0, 1] with
    ``sum_m z_{g,m} = 1`` and, for each member i, ``x_{members[g][i]} = sum of z_{g,m} over the
    masks m with bit i set``; the objective is ``sum z_{g,m} * values[g][m]`` under
    ``sum costs * x <= budget``. Given binary x these constraints leave exactly one z per group
    non-zero, the one of the funded subset (z is a distribution over masks whose marginals are
    0 or 1), so z need not be declared integer. Groups whose table is additive (one measure, or
    the sum of its singletons) become linear terms on x instead. Measures in no group and
    measures dearer than the budget are fixed at 0. Ties: see the module's docstring.
    """
    c = _plain_costs(costs)
    b = _plain_budget(budget)
    groups = _groups(c.size, members)
    flat = _flat_values(groups, values, draws=False)
    if c.size == 0:
        return _portfolio(np.zeros(0, dtype=bool), c, groups, flat, "milp", 0, "no measures")
    prog = _programme(groups, c, b, _additive(groups, flat))
    sel, status, message = prog.solve(flat)
    return _portfolio(sel, c, groups, flat, "milp", status, message)


def _greedy(groups: _Groups, c: FloatArray, b: float, flat: FloatArray) -> BoolArray:
    p = c.size
    sel = np.zeros(p, dtype=bool)
    masks = np.zeros(groups.n_groups, dtype=np.int64)
    base = groups.offset[groups.pair_group]
    spent = 0.0
    blocked = np.zeros(p, dtype=bool)
    while True:
        now = masks[groups.pair_group]
        pair_gain = flat[base + (now | groups.pair_bit)] - flat[base + now]
        gain = np.bincount(groups.pair_measure, weights=pair_gain, minlength=p)
        ok = ~sel & ~blocked & (gain > 0) & (spent + c <= b)
        if not ok.any():
            break
        with np.errstate(divide="ignore"):
            ratio = np.where(c > 0, gain / np.where(c > 0, c, 1.0), np.inf)
        cand = np.flatnonzero(ok)
        # highest ratio, then lower cost, then lower position (lexsort: last key first)
        j = int(cand[np.lexsort((cand, c[cand], -ratio[cand]))[0]])
        sel[j] = True
        if float(c[sel].sum()) > b:  # a rounding of the sum: leave it out
            sel[j] = False
            blocked[j] = True
            continue
        spent = float(c[sel].sum())
        mine = groups.pair_measure == j
        masks[groups.pair_group[mine]] |= groups.pair_bit[mine]
    return sel


def greedy_portfolio(
    costs: ArrayLike,
    budget: float,
    members: Sequence[ArrayLike],
    values: Sequence[ArrayLike],
) -> Portfolio:
    """The greedy portfolio: repeatedly fund the affordable measure with the highest marginal
    gain per euro given those already funded (free measures with a positive gain first; ties to
    the cheaper, then the earlier measure), until no affordable measure adds value."""
    c = _plain_costs(costs)
    b = _plain_budget(budget)
    groups = _groups(c.size, members)
    flat = _flat_values(groups, values, draws=False)
    sel = _greedy(groups, c, b, flat)
    return _portfolio(sel, c, groups, flat, "greedy", 0, "greedy")


def _solve_draws(prog: _Programme, flat: FloatArray) -> tuple[BoolArray, IntArray]:
    sel = np.zeros((flat.shape[0], prog.n_x), dtype=bool)
    status = np.zeros(flat.shape[0], dtype=np.int64)
    for d in range(flat.shape[0]):
        sel[d], status[d], _ = prog.solve(flat[d])
    return sel, status


def _quiet_worker() -> None:
    """Point a worker process's standard output at the null device: some HiGHS builds print a
    stray debug line (``HighsMipSolverData::transformNewIntegerFeasibleSolution
    tmpSolver.run();``) from C, which would otherwise land in the caller's output."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)


def portfolio_robustness(
    costs: ArrayLike,
    budget: float,
    members: Sequence[ArrayLike],
    value_draws: Sequence[ArrayLike],
    *,
    workers: int = 1,
) -> Robustness:
    """The exact portfolio for every draw: ``value_draws[g]`` is (N, 2**k_g), N draws of group
    g's table (draw d of every group together form one possible world).

    ``workers`` > 1 solves contiguous chunks of draws in that many spawned processes (so a
    script calling it needs the usual ``if __name__ == "__main__":`` guard); each draw is the
    same programme whatever the chunking, so the result does not depend on ``workers``.
    """
    if int(workers) < 1:
        raise ValueError(f"workers must be 1 or more (got {workers}).")
    c = _plain_costs(costs)
    b = _plain_budget(budget)
    groups = _groups(c.size, members)
    flat = _flat_values(groups, value_draws, draws=True)
    n = int(flat.shape[0])  # no groups: no tables, so no draws either
    if groups.n_groups == 0 or c.size == 0 or n == 0:  # nothing to choose: shares 0
        zero = np.zeros(n)
        return Robustness(
            np.zeros((n, c.size), dtype=bool), np.zeros(c.size), zero, zero.copy(),
            np.zeros(n, dtype=np.int64),
        )  # fmt: skip
    prog = _programme(groups, c, b, _additive(groups, flat))
    if workers == 1 or n <= 1:
        sel, status = _solve_draws(prog, flat)
    else:
        w = min(int(workers), n)
        edges = np.linspace(0, n, 4 * w + 1).astype(int)
        chunks = [flat[lo:hi] for lo, hi in pairwise(edges) if hi > lo]
        with ProcessPoolExecutor(
            max_workers=w, mp_context=get_context("spawn"), initializer=_quiet_worker
        ) as pool:
            parts = list(pool.map(_solve_draws, [prog] * len(chunks), chunks))
        sel = np.concatenate([s for s, _ in parts])
        status = np.concatenate([s for _, s in parts])
    masks = groups.masks(sel)
    value = np.take_along_axis(flat, groups.offset[:-1] + masks, axis=1).sum(axis=1)
    return Robustness(
        selected=sel,
        share=sel.mean(axis=0),
        value=value,
        cost=sel.astype(float) @ c,
        status=status,
    )
