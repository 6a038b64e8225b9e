"""Plain-text tables for the command line: aligned columns, bands in words."""

from __future__ import annotations

from collections.abc import Sequence

from .engine.results import BandChanges, ScorecardRating, Trend
from .textfit import fit_table, wrap_room

BAND_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", "no_data": "No data", None: "-"}
CHANGE_ARROWS = {"improved": "▲ improved", "declined": "▼ declined", "unchanged": "= unchanged", None: ""}


def column_label(name: str) -> str:
    """A data column's name as a heading: `age_band` reads "age band"."""
    return name.replace("_", " ")


def number(value: float | int | None, decimals: int = 1, unit: str | None = None) -> str:
    if value is None:
        return "-"
    text = f"{value:,.{decimals}f}"
    if unit == "%":
        return text + "%"
    return text


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


def month_name(period: str) -> str:
    import calendar

    year, month = period.split("-")
    return f"{calendar.month_name[int(month)]} {year}"


def rating_table(r: ScorecardRating, organisation: str, width: int | None = None) -> str:
    """The rating as a table. `width`: the terminal's; titles wrap to fit it and figures never do.
    On a narrow terminal the units move from the values to the titles (they are words) and then,
    if still needed, the Change column goes (the two bands say it)."""
    out = [f"{organisation} · {r.title} ({r.scorecard}) · {month_name(r.period)}", summary_sentence(r, month_name(r.period)), ""]
    headers = ["Measure", "Value", "Band", "Target", "Floor", "Previous", "Prev band", "Change"]
    for units_in_value, with_change in ((True, True), (False, True), (False, False)):
        rows = _rating_rows(r, units_in_value, with_change)
        shown = headers if with_change else headers[:-1]
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
        unit = "" if m.unit in (None, "%") else f" {m.unit}"
        row = [
            f"  {m.id}  {m.title}" + ("" if units_in_value or not unit else f" ({unit.strip()})"),
            number(m.value, m.decimals, m.unit) + (unit if units_in_value else ""),
            BAND_WORDS[m.rag] if m.target is not None else "(activity)",
            number(m.target, m.decimals, m.unit),
            number(m.floor, m.decimals, m.unit),
            number(prev.value, m.decimals, m.unit) if prev else "-",
            (BAND_WORDS[prev.rag] if prev and m.target is not None else "-"),
        ]
        rows.append([*row, CHANGE_ARROWS[m.change]] if with_change else row)
    return rows


def changes_table(c: BandChanges, width: int | None = None) -> str:
    out = [f"Band changes, {c.scorecard}: {month_name(c.from_period)} to {month_name(c.to_period)}"]
    for title, items in (("Improved", c.improved), ("Declined", c.declined)):
        out.append("")
        out.append(f"{title} ({len(items)})")
        if not items:
            out.append("  none")
            continue
        rows = [[
            f"  {x.id}  {x.title}", f"{BAND_WORDS[x.from_rag]} → {BAND_WORDS[x.to_rag]}",
            number(x.from_value, x.decimals, x.unit), number(x.to_value, x.decimals, x.unit),
            number(x.target, x.decimals, x.unit),
        ] for x in items]
        out.append(fit_table(["Measure", "Band", "From", "To", "Target"], rows, width, wrap=(0,), right=(2, 3, 4)))
    return "\n".join(out)


def trend_table(t: Trend, decimals: dict[str, int], first: int = 0, width: int | None = None) -> str:
    """Values and bands from `t.periods[first]` on; periods that do not fit `width` beside the ids go
    on in another block below (numbers never wrap)."""
    periods = t.periods[first:]
    cells: dict[str, list[str]] = {}
    for m in t.measures:
        row = []
        for v, rag in zip(m.values[first:], m.rags[first:], strict=True):
            mark = {"green": "G", "amber": "A", "red": "R", "no_data": "-"}.get(rag or "", "")
            row.append(("-" if v is None else f"{v:,.{decimals.get(m.id, 1)}f}") + (f" {mark}" if mark else ""))
        cells[m.id] = row
    if not t.periods:
        return "No data"
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
    out = [note, "G Green, A Amber, R Red"]
    for ks in blocks:
        headers = ["Measure", *[periods[k] for k in ks]]
        rows = [[m.id, *[cells[m.id][k] for k in ks]] for m in t.measures]
        out += ["", table(headers, rows, right=tuple(range(1, len(headers))))]
    return "\n".join(out)
