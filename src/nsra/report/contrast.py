"""Text colours that stay readable on a coloured background (WCAG 2.1 contrast)."""

from __future__ import annotations

DARK = "#1B2430"
LIGHT = "#FFFFFF"


def luminance(colour: str) -> float:
    """The relative luminance of ``#RRGGBB`` (WCAG 2.1)."""
    channels = [int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


AA = 4.5
"""The contrast WCAG 2.1 AA asks of normal text."""


def text_on(background: str) -> str:
    """Dark or white text, whichever contrasts more with ``background``; black where the dark
    ink would fall short of :data:`AA` and black does better."""
    best = DARK if contrast(DARK, background) >= contrast(LIGHT, background) else LIGHT
    if best == DARK and contrast(DARK, background) < AA:
        return "#000000"
    return best
