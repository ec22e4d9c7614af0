"""The executive summary's key messages (nsra.report.key_messages), on an assessment built by
hand whose results are worked out here.

Method nl-snv: scores X=0, A=1, B=3, C=9, D=27, E=81, twelve criteria weighted equally (1/12
each), the total read on the impact classes through the same scores; serious: impact class C or
higher, or likelihood class + impact class >= 7; likelihood D is 5-50% over 5 years, E 50-100%
(log interpolation: the class centre is the geometric mean).

* Attack (both, malicious): likelihood E, impact 2.1 = E (81), 5.3 = D (27): total
  (81 + 27) / 12 = 9 = class C; risk = sqrt(0.5) x 9 = 6.36, rank 1; physical security has
  6.75 of 9 = 75%.
* Flood (internal): consensus likelihood D, 2.1 = E: total 81 / 12 = 6.75, between B (3) and
  C (9) at position 2 + 3.75 / 6 = 2.625, class C; risk = sqrt(0.05 x 0.5) x 6.75 = 1.07,
  rank 2. Analysts: 2.1 = E and 2.1 = B, a span of 3 classes (the widest).
* Outage (external): likelihood B, 3.1 = B (3): total 0.25, class X; not serious; rank 3.
* Ageing: chronic, 2.2 = C; no likelihood, not ranked.

Serious: Attack and Flood. Only Attack is "both". The one cascade links Flood (internal) to
Attack (both): different domains. The one measure addresses Flood: Attack is a gap.
"""

from __future__ import annotations

from nsra.engine.compute import compute
from nsra.io.validate import Loaded
from nsra.report.html import report_context
from tests.helpers import parse

HAND = """\
title: Hand-built test
method: nl-snv
date: 2026-01-15
classification: UNCLASSIFIED
organisations:
  - {id: jenv, name: Justice}
analysts:
  - {id: a1, organisation: jenv}
  - {id: a2, organisation: jenv}
themes:
  - {id: water, name: {en: Water, nl: Water}}
  - {id: terror, name: {en: Terrorism, nl: Terrorisme}, colour: "#882255"}
  - {id: tech, name: {en: Technology, nl: Technologie}}
  - {id: people, name: {en: Demography, nl: Demografie}}
strategies:
  - {id: nss, title: National strategy, scope: national, owner: jenv}
measures:
  - {id: m1, title: Dikes, owners: [jenv], strategy: nss, phase: prevent, scenarios: [flood]}
scenarios:
  - id: attack
    title: {en: Attack, nl: Aanslag}
    theme: terror
    domain: both
    malicious: true
    owner: jenv
    estimates:
      - {analyst: a1, likelihood: E, impact: {"2.1": E, "5.3": D}}
  - id: flood
    title: {en: Flood, nl: Overstroming}
    theme: water
    domain: internal
    malicious: false
    owner: jenv
    estimates:
      - {analyst: a1, likelihood: D, impact: {"2.1": E}}
      - {analyst: a2, likelihood: D, impact: {"2.1": B}}
    consensus:
      - {likelihood: D, impact: {"2.1": E}}
  - id: outage
    title: {en: Outage, nl: Storing}
    theme: tech
    domain: external
    malicious: false
    owner: jenv
    estimates:
      - {analyst: a1, likelihood: B, impact: {"3.1": B}}
  - id: ageing
    title: {en: Ageing, nl: Vergrijzing}
    theme: people
    kind: chronic
    trend: rising
    horizon: 2040
    domain: internal
    malicious: false
    owner: jenv
    estimates:
      - {analyst: a1, impact: {"2.2": C}}
cascades:
  - {cause: flood, effect: attack, probability: B}
"""


def _context(lang: str, text: str = HAND) -> dict:  # type: ignore[type-arg]
    loaded: Loaded = parse(text)
    return report_context(loaded, compute(loaded.inputs, loaded.method), lang)


