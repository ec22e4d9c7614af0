"""What a scenario's sensitivity says in words (nsra.io.sensitivity_section.reading), in every
language of nsra's words: the one wording behind the JSON summary and the report's cards."""

from __future__ import annotations

from nsra.io.contract import MorrisGroup, SensitivityScenario, SobolIndex, SobolOutput
from nsra.io.methods import load_method
from nsra.io.sensitivity_section import FLOOR, TOP, reading

UK = load_method("uk-nsra-2023")
TITLES = {"flood": "Coastal flood", "cyber": "Cyber attack"}


def _index(name: str, st: float | None) -> SobolIndex:
    return {"input": name, "S1": st, "S1_conf": 0.0, "ST": st, "ST_conf": 0.0}


def _group(group: str, mu: float | None) -> MorrisGroup:
    return {"group": group, "mu_star": mu, "mu_star_conf": 0.0, "sigma": 0.0}


def _entry(
    risk: list[SobolIndex] | None,
    variance: float | None = 1.0,
    morris: list[MorrisGroup] | None = None,
) -> SensitivityScenario:
    impact: SobolOutput = {"variance": 1.0, "indices": [_index("weight security", 0.5)]}
    sobol: dict[str, SobolOutput] = {"impact": impact}
    if risk is not None:
        sobol["risk"] = {"variance": variance, "indices": risk}
    return {
        "id": "flood",
        "level": 0,
        "inputs": [],
        "fixed": [],
        "sobol": sobol,
        "morris_rank": morris or [],
        "summary": "",
    }


def test_leading_inputs_are_those_at_least_half_as_important_as_the_first() -> None:
    entry = _entry([
        _index("weight security", 0.2),
        _index("likelihood", 0.7),
        _index("score security", 0.36),
        _index("score economic", 0.34),  # below half of 0.7: not named
    ])  # fmt: skip
    said = reading(entry, UK, TITLES, "en")
    assert said.output == "risk" and said.driver == "likelihood"
    assert [name for name, _ in said.shown] == [
        "likelihood", "score security", "score economic", "weight security"
    ]  # fmt: skip
    assert said.position == (
        "Its risk depends most on the likelihood estimate and the estimate of security."
    )


def test_inputs_below_the_floor_are_not_shown_and_at_most_top() -> None:
    many = [_index(f"score {c.id}", 0.9 - 0.1 * n) for n, c in enumerate(UK.criteria)]
    said = reading(_entry([*many, _index("likelihood", FLOOR / 2)]), UK, TITLES, "en")
    assert len(said.shown) == TOP
    assert all(st >= FLOOR for _, st in said.shown)
    assert [st for _, st in said.shown] == sorted((st for _, st in said.shown), reverse=True)


def test_without_risk_variance_it_speaks_of_impact() -> None:
    said = reading(_entry([_index("likelihood", 1.0)], variance=None), UK, TITLES, "en")
    assert said.output == "impact"
    assert said.position == "Its impact depends most on the weight of security."
    assert said.driver == "weight"


def test_no_estimates_and_no_change() -> None:
    none = _entry(None)
    none["sobol"] = {}
    assert reading(none, UK, TITLES, "en").position.startswith("Cannot be analysed")
    still = reading(_entry([_index("likelihood", 0.0)], variance=0.0), UK, TITLES, "en")
    assert still.position == (
        "Its risk does not change within the ranges of the estimates and the weights."
    )
    assert still.driver is None


def test_what_moves_the_rank_names_scenarios_by_title_and_weights_by_criterion() -> None:
    morris = [
        _group("scenario cyber", 0.4),
        _group("weight economic", 0.0),  # does not move it
        _group("scenario flood", 0.9),
        _group("weight security", 0.2),
    ]
    said = reading(_entry([_index("likelihood", 1.0)], morris=morris), UK, TITLES, "en")
    assert said.rank == (
        "Its place in the ranking moves most with its own estimates, the estimates of "
        "“Cyber attack” and the weight of security."
    )
    fixed = reading(_entry([_index("likelihood", 1.0)]), UK, TITLES, "en")
    assert fixed.rank == "Its place in the ranking does not change within these ranges."
    assert fixed.text == f"{fixed.position} {fixed.rank}"


def test_the_same_reading_in_dutch() -> None:
    morris = [_group("scenario flood", 0.9), _group("weight security", 0.2)]
    entry = _entry([_index("likelihood", 0.8), _index("score security", 0.5)], morris=morris)
    said = reading(entry, UK, TITLES, "nl")
    assert said.position == (
        "Het risico hangt het meest af van de inschatting van de waarschijnlijkheid en de "
        "inschatting van veiligheid."
    )
    assert said.rank == (
        "Zijn plaats in de rangschikking verschuift het meest met de eigen inschattingen en "
        "het gewicht van veiligheid."
    )
