"""How the terminal UI styles bands and changes (words and figures come from `present.py`): Rich `Text`,
never markup strings (titles may hold `[`).

A band is always its word on a coloured badge, so it reads without colour (monochrome terminals,
colour-blind readers) and the badge colours are fixed, so they read the same on light and dark themes.
"""

from __future__ import annotations

from rich.text import Text

from ..present import BAND_WORDS, band_word, change_words

BAND_STYLES: dict[str | None, str] = {
    "green": "bold #ffffff on #1b6e2f",
    "amber": "bold #000000 on #f2a900",
    "red": "bold #ffffff on #b3261e",
    "no_data": "italic",
    None: "dim",
}
# Lines and markers on the trend chart, readable on both themes.
CHART_STYLES: dict[str, str] = {
    "value": "#3a86ff",
    "green": "#2e9e4f",
    "amber": "#e0a000",
    "red": "#d0342c",
    "target": "#2e9e4f",
    "floor": "#d0342c",
}


def band_text(rag: str | None, rated: bool = True) -> Text:
    """`Red` on a red badge; `Activity` (unrated) dim; `No data` in italics."""
    if not rated:
        return Text(band_word(rag, rated), style="dim")
    word = BAND_WORDS[rag]
    if rag in ("green", "amber", "red"):
        return Text(f" {word:<5} ", style=BAND_STYLES[rag])  # one width for all three: columns line up
    return Text(word, style=BAND_STYLES.get(rag, ""))


def change_text(change: str | None) -> Text:
    style = {"improved": "bold", "declined": "bold"}.get(change or "", "")
    return Text(change_words(change), style=style)


def ellipsis(text: str, width: int) -> str:
    if width <= 1 or len(text) <= width:
        return text
    return text[: width - 1].rstrip() + "…"
