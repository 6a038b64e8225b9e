"""How the terminal UI writes figures and bands: Rich `Text`, never markup strings (titles may hold `[`).

A band is always its word on a coloured badge, so it reads without colour (monochrome terminals,
colour-blind readers) and the badge colours are fixed, so they read the same on light and dark themes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from rich.text import Text

from ..engine.results import PeriodResult
from ..format import BAND_WORDS, month_name, number

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
BAND_LETTERS = {"green": "G", "amber": "A", "red": "R", "no_data": "-"}
CHANGE_WORDS = {"improved": "▲ improved", "declined": "▼ declined", "unchanged": "= unchanged", None: ""}
WINDOW_WORDS = {
    "month": "in the month",
    "snapshot": "snapshot (last working day of the month)",
    "ytd": "year-to-date",
    "rolling12": "rolling 12 months",
}
# Sort order of bands: the worst first.
BAND_RANK = {"red": 0, "amber": 1, "green": 2, "no_data": 3, None: 4}


def band_word(rag: str | None, rated: bool = True) -> str:
    if not rated:
        return "activity"
    return BAND_WORDS[rag]


def band_text(rag: str | None, rated: bool = True) -> Text:
    """`Red` on a red badge; `activity` (unrated) dim; `No data` in italics."""
    if not rated:
        return Text("activity", style="dim")
    word = BAND_WORDS[rag]
    if rag in ("green", "amber", "red"):
        return Text(f" {word:<5} ", style=BAND_STYLES[rag])  # one width for all three: columns line up
    return Text(word, style=BAND_STYLES.get(rag, ""))


def unit_suffix(unit: str | None) -> str:
    return "" if unit in (None, "%") else f" {unit}"


def figure(value: float | int | None, decimals: int, unit: str | None, with_unit: bool = False) -> str:
    """A value as the papers print it: `60.0%`, `12.5`, `122` (with_unit: `12.5 per 10,000`)."""
    text = number(value, decimals, unit)
    if with_unit and value is not None:
        text += unit_suffix(unit)
    return text


def count(value: float | int | None) -> str:
    """Numerators and denominators: whole numbers with thousands separators, or as they are."""
    if value is None:
        return "-"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def change_text(change: str | None) -> Text:
    word = CHANGE_WORDS[change]
    style = {"improved": "bold", "declined": "bold"}.get(change or "", "")
    return Text(word, style=style)


def period_words(period: str) -> str:
    return month_name(period)


def result_line(r: PeriodResult, decimals: int, unit: str | None) -> Text:
    """`12.5 per 10,000  Red` for one period's result."""
    out = Text(figure(r.value, decimals, unit, with_unit=True))
    out.append("  ")
    out.append_text(band_text(r.rag, r.target is not None))
    return out


def ellipsis(text: str, width: int) -> str:
    if width <= 1 or len(text) <= width:
        return text
    return text[: width - 1].rstrip() + "…"


def local_time(written_at: str, timezone: str) -> str:
    """A stored UTC time (ISO 8601) in the organisation's timezone: `22 Nov 2017 09:15`."""
    try:
        when = dt.datetime.fromisoformat(written_at)
    except ValueError:
        return written_at
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%-d %b %Y %H:%M")
