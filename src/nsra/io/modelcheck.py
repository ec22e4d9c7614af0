"""Check plain data against a pydantic model and say what is wrong in plain words."""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from nsra.io.problems import Path, Problem

M = TypeVar("M", bound=BaseModel)

_KIND = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "date_type": "a date such as 2026-11-29",
    "date_parsing": "a date such as 2026-11-29",
    "date_from_datetime_parsing": "a date such as 2026-11-29",
    "date_from_datetime_inexact": "a date such as 2026-11-29",
}


def _unwrap(tp: Any) -> list[Any]:
    """The concrete types inside Optional/Union/Annotated."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_unwrap(arg))
        return out
    return [tp]


def _field(model: type[BaseModel], name: str) -> Any:
    """The annotation of the field ``name`` (or of the field with that alias), or None."""
    field = model.model_fields.get(name)
    if field is None:
        for f in model.model_fields.values():
            if f.alias == name:
                field = f
    return None if field is None else field.annotation


def _is_member(model: type[BaseModel], part: str) -> bool:
    """Whether ``part`` names ``model`` as the member of a union: by its tag (the value of a
    literal field such as ``kind: interval``) or by its class name."""
    if part == model.__name__:
        return True
    for f in model.model_fields.values():
        if typing.get_origin(f.annotation) is typing.Literal and part in typing.get_args(
            f.annotation
        ):
            return True
    return False


def _walk(root: type[BaseModel], loc: Path) -> tuple[Path, type[BaseModel] | None]:
    """The field path of a pydantic error location, and the model class found at its end.

    In a location pydantic names the member of a union of models that it tried (the tag of a
    tagged union, ``scales.9.function.exponential.factor``); that is not a field of the file, so
    it is left out of the path (``scales.9.function.factor``).
    """
    current: list[Any] = [root]
    path: list[str | int] = []
    for part in loc:
        members = [t for tp in current for t in _unwrap(tp)]
        models = [t for t in members if isinstance(t, type) and issubclass(t, BaseModel)]
        nxt: list[Any] = []
        for t in members:
            if t in models and isinstance(part, str):
                annotation = _field(t, part)
                if annotation is not None:
                    nxt.append(annotation)
            elif typing.get_origin(t) is list and isinstance(part, int):
                nxt.append(typing.get_args(t)[0])
            elif typing.get_origin(t) is dict and isinstance(part, str):
                nxt.append(typing.get_args(t)[1])
        if not nxt and isinstance(part, str) and len(models) > 1:
            chosen = [t for t in models if _is_member(t, part)]
            if chosen:
                current = chosen
                continue
        path.append(part)
        current = nxt
    for tp in current:
        for t in _unwrap(tp):
            if isinstance(t, type) and issubclass(t, BaseModel):
                return tuple(path), t
    return tuple(path), None


def _fields(model: type[BaseModel] | None) -> str:
    if model is None:
        return ""
    names = [f.alias or name for name, f in model.model_fields.items()]
    return "; allowed fields: " + ", ".join(names)


def _found(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def plain_message(root: type[BaseModel], error: Any) -> tuple[Path, str]:
    """A pydantic error dict turned into (field path, message in plain words)."""
    raw: Path = tuple(error.get("loc", ()))
    loc = _walk(root, raw)[0]
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return loc, f"the field {loc[-1]!r} is required but missing"
    if kind == "extra_forbidden":
        return loc, f"unknown field {loc[-1]!r}{_fields(_walk(root, raw[:-1])[1])}"
    if kind in _KIND:
        return loc, f"expected {_KIND[kind]}; found {_found(value)}"
    if kind == "literal_error":
        return loc, f"found {_found(value)}; allowed: {ctx.get('expected', '')}".replace("'", "")
    if kind == "string_pattern_mismatch":
        return loc, (
            f"{_found(value)} is not a valid id: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit"
        )
    if kind in ("too_short", "too_long"):
        limit = ctx.get("min_length", ctx.get("max_length"))
        what = "at least" if kind == "too_short" else "at most"
        unit = "characters" if isinstance(value, str) else ("entry" if limit == 1 else "entries")
        return loc, f"needs {what} {limit} {unit}; found {_found(value)}"
    if kind in ("string_too_short", "string_too_long"):
        limit = ctx.get("min_length", ctx.get("max_length"))
        what = "at least" if kind == "string_too_short" else "at most"
        return loc, f"needs {what} {limit} characters; found {_found(value)}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": ("greater than", "gt"),
            "greater_than_equal": ("at least", "ge"),
            "less_than": ("less than", "lt"),
            "less_than_equal": ("at most", "le"),
        }[kind]
        return loc, f"must be {words[0]} {ctx.get(words[1])}; found {_found(value)}"
    if kind == "value_error":
        msg = str(error.get("msg", ""))
        return loc, msg.removeprefix("Value error, ")
    return loc, str(error.get("msg", "invalid value"))


def check(
    model: type[M], data: Any, context: dict[str, Any] | None = None
) -> tuple[M | None, list[Problem]]:
    """Validate ``data`` against ``model``; problems have paths but no positions yet."""
    try:
        return model.model_validate(data, context=context), []
    except ValidationError as exc:
        problems: list[Problem] = []
        seen: set[tuple[Path, str]] = set()
        for err in exc.errors(include_url=False):
            path, message = plain_message(model, err)
            if (path, message) not in seen:
                seen.add((path, message))
                problems.append(Problem(message, path))
        return None, problems
