"""How the risks were assessed (a short method section for the reader) and the methodological
annex (what a method designer needs): everything read from the method's data.

The body says in plain words what was scored and how it adds up, with units: the interests, the
criteria and their units, the likelihood classes and their period, how the total impact is formed
and in which unit it is written, and what makes a risk serious. The annex, at the end of the
report, lists the details: every criterion with its classes and class bounds in its unit, the
likelihood and cascade classes, the conversion of classes into numbers (or euros) in words, the
weight profiles, the classes of the total impact, the rule for serious risks, and the method's
notes for designers. Nothing here names a method: a new method file gets its annex unchanged.
"""

from __future__ import annotations

from typing import Any

from nsra import i18n
from nsra.model.method import ClassScale, Method, WeightProfile
from nsra.model.text import tr
from nsra.report.view import View, short_unit


def _number(x: float, lang: str) -> str:
    return i18n.number(x, lang, 0) if float(x).is_integer() else i18n.plain(x, lang)


def bound_text(v: View, scale: ClassScale, value: float, probability: bool) -> str:
    """A class bound as a number: a percentage for probabilities, euros for money."""
    if probability:
        return i18n.percent(value, v.lang)
    if _unit(v, scale) in ("EUR", "€"):
        return i18n.euros(value, v.lang)
    return _number(value, v.lang)


def _unit(v: View, scale: ClassScale) -> str:
    return short_unit(tr(scale.unit, v.lang)) if scale.unit else ""


def bounds_text(
    v: View, scale: ClassScale, lower: float | None, upper: float | None, probability: bool = False
) -> str:
    """A class's bounds with the unit once: "10 – 100 persons", "> 10,000 persons",
    "€ 50 mln – € 500 mln"; empty when the class has none."""
    if lower is None and upper is None:
        return ""
    unit = _unit(v, scale)
    tail = "" if probability or unit in ("EUR", "€") or not unit else f" {unit}"
    if upper is None:
        return f"> {bound_text(v, scale, float(lower or 0), probability)}{tail}"
    if lower is None:
        return f"< {bound_text(v, scale, upper, probability)}{tail}"
    if lower == upper:
        return f"{bound_text(v, scale, lower, probability)}{tail}"
    low, high = bound_text(v, scale, lower, probability), bound_text(v, scale, upper, probability)
    return f"{low} – {high}{tail}"


def _classes(v: View, scale: ClassScale, probability: bool = False) -> list[dict[str, str]]:
    return [
        {
            "code": c.code,
            "label": tr(c.label, v.lang) if c.label else "",
            "description": tr(c.description, v.lang) if c.description else "",
            "bounds": bounds_text(v, scale, c.lower, c.upper, probability),
        }
        for c in scale.classes
    ]


def _weights(v: View, m: Method, profile: WeightProfile) -> str:
    total = sum(profile.weights.values())
    parts = [
        f"{cid} {i18n.percent(w / total, v.lang)}"
        for cid, w in profile.weights.items()
        if w > 0 and total > 0
    ]
    return "; ".join(parts)


def _aggregation(v: View, m: Method) -> list[str]:
    """The aggregation in words, one paragraph a line."""
    agg = m.aggregation
    total_scale = m.scale(agg.total_scale)
    if agg.kind == "monetised" and agg.monetisation is not None:
        f = agg.monetisation
        lines = [
            v.t(
                "mx_agg_monetised",
                factor=i18n.euros(f.factor, v.lang),
                base=_number(f.base, v.lang),
            )
        ]
        if f.threshold is not None:
            lines.append(
                v.t(
                    "mx_agg_threshold",
                    threshold=_number(f.threshold, v.lang),
                    value=i18n.euros(f.threshold_value, v.lang),
                )
            )
        per = [
            f"{c.id} {tr(c.label, v.lang)}: "
            + v.t(
                "mx_eur_per_unit",
                eur=i18n.euros(c.eur_per_unit, v.lang),
                unit=short_unit(tr(m.scale(c.scale).unit, v.lang)),
            )
            for c in m.criteria
            if c.eur_per_unit is not None and m.scale(c.scale).unit is not None
        ]
        if per:
            lines.append(v.t("mx_eur_per_unit_intro") + " " + "; ".join(per) + ".")
        lines.append(v.t("mx_agg_total_eur"))
        return lines
    scores = agg.scores or []
    first = m.criteria[0]
    codes = m.scale(first.scale).codes
    pairs = ", ".join(
        f"{code} = {_number(x, v.lang)}" for code, x in zip(codes, scores, strict=False)
    )
    key = "mx_agg_weighted_average" if agg.kind == "weighted_average" else "mx_agg_weighted_sum"
    lines = [
        v.t("mx_agg_scores", pairs=pairs),
        v.t(
            key,
            low=_number(min(scores), v.lang) if scores else "0",
            high=_number(max(scores), v.lang) if scores else "0",
        ),
    ]
    if total_scale.quantitative is False:
        lines.append(v.t("mx_agg_total_classes", scale=tr(total_scale.label, v.lang) or ""))
    return lines


def _serious_rule(v: View, m: Method) -> str:
    d = m.diagram
    scale = m.scale(d.impact_classes)
    code = scale.code_of(d.serious_from)
    label = v.class_label(scale.id, code)
    text = v.t("mx_serious_from", code=code, label=label)
    if d.serious_sum_from is not None:
        text += " " + v.t("mx_serious_sum", n=d.serious_sum_from)
    return text


