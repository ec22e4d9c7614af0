"""Monte Carlo simulation of cascades: the BNRA's statistical model (the Belgian
National Crisis Centre's BNRA application, NCCN-CIPRA/cipra-bnra, src/functions/simulation).

The model, for risks ``R`` at intensity levels ``L``:

* Every simulated day, every risk occurs as a *root event* with ``p_any = 1 - prod(1 - p_l)``
  over its levels (``p_l`` the daily probability of level ``l``); the level is drawn in
  proportion to ``p_l``. At most one root event per risk and day; days are independent.
* Each event grows breadth-first. When a node (cause ``c`` at level ``a``) is processed, every
  effect ``e`` of ``c`` that is not yet in this event's graph occurs with
  ``1 - prod_b(1 - cp(c a -> e b))`` and its level ``b`` is drawn in proportion to
  ``cp(c a -> e b)``; it joins the graph with ``c`` as its cause and waits in the queue. Nodes
  are processed first in, first out, the effects of one node in ascending risk order, so when
  several nodes of the graph cause the same effect, the first one in that order that triggers it
  is its cause. A risk appears at most once in one event graph (cycles end there).
* An *actor* risk (``actor[r]``) counts only where it triggered at least one other risk in the
  event graph: an actor node without effects is left out of every statistic (with its impact),
  and an event rooted at such a node does not count at all.

Statistics (:class:`CascadeStats`): per risk and level the yearly frequency as root event and as
triggered event, which cause risk triggered which effect risk (attribution), and the total impact
of the events rooted at each risk and level (the direct impact of every counted node of the event
graph, summed): mean, 5/50/95% quantiles, exceedance frequencies, and the summed impact of every
simulated year.

Two samplers give the same distribution of event graphs:

* :func:`sample_events` (used by :func:`simulate`): the number of root events of each risk over
  ``D`` days is ``Binomial(D, p_any)`` (one trial a day), their levels multinomial, their days a
  uniform random set of distinct days; then all events grow together, one generation at a time,
  with arrays (frontier, candidate links, one int32 state per ``event * R + risk`` pair as the
  visited check). The cost grows with the number of events, not with days x risks.
* :func:`sample_events_reference`: the model as written, day by day, risk by risk, event by
  event, in plain Python. Slow (its cost is days x risks: about 3.6 microseconds a simulated
  day for 120 risks, 13 s for 10,000 years where the fast sampler takes under 0.1 s on the
  sparse catalogue of benchmarks/bench_cascades.py, 16 events a year; on the dense catalogue of
  benchmarks/bench_bnra.py, 142 events a year, about 0.3 s; figures in benchmarks/README.md):
  it exists to check the fast sampler against, in the tests and the benchmark.

Both produce :class:`EventGraphs`; :func:`tally` reduces those to counts and impacts and
:func:`combine` to statistics, so the two samplers share one summary. :func:`simulate` runs the
fast sampler in blocks of :data:`YEARS_PER_BLOCK` simulated years through
:func:`nsra.analysis.chunks.run_blocks`: a seeded result does not depend on the executor or on
the number of workers.

:func:`first_order` gives the analytic one-step frequencies to hold the simulation against
(:func:`compare_first_order`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from nsra.analysis.chunks import Plan, Progress, run_blocks
from nsra.engine.compute import Results
from nsra.engine.inputs import (
    PASS_CAUSED_BY_ACTOR,
    PASS_CAUSED_BY_OTHER,
    PASS_ROOT,
    AssessmentInput,
    BoolArray,
    CascadeRows,
    FloatArray,
    IntArray,
)
from nsra.engine.likelihood import probability_from_rate, rate_from_probability
from nsra.model.method import Simulation

DropSilent = Literal["root", "every_node"]

YEARS_PER_BLOCK = 1000
"""Simulated years per block. Part of the definition of a seeded result: changing it changes
numbers (not distributions)."""

DENSE_VISITED_MAX = 16_000_000
"""Up to this many (event, risk) pairs in one call of :func:`grow`, the visited check is an
int32 array over the pairs (64 MB at most); up to :data:`BITMAP_VISITED_MAX`, a bitmap (64 MB
at most) and a sort per generation; above it, sorted keys. All give the same graphs."""

BITMAP_VISITED_MAX = 64_000_000
"""See :data:`DENSE_VISITED_MAX`."""

QUANTILES = (0.05, 0.5, 0.95)
"""The quantiles of total impact per rooted event in :class:`CascadeStats`."""


# -- the catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Links:
    """The cascade table compiled for the fast sampler: one *link* per (cause, cause level,
    effect), sorted by (cause, cause level, effect); the links of cause key ``k = c * L + a`` are
    ``start[k]:start[k + 1]``."""

    start: IntArray  # (R * L + 1,)
    effect: IntArray  # (n,)
    p_any: FloatArray  # (n,) 1 - prod_b(1 - cp_b)
    cum: FloatArray  # (n, L) cumulative level distribution, proportional to cp; last column 1

    @functools.cached_property
    def count(self) -> IntArray:
        """(R * L,) links per cause key."""
        out: IntArray = np.diff(self.start)
        return out

    @functools.cached_property
    def cum_columns(self) -> FloatArray:
        """(L - 1, n) the first ``L - 1`` columns of :attr:`cum`, each contiguous."""
        out: FloatArray = np.ascontiguousarray(self.cum[:, :-1].T)
        return out


@dataclass(frozen=True)
class CascadeCatalogue:
    """What the simulation needs: risks ``R`` x levels ``L`` as arrays.

    ``daily_probability[r, l]``: probability that risk ``r`` occurs at level ``l`` on one day;
    ``direct_impact[r, l]``: its direct impact (0 where not assessed); ``cascades``: conditional
    probabilities per (cause, cause level, effect, effect level), at most one row each, no risk its
    own cause; ``actor[r]``: an actor risk counts only where it triggers another risk.
    """

    daily_probability: FloatArray  # (R, L)
    direct_impact: FloatArray  # (R, L)
    cascades: CascadeRows
    actor: BoolArray  # (R,)
    days_per_year: int = 365
    max_nodes: int | None = None
    """A node's effects are expanded only while its event graph holds at most this many nodes
    (the BNRA: 100); None: no cap."""
    passes: BoolArray | None = None
    """(R, 3): whether risk ``r`` passes effects on as the root of a graph, when an actor caused
    it, when another risk caused it (columns :data:`PASS_ROOT` ...); None: always."""
    drop_silent: DropSilent = "every_node"
    """Actor events that triggered nothing and are left out: ``root`` (the BNRA: only an actor
    root event; an actor inside a graph always counts) or ``every_node``."""
    indicator_impact: FloatArray | None = None
    """(R, L, K) direct impact per indicator (euros), for the impact noise of
    :func:`forced_start`; None: only ``direct_impact``."""

    def __post_init__(self) -> None:
        p, imp, c = self.daily_probability, self.direct_impact, self.cascades
        if p.ndim != 2 or imp.shape != p.shape or self.actor.shape != (p.shape[0],):
            raise ValueError(
                f"shapes do not match: daily_probability {p.shape}, direct_impact {imp.shape}, "
                f"actor {self.actor.shape}; expected (R, L), (R, L) and (R,)"
            )
        if self.passes is not None and self.passes.shape != (p.shape[0], 3):
            raise ValueError(f"passes is shaped {self.passes.shape}; expected (R, 3)")
        ind = self.indicator_impact
        if ind is not None and (ind.ndim != 3 or ind.shape[:2] != p.shape):
            raise ValueError(f"indicator_impact is shaped {ind.shape}; expected (R, L, K)")
        if self.max_nodes is not None and self.max_nodes < 1:
            raise ValueError(f"max_nodes must be at least 1, got {self.max_nodes}")
        if not np.all((p >= 0.0) & (p <= 1.0)):
            raise ValueError("daily probabilities must lie in [0, 1] (no NaN)")
        if not np.all(np.isfinite(imp)):
            raise ValueError("direct impacts must be finite (0 where not assessed)")
        if self.days_per_year < 1:
            raise ValueError(f"days_per_year must be at least 1, got {self.days_per_year}")
        n_risks, n_levels = p.shape
        for name, col, bound in (
            ("cause", c.cause, n_risks),
            ("effect", c.effect, n_risks),
            ("cause_level", c.cause_level, n_levels),
            ("effect_level", c.effect_level, n_levels),
        ):
            if col.size and (col.min() < 0 or col.max() >= bound):
                raise ValueError(f"cascade {name} out of range 0..{bound - 1}")
        if not np.all((c.probability >= 0.0) & (c.probability <= 1.0)):
            raise ValueError("conditional probabilities must lie in [0, 1] (no NaN)")
        if np.any(c.cause == c.effect):
            raise ValueError("a risk cannot be its own cause")
        key = ((c.cause * n_levels + c.cause_level) * n_risks + c.effect) * n_levels
        key = key + c.effect_level
        if np.unique(key).size != key.size:
            raise ValueError("a (cause, cause level, effect, effect level) row is given twice")

    @property
    def n_risks(self) -> int:
        return int(self.daily_probability.shape[0])

    @property
    def n_levels(self) -> int:
        return int(self.daily_probability.shape[1])

    @classmethod
    def from_results(
        cls,
        results: Results,
        inputs: AssessmentInput,
        days_per_year: int | None = None,
        actor: BoolArray | None = None,
        rules: Simulation | None = None,
    ) -> CascadeCatalogue:
        """The catalogue of a computed assessment under the method's simulation rules
        (``rules``, default: the method's ``cascades.simulation``, else the BNRA's defaults).

        ``results.direct_probability`` is a probability over the method's time basis ``T``;
        events are Poisson, so the monthly rate is ``-ln(1 - p_T) / T`` and the daily
        probability ``1 - exp(-rate / days_per_month)`` (the BNRA: 30.437 days a month). Actor
        risks get the rules' daily probability at every level, and the conditional probability
        of a cascade from an actor is read as a probability over ``cascade_period_months``
        turned into a daily one the same way. Levels without a probability or an impact get 0.
        ``actor`` flags actor risks (default: the assessment's).
        """
        if rules is None:
            c = results.method.cascades
            rules = c.simulation if c is not None else Simulation()
        p_t = np.nan_to_num(results.direct_probability, nan=0.0)
        if p_t.shape != (inputs.n_scenarios, inputs.n_levels):
            raise ValueError(
                f"results are shaped {p_t.shape}, the inputs "
                f"({inputs.n_scenarios}, {inputs.n_levels})"
            )
        day = 1.0 / rules.days_per_month
        months = results.method.likelihood.time_basis_months
        daily = probability_from_rate(rate_from_probability(p_t, months), day)
        if actor is None:
            actor = inputs.actor
        flags = np.zeros(inputs.n_scenarios, dtype=bool) if actor is None else actor
        flags = np.asarray(flags, dtype=bool)
        a = rules.actors
        if a.daily_probability is not None:
            daily[flags] = a.daily_probability
        cascades = inputs.cascades
        if a.cascade_period_months is not None and np.any(flags[cascades.cause]):
            from_actor = flags[cascades.cause]
            rate = rate_from_probability(cascades.probability, a.cascade_period_months)
            p = np.where(from_actor, probability_from_rate(rate, day), cascades.probability)
            cascades = dataclasses.replace(cascades, probability=p)
        return cls(
            daily_probability=np.clip(daily, 0.0, 1.0),
            direct_impact=np.nan_to_num(results.direct_impact, nan=0.0),
            cascades=cascades,
            actor=flags,
            days_per_year=rules.days_per_year if days_per_year is None else days_per_year,
            max_nodes=rules.max_graph_nodes,
            passes=inputs.passes,
            drop_silent=a.drop_silent,
            indicator_impact=np.nan_to_num(results.criterion_values, nan=0.0),
        )

    @property
    def pass_mask(self) -> BoolArray:
        """(R, 3) :attr:`passes`, all true where not given."""
        if self.passes is None:
            return np.ones((self.n_risks, 3), dtype=bool)
        return self.passes

    @functools.cached_property
    def triggers(self) -> FloatArray:
        """(R, L) probability that a node of risk ``r`` at level ``l`` that may pass effects on
        triggers at least one of them (before the at-most-once rule)."""
        links = self.links
        counts = np.diff(links.start)
        cause_key = np.repeat(np.arange(self.n_risks * self.n_levels), counts)
        silent = np.ones(self.n_risks * self.n_levels)
        np.multiply.at(silent, cause_key, 1.0 - links.p_any)
        out: FloatArray = (1.0 - silent).reshape(self.n_risks, self.n_levels)
        return out

    @functools.cached_property
    def links(self) -> _Links:
        """The cascade table compiled for :func:`sample_events` (built once)."""
        n_risks, n_levels = self.n_risks, self.n_levels
        c = self.cascades
        keep = c.probability > 0.0
        cause_key = (c.cause * n_levels + c.cause_level)[keep]
        link_key = cause_key * n_risks + c.effect[keep]
        uniq, link_of_row = np.unique(link_key, return_inverse=True)
        n = uniq.size
        cp = np.zeros((n, n_levels))
        cp[link_of_row, c.effect_level[keep]] = c.probability[keep]
        with np.errstate(divide="ignore"):  # cp = 1: log1p(-1) = -inf, p_any = 1
            p_any = -np.expm1(np.log1p(-cp).sum(axis=1))
        total = cp.sum(axis=1, keepdims=True)
        cum = np.cumsum(cp, axis=1) / np.where(total > 0, total, 1.0)
        cum[:, -1] = 1.0
        counts = np.bincount(uniq // n_risks, minlength=n_risks * n_levels)
        start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return _Links(start, (uniq % n_risks).astype(np.int64), p_any, cum)


def _root_distribution(p: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per risk ``p_any = 1 - prod(1 - p_l)`` and the level distribution ``p_l / sum p_l``."""
    with np.errstate(divide="ignore"):  # p = 1: log1p(-1) = -inf, p_any = 1
        p_any = -np.expm1(np.log1p(-p).sum(axis=1))
    total = p.sum(axis=1, keepdims=True)
    n_levels = p.shape[1]
    levels = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / n_levels)
    return p_any, levels


