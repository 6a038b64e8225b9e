"""Rows that parse but cannot be used, found with cheap whole-column passes first: dates outside the
calendar's years, numbers that are not finite, populations not above 0, negative ages; and the
places of keys repeated in a joined table."""

from __future__ import annotations

import math

import polars as pl

from .calendar import FIRST_DATE, LAST_DATE
from .config_model import PERIOD_PARAMS, Dataset
from .datafiles import FILE, PROBLEM_DETAIL_LIMIT, ROW, DataProblem


def value_checks(ds: Dataset, parsed: pl.DataFrame, positive: frozenset[str]) -> list[tuple[str, pl.Series, pl.Expr, str]]:
    """Values that parse but cannot be used: a date outside the years the calendar covers, a number
    that is not finite (inf, NaN), a population that is not above 0. Each column is first checked
    in one cheap pass (min and max, or a sum), and its rows flagged only when that finds something."""
    out: list[tuple[str, pl.Series, pl.Expr, str]] = []
    for name, col in ds.columns.items():
        if name not in parsed.columns or parsed[name].null_count() == parsed.height:
            continue
        values = parsed[name]
        if col.type == "date":
            lo, hi = values.min(), values.max()
            if lo < FIRST_DATE or hi > LAST_DATE:  # type: ignore[operator]
                out.append((name, ((values < FIRST_DATE) | (values > LAST_DATE)).fill_null(False), pl.col(name),
                            f"is outside the years {FIRST_DATE.year} to {LAST_DATE.year}"))
        elif col.type == "float" and not math.isfinite(values.sum()):
            out.append((name, (~values.is_finite()).fill_null(False), pl.col(name), "is not a finite number"))
        if name in positive and col.type in ("int", "float") and values.min() <= 0:  # type: ignore[operator]
            out.append((name, (values <= 0).fill_null(False), pl.col(name), "is not above 0 (a population)"))
    return out


def repeats(frame: pl.DataFrame, key: str, dupes: pl.DataFrame) -> list[tuple[object, int, str, list[int]]]:
    """For repeated keys: the key, how often, the file of its last row and up to 4 lines it is on."""
    rows = (frame.filter(pl.col(key).is_in(dupes[key].implode()))
            .group_by(key, maintain_order=True)
            .agg(pl.len().alias("n"), pl.col(FILE).last().cast(pl.String), pl.col(ROW).tail(4)))
    return [(k, n, f, list(r)) for k, n, f, r in rows.iter_rows()]


def negative_ages(ds: Dataset, frame: pl.DataFrame, left_out: dict[str, int], problems: list[DataProblem]) -> pl.DataFrame:
    """Leave out rows whose `years` derive to `@snapshot`/`@period_end` (an age) could be negative: a
    date of birth after the date the row is about (the event's date, the spell's start, the end of
    the snapshot's period). Such a row is a recording error, and a negative age would count in
    `age < 16`."""
    for d in ds.derives:
        if d.kind != "years" or not isinstance(d.args[0], str) or frame.schema.get(d.args[0]) != pl.Date:
            continue
        born, to = d.args
        if to in PERIOD_PARAMS:
            if ds.kind == "event" and ds.date:
                anchor, what = pl.col(ds.date), f"the event's date ({ds.date})"
            elif ds.kind == "spell" and ds.start:
                anchor, what = pl.col(ds.start), f"the spell's start ({ds.start})"
            elif ds.kind == "snapshot" and ds.period:
                anchor = pl.col(ds.period).str.strip_chars().str.to_date("%Y-%m", strict=False).dt.month_end()
                what = f"the end of its period ({ds.period})"
            else:
                continue
        else:  # between two columns a negative number of years is an answer, as `days` may be negative
            continue
        bad = (pl.col(born) > anchor).fill_null(False)
        hits = frame.filter(bad)
        if not hits.height:
            continue
        reason = f"{born} after {what}: a negative {d.name}"
        left_out[reason] = left_out.get(reason, 0) + hits.height
        room = max(PROBLEM_DETAIL_LIMIT - len(problems), 0)
        for f, row, b, a in hits.select(FILE, ROW, born, anchor.alias("__anchor")).head(room).iter_rows():
            problems.append(DataProblem(ds.name, f, row, born, str(b),
                                               f"is after {what} {a}, so {d.name} would be negative"))
        frame = frame.filter(~bad)
    return frame
