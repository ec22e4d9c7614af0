"""The Word report: the HTML report's structure as a Word document that ministries edit.

:func:`render_docx` reads the rendered HTML report (:func:`nsra.report.html.render_report`)
and writes its structure with python-docx: headings as Word heading styles (a navigable
outline, and a table of contents field), paragraphs with bold and italic runs, lists as list
styles, tables as Word tables whose header rows repeat on every page, and the figures (inline
SVG) as embedded PNG pictures (rendered by resvg, offline) with the figure's accessible name as
alt text. The classification label (as the report's band shows it) is in every page's header
and footer, with "page x of y". Nothing depends on one section of the report.
"""

from __future__ import annotations

import io
import re
from typing import cast

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.shared import Inches, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree
from lxml.html import HtmlElement

from nsra import i18n
from nsra.model.text import DEFAULT_LANG
from nsra.report.markup import HEADINGS, classes, classification, parse, squash, text_of, title
from nsra.report.printcss import PrintRules, print_rules

BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "details", "div", "dl", "figure",
        "figcaption", "footer", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "ul", *HEADINGS,
    }
)  # fmt: skip
SKIPPED = frozenset({"script", "style", "template", "button", "input", "select", "textarea"})
TEXT_WIDTH_IN = 6.69  # A4 (8.27 in) less two 20 mm margins
ICON_PX = 32  # smaller SVGs are icons beside text, not figures
PX_PER_IN = 96
RASTER_ZOOM = 2.0  # pictures at twice their CSS size: sharp on screen and paper

_SVG_CASE = {
    name.lower(): name
    for name in (
        "viewBox", "preserveAspectRatio", "textLength", "lengthAdjust", "gradientUnits",
        "gradientTransform", "patternUnits", "patternTransform", "patternContentUnits",
        "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "stdDeviation",
        "clipPathUnits", "spreadMethod", "linearGradient", "radialGradient", "clipPath",
        "textPath", "foreignObject", "baseProfile", "startOffset", "maskUnits",
    )
}  # fmt: skip
_SVG_NAMES = re.compile(r"(?<=[\s<])(" + "|".join(_SVG_CASE) + r")(?=[\s=>/])")


class _Box:
    """Where blocks go: the document body or a table cell (whose first, empty paragraph is
    used before adding more)."""

    def __init__(
        self, target: DocxDocument | _Cell, ids: dict[str, str], table_style: str | None = None
    ) -> None:
        self.target = target
        self.ids = ids
        self.fresh = isinstance(target, _Cell)
        self.style = table_style
        # the body's own section properties: new blocks go just before them (python-docx
        # looks for them through the whole body at every paragraph, quadratic in its length)
        self.end = None if isinstance(target, _Cell) else target.element.body.sectPr
        self.width = None if isinstance(target, _Cell) else target._block_width

    def paragraph(self, style: str | None = None) -> Paragraph:
        style = style or self.style
        if self.fresh and isinstance(self.target, _Cell):
            self.fresh = False
            p: Paragraph = self.target.paragraphs[0]
        elif self.end is not None and isinstance(self.target, DocxDocument):
            new = cast(CT_P, OxmlElement("w:p"))
            self.end.addprevious(new)
            p = Paragraph(new, self.target._body)
        else:
            p = self.target.add_paragraph()
        if style:
            # the style's id set directly: python-docx looks a name up through every style
            p._p.style = self.ids[style]
        return p

    def table(self, rows: int, cols: int) -> Table:
        self.fresh = False
        if (
            self.end is not None
            and self.width is not None
            and isinstance(self.target, DocxDocument)
        ):
            tbl = CT_Tbl.new_tbl(rows, cols, self.width)
            self.end.addprevious(tbl)
            return Table(tbl, self.target._body)
        made: Table = self.target.add_table(rows, cols)
        return made


def svg_png(svg: str) -> bytes:
    """An SVG drawing as a PNG picture (white background, twice its size)."""
    import resvg_py

    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg,
            background="#ffffff",
            zoom=RASTER_ZOOM,
            sans_serif_family="Liberation Sans",
        )
    )


def _svg_source(el: HtmlElement) -> str:
    """The SVG element as standalone SVG text (the HTML parser lower-cased its names)."""
    text = etree.tostring(el, encoding="unicode", method="xml", with_tail=False)
    text = _SVG_NAMES.sub(lambda m: _SVG_CASE[m.group(1)], text)
    if "xmlns=" not in text.split(">", 1)[0]:
        text = text.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return text


