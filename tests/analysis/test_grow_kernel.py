"""The event-graph kernel (``cascade_sim.grow``) and the forced-start statistics keep the random
stream of the kernel they replaced: the same seed gives the same graphs, draw for draw.

The kernel was rewritten for speed (an int32 state per (event, risk) pair with
``np.minimum.at`` instead of sorting the candidates, the candidates of a generation numbered with
``np.repeat`` instead of ``np.searchsorted``, the cap's per-graph count without a search, the
impact noise drawn for all nodes at once from positions grouped by cell). The fingerprints
below were taken from the previous kernel (before this rewrite) on small catalogues where the
100-node rule binds (cap 5), actors and pass rules apply and the noise has up to three
indicators a node; the distribution tests of test_cascade_sim.py and test_cascade_rules.py hold
the model itself.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

from nsra.analysis import cascade_sim as cs
from nsra.analysis.forced_start import Noise, forced_start
from nsra.engine.inputs import CascadeRows, IntArray
from nsra.model.method import ExponentialFunction, ImpactNoise

I7 = ExponentialFunction(
    factor=math.exp(13.2 - 0.96), base=math.exp(1.92), threshold=0.5, value_at_threshold=5e5
)
NOISE = Noise(ImpactNoise(scale="i7", round_to=0.1, sd=0.255), I7)


def small_catalogue(seed: int, n_risks: int = 9, n_levels: int = 2) -> cs.CascadeCatalogue:
    """40 random cascade rows, two actors, random pass rules, a cap of 5 nodes, up to three
    positive indicators per cell."""
    rng = np.random.default_rng(seed)
    rows: set[tuple[int, int, int, int]] = set()
    while len(rows) < 40:
        c, e = rng.choice(n_risks, 2, replace=False)
        rows.add((int(c), int(rng.integers(n_levels)), int(e), int(rng.integers(n_levels))))
    cols = [np.array(x, dtype=np.int64) for x in zip(*sorted(rows), strict=True)]
    prob = rng.uniform(0.05, 0.7, len(rows))
    daily = rng.uniform(0.0, 0.02, (n_risks, n_levels))
    actor = np.zeros(n_risks, dtype=bool)
    actor[:2] = True
    passes = rng.random((n_risks, 3)) < 0.8
    shape = (n_risks, n_levels, 3)
    return cs.CascadeCatalogue(
        daily_probability=daily,
        direct_impact=rng.uniform(1.0, 100.0, (n_risks, n_levels)),
        cascades=CascadeRows(cols[0], cols[1], cols[2], cols[3], prob),
        actor=actor,
        max_nodes=5,
        passes=passes,
        indicator_impact=np.where(rng.random(shape) < 0.6, 10 ** rng.uniform(5, 9, shape), 0.0),
    )


def fingerprint(arrays: tuple[IntArray, ...] | list[IntArray]) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


def forced_graphs(cat: cs.CascadeCatalogue, seed: int) -> tuple[IntArray, ...]:
    root = np.repeat(np.arange(cat.n_risks * cat.n_levels), 50)
    risk, level = root // cat.n_levels, root % cat.n_levels
    return cs.grow(cat, risk, level, cat.actor[risk], np.random.default_rng(seed))


# (grow from every cell, 30 simulated years, forced-start impact mean and quantiles summed)
PREVIOUS = [
    ("20b69c838baf6e8d", "59485b8dd66da53a", 1510.2967441368148, 7791.658524636881),
    ("c762a0ee47c9861f", "81582ef0ec7fe302", 12095426524.520336, 62602734778.967674),
    ("ad0088938d14f825", "709b213cd6b23505", 1917.2120909273285, 9740.070779941296),
    ("f448d125b80f71e3", "80b28fd67ac91511", 7405295855.469927, 37639789409.09082),
]


@pytest.mark.parametrize("seed", range(len(PREVIOUS)))
def test_the_previous_kernels_graphs_and_statistics_draw_for_draw(seed: int) -> None:
    cat = small_catalogue(seed)
    g = forced_graphs(cat, seed)
    assert cat.max_nodes is not None
    assert np.bincount(g[0]).max() > cat.max_nodes  # the cap binds
    ev = cs.sample_events(cat, 30, np.random.default_rng(seed))
    years = fingerprint([ev.event_year, ev.node_event, ev.node_risk, ev.node_level, ev.node_parent])
    f = forced_start(cat, 40, seed, NOISE if seed % 2 else None)
    grown, simulated, mean, quantiles = PREVIOUS[seed]
    assert fingerprint(g) == grown
    assert years == simulated
    assert float(f.impact_mean.sum()) == mean
    assert float(f.impact_quantiles.sum()) == quantiles


@pytest.mark.parametrize("seed", range(6))
def test_the_pair_state_the_bitmap_and_the_sorted_keys_give_the_same_graphs(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = small_catalogue(100 + seed)
    state = forced_graphs(cat, seed)
    monkeypatch.setattr(cs, "DENSE_VISITED_MAX", 0)  # every call past the limit: a bitmap
    bitmap = forced_graphs(cat, seed)
    monkeypatch.setattr(cs, "BITMAP_VISITED_MAX", 0)  # and past that one: sorted keys
    keys = forced_graphs(cat, seed)
    for a, b, c in zip(state, bitmap, keys, strict=True):
        assert np.array_equal(a, b)
        assert np.array_equal(a, c)


def test_a_risk_appears_once_per_graph_and_every_parent_is_an_earlier_node() -> None:
    cat = small_catalogue(7)
    event, risk, _level, parent = forced_graphs(cat, 7)
    key = event * cat.n_risks + risk
    assert np.unique(key).size == key.size
    child = np.flatnonzero(parent >= 0)
    assert np.all(parent[child] < child)
    assert np.array_equal(event[parent[child]], event[child])
