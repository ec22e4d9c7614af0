"""Changes since the previous edition as a JSON document (``nsra-changes/1``) and a CSV table.

The comparison itself is :func:`nsra.analysis.editions.compare_editions`; this module only
writes it. The document (what ``nsra compare --format json`` writes)::

    format: "nsra-changes/1", nsra_version
    old, new: {source, title, date, classification, method: {id, version}}
    same_method: false when the editions use a different method id or version (the classes
        are then read on different scales; they are compared as codes all the same)
    changed: whether anything below changed
    counts: {added, removed, moved, up, down, serious_new, serious_gone, measures_added,
             measures_completed, measures_removed, measures_status}
    scenarios:
      added, removed: [{id, title}]
      changed: [{id, title, moved, shifted,            # every scenario in both that changed
                 old, new: {rank, risk, level, likelihood, impact, serious},
                 levels: [{level, old: {likelihood, impact}, new: {...}}],
                 causes: [{level, slot, old: {class, position, consensus},
                           new: {...}, analysts: [{analyst, old, new}]}]}]
    measures: {added, removed, completed, status: [{id, title, old_status, new_status}]}
    strategies: {added, removed: [{id, title}]}

``moved`` is the old rank minus the new rank (positive: up the ranking, a higher risk); null
when a side is unranked. ``shifted``: the rank, a class at the level shown, the level shown or
seriousness changed. A cause's ``slot`` is ``likelihood`` or a criterion id; ``consensus`` and
an analyst's ``old``/``new`` are the estimates as written (null: none given).

The CSV has one row per change: ``change, id, title, level, slot, analyst, old, new``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

from nsra.analysis.editions import (
    EditionChanges,
    MeasureChange,
    ScenarioChange,
    Standing,
    compare_editions,
)
from nsra.engine.compute import Results
from nsra.io.gcpause import gc_paused
from nsra.io.jsondoc import Json
from nsra.io.validate import Loaded
from nsra.model.text import DEFAULT_LANG, Lang, tr
from nsra.version import __version__

CHANGES_FORMAT = "nsra-changes/1"


def _edition(loaded: Loaded, lang: Lang) -> Json:
    a, m = loaded.assessment, loaded.method
    return {
        "source": loaded.source,
        "title": tr(a.title, lang),
        "date": a.date.isoformat(),
        "classification": a.classification,
        "method": {"id": m.id, "version": m.version},
    }


def _standing(s: Standing) -> Json:
    return asdict(s)


def _scenario(c: ScenarioChange, lang: Lang) -> Json:
    return {
        "id": c.id,
        "title": tr(c.title, lang),
        "moved": c.moved,
        "shifted": c.shifted,
        "old": _standing(c.old),
        "new": _standing(c.new),
        "levels": [
            {
                "level": lv.level,
                "old": {"likelihood": lv.old_likelihood, "impact": lv.old_impact},
                "new": {"likelihood": lv.new_likelihood, "impact": lv.new_impact},
            }
            for lv in c.levels
        ],
        "causes": [
            {
                "level": x.level,
                "slot": x.slot,
                "old": {
                    "class": x.old_class,
                    "position": x.old_position,
                    "consensus": x.old_consensus,
                },
                "new": {
                    "class": x.new_class,
                    "position": x.new_position,
                    "consensus": x.new_consensus,
                },
                "analysts": [
                    {"analyst": w.analyst, "old": w.old, "new": w.new} for w in x.analysts
                ],
            }
            for x in c.causes
        ],
    }


def _measure(m: MeasureChange, lang: Lang) -> Json:
    return {**asdict(m), "title": tr(m.title, lang)}


def changes_document(
    old: Loaded, new: Loaded, changes: EditionChanges, lang: Lang = DEFAULT_LANG
) -> Json:
    """The comparison as plain data (JSON-ready), texts in ``lang``; see the module's doc."""
    moves = changes.moves
    kinds = ("added", "completed", "removed", "status")
    measures = {k: [_measure(m, lang) for m in changes.measures_of(k)] for k in kinds}
    return {
        "format": CHANGES_FORMAT,
        "nsra_version": __version__,
        "old": _edition(old, lang),
        "new": _edition(new, lang),
        "same_method": changes.same_method,
        "changed": changes.changed,
        "counts": {
            "added": len(changes.added),
            "removed": len(changes.removed),
            "moved": len(moves),
            "up": sum(1 for c in moves if (c.moved or 0) > 0),
            "down": sum(1 for c in moves if (c.moved or 0) < 0),
            "serious_new": sum(1 for c in moves if c.new.serious and not c.old.serious),
            "serious_gone": sum(1 for c in moves if c.old.serious and not c.new.serious),
            **{f"measures_{k}": len(v) for k, v in measures.items()},
        },
        "scenarios": {
            "added": [{"id": x.id, "title": tr(x.title, lang)} for x in changes.added],
            "removed": [{"id": x.id, "title": tr(x.title, lang)} for x in changes.removed],
            "changed": [_scenario(c, lang) for c in changes.scenarios if c.changed],
        },
        "measures": measures,
        "strategies": {
            "added": [{"id": x.id, "title": tr(x.title, lang)} for x in changes.strategies_added],
            "removed": [
                {"id": x.id, "title": tr(x.title, lang)} for x in changes.strategies_removed
            ],
        },
    }


