"""Plain-text tables for the command line: aligned columns, bands in words."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from .engine.coverage import describe_all
from .engine.results import BandChanges, MeasureRating, ScorecardRating, Trend
from .present import ACTIVITY, BAND_LETTERS, band_word, change_words, figure, month_label

MEASURE_WIDTH = 72  # a long measure title wraps onto indented lines so the figures stay on screen


def wrapped_rows(rows: Sequence[Sequence[str]], width: int = MEASURE_WIDTH) -> list[list[str]]:
    """Rows whose first cell is longer than `width` become several lines: the figures on the first,
    the rest of the title below it, indented, with the other cells empty."""
    out: list[list[str]] = []
    for r in rows:
        first = r[0]
        if len(first) <= width:
            out.append(list(r))
            continue
        indent = " " * (len(first) - len(first.lstrip()))
        lines = textwrap.wrap(first.strip(), width=width, initial_indent=indent, subsequent_indent=indent + "    ")
        out.append([lines[0], *r[1:]])
        out.extend([line, *[""] * (len(r) - 1)] for line in lines[1:])
    return out


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    widths = [len(h) for h in headers]
    for r in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]

    def line(cells: Sequence[str]) -> str:
        out = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *[line(r) for r in rows]])


def summary_sentence(r: ScorecardRating, month_name: str) -> str:
    s = r.summary
    return (
        f"{month_name}: {s.rated} rated measures, {s.green} Green, {s.amber} Amber, {s.red} Red"
        + (f", {s.no_data} without data" if s.no_data else "")
        + (f" (and {s.measures - s.rated} activity measures)" if s.measures > s.rated else "")
    )


def rating_table(r: ScorecardRating, organisation: str) -> str:
    month = month_label(r.period)
    out = [f"{organisation} · {r.title} ({r.scorecard}) · {month}", summary_sentence(r, month)]
    if r.datasets:  # SPEC section 7: what the data covers
        out.append("Data: " + describe_all(r.datasets))
    out.append("")
    rows = []
    section = None
    for m in r.measures:
        if m.section != section:
            section = m.section
            rows.append([f"[{section}]", "", "", "", "", "", "", ""])
        prev = m.previous
        rows.append([
            f"  {m.id}  {m.title}",
            figure(m.value, m.decimals, m.unit),
            band_word(m.rag) if m.rated else f"({ACTIVITY.lower()})",
            figure(m.target, m.decimals, m.unit, with_unit=False),
            figure(m.floor, m.decimals, m.unit, with_unit=False),
            figure(prev.value, m.decimals, m.unit, with_unit=False) if prev else "-",
            (band_word(prev.rag) if prev and m.rated else "-"),
            change_words(m.change),
        ])
    headers = ["Measure", "Value", "Band", "Target", "Floor", "Previous", "Prev band", "Change"]
    if any(m.restated for m in r.measures):  # SPEC section 7: the published figure beside a restated one
        headers.append("Published")
        marks = iter([published_cell(m) for m in r.measures])
        rows = [[*row, next(marks) if not row[0].startswith("[") else ""] for row in rows]
    out.append(table(headers, wrapped_rows(rows), right=(1, 3, 4, 5)))
    warned = [m for m in r.measures if m.warnings]
    if warned:
        out.append("")
        out.append("Warnings:")
        for m in warned:
            for w in m.warnings:
                out.append(f"  {m.id}: {w}")
    return "\n".join(out)


def published_cell(m: MeasureRating) -> str:
    """`75.0% Amber (v1)` for a restated measure: its figure as published."""
    if not m.restated or m.published is None:
        return ""
    p = m.published
    band = f" {band_word(p.rag)}" if p.rag else ""
    return f"{figure(p.value, m.decimals, m.unit)}{band} (v{p.version})"


def changes_table(c: BandChanges) -> str:
    out = [f"Band changes, {c.scorecard}: {month_label(c.from_period)} to {month_label(c.to_period)}"]
    for title, items in (("Improved", c.improved), ("Declined", c.declined)):
        out.append("")
        out.append(f"{title} ({len(items)})")
        if not items:
            out.append("  none")
            continue
        rows = [[
            f"  {x.id}  {x.title}", f"{band_word(x.from_rag)} → {band_word(x.to_rag)}",
            figure(x.from_value, x.decimals, x.unit, with_unit=False), figure(x.to_value, x.decimals, x.unit, with_unit=False),
            figure(x.target, x.decimals, x.unit, with_unit=False),
        ] for x in items]
        out.append(table(["Measure", "Band", "From", "To", "Target"], wrapped_rows(rows), right=(2, 3, 4)))
    return "\n".join(out)


def trend_table(t: Trend, last: int = 13) -> str:
    periods = t.periods[-last:]
    headers = ["Measure", *periods]
    rows = []
    for m in t.measures:
        vals = m.values[-last:]
        rags = m.rags[-last:]
        cells = []
        for v, rag in zip(vals, rags, strict=True):
            mark = BAND_LETTERS.get(rag, "")
            cells.append(figure(v, m.decimals, m.unit, with_unit=False) + (f" {mark}" if mark else ""))
        rows.append([m.id, *cells])
    note = f"Trend, {t.scorecard}: {len(t.periods)} periods from {t.periods[0]} to {t.periods[-1]}" if t.periods else "No data"
    shown = f" (the last {len(periods)} shown; --format json has all)" if len(t.periods) > len(periods) else ""
    return note + shown + "\nG Green, A Amber, R Red\n\n" + table(headers, rows, right=tuple(range(1, len(headers))))
