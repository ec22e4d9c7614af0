"""The ranking as the report shows it: one table per likelihood scale, and the headline list.

A method may judge malicious and non-malicious threats on different likelihood scales (the BNRA:
return period against motivation over three years; the UK: five-year against two-year
probability). Their classes and probabilities do not mean the same thing, so the report does
not rank them in one list: :func:`ranking_groups` gives one group per scale the method uses
(read from the method's ``likelihood.scales``, never from its name), each with the probability
over that scale's own period. :func:`headline` picks the risks the summary names first.
"""

from __future__ import annotations

import math
from typing import Any

from nsra import i18n
from nsra.model.method import LikelihoodScale
from nsra.model.text import tr
from nsra.report.view import RankingRow, View, ranked_order

HEADLINE = 5
"""How many risks the summary names per group."""


def own_period(v: View, spec: LikelihoodScale) -> float:
    """The period (months) a scale's probabilities are about: its own period for a probability
    scale, the method's time basis for a return-period scale."""
    if spec.quantity == "probability" and spec.period_months is not None:
        return spec.period_months
    return v.time_basis


def over_period(p: float, basis_months: float, months: float) -> float:
    """A probability over ``basis_months`` as a probability over ``months`` (Poisson events,
    as the engine converts them): ``1 - (1 - p) ** (months / basis_months)``."""
    if p >= 1.0:
        return 1.0
    if p <= 0.0:
        return 0.0
    return -math.expm1(math.log1p(-p) * months / basis_months)


def _group_title(v: View, spec: LikelihoodScale) -> str:
    if spec.applies_to == "malicious":
        return v.t("panel_malicious")
    if spec.applies_to == "non_malicious":
        return v.t("panel_non_malicious")
    scale = v.m.scale(spec.scale)
    return tr(scale.label, v.lang) if scale.label else spec.scale


def ranking_groups(v: View, rows: list[RankingRow]) -> list[dict[str, Any]]:
    """Rows grouped by the likelihood scale their scenarios are judged on (in rank order; a
    scale nobody uses has no group). One group when the method uses one scale. Each row gets
    ``probability_own``: its probability over its scale's period, which the group's column
    header names."""
    probability = {e["id"]: e["likelihood"]["probability"] for e in v.doc["scenarios"]}
    groups: dict[str, dict[str, Any]] = {}
    for r in ranked_order(rows):
        spec = v.m.likelihood.scale_for(r["malicious"])
        g = groups.get(spec.scale)
        if g is None:
            months = own_period(v, spec)
            g = groups[spec.scale] = {
                "scale": spec.scale,
                "malicious": spec.applies_to == "malicious",
                "title": _group_title(v, spec),
                "months": months,
                "period": i18n.period(months, v.lang),
                "probability_header": v.t("col_probability", period=i18n.period(months, v.lang)),
                "rows": [],
            }
        p = probability.get(r["id"])
        own = None if p is None else over_period(float(p), v.time_basis, g["months"])
        g["rows"].append({**r, "probability_own": v.prob(own)})
    out = list(groups.values())
    out.sort(key=lambda g: bool(g["malicious"]))  # malicious threats second, as in the diagram
    split = len(out) > 1
    for g in out:
        g["split"] = split
        g["caption"] = (
            v.t("ranking_group_caption", group=g["title"].lower(), period=g["period"])
            if split
            else v.t("sec_ranking")
        )
    return out


def headline(v: View, rows: list[RankingRow]) -> list[dict[str, Any]]:
    """The risks the summary names first, per likelihood-scale group: serious risks first (the
    method's own rule: impact class, or the red zone), then the others; within each, by risk
    (the ranking's order). At most :data:`HEADLINE` per group."""
    out = []
    for g in ranking_groups(v, rows):
        ranked = [r for r in g["rows"] if r["rank"] is not None]
        chosen = sorted(ranked, key=lambda r: (not r["serious"], r["rank"]))[:HEADLINE]
        n_serious = sum(1 for r in chosen if r["serious"])
        out.append({**g, "rows": chosen, "n_serious": n_serious})
    return out
