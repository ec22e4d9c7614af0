"""What the HTML report's own print styles say about its elements, for outputs that do not lay
out CSS (the Word document): which elements are not printed (``display: none``) and which
lists carry no markers (``list-style: none``, their items are numbered in the text)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tinycss2
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

_SPACED = {"flex", "grid", "inline-flex", "inline-grid"}


@dataclass
class PrintRules:
    hidden: set[HtmlElement] = field(default_factory=set)
    unmarked: set[HtmlElement] = field(default_factory=set)
    blocks: set[HtmlElement] = field(default_factory=set)
    """Elements the styles lay out as blocks (``display: block``, ``flex``, ``grid``)."""
    spaced: set[HtmlElement] = field(default_factory=set)
    """Flex and grid containers: their items stand apart (a gap), so their texts need a space."""


def _rules(nodes: list[Any]) -> Iterator[tuple[str, list[Any]]]:
    """(selector, declarations) of the rules for every medium and for print."""
    for node in nodes:
        if node.type == "qualified-rule":
            yield tinycss2.serialize(node.prelude).strip(), node.content
        elif node.type == "at-rule" and node.lower_at_keyword == "media" and node.content:
            media = tinycss2.serialize(node.prelude).lower()
            if "print" in media or "all" in media:
                inner = tinycss2.parse_rule_list(node.content, True, True)
                yield from _rules(inner)


def _says(declarations: list[Any], names: tuple[str, ...], values: set[str]) -> bool:
    for decl in tinycss2.parse_declaration_list(declarations, True, True):
        if decl.type == "declaration" and decl.lower_name in names:
            words = tinycss2.serialize(decl.value).lower().split()
            if values & set(words):
                return True
    return False


def print_rules(root: HtmlElement) -> PrintRules:
    """The elements the page's ``<style>`` hides in print, and its lists without markers."""
    out = PrintRules()
    for style in root.iter("style"):
        sheet = tinycss2.parse_stylesheet(style.text or "", True, True)
        for selector, declarations in _rules(sheet):
            hide = _says(declarations, ("display",), {"none"})
            plain = _says(declarations, ("list-style", "list-style-type"), {"none"})
            spaced = _says(declarations, ("display",), _SPACED)
            block = _says(declarations, ("display",), {"block", "flex", "grid", "list-item"})
            if not (hide or plain or spaced or block):
                continue
            for one in selector.split(","):
                if ":" in one:  # pseudo-classes and pseudo-elements: not a printed element
                    continue
                try:
                    matched = CSSSelector(one.strip())(root)
                except Exception:  # a selector lxml cannot read matches nothing here
                    continue
                if not isinstance(matched, list):
                    continue
                found = [el for el in matched if isinstance(el, HtmlElement)]
                if hide:
                    out.hidden.update(found)
                if block:
                    out.blocks.update(found)
                if spaced:
                    out.spaced.update(found)
                if plain:
                    out.unmarked.update(el for el in found if el.tag in ("ul", "ol"))
    return out