# -- sampled event graphs ----------------------------------------------------------------------


@dataclass(frozen=True)
class EventGraphs:
    """Event graphs sampled over ``days`` simulated days: ``E`` events, ``N`` nodes.

    Every node is one risk at one level in one event; each event has exactly one root node
    (``node_parent == -1``); any other node's ``node_parent`` is the index of the node that
    triggered it. ``event_year`` is the (0-based) simulated year each event started in.
    """

    days: int
    event_year: IntArray  # (E,)
    node_event: IntArray  # (N,)
    node_risk: IntArray  # (N,)
    node_level: IntArray  # (N,)
    node_parent: IntArray  # (N,)

    @property
    def n_events(self) -> int:
        return int(self.event_year.shape[0])


def _distinct_days(
    risk: IntArray, counts: IntArray, days: int, rng: np.random.Generator
) -> IntArray:
    """For events sorted by risk (``counts[r]`` of risk ``r``): days in ``0..days-1``, distinct
    within a risk and a uniform random such set (days are drawn, then clashes redrawn: the
    procedure does not favour any day, so every set is equally likely)."""
    day: IntArray = np.asarray(rng.integers(0, days, size=risk.shape[0]), dtype=np.int64)
    dense = np.flatnonzero(counts * 4 > days)  # many events in few days: permute instead
    starts = np.cumsum(counts) - counts
    sparse = np.ones(risk.shape[0], dtype=bool)
    for r in dense.tolist():
        lo, n = int(starts[r]), int(counts[r])
        day[lo : lo + n] = rng.permutation(days)[:n]
        sparse[lo : lo + n] = False
    idx = np.flatnonzero(sparse)
    key = risk[idx] * days + day[idx]
    while idx.size > 1:
        order = np.argsort(key, kind="stable")
        clash = order[1:][key[order[1:]] == key[order[:-1]]]
        if clash.size == 0:
            break
        day[idx[clash]] = rng.integers(0, days, size=clash.size)
        key[clash] = risk[idx[clash]] * days + day[idx[clash]]
    return day


