"""Hypothesis strategies for whole assessments: :func:`assessments` draws the plain data of an
assessment file for a shipped method that passes every check of :mod:`nsra.io.validate` (ids
unique, references known, classes on the method's scales), with every part of the model used:
texts plain or per language, estimates as classes, ranges, class numbers, values, scale
positions and rationales, consensus, cascades with or without levels, strategies, measures with
effects and side effects, developments, capabilities and sources, a theme catalogue (or free
themes), chronic risks (no likelihood, no cascade) with a trend and a horizon, rationales,
analysts' names and source titles plain or per language.

Written forms are the ones an Excel round trip keeps (see docs/excel.md): an estimate with only
a class is written bare (``"C"``, not ``{class: C}``), a shift always as a mapping.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from nsra.engine.scales import ScaleKernel
from nsra.io.methods import load_method
from nsra.model.assessment import TRENDS
from nsra.model.method import ClassScale, Method

Data = dict[str, Any]

_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    exclude_characters="\x85\xa0\u2028\u2029\u1680\u3000",
)
PHASES = ["prevent", "prepare", "respond", "recover"]


def plain_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """A text without spaces at its ends (a cell keeps the rest: '=' first, new lines...)."""
    inner = st.text(_ALPHABET | st.just("\n"), max_size=max_size)
    return st.builds(
        lambda a, b, c: a + b + c,
        st.text(_ALPHABET.filter(str.strip), min_size=1, max_size=3),
        inner,
        st.text(_ALPHABET.filter(str.strip), max_size=2),
    ).filter(lambda t: t == t.strip())


def any_text() -> st.SearchStrategy[str | dict[str, str]]:
    """A plain text, or a text per language (en, nl, fr, nl-BE)."""
    langs = st.sampled_from(["en", "nl", "fr", "nl-BE"])
    return plain_text() | st.dictionaries(langs, plain_text(), min_size=1, max_size=3)


def _code_spec(draw: st.DrawFn, scale: ClassScale) -> Any:
    codes = scale.codes
    i = draw(st.integers(0, len(codes) - 1))
    form = draw(st.integers(0, 2))
    if form == 1 and i + 1 < len(codes):
        j = draw(st.integers(i + 1, len(codes) - 1))
        return f"{codes[i]}..{codes[j]}"
    if form == 2 and codes[i].isdigit() and str(int(codes[i])) == codes[i]:
        return int(codes[i])
    return codes[i]


@st.composite
def estimate_spec(draw: st.DrawFn, method: Method, scale: ClassScale, values: bool) -> Any:
    """An estimate on ``scale``: a class, range or class number, or a mapping with a class, a
    value in the unit (``values``) or a scale position (continuous methods), and a rationale."""
    kind = draw(st.sampled_from(["bare", "class", "value", "scale"]))
    rationale = draw(st.none() | any_text())
    bounded = [c for c in scale.classes if c.lower is not None and c.upper is not None]
    if kind == "value" and values and bounded:
        c = draw(st.sampled_from(bounded))
        assert c.lower is not None and c.upper is not None
        spec: Data = {"value": float(f"{(c.lower + c.upper) / 2:.6g}")}
    elif kind == "scale" and method.continuous:
        kernel = ScaleKernel.of(scale)
        spec = {
            "scale": draw(
                st.floats(kernel.min_position, kernel.max_position).map(lambda x: round(x, 3))
            )
        }
    else:
        code = _code_spec(draw, scale)
        if kind == "bare" or rationale is None:
            return code
        spec = {"class": code}
    if rationale is not None:
        spec["rationale"] = rationale
    return spec


def _judgement(draw: st.DrawFn, method: Method, malicious: bool, chronic: bool) -> Data:
    """An estimate or consensus (without a likelihood for a chronic risk)."""
    out: Data = {}
    if not chronic and draw(st.booleans()):
        lik = method.scale(method.likelihood.scale_for(malicious).scale)
        out["likelihood"] = draw(estimate_spec(method, lik, values=False))
    criteria = draw(
        st.lists(st.sampled_from(method.criteria), unique_by=lambda c: c.id, max_size=4)
    )
    out["impact"] = {
        c.id: draw(estimate_spec(method, method.scale(c.scale), values=True)) for c in criteria
    }
    if draw(st.booleans()):
        out["rationale"] = draw(any_text())
    return out


def _shift(draw: st.DrawFn, lowers: bool) -> Data:
    """A shift; a measure's (``lowers``) takes risk off over its whole interval."""
    if draw(st.booleans()):
        steps = draw(st.sampled_from([-1.0, -0.5] if lowers else [-1.0, -0.5, 0.5, 1.0]))
        if draw(st.booleans()):
            return {"steps": steps}
        return {
            "steps": steps,
            "low": steps - 0.5,
            "high": min(steps + 0.5, 0) if lowers else steps + 0.5,
        }
    factor = draw(st.sampled_from([0.5, 0.8] if lowers else [0.5, 0.8, 1.2, 2.0]))
    return {"factor": factor, "low": factor / 2, "high": 1.0 if lowers else factor * 2}