def _px(value: str | None) -> float | None:
    if not value:
        return None
    m = re.match(r"\s*([0-9.]+)\s*(px)?\s*$", value)
    return float(m.group(1)) if m else None


def _svg_size(el: HtmlElement) -> tuple[float, float] | None:
    w, h = _px(el.get("width")), _px(el.get("height"))
    box = (el.get("viewbox") or "").replace(",", " ").split()
    if (w is None or h is None) and len(box) == 4:
        bw, bh = float(box[2]), float(box[3])
        if w is None and h is None:
            w, h = bw, bh
        elif w is None and h is not None and bh:
            w = h * bw / bh
        elif h is None and w is not None and bw:
            h = w * bh / bw
    return (w, h) if w and h else None


def _alt(el: HtmlElement) -> str:
    """The accessible name of a figure: its aria-label, its <title>, or its caption."""
    label = el.get("aria-label")
    if label:
        return squash(label)
    for child in el:
        if child.tag == "title" and child.text:
            return squash(child.text)
    fig = next((a for a in el.iterancestors("figure")), None)
    if fig is not None:
        cap = fig.find(".//figcaption")
        if cap is not None:
            return text_of(cap)
    return ""


def _set_alt(paragraph: Paragraph, alt: str) -> None:
    for pr in paragraph._p.iter(qn("wp:docPr")):
        pr.set("descr", alt)
        pr.set("title", alt[:250])