def _first_of_each(key: IntArray) -> IntArray:
    """Positions of the first occurrence of every distinct key, in ascending position order."""
    order = np.argsort(key, kind="stable")
    sk = key[order]
    first = np.ones(sk.shape[0], dtype=bool)
    first[1:] = sk[1:] != sk[:-1]
    return np.sort(order[first])


def _unvisited(key: IntArray, visited: IntArray) -> BoolArray:
    """Which candidate ``event * R + risk`` keys are not in the sorted ``visited`` keys."""
    pos = np.searchsorted(visited, key)
    found = pos < visited.shape[0]
    found[found] = visited[pos[found]] == key[found]
    out: BoolArray = ~found
    return out


class _Visited:
    """The (event, risk) pairs already in an event graph, keyed ``event * R + risk``.

    Up to :data:`DENSE_VISITED_MAX` pairs: one int32 per pair, ``FREE``, ``VISITED``, or for a
    moment the position of a candidate (the first candidate of each key is found with
    ``np.minimum.at``, no sort). Up to :data:`BITMAP_VISITED_MAX`: a bitmap, and the first
    candidate of each key by a sort (:func:`_first_of_each`). Above it: sorted keys
    (:func:`_unvisited`)."""

    FREE = np.iinfo(np.int32).max
    VISITED = -1

    def __init__(self, n_events: int, n_risks: int, roots: IntArray) -> None:
        pairs = n_events * n_risks
        self.kind = "state" if pairs <= DENSE_VISITED_MAX else "bitmap"
        if pairs > BITMAP_VISITED_MAX:
            self.kind = "sorted"
        if self.kind == "state":
            self.state = np.full(pairs, self.FREE, dtype=np.int32)
            self.state[roots] = self.VISITED
        elif self.kind == "bitmap":
            self.seen = np.zeros(pairs, dtype=bool)
            self.seen[roots] = True
        else:
            self.keys = np.sort(roots)

    def first_fresh(self, key: IntArray) -> IntArray:
        """Positions (ascending) of the first occurrence of every key not yet visited."""
        if self.kind != "state":
            fresh = np.flatnonzero(
                ~self.seen[key] if self.kind == "bitmap" else _unvisited(key, self.keys)
            )
            out: IntArray = fresh[_first_of_each(key[fresh])]
            return out
        fresh = np.flatnonzero(self.state[key] == self.FREE)
        k = key[fresh]
        position = np.arange(k.size, dtype=np.int32)
        np.minimum.at(self.state, k, position)
        first: IntArray = fresh[self.state[k] == position]
        self.state[k] = self.FREE
        return first

    def add(self, key: IntArray) -> None:
        """Mark distinct, not yet visited keys as visited."""
        if self.kind == "state":
            self.state[key] = self.VISITED
        elif self.kind == "bitmap":
            self.seen[key] = True
        else:
            self.keys = np.sort(np.concatenate([self.keys, key]))


