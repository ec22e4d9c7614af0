"""The analysis sections of the report (nsra.report.analyses), read from the page.

The weight profiles table is checked against :func:`nsra.analysis.profiles.compare_profiles`
called here, the rank intervals and the SMAA heat map against the typed analyses
(:func:`nsra.analysis.pipeline.analyse`, seeded); every number as the report writes it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nsra import i18n
from nsra.analysis.profiles import compare_profiles
from nsra.i18n import t
from nsra.model.text import tr
from tests.helpers import EXAMPLES, example_id
from tests.report import common
from tests.report.common import Element, header_texts, seen, table_rows, tree

LANGS = i18n.LANGS
WITH_PROFILES = [p for p in EXAMPLES if len(common.loaded(str(p)).method.profiles) > 1]
WITHOUT_PROFILES = [p for p in EXAMPLES if len(common.loaded(str(p)).method.profiles) < 2]
WITH_CASCADES = [p for p in EXAMPLES if common.loaded(str(p)).assessment.cascades]


def _rank_text(rank: int | None) -> str:
    return "–" if rank is None else str(rank)


def test_the_examples_cover_both_kinds_of_method() -> None:
    assert WITH_PROFILES and WITHOUT_PROFILES and WITH_CASCADES


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", WITH_PROFILES, ids=example_id)
def test_profiles_table_is_the_profile_comparison(path: Path, lang: str) -> None:
    p = str(path)
    a, r = common.loaded(p), common.results(p)
    m = a.method
    comparison = compare_profiles(a.inputs, m, r.cells)
    ids = comparison.profiles
    current = ids.index(r.profile_id) if r.profile_id in ids else None
    page = tree(common.full_report(p, lang))
    table = page.one("table", "profiles")
    labels = {pr.id: tr(pr.label, lang) for pr in m.profiles}
    heads = header_texts(table)
    used = t("profile_used", lang)
    assert heads[2:-1] == [
        labels[pid] + (used if n == current else "") for n, pid in enumerate(ids)
    ]
    assert heads[-1] == t("col_moves", lang)

    rows = table_rows(table)
    trs = [tr_ for tbody in table.all("tbody") for tr_ in tbody.all("tr")]
    want = common.by_rank(common.expected(p))
    assert len(rows) == len(want)
    spreads: list[tuple[int, str]] = []
    for row, tr_el, e in zip(rows, trs, want, strict=True):
        s = e.index
        assert row[0].text() == _rank_text(e.rank)
        assert row[1].one("a", "sc").attrs["href"] == f"#sc-{e.id}"
        ranks = [int(x) for x in comparison.rank[:, s]]
        ranked = [x for x in ranks if x > 0]
        # worked out here: how far the scenario moves over the profiles
        spread = max(ranked) - min(ranked) if ranked else 0
        spreads.append(
            (spread, f"{_rank_text(e.rank)}. {tr(a.assessment.scenarios[s].title, lang)}")
        )
        base = ranks[current] if current is not None else e.rank
        for n, (cell, rank) in enumerate(zip(row[2:-1], ranks, strict=True)):
            assert cell.one("span", "pr-rank").text() == _rank_text(rank or None), (e.id, n)
            delta = (base - rank) if (base and rank) else 0
            ups, downs = cell.all("span", "up"), cell.all("span", "down")
            assert [x.text() for x in ups] == ([f"▲{delta}"] if delta > 0 else []), (e.id, n)
            assert [x.text() for x in downs] == ([f"▼{-delta}"] if delta < 0 else []), (e.id, n)
            assert ("cur" in cell.classes) == (n == current)
        moves = {0: "–", 1: t("place_one", lang)}.get(spread, t("places", lang, n=spread))
        assert row[-1].text() == moves, e.id
        # the row is marked as changing rank exactly when its rank differs between profiles
        assert ("moves" in tr_el.classes) == (spread > 0), (e.id, ranks)
    moving = sum(1 for x, _ in spreads if x > 0)
    assert moving == len(comparison.changes)
    most = max(x for x, _ in spreads)
    if moving:
        text = t(
            "profiles_changes",
            lang,
            n=moving,
            total=len(want),
            k=len(ids),
            biggest="; ".join(ref for x, ref in spreads if x == most),
            places=most,
        )
    else:
        text = t("profiles_stable", lang, k=len(ids))
    assert text in page.by_id("robustness").text()


def test_some_example_has_scenarios_that_move_and_some_that_hold() -> None:
    """Else a table that marks every row, or none, would pass."""
    counts = []
    for path in WITH_PROFILES:
        a, r = common.loaded(str(path)), common.results(str(path))
        changes = compare_profiles(a.inputs, a.method, r.cells).changes
        counts.append((len(changes), len(a.assessment.scenarios)))
    assert any(0 < n < total for n, total in counts), counts


@pytest.mark.parametrize("path", WITHOUT_PROFILES, ids=example_id)
def test_no_profiles_table_without_profiles(path: Path) -> None:
    p = str(path)
    page = tree(common.full_report(p))
    assert page.all("table", "profiles") == []
    assert t("profiles_none", "en") in page.by_id("robustness").text()


def _intervals(page: Element) -> list[list[Element]]:
    return table_rows(page.one("table", "intervals"))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_rank_intervals_table_is_the_monte_carlo_result(path: Path, lang: str) -> None:
    p = str(path)
    u = common.analyses(p).uncertainty
    assert u is not None
    lo, mid, hi = (u.quantiles.index(q) for q in (0.05, 0.5, 0.95))
    page = tree(common.full_report(p, lang))
    table = page.one("table", "intervals")
    heads = header_texts(table)
    col_interval, col_changed = (
        heads.index(seen(t("col_interval", lang))),
        heads.index(seen(t("col_changed", lang))),
    )
    col_state = heads.index(t("col_robust", lang))
    want = [e for e in common.by_rank(common.expected(p)) if e.rank is not None]
    rows = _intervals(page)
    assert len(rows) == len(want)
    n = len(want)
    for row, e in zip(rows, want, strict=True):
        s, rank = e.index, e.rank
        assert rank is not None
        assert row[0].text() == str(rank)
        assert row[1].one("a", "sc").attrs["href"] == f"#sc-{e.id}"
        r_lo, r_mid, r_hi = (float(u.intervals.rank[q, s]) for q in (lo, mid, hi))
        assert r_lo <= r_mid <= r_hi
        a, b = round(r_lo), round(r_hi)
        assert row[col_interval].text() == (str(a) if a == b else f"{a}–{b}"), e.id
        share = float(u.rank_changes[s])
        # the share of draws in which the scenario has another place than its central rank
        assert row[col_changed].text() == seen(i18n.percent(share, lang)), e.id
        if r_lo == r_hi == rank:  # 90% of the draws at the central rank: few changed
            assert share <= 0.1 + 1 / u.samples, (e.id, share)
        if not r_lo <= rank <= r_hi:  # central rank outside the 5-95% interval: most changed
            assert share >= 0.95 - 1 / u.samples, (e.id, share)
        width = r_hi - r_lo
        state = "firm" if width <= 2 else ("uncertain" if width + 1 > n / 2 else "moderate")
        assert row[col_state].one("span", "state").classes == ["state", state], e.id
        assert row[col_state].text() == t(f"robust_{state}", lang)


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_smaa_heat_map_is_the_rank_acceptability(path: Path) -> None:
    p = str(path)
    sm = common.analyses(p).smaa
    assert sm is not None
    heat = tree(common.full_report(p)).one("table", "heat")
    want = common.by_rank(common.expected(p))
    rows = table_rows(heat)
    assert len(rows) == len(want)
    for row, e in zip(rows, want, strict=True):
        assert row[0].text() == _rank_text(e.rank)
        cells = [c for c in row if "hm" in c.classes]
        b = sm.rank_acceptability[e.index]
        assert len(cells) == len(b)
        texts = [c.text() for c in cells]
        assert texts == [str(round(x * 100)) if x >= 0.05 else "" for x in b], e.id
        central = [k for k, c in enumerate(cells) if "central" in c.classes]
        assert central == ([e.rank - 1] if e.rank else [])
    # every place is taken by someone in every draw: the columns add up to one
    assert np.allclose(sm.rank_acceptability.sum(axis=0), 1.0)


def _per_year(x: float, lang: str) -> str:
    """A frequency per year as the cascade table writes it: 2 significant digits below one;
    below 0.1 a year "once in N years" (N to two significant digits), and below one in a
    million years "less than once in a million years" (never 0.0000028)."""
    if x == 0:
        return "0"
    if x < 0.1:
        years = 1 / x
        if years > 1e6:
            return i18n.t("once_in_million_less", lang)
        digits = len(str(int(years))) - 2  # round to two significant digits
        n = int(round(years, -digits)) if digits > 0 else round(years)
        return common.seen(i18n.t("once_in", lang, n=i18n.number(n, lang)))
    return i18n.plain(x, lang, 2) if x < 1 else i18n.plain(x, lang, 3)


def _own_text(e: Element) -> str:
    """The text directly in an element, not in its children."""
    return " ".join("".join(c for c in e.children if isinstance(c, str)).split())


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", WITH_CASCADES, ids=example_id)
def test_cascade_table_is_the_simulation_and_the_one_step_estimate(path: Path, lang: str) -> None:
    p = str(path)
    cas = common.analyses(p).cascades
    assert cas is not None
    a = common.loaded(p)
    m = a.method
    stats, one_step = cas.stats, cas.first_order
    index = {sc.id: s for s, sc in enumerate(a.assessment.scenarios)}
    ranks = {e.id: e.rank for e in common.expected(p)}
    levels = [tr(lv.label, lang) for lv in m.intensity_levels]
    table = tree(common.full_report(p, lang)).one("table", "cas")
    groups = table.all("tbody", "grp")
    assert groups
    order = []
    for g in groups:
        rows = [tr_.child_elements("td") for tr_ in g.all("tr")]
        sid = rows[0][1].one("a", "sc").attrs["href"].removeprefix("#sc-")
        s = index[sid]
        order.append(ranks[sid])
        assert rows[0][0].text() == _rank_text(ranks[sid])
        assert len(rows) == max(1, len(levels))
        for lv, row in enumerate(rows):
            at = (2 if lv == 0 else 0) + (1 if levels else 0)
            if levels:
                assert row[at - 1].text() == levels[lv]
            # the simulated starts may carry a "once in N years" note under the number
            cells = [_own_text(row[at]), *(c.text() for c in row[at + 1 :])]
            assert cells[:4] == [
                _per_year(float(stats.root_frequency[s, lv]), lang),
                _per_year(float(one_step.root_frequency[s, lv]), lang),
                _per_year(float(stats.triggered_frequency[s, lv]), lang),
                _per_year(float(one_step.triggered_frequency[s, lv]), lang),
            ], (sid, lv)
            mean = float(stats.impact_mean[s, lv])
            assert cells[-2] == ("–" if np.isnan(mean) else common.money(m, mean, lang)), sid
    assert order == sorted(order, key=lambda r: (r is None, r or 0)), "groups in rank order"
