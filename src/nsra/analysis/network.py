"""The threat network: threats as nodes, cascades and "reinforces" links as edges.

Which threats are hubs, which cascade paths are the most probable, how far one threat reaches,
which links cross between the internal and the external domain, and which threats cluster.
Pure: takes the checked assessment and the computed results, returns data; no I/O.

Choices (each one a documented assumption, not a fact of the field):

* **Cascade edge weight** = P(effect | cause occurs), a probability. With intensity levels
  (BNRA) the cause occurs at level ``a`` with probability ``pi_a`` proportional to its direct
  probability at ``a`` (the BNRA simulation draws the level of an event the same way, see
  :mod:`nsra.analysis.cascade_sim`); at level ``a`` the effect follows, at any level, with
  ``1 - prod_b (1 - cp(a -> b))``::

      P(effect | cause) = sum_a pi_a * (1 - prod_b (1 - cp(a -> b)))

  Levels without a likelihood count as probability 0; a cause with no likelihood at any level
  gets equal weights over the method's levels. Without levels this is just the conditional
  probability. An edge whose weight comes out 0 is left out.
* **Reinforces links** are qualitative ("makes more likely or worse", no probability). They are
  edges of :attr:`ThreatNetwork.graph` with kind ``"reinforces"`` and weight
  ``reinforces_weight`` (default 0.5, "as likely as not": no information either way), counted in
  the crossing analysis and, with that weight, in the communities; they are left out of every
  probability metric (strengths, betweenness, PageRank, reach), which would otherwise mix a
  made-up number with estimated probabilities. Their counts per threat are reported apart.
* **Betweenness** on distances ``-ln P``: a shortest path is the most probable cascade chain (the
  product of probabilities along it is largest). Normalised as networkx does for directed graphs:
  divided by ``(n - 1)(n - 2)``.
* **PageRank** (damping 0.85) on the cascade graph, out-weights normalised per threat: high where
  cascades *end*; on the reversed graph: high where cascades *start*. Each sums to 1.
* **Reach** of a threat = expected number of *other* threats triggered when it occurs, in the
  independent-cascade model on the weighted graph (each edge fires at most once, with its
  probability; a threat is triggered at most once). This is computed over random "live-edge"
  graphs: **exactly**, by enumerating all ``2 ** m`` live-edge sets, when the ``m`` edges that
  can matter (edges out of threats reachable from the seed, except into the seed) are at most
  ``reach_exact_max_edges`` (default 16, at most 20); otherwise by **Monte Carlo** with
  ``reach_samples`` live-edge draws (default 2000) from a numpy Generator seeded by ``seed``
  (one independent stream per threat), reported with its standard error. For methods with
  levels this uses the level-aggregated edge weights, an approximation of the level-aware BNRA
  simulation (a triggered effect's level mix is not its direct-probability mix).
* **Hubs**: the ``hub_count`` (default 3) threats with the highest out-strength, and those with
  the highest betweenness; ties at the cut are all included; a value of 0 never makes a hub.
* **Domains**: a link is ``"internal"`` or ``"external"`` when both ends are in that domain,
  ``"crossing"`` when one end is internal and the other external (with a direction,
  ``internal->external`` or ``external->internal``), and ``"bridging"`` when at least one end is
  a threat of domain ``both`` (it touches both domains without crossing between two one-domain
  threats). Only ``"crossing"`` links count as crossing.
* **Communities**: Louvain (networkx, seeded, resolution 1) on the undirected graph whose weight
  between two threats is the sum of the cascade probabilities in both directions plus
  ``reinforces_weight`` per reinforces link; listed largest first.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import numpy as np

from nsra.analysis.checked import CheckedAssessment
from nsra.engine.compute import Results
from nsra.engine.inputs import BoolArray, CascadeRows, FloatArray

DomainLink = Literal["internal", "external", "crossing", "bridging"]
LinkKind = Literal["cascade", "reinforces"]

PAGERANK_ALPHA = 0.85
MAX_EXACT_EDGES = 20  # 2**20 live-edge sets: the most an exact reach may enumerate


@dataclass(frozen=True)
class ThreatNode:
    """What the network knows about one threat (scenario)."""

    id: str
    title: str | dict[str, str]
    domain: str  # internal, external, both
    malicious: bool
    theme: str
    risk: float | None = None  # the engine's risk, when computed


@dataclass(frozen=True)
class Link:
    """One directed link between two threats."""

    cause: str
    effect: str
    kind: LinkKind
    weight: float  # cascade: P(effect | cause); reinforces: the configured weight
    domain_link: DomainLink
    direction: str | None = None  # "internal->external" or "external->internal" when crossing
    by_cause_level: dict[str, float] | None = None  # P(effect | cause at level), with levels

    @property
    def crossing(self) -> bool:
        return self.domain_link == "crossing"


@dataclass(frozen=True)
class NodeMetrics:
    """The metrics of one threat (probability metrics on the cascade links only)."""

    in_strength: float
    out_strength: float
    betweenness: float
    pagerank: float  # where cascades end
    pagerank_reversed: float  # where cascades start
    reach: float  # expected number of other threats triggered
    reach_se: float  # standard error (0 when exact)
    reach_exact: bool
    triggers: dict[str, float]  # P(other threat triggered | this one occurs), > 0 only
    reinforces_in: int
    reinforces_out: int
    crossing_links: int  # crossing links of either kind at this threat
    hub_out: bool
    hub_betweenness: bool
    community: int


@dataclass(frozen=True)
class ThreatNetwork:
    """The threat network of an assessment with its metrics."""

    nodes: list[ThreatNode]
    links: list[Link]  # cascades first (by cause, effect), then reinforces links
    graph: Any  # nx.MultiDiGraph: every link, keyed by kind
    cascades: Any  # nx.DiGraph: cascade links only, attributes weight and distance
    metrics: dict[str, NodeMetrics]
    communities: list[list[str]]
    hubs_out: list[str]
    hubs_betweenness: list[str]
    seed: int
    reach_samples: int
    reach_exact_max_edges: int
    reinforces_weight: float
    hub_count: int
    level_ids: list[str] = field(default_factory=list)

    @property
    def crossing(self) -> list[Link]:
        return [lk for lk in self.links if lk.crossing]


# -- cascade weights -------------------------------------------------------------------------------
def level_weights(direct_probability: FloatArray) -> FloatArray:
    """P(scenario at level a | scenario occurs), (S, L): proportional to the direct probability.

    Unassessed levels (NaN) count as 0; a scenario without any likelihood gets equal weights.
    """
    p = np.nan_to_num(np.asarray(direct_probability, dtype=float), nan=0.0)
    p = np.clip(p, 0.0, None)
    total = p.sum(axis=1, keepdims=True)
    n_levels = p.shape[1]
    uniform = np.full_like(p, 1.0 / max(n_levels, 1))
    safe = np.where(total > 0, total, 1.0)
    out: FloatArray = np.where(total > 0, p / safe, uniform)
    return out


@dataclass(frozen=True)
class CascadeWeight:
    """The aggregated weight of one cause -> effect pair."""

    probability: float  # P(effect | cause)
    by_cause_level: FloatArray  # (L,) P(effect | cause at level a) = 1 - prod_b (1 - cp(a -> b))


def cascade_weights(
    cascades: CascadeRows, direct_probability: FloatArray
) -> dict[tuple[int, int], CascadeWeight]:
    """P(effect | cause) per (cause, effect) index pair, aggregated over intensity levels."""
    n_levels = int(np.asarray(direct_probability).shape[1])
    survive: dict[tuple[int, int], FloatArray] = {}
    for c, a, e, cp in zip(
        cascades.cause.tolist(),
        cascades.cause_level.tolist(),
        cascades.effect.tolist(),
        cascades.probability.tolist(),
        strict=True,
    ):
        s = survive.setdefault((int(c), int(e)), np.ones(n_levels))
        s[int(a)] *= 1.0 - min(max(float(cp), 0.0), 1.0)
    pi = level_weights(direct_probability)
    out: dict[tuple[int, int], CascadeWeight] = {}
    for (c, e), s in sorted(survive.items()):
        q = 1.0 - s
        out[(c, e)] = CascadeWeight(float(np.dot(pi[c], q)), q)
    return out


# -- domains ---------------------------------------------------------------------------------------
def domain_link(cause_domain: str, effect_domain: str) -> tuple[DomainLink, str | None]:
    """Classify a link by the domains of its ends (see the module doc) and give its direction."""
    if "both" in (cause_domain, effect_domain):
        return "bridging", None
    if cause_domain == effect_domain:
        return ("internal" if cause_domain == "internal" else "external"), None
    return "crossing", f"{cause_domain}->{effect_domain}"


# -- reach -----------------------------------------------------------------------------------------
def _reach_one(
    seed_node: int,
    out_edges: Sequence[Sequence[tuple[int, float]]],
    rng: np.random.Generator,
    samples: int,
    exact_max_edges: int,
) -> tuple[float, float, bool, dict[int, float]]:
    """Expected number of other nodes reached from ``seed_node`` in the independent cascade."""
    # the nodes reachable at all, in breadth-first order, and the edges that can matter
    order = [seed_node]
    local = {seed_node: 0}
    queue = deque([seed_node])
    while queue:
        u = queue.popleft()
        for v, p in out_edges[u]:
            if p > 0 and v not in local:
                local[v] = len(order)
                order.append(v)
                queue.append(v)
    edges = [
        (local[u], local[v], p) for u in order for v, p in out_edges[u] if p > 0 and v != seed_node
    ]
    m = len(edges)
    if m == 0:
        return 0.0, 0.0, True, {}
    prob = np.array([p for _, _, p in edges], dtype=float)
    exact = m <= exact_max_edges
    live: BoolArray
    if exact:
        worlds = np.arange(2**m, dtype=np.int64)
        live = ((worlds[:, None] >> np.arange(m, dtype=np.int64)) & 1).astype(bool)
        weights = np.prod(np.where(live, prob, 1.0 - prob), axis=1)
    else:
        live = rng.random((samples, m)) < prob
        weights = np.full(samples, 1.0 / samples)
    reached = np.zeros((live.shape[0], len(order)), dtype=bool)
    reached[:, 0] = True
    changed = True
    while changed:
        changed = False
        for e, (u, v, _) in enumerate(edges):
            new = reached[:, u] & live[:, e] & ~reached[:, v]
            if new.any():
                reached[:, v] |= new
                changed = True
    count = reached.sum(axis=1).astype(float) - 1.0
    mean = float(weights @ count)
    se = 0.0
    if not exact and samples > 1:
        se = float(count.std(ddof=1) / math.sqrt(samples))
    per_node = weights @ reached
    triggers = {order[i]: float(per_node[i]) for i in range(1, len(order)) if per_node[i] > 0}
    return mean, se, exact, triggers


# -- the network -----------------------------------------------------------------------------------
def _top(values: Mapping[str, float], count: int) -> list[str]:
    """The ``count`` largest positive values, ties at the cut included, in descending order."""
    ranked = sorted(((v, k) for k, v in values.items() if v > 0), key=lambda t: -t[0])
    if count <= 0 or not ranked:
        return []
    cut = ranked[min(count, len(ranked)) - 1][0]
    return [k for v, k in ranked if v >= cut]


def build_network(
    nodes: Sequence[ThreatNode],
    cascades: Mapping[tuple[str, str], float],
    reinforces: Iterable[tuple[str, str]] = (),
    *,
    seed: int = 0,
    reach_samples: int = 2000,
    reach_exact_max_edges: int = 16,
    reinforces_weight: float = 0.5,
    hub_count: int = 3,
    by_cause_level: Mapping[tuple[str, str], dict[str, float]] | None = None,
    level_ids: Sequence[str] = (),
) -> ThreatNetwork:
    """The network from threats, cascade probabilities P(effect | cause) and reinforces links."""
    if reach_samples < 1:
        raise ValueError("reach_samples must be at least 1")
    if not 0 <= reach_exact_max_edges <= MAX_EXACT_EDGES:
        raise ValueError(f"reach_exact_max_edges must be between 0 and {MAX_EXACT_EDGES}")
    if not reinforces_weight >= 0.0:
        raise ValueError("reinforces_weight must not be negative")
    index = {n.id: i for i, n in enumerate(nodes)}
    if len(index) != len(nodes):
        raise ValueError("threat ids must be unique")
    domain = {n.id: n.domain for n in nodes}
    for pair in cascades:
        for end in pair:
            if end not in index:
                raise ValueError(f"unknown threat {end!r} in a cascade")

    links: list[Link] = []
    for (c, e), w in sorted(cascades.items(), key=lambda kv: (index[kv[0][0]], index[kv[0][1]])):
        if c == e:
            raise ValueError(f"a threat cannot cascade into itself ({c})")
        if not 0.0 <= w <= 1.0:
            raise ValueError(f"the cascade {c} -> {e} has weight {w}, not a probability")
        if w <= 0.0:
            continue
        kind, direction = domain_link(domain[c], domain[e])
        extra = None if by_cause_level is None else by_cause_level.get((c, e))
        links.append(Link(c, e, "cascade", float(w), kind, direction, extra))
    seen: set[tuple[str, str]] = set()
    for c, e in reinforces:
        if c not in index or e not in index:
            raise ValueError(f"unknown threat in the reinforces link {c} -> {e}")
        if c == e or (c, e) in seen:
            continue
        seen.add((c, e))
        kind, direction = domain_link(domain[c], domain[e])
        links.append(Link(c, e, "reinforces", float(reinforces_weight), kind, direction))

    graph = nx.MultiDiGraph()
    casc = nx.DiGraph()
    for n in nodes:
        attrs = {
            "title": n.title,
            "domain": n.domain,
            "malicious": n.malicious,
            "theme": n.theme,
            "risk": n.risk,
        }
        graph.add_node(n.id, **attrs)
        casc.add_node(n.id, **attrs)
    for lk in links:
        graph.add_edge(
            lk.cause,
            lk.effect,
            key=lk.kind,
            kind=lk.kind,
            weight=lk.weight,
            domain_link=lk.domain_link,
            crossing=lk.crossing,
        )
        if lk.kind == "cascade":
            casc.add_edge(
                lk.cause, lk.effect, weight=lk.weight, distance=max(0.0, -math.log(lk.weight))
            )

    ids = [n.id for n in nodes]
    in_strength = {k: float(v) for k, v in casc.in_degree(weight="weight")}
    out_strength = {k: float(v) for k, v in casc.out_degree(weight="weight")}
    betweenness = {
        k: float(v)
        for k, v in nx.betweenness_centrality(casc, weight="distance", normalized=True).items()
    }
    if ids:
        pagerank = {
            k: float(v) for k, v in nx.pagerank(casc, alpha=PAGERANK_ALPHA, weight="weight").items()
        }
        pagerank_rev = {
            k: float(v)
            for k, v in nx.pagerank(
                casc.reverse(copy=True), alpha=PAGERANK_ALPHA, weight="weight"
            ).items()
        }
    else:
        pagerank, pagerank_rev = {}, {}

    out_edges: list[list[tuple[int, float]]] = [[] for _ in nodes]
    for lk in links:
        if lk.kind == "cascade":
            out_edges[index[lk.cause]].append((index[lk.effect], lk.weight))
    streams = np.random.SeedSequence(seed).spawn(len(nodes))
    reach: dict[str, tuple[float, float, bool, dict[int, float]]] = {}
    for i, n in enumerate(nodes):
        rng = np.random.default_rng(streams[i])
        reach[n.id] = _reach_one(i, out_edges, rng, reach_samples, reach_exact_max_edges)

    undirected = nx.Graph()
    undirected.add_nodes_from(ids)
    for lk in links:
        if lk.weight <= 0:
            continue
        prev = undirected.get_edge_data(lk.cause, lk.effect, default={"weight": 0.0})
        undirected.add_edge(lk.cause, lk.effect, weight=float(prev["weight"]) + lk.weight)
    found = nx.community.louvain_communities(undirected, weight="weight", resolution=1, seed=seed)
    communities = sorted(
        (sorted(c, key=index.__getitem__) for c in found), key=lambda c: (-len(c), index[c[0]])
    )
    community_of = {k: j for j, c in enumerate(communities) for k in c}

    hubs_out = _top(out_strength, hub_count)
    hubs_btw = _top(betweenness, hub_count)
    metrics: dict[str, NodeMetrics] = {}
    for n in nodes:
        mean, se, exact, trig = reach[n.id]
        metrics[n.id] = NodeMetrics(
            in_strength=in_strength.get(n.id, 0.0),
            out_strength=out_strength.get(n.id, 0.0),
            betweenness=betweenness.get(n.id, 0.0),
            pagerank=pagerank.get(n.id, 0.0),
            pagerank_reversed=pagerank_rev.get(n.id, 0.0),
            reach=mean,
            reach_se=se,
            reach_exact=exact,
            triggers={ids[j]: p for j, p in sorted(trig.items())},
            reinforces_in=sum(1 for lk in links if lk.kind == "reinforces" and lk.effect == n.id),
            reinforces_out=sum(1 for lk in links if lk.kind == "reinforces" and lk.cause == n.id),
            crossing_links=sum(1 for lk in links if lk.crossing and n.id in (lk.cause, lk.effect)),
            hub_out=n.id in hubs_out,
            hub_betweenness=n.id in hubs_btw,
            community=community_of[n.id],
        )
    return ThreatNetwork(
        nodes=list(nodes),
        links=links,
        graph=graph,
        cascades=casc,
        metrics=metrics,
        communities=communities,
        hubs_out=hubs_out,
        hubs_betweenness=hubs_btw,
        seed=seed,
        reach_samples=reach_samples,
        reach_exact_max_edges=reach_exact_max_edges,
        reinforces_weight=float(reinforces_weight),
        hub_count=hub_count,
        level_ids=list(level_ids),
    )


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def threat_network(
    loaded: CheckedAssessment,
    results: Results,
    seed: int = 0,
    reach_samples: int = 2000,
    *,
    reach_exact_max_edges: int = 16,
    reinforces_weight: float = 0.5,
    hub_count: int = 3,
) -> ThreatNetwork:
    """The threat network of a checked assessment and its computed results."""
    scenarios = loaded.assessment.scenarios
    nodes = [
        ThreatNode(
            id=sc.id,
            title=sc.title,
            domain=sc.domain,
            malicious=sc.malicious,
            theme=sc.theme,
            risk=_finite(float(results.risk[i])),
        )
        for i, sc in enumerate(scenarios)
    ]
    ids = [sc.id for sc in scenarios]
    level_ids = [lv.id for lv in loaded.method.intensity_levels]
    weights = cascade_weights(loaded.inputs.cascades, results.direct_probability)
    cascades = {(ids[c], ids[e]): cw.probability for (c, e), cw in weights.items()}
    by_level: dict[tuple[str, str], dict[str, float]] | None = None
    if level_ids:
        by_level = {
            (ids[c], ids[e]): {
                lv: float(q) for lv, q in zip(level_ids, cw.by_cause_level, strict=True)
            }
            for (c, e), cw in weights.items()
        }
    reinforces = [(sc.id, other) for sc in scenarios for other in sc.reinforces]
    return build_network(
        nodes,
        cascades,
        reinforces,
        seed=seed,
        reach_samples=reach_samples,
        reach_exact_max_edges=reach_exact_max_edges,
        reinforces_weight=reinforces_weight,
        hub_count=hub_count,
        by_cause_level=by_level,
        level_ids=level_ids,
    )
