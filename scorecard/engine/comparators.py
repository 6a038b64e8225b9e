"""Comparator figures (SPEC section 4): one CSV of measure, comparator, period, value (and an optional
`source`, issue 16); a row that does not parse is left out and recorded, and the measure's comparators
may then be older ones."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .calendar import is_period, month_number, period_of
from .config_model import Config
from .csvfile import UnreadableFile
from .datasets import ROW, DataProblem, display_path, read_file


@dataclass
class Comparators:
    """measure -> comparator -> [(absolute month, value)], sorted by month."""

    series: dict[str, dict[str, list[tuple[int, float]]]] = field(default_factory=dict)
    problems: list[DataProblem] = field(default_factory=list)
    left_out: dict[str, list[DataProblem]] = field(default_factory=dict)  # measure id -> its rows left out
    sources: dict[tuple[str, str, int], str] = field(default_factory=dict)  # (measure, comparator, month) -> source

    def left_out_warning(self, measure_id: str) -> str | None:
        """A sentence for a measure whose comparator rows did not parse (its comparators may be older)."""
        rows = self.left_out.get(measure_id)
        if not rows:
            return None
        first = rows[0]
        return (f"{first.file}: {len(rows)} comparator row(s) for this measure left out, so a comparator shown "
                f"may be an older one (first: {first})")

    def at(self, measure_id: str, month: int) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, points in self.series.get(measure_id, {}).items():
            found = [v for m, v in points if m <= month]
            if found:
                out[name] = found[-1]
        return out

    def details_at(self, measure_id: str, month: int) -> dict[str, dict[str, Any]]:
        """Each comparator shown at `month`: its value, the period it is as at, and its source (or None)."""
        out: dict[str, dict[str, Any]] = {}
        for name, points in self.series.get(measure_id, {}).items():
            found = [(m, v) for m, v in points if m <= month]
            if found:
                at, value = found[-1]
                out[name] = {"value": value, "period": period_of(at),
                             "source": self.sources.get((measure_id, name, at))}
        return out


def load_comparators(config: Config) -> Comparators:
    out = Comparators()
    if not config.comparators_file:
        return out
    path = config.data_dir / config.comparators_file
    shown = display_path(path, config)
    try:
        read = read_file(path)
    except UnreadableFile as e:
        out.problems.append(DataProblem("comparators", shown, None, None, None, str(e)))
        return out
    frame = read.frame
    if read.csv is not None:
        out.problems += [DataProblem("comparators", shown, p.line, p.column, p.value, p.message)
                         for p in read.csv.problems]
    need = ["measure", "comparator", "period", "value"]
    absent = [c for c in need if c not in frame.columns]
    if absent:
        out.problems.append(DataProblem("comparators", shown, None, None, None,
                                        f"needs columns measure, comparator, period, value; missing {', '.join(absent)}"))
        return out
    sources = frame["source"].to_list() if "source" in frame.columns else None  # optional (issue 16)
    rows = frame.select(ROW, *need).iter_rows()  # ROW: the file's line
    for index, (row, measure, name, period, value) in enumerate(rows):
        problem = None
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):  # inf and nan are no comparator
            problem = DataProblem("comparators", shown, row, "value", str(value), "is not a number")
        elif not is_period(period):
            problem = DataProblem("comparators", shown, row, "period", str(period), "is not a period (YYYY-MM)")
        if problem is not None:
            out.problems.append(problem)
            out.left_out.setdefault(str(measure), []).append(problem)
            continue
        out.series.setdefault(str(measure), {}).setdefault(str(name), []).append((month_number(period), number))
        if sources is not None and sources[index] not in (None, ""):
            out.sources[(str(measure), str(name), month_number(period))] = str(sources[index])
    for by_name in out.series.values():
        for points in by_name.values():
            points.sort()
    return out
