"""The workbook's layout: its sheets and their columns, in ONE table that the template, the
export and the import all read, so that they cannot drift apart.

A sheet is either a *record* (field names in column A, values in column B: the ``About`` sheet)
or a *table* (a header row, then one row per item). A column has a header (the field's name in
the assessment file, in English), a kind that says how a cell is written and read, and a width.

Texts that may be given per language (:data:`nsra.model.text.TextOrStr`) are *multilingual*
columns: ``title`` holds one text for every language, ``title (en)``, ``title (nl)``, ...
hold it per language (a column for any language code may be added by hand). To make another
field multilingual (or add a field) change its :class:`Column` here; the template, the export
and the import follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, get_args

from nsra.model.assessment import TRENDS, ScenarioKind

Kind = Literal[
    "id",  # an identifier: trailing spaces dropped, a number read as its digits
    "ids",  # identifiers separated by commas
    "text",  # a free text, kept as written
    "choice",  # one of ``choices``
    "bool",  # yes/no (also true/false, ja/nee, oui/non, 1/0 and Excel's TRUE/FALSE)
    "number",  # a number (a number stored as text is read too)
    "int",  # a whole number
    "date",  # a date (an Excel date, or text such as 2026-11-29)
    "class",  # a class code on the row's scale (a number stays a number)
    "info",  # written for the reader (units, class bounds), never read
]


@dataclass(frozen=True)
class Column:
    """One column: its header, how its cells are written and read, and its width."""

    key: str
    kind: Kind
    width: int = 14
    required: bool = False
    multilingual: bool = False
    group: bool = False
    """Belongs to the group of rows (one estimate, one effect), not to the row: the rows of a
    group give it once or agree."""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name, whether a record or a table, its columns."""

    name: str
    columns: tuple[Column, ...]
    record: bool = False
    help_key: str = ""

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def data_columns(self) -> tuple[Column, ...]:
        """The columns that are read back (all but the ``info`` ones)."""
        return tuple(c for c in self.columns if c.kind != "info")


FORMAT = "nsra-excel-1"
"""The workbook format written into ``About``; the import refuses another one."""

YES, NO = "yes", "no"
TRUE_WORDS = frozenset({"yes", "true", "ja", "waar", "oui", "vrai", "1", "y", "j"})
FALSE_WORDS = frozenset({"no", "false", "nee", "onwaar", "non", "faux", "0", "n"})

LIKELIHOOD = "likelihood"
"""The ``estimate of`` item of the likelihood; ``likelihood 2050`` is the likelihood at the
method's horizon ``2050``."""


def horizon_item(horizon: str) -> str:
    """The ``estimate of`` item of the likelihood at ``horizon`` (``likelihood 2050``)."""
    return f"{LIKELIHOOD} {horizon}"


def horizon_of(item: str) -> str | None:
    """The horizon of a ``likelihood 2050`` item; None for any other item."""
    head, _, rest = item.partition(" ")
    return rest.strip() or None if head == LIKELIHOOD else None


"""What the ``estimate of`` and ``shift of`` columns say for the likelihood (else an id)."""

DOMAINS = ("internal", "external", "both")
SCOPES = ("national", "international")
PHASES = ("prevent", "prepare", "respond", "recover")
STATUSES = ("in_place", "planned", "proposed")
CONFIDENCES = ("low", "medium", "high")
SCENARIO_KINDS: tuple[str, ...] = get_args(ScenarioKind)
DEV_KINDS = ("geopolitical", "technological", "economic", "climate", "societal", "health", "other")
CAP_KINDS = ("people", "materiel", "knowledge", "procedures", "legal", "partnerships")
ADEQUACIES = ("sufficient", "partly", "insufficient")
SOURCE_OWNERS = ("scenario", "strategy", "development")
EFFECT_OWNERS = ("measure", "development")


def _spec_columns(group_rationale: str) -> tuple[Column, ...]:
    """The columns of one estimate (class, range, value, scale, rationale) and its group's
    rationale: shared by estimates, consensus and cascades."""
    return (
        Column("class", "class", 9),
        Column("up to class", "class", 11),
        Column("value", "number", 12),
        Column("scale", "number", 8),
        Column("rationale", "text", 40, multilingual=True),
        Column(group_rationale, "text", 40, multilingual=True, group=True),
    )


_INFO = (
    Column("about", "info", 36),  # what the row estimates, and its unit
    Column("classes", "info", 60),
)

