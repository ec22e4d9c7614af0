"""Multilingual texts: one language type for the whole package, open to more languages.

A language is an ISO 639-1 code (``en``, ``nl``, ``fr``, ``de``, ...), optionally with a region
(``nl-BE``). Texts in method and assessment files may carry any such language; the words of nsra
itself (report, pages) exist in the languages of its catalogues (:data:`nsra.i18n.LANGS`),
and a text missing in the language asked for falls back to English, then to any language given.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeAlias

from pydantic import AfterValidator, PlainValidator, WithJsonSchema

Lang: TypeAlias = str
"""A language code such as ``"en"``, ``"nl"``, ``"fr"`` or ``"nl-BE"`` (see :func:`is_lang`)."""

DEFAULT_LANG: Lang = "en"
"""The language every text falls back to."""

LANG_PATTERN = r"^[a-z]{2}(-[A-Z]{2})?$"
_LANG_RE = re.compile(LANG_PATTERN)


def is_lang(code: object) -> bool:
    """Whether ``code`` is a well-formed language code (``en``, ``fr``, ``nl-BE``)."""
    return isinstance(code, str) and _LANG_RE.match(code) is not None


def _check_text(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise ValueError("give the text in at least one language (for example en or nl)")
    bad = sorted(k for k in value if not is_lang(k))
    if bad:
        raise ValueError(
            f"not a language code: {', '.join(map(repr, bad))}; use a two-letter code such as "
            "en, nl, fr or de (optionally with a region: nl-BE)"
        )
    return value


Text = Annotated[dict[str, str], AfterValidator(_check_text)]
"""A text in one or more languages, e.g. ``{"en": "fatalities", "nl": "doden"}``."""


def tr(text: dict[str, str] | str | None, lang: Lang = DEFAULT_LANG) -> str:
    """The text in ``lang``; else in its base language (``nl`` for ``nl-BE``); else in English;
    else in any language given."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    for code in (lang, lang.split("-")[0], DEFAULT_LANG):
        if code in text:
            return text[code]
    return next(iter(text.values()), "")


def _check_text_or_str(value: Any) -> str | dict[str, str]:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("the text is empty")
        return value
    if isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return _check_text(value)
    raise ValueError("give a text, or a text per language such as {en: ..., nl: ...}")


def is_text_or_str(value: object) -> bool:
    """Whether ``value`` is a non-empty text or a text per language with valid codes."""
    try:
        _check_text_or_str(value)
    except ValueError:
        return False
    return True


TextOrStr = Annotated[
    str | dict[str, str],
    PlainValidator(_check_text_or_str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "patternProperties": {LANG_PATTERN: {"type": "string"}},
                    "additionalProperties": False,
                    "minProperties": 1,
                },
            ]
        }
    ),
]
"""A plain text, or a text per language."""
