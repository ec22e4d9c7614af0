"""The assessment file: scenarios, analysts' estimates, consensus, cascades, strategies, measures.

These models check the *shape* of a file. Whether a class exists on a criterion's scale, whether an
analyst id is known and so on depends on the method and is checked in :mod:`nsra.io.meaning`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from nsra.model.method import Identifier, Strict
from nsra.model.text import TextOrStr


def _iso_date(value: Any) -> Any:
    """Dates are written as text, 2026-11-29; a bare number is not taken for a timestamp."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a date such as 2026-11-29; found {value!r}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"expected a date such as 2026-11-29; found {value!r}") from None


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]


class EstimateDetail(Strict):
    """An estimate written out: exactly one of class, value or scale, with a rationale.

    * ``class``: a class code (``C``) or a class range (``C..D``);
    * ``value``: a number in the criterion's unit (persons, euros, km2 x years; a probability
      or a return period for likelihood; a probability for cascades);
    * ``scale``: a position on the continuous class scale (``2.5``), for continuous methods.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    class_: str | int | None = Field(default=None, alias="class")
    value: float | None = None
    scale: float | None = None
    rationale: str | None = None


EstimateSpec = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1, "description": "class (C) or range (C..D)"},
                {"type": "integer", "description": "a class code on scales with numeric codes"},
                {
                    "type": "object",
                    "properties": {
                        "class": {"type": ["string", "integer"]},
                        "value": {"type": "number"},
                        "scale": {"type": "number"},
                        "rationale": {"type": "string"},
                    },
                    "additionalProperties": False,
                },
            ]
        }
    ),
]
"""``"C"``, ``"C..D"``, a class number such as ``3`` on scales with numeric codes, or a mapping
(:class:`EstimateDetail`). Checked against the method in :mod:`nsra.io.estimates`."""


class Source(Strict):
    """A source: a parliamentary paper, a report, a web page."""

    ref: str = Field(min_length=1)
    title: str | None = None
    url: str | None = None
    date: IsoDate | None = None


class Organisation(Strict):
    """A ministry, department or agency taking part."""

    id: Identifier
    name: TextOrStr


class Analyst(Strict):
    """One analyst (or a department speaking as one)."""

    id: Identifier
    name: str | None = Field(default=None, max_length=200)
    organisation: Identifier


class ScenarioEstimate(Strict):
    """One analyst's judgement of a scenario (at one intensity level, where the method has them)."""

    analyst: Identifier
    level: Identifier | None = None
    likelihood: EstimateSpec | None = None
    impact: dict[str, EstimateSpec] = Field(default_factory=dict)
    rationale: str | None = None


class Consensus(Strict):
    """The agreed values after the analysts compared estimates. Given values win."""

    level: Identifier | None = None
    likelihood: EstimateSpec | None = None
    impact: dict[str, EstimateSpec] = Field(default_factory=dict)
    rationale: str | None = None
    date: IsoDate | None = None


Domain = Literal["internal", "external", "both"]


class Scenario(Strict):
    """One concrete threat event, the unit of assessment."""

    id: Identifier
    title: TextOrStr
    theme: str = Field(min_length=1, max_length=200)
    domain: Domain
    malicious: bool
    actor: bool = Field(
        default=False,
        description="a malicious actor (e.g. a terrorist group) whose events count in the cascade "
        "simulation only when they trigger at least one other threat",
    )
    owner: Identifier
    description: TextOrStr | None = None
    sources: list[Source] = Field(default_factory=list)
    reinforces: list[Identifier] = Field(default_factory=list)
    estimates: list[ScenarioEstimate] = Field(default_factory=list)
    consensus: list[Consensus] = Field(default_factory=list)


class Cascade(Strict):
    """Cause -> effect with a conditional probability.

    For methods without intensity levels give ``probability``; for methods with levels give
    ``levels``: cause level -> effect level -> conditional probability (missing pairs are 0).
    """

    cause: Identifier
    effect: Identifier
    probability: EstimateSpec | None = None
    levels: dict[str, dict[str, EstimateSpec]] | None = None
    rationale: str | None = None


class Strategy(Strict):
    """A set of goals and measures, national or international in scope."""

    id: Identifier
    title: TextOrStr
    scope: Literal["national", "international"]
    owner: Identifier
    description: TextOrStr | None = None
    sources: list[Source] = Field(default_factory=list)


Phase = Literal["prevent", "prepare", "respond", "recover"]


class Measure(Strict):
    """Something a ministry does or has that addresses scenarios."""

    id: Identifier
    title: TextOrStr
    owners: list[Identifier] = Field(min_length=1)
    strategy: Identifier
    phase: Phase
    scenarios: list[Identifier] = Field(min_length=1)
    description: TextOrStr | None = None


class Assessment(BaseModel):
    """A whole assessment file."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    title: TextOrStr
    method: str = Field(min_length=1, max_length=500)
    date: IsoDate
    classification: str = Field(min_length=1, max_length=120)
    description: TextOrStr | None = None
    illustrative: bool = False
    organisations: list[Organisation] = Field(default_factory=list)
    analysts: list[Analyst] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(min_length=1)
    cascades: list[Cascade] = Field(default_factory=list)
    strategies: list[Strategy] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