ABOUT = Sheet(
    "About",
    (
        Column("format", "id", required=True),
        Column("method", "id", required=True),
        Column("method version", "id"),
        Column("title", "text", required=True, multilingual=True),
        Column("date", "date", required=True),
        Column("classification", "text", required=True),
        Column("description", "text", multilingual=True),
        Column("illustrative", "bool"),
        Column("measures basis", "choice", choices=("current", "inherent")),
    ),
    record=True,
    help_key="xl_help_about",
)
ORGANISATIONS = Sheet(
    "Organisations",
    (Column("id", "id", 24, required=True), Column("name", "text", 40, multilingual=True)),
    help_key="xl_help_organisations",
)
ANALYSTS = Sheet(
    "Analysts",
    (
        Column("id", "id", 24, required=True),
        Column("name", "text", 36, multilingual=True),
        Column("organisation", "id", 24, required=True),
    ),
    help_key="xl_help_analysts",
)
THEMES = Sheet(
    "Themes",
    (
        Column("id", "id", 20, required=True),
        Column("name", "text", 30, multilingual=True),
        Column("colour", "text", 10),
        Column("description", "text", 50, multilingual=True),
    ),
    help_key="xl_help_themes",
)
SCENARIOS = Sheet(
    "Scenarios",
    (
        Column("id", "id", 28, required=True),
        Column("title", "text", 40, multilingual=True),
        Column("theme", "text", 16),
        Column("domain", "choice", 11, choices=DOMAINS),
        Column("kind", "choice", 10, choices=SCENARIO_KINDS),
        Column("trend", "choice", 11, choices=TRENDS),
        Column("horizon", "int", 9),
        Column("malicious", "bool", 10),
        Column("actor", "bool", 8),
        Column("owner", "id", 20),
        Column("description", "text", 50, multilingual=True),
        Column("reinforces", "ids", 28),
        Column("cascade_rule", "id", 22),
    ),
    help_key="xl_help_scenario_register",
)
SOURCES = Sheet(
    "Sources",
    (
        Column("for", "choice", 12, required=True, choices=SOURCE_OWNERS),
        Column("id", "id", 28, required=True),
        Column("ref", "text", 30),
        Column("title", "text", 40, multilingual=True),
        Column("url", "text", 30),
        Column("date", "date", 12),
    ),
    help_key="xl_help_sources",
)
ESTIMATES = Sheet(
    "Estimates",
    (
        Column("scenario", "id", 28, required=True),
        Column("level", "id", 13),
        Column("analyst", "id", 22, required=True),
        Column("estimate of", "id", 12),
        *_spec_columns("estimate rationale"),
        *_INFO,
    ),
    help_key="xl_help_estimates",
)
CONSENSUS = Sheet(
    "Consensus",
    (
        Column("scenario", "id", 28, required=True),
        Column("level", "id", 13),
        Column("estimate of", "id", 12),
        *_spec_columns("consensus rationale"),
        Column("date", "date", 12, group=True),
        *_INFO,
    ),
    help_key="xl_help_consensus",
)
CASCADES = Sheet(
    "Cascades",
    (
        Column("cause", "id", 28, required=True),
        Column("effect", "id", 28, required=True),
        Column("cause level", "id", 13),
        Column("effect level", "id", 13),
        *_spec_columns("cascade rationale"),
        Column("classes", "info", 60),
    ),
    help_key="xl_help_cascades",
)
STRATEGIES = Sheet(
    "Strategies",
    (
        Column("id", "id", 28, required=True),
        Column("title", "text", 40, multilingual=True),
        Column("scope", "choice", 13, choices=SCOPES),
        Column("owner", "id", 20),
        Column("description", "text", 50, multilingual=True),
    ),
    help_key="xl_help_strategies",
)
MEASURES = Sheet(
    "Measures",
    (
        Column("id", "id", 28, required=True),
        Column("title", "text", 40, multilingual=True),
        Column("owners", "ids", 24),
        Column("lead", "id", 16),
        Column("strategy", "id", 28),
        Column("phase", "choice", 10, choices=PHASES),
        Column("scenarios", "ids", 40),
        Column("description", "text", 50, multilingual=True),
        Column("status", "choice", 10, choices=STATUSES),
        Column("cost", "number", 14),
    ),
    help_key="xl_help_measures",
)
EFFECTS = Sheet(
    "Effects",
    (
        Column("for", "choice", 12, required=True, choices=EFFECT_OWNERS),
        Column("id", "id", 28, required=True),
        Column("effect", "int", 7, required=True),
        Column("scenario", "id", 28, group=True),
        Column("levels", "ids", 16, group=True),
        Column("shift of", "id", 12),
        Column("steps", "number", 8),
        Column("factor", "number", 8),
        Column("low", "number", 8),
        Column("high", "number", 8),
        Column("confidence", "choice", 11, group=True, choices=CONFIDENCES),
        Column("rationale", "text", 40, multilingual=True, group=True),
    ),
    help_key="xl_help_effects",
)
SIDE_EFFECTS = Sheet(
    "Side effects",
    (
        Column("measure", "id", 28, required=True),
        Column("scenario", "id", 28),
        Column("direction", "choice", 10, choices=("raises", "lowers")),
        Column("rationale", "text", 40, multilingual=True),
    ),
    help_key="xl_help_side_effects",
)
DEVELOPMENTS = Sheet(
    "Developments",
    (
        Column("id", "id", 28, required=True),
        Column("title", "text", 40, multilingual=True),
        Column("kind", "choice", 14, choices=DEV_KINDS),
        Column("description", "text", 50, multilingual=True),
        Column("where", "text", 30, multilingual=True),
        Column("horizon", "int", 9),
    ),
    help_key="xl_help_developments",
)
CAPABILITIES = Sheet(
    "Capabilities",
    (
        Column("id", "id", 28, required=True),
        Column("title", "text", 40, multilingual=True),
        Column("kind", "choice", 13, choices=CAP_KINDS),
        Column("owners", "ids", 24),
        Column("description", "text", 50, multilingual=True),
    ),
    help_key="xl_help_capabilities",
)
NEEDS = Sheet(
    "Needs",
    (
        Column("capability", "id", 28, required=True),
        Column("scenario", "id", 28),
        Column("phases", "ids", 24),
        Column("adequacy", "choice", 12, choices=ADEQUACIES),
        Column("rationale", "text", 40, multilingual=True),
    ),
    help_key="xl_help_needs",
)

