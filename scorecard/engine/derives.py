"""Derived columns (SPEC section 2, `derive`): the polars expression for each kind, and the bank
holidays the working-day kinds count. Used when a dataset is loaded (static derives) and when a
measure's plan is built (derives on `@snapshot` or `@period_end`)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from .calendar import Calendar, add_working_days, working_days_between
from .config_model import Derive
from .config_sql import PERIOD_END_COL, SNAPSHOT_COL, parse_sql

HOLIDAY_KINDS = ("working_days", "add_working_days")  # the derives that count bank holidays


def _arg(a: object) -> pl.Expr:
    if a == "@snapshot":
        return pl.col(SNAPSHOT_COL)
    if a == "@period_end":
        return pl.col(PERIOD_END_COL)
    return pl.col(str(a))


def _count(a: object) -> pl.Expr | int:
    return pl.col(a) if isinstance(a, str) else int(a)  # type: ignore[arg-type]


def derive_expr(d: Derive, holidays: list[dt.date]) -> pl.Expr:
    """The polars expression for one derived column."""
    if d.kind == "sql":
        assert d.sql is not None
        return parse_sql(d.sql).alias(d.name)
    a, b = d.args
    if d.kind == "days":
        out = (_arg(b) - _arg(a)).dt.total_days().cast(pl.Int32)
    elif d.kind == "working_days":
        out = working_days_between(_arg(a), _arg(b), holidays)
    elif d.kind == "years":
        start, end = _arg(a), _arg(b)
        day = lambda e: e.dt.month().cast(pl.Int32) * 100 + e.dt.day().cast(pl.Int32)  # noqa: E731
        out = (end.dt.year().cast(pl.Int32) - start.dt.year().cast(pl.Int32) - (day(end) < day(start)).cast(pl.Int32))
    elif d.kind == "add_days":
        n = _count(b)
        out = _arg(a) + (pl.duration(days=n) if isinstance(n, pl.Expr) else dt.timedelta(days=n))
    elif d.kind == "add_working_days":
        out = add_working_days(_arg(a), _count(b), holidays)
    elif d.kind == "add_months":
        n = _count(b)
        offset = pl.format("{}mo", n) if isinstance(n, pl.Expr) else f"{n}mo"
        out = _arg(a).dt.offset_by(offset)
    else:  # pragma: no cover - config validation allows only the kinds above
        raise ValueError(d.kind)
    return out.alias(d.name)


def holidays_around(calendar: Calendar, frame: pl.DataFrame, extra_years: tuple[int, int] | None = None) -> list[dt.date]:
    """Bank holidays for every year the frame's dates touch, with a year either side."""
    years: list[int] = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            lo, hi = frame[name].min(), frame[name].max()
            if isinstance(lo, dt.date) and isinstance(hi, dt.date):
                years += [max(lo.year, 1900), min(hi.year, 2200)]
    if extra_years:
        years += list(extra_years)
    if not years:
        return []
    return calendar.holidays_for(min(years) - 1, max(years) + 2)