def _field(paragraph: Paragraph, code: str, shown: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC) in ``paragraph``, showing ``shown`` until updated."""

    def char(kind: str) -> None:
        r = paragraph.add_run()
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        r._r.append(fc)

    char("begin")
    r = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    r._r.append(instr)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def _repeat_header(row_el: object) -> None:
    tr = row_el._tr  # type: ignore[attr-defined]
    pr = tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    pr.append(flag)


def _shade(cell: _Cell, fill: str) -> None:
    pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    pr.append(shd)


class _Writer:
    def __init__(self, root: HtmlElement, lang: str) -> None:
        self.root = root
        self.lang = lang
        self.rules: PrintRules = print_rules(root)
        self.doc = Document()
        self.toc_done = False
        self.figures = 0
        self.depth = 0  # of nested lists
        self.items: list[str] = [""]  # "item" in a list item, "card" in a small card

    # -- inline content -------------------------------------------------------------------
    def _inline(
        self, el: HtmlElement, box: _Box, para: list[Paragraph | None], style: str | None,
        bold: bool = False, italic: bool = False,
    ) -> None:  # fmt: skip
        """Add ``el``'s text and inline children to the open paragraph ``para[0]`` (opened in
        ``style`` when needed); block children close it and are written as blocks."""

        def run(text: str, b: bool, i: bool) -> None:
            if not text:
                return
            target = para[0]
            if target is None:
                if not text.strip():
                    return
                text = text.lstrip()
                target = para[0] = box.paragraph(style)
            r = target.add_run(re.sub(r"\s+", " ", text))
            if b:
                r.bold = True
            if i:
                r.italic = True

        run(el.text or "", bold, italic)
        gap = el in self.rules.spaced
        for child in el:
            if gap and para[0] is not None and para[0].text and not para[0].text[-1].isspace():
                para[0].add_run(" ")
            if isinstance(child.tag, str) and not self._skip(child):
                tag = child.tag
                if tag == "br":
                    if para[0] is not None:
                        para[0].add_run().add_break()
                elif tag == "svg":
                    self._svg(child, box, para, style)
                elif child.get("role") == "img" and child.get("aria-label"):
                    run(f" ({squash(child.get('aria-label', ''))}) ", bold, italic)
                elif self._blocky(child) and self.items[-1] and tag not in ("ul", "ol", "table"):
                    # a block inside a list item: the same item, on a new line
                    if para[0] is not None and para[0].text.strip():
                        if self.items[-1] == "card":
                            para[0].add_run(" ")
                        else:
                            para[0].add_run().add_break()
                    self._inline(child, box, para, style, bold, italic)
                elif self._blocky(child) and _small_card(child):
                    # a few short lines (a key figure and its label) read as one line
                    self.items.append("card")
                    self._inline(child, box, para, style, bold, italic)
                    self.items.pop()
                    para[0] = None
                elif tag not in BLOCKS and child in self.rules.blocks:
                    para[0] = None  # an inline element the styles show as a block: a new line
                    self._inline(child, box, para, style, bold, italic)
                    para[0] = None
                elif tag in BLOCKS:
                    para[0] = None
                    self.items.append("")
                    self._block(child, box)
                    self.items.pop()
                else:
                    b = bold or tag in ("strong", "b", "th")
                    i = italic or tag in ("em", "i", "cite")
                    self._inline(child, box, para, style, b, i)
            run(child.tail or "", bold, italic)

    def _blocky(self, el: HtmlElement) -> bool:
        return el.tag in BLOCKS or el in self.rules.blocks

    def _skip(self, el: HtmlElement) -> bool:
        return (
            el.tag in SKIPPED
            or (el in self.rules.hidden and el.tag != "nav")
            or el.get("hidden") is not None
            or (el.tag != "svg" and el.get("aria-hidden") == "true")
            or "classification" in classes(el)
        )

    # -- blocks ---------------------------------------------------------------------------
    def flow(self, el: HtmlElement, box: _Box, style: str | None = None) -> None:
        """``el``'s content: runs of inline content as paragraphs, block children as blocks."""
        self._inline(el, box, [None], style)

    def _block(self, el: HtmlElement, box: _Box) -> None:
        tag = el.tag
        if tag in HEADINGS:
            level = int(tag[1])
            text = text_of(el)
            if text:
                box.paragraph(f"Heading {level}").add_run(text)
        elif tag in ("ul", "ol"):
            self._list(el, box)
        elif tag == "table":
            self._table(el, box)
        elif tag == "nav":
            self._toc(box)
        elif tag == "figcaption":
            self.flow(el, box, "Caption")
        elif tag == "dl":
            self._dl(el, box)
        elif tag == "summary":
            self._inline(el, box, [None], None, bold=True)
        elif tag == "hr":
            return
        else:
            self.flow(el, box, box.style)

    def _list(self, el: HtmlElement, box: _Box) -> None:
        marked = el not in self.rules.unmarked
        kind = "List Number" if el.tag == "ol" else "List Bullet"
        self.depth += 1
        depth = min(self.depth, 3)
        style = (kind if depth == 1 else f"{kind} {depth}") if marked else box.style
        for li in el:
            if li.tag == "li" and not self._skip(li):
                self.items.append("item")
                self._inline(li, box, [None], style)
                self.items.pop()
        self.depth -= 1

    def _dl(self, el: HtmlElement, box: _Box) -> None:
        para: Paragraph | None = None
        for child in el:
            if child.tag == "dt":
                para = box.paragraph(box.style)
                para.add_run(text_of(child) + ": ").bold = True
            elif child.tag == "dd":
                if para is None:
                    para = box.paragraph(box.style)
                self._inline(child, box, [para], box.style)
                para = None

    def _toc(self, box: _Box) -> None:
        """The HTML page's contents become Word's table of contents field (filled when the
        fields are updated; Word asks when the document opens)."""
        if self.toc_done or box.style is not None:
            return
        self.toc_done = True
        box.paragraph("TOC Heading").add_run(i18n.t("contents", self.lang))
        _field(box.paragraph(), 'TOC \\o "1-3" \\h \\z \\u', i18n.t("docx_toc_hint", self.lang))

    def _svg(
        self, el: HtmlElement, box: _Box, para: list[Paragraph | None], style: str | None
    ) -> None:
        size = _svg_size(el)
        if size is None or max(size) < ICON_PX or el.get("aria-hidden") == "true":
            return
        try:
            png = svg_png(_svg_source(el))
        except ValueError:
            return
        limit = TEXT_WIDTH_IN if box.style is None else TEXT_WIDTH_IN / 3
        width = min(size[0] / PX_PER_IN, limit)
        self.figures += 1
        alt = _alt(el) or f"{i18n.t('docx_figure', self.lang)} {self.figures}"
        inline = size[0] < 200 and para[0] is not None
        target = para[0] if inline and para[0] is not None else box.paragraph(style)
        target.add_run().add_picture(io.BytesIO(png), width=Inches(width))
        _set_alt(target, alt)
        if not inline:
            para[0] = None

    def _table(self, el: HtmlElement, box: _Box) -> None:
        rows = [tr for tr in el.iter("tr") if _owner(tr) is el]
        if not rows:
            return
        caption = el.find("caption")
        if caption is not None:
            self.flow(caption, box, "Caption")
        grid: dict[tuple[int, int], HtmlElement] = {}
        spans: list[tuple[int, int, int, int]] = []
        taken: set[tuple[int, int]] = set()
        ncols = 0
        for r, tr in enumerate(rows):
            c = 0
            for cell in tr:
                if cell.tag not in ("td", "th"):
                    continue
                while (r, c) in taken:
                    c += 1
                cs = max(1, int(cell.get("colspan") or 1))
                rs = max(1, min(int(cell.get("rowspan") or 1), len(rows) - r))
                grid[r, c] = cell
                for dr in range(rs):
                    for dc in range(cs):
                        taken.add((r + dr, c + dc))
                if cs > 1 or rs > 1:
                    spans.append((r, c, r + rs - 1, c + cs - 1))
                c += cs
            ncols = max(ncols, c, *(cc + 1 for rr, cc in taken if rr == r))
        header = [
            _owner(tr) is el and (tr.getparent().tag == "thead" or _all_th(tr)) for tr in rows
        ]
        n_head = 0
        while n_head < len(rows) and header[n_head]:
            n_head += 1
        table = box.table(len(rows), max(ncols, 1))
        table.style = "Table Grid"
        for r0, c0, r1, c1 in spans:
            table.rows[r0].cells[c0].merge(table.rows[r1].cells[c1])  # not table.cell: O(table)
        for r, row in enumerate(table.rows):
            cells = row.cells
            if r < n_head:
                _repeat_header(row)
            for c in range(len(cells)):
                src = grid.get((r, c))
                if src is None:
                    continue
                inner = _Box(cells[c], box.ids, "Table Text")
                if r < n_head:
                    _shade(cells[c], "E9EDF2")
                self.items.append("")
                self._inline(src, inner, [None], "Table Text", bold=r < n_head)
                self.items.pop()

    def write(self) -> bytes:
        doc = self.doc
        self._setup(doc)
        body = self.root.find("body")
        ids = {st.name: st.style_id for st in doc.styles if st.name}
        self.flow(body if body is not None else self.root, _Box(doc, ids))
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    def _setup(self, doc: DocxDocument) -> None:
        label = classification(self.root)
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Mm(20))
        section.top_margin = section.bottom_margin = Mm(20)
        normal = doc.styles["Normal"]
        normal.font.name = "Liberation Sans"
        normal.font.size = Pt(10)
        lang_el = normal.element.get_or_add_rPr()
        tag = OxmlElement("w:lang")
        tag.set(qn("w:val"), _word_lang(self.lang))
        lang_el.append(tag)
        table_text = doc.styles.add_style("Table Text", 1)
        table_text.base_style = normal
        table_text.font.size = Pt(8)
        table_text.paragraph_format.space_after = Pt(0)
        head = section.header.paragraphs[0]
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._marking(head, label)
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._marking(foot, label)
        pages = section.footer.add_paragraph()
        pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        words = i18n.t("pdf_page_of", self.lang, page="\0page\0", pages="\0pages\0")
        for piece in words.split("\0"):
            if piece == "page":
                _field(pages, "PAGE", "1")
            elif piece == "pages":
                _field(pages, "NUMPAGES", "1")
            elif piece:
                pages.add_run(piece)
        for r in pages.runs:
            r.font.size = Pt(8)
        settings = doc.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)
        props = doc.core_properties
        props.title = title(self.root)
        props.language = self.lang
        props.subject = label
        props.keywords = label
        props.author = "nsra"

    @staticmethod
    def _marking(p: Paragraph, label: str) -> None:
        r = p.add_run(label.upper())
        r.bold = True
        r.font.size = Pt(8)
        r.font.color.rgb = RGBColor(0x1B, 0x24, 0x30)


