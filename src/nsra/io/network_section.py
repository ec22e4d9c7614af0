"""The threat network section of ``nsra-analysis/1``: nodes with their metrics, links,
communities and a summary, with the settings and seed the network was built with."""

from __future__ import annotations

import math

from nsra.analysis.network import PAGERANK_ALPHA, ThreatNetwork
from nsra.io.contract import NetworkEdge, NetworkNode, NetworkSection


def network_section(net: ThreatNetwork) -> NetworkSection:
    """A JSON-ready description: nodes with metrics, edges, communities and a summary."""
    nodes: list[NetworkNode] = []
    for n in net.nodes:
        m = net.metrics[n.id]
        nodes.append(
            {
                "id": n.id,
                "title": n.title,
                "domain": n.domain,
                "malicious": n.malicious,
                "theme": n.theme,
                "risk": n.risk,
                "in_strength": m.in_strength,
                "out_strength": m.out_strength,
                "betweenness": m.betweenness,
                "pagerank": m.pagerank,
                "pagerank_reversed": m.pagerank_reversed,
                "reach": m.reach,
                "reach_se": m.reach_se,
                "reach_exact": m.reach_exact,
                "triggers": dict(m.triggers),
                "reinforces_in": m.reinforces_in,
                "reinforces_out": m.reinforces_out,
                "crossing_links": m.crossing_links,
                "hub_out": m.hub_out,
                "hub_betweenness": m.hub_betweenness,
                "community": m.community,
            }
        )
    edges: list[NetworkEdge] = []
    for lk in net.links:
        edge: NetworkEdge = {
            "source": lk.cause,
            "target": lk.effect,
            "kind": lk.kind,
            "weight": lk.weight,
            "domain_link": lk.domain_link,
            "crossing": lk.crossing,
            "direction": lk.direction,
        }
        if lk.kind == "cascade":
            edge["distance"] = max(0.0, -math.log(lk.weight))
        if lk.by_cause_level is not None:
            edge["by_cause_level"] = dict(lk.by_cause_level)
        edges.append(edge)
    counts = {k: 0 for k in ("internal", "external", "crossing", "bridging")}
    for lk in net.links:
        counts[lk.domain_link] += 1
    n_exact = sum(1 for m in net.metrics.values() if m.reach_exact)
    return {
        "nodes": nodes,
        "edges": edges,
        "communities": [list(c) for c in net.communities],
        "summary": {
            "threats": len(net.nodes),
            "cascade_links": sum(1 for lk in net.links if lk.kind == "cascade"),
            "reinforces_links": sum(1 for lk in net.links if lk.kind == "reinforces"),
            "crossing_links": counts["crossing"],
            "crossing": [
                {
                    "source": lk.cause,
                    "target": lk.effect,
                    "kind": lk.kind,
                    "direction": lk.direction,
                }
                for lk in net.crossing
            ],
            "domain_links": counts,
            "hubs": {"out_strength": list(net.hubs_out), "betweenness": list(net.hubs_betweenness)},
            "communities": len(net.communities),
            "levels": list(net.level_ids),
            "settings": {
                "edge_weight": "P(effect | cause), aggregated over the cause's levels "
                "in proportion to its direct probability",
                "reinforces_weight": net.reinforces_weight,
                "reinforces_in_probability_metrics": False,
                "betweenness": "normalised, on distances -ln P",
                "pagerank_alpha": PAGERANK_ALPHA,
                "reach": "independent cascade; exact by enumeration up to "
                f"{net.reach_exact_max_edges} relevant edges, else Monte Carlo",
                "reach_exact": n_exact,
                "reach_monte_carlo": len(net.nodes) - n_exact,
                "reach_samples": net.reach_samples,
                "seed": net.seed,
                "hub_count": net.hub_count,
                "communities": "Louvain, seeded, resolution 1, undirected summed weights",
            },
        },
    }
