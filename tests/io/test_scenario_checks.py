"""Themes catalogue and scenario kinds (nsra.io.scenario_checks): what a file may say, and the
exact message, field and line when it says something else."""

from __future__ import annotations

from nsra.model.text import tr
from tests.helpers import NL_BASE, check_error, parse, replace_once

THEMES = """\
themes:
  - {id: water, name: {en: Water, nl: Water}, colour: "#44AA99"}
  - {id: terrorism, name: {en: Terrorism, nl: Terrorisme}}
scenarios:
"""


def _with_themes(text: str = NL_BASE) -> str:
    return replace_once(text, "scenarios:\n", THEMES)


def test_without_a_catalogue_a_theme_is_free_text() -> None:
    a = parse(NL_BASE).assessment
    assert a.themes == []
    assert a.theme_name("water", "nl") == "water"


def test_a_catalogue_names_the_themes_in_each_language() -> None:
    a = parse(_with_themes()).assessment
    assert [t.id for t in a.themes] == ["water", "terrorism"]
    assert a.theme_name("terrorism", "nl") == "Terrorisme"
    assert a.theme_name("terrorism", "en") == "Terrorism"
    assert a.theme("water") is not None and a.theme("water").colour == "#44AA99"  # type: ignore[union-attr]


def test_an_unknown_theme_id_names_the_allowed_ids() -> None:
    text = replace_once(_with_themes(), "theme: terrorism", "theme: terror  # MARK")
    p = check_error(
        text, "unknown theme 'terror'; the file's themes are: water, terrorism", "MARK", exact=True
    )
    assert p.path == ("scenarios", 1, "theme")


def test_a_theme_id_used_twice_is_refused() -> None:
    text = replace_once(
        _with_themes(), "  - {id: terrorism, name:", "  - {id: water, name:"
    ).replace("theme: terrorism", "theme: water")
    p = check_error(
        text,
        "the theme id 'water' is used twice (also at entry 1); ids must be unique",
        "{id: water, name: {en: Terrorism",
        exact=True,
    )
    assert p.path == ("themes", 1, "id")


CHRONIC = """\
  - id: ageing
    title: {en: Ageing, nl: Vergrijzing}
    theme: water
    kind: chronic
    trend: rising
    horizon: 2040
    domain: internal
    malicious: false
    owner: jenv
    estimates:
      - analyst: a1
        impact:
          "2.2": C
cascades:
"""


def _with_chronic(text: str = NL_BASE) -> str:
    return replace_once(text, "cascades:\n", CHRONIC)


def test_a_chronic_risk_is_read_with_its_trend_and_horizon_and_no_warning() -> None:
    loaded = parse(_with_chronic())
    sc = loaded.assessment.scenarios[-1]
    assert (sc.kind, sc.trend, sc.horizon) == ("chronic", "rising", 2040)
    assert loaded.assessment.scenarios[0].kind == "acute"
    # no "no likelihood estimate" warning for a chronic risk
    assert not [w for w in loaded.warnings if "likelihood" in w.message]


def test_a_chronic_risk_with_a_likelihood_is_refused() -> None:
    text = replace_once(
        _with_chronic(),
        '      - analyst: a1\n        impact:\n          "2.2": C\n',
        '      - analyst: a1\n        likelihood: C  # MARK\n        impact:\n          "2.2": C\n',
    )
    p = check_error(
        text,
        "a chronic risk has no likelihood: remove it, and describe how the risk develops with "
        "'trend' and 'horizon'",
        "MARK",
        exact=True,
    )
    assert p.path == ("scenarios", 2, "estimates", 0, "likelihood")


def test_a_trend_on_an_acute_risk_is_refused() -> None:
    text = replace_once(
        NL_BASE, "    theme: terrorism\n", "    theme: terrorism\n    trend: rising  # MARK\n"
    )
    p = check_error(
        text,
        "trend is for chronic risks only; add 'kind: chronic' or remove 'trend'",
        "MARK",
        exact=True,
    )
    assert p.path == ("scenarios", 1, "trend")


def test_a_chronic_risk_cannot_be_in_a_cascade() -> None:
    text = _with_chronic() + "  - cause: ageing  # MARK\n    effect: attack\n    probability: B\n"
    p = check_error(
        text,
        "scenario 'ageing' is a chronic risk: it cannot be the cause of a cascade (a cascade "
        "links events); use 'reinforces' instead",
        "MARK",
        exact=True,
    )
    assert p.path == ("cascades", 1, "cause")


def test_an_unknown_kind_is_refused() -> None:
    text = replace_once(_with_chronic(), "    kind: chronic\n", "    kind: slow  # MARK\n")
    text = replace_once(text, "    trend: rising\n    horizon: 2040\n", "")
    p = check_error(text, "found slow; allowed: acute or chronic", "MARK")
    assert p.path == ("scenarios", 2, "kind")


def test_free_texts_may_be_given_per_language() -> None:
    text = replace_once(
        NL_BASE,
        "        likelihood: D\n",
        "        likelihood: {class: D, rationale:"
        ' {en: "Intent is clear.", nl: "De intentie is duidelijk."}}\n',
    )
    text = replace_once(
        text,
        "  - id: a1\n    organisation: jenv\n",
        '  - id: a1\n    name: {en: "Analyst, police", nl: "Analist, politie"}\n'
        "    organisation: jenv\n",
    )
    a = parse(text).assessment
    spec = a.scenarios[1].estimates[0].likelihood
    assert isinstance(spec, dict)
    assert tr(spec["rationale"], "nl") == "De intentie is duidelijk."
    assert tr(a.analysts[0].name, "en") == "Analyst, police"


def test_a_bad_language_code_in_a_rationale_is_refused_where_it_is() -> None:
    text = replace_once(
        NL_BASE,
        "        likelihood: D\n",
        '        likelihood: {class: D, rationale: {english: "Intent is clear."}}  # MARK\n',
    )
    p = check_error(
        text,
        "the rationale must be text, or a text per language such as {en: ..., nl: ...}",
        "MARK",
        exact=True,
    )
    assert p.path == ("scenarios", 1, "estimates", 0, "likelihood", "rationale")


def test_a_bad_language_code_in_an_analyst_name_is_refused() -> None:
    text = replace_once(
        NL_BASE,
        "  - id: a1\n    organisation: jenv\n",
        "  - id: a1\n    name: {EN: Analyst}  # MARK\n    organisation: jenv\n",
    )
    check_error(
        text,
        "not a language code: 'EN'; use a two-letter code such as en, nl, fr or de "
        "(optionally with a region: nl-BE)",
        "MARK",
    )
