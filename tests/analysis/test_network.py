"""The threat network (nsra.analysis.network): small graphs computed by hand, and the examples."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from nsra.analysis.network import (
    ThreatNetwork,
    ThreatNode,
    build_network,
    cascade_weights,
    domain_link,
    level_weights,
    threat_network,
)
from nsra.engine.compute import compute
from nsra.engine.inputs import CascadeRows
from nsra.io.network_section import network_section
from nsra.io.validate import read_assessment
from tests.helpers import EXAMPLES


def _nodes(*spec: tuple[str, str]) -> list[ThreatNode]:
    return [ThreatNode(i, i.upper(), d, False, "t") for i, d in spec]


ABC = _nodes(("a", "internal"), ("b", "external"), ("c", "both"))


def _triangle(direct: float) -> ThreatNetwork:
    """a -> b -> c with 0.9 each, and a direct a -> c with probability ``direct``."""
    return build_network(ABC, {("a", "b"): 0.9, ("b", "c"): 0.9, ("a", "c"): direct})


# -- strengths, betweenness, PageRank --------------------------------------------------------------
def test_strengths_are_sums_of_probabilities() -> None:
    m = _triangle(0.5).metrics
    assert m["a"].out_strength == pytest.approx(1.4)
    assert m["b"].out_strength == pytest.approx(0.9)
    assert m["c"].out_strength == 0.0
    assert m["a"].in_strength == 0.0
    assert m["b"].in_strength == pytest.approx(0.9)
    assert m["c"].in_strength == pytest.approx(1.4)


def test_betweenness_follows_the_most_probable_path() -> None:
    # via b: 0.9 * 0.9 = 0.81 beats the direct 0.5, so b lies on the only a -> c shortest path;
    # normalised for a directed graph by (n - 1)(n - 2) = 2
    m = _triangle(0.5).metrics
    assert m["b"].betweenness == pytest.approx(0.5)
    assert m["a"].betweenness == m["c"].betweenness == 0.0
    # a direct link more probable than the chain (0.95 > 0.81) takes b off the path
    assert _triangle(0.95).metrics["b"].betweenness == 0.0
    net = _triangle(0.5)
    assert net.cascades["a"]["c"]["distance"] == pytest.approx(-math.log(0.5))


def test_pagerank_sums_to_one_and_points_both_ways() -> None:
    m = _triangle(0.5).metrics
    assert sum(x.pagerank for x in m.values()) == pytest.approx(1.0)
    assert sum(x.pagerank_reversed for x in m.values()) == pytest.approx(1.0)
    assert max(m, key=lambda k: m[k].pagerank) == "c"  # where cascades end
    assert max(m, key=lambda k: m[k].pagerank_reversed) == "a"  # where they start


def test_hubs_take_the_top_with_ties_and_never_zero() -> None:
    nodes = _nodes(*((x, "internal") for x in "abcde"))
    net = build_network(
        nodes, {("a", "e"): 0.5, ("b", "e"): 0.3, ("c", "e"): 0.3, ("d", "e"): 0.1}, hub_count=2
    )
    assert net.hubs_out == ["a", "b", "c"]  # b and c tie at the cut
    assert net.metrics["b"].hub_out and not net.metrics["d"].hub_out
    assert net.hubs_betweenness == []  # no threat lies between two others
    assert build_network(nodes, {}).hubs_out == []


# -- reach -----------------------------------------------------------------------------------------
def _chain(
    seed: int = 0, reach_samples: int = 2000, reach_exact_max_edges: int = 16
) -> ThreatNetwork:
    nodes = _nodes(("a", "internal"), ("b", "internal"), ("c", "internal"))
    return build_network(
        nodes,
        {("a", "b"): 0.5, ("b", "c"): 0.5},
        seed=seed,
        reach_samples=reach_samples,
        reach_exact_max_edges=reach_exact_max_edges,
    )


def test_reach_of_a_chain_is_exact_on_small_graphs() -> None:
    m = _chain().metrics
    assert m["a"].reach_exact
    assert m["a"].reach == pytest.approx(0.75)  # 0.5 + 0.5 * 0.5
    assert m["a"].triggers == pytest.approx({"b": 0.5, "c": 0.25})
    assert m["a"].reach_se == 0.0
    assert m["b"].reach == pytest.approx(0.5)
    assert m["c"].reach == 0.0 and m["c"].triggers == {}


def test_reach_with_two_routes_is_exact() -> None:
    # P(c) = 1 - (1 - 0.5)(1 - 0.9 * 0.9) = 0.905; reach(a) = 0.9 + 0.905
    m = _triangle(0.5).metrics
    assert m["a"].reach == pytest.approx(1.805)
    assert m["a"].triggers["c"] == pytest.approx(0.905)


def test_reach_monte_carlo_is_seeded_and_close() -> None:
    net = _chain(reach_exact_max_edges=0, reach_samples=4000, seed=7)
    a = net.metrics["a"]
    assert not a.reach_exact and a.reach_se > 0
    assert abs(a.reach - 0.75) < 4 * a.reach_se
    assert _chain(reach_exact_max_edges=0, reach_samples=4000, seed=7).metrics["a"] == a
    assert _chain(reach_exact_max_edges=0, reach_samples=4000, seed=8).metrics["a"] != a


def test_reach_handles_cycles() -> None:
    nodes = _nodes(("a", "internal"), ("b", "internal"))
    m = build_network(nodes, {("a", "b"): 0.4, ("b", "a"): 0.6}).metrics
    assert m["a"].reach == pytest.approx(0.4)
    assert m["b"].reach == pytest.approx(0.6)


# -- domains ---------------------------------------------------------------------------------------
def test_domain_link_classes() -> None:
    assert domain_link("internal", "external") == ("crossing", "internal->external")
    assert domain_link("external", "internal") == ("crossing", "external->internal")
    assert domain_link("internal", "internal") == ("internal", None)
    assert domain_link("external", "external") == ("external", None)
    assert domain_link("both", "internal") == ("bridging", None)
    assert domain_link("external", "both") == ("bridging", None)
    assert domain_link("both", "both") == ("bridging", None)


def test_crossing_links_are_flagged_for_both_kinds() -> None:
    nodes = _nodes(("a", "internal"), ("b", "external"), ("c", "both"), ("d", "internal"))
    net = build_network(
        nodes, {("a", "b"): 0.3, ("b", "c"): 0.2, ("a", "d"): 0.1}, [("b", "d"), ("c", "a")]
    )
    by_pair = {(lk.cause, lk.effect, lk.kind): lk for lk in net.links}
    assert by_pair["a", "b", "cascade"].crossing
    assert by_pair["a", "b", "cascade"].direction == "internal->external"
    assert by_pair["b", "c", "cascade"].domain_link == "bridging"
    assert by_pair["a", "d", "cascade"].domain_link == "internal"
    assert by_pair["b", "d", "reinforces"].crossing
    assert by_pair["c", "a", "reinforces"].domain_link == "bridging"
    assert [(lk.cause, lk.effect) for lk in net.crossing] == [("a", "b"), ("b", "d")]
    assert net.metrics["b"].crossing_links == 2 and net.metrics["c"].crossing_links == 0
    doc = network_section(net)
    assert doc["summary"]["crossing_links"] == 2
    assert doc["summary"]["domain_links"] == {
        "internal": 1,
        "external": 0,
        "crossing": 2,
        "bridging": 2,
    }
    assert [e["crossing"] for e in doc["edges"]] == [True, False, False, True, False]


# -- reinforces links ------------------------------------------------------------------------------
def test_reinforces_links_stay_out_of_probability_metrics() -> None:
    nodes = _nodes(("a", "internal"), ("b", "internal"))
    net = build_network(nodes, {}, [("a", "b"), ("a", "b")], reinforces_weight=0.8)
    a = net.metrics["a"]
    assert a.out_strength == 0.0 and a.reach == 0.0 and a.betweenness == 0.0
    assert a.reinforces_out == 1 and net.metrics["b"].reinforces_in == 1  # duplicates once
    assert net.graph["a"]["b"]["reinforces"]["weight"] == 0.8
    assert net.cascades.number_of_edges() == 0
    assert net.communities == [["a", "b"]]  # but they hold threats together
    apart = build_network(nodes, {}, [("a", "b")], reinforces_weight=0.0)
    assert apart.communities == [["a"], ["b"]]


def test_a_pair_with_both_kinds_keeps_both_edges() -> None:
    nodes = _nodes(("a", "internal"), ("b", "internal"))
    net = build_network(nodes, {("a", "b"): 0.3}, [("a", "b")])
    assert set(net.graph["a"]["b"]) == {"cascade", "reinforces"}
    assert net.metrics["a"].out_strength == pytest.approx(0.3)


# -- communities -----------------------------------------------------------------------------------
def test_communities_split_two_clusters_deterministically() -> None:
    nodes = _nodes(*((x, "internal") for x in "abcdef"))
    links = {
        ("a", "b"): 0.9,
        ("b", "c"): 0.9,
        ("c", "a"): 0.9,
        ("d", "e"): 0.9,
        ("e", "f"): 0.9,
        ("f", "d"): 0.9,
        ("c", "d"): 0.05,
    }
    first = build_network(nodes, links, seed=3)
    assert first.communities == [["a", "b", "c"], ["d", "e", "f"]]
    assert build_network(nodes, links, seed=3).communities == first.communities
    assert first.metrics["a"].community == 0 and first.metrics["f"].community == 1


# -- intensity levels ------------------------------------------------------------------------------
def test_level_weights_follow_direct_probability() -> None:
    direct = np.array([[0.02, 0.01, 0.005], [np.nan, 0.3, 0.1], [np.nan] * 3])
    pi = level_weights(direct)
    assert pi[0] == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert pi[1] == pytest.approx([0.0, 0.75, 0.25])  # an unassessed level counts 0
    assert pi[2] == pytest.approx([1 / 3] * 3)  # no likelihood at all: equal weights


def test_level_aggregation_by_hand_bnra_style() -> None:
    # cause 0 -> effect 1 with cp per (cause level, effect level), like
    # considerable: {considerable: 0.3, major: 0.05}
    # major: {considerable: 0.3, major: 0.3, extreme: 0.05}
    # extreme: {major: 0.7, extreme: 0.3}
    table = [
        (0, 0, 0.3),
        (0, 1, 0.05),
        (1, 0, 0.3),
        (1, 1, 0.3),
        (1, 2, 0.05),
        (2, 1, 0.7),
        (2, 2, 0.3),
    ]
    n = len(table)
    rows = CascadeRows(
        np.zeros(n, dtype=np.int64),
        np.array([a for a, _, _ in table], dtype=np.int64),
        np.ones(n, dtype=np.int64),
        np.array([b for _, b, _ in table], dtype=np.int64),
        np.array([p for _, _, p in table]),
    )
    direct = np.array([[0.02, 0.01, 0.005], [0.1, 0.1, 0.1]])
    w = cascade_weights(rows, direct)
    assert list(w) == [(0, 1)]
    q = [1 - 0.7 * 0.95, 1 - 0.7 * 0.7 * 0.95, 1 - 0.3 * 0.7]  # 0.335, 0.5345, 0.79
    assert w[0, 1].by_cause_level == pytest.approx(q)
    assert w[0, 1].probability == pytest.approx((4 * 0.335 + 2 * 0.5345 + 0.79) / 7)
    assert w[0, 1].probability == pytest.approx(3.199 / 7)


def test_without_levels_the_weight_is_the_conditional_probability() -> None:
    rows = CascadeRows(
        np.array([0, 1], dtype=np.int64),
        np.zeros(2, dtype=np.int64),
        np.array([1, 0], dtype=np.int64),
        np.zeros(2, dtype=np.int64),
        np.array([0.3, 0.7]),
    )
    w = cascade_weights(rows, np.array([[0.01], [np.nan]]))
    assert w[0, 1].probability == pytest.approx(0.3)
    assert w[1, 0].probability == pytest.approx(0.7)


# -- the examples ----------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def example(request: pytest.FixtureRequest) -> tuple[Path, ThreatNetwork]:
    loaded = read_assessment(str(request.param))
    net = threat_network(loaded, compute(loaded.inputs, loaded.method), seed=0)
    return request.param, net


def test_example_export_is_json(example: tuple[Path, ThreatNetwork]) -> None:
    _, net = example
    doc = network_section(net)
    back = json.loads(json.dumps(doc, allow_nan=False))
    assert back == doc
    assert [n["id"] for n in doc["nodes"]] == [n.id for n in net.nodes]
    if doc["nodes"]:
        assert sum(n["pagerank"] for n in doc["nodes"]) == pytest.approx(1.0)
    ends = {n["id"]: n["domain"] for n in doc["nodes"]}
    for e in doc["edges"]:
        assert 0 < e["weight"] <= 1
        assert e["crossing"] == ({ends[e["source"]], ends[e["target"]]} == {"internal", "external"})
    assert sorted(x for c in doc["communities"] for x in c) == sorted(ends)


def test_bnra_example_edge_weight_by_hand() -> None:
    path = next(p for p in EXAMPLES if p.stem == "be-bnra")
    loaded = read_assessment(str(path))
    res = compute(loaded.inputs, loaded.method)
    net = threat_network(loaded, res)
    ids = [s.id for s in loaded.assessment.scenarios]
    c, e = ids.index("cyber-attack-critical-infrastructure"), ids.index("power-outage")
    rows = loaded.inputs.cascades
    p = np.nan_to_num(res.direct_probability[c])
    pi = p / p.sum()
    expected = 0.0
    for a in range(loaded.inputs.n_levels):
        sel = (rows.cause == c) & (rows.effect == e) & (rows.cause_level == a)
        expected += pi[a] * (1 - np.prod(1 - rows.probability[sel]))
    link = next(lk for lk in net.links if (lk.cause, lk.effect) == (ids[c], ids[e]))
    assert link.weight == pytest.approx(expected)
    assert link.by_cause_level is not None
    assert list(link.by_cause_level) == ["considerable", "major", "extreme"]
    assert net.level_ids == ["considerable", "major", "extreme"]


def test_nl_example_reinforces_and_reach() -> None:
    path = next(p for p in EXAMPLES if p.stem == "nl-integrated")
    loaded = read_assessment(str(path))
    net = threat_network(loaded, compute(loaded.inputs, loaded.method))
    n_reinforces = len(
        {(s.id, o) for s in loaded.assessment.scenarios for o in s.reinforces if o != s.id}
    )
    assert sum(1 for lk in net.links if lk.kind == "reinforces") == n_reinforces
    assert sum(1 for lk in net.links if lk.kind == "cascade") == len(loaded.assessment.cascades)
    for m in net.metrics.values():
        assert m.reach >= max(m.triggers.values(), default=0.0)
        assert m.reach == pytest.approx(sum(m.triggers.values()))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="not a probability"):
        build_network(ABC, {("a", "b"): 1.5})
    with pytest.raises(ValueError, match="unknown threat"):
        build_network(ABC, {("a", "z"): 0.5})
    with pytest.raises(ValueError, match="unknown threat"):
        build_network(ABC, {}, [("a", "z")])
    with pytest.raises(ValueError, match="reach_exact_max_edges"):
        build_network(ABC, {}, reach_exact_max_edges=30)
