"""The PDF of a large assessment condenses the scenarios in detail (nsra.report.pdf)."""

from __future__ import annotations

import pytest

from nsra.i18n import t
from nsra.report.markup import parse
from nsra.report.pdf import PDF_DETAIL_MAX, print_page


def _page(n: int) -> str:
    sections = "".join(
        f'<section class="scenario" id="sc-{k}"><h3><span class="rk">{k}.</span> S{k}</h3>'
        f'<div class="facts"><div><span class="k">Theme</span>t{k}</div></div>'
        f"<table><tr><td>estimate {k}</td></tr></table><p>rationale {k}</p></section>"
        for k in range(1, n + 1)
    )
    return (
        '<!DOCTYPE html><html lang="nl"><head><title>r</title></head><body>'
        f'<section id="scenarios" class="major"><h2>Scenarios</h2>{sections}</section>'
        "</body></html>"
    )


@pytest.mark.parametrize("n", [PDF_DETAIL_MAX + 1, 250])
def test_above_the_limit_each_scenario_keeps_heading_and_facts(n: int) -> None:
    root = parse(print_page(_page(n)))
    sections = root.find_class("scenario")
    assert len(sections) == n
    for k, s in enumerate(sections, start=1):
        assert [c.tag for c in s] == ["h3", "div"]
        assert s.find("h3").text_content().strip() == f"{k}. S{k}"
        assert s.find("div").text_content() == f"Themet{k}"
    (note,) = root.find_class("pdf-condensed")
    assert note.text == t("pdf_condensed", "nl", n=str(n))
    assert str(n) in note.text
    assert note.getnext() is sections[0]
    assert "pdf-large" in (root.get("class") or "").split()


def test_up_to_the_limit_the_detail_stays() -> None:
    root = parse(print_page(_page(PDF_DETAIL_MAX)))
    assert not root.find_class("pdf-condensed")
    assert "pdf-large" not in (root.get("class") or "").split()
    for k, s in enumerate(root.find_class("scenario"), start=1):
        assert [c.tag for c in s] == ["h3", "div", "table", "p"]
        assert s.find("p").text == f"rationale {k}"
