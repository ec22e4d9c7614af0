"""Multilingual labels. Dutch and English are both first-class."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, PlainValidator, WithJsonSchema

Lang = Literal["en", "nl"]
LANGS: tuple[Lang, ...] = ("en", "nl")


def _check_text(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise ValueError("give the text in at least one language (en or nl)")
    unknown = sorted(set(value) - set(LANGS))
    if unknown:
        raise ValueError(f"unknown language {', '.join(unknown)}; allowed: {', '.join(LANGS)}")
    return value


Text = Annotated[dict[str, str], AfterValidator(_check_text)]
"""A text in one or more languages, e.g. ``{"en": "fatalities", "nl": "doden"}``."""


def tr(text: dict[str, str] | str | None, lang: str = "en") -> str:
    """The text in ``lang``, falling back to English, then to any language given."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if lang in text:
        return text[lang]
    if "en" in text:
        return text["en"]
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


TextOrStr = Annotated[
    str | dict[str, str],
    PlainValidator(_check_text_or_str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "properties": {"en": {"type": "string"}, "nl": {"type": "string"}},
                    "additionalProperties": False,
                    "minProperties": 1,
                },
            ]
        }
    ),
]
"""A plain text, or a text per language."""
