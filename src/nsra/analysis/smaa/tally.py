"""SMAA-2's streaming tally: the running sums of the first pass, and its fast ranking.

The driver (:mod:`.driver`) keeps only running sums over its samples (memory flat in their
number): whole rank counts, a difference array of tie shares, the sums of the weights (and of
their squares) where a scenario is first, and, on request, pairwise counts. :class:`Tally` holds
them; :func:`tally_block` adds one block of totals.

The hot loop ranks a block with one integer sort: each total's bit pattern (monotone in the value
for floats of one sign) keeps its high bits and carries the scenario index in its low bits, so a
single ``np.sort`` yields the order, and the gaps between sorted keys flag the few neighbours
close enough to tie. Only those are checked with nsra's tie rule
(:func:`nsra.engine.ranking.tied`); the tie groups found have their whole counts replaced by
shares, and a row whose flagged neighbours are out of order (a few units in the last place apart,
with a tolerance too small to tie them) is ranked again from scratch by the rule
(:func:`nsra.engine.ranking.competition_ranks`). Every other neighbour is provably in strict
order, so the sums equal those of the kernels (:mod:`.kernels`) on the same totals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nsra.analysis.smaa.kernels import (
    SmallArray,
    first_shares,
    pair_ties,
    pair_wins,
    rank_tally,
    refuse_nan,
    smaa_ranks,
    small_dtype,
    weighted_count,
)
from nsra.engine.inputs import FloatArray, IntArray
from nsra.engine.ranking import tied


@dataclass
class Tally:
    """Running sums of the first pass (all flat arrays; sizes set by S and K)."""

    s: int
    k: int
    direct: IntArray  # (S*S) whole rank counts
    diff: FloatArray  # (S*(S+1)) difference array of tie shares
    cw_sum: FloatArray  # (S*K) sum of first-share x weights
    cw_sq: FloatArray  # (S*K) sum of first-share x weights^2
    wins: IntArray | None  # (S*S)
    ties: IntArray | None  # (S*S)

    def add(self, other: Tally) -> None:
        if (other.s, other.k) != (self.s, self.k):
            raise ValueError(
                f"a block gave {other.s} scenarios x {other.k} criteria, another "
                f"{self.s} x {self.k}: the samplers must keep their shapes"
            )
        self.direct += other.direct
        self.diff += other.diff
        self.cw_sum += other.cw_sum
        self.cw_sq += other.cw_sq
        if self.wins is not None and other.wins is not None:
            self.wins += other.wins
        if self.ties is not None and other.ties is not None:
            self.ties += other.ties


_SIGN = np.int64(0x7FFF_FFFF_FFFF_FFFF)
_INF_BITS = np.int64(0x7FF0_0000_0000_0000)


def _fast_order(tot: FloatArray, rtol: float) -> tuple[IntArray, IntArray, IntArray]:
    """Scenarios of each row in increasing total, and the neighbours that may tie.

    Keys are the totals' bit patterns (made monotone for negative numbers) with the low ``b``
    bits replaced by the scenario index, sorted as integers. Two totals within ``rtol`` of each
    other are at most ``rtol * 2^54`` representable doubles apart, so neighbours whose keys are
    more than ``T = rtol * 2^54 + 2^(b+1) + 2`` apart are in the right order and do not tie. The
    others (and any whose gap overflows) are returned as (row, position) of the lower one.
    """
    s = tot.shape[1]
    bits = max(1, (s - 1).bit_length())
    low = np.int64((1 << bits) - 1)
    idx = np.arange(s, dtype=np.int64)
    raw = tot.view(np.int64)
    key = raw & ~low
    key |= idx
    key.sort(axis=1)
    if key[:, 0].min() < 0 or (key[:, -1] & ~low).max() >= _INF_BITS:
        refuse_nan(tot)
        key = raw ^ ((raw >> 63) & _SIGN)
        key &= ~low
        key |= idx
        key.sort(axis=1)
    rows = cols = np.zeros(0, dtype=np.int64)
    if s > 1:
        limit = np.int64(min(float(1 << 62), math.ceil(rtol * 2.0**54) + 2.0 ** (bits + 1) + 2))
        gap = key[:, 1:] - key[:, :-1]
        if gap.min() <= limit:
            rows, cols = np.nonzero(gap <= limit)
    key &= low
    return key, np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def tally_block(tot: FloatArray, w: FloatArray, rtol: float, pairwise: bool) -> Tally:
    """First-pass sums of one block of totals (n, S) and weights (n, K).

    Every row is counted in the order of :func:`_fast_order`; the neighbours it flags are checked
    with the exact rule, and only the tie groups found are corrected (their members' whole counts
    replaced by shares). A row where the flagged neighbours turn out to be out of order (totals a
    few units in the last place apart, with a tolerance too small to tie them) is ranked again
    from scratch by :func:`_tally_exact`.
    """
    n, s = tot.shape
    k = w.shape[1]
    tot = np.ascontiguousarray(tot)
    order, pr, pc = _fast_order(tot, rtol)
    groups = _tie_groups(tot, order, pr, pc, rtol)
    rank_index = np.arange(s - 1, -1, -1, dtype=np.int64)  # position c holds rank s - c
    small = None
    if pairwise:
        small = np.empty((n, s), dtype=small_dtype(s))
        np.put_along_axis(small, order, rank_index.astype(small.dtype)[None, :], axis=1)
    redo = groups.redo
    win = order[:, -1].copy()
    flat = order.copy() if groups.members.shape[0] else order
    flat *= s
    flat += rank_index
    if redo.shape[0]:
        flat[redo] = s * s
        win[redo] = s
    direct = np.bincount(flat.ravel(), minlength=s * s + 1)[: s * s].astype(np.int64)
    cw_index = (win[:, None] * k + np.arange(k)).ravel()
    cw_sum = weighted_count(cw_index, w.ravel(), (s + 1) * k)[: s * k]
    cw_sq = weighted_count(cw_index, (w * w).ravel(), (s + 1) * k)[: s * k]
    diff = np.zeros(s * (s + 1))
    ties = np.zeros(s * s, dtype=np.int64) if pairwise else None
    if groups.members.shape[0]:
        _correct_groups(groups, order, w, s, direct, diff, cw_sum, cw_sq, small, ties)
    if redo.shape[0]:
        tally = _tally_exact(tot[redo], w[redo], rtol)
        direct += tally.direct
        diff += tally.diff
        cw_sum += tally.cw_sum
        cw_sq += tally.cw_sq
        if small is not None and ties is not None:
            small[redo] = tally.small
            ties += pair_ties(tally.small)
    wins = pair_wins(small) if small is not None else None
    return Tally(s, k, direct, diff, cw_sum, cw_sq, wins, ties)


@dataclass(frozen=True, eq=False)
class _Groups:
    """Tie groups found among flagged neighbours, one entry per member (sorted by row)."""

    row: IntArray  # row of the member
    members: IntArray  # position of the member in the row's increasing order
    low: IntArray  # lowest position of its group
    high: IntArray  # highest position of its group
    group: IntArray  # index of its group (0..G-1, members of a group are contiguous)
    redo: IntArray  # rows to rank again from scratch (out of order)


def _tie_groups(
    tot: FloatArray, order: IntArray, pr: IntArray, pc: IntArray, rtol: float
) -> _Groups:
    empty = np.zeros(0, dtype=np.int64)
    if pr.shape[0] == 0:
        return _Groups(empty, empty, empty, empty, empty, empty)
    a = tot[pr, order[pr, pc]]
    b = tot[pr, order[pr, pc + 1]]
    redo = np.unique(pr[a > b])
    tie = tied(b, a, rtol)
    if redo.shape[0]:
        tie &= ~np.isin(pr, redo)
    tr, tc = pr[tie], pc[tie]
    if tr.shape[0] == 0:
        return _Groups(empty, empty, empty, empty, empty, redo)
    new = np.ones(tr.shape[0], dtype=bool)
    new[1:] = (tr[1:] != tr[:-1]) | (tc[1:] != tc[:-1] + 1)
    starts = np.flatnonzero(new)
    pairs = np.diff(np.append(starts, tr.shape[0]))
    size = pairs + 1
    g_row, g_low = tr[starts], tc[starts]
    offset = np.cumsum(size) - size
    total = int(size.sum())
    group = np.repeat(np.arange(starts.shape[0]), size)
    member = np.repeat(g_low, size) + (np.arange(total) - np.repeat(offset, size))
    return _Groups(
        np.repeat(g_row, size),
        member,
        np.repeat(g_low, size),
        np.repeat(g_low + pairs, size),
        group,
        redo,
    )


def _correct_groups(
    g: _Groups,
    order: IntArray,
    w: FloatArray,
    s: int,
    direct: IntArray,
    diff: FloatArray,
    cw_sum: FloatArray,
    cw_sq: FloatArray,
    small: SmallArray | None,
    ties: IntArray | None,
) -> None:
    """Replace the whole counts of tie-group members by their shares (in place)."""
    k = w.shape[1]
    scen = order[g.row, g.members]
    size = g.high - g.low + 1
    share = 1.0 / size
    direct -= np.bincount(scen * s + (s - 1 - g.members), minlength=s * s)
    base = scen * (s + 1) + (s - 1 - g.high)
    diff += weighted_count(base, share, s * (s + 1))
    diff -= weighted_count(base + size, share, s * (s + 1))
    top = np.flatnonzero(g.high == s - 1)  # members of a first-place group
    if top.shape[0]:
        rows = g.row[top]
        lead = np.unique(rows)  # the fast count credited the whole first place to one scenario
        wl = w[lead]
        index = (order[lead, s - 1][:, None] * k + np.arange(k)).ravel()
        cw_sum -= weighted_count(index, wl.ravel(), s * k)
        cw_sq -= weighted_count(index, (wl * wl).ravel(), s * k)
        wt = w[rows] * share[top][:, None]
        index = (scen[top][:, None] * k + np.arange(k)).ravel()
        cw_sum += weighted_count(index, wt.ravel(), s * k)
        cw_sq += weighted_count(index, (wt * w[rows]).ravel(), s * k)
    if small is not None and ties is not None:
        small[g.row, scen] = s - 1 - g.high
        # every ordered pair of distinct members of a group (members of a group are contiguous)
        start = np.arange(scen.shape[0]) - (g.members - g.low)
        offset = np.cumsum(size) - size
        first = np.repeat(np.arange(scen.shape[0]), size)
        second = np.repeat(start, size) + (np.arange(int(size.sum())) - np.repeat(offset, size))
        keep = first != second
        ties += np.bincount(scen[first[keep]] * s + scen[second[keep]], minlength=s * s).astype(
            np.int64
        )


@dataclass(frozen=True, eq=False)
class _ExactTally:
    direct: IntArray
    diff: FloatArray
    cw_sum: FloatArray
    cw_sq: FloatArray
    small: SmallArray  # competition rank - 1 per scenario, (m, S)


def _tally_exact(tot: FloatArray, w: FloatArray, rtol: float) -> _ExactTally:
    """First-pass sums of rows ranked by the rule itself (:func:`smaa_ranks`), for the rows the
    fast order cannot settle."""
    s = tot.shape[1]
    k = w.shape[1]
    ranks = smaa_ranks(tot, rtol)
    direct, diff = rank_tally(ranks)
    row, scen = np.nonzero(ranks == 1)  # the first-place group of every row
    share = first_shares(ranks)[row, scen]
    wt = w[row] * share[:, None]
    index = (scen[:, None] * k + np.arange(k)).ravel()
    cw_sum = weighted_count(index, wt.ravel(), s * k)
    cw_sq = weighted_count(index, (wt * w[row]).ravel(), s * k)
    small = np.asarray(ranks - 1, dtype=small_dtype(s))
    return _ExactTally(direct, diff, cw_sum, cw_sq, small)
