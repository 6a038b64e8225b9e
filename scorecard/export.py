"""`scorecard export`: the scorecard as tables an analyst can hand on, as an Excel workbook or CSV files.

The tables (`export_tables`) are built once from the engine's results, with every number exactly as
`scorecard rate --format json` and `trend --format json` give it; the writers only lay them out:
`write_xlsx` (openpyxl: numbers as numbers in the measure's decimals, bands as words and as cell
fills, a frozen header) and `write_csv` (one file per table). Nothing here computes a measure.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine.results import MeasureRating, rating_json
from .present import band_word, month_label
from .store import Results


@dataclass
class ExportTable:
    """One sheet (or CSV file): a header row and rows of plain values (str, int, float or None)."""

    name: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    bands: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> band: the cell's fill
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> Excel number format
    widths: dict[int, int] = field(default_factory=dict)  # column -> width in characters


def number_format(decimals: int, unit: str | None) -> str:
    """Excel's format for a measure's figures: its decimals, thousands separated; a percentage is
    held as the figure itself (93.6, not 0.936, as in the JSON) and shown with a % sign."""
    base = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return base + '"%"' if unit == "%" else base


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of []:*?/\\)."""
    name = re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def scorecard_table(name: str, measures: list[MeasureRating], comparators: list[str]) -> ExportTable:
    headers = ["Section", "Id", "Measure", "Value", "Unit", "Band", "Target", "Floor", "Better",
               "Numerator", "Denominator", "Previous period", "Previous value", "Previous band", "Change",
               *comparators, "Warnings"]
    t = ExportTable(name, headers, widths={0: 24, 1: 16, 2: 60, 4: 14, 13: 13, len(headers) - 1: 40})
    col = {h: i for i, h in enumerate(headers)}
    for r, m in enumerate(measures):
        j = rating_json(m)  # the very numbers `scorecard rate --format json` prints
        prev = j["previous"] or {}
        row = [m.section, m.id, m.title, j["value"], m.unit, band_word(m.rag, m.rated), j["target"], j["floor"],
               m.polarity, j["numerator"], j["denominator"], prev.get("period"), prev.get("value"),
               band_word(prev.get("rag"), m.rated) if prev else None, m.change,
               *[j["comparators"].get(c) for c in comparators], "; ".join(m.warnings) or None]
        t.rows.append(row)
        fmt = number_format(m.decimals, m.unit)
        for h in ("Value", "Target", "Floor", "Previous value", *comparators):
            t.formats[(r, col[h])] = fmt
        for h in ("Numerator", "Denominator"):
            t.formats[(r, col[h])] = "#,##0" if isinstance(row[col[h]], int) else "#,##0.##"
        if m.rated and m.rag in ("green", "amber", "red"):
            t.bands[(r, col["Band"])] = m.rag
            t.bands[(r, col["Value"])] = m.rag
        if prev and m.rated and prev.get("rag") in ("green", "amber", "red"):
            t.bands[(r, col["Previous band"])] = prev["rag"]
    return t


def export_tables(engine: Results, scorecard_id: str | None, period: str | None,
                  now: dt.datetime | None = None) -> list[ExportTable]:
    """A table per scorecard for the period (every scorecard, or the one asked for), the trend (every
    period with data) as values and as bands, and the data notes. Raises UsageError as `rate` does."""
    config = engine.config
    chosen = [engine.scorecard(scorecard_id).id] if scorecard_id else [s.id for s in config.scorecards]
    taken: set[str] = set()
    tables: list[ExportTable] = []
    ratings = [engine.rate(sid, period) for sid in chosen]
    for rating in ratings:
        comparators: list[str] = []
        for m in rating.measures:
            comparators += [c for c in m.comparators if c not in comparators]
        tables.append(scorecard_table(sheet_name(rating.scorecard, taken), rating.measures, comparators))
    period = ratings[0].period

    trends = [engine.trend(sid) for sid in chosen]
    periods = trends[0].periods
    seen: set[str] = set()
    decimals = {m.id: (m.decimals, m.unit) for m in config.measures}
    values = ExportTable(sheet_name("Trend", taken), ["Id", "Measure", "Section", *periods], widths={1: 60, 2: 24})
    words = ExportTable(sheet_name("Trend bands", taken), ["Id", "Measure", "Section", *periods], widths={1: 60, 2: 24})
    for trend in trends:
        for m in trend.to_json()["measures"]:
            if m["id"] in seen:
                continue
            seen.add(m["id"])
            source = next(x for x in trend.measures if x.id == m["id"])
            r = len(values.rows)
            rated = any(rag is not None for rag in m["rags"])
            values.rows.append([m["id"], m["title"], source.section, *m["values"]])
            words.rows.append([m["id"], m["title"], source.section,
                               *[None if v is None and rag is None else band_word(rag, rated)
                                 for v, rag in zip(m["values"], m["rags"], strict=True)]])
            fmt = number_format(*decimals[m["id"]])
            for k, rag in enumerate(m["rags"]):
                values.formats[(r, 3 + k)] = fmt
                if rag in ("green", "amber", "red"):
                    values.bands[(r, 3 + k)] = rag
                    words.bands[(r, 3 + k)] = rag
    tables += [values, words]
    tables.append(notes_table(engine, ratings, period, sheet_name("Notes", taken), now))
    return tables


