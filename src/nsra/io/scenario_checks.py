"""Checks of the theme catalogue and of the scenario kinds (acute or chronic).

* **Themes.** Without a ``themes:`` catalogue a scenario's ``theme`` is free text, as it always
  was. With a catalogue, ``theme`` names a theme of the catalogue by id; an unknown id is an error
  that lists the allowed ids.
* **Chronic risks** (``kind: chronic``) are slow-onset or long-term risks (climate change,
  demographic shifts): they are assessed on their impact, with a ``trend`` and a ``horizon``
  (a year), and have no likelihood. A likelihood in their estimates or consensus is an error (it
  would place them on the likelihood axis of the risk diagram), and so is a cascade from or to one
  (the cascade simulation draws events per day; a chronic risk is no event). They may reinforce
  other scenarios. ``trend`` and ``horizon`` belong to chronic risks only.

Like :mod:`nsra.io.meaning`, the checks walk the plain data, so they run even when the file has
problems of shape too.
"""

from __future__ import annotations

from typing import Any

from nsra.io.problems import Path, Problem
from nsra.io.references import ids, items


def chronic_ids(data: Any) -> set[str]:
    """The ids of the scenarios written ``kind: chronic``."""
    return {
        sc["id"]
        for sc in items(data, "scenarios")
        if isinstance(sc, dict) and sc.get("kind") == "chronic" and isinstance(sc.get("id"), str)
    }


def check_scenarios(data: Any, problems: list[Problem]) -> None:
    """Themes against the catalogue; what chronic risks may not have."""
    catalogue = ids(items(data, "themes"), ("themes",), "theme", problems)
    chronic = chronic_ids(data)
    for s, sc in enumerate(items(data, "scenarios")):
        if not isinstance(sc, dict):
            continue
        base: Path = ("scenarios", s)
        if catalogue:
            _theme(sc.get("theme"), catalogue, (*base, "theme"), problems)
        if sc.get("kind") == "chronic":
            _no_likelihood(sc, base, problems)
        else:
            for key in ("trend", "horizon"):
                if sc.get(key) is not None:
                    problems.append(
                        Problem(
                            f"{key} is for chronic risks only; add 'kind: chronic' or remove "
                            f"'{key}'",
                            (*base, key),
                        )
                    )
    for c, cz in enumerate(items(data, "cascades")):
        if not isinstance(cz, dict):
            continue
        for end in ("cause", "effect"):
            if isinstance(cz.get(end), str) and cz[end] in chronic:
                problems.append(
                    Problem(
                        f"scenario {cz[end]!r} is a chronic risk: it cannot be the {end} of a "
                        "cascade (a cascade links events); use 'reinforces' instead",
                        ("cascades", c, end),
                    )
                )


def _theme(value: Any, catalogue: dict[str, int], path: Path, problems: list[Problem]) -> None:
    if isinstance(value, str) and value not in catalogue:
        problems.append(
            Problem(
                f"unknown theme {value!r}; the file's themes are: {', '.join(catalogue)}",
                path,
            )
        )


def _no_likelihood(sc: dict[str, Any], base: Path, problems: list[Problem]) -> None:
    for part in ("estimates", "consensus"):
        for e, entry in enumerate(items(sc, part)):
            if isinstance(entry, dict) and entry.get("likelihood") is not None:
                problems.append(
                    Problem(
                        "a chronic risk has no likelihood: remove it, and describe how the risk "
                        "develops with 'trend' and 'horizon'",
                        (*base, part, e, "likelihood"),
                    )
                )
