"""The report's section "Changes since the previous edition": only with a previous edition, and
then the counts, the risks that moved with their causes, and the measures completed."""

from __future__ import annotations

from pathlib import Path

import nsra
from nsra.report.html import render_report
from tests.helpers import NL_BASE, parse, replace_once, run_cli
from tests.report.common import tree

OLD = replace_once(
    NL_BASE, "    scenarios: [flood]\n", "    scenarios: [flood]\n    status: planned\n"
)
NEW = replace_once(
    NL_BASE,
    "      - analyst: a1\n        likelihood: D\n",
    "      - analyst: a1\n        likelihood: B\n",
)


def page(new_text: str, old_text: str | None, lang: str = "en") -> str:
    new = parse(new_text, "new.yaml")
    old = None if old_text is None else parse(old_text, "old.yaml")
    return render_report(new, nsra.compute(new), lang, None, old)


def test_no_section_without_a_previous_edition() -> None:
    html = page(NEW, None)
    assert 'id="changes"' not in html
    assert 'href="#changes"' not in html


def test_the_section_with_a_previous_edition() -> None:
    html = page(NEW, OLD)
    section = tree(html).by_id("changes")
    assert 'href="#changes"' in html  # in the contents
    assert section.one("h2").text().endswith("Changes since the previous edition")
    kpis = [(k.one("div", "v").text(), k.one("div", "l").text()) for k in section.all("div", "kpi")]
    assert kpis == [
        ("0", "new scenarios"),
        ("0", "scenarios removed"),
        ("1", "risks ranked higher"),
        ("1", "risks ranked lower"),
        ("0", "newly serious risks"),
        ("1", "measures completed"),
    ]
    moved, measures = section.all("table")
    assert [[td.text() for td in tr.all("td")] for tr in moved.all("tr") if tr.all("td")] == [
        [
            "1 → 2 ▼ down 1",
            "Attack",
            "D → B",
            "B",
            "no",
            "Likelihood: D → B — changed by a1 (D → B)",
        ]
    ]
    pushed = section.one("ul", "cols")
    assert pushed.text() == "▲ 2 → 1 River flood"
    assert [[td.text() for td in tr.all("td")] for tr in measures.all("tr") if tr.all("td")] == [
        ["completed", "A measure", "planned → in place"]
    ]


def test_the_same_edition_says_nothing_changed_in_dutch() -> None:
    section = tree(page(NEW, NEW, "nl")).by_id("changes")
    assert section.one("h2").text().endswith("Wijzigingen sinds de vorige editie")
    assert "Niets veranderd sinds de vorige editie" in section.text()
    assert not section.all("table")


def test_nsra_report_previous(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    out = tmp_path / "r.html"
    proc = run_cli("report", str(new), "--previous", str(old), "--no-analysis", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert 'id="changes"' in out.read_text(encoding="utf-8")
    proc = run_cli("report", str(new), "--no-analysis", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert 'id="changes"' not in out.read_text(encoding="utf-8")


def test_a_risk_moved_by_a_cascade_is_not_said_to_be_pushed() -> None:
    from tests.helpers import BNRA_BASE

    new = replace_once(
        BNRA_BASE, 'considerable: {considerable: "2"}', 'considerable: {considerable: "5"}'
    )
    section = tree(page(new, BNRA_BASE)).by_id("changes")
    rows = [[td.text() for td in tr.all("td")] for tr in section.one("table").all("tr")]
    sabotage = next(r for r in rows if r and r[1].startswith("Sabotage"))
    assert sabotage[-1] == "its risk changed through cascades (no estimate of its own changed)"
    assert not section.all("ul", "cols")  # nothing moved only because others moved
