"""nsra's own words (report, analyses' summaries, web pages) in the languages it speaks, and
how numbers and dates are written in each.

The words live in gettext catalogues under ``nsra/locale`` that a translator edits with any PO
editor: ``nsra.pot`` holds every label (``msgctxt`` is the key the code asks for, ``msgid`` the
English text) and ``<lang>/LC_MESSAGES/nsra.po`` its translation. :data:`LANGS` is English plus
every language with a catalogue: adding a language is adding a catalogue (and its texts in the
method files). A label not yet translated (empty or fuzzy) reads in English; ``check_complete``
lists those. Numbers, months and separators come from the CLDR data of Babel, so a new language
needs no code. Texts of the assessment and the method come from their files through
:func:`nsra.model.text.tr`, in any language the file carries.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

from nsra.model.text import DEFAULT_LANG, Lang

DOMAIN = "nsra"


def _catalogue_langs() -> tuple[Lang, ...]:
    folder = resources.files("nsra") / "locale"
    found = sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.is_dir() and (entry / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
    )
    return (DEFAULT_LANG, *[code for code in found if code != DEFAULT_LANG])


LANGS: tuple[Lang, ...] = _catalogue_langs()
"""The languages of nsra's own words: English first, then one per catalogue."""


def _read(path: str) -> dict[str, tuple[str, str]]:
    """key -> (English, translation) from one catalogue; an empty or fuzzy translation is ''."""
    from babel.messages.pofile import read_po

    with (resources.files("nsra") / "locale" / path).open("rb") as f:
        catalogue = read_po(f, domain=DOMAIN)
    out: dict[str, tuple[str, str]] = {}
    for message in catalogue:
        if not message.id or not isinstance(message.context, str):
            continue
        english = str(message.id)
        text = "" if message.fuzzy or not message.string else str(message.string)
        out[message.context] = (english, text)
    return out


@functools.lru_cache(maxsize=1)
def english() -> dict[str, str]:
    """Every key and its English text (the template catalogue, ``nsra.pot``)."""
    return {key: en for key, (en, _) in _read(f"{DOMAIN}.pot").items()}


