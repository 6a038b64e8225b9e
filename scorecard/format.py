"""Plain-text tables for the command line: aligned columns, bands in words."""

from __future__ import annotations

from collections.abc import Sequence

from .engine.coverage import describe_all
from .engine.results import BandChanges, MeasureRating, ScorecardRating, Trend
from .present import ACTIVITY, BAND_LETTERS, band_word, change_words, figure, month_label
from .textfit import fit_table, prose, wrap_room


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


def rating_table(r: ScorecardRating, organisation: str, width: int | None = None) -> str:
    """The rating as a table. `width`: the terminal's; titles wrap to fit it and figures never do.
    On a narrow terminal the units move from the values to the titles (they are words) and then,
    if still needed, the Change column goes (the two bands say it)."""
    month = month_label(r.period)
    out = [prose(f"{organisation} · {r.title} ({r.scorecard}) · {month}", width),
           prose(summary_sentence(r, month), width)]
    if r.datasets:  # SPEC section 7: what the data covers
        out.append(prose("Data: " + describe_all(r.datasets), width, indent=6))
    out.append("")
    headers = ["Measure", "Value", "Band", "Target", "Floor", "Previous", "Prev band", "Change"]
    restated = any(m.restated for m in r.measures)  # SPEC section 7: the published figure beside a restated one
    for units_in_value, with_change in ((True, True), (False, True), (False, False)):
        rows = _rating_rows(r, units_in_value, with_change)
        shown = headers if with_change else headers[:-1]
        if restated:
            shown = [*shown, "Published"]
            marks = iter([published_cell(m) for m in r.measures])
            rows = [[*row, next(marks) if not row[0].startswith("[") else ""] for row in rows]
        if width is None or wrap_room(shown, rows, width) >= MIN_TITLE_ROOM:
            break
    out.append(fit_table(shown, rows, width, wrap=(0,), right=(1, 3, 4, 5)))
    warned = [m for m in r.measures if m.warnings]
    if warned:
        out.append("")
        out.append("Warnings:")
        for m in warned:
            for w in m.warnings:
                out.append(f"  {m.id}: {w}")
    return "\n".join(out)


MIN_TITLE_ROOM = 24  # the measure column's width below which the rating table gives up a column's room


def _rating_rows(r: ScorecardRating, units_in_value: bool, with_change: bool) -> list[list[str]]:
    rows = []
    section = None
    for m in r.measures:
        if m.section != section:
            section = m.section
            rows.append([f"[{section}]", *[""] * (7 if with_change else 6)])
        prev = m.previous
        unit = "" if m.unit in (None, "%") else m.unit
        row = [
            f"  {m.id}  {m.title}" + ("" if units_in_value or not unit else f" ({unit})"),
            figure(m.value, m.decimals, m.unit, with_unit=units_in_value),
            band_word(m.rag) if m.rated else f"({ACTIVITY.lower()})",
            figure(m.target, m.decimals, m.unit, with_unit=False),
            figure(m.floor, m.decimals, m.unit, with_unit=False),
            figure(prev.value, m.decimals, m.unit, with_unit=False) if prev else "-",
            (band_word(prev.rag) if prev and m.rated else "-"),
        ]
        rows.append([*row, change_words(m.change)] if with_change else row)
    return rows


def published_cell(m: MeasureRating) -> str:
    """`75.0% Amber (v1)` for a restated measure: its figure as published."""
    if not m.restated or m.published is None:
        return ""
    p = m.published
    band = f" {band_word(p.rag)}" if p.rag else ""
    return f"{figure(p.value, m.decimals, m.unit)}{band} (v{p.version})"


def changes_table(c: BandChanges, width: int | None = None) -> str:
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
        out.append(fit_table(["Measure", "Band", "From", "To", "Target"], rows, width, wrap=(0,), right=(2, 3, 4)))
    return "\n".join(out)


def trend_table(t: Trend, first: int = 0, width: int | None = None) -> str:
    """Values and bands from `t.periods[first]` on; periods that do not fit `width` beside the ids go
    on in another block below (numbers never wrap)."""
    if not t.periods:
        return "No data"
    periods = t.periods[first:]
    cells: dict[str, list[str]] = {}
    for m in t.measures:
        row = []
        for v, rag in zip(m.values[first:], m.rags[first:], strict=True):
            mark = BAND_LETTERS.get(rag, "")
            row.append(figure(v, m.decimals, m.unit, with_unit=False) + (f" {mark}" if mark else ""))
        cells[m.id] = row
    note = f"Trend, {t.scorecard}: {len(t.periods)} periods with data, {t.periods[0]} to {t.periods[-1]}"
    if first:
        note += f"; {len(periods)} shown from {periods[0]} (--last N or --from P for others; --format json has all)"
    id_width = max([len("Measure"), *(len(m.id) for m in t.measures)])
    col = [max([len(p), *(len(cells[m.id][k]) for m in t.measures)]) for k, p in enumerate(periods)]
    blocks: list[list[int]] = [[]]
    used = id_width
    for k, w in enumerate(col):
        if blocks[-1] and width is not None and used + 2 + w > width:
            blocks.append([])
            used = id_width
        blocks[-1].append(k)
        used += 2 + w
    out = [prose(note, width), "G Green, A Amber, R Red"]
    for ks in blocks:
        headers = ["Measure", *[periods[k] for k in ks]]
        rows = [[m.id, *[cells[m.id][k] for k in ks]] for m in t.measures]
        out += ["", table(headers, rows, right=tuple(range(1, len(headers))))]
    return "\n".join(out)