def _root_plan(catalogue: CascadeCatalogue) -> tuple[FloatArray, FloatArray]:
    """Per risk the daily probability of a *counted* root event and its level distribution.

    An actor root event that triggers nothing is never counted (under either ``drop_silent``
    rule), so for actors only the root events that trigger something are sampled: a level ``l``
    root with probability ``p_any * w_l * t_l`` a day (``t_l``: the catalogue's ``triggers``),
    its first generation then drawn on the condition that it triggers at least one effect. The
    counted events have the same distribution as when every root is drawn and the silent ones
    are dropped, at a fraction of the cost (an actor occurs every day in the BNRA).
    """
    p_any, levels = _root_distribution(catalogue.daily_probability)
    actor = catalogue.actor
    if not np.any(actor):
        return p_any, levels
    weight = np.where(actor[:, None], levels * catalogue.triggers, levels)
    total = weight.sum(axis=1)
    q = np.where(actor, p_any * total, p_any)
    share = np.where(total[:, None] > 0, weight / np.where(total > 0, total, 1.0)[:, None], levels)
    return q, share


def sample_events(catalogue: CascadeCatalogue, years: int, rng: np.random.Generator) -> EventGraphs:
    """The fast sampler: every counted event graph of ``years`` simulated years.

    Root events: per risk ``Binomial(days, q)`` (:func:`_root_plan`), levels multinomial,
    distinct random days; then :func:`grow`.
    """
    n_risks, n_levels = catalogue.n_risks, catalogue.n_levels
    days = years * catalogue.days_per_year
    q, level_p = _root_plan(catalogue)
    count = rng.binomial(days, q)
    by_level = rng.multinomial(count, level_p)  # (R, L)
    flat = np.arange(n_risks * n_levels, dtype=np.int64)
    root_risk = np.repeat(flat // n_levels, by_level.ravel())
    root_level = np.repeat(flat % n_levels, by_level.ravel())
    event_year = _distinct_days(root_risk, count, days, rng) // catalogue.days_per_year
    nodes = grow(catalogue, root_risk, root_level, catalogue.actor[root_risk], rng)
    return EventGraphs(days, event_year.astype(np.int64), *nodes)


def _segment_first_success(
    p: FloatArray, segment: IntArray, offset: IntArray, rng: np.random.Generator
) -> BoolArray:
    """Independent Bernoulli(``p``) draws in segments (``segment`` non-decreasing, ``offset``
    the position inside the segment), each segment conditioned on at least one success: the
    first success ``J`` is drawn from ``P(J = j) = prod_{i<j}(1 - p_i) p_j / (1 - prod(1 - p))``,
    the draws before it fail and those after it are free. Segments where every ``p`` is 0
    stay without success. No ``p`` may be 1 (such a segment needs no conditioning)."""
    lp = np.log1p(-p)
    csum = np.cumsum(lp)
    first = offset == 0
    base = np.repeat((csum - lp)[first], np.bincount(segment)[np.unique(segment)])
    incl = csum - base
    seg_ids, seg_index = np.unique(segment, return_inverse=True)
    total = np.zeros(seg_ids.size)
    np.add.at(total, seg_index, lp)
    reach = -np.expm1(total)  # P(at least one success) per segment
    with np.errstate(invalid="ignore", divide="ignore"):
        cdf = -np.expm1(incl) / reach[seg_index]
    u = rng.random(seg_ids.size)
    below = np.zeros(seg_ids.size, dtype=np.int64)
    np.add.at(below, seg_index, (cdf <= u[seg_index]).astype(np.int64))
    j = below[seg_index]
    free = rng.random(p.size) < p
    out: BoolArray = np.where(offset < j, False, np.where(offset == j, True, free))
    out &= (reach > 0)[seg_index]
    return out


def grow(
    catalogue: CascadeCatalogue,
    root_risk: IntArray,
    root_level: IntArray,
    conditioned: BoolArray,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Grow one event graph from each root (in the order given): ``(node_event, node_risk,
    node_level, node_parent)``.

    One generation of all events at a time. For the frontier (in BFS order within each event)
    every (node, link) candidate is tried at once (one uniform draw per candidate, from the
    links of the node's risk and level in the catalogue's compressed table); candidates whose
    effect is already in the event are dropped; among the successful ones the first per
    (event, effect) in BFS order wins, exactly as the queue of the reference would decide. The
    rules:

    * a node passes effects on only where :attr:`~CascadeCatalogue.passes` allows it (as the
      root, caused by an actor, caused by another risk);
    * a node is expanded only while its graph holds at most ``max_nodes`` nodes, counted when
      the node's turn comes in the queue (so a graph may end above the cap by the effects of
      the last node expanded, as in the BNRA);
    * ``conditioned`` roots draw their effects on the condition that at least one occurs.

    The visited check and the first-per-(event, effect) choice use one integer array over the
    (event, risk) pairs (:class:`_Visited`) where it fits in :data:`DENSE_VISITED_MAX`, else
    sorted keys; both give the same graphs from the same random stream.
    """
    n_risks, n_levels = catalogue.n_risks, catalogue.n_levels
    links = catalogue.links
    passes = catalogue.pass_mask
    cap = catalogue.max_nodes
    n_events = root_risk.shape[0]
    ev0 = np.arange(n_events, dtype=np.int64)
    ev_parts, risk_parts, level_parts = [ev0], [root_risk], [root_level]
    parent_parts = [np.full(n_events, -1, dtype=np.int64)]
    f_node, f_event, f_risk, f_level = ev0, ev0, root_risk, root_level
    f_pass = passes[root_risk, PASS_ROOT]
    f_cond = np.asarray(conditioned, dtype=bool)
    any_cond = bool(f_cond.any())
    size = np.ones(n_events, dtype=np.int64)
    visited = _Visited(n_events, n_risks, ev0 * n_risks + root_risk)
    n_nodes = n_events
    while f_node.size:
        n_front = f_node.size
        key = f_risk * n_levels + f_level
        n_links = links.count[key] * f_pass
        ends = np.cumsum(n_links)
        total = int(ends[-1])
        if total == 0:
            break
        # the candidates: every link of every frontier node, in frontier then link order
        cand_all = np.repeat(np.arange(n_front, dtype=np.int32), n_links)
        link = np.repeat(links.start[key] - ends + n_links, n_links)
        link += np.arange(total)
        p = links.p_any[link]
        hit = rng.random(total) < p
        if any_cond:
            # conditioned nodes without a hit (and without a certain link) redraw exactly
            has_hit = np.bincount(cand_all[hit], minlength=n_front) > 0
            redo = (f_cond & ~has_hit)[cand_all]
            if np.any(redo):
                offset = link - links.start[key][cand_all]
                segment = cand_all[redo].astype(np.int64)
                hit[redo] = _segment_first_success(p[redo], segment, offset[redo], rng)
            any_cond = False  # only roots are conditioned
        idx = np.flatnonzero(hit)
        cand = cand_all[idx].astype(np.int64)
        link = link[idx]
        effect = links.effect[link]
        ekey = f_event[cand] * n_risks + effect
        sel = visited.first_fresh(ekey)
        if cap is not None and sel.size:
            # the graph's size when each frontier node's turn comes (frontier in event order)
            c = cand[sel]
            children = np.bincount(c, minlength=n_front)
            before = np.cumsum(children) - children
            first = np.flatnonzero(np.concatenate([[True], f_event[1:] != f_event[:-1]]))
            run = np.diff(np.append(first, n_front))
            open_ = size[f_event] + before - np.repeat(before[first], run) <= cap
            sel = sel[open_[c]]
        cand, link, effect, ekey = cand[sel], link[sel], effect[sel], ekey[sel]
        u = rng.random(cand.size)
        level = np.zeros(cand.size, dtype=np.int64)
        for column in links.cum_columns:  # the level: how many cumulative shares u passes
            level += u >= column[link]
        parent_parts.append(f_node[cand])
        caused = np.where(catalogue.actor[f_risk[cand]], PASS_CAUSED_BY_ACTOR, PASS_CAUSED_BY_OTHER)
        f_node = np.arange(n_nodes, n_nodes + cand.size, dtype=np.int64)
        n_nodes += cand.size
        f_event, f_risk, f_level = f_event[cand], effect, level
        f_pass = passes[effect, caused]
        if cap is not None:
            size += np.bincount(f_event, minlength=n_events)
        ev_parts.append(f_event)
        risk_parts.append(f_risk)
        level_parts.append(f_level)
        visited.add(ekey)
    return (
        np.concatenate(ev_parts),
        np.concatenate(risk_parts),
        np.concatenate(level_parts),
        np.concatenate(parent_parts),
    )


def _pick(cum: Sequence[float], u: float) -> int:
    """The first index whose cumulative probability exceeds ``u`` (the last one otherwise)."""
    for b in range(len(cum) - 1):
        if u < cum[b]:
            return b
    return len(cum) - 1


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = math.fsum(weights)
    if total <= 0.0:
        return [(b + 1) / len(weights) for b in range(len(weights))]
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc / total)
    out[-1] = 1.0
    return out


def sample_events_reference(
    catalogue: CascadeCatalogue, days: int, rng: np.random.Generator
) -> EventGraphs:
    """The REFERENCE sampler: the model exactly as the module docstring states it, in
    plain Python.

    Day by day, risk by risk: a root event with ``p_any``, its level in proportion to the level
    probabilities; then the event grows with a first-in-first-out queue and a set of the risks
    already in it, trying the effects of each node (ascending risk) with
    ``1 - prod(1 - cp)`` and drawing their level in proportion to ``cp``; a node passes nothing
    on once the graph holds more than ``max_nodes`` nodes or where its pass rule forbids it.
    Every root is kept, silent actor roots too (:func:`tally` drops them). It reads the cascade
    rows directly, not the compiled table of :func:`sample_events`.

    SLOW: its cost is days x risks plus events (about 3.6 microseconds a simulated day for 120
    risks, hundreds of times the fast sampler). For tests and benchmarks, not for analyses.
    """
    n_risks, n_levels = catalogue.n_risks, catalogue.n_levels
    cap = catalogue.max_nodes
    passes = catalogue.pass_mask.tolist()
    p = catalogue.daily_probability
    p_any = [1.0 - math.prod(1.0 - float(x) for x in p[r]) for r in range(n_risks)]
    root_cum = [_cumulative([float(x) for x in p[r]]) for r in range(n_risks)]
    cps: dict[tuple[int, int, int], list[float]] = {}
    for cause, a, effect, b, cp in catalogue.cascades.tuples():
        if cp > 0.0:
            cps.setdefault((cause, a, effect), [0.0] * n_levels)[b] = cp
    effects: dict[tuple[int, int], list[tuple[int, float, list[float]]]] = {}
    for (cause, a, effect), row in sorted(cps.items()):
        p_link = 1.0 - math.prod(1.0 - x for x in row)
        effects.setdefault((cause, a), []).append((effect, p_link, _cumulative(row)))

    year: list[int] = []
    ev: list[int] = []
    risk: list[int] = []
    level: list[int] = []
    parent: list[int] = []
    for day in range(days):
        u = rng.random(n_risks).tolist()
        for r in range(n_risks):
            if u[r] >= p_any[r]:
                continue
            e = len(year)
            year.append(day // catalogue.days_per_year)
            ev.append(e)
            risk.append(r)
            level.append(_pick(root_cum[r], float(rng.random())))
            parent.append(-1)
            in_graph = {r}
            queue = deque([len(risk) - 1])
            while queue:
                node = queue.popleft()
                if cap is not None and len(in_graph) > cap:
                    continue
                up = parent[node]
                where = 0 if up < 0 else (1 if catalogue.actor[risk[up]] else 2)
                if not passes[risk[node]][where]:
                    continue
                for effect, p_link, cum in effects.get((risk[node], level[node]), ()):
                    if effect in in_graph or float(rng.random()) >= p_link:
                        continue
                    in_graph.add(effect)
                    ev.append(e)
                    risk.append(effect)
                    level.append(_pick(cum, float(rng.random())))
                    parent.append(node)
                    queue.append(len(risk) - 1)

    def ints(values: list[int]) -> IntArray:
        return np.asarray(values, dtype=np.int64)

    return EventGraphs(days, ints(year), ints(ev), ints(risk), ints(level), ints(parent))


# -- summaries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """The counts and impacts of one stretch of simulated days (a block): additive."""

    days: int
    root_count: IntArray  # (R, L) counted root events
    triggered_count: IntArray  # (R, L) counted triggered nodes
    attribution_count: IntArray  # (R, R) cause risk -> effect risk, counted triggered nodes
    event_risk: IntArray  # (E,) root risk of every counted event
    event_level: IntArray  # (E,)
    event_impact: FloatArray  # (E,) total impact of the event's counted nodes
    year_impact: FloatArray  # (Y,) summed impact of the counted events of each complete year


def tally(catalogue: CascadeCatalogue, graphs: EventGraphs) -> Tally:
    """Counts and impacts of sampled event graphs (the actor rule, ``drop_silent``, applied
    here: the fast sampler draws no silent actor root, the reference does)."""
    n_risks, n_levels = catalogue.n_risks, catalogue.n_levels
    n_nodes = graphs.node_risk.shape[0]
    parent = graphs.node_parent
    triggered = parent >= 0
    has_effect = np.bincount(parent[triggered], minlength=n_nodes) > 0
    silent_actor = catalogue.actor[graphs.node_risk] & ~has_effect
    dropped = silent_actor & ~triggered if catalogue.drop_silent == "root" else silent_actor
    counted = ~dropped
    cell = graphs.node_risk * n_levels + graphs.node_level
    size = n_risks * n_levels

    root = ~triggered & counted
    trig = triggered & counted
    root_count = np.bincount(cell[root], minlength=size).reshape(n_risks, n_levels)
    triggered_count = np.bincount(cell[trig], minlength=size).reshape(n_risks, n_levels)
    pair = graphs.node_risk[parent[trig]] * n_risks + graphs.node_risk[trig]
    attribution = np.bincount(pair, minlength=n_risks * n_risks).reshape(n_risks, n_risks)

    impact = np.where(counted, catalogue.direct_impact[graphs.node_risk, graphs.node_level], 0.0)
    event_impact = np.bincount(graphs.node_event, weights=impact, minlength=graphs.n_events)
    roots = np.flatnonzero(root)
    events = graphs.node_event[roots]
    event_impact = event_impact[events]
    year = graphs.event_year[events]
    full_years = graphs.days // catalogue.days_per_year
    in_full = year < full_years
    year_impact = np.bincount(year[in_full], weights=event_impact[in_full], minlength=full_years)
    return Tally(
        days=graphs.days,
        root_count=root_count.astype(np.int64),
        triggered_count=triggered_count.astype(np.int64),
        attribution_count=attribution.astype(np.int64),
        event_risk=graphs.node_risk[roots],
        event_level=graphs.node_level[roots],
        event_impact=np.asarray(event_impact, dtype=float),
        year_impact=year_impact[:full_years].astype(float),
    )


@dataclass(frozen=True)
class CascadeStats:
    """Simulated cascade statistics: ``R`` risks, ``L`` levels, ``T`` impact thresholds.

    Counts are over the whole simulation (``years`` simulated years); the ``*_frequency``
    properties divide them by ``years``. Impacts summarise the *total impact of the events rooted
    at each risk and level* (NaN where no such event was simulated). ``year_impact`` is the summed
    impact of all counted events of each complete simulated year, in order.
    """

    years: float
    seed: int | None
    days_per_year: int
    n_events: int  # counted events (rooted at a counted node)
    n_triggered: int  # counted triggered nodes
    root_count: IntArray  # (R, L)
    triggered_count: IntArray  # (R, L)
    attribution_count: IntArray  # (R, R) cause risk -> effect risk
    impact_mean: FloatArray  # (R, L)
    impact_p5: FloatArray  # (R, L)
    impact_p50: FloatArray  # (R, L)
    impact_p95: FloatArray  # (R, L)
    thresholds: FloatArray  # (T,)
    exceedance_count: IntArray  # (R, L, T) rooted events with total impact > threshold
    year_impact: FloatArray  # (Y,)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def root_frequency(self) -> FloatArray:
        """Counted root events per year, (R, L)."""
        return self.root_count / self.years

    @property
    def triggered_frequency(self) -> FloatArray:
        """Counted triggered occurrences per year, (R, L)."""
        return self.triggered_count / self.years

    @property
    def frequency(self) -> FloatArray:
        """All counted occurrences (root and triggered) per year, (R, L)."""
        return (self.root_count + self.triggered_count) / self.years

    @property
    def attribution(self) -> FloatArray:
        """Per year: how often cause risk ``i`` triggered effect risk ``j``, (R, R)."""
        return self.attribution_count / self.years

    @property
    def exceedance_frequency(self) -> FloatArray:
        """Per year: events rooted at (risk, level) with total impact above each threshold."""
        return self.exceedance_count / self.years

    def annual_exceedance(self, thresholds: Sequence[float] | FloatArray) -> FloatArray:
        """Share of simulated years whose summed impact exceeds each threshold."""
        t = np.asarray(thresholds, dtype=float)
        if self.year_impact.size == 0:
            return np.full(t.shape, np.nan)
        out: FloatArray = (self.year_impact[:, None] > t[None, :]).mean(axis=0)
        return out

    @property
    def annual_impact_mean(self) -> float:
        """Mean summed impact per simulated year (all counted events)."""
        if self.year_impact.size == 0:
            return math.nan
        return float(self.year_impact.mean())


def _grouped_summary(
    group: IntArray, values: FloatArray, n_groups: int, qs: Sequence[float]
) -> tuple[FloatArray, FloatArray]:
    """Mean and quantiles (numpy's default, linear) of ``values`` per group: (G,), (Q, G)."""
    count = np.bincount(group, minlength=n_groups)
    has = count > 0
    sums = np.bincount(group, weights=values, minlength=n_groups)
    mean = np.where(has, sums / np.maximum(count, 1), np.nan)
    order = np.lexsort((values, group))
    v = values[order]
    start = np.cumsum(count) - count
    out = np.full((len(qs), n_groups), np.nan)
    last = np.maximum(count - 1, 0)
    for i, q in enumerate(qs):
        pos = q * last
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, last)
        a = v[(start + lo)[has]]
        b = v[(start + hi)[has]]
        out[i, has] = a + (pos - lo)[has] * (b - a)
    return mean, out


def combine(
    catalogue: CascadeCatalogue,
    tallies: Sequence[Tally],
    thresholds: Sequence[float] | FloatArray = (),
    seed: int | None = None,
    options: dict[str, Any] | None = None,
) -> CascadeStats:
    """Statistics from tallies (in block order)."""
    n_risks, n_levels = catalogue.n_risks, catalogue.n_levels
    days = sum(t.days for t in tallies)
    t_arr = np.asarray(thresholds, dtype=float).reshape(-1)
    risk = np.concatenate([t.event_risk for t in tallies])
    level = np.concatenate([t.event_level for t in tallies])
    impact = np.concatenate([t.event_impact for t in tallies])
    group = risk * n_levels + level
    size = n_risks * n_levels
    mean, qs = _grouped_summary(group, impact, size, QUANTILES)
    exceed = np.zeros((size, t_arr.size), dtype=np.int64)
    for j, threshold in enumerate(t_arr.tolist()):
        exceed[:, j] = np.bincount(group[impact > threshold], minlength=size)
    triggered = sum((t.triggered_count for t in tallies), np.zeros((n_risks, n_levels), np.int64))
    return CascadeStats(
        years=days / catalogue.days_per_year,
        seed=seed,
        days_per_year=catalogue.days_per_year,
        n_events=int(risk.shape[0]),
        n_triggered=int(triggered.sum()),
        root_count=sum((t.root_count for t in tallies), np.zeros((n_risks, n_levels), np.int64)),
        triggered_count=triggered,
        attribution_count=sum(
            (t.attribution_count for t in tallies), np.zeros((n_risks, n_risks), np.int64)
        ),
        impact_mean=mean.reshape(n_risks, n_levels),
        impact_p5=qs[0].reshape(n_risks, n_levels),
        impact_p50=qs[1].reshape(n_risks, n_levels),
        impact_p95=qs[2].reshape(n_risks, n_levels),
        thresholds=t_arr,
        exceedance_count=exceed.reshape(n_risks, n_levels, t_arr.size),
        year_impact=np.concatenate([t.year_impact for t in tallies]),
        options=dict(options or {}),
    )


# -- the analyses ------------------------------------------------------------------------------


def _quiet(done: int, total: int) -> None:
    return None


def _block(catalogue: CascadeCatalogue, b: int, years: int, rng: np.random.Generator) -> Tally:
    return tally(catalogue, sample_events(catalogue, years, rng))


def simulate(
    catalogue: CascadeCatalogue,
    years: int,
    seed: int,
    executor: Any = None,
    *,
    thresholds: Sequence[float] | FloatArray = (),
    progress: Progress = _quiet,
) -> CascadeStats:
    """Simulate ``years`` years with the fast sampler, in blocks of :data:`YEARS_PER_BLOCK`.

    ``executor``: None (here), a ``concurrent.futures`` executor or a Dask client (see
    :func:`nsra.analysis.chunks.run_blocks`); the result depends on ``seed`` only.
    ``thresholds``: total impacts for :attr:`CascadeStats.exceedance_count`.
    """
    if years < 1:
        raise ValueError(f"simulate at least one year, got {years}")
    catalogue.links  # compile once, before the catalogue is shipped to workers  # noqa: B018
    plan = Plan(years, YEARS_PER_BLOCK)
    work = functools.partial(_block, catalogue)
    tallies = run_blocks(work, plan, seed, executor=executor, progress=progress)
    options = {"years": years, "seed": seed, "years_per_block": YEARS_PER_BLOCK}
    return combine(catalogue, tallies, thresholds, seed, options)


def simulate_reference(
    catalogue: CascadeCatalogue,
    days: int,
    rng: np.random.Generator,
    *,
    thresholds: Sequence[float] | FloatArray = (),
) -> CascadeStats:
    """The statistics of :func:`sample_events_reference` over ``days`` days. SLOW (reference)."""
    graphs = sample_events_reference(catalogue, days, rng)
    return combine(catalogue, [tally(catalogue, graphs)], thresholds, None, {"days": days})


@dataclass(frozen=True)
class FirstOrder:
    """Analytic one-step yearly frequencies per risk and level, (R, L) each."""

    root_frequency: FloatArray
    triggered_frequency: FloatArray


def first_order(catalogue: CascadeCatalogue) -> FirstOrder:
    """First-order yearly frequencies: root events and what root events trigger directly.

    * root: the Poisson rate ``-ln(1 - p_day) * days_per_year`` per level (the rate the
      assessment states; the daily simulation differs from it by about ``p_day / 2``,
      relatively);
    * triggered at level ``b``: the sum over causes and their levels ``a`` of root rate x the
      model's one-step probability ``(1 - prod_b'(1 - cp_b')) * cp_b / sum_b' cp_b'`` (equal to
      ``cp_b`` where the cause level triggers one effect level, and to first order in small
      ``cp``);
    * actor risks: a root occurrence counts only with the probability that it triggers at
      least one of its effects (a triggered one too under ``drop_silent: every_node``); an actor
      certain every day has one root a day, its level drawn in proportion.

    Chains (an effect triggering further risks) and the at-most-once rule are second order:
    they are left out, so the simulation agrees within Monte Carlo error when cascades are rare.
    """
    n_risks, n_levels = catalogue.n_risks, catalogue.n_levels
    p = catalogue.daily_probability
    days = catalogue.days_per_year
    p_any, share = _root_distribution(p)
    with np.errstate(divide="ignore"):
        rate = -np.log1p(-p) * days
    # a risk certain every day (a BNRA actor): one root a day, its level in proportion to p
    rate = np.where(p_any[:, None] < 1.0, rate, days * share)
    links = catalogue.links
    counts = np.diff(links.start)
    cause_key = np.repeat(np.arange(n_risks * n_levels), counts)
    acts = np.where(catalogue.actor[:, None], catalogue.triggers, 1.0)
    step = np.diff(np.concatenate([np.zeros((counts.sum(), 1)), links.cum], axis=1), axis=1)
    step = step * links.p_any[:, None]  # (n_links, L): P(effect at level b | cause at a)
    triggered = np.zeros((n_risks, n_levels))
    cause_rate = rate.reshape(-1)[cause_key]
    np.add.at(triggered, links.effect, cause_rate[:, None] * step)
    if catalogue.drop_silent == "every_node":
        triggered = triggered * acts
    return FirstOrder(root_frequency=rate * acts, triggered_frequency=triggered)


@dataclass(frozen=True)
class FirstOrderComparison:
    """Simulated minus analytic yearly frequencies, (R, L) each.

    ``*_rel`` = difference / analytic (NaN where the analytic frequency is 0); ``*_z`` =
    difference / the Poisson standard error ``sqrt(analytic / years)`` of a simulated frequency
    (NaN where the analytic frequency is 0).
    """

    root_abs: FloatArray
    root_rel: FloatArray
    root_z: FloatArray
    triggered_abs: FloatArray
    triggered_rel: FloatArray
    triggered_z: FloatArray


def compare_first_order(stats: CascadeStats, analytic: FirstOrder) -> FirstOrderComparison:
    """How far the simulated frequencies are from the first-order ones."""

    def diff(sim: FloatArray, ref: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        d = sim - ref
        pos = ref > 0
        safe = np.where(pos, ref, 1.0)
        rel = np.where(pos, d / safe, np.nan)
        z = np.where(pos, d / np.sqrt(safe / stats.years), np.nan)
        return d, rel, z

    r = diff(stats.root_frequency, analytic.root_frequency)
    t = diff(stats.triggered_frequency, analytic.triggered_frequency)
    return FirstOrderComparison(*r, *t)