def _effect(draw: st.DrawFn, method: Method, scenario: str | None, lowers: bool) -> Data:
    out: Data = {}
    if scenario is not None:
        out["scenario"] = scenario
    if len(method.intensity_levels) > 0 and draw(st.booleans()):
        out["levels"] = draw(
            st.lists(
                st.sampled_from([lv.id for lv in method.intensity_levels]),
                min_size=1,
                max_size=2,
                unique=True,
            )
        )
    if draw(st.booleans()):
        out["likelihood"] = _shift(draw, lowers)
    # an id that is both a criterion and an interest cannot be shifted unambiguously
    both = {i.id for i in method.interests} & {c.id for c in method.criteria}
    interests = [i.id for i in method.interests if i.id not in both]
    criteria = [c.id for c in method.criteria if c.id not in both]
    targets = criteria if len(criteria) > 0 and draw(st.booleans()) else interests
    chosen = draw(st.lists(st.sampled_from(targets), unique=True, max_size=2)) if targets else []
    if not chosen and "likelihood" not in out:
        out["likelihood"] = _shift(draw, lowers)
    if chosen:
        out["impact"] = {t: _shift(draw, lowers) for t in chosen}
    if draw(st.booleans()):
        out["confidence"] = draw(st.sampled_from(["low", "medium", "high"]))
    if draw(st.booleans()):
        out["rationale"] = draw(any_text())
    return out


def _sources(draw: st.DrawFn) -> list[Data]:
    out = []
    for _ in range(draw(st.integers(0, 2))):
        s: Data = {"ref": draw(plain_text(20))}
        if draw(st.booleans()):
            s["title"] = draw(any_text())
        if draw(st.booleans()):
            s["url"] = "https://example.org/" + draw(st.text("abc123", min_size=1, max_size=5))
        if draw(st.booleans()):
            s["date"] = draw(st.dates().map(lambda d: d.isoformat()))
        out.append(s)
    return out


def _themes(draw: st.DrawFn) -> list[Data]:
    """A theme catalogue (none half the time): ids, names, colours, descriptions."""
    out: list[Data] = []
    for n in range(draw(st.sampled_from([0, 0, 1, 2, 3]))):
        t: Data = {"id": f"theme-{n}", "name": draw(any_text())}
        if draw(st.booleans()):
            t["colour"] = "#" + draw(st.text("0123456789abcdefABCDEF", min_size=6, max_size=6))
        if draw(st.booleans()):
            t["description"] = draw(any_text())
        out.append(t)
    return out


