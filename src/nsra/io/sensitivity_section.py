"""The sensitivity section of ``nsra-analysis/1``, and what it says in words.

:func:`sensitivity_section` writes a :class:`nsra.analysis.sensitivity.SensitivityResult` as
JSON (NaN as null), with its options and seed. :func:`reading` turns one scenario's entry into
plain-language sentences (what its position depends on, what moves its rank) in any language of
:mod:`nsra.i18n`; the JSON's ``summary`` is its English text, the report shows it in the
report's language. One wording, used by both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nsra import i18n
from nsra.io.contract import (
    MorrisGroup,
    SensitivityInput,
    SensitivityScenario,
    SensitivitySection,
    SobolOutput,
)
from nsra.io.jsondoc import num
from nsra.model.method import Method
from nsra.model.text import DEFAULT_LANG, Lang, tr

if TYPE_CHECKING:  # SALib and scipy.stats load only when an analysis is written
    from nsra.analysis.sensitivity import Input, SensitivityResult

TOP = 5
"""Inputs shown per scenario (bars of the report)."""

FLOOR = 0.01
"""Total Sobol index below which an input is not mentioned."""


# -- JSON --------------------------------------------------------------------------------------
def _input_doc(i: Input, discrete: bool) -> SensitivityInput:
    doc: SensitivityInput = {"name": i.name, "kind": i.kind}
    if i.kind == "weight":
        doc["raw_low"] = i.low
        doc["raw_high"] = i.high
    elif discrete:
        doc["classes"] = [int(i.low), int(i.high)]
    else:
        doc["positions"] = [i.low, i.high]
    return doc


def sensitivity_section(
    result: SensitivityResult,
    method: Method,
    titles: Mapping[str, str],
    analysed: str = "all",
) -> SensitivitySection:
    """The result as JSON-ready data with options, seed and an English summary per scenario.

    ``titles``: scenario id -> title (English), for the summaries; ``analysed``: which
    scenarios have Sobol indices (``"all"`` or ``"the N highest ranked"``).
    """
    opts = result.options
    mo = result.morris
    scenarios: list[SensitivityScenario] = []
    for sc in result.scenarios:
        sob = sc.sobol
        sobol_doc: dict[str, SobolOutput] = {
            out: {
                "variance": num(sob.variance[j]),
                "indices": [
                    {
                        "input": name,
                        "S1": num(sob.s1[j, d]),
                        "S1_conf": num(sob.s1_conf[j, d]),
                        "ST": num(sob.st[j, d]),
                        "ST_conf": num(sob.st_conf[j, d]),
                    }
                    for d, name in enumerate(sob.inputs)
                ],
            }
            for j, out in enumerate(sob.outputs)
        }
        morris_doc: list[MorrisGroup] = [
            {
                "group": mo.groups[int(gi)],
                "mu_star": num(mo.mu_star[sc.index, gi]),
                "mu_star_conf": num(mo.mu_star_conf[sc.index, gi]),
                "sigma": num(mo.sigma[sc.index, gi]),
            }
            for gi in np.argsort(-np.nan_to_num(mo.mu_star[sc.index]), kind="stable")
        ]
        entry: SensitivityScenario = {
            "id": sc.scenario,
            "level": (result.level_ids[sc.level] if sc.level < len(result.level_ids) else sc.level),
            "inputs": [_input_doc(i, result.discrete) for i in sc.inputs],
            "fixed": list(sc.fixed),
            "sobol": sobol_doc,
            "morris_rank": morris_doc,
            "summary": "",
        }
        entry["summary"] = reading(entry, method, titles, DEFAULT_LANG).text
        scenarios.append(entry)
    return {
        "analysis": "sensitivity",
        "seed": result.seed,
        "options": dataclasses.asdict(opts),
        "parameterisation": {
            "weights": "none (monetised)" if result.monetised else opts.weights,
            "estimates": "class uniform in the interval"
            if result.discrete
            else "position uniform in the interval",
        },
        "sobol": {
            "outputs": ["impact", "risk"],
            "at": "the level shown per scenario",
            "samples": opts.sobol_samples,
            "second_order": False,
        },
        "morris": {
            "output": "rank",
            "groups": list(mo.groups),
            "inputs": len(result.morris_inputs),
            "trajectories": mo.trajectories,
            "levels": mo.levels,
            "evaluations": mo.evaluations,
        },
        "scenarios": scenarios,
        "scenarios_analysed": analysed,
    }


# -- words -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InputName:
    """How an input is named: its kind (likelihood, score, weight, other), a label for a bar,
    words for a sentence, and its criterion code."""

    kind: str
    label: str
    words: str
    code: str


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def input_names(method: Method, lang: Lang) -> dict[str, InputName]:
    """Input name of the analysis ("likelihood", "score 2.1", "weight 2.1") -> its names."""
    t = i18n.t
    names = {
        "likelihood": InputName(
            "likelihood", t("sens_likelihood", lang), t("sens_likelihood_words", lang), ""
        )
    }
    for c in method.criteria:
        label = tr(c.label, lang)
        words = _lower_first(label)
        names[f"score {c.id}"] = InputName(
            "score",
            t("sens_score", lang, crit=label),
            t("sens_score_words", lang, crit=words),
            c.id,
        )
        names[f"weight {c.id}"] = InputName(
            "weight",
            t("sens_weight", lang, crit=label),
            t("sens_weight_words", lang, crit=words),
            c.id,
        )
    return names


def name_of(names: Mapping[str, InputName], name: str) -> InputName:
    """The names of an input (an unknown one is named by itself)."""
    return names.get(name, InputName("other", name, name, ""))


def group_words(method: Method, group: str, own: str, titles: Mapping[str, str], lang: Lang) -> str:
    """A Morris group in words: its own estimates, another scenario's, a criterion weight."""
    if group == f"scenario {own}":
        return i18n.t("sens_own", lang)
    if group.startswith("scenario "):
        other = group[len("scenario ") :]
        return i18n.t("sens_other", lang, title=titles.get(other, other))
    if group.startswith("weight "):
        code = group[len("weight ") :]
        crit = next((c for c in method.criteria if c.id == code), None)
        label = _lower_first(tr(crit.label, lang)) if crit else code
        return i18n.t("sens_weight_words", lang, crit=label)
    return group


