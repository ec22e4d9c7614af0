"""The executive summary: the report's key messages, each sentence written from the results.

Like the opening pages of the Dutch Rijksbrede Risicoanalyse, the UK National Risk Register and
the Belgian BNRA report, the summary says in plain words: how many risks were assessed (and how
many are chronic), which risk is highest and on which interest it weighs most, which risks are
serious, which of them cross the border between internal and external security (and how many
cascades do), where the analysts disagree most, what the robustness analysis says, and where the
strategy leaves gaps. Every sentence is a label of the catalogues filled with numbers and names
from the results; nothing is written for one example or one method.

Definitions the sentences rest on:

* *acute* risks are the ranked ones on the likelihood axis; *chronic* risks (``kind: chronic``)
  are counted and named apart;
* a risk *crosses the border* when its domain is ``both``; a cascade does when its cause and its
  effect have different domains;
* *disagreement* on a scenario is the widest span, in classes, between the lowest and the
  highest class the analysts gave for one quantity (its likelihood or one criterion), over the
  quantities that two or more analysts estimated; the scenario with the widest span is named
  (ties: the higher ranked, then the first in the file); a span under one class is agreement;
* *firm*, *moderate* and *uncertain* ranks are those of the robustness section
  (:func:`nsra.report.analyses.robustness_state`, on the 5-95% rank interval).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, TypedDict

from nsra import i18n
from nsra.io.contract import AnalysisDoc, ScenarioResult
from nsra.model.text import tr
from nsra.report.analyses import robustness_state
from nsra.report.view import RankingRow, View, ranked_order

MAX_NAMED = 5
"""At most this many risks are named in one sentence; the rest are counted."""


class Message(TypedDict):
    """One key message: what it is about (``key``) and the sentence."""

    key: str
    text: str


def key_messages(
    v: View,
    rows: list[RankingRow],
    coh: dict[str, Any],
    analysis: AnalysisDoc | None = None,
) -> list[Message]:
    """The summary's sentences, in order, in the report's language."""
    acute = [r for r in rows if not v.chronic(r["id"])]
    chronic = [r for r in rows if v.chronic(r["id"])]
    ranked = [r for r in ranked_order(acute) if r["rank"] is not None]
    serious = [r for r in ranked if r["serious"]]
    out: list[Message] = []

    def say(key: str, text: str) -> None:
        if text:
            out.append({"key": key, "text": text})

    say("scope", _scope(v, acute, chronic))
    if ranked:
        say("top", _top(v, ranked[0]))
        say("top_why", _top_why(v, ranked[0]))
    say("serious", _serious(v, serious))
    say("themes", _themes(v, serious, ranked))
    say("crossing", _crossing(v, serious))
    say("cascades", _cascades(v))
    say("disagreement", _disagreement(v, rows))
    if analysis is not None and analysis.get("uncertainty"):
        say("robustness", _robustness(v, ranked, analysis))
    say("gaps", _gaps(v, coh))
    return out


def _names(v: View, rows: list[RankingRow]) -> str:
    """Up to :data:`MAX_NAMED` titles as a list in words, then how many more."""
    titles = [r["title"] for r in rows[:MAX_NAMED]]
    more = len(rows) - len(titles)
    if more:
        titles.append(v.t("km_more", n=more))
    return i18n.listing(titles, v.lang)


def _scope(v: View, acute: list[RankingRow], chronic: list[RankingRow]) -> str:
    counts = Counter(r["domain"] for r in acute)
    text = v.t(
        "km_scope",
        n=len(acute),
        internal=counts["internal"],
        external=counts["external"],
        both=counts["both"],
    )
    if len(chronic) == 1:
        text += " " + v.t("km_chronic_one", names=_names(v, chronic))
    elif chronic:
        rising = sum(1 for r in chronic if v.scenarios[r["id"]].trend == "rising")
        text += " " + v.t("km_chronic", n=len(chronic), names=_names(v, chronic), rising=rising)
    return text


def _class_words(label: str, code: str) -> str:
    return f"{label} ({code})" if label and label != code else code


def _top(v: View, row: RankingRow) -> str:
    return v.t(
        "km_top",
        title=row["title"],
        likelihood=_class_words(row["lik_label"], row["lik_class"]),
        impact=_class_words(row["imp_label"], row["imp_class"]),
    )


def _entry(v: View, scenario_id: str) -> ScenarioResult:
    return v.entries[scenario_id]


def _top_why(v: View, row: RankingRow) -> str:
    """The interest that takes the largest share of the highest risk's impact."""
    per = _entry(v, row["id"])["impact"]["interests"]
    shares = [(float(x), i) for i, x in per.items() if x is not None and x > 0]
    total = sum(x for x, _ in shares)
    if not shares or total <= 0:
        return ""
    value, interest = max(shares, key=lambda p: p[0])
    label = next((tr(i.label, v.lang) for i in v.m.interests if i.id == interest), interest)
    return v.t("km_top_why", interest=label, share=i18n.percent(value / total, v.lang))


def _serious(v: View, serious: list[RankingRow]) -> str:
    if not serious:
        return v.t("km_serious_none")
    if len(serious) == 1:
        return v.t("km_serious_one", names=_names(v, serious))
    return v.t("km_serious", n=len(serious), names=_names(v, serious))