@st.composite
def assessments(draw: st.DrawFn, method_ids: list[str] | None = None) -> tuple[Method, Data]:
    """A method and the data of a valid assessment file for it."""
    method_id = draw(st.sampled_from(method_ids or ["be-bnra-2023", "nl-snv", "uk-nsra-2023"]))
    method = load_method(method_id)
    levels: list[str | None] = [lv.id for lv in method.intensity_levels] or [None]
    orgs = [f"org-{n}" for n in range(draw(st.integers(1, 3)))]
    analysts = [f"analyst.{n}" for n in range(draw(st.integers(1, 3)))]
    n_s = draw(st.integers(1, 4))
    ids = [f"s{n}" for n in range(n_s)]
    data: Data = {
        "title": draw(any_text()),
        "method": method_id,
        "date": draw(st.dates()).isoformat(),
        "classification": draw(plain_text(20)),
        "illustrative": draw(st.booleans()),
        "organisations": [{"id": o, "name": draw(any_text())} for o in orgs],
        "analysts": [],
        "scenarios": [],
    }
    if draw(st.booleans()):
        data["description"] = draw(any_text())
    if draw(st.booleans()):
        data["measures_basis"] = draw(st.sampled_from(["current", "inherent"]))
    for a in analysts:
        item: Data = {"id": a, "organisation": draw(st.sampled_from(orgs))}
        if draw(st.booleans()):
            item["name"] = draw(any_text())
        data["analysts"].append(item)
    themes = _themes(draw)
    if themes:
        data["themes"] = themes
    chronic = set(draw(st.lists(st.sampled_from(ids), unique=True, max_size=2)))
    for sid in ids:
        malicious = draw(st.booleans())
        sc: Data = {
            "id": sid,
            "title": draw(any_text()),
            "theme": draw(st.sampled_from([t["id"] for t in themes]) if themes else plain_text(10)),
            "domain": draw(st.sampled_from(["internal", "external", "both"])),
            "malicious": malicious,
            "owner": draw(st.sampled_from(orgs)),
        }
        if malicious and draw(st.booleans()):
            sc["actor"] = True
        if sid in chronic:
            sc["kind"] = "chronic"
            if draw(st.booleans()):
                sc["trend"] = draw(st.sampled_from(TRENDS))
            if draw(st.booleans()):
                sc["horizon"] = draw(st.integers(1900, 2300))
        elif draw(st.booleans()):
            sc["kind"] = "acute"
        if draw(st.booleans()):
            sc["description"] = draw(any_text())
        if sources := _sources(draw):
            sc["sources"] = sources
        others = [x for x in ids if x != sid]
        if len(others) > 0 and draw(st.booleans()):
            sc["reinforces"] = draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
        estimates = []
        for a in draw(st.lists(st.sampled_from(analysts), unique=True)):
            for lv in draw(st.lists(st.sampled_from(levels), unique=True, min_size=1)):
                e = {
                    "analyst": a,
                    **({"level": lv} if lv else {}),
                    **_judgement(draw, method, malicious, sid in chronic),
                }
                estimates.append(e)
        if estimates:
            sc["estimates"] = estimates
        consensus = []
        for lv in draw(st.lists(st.sampled_from(levels), unique=True, max_size=2)):
            c = {
                **({"level": lv} if lv else {}),
                **_judgement(draw, method, malicious, sid in chronic),
            }
            if draw(st.booleans()):
                c["date"] = draw(st.dates()).isoformat()
            consensus.append(c)
        if consensus:
            sc["consensus"] = consensus
        data["scenarios"].append(sc)
    events = [x for x in ids if x not in chronic]  # a cascade links events, not chronic risks
    if method.cascades is not None and len(events) > 1:
        cp = method.scale(method.cascades.scale)
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(events), st.sampled_from(events)).filter(
                    lambda p: p[0] != p[1]
                ),
                unique=True,
                max_size=3,
            )
        )
        cascades = []
        for cause, effect in pairs:
            cz: Data = {"cause": cause, "effect": effect}
            if method.intensity_levels:
                lv_ids = [lv.id for lv in method.intensity_levels]
                cz["levels"] = {
                    cl: {
                        el: draw(estimate_spec(method, cp, values=False))
                        for el in draw(st.lists(st.sampled_from(lv_ids), unique=True, min_size=1))
                    }
                    for cl in draw(st.lists(st.sampled_from(lv_ids), unique=True, min_size=1))
                }
            else:
                cz["probability"] = draw(estimate_spec(method, cp, values=False))
            if draw(st.booleans()):
                cz["rationale"] = draw(any_text())
            cascades.append(cz)
        if cascades:
            data["cascades"] = cascades
    strategies = [f"strategy-{n}" for n in range(draw(st.integers(0, 2)))]
    data["strategies"] = [
        {
            "id": s,
            "title": draw(any_text()),
            "scope": draw(st.sampled_from(["national", "international"])),
            "owner": draw(st.sampled_from(orgs)),
            **({"sources": src} if (src := _sources(draw)) else {}),
        }
        for s in strategies
    ]
    measures = []
    for n in range(draw(st.integers(0, 2)) if strategies else 0):
        covered = draw(st.lists(st.sampled_from(ids), unique=True, min_size=1))
        owners = draw(st.lists(st.sampled_from(orgs), unique=True, min_size=1))
        m: Data = {
            "id": f"measure-{n}",
            "title": draw(any_text()),
            "owners": owners,
            "strategy": draw(st.sampled_from(strategies)),
            "phase": draw(st.sampled_from(PHASES)),
            "scenarios": covered,
            "status": draw(st.sampled_from(["in_place", "planned", "proposed"])),
        }
        if draw(st.booleans()):
            m["lead"] = owners[0]
        if draw(st.booleans()):
            m["cost"] = draw(st.floats(0, 1e9).map(lambda x: round(x, 2)))
        effects = [
            _effect(draw, method, draw(st.none() | st.sampled_from(covered)), True)
            for _ in range(draw(st.integers(0, 2)))
        ]
        if effects:
            m["effects"] = effects
        uncovered = [x for x in ids if x not in covered]
        if len(uncovered) > 0 and draw(st.booleans()):
            m["side_effects"] = [
                {
                    "scenario": uncovered[0],
                    "direction": draw(st.sampled_from(["raises", "lowers"])),
                    **({"rationale": draw(any_text())} if draw(st.booleans()) else {}),
                }
            ]
        measures.append(m)
    data["measures"] = measures
    if draw(st.booleans()):
        d: Data = {
            "id": "development-0",
            "title": draw(any_text()),
            "kind": draw(st.sampled_from(["geopolitical", "technological", "climate", "other"])),
            "effects": [
                _effect(draw, method, draw(st.sampled_from(ids)), False)
                for _ in range(draw(st.integers(1, 2)))
            ],
        }
        if draw(st.booleans()):
            d["where"] = draw(any_text())
        if draw(st.booleans()):
            d["horizon"] = draw(st.integers(2000, 2100))
        if src := _sources(draw):
            d["sources"] = src
        data["developments"] = [d]
    if draw(st.booleans()):
        needs = [
            {
                "scenario": sid,
                "phases": draw(st.lists(st.sampled_from(PHASES), unique=True, min_size=1)),
                "adequacy": draw(st.sampled_from(["sufficient", "partly", "insufficient"])),
                **({"rationale": draw(any_text())} if draw(st.booleans()) else {}),
            }
            for sid in draw(st.lists(st.sampled_from(ids), unique=True))
        ]
        data["capabilities"] = [
            {
                "id": "capability-0",
                "title": draw(any_text()),
                "kind": draw(st.sampled_from(["people", "legal"])),
                "owners": [orgs[0]],
                **({"needed": needs} if needs else {}),
            }
        ]
    return method, data