@dataclass(frozen=True)
class Reading:
    """What one scenario's sensitivity says.

    ``output``: "risk", or "impact" where the likelihood is not estimated at the shown level;
    ``shown``: the inputs to show (at most :data:`TOP`, total index at least :data:`FLOOR`) with
    their total Sobol index, largest first; ``driver``: the kind of the leading input (None when
    nothing moves it); ``position`` and ``rank``: the two sentences; ``text`` both.
    """

    output: str
    shown: tuple[tuple[str, float], ...]
    driver: str | None
    position: str
    rank: str

    @property
    def text(self) -> str:
        return f"{self.position} {self.rank}"


def reading(
    entry: SensitivityScenario, method: Method, titles: Mapping[str, str], lang: Lang
) -> Reading:
    """One scenario's sensitivity in words, in ``lang``."""
    names = input_names(method, lang)
    risk = entry["sobol"].get("risk")
    out = "risk" if risk is not None and risk["variance"] is not None else "impact"
    block = entry["sobol"].get(out)
    variance = block["variance"] if block else None
    ranked = sorted(
        (
            (i["input"], st)
            for i in (block["indices"] if block else [])
            for st in [i["ST"]]
            if st is not None
        ),
        key=lambda x: -x[1],
    )
    shown = tuple((name, st) for name, st in ranked[:TOP] if st >= FLOOR)
    what = i18n.t(f"sens_what_{out}", lang)
    driver = None
    if variance is None:
        position = i18n.t("sens_none", lang)
    elif variance == 0 or not shown:
        position = i18n.t("sens_constant", lang, what=what)
    else:
        # the leading inputs: those at least half as important as the first
        lead = [name for name, st in ranked[:3] if st >= max(FLOOR, ranked[0][1] / 2)]
        words = [name_of(names, name).words for name in lead]
        position = i18n.t("sens_depends", lang, what=what, list=i18n.listing(words, lang))
        driver = name_of(names, ranked[0][0]).kind
    moving = sorted(
        (m for m in entry["morris_rank"] if (m["mu_star"] or 0.0) > 0 and m["group"]),
        key=lambda m: -(m["mu_star"] or 0.0),
    )
    if moving:
        groups = [group_words(method, m["group"], entry["id"], titles, lang) for m in moving[:3]]
        rank = i18n.t("sens_rank_moves", lang, list=i18n.listing(groups, lang))
    else:
        rank = i18n.t("sens_rank_fixed", lang)
    return Reading(out, shown, driver, position, rank)