SHEETS: tuple[Sheet, ...] = (
    ABOUT,
    ORGANISATIONS,
    ANALYSTS,
    THEMES,
    SCENARIOS,
    SOURCES,
    ESTIMATES,
    CONSENSUS,
    CASCADES,
    STRATEGIES,
    MEASURES,
    EFFECTS,
    SIDE_EFFECTS,
    DEVELOPMENTS,
    CAPABILITIES,
    NEEDS,
)
"""The sheets the import reads, in the order the workbook shows them."""

INSTRUCTIONS = "Instructions"
CLASSES = "Classes"
"""Two sheets written for people and never read: how to fill in the workbook, and every class
of the method's scales with its bounds and unit (the drop-down lists point at it)."""


def sheet(name: str) -> Sheet:
    for s in SHEETS:
        if s.name == name:
            return s
    raise KeyError(name)


DEFAULT_LANGS = ("en", "nl")
"""The languages that always get a column for each multilingual text."""

_LANG_HEADER = re.compile(r"^(.+?) \(([a-z]{2}(?:-[A-Z]{2})?)\)$")


def lang_header(key: str, lang: str) -> str:
    """``title (nl)``: the header of a text in one language."""
    return f"{key} ({lang})"


def split_header(header: str) -> tuple[str, str | None]:
    """``"title (nl)"`` -> (``"title"``, ``"nl"``); ``"title"`` -> (``"title"``, None)."""
    m = _LANG_HEADER.match(header)
    return (m.group(1), m.group(2)) if m else (header, None)


@dataclass(frozen=True)
class Header:
    """One written column: the column, the language of its text (or None), its header."""

    column: Column
    lang: str | None = None
    text: str = field(default="")

    @property
    def title(self) -> str:
        return lang_header(self.column.key, self.lang) if self.lang else self.column.key


def headers(s: Sheet, langs: tuple[str, ...]) -> list[Header]:
    """The columns of a sheet as written: a multilingual column once plain, then per language."""
    out: list[Header] = []
    for c in s.columns:
        out.append(Header(c))
        if c.multilingual:
            out.extend(Header(c, lang) for lang in langs)
    return out


def ordered_langs(found: set[str]) -> tuple[str, ...]:
    """English and Dutch first, then the other languages found, sorted."""
    return DEFAULT_LANGS + tuple(sorted(found - set(DEFAULT_LANGS)))