def _small_card(el: HtmlElement) -> bool:
    """A block of two or three short blocks of text only (a key figure and its label)."""
    kids = [c for c in el if isinstance(c.tag, str)]
    if not 2 <= len(kids) <= 3 or el.tag not in ("div", "section"):
        return False
    if any(
        k.tag != "div" or any(isinstance(g.tag, str) and g.tag in BLOCKS for g in k) for k in kids
    ):
        return False
    return len(text_of(el)) <= 60


def _owner(tr: HtmlElement) -> HtmlElement | None:
    return next(iter(tr.iterancestors("table")), None)


def _all_th(tr: HtmlElement) -> bool:
    cells = [c for c in tr if c.tag in ("td", "th")]
    return bool(cells) and all(c.tag == "th" for c in cells) and tr.getparent().tag != "tbody"


def _word_lang(lang: str) -> str:
    return {"en": "en-GB", "nl": "nl-NL", "fr": "fr-BE"}.get(lang, lang)


def render_docx(page: str, lang: str | None = None) -> bytes:
    """The Word document (.docx) of the rendered HTML report ``page``, its own words in
    ``lang`` (by default the page's language)."""
    root = parse(page)
    writer = _Writer(root, lang or root.get("lang") or DEFAULT_LANG)
    return writer.write()
