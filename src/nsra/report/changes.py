"""The report's section "Changes since the previous edition": counts, the risks that moved
(rank and classes before and after, and the estimates that caused it), new and removed
scenarios, measures added, completed or removed. The comparison itself is
:func:`nsra.analysis.editions.compare_editions`; the section exists only when the report is
given a previous edition (``nsra report FILE --previous OLD``)."""

from __future__ import annotations

from typing import Any

from nsra import i18n
from nsra.analysis.editions import LIKELIHOOD, EditionChanges, ScenarioChange, SlotChange
from nsra.engine.compute import Results
from nsra.engine.compute import compute as engine_compute
from nsra.io.validate import Loaded
from nsra.model.text import tr
from nsra.report.view import RankingRow, View

ARROW = "→"


def previous_results(previous: Loaded, results: Results) -> Results:
    """The previous edition's results, with the same weight profile where its method has it."""
    known = {p.id for p in previous.method.profiles}
    profile = results.profile_id if results.profile_id in known else None
    return engine_compute(previous.inputs, previous.method, profile)


def _pair(a: object, b: object) -> str:
    dash = "–"
    x, y = dash if a is None else str(a), dash if b is None else str(b)
    return x if a == b else f"{x} {ARROW} {y}"


class _Words:
    """How the section names slots, levels and analysts, in the report's language."""

    def __init__(self, v: View, previous: Loaded) -> None:
        self.v = v
        self.criteria = {c.id: tr(c.label, v.lang) for c in previous.method.criteria}
        self.criteria.update({c.id: tr(c.label, v.lang) for c in v.m.criteria})
        self.levels = {lv.id: tr(lv.label, v.lang) for lv in previous.method.intensity_levels}
        self.levels.update({lv.id: tr(lv.label, v.lang) for lv in v.m.intensity_levels})

    def slot(self, x: SlotChange) -> str:
        name = (
            self.v.t("likelihood")
            if x.slot == LIKELIHOOD
            else f"{x.slot} {self.criteria.get(x.slot, '')}".strip()
        )
        return name if x.level is None else f"{name} ({self.levels.get(x.level, x.level)})"

    def level(self, level: str | None) -> str:
        return "" if level is None else self.levels.get(level, level).lower()

    def cause(self, x: SlotChange) -> dict[str, str]:
        text = _pair(x.old_class, x.new_class)
        if x.old_consensus != x.new_consensus:
            text += "; " + self.v.t("chg_consensus", change=_pair(x.old_consensus, x.new_consensus))
        who = ", ".join(f"{w.analyst} ({_pair(w.old, w.new)})" for w in x.analysts)
        return {
            "slot": self.slot(x),
            "change": text,
            "who": self.v.t("chg_by", who=who) if who else "",
        }


def _moved(
    v: View, words: _Words, c: ScenarioChange, rows: dict[str, RankingRow]
) -> dict[str, Any]:
    o, n = c.old, c.new
    moved = c.moved or 0
    return {
        "anchor": rows[c.id]["anchor"] if c.id in rows else "",
        "title": tr(c.title, v.lang),
        "rank": _pair(o.rank, n.rank),
        "direction": "up" if moved > 0 else ("down" if moved < 0 else ""),
        "moved": abs(moved),
        "move_text": v.t("chg_up", n=moved)
        if moved > 0
        else (v.t("chg_down", n=-moved) if moved < 0 else ""),
        "level": _pair(words.level(o.level), words.level(n.level)) if o.level or n.level else "",
        "likelihood": _pair(o.likelihood, n.likelihood),
        "impact": _pair(o.impact, n.impact),
        "serious": _pair(
            v.t("yes") if o.serious else v.t("no"), v.t("yes") if n.serious else v.t("no")
        ),
        "serious_new": n.serious and not o.serious,
        "causes": [words.cause(x) for x in c.causes],
        "no_cause": v.t("chg_others") if o.risk == n.risk else v.t("chg_through_cascades"),
    }


def _pushed(c: ScenarioChange) -> bool:
    """Moved in rank only because other risks moved: its own risk, classes and estimates did
    not."""
    o, n = c.old, c.new
    same = (o.level, o.likelihood, o.impact, o.serious, o.risk) == (
        n.level,
        n.likelihood,
        n.impact,
        n.serious,
        n.risk,
    )
    return same and not c.causes and not c.levels


def changes_section(
    v: View, rows: list[RankingRow], previous: Loaded, changes: EditionChanges
) -> dict[str, Any]:
    """Everything the section shows, as plain data."""
    words = _Words(v, previous)
    by_id = {r["id"]: r for r in rows}
    moves = changes.moves
    pa = previous.assessment
    old_method = f"{changes.old_method[0]} {changes.old_method[1]}"
    status = {s: v.t(f"chg_status_{s}") for s in ("in_place", "planned", "proposed")}

    def status_of(s: str | None) -> str | None:
        return None if s is None else status[s]

    quiet = sum(1 for c in changes.scenarios if c.causes and not c.shifted)
    measures = [
        {
            "kind": v.t(f"chg_kind_{m.kind}"),
            "completed": m.kind == "completed",
            "title": tr(m.title, v.lang),
            "status": _pair(status_of(m.old_status), status_of(m.new_status)),
        }
        for kind in ("completed", "added", "status", "removed")
        for m in changes.measures_of(kind)
    ]
    return {
        "intro": v.t(
            "chg_intro",
            title=tr(pa.title, v.lang),
            date=i18n.long_date(pa.date, v.lang),
            method=old_method,
        ),
        "method_note": "" if changes.same_method else v.t("chg_method", method=old_method),
        "changed": changes.changed,
        "kpis": [
            {"value": len(changes.added), "label": v.t("chg_kpi_added"), "alert": False},
            {"value": len(changes.removed), "label": v.t("chg_kpi_removed"), "alert": False},
            {
                "value": sum(1 for c in moves if (c.moved or 0) > 0),
                "label": v.t("chg_kpi_up"),
                "alert": False,
            },
            {
                "value": sum(1 for c in moves if (c.moved or 0) < 0),
                "label": v.t("chg_kpi_down"),
                "alert": False,
            },
            {
                "value": sum(1 for c in moves if c.new.serious and not c.old.serious),
                "label": v.t("chg_kpi_serious_new"),
                "alert": any(c.new.serious and not c.old.serious for c in moves),
            },
            {
                "value": len(changes.measures_of("completed")),
                "label": v.t("chg_kpi_completed"),
                "alert": False,
            },
        ],
        "moved": [_moved(v, words, c, by_id) for c in moves if not _pushed(c)],
        "pushed": [_moved(v, words, c, by_id) for c in moves if _pushed(c)],
        "quiet": quiet,
        "quiet_text": v.t("chg_quiet", n=quiet),
        "added": [
            {"title": tr(x.title, v.lang), "anchor": by_id[x.id]["anchor"], "row": by_id[x.id]}
            for x in changes.added
            if x.id in by_id
        ],
        "removed": [tr(x.title, v.lang) for x in changes.removed],
        "measures": measures,
        "strategies_added": [tr(x.title, v.lang) for x in changes.strategies_added],
        "strategies_removed": [tr(x.title, v.lang) for x in changes.strategies_removed],
    }
