"""Golden files of the report sections that issue 11 found wrong, per example and language.

Each file (``<example>-<lang>.txt``) holds the visible text of those sections of the full report
(with the small, seeded analyses of :data:`tests.report.common.SMALL`): the diagram's caption
(serious risks by reason), the headline lists and what their order means, the ranking tables
(one per likelihood scale, each with its own period), the cascade footnote (unlinked against
quiet links) and the cascade tables between intensity levels. The values in them were checked
against the engine by the tests of ``test_html.py`` and ``test_report_fixes.py`` and by hand
when first written; the golden file then guards the wording and the layout of the text.

Refresh after an intended change, and read the difference before committing it::

    python -m tests.report.golden_sections
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.helpers import EXAMPLES
from tests.report import common
from tests.report.common import Element, tree

HERE = Path(__file__).parent / "golden"
LANGS = ("en", "nl")


def _text(e: Element) -> str:
    return " ".join(e.text().split())


def sections(path: str, lang: str) -> str:
    """The golden text of one report: a block per section, a line per row or paragraph."""
    page = tree(common.full_report(path, lang))
    out: list[str] = []
    diagram = page.by_id("diagram")
    out.append("## diagram caption")
    out += [_text(p) for p in diagram.one("figcaption").all("p")[1:]]
    summary = page.by_id("summary")
    out.append("## headline")
    # the headline lists' titles (not the key messages' and themes' headings, which have ids)
    titles = [h for h in summary.all("h3") if "id" not in h.attrs]
    for h3, ol in zip(titles, summary.all("ol", "top"), strict=True):
        out.append(f"# {_text(h3)}")
        out += [_text(li) for li in ol.all("li")]
    out += [_text(p) for p in summary.all("p", "muted") if "small" in p.classes][-1:]
    out.append("## ranking")
    for table in page.by_id("ranking").all("table", "ranking"):
        out.append(f"# {_text(table.one('caption'))}")
        out.append(" | ".join(_text(th) for th in table.one("thead").all("th")))
        out += [
            " | ".join(_text(td) for td in tr.child_elements("td")) for tr in table.all("tr")[1:]
        ]
    note = [p for p in page.by_id("ranking").all("p") if "small" in p.classes]
    out += [_text(p) for p in note]
    cascades = next((e for e in page.iter("section") if e.attrs.get("id") == "cascades"), None)
    if cascades is not None:
        out.append("## cascade footnote")
        out += [_text(p) for p in cascades.all("p") if "small" in p.classes]
    grids = page.all("table", "cas-grid")
    if grids:
        out.append("## cascades between levels")
        for g in grids:
            out.append(f"# {_text(g.one('caption'))}")
            out += [" | ".join(_text(c) for c in tr.child_elements()) for tr in g.all("tr")]
    return "\n".join(out) + "\n"


def files() -> list[tuple[str, str, Path]]:
    """(example path, language, golden file) of every golden file."""
    return [(str(p), lang, HERE / f"{Path(p).stem}-{lang}.txt") for p in EXAMPLES for lang in LANGS]


def main() -> int:
    for path, lang, target in files():
        target.write_text(sections(path, lang), encoding="utf-8")
        print(f"wrote {target.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