def _themes(v: View, serious: list[RankingRow], ranked: list[RankingRow]) -> str:
    """The theme (or themes, tied) that most serious risks belong to: said only when that is
    more than half of them, and at least two."""
    if len(serious) < 2 or len({r["theme"] for r in ranked}) < 2:
        return ""
    counts = Counter(r["theme"] or "" for r in serious)
    most = max(counts.values())
    if most < 2:
        return ""
    top = [theme for theme, n in counts.items() if n == most]
    if most * len(top) * 2 <= len(serious):
        return ""
    return v.t("km_themes", themes=i18n.listing(top, v.lang), k=most * len(top), n=len(serious))


def _crossing(v: View, serious: list[RankingRow]) -> str:
    if not serious:
        return ""
    both = [r for r in serious if r["domain"] == "both"]
    if not both:
        return v.t("km_crossing_none", n=len(serious))
    return v.t("km_crossing", k=len(both), n=len(serious), names=_names(v, both))


def _cascades(v: View) -> str:
    cascades = v.a.cascades
    if not cascades:
        return ""
    domain = {sc.id: sc.domain for sc in v.a.scenarios}
    crossing = sum(1 for c in cascades if domain.get(c.cause) != domain.get(c.effect))
    return v.t("km_cascades", k=crossing, n=len(cascades))


def _disagreement(v: View, rows: list[RankingRow]) -> str:
    """The scenario and quantity with the widest span between the analysts' classes."""
    order = {r["id"]: (r["rank"] is None, r["rank"] or 0, n) for n, r in enumerate(rows)}
    best: tuple[float, tuple[bool, int, int], str, str, str, str] | None = None
    for r in rows:
        spread = _entry(v, r["id"])["spread"]
        slots = [("", spread["likelihood"]), *spread["impact"].items()]
        for what, slot in slots:
            lo, hi = slot["min_position"], slot["max_position"]
            if slot["analysts"] < 2 or slot["min"] is None or slot["max"] is None:
                continue
            if lo is None or hi is None:
                continue
            span = float(hi) - float(lo)
            key = order[r["id"]]
            if best is None or span > best[0] or (span == best[0] and key < best[1]):
                best = (span, key, r["id"], what, slot["min"], slot["max"])
    if best is None:
        return ""
    span, _, sid, what, low, high = best
    if span < 1:
        return v.t("km_agreement")
    quantity = (
        v.t("km_the_likelihood") if not what else f"{what} {tr(v.m.criterion(what).label, v.lang)}"
    )
    title = next(r["title"] for r in rows if r["id"] == sid)
    return v.t("km_disagreement", title=title, what=quantity, low=low, high=high)


def _robustness(v: View, ranked: list[RankingRow], analysis: AnalysisDoc) -> str:
    u = analysis["uncertainty"]
    qs = list(u["quantiles"]) or [0.05, 0.5, 0.95]
    lo_i = min(range(len(qs)), key=lambda i: abs(qs[i] - 0.05))
    hi_i = min(range(len(qs)), key=lambda i: abs(qs[i] - 0.95))
    intervals: dict[str, tuple[float, float]] = {}
    for e in u["scenarios"]:
        if e["central_rank"] is None or len(e["rank"]) != len(qs):
            continue
        low_rank, high_rank = e["rank"][lo_i], e["rank"][hi_i]
        if low_rank is not None and high_rank is not None:
            intervals[e["id"]] = (float(low_rank), float(high_rank))
    n = len(intervals)
    if not n or not ranked or ranked[0]["id"] not in intervals:
        return ""
    states = Counter(robustness_state(a, b, n) for a, b in intervals.values())
    low, high = intervals[ranked[0]["id"]]
    text = v.t(
        "km_robust",
        samples=i18n.number(u["samples"], v.lang),
        firm=states["firm"],
        uncertain=states["uncertain"],
        n=n,
    )
    if round(low) == round(high):
        return text + " " + v.t("km_robust_top_fixed", title=ranked[0]["title"])
    return (
        text
        + " "
        + v.t("km_robust_top", title=ranked[0]["title"], low=round(low), high=round(high))
    )


def _gaps(v: View, coh: dict[str, Any]) -> str:
    if not coh["has_measures"]:
        return v.t("km_gaps_no_measures")
    gaps = [g for g in coh["gaps"] if not v.chronic(g["id"])]
    if not gaps:
        return v.t("km_gaps_none")
    if len(gaps) == 1:
        return v.t("km_gaps_one", names=_names(v, gaps))
    return v.t("km_gaps", n=len(gaps), names=_names(v, gaps))


def theme_table(v: View, rows: list[RankingRow]) -> list[dict[str, Any]]:
    """Risks grouped by theme: per theme its colour (from the catalogue, if any), how many risks,
    how many serious, how many chronic, and its highest ranked risk; themes by that rank."""
    groups: dict[str, list[RankingRow]] = {}
    for r in rows:
        groups.setdefault(r["theme"] or "", []).append(r)
    by_name = {tr(t.name, v.lang): t for t in v.a.themes}
    out = []
    for name, members in groups.items():
        ranked = ranked_order([r for r in members if r["rank"] is not None])
        theme = by_name.get(name)
        out.append(
            {
                "name": name or "–",
                "colour": theme.colour if theme is not None else None,
                "n": len(members),
                "serious": sum(1 for r in members if r["serious"]),
                "chronic": sum(1 for r in members if v.chronic(r["id"])),
                "top": ranked[0] if ranked else None,
            }
        )
    out.sort(key=_theme_order)
    return out


def _theme_order(group: dict[str, Any]) -> tuple[bool, int, str]:
    top: RankingRow | None = group["top"]
    return (top is None, (top["rank"] or 0) if top is not None else 0, str(group["name"]))