@functools.cache
def translated(lang: Lang) -> dict[str, str]:
    """The keys translated in ``lang`` (empty for English and for languages without a
    catalogue). A translation whose English source changed since is not used."""
    if lang == DEFAULT_LANG or lang not in LANGS:
        return {}
    if not (resources.files("nsra") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po").is_file():
        return {}  # a language declared before its catalogue exists: English throughout
    source = english()
    return {
        key: text
        for key, (en, text) in _read(f"{lang}/LC_MESSAGES/{DOMAIN}.po").items()
        if text and source.get(key) == en
    }


def has(key: str) -> bool:
    """Whether ``key`` is one of nsra's labels."""
    return key in english()


def check_complete() -> list[str]:
    """``lang:key`` of every label not translated yet (empty when every catalogue is whole)."""
    return [
        f"{lang}:{key}"
        for lang in LANGS
        if lang != DEFAULT_LANG
        for key in english()
        if key not in translated(lang)
    ]


@functools.cache
def labels(lang: str) -> dict[str, str]:
    """Every label in ``lang`` (falling back to English, see :func:`t`)."""
    return {**english(), **translated(lang)}


def t(key: str, lang: str, **values: object) -> str:
    """One label in ``lang``, with ``{placeholders}`` filled in; English where a language or a
    label's translation is missing. An unknown key is a KeyError (a bug, not a missing word)."""
    text = labels(lang)[key]
    return text.format(**values) if values else text


# -- numbers and dates ------------------------------------------------------------------------
def listing(items: Sequence[str], lang: str) -> str:
    """Items as a sentence lists them: ``a``, ``a and b``, ``a, b and c`` (empty ones left out)."""
    shown = [x for x in items if x]
    if len(shown) <= 1:
        return shown[0] if shown else ""
    return ", ".join(shown[:-1]) + " " + t("and", lang) + " " + shown[-1]


class Symbols(NamedTuple):
    decimal: str
    group: str
    months: tuple[str, ...]
    percent: tuple[str, str]
    """What comes before and after the number of a percentage: ``("", "%")``, French
    ``("", "\u00a0%")``."""


@functools.cache
def symbols(lang: str) -> Symbols:
    """The decimal sign, thousands separator, month names and percent sign of ``lang`` (CLDR,
    through Babel); English's for a language nsra does not speak."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import parse_pattern

    try:
        locale = Locale.parse(lang if lang in LANGS else DEFAULT_LANG)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse(DEFAULT_LANG)
    numbers = locale.number_symbols["latn"]
    wide = locale.months["format"]["wide"]
    pattern = parse_pattern(locale.percent_formats[None].pattern)
    sign = numbers["percentSign"]
    return Symbols(
        numbers["decimal"],
        numbers["group"],
        tuple(wide[m] for m in range(1, 13)),
        (pattern.prefix[0].replace("%", sign), pattern.suffix[0].replace("%", sign)),
    )


def number(x: float, lang: str, decimals: int = 0) -> str:
    """``1,234.5`` in English, ``1.234,5`` in Dutch, ``1 234,5`` in French."""
    text = f"{x:,.{decimals}f}"
    sign = symbols(lang)
    if (sign.decimal, sign.group) != (".", ","):
        text = text.replace(",", "\x00").replace(".", sign.decimal).replace("\x00", sign.group)
    return text


def significant(x: float, lang: str, digits: int = 3) -> str:
    """A number with about ``digits`` significant digits, thousands separated."""
    if x == 0 or not math.isfinite(x):
        return number(0.0 if not math.isfinite(x) else x, lang)
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - magnitude)
    return number(round(x, decimals), lang, decimals)


def plain(x: float, lang: str, digits: int = 3) -> str:
    """A number as given, at most ``digits`` significant digits, no trailing zeros."""
    text = significant(x, lang, digits)
    sep = symbols(lang).decimal
    if sep in text:
        text = text.rstrip("0").rstrip(sep)
    return text


def score(x: float, lang: str) -> str:
    """A score (dimensionless): two decimals below 100, fewer above."""
    if abs(x) >= 100:
        return number(x, lang, 0)
    if abs(x) >= 1 or x == 0:
        return number(x, lang, 2)
    return significant(x, lang, 2)


def percent(p: float, lang: str) -> str:
    """A probability as a percentage: 71%, 7.4%, 0.03% (Dutch: 7,4%; French: 7,4 %)."""
    before, after = symbols(lang).percent
    v = p * 100
    if v == 0:
        return f"{before}0{after}"
    if v >= 99.95 and v < 100:
        return f">{before}{number(99.9, lang, 1)}{after}"
    if v >= 10:
        text = number(v, lang, 0)
    elif v >= 1:
        text = number(v, lang, 1)
    elif v >= 0.01:
        text = plain(v, lang, 2)
    else:
        return f"<{before}{number(0.01, lang, 2)}{after}"
    return f"{before}{text}{after}"


def euros(x: float, lang: str) -> str:
    """Euros for people: € 1.2 bn, € 450 m (Dutch: € 1,2 mld., € 450 mln.)."""
    a = abs(x)
    for size, key in ((1e9, "eur_bn"), (1e6, "eur_m"), (1e3, "eur_k")):
        if a >= size:
            v = x / size
            decimals = 1 if abs(v) < 100 else 0
            return f"€ {number(v, lang, decimals)} {t(key, lang)}"
    return f"€ {number(x, lang, 0)}"


def period(months: float, lang: str, bare: bool = False) -> str:
    """A time basis in words: '1 year', '5 years', '6 months'; bare: 'year' for 'per year'."""
    if months % 12 == 0:
        n = int(months // 12)
        if n == 1:
            return t("year_one", lang) if bare else t("years_one", lang)
        return t("years", lang, n=n)
    if months == 1:
        return t("month_one", lang) if bare else t("months_one", lang)
    return t("months", lang, n=number(months, lang, 0 if months == int(months) else 1))


def long_date(d: dt.date, lang: str) -> str:
    """16 March 2026 / 16 maart 2026."""
    return f"{d.day} {symbols(lang).months[d.month - 1]} {d.year}"
