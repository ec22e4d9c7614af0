"""The shape of a file checked against its model, in plain words (nsra.io.modelcheck).

Fields, types and dates: each test breaks one thing in a valid assessment (``NL_BASE``) and checks
the message and the line.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import Field, field_validator

from nsra.io import modelcheck
from nsra.model.assessment import EstimateDetail
from nsra.model.method import ClassScale, Identifier, Strict
from tests.helpers import NL_BASE, check_error, errors_of, line_of, replace_once, single_error


# -- shape: fields, types, dates, ids --------------------------------------------------------------
def test_unknown_field_lists_the_allowed_fields() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: water\n    colour: red\n")
    p = check_error(
        text, "unknown field 'colour'; allowed fields: id, title, theme, domain", "colour"
    )
    for name in ("malicious", "owner", "estimates", "consensus"):
        assert name in p.message


def test_unknown_top_level_field() -> None:
    text = NL_BASE.replace(
        "classification: UNCLASSIFIED\n", "classification: UNCLASSIFIED\nowner: me\n"
    )
    p = check_error(text, "unknown field 'owner'; allowed fields: title, method, date", "owner: me")
    assert "scenarios" in p.message


def test_text_where_true_or_false_is_expected() -> None:
    text = replace_once(NL_BASE, "malicious: true", "malicious: maybe")
    check_error(text, "expected true or false; found 'maybe'", "malicious: maybe")


def test_list_where_a_mapping_is_expected() -> None:
    text = replace_once(
        NL_BASE, '        impact:\n          "2.1": B\n          "5.3": D', "        impact: [B, D]"
    )
    check_error(text, "expected a mapping", "impact: [B, D]")


def test_missing_required_field() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "")
    check_error(text, "the field 'theme' is required but missing", "- id: flood", True)


def test_missing_required_top_level_field() -> None:
    text = replace_once(NL_BASE, "classification: UNCLASSIFIED\n", "")
    p = single_error(text)
    assert p.message == "the field 'classification' is required but missing"
    assert p.line == 1


@pytest.mark.parametrize("date", ["2026-13-45", "15-01-2026", "20260115", "yesterday"])
def test_bad_date(date: str) -> None:
    text = replace_once(NL_BASE, "date: 2026-01-15", f"date: {date}")
    p = check_error(text, "expected a date such as 2026-11-29", f"date: {date}")
    assert date in p.message


@pytest.mark.parametrize("domain", ["abroad", "no", "Internal"])
def test_domain_not_internal_external_or_both(domain: str) -> None:
    text = replace_once(NL_BASE, "domain: internal", f"domain: {domain}")
    p = check_error(text, "allowed: internal, external", f"domain: {domain}")
    assert domain in p.message
    assert "both" in p.message


def test_bad_identifier() -> None:
    text = replace_once(NL_BASE, "  - id: attack\n", "  - id: an attack!\n")
    errors = errors_of(text)
    assert any("is not a valid id" in p.message for p in errors)
    assert any(p.line == line_of(text, "an attack!") for p in errors)


# -- plain words for each kind of error (nsra.io.modelcheck directly) ------------------------------
class Inner(Strict):
    id: Identifier
    size: float = Field(default=1.0, gt=0)


class Other(Strict):
    id: Identifier
    label: str


class Outer(Strict):
    name: str = Field(min_length=2, max_length=5)
    kind: Literal["a", "b"] = "a"
    count: int = Field(default=0, ge=0, le=10)
    flag: bool = False
    items: list[Inner] = Field(default_factory=list, max_length=2)
    named: dict[str, Inner] = Field(default_factory=dict)
    either: Inner | Other | None = None
    detail: EstimateDetail | None = None

    @field_validator("name")
    @classmethod
    def _no_x(cls, v: str) -> str:
        if "x" in v:
            raise ValueError("no x in a name, please")
        return v


def _problems(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    model, problems = modelcheck.check(Outer, data)
    assert model is None
    return [(p.path, p.message) for p in problems]


def test_valid_data_gives_the_model_and_no_problems() -> None:
    model, problems = modelcheck.check(Outer, {"name": "ab", "items": [{"id": "i"}]})
    assert problems == []
    assert model == Outer(name="ab", items=[Inner(id="i")])


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({}, ("name",), "the field 'name' is required but missing"),
        (
            {"name": "ab", "colour": 1},
            ("colour",),
            "unknown field 'colour'; allowed fields: name, kind, count, flag, items, named, "
            "either, detail",
        ),
        (
            {"name": "ab", "items": [{"id": "i", "sise": 2}]},
            ("items", 0, "sise"),
            "unknown field 'sise'; allowed fields: id, size",
        ),
        (
            {"name": "ab", "named": {"k": {"id": "i", "sise": 2}}},
            ("named", "k", "sise"),
            "unknown field 'sise'; allowed fields: id, size",
        ),
        (  # the name in the file (the alias), not the attribute
            {"name": "ab", "detail": {"klass": "C"}},
            ("detail", "klass"),
            "unknown field 'klass'; allowed fields: class, value, scale, rationale",
        ),
        ({"name": 5}, ("name",), "expected text; found 5"),
        ({"name": "ab", "count": "3"}, ("count",), "expected a whole number; found '3'"),
        ({"name": "ab", "flag": "yes"}, ("flag",), "expected true or false; found 'yes'"),
        ({"name": "ab", "items": {"id": "i"}}, ("items",), "expected a list; found {'id': 'i'}"),
        ({"name": "ab", "named": []}, ("named",), "expected a mapping (key: value); found []"),
        ({"name": "ab", "kind": "c"}, ("kind",), "found c; allowed: a or b"),
        (
            {"name": "ab", "items": [{"id": "a b"}]},
            ("items", 0, "id"),
            "'a b' is not a valid id: use letters, digits, '.', '_' and '-', starting with a "
            "letter or digit",
        ),
        ({"name": "a"}, ("name",), "needs at least 2 characters; found 'a'"),
        ({"name": "abcdef"}, ("name",), "needs at most 5 characters; found 'abcdef'"),
        (
            {"name": "ab", "items": [{"id": "a"}, {"id": "b"}, {"id": "c"}]},
            ("items",),
            "needs at most 2 entries; found [{'id': 'a'}, {'id': 'b'}, {'id': 'c'}]",
        ),
        ({"name": "ab", "count": -1}, ("count",), "must be at least 0; found -1"),
        ({"name": "ab", "count": 11}, ("count",), "must be at most 10; found 11"),
        (
            {"name": "ab", "items": [{"id": "i", "size": 0.0}]},
            ("items", 0, "size"),
            "must be greater than 0.0; found 0.0",
        ),
        ({"name": "axe"}, ("name",), "no x in a name, please"),
        ({"name": "ab", "count": 1.5}, ("count",), "expected a whole number; found 1.5"),
    ],
)
def test_each_kind_of_error_in_plain_words(
    data: Any, path: tuple[str | int, ...], message: str
) -> None:
    assert _problems(data) == [(path, message)]


def test_a_long_value_is_cut_in_the_message() -> None:
    ((path, message),) = _problems({"name": "ab", "flag": "y" * 100})
    assert path == ("flag",)
    assert message == "expected true or false; found '" + "y" * 56 + "..."


def test_the_member_of_a_union_is_not_part_of_the_path() -> None:
    """Pydantic names the union member it tried (``either.Inner.id``); the file has no such
    field, and the same problem in two members is said once."""
    assert _problems({"name": "ab", "either": {}}) == [
        (("either", "id"), "the field 'id' is required but missing"),
        (("either", "label"), "the field 'label' is required but missing"),
    ]


def test_the_tag_of_a_tagged_union_is_not_part_of_the_path() -> None:
    """A scale function is ``kind: interval`` or ``kind: exponential``; pydantic puts the tag in
    the location (``function.exponential.factor``), the problem is at ``function.factor`` with
    the fields of the tagged model."""
    scale = {
        "id": "s",
        "classes": [{"code": "A"}, {"code": "B"}],
        "function": {"kind": "exponential", "factor": "big", "base": 10, "treshold": 1},
    }
    _, problems = modelcheck.check(ClassScale, scale)
    assert [(p.path, p.message) for p in problems] == [
        (("function", "factor"), "expected a number; found 'big'"),
        (
            ("function", "treshold"),
            "unknown field 'treshold'; allowed fields: kind, factor, base, threshold, "
            "value_at_threshold",
        ),
    ]
    scale["function"] = {"kind": "interval", "interpolation": "cubic", "factor": 1}
    _, problems = modelcheck.check(ClassScale, scale)
    assert [(p.path, p.message) for p in problems] == [
        (("function", "interpolation"), "found 'cubic'; allowed: linear or log".replace("'", "")),
        (("function", "factor"), "unknown field 'factor'; allowed fields: kind, interpolation"),
    ]


def test_every_problem_is_reported() -> None:
    problems = _problems({"name": "a", "count": -1, "colour": 1, "items": [{"id": "a b"}]})
    assert [path for path, _ in problems] == [
        ("name",),
        ("count",),
        ("items", 0, "id"),
        ("colour",),
    ]
