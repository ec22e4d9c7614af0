"""How often something happens, for people: "0.57" a year, "once in 360,000 years", "less than
once in a million years". One way of writing frequencies for the whole report, so a reader never
meets ``0.0000028`` per year."""

from __future__ import annotations

import math

from nsra import i18n

RARE = 0.1
"""Below this many times a year a frequency is written as "once in N years"."""
MILLION = 1e6


def once_in(x: float, lang: str) -> str:
    """``x`` times a year as "once in N years", N to two significant digits (a number of years
    below 100 to the year); "less than once in a million years" below one in a million."""
    years = 1.0 / x
    if years > MILLION:
        return i18n.t("once_in_million_less", lang)
    if years >= 100:
        years = round(years, 1 - math.floor(math.log10(years)))
    return i18n.t("once_in", lang, n=i18n.number(round(years), lang))


def per_year(x: float | None, lang: str) -> str:
    """A yearly frequency: "–" unknown, "0" never, a number from :data:`RARE` a year up
    ("0.57", "12.3"), else "once in N years"."""
    if x is None or not math.isfinite(x):
        return "–"
    if x <= 0:
        return "0"
    if x < RARE:
        return once_in(x, lang)
    return i18n.plain(x, lang, 2) if x < 1 else i18n.plain(x, lang, 3)
