"""The report's horizon section (nsra.report.horizon): present and 2050 side by side, an arrow
per risk whose likelihood was estimated for 2050, from its place today to its place then."""

from __future__ import annotations

import math
import re

import nsra
from nsra.io.validate import read_assessment
from nsra.report.html import render_report
from tests.helpers import EXAMPLES_DIR


def test_the_bnra_report_shows_today_and_2050_with_arrows() -> None:
    loaded = read_assessment(str(EXAMPLES_DIR / "be-bnra.yaml"))
    results = nsra.compute(loaded)
    html = render_report(loaded, results)
    start = html.index('id="horizon-2050"')
    section = html[start : html.index("</section>", start)]
    assert "Likelihood in 2050" in section
    # one arrow (river flooding moves right), drawn as the diagram's move arrows
    assert section.count(">from today to 2050</text>") == 1  # the legend
    assert section.count("<polygon") >= 1  # the arrow head
    assert "Malicious threats" not in section  # no panel without arrows
    rows = re.findall(r"<tr><td>(\d+)</td><td><a[^>]*>([^<]+)</a>", section)
    titles = [t for _, t in rows]
    assert "River flooding" in titles and "Large-scale power outage" in titles
    row = re.search(r"River flooding</a></td>(.*?)</tr>", section)
    assert row is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    # the level shown (major): once a century today, once in 40 years in 2050
    today, then = 1 - math.exp(-12 / 1200), 1 - math.exp(-12 / 480)
    assert round(today, 3) == 0.01 and round(then, 3) == 0.025
    assert cells[:2] == ["1%", "2.5%"]
    assert cells[4] == "estimated for 2050"


def test_no_horizon_section_without_horizon_estimates() -> None:
    loaded = read_assessment(str(EXAMPLES_DIR / "uk-nsra.yaml"))
    html = render_report(loaded, nsra.compute(loaded))
    assert 'id="horizon-' not in html