def test_the_results_are_the_ones_worked_out_by_hand() -> None:
    ctx = _context("en")
    ranks = {r["id"]: r["rank"] for r in ctx["rows"]}
    assert ranks == {"attack": 1, "flood": 2, "outage": 3}  # ageing: its own section
    classes = {r["id"]: (r["lik_class"], r["imp_class"], r["serious"]) for r in ctx["rows"]}
    assert classes == {
        "attack": ("E", "C", True),
        "flood": ("D", "C", True),
        "outage": ("B", "X", False),
    }
    assert ctx["rows"][0]["risk"] == "6.36"


def test_key_messages_in_english() -> None:
    assert [m["text"] for m in _context("en")["key_messages"]] == [
        "This assessment ranks 3 risks: 1 internal, 1 external and 1 both internal and external. "
        "One chronic risk is assessed apart, on its impact over time rather than on a likelihood: "
        "Ageing.",
        "The highest risk is Attack: its likelihood is very likely (E) and its impact serious (C).",
        "Its impact falls mostly on Physical security (75% of its total impact).",
        "2 risks are serious: Attack and Flood.",
        "Serious risks that cross the border between internal and external security: 1 of 2 "
        "(Attack).",
        "Cascades between risks of different domains (internal, external or both), where one "
        "threat can set off another across that border: 1 of 1.",
        "Analysts disagree most on Flood: their estimates of 2.1 Fatalities run from class B to "
        "class E.",
        "One serious risk is addressed by no measure of any strategy: Attack.",
    ]


def test_key_messages_in_dutch() -> None:
    texts = {m["key"]: m["text"] for m in _context("nl")["key_messages"]}
    assert texts["top"] == (
        "Het hoogste risico is Aanslag: de waarschijnlijkheid is zeer waarschijnlijk (E) en de "
        "impact ernstig (C)."
    )
    assert texts["serious"] == "2 risico's zijn ernstig: Aanslag en Overstroming."
    assert texts["gaps"] == (
        "Eén ernstig risico wordt door geen enkele maatregel van een strategie aangepakt: Aanslag."
    )


def test_no_measures_and_no_serious_risk_are_said_so() -> None:
    text = (
        HAND.replace('"2.1": E, "5.3": D', '"2.2": A')
        .replace(
            'likelihood: D, impact: {"2.1": E}}\n      - {analyst: a2',
            'likelihood: D, impact: {"2.1": A}}\n      - {analyst: a2',
        )
        .replace('{likelihood: D, impact: {"2.1": E}}', '{likelihood: D, impact: {"2.1": A}}')
    )
    text = text.replace(
        "strategies:\n  - {id: nss, title: National strategy, scope: national, owner: jenv}\n"
        "measures:\n  - {id: m1, title: Dikes, owners: [jenv], strategy: nss, phase: prevent, "
        "scenarios: [flood]}\n",
        "",
    )
    texts = {m["key"]: m["text"] for m in _context("en", text)["key_messages"]}
    assert texts["serious"] == "No risk is serious by the method's rule."
    assert "crossing" not in texts
    assert texts["gaps"] == (
        "The file records no strategies or measures, so gaps in the strategy cannot be shown."
    )


def test_themes_table_groups_by_theme_with_its_colour() -> None:
    themes = _context("nl")["themes"]
    assert [(g["name"], g["n"], g["serious"], g["chronic"], g["colour"]) for g in themes] == [
        ("Terrorisme", 1, 1, 0, "#882255"),
        ("Water", 1, 1, 0, None),
        ("Technologie", 1, 0, 0, None),
        ("Demografie", 1, 0, 1, None),
    ]
    assert [g["top"]["rank"] if g["top"] else None for g in themes] == [1, 2, 3, None]


def test_the_theme_of_most_serious_risks_is_named_only_when_it_is_most() -> None:
    both_terror = HAND.replace("    theme: water\n", "    theme: terror\n")
    texts = {m["key"]: m["text"] for m in _context("en", both_terror)["key_messages"]}
    assert texts["themes"] == "Serious risks by theme: most belong to Terrorism (2 of 2)."
    # one serious risk per theme: no theme holds most of them
    assert "themes" not in {m["key"] for m in _context("en")["key_messages"]}