def method_section(v: View) -> dict[str, Any]:
    """The short, reader-facing account of the method (units everywhere, no file syntax)."""
    m = v.m
    interests = [tr(i.label, v.lang) for i in m.interests]
    criteria = []
    for c in m.criteria:
        scale = m.scale(c.scale)
        unit = tr(scale.unit, v.lang) if scale.unit else ""
        criteria.append(
            {
                "code": c.id,
                "label": tr(c.label, v.lang),
                "unit": unit if scale.quantitative else (unit or v.t("mx_qualitative")),
            }
        )
    lik = []
    for ls in m.likelihood.scales:
        scale = m.scale(ls.scale)
        lik.append(
            {
                "label": tr(scale.label, v.lang) if scale.label else ls.scale,
                "applies": v.t(f"mx_applies_{ls.applies_to}"),
                "unit": tr(ls.value_unit or scale.unit, v.lang)
                if (ls.value_unit or scale.unit)
                else "",
                "classes": i18n.listing([_class_words(c) for c in _classes(v, scale)], v.lang),
            }
        )
    unit = tr(m.aggregation.total_unit, v.lang) if m.aggregation.total_unit else ""
    if m.aggregation.kind == "monetised":
        total = v.t("mx_total_eur", unit=unit or "EUR")
    else:
        scores = m.aggregation.scores or [0.0]
        total = v.t(
            "mx_total_score",
            low=_number(min(scores), v.lang),
            high=_number(max(scores), v.lang),
        )
    return {
        "text": v.t(
            "mx_intro",
            n_interests=len(interests),
            interests=i18n.listing(interests, v.lang),
            n_criteria=len(m.criteria),
        ),
        "criteria": criteria,
        "likelihood": lik,
        "period": v.period(),
        "total": total,
        "serious": _serious_rule(v, m),
        "levels": i18n.listing([tr(lv.label, v.lang) for lv in m.intensity_levels], v.lang),
    }


def _class_words(c: dict[str, str]) -> str:
    return f"{c['code']} {c['label']}".strip() if c["label"] != c["code"] else c["code"]


def annex_section(v: View) -> dict[str, Any]:
    """The methodological annex: scales, bounds, conversions, profiles, thresholds."""
    m = v.m
    interests = {i.id: tr(i.label, v.lang) for i in m.interests}
    criteria = []
    for c in m.criteria:
        scale = m.scale(c.scale)
        criteria.append(
            {
                "code": c.id,
                "label": tr(c.label, v.lang),
                "interest": interests.get(c.interest, c.interest),
                "unit": tr(scale.unit, v.lang) if scale.unit else "",
                "classes": _classes(v, scale),
                "illustrative": c.illustrative,
            }
        )
    likelihood = []
    for ls in m.likelihood.scales:
        scale = m.scale(ls.scale)
        probability = ls.quantity == "probability"
        likelihood.append(
            {
                "label": tr(scale.label, v.lang) if scale.label else ls.scale,
                "applies": v.t(f"mx_applies_{ls.applies_to}"),
                "quantity": v.t(
                    "mx_quantity_probability",
                    period=i18n.period(ls.period_months or v.time_basis, v.lang),
                )
                if probability
                else v.t("mx_quantity_return_period"),
                "classes": _classes(v, scale, probability=probability),
            }
        )
    cascade = None
    if m.cascades is not None:
        scale = m.scale(m.cascades.scale)
        cascade = {
            "label": tr(scale.label, v.lang) if scale.label else scale.id,
            "classes": _classes(v, scale, probability=True),
            "in_risk": v.t("mx_cascades_in_risk")
            if m.cascades.include_in_risk
            else v.t("mx_cascades_not_in_risk"),
        }
    total_scale = m.scale(m.aggregation.total_scale)
    profiles = [
        {
            "label": tr(p.label, v.lang),
            "description": tr(p.description, v.lang) if p.description else "",
            "weights": _weights(v, m, p),
            "default": p.id == (m.aggregation.default_profile or m.profiles[0].id),
        }
        for p in m.profiles
    ]
    return {
        "method": tr(m.name, v.lang),
        "version": tr(m.version_label, v.lang) if m.version_label else m.version,
        "description": tr(m.description, v.lang) if m.description else "",
        "source": tr(m.source, v.lang) if m.source else "",
        "criteria": criteria,
        "likelihood": likelihood,
        "time_basis": v.t("mx_time_basis", period=v.period()),
        "aggregation": _aggregation(v, m),
        "total": {
            "label": tr(total_scale.label, v.lang) if total_scale.label else total_scale.id,
            "classes": _classes(v, total_scale),
        },
        "profiles": profiles,
        "serious": _serious_rule(v, m),
        "levels": [tr(lv.label, v.lang) for lv in m.intensity_levels],
        "level_risk": v.t(f"how_{m.level_risk}") if m.intensity_levels else "",
        "cascade": cascade,
        "illustrative": tr(m.illustrative, v.lang) if m.illustrative else "",
        "designer_notes": tr(m.designer_notes, v.lang) if m.designer_notes else "",
    }
