"""The shape of a file checked against its model, in plain words (nsra.io.modelcheck).

Fields, types and dates: each test breaks one thing in a valid assessment (``NL_BASE``) and checks
the message and the line.
"""

from __future__ import annotations

import pytest

from helpers import NL_BASE, check_error, errors_of, line_of, replace_once, single_error


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