def changes_of(
    old: Loaded, old_results: Results, new: Loaded, new_results: Results, lang: Lang = DEFAULT_LANG
) -> Json:
    """Compare two computed editions and write the document (what ``nsra compare`` prints and
    the server's comparison of versions gives), the garbage collector paused meanwhile (many
    small objects, no cycles: :mod:`nsra.io.gcpause`)."""
    with gc_paused():
        found = compare_editions(old, old_results, new, new_results)
        return changes_document(old, new, found, lang)


CSV_COLUMNS = ["change", "id", "title", "level", "slot", "analyst", "old", "new"]


def _text(x: object) -> str:
    if x is None:
        return ""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def changes_rows(doc: Json) -> list[list[str]]:
    """One row per change (``CSV_COLUMNS``), in the document's order."""
    rows: list[list[object]] = []
    old_m, new_m = doc["old"]["method"], doc["new"]["method"]
    if not doc["same_method"]:
        rows.append(
            ["method", "", "", "", "", "", f"{old_m['id']} {old_m['version']}",
             f"{new_m['id']} {new_m['version']}"]
        )  # fmt: skip
    for kind in ("added", "removed"):
        for x in doc["scenarios"][kind]:
            rows.append([f"scenario_{kind}", x["id"], x["title"], "", "", "", "", ""])
    for sc in doc["scenarios"]["changed"]:
        head = [sc["id"], sc["title"]]
        old, new = sc["old"], sc["new"]
        for field in ("rank", "level", "likelihood", "impact", "serious", "risk"):
            if old[field] != new[field]:
                rows.append([field, *head, "", "", "", old[field], new[field]])
        for lv in sc["levels"]:
            for field in ("likelihood", "impact"):
                if lv["old"][field] != lv["new"][field]:
                    rows.append(
                        [f"level_{field}", *head, lv["level"], "", "", lv["old"][field],
                         lv["new"][field]]
                    )  # fmt: skip
        for x in sc["causes"]:
            where = [*head, x["level"], x["slot"]]
            rows.append(["estimate", *where, "", x["old"]["class"], x["new"]["class"]])
            if x["old"]["consensus"] != x["new"]["consensus"]:
                rows.append(["consensus", *where, "", x["old"]["consensus"], x["new"]["consensus"]])
            for w in x["analysts"]:
                rows.append(["analyst_estimate", *where, w["analyst"], w["old"], w["new"]])
    for kind, items in doc["measures"].items():
        for m in items:
            rows.append(
                [f"measure_{kind}", m["id"], m["title"], "", "", "", m["old_status"],
                 m["new_status"]]
            )  # fmt: skip
    for kind in ("added", "removed"):
        for x in doc["strategies"][kind]:
            rows.append([f"strategy_{kind}", x["id"], x["title"], "", "", "", "", ""])
    return [[_text(v) for v in row] for row in rows]


def changes_csv(doc: Json) -> str:
    """The CSV table: a header, then :func:`changes_rows`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(changes_rows(doc))
    return out.getvalue()