def notes_table(engine: Results, ratings: list, period: str, name: str, now: dt.datetime | None) -> ExportTable:
    """The data notes: what the workbook holds, how to read it, each measure's warnings and every
    data problem found (as `scorecard check` words them)."""
    config = engine.config
    tz = zoneinfo.ZoneInfo(config.organisation.timezone)
    written = (now or dt.datetime.now(dt.UTC)).astimezone(tz)
    t = ExportTable(name, ["Note", "Detail"], widths={0: 18, 1: 110})
    t.rows += [
        ["Organisation", config.organisation.name],
        ["Period", f"{period} ({month_label(period)})"],
        ["Scorecards", "; ".join(f"{r.title} ({r.scorecard})" for r in ratings)],
        ["Written", written.strftime("%Y-%m-%d %H:%M %Z")],
        ["Figures", "as `scorecard rate --format json` gives them, rounded to each measure's decimals; "
                    "a percentage is the figure itself (93.6 is 93.6%)"],
        ["Bands", "Green, Amber, Red as words and as cell fills; Activity: not rated (no target); "
                  "No data: no value for the period"],
        ["Trend", "every period with data: values on one sheet, their bands on the next"],
    ]
    for r in ratings:
        s = r.summary
        t.rows.append(["Summary", f"{r.title}: {s.rated} rated measures, {s.green} Green, {s.amber} Amber, "
                                  f"{s.red} Red, {s.no_data} without data ({s.measures - s.rated} activity measures)"])
    warned: set[tuple[str, str]] = set()
    for r in ratings:
        for m in r.measures:
            for w in m.warnings:
                if (m.id, w) not in warned:
                    warned.add((m.id, w))
                    t.rows.append(["Warning", f"{m.id}: {w}"])
    for line in engine.problem_lines() if engine.has_problems else []:
        t.rows.append(["Data problem", line])
    return t


# -- writers ---------------------------------------------------------------------------------------
FILLS = {"green": ("C6EFCE", "006100"), "amber": ("FFEB9C", "9C5700"), "red": ("FFC7CE", "9C0006")}


def write_xlsx(tables: list[ExportTable], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    fills = {band: (PatternFill("solid", start_color=bg, end_color=bg), Font(color=fg))
             for band, (bg, fg) in FILLS.items()}
    bold = Font(bold=True)
    book = Workbook()
    book.remove(book.active)
    for t in tables:
        sheet = book.create_sheet(t.name)
        sheet.append(t.headers)
        for cell in sheet[1]:
            cell.font = bold
        for row in t.rows:
            sheet.append(row)
        for (r, c), fmt in t.formats.items():
            sheet.cell(row=r + 2, column=c + 1).number_format = fmt
        for (r, c), band in t.bands.items():
            cell = sheet.cell(row=r + 2, column=c + 1)
            cell.fill, cell.font = fills[band]
        for c, header in enumerate(t.headers):
            sheet.column_dimensions[get_column_letter(c + 1)].width = t.widths.get(c, max(10, len(header) + 2))
        # the header row stays put, and on the measure sheets the id and title too
        sheet.freeze_panes = "D2" if "Id" in t.headers[:2] else "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def csv_paths(tables: list[ExportTable], folder: Path) -> list[Path]:
    return [folder / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', t.name).strip('-').lower()}.csv" for t in tables]


def write_csv(tables: list[ExportTable], folder: Path) -> list[Path]:
    """One UTF-8 CSV per table in `folder` (made if missing): numbers as JSON has them, blanks for none."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = csv_paths(tables, folder)
    for t, path in zip(tables, paths, strict=True):
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(t.headers)
            w.writerows([["" if v is None else v for v in row] for row in t.rows])
    return paths
