"""Reporting periods, snapshot dates, financial years and working days (SPEC section 1).

A period is a calendar month written `YYYY-MM`. Inside the engine a period is also an
*absolute month number*, `year * 12 + month - 1`, so that windows are integer arithmetic.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from dataclasses import dataclass, field

import holidays as _holidays
import polars as pl

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

# The SPEC's calendar names and the `holidays` package's United Kingdom subdivisions.
# Wales keeps England's bank holidays.
WORKING_DAY_CALENDARS: dict[str, str | None] = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
    "none": None,
}


def is_period(text: object) -> bool:
    return isinstance(text, str) and PERIOD_RE.match(text) is not None


def month_number(period: str) -> int:
    """`2017-04` -> absolute month number."""
    m = PERIOD_RE.match(period)
    if m is None:
        raise ValueError(f"{period!r} is not a period (YYYY-MM)")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def period_of(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_of_date(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def shift_period(period: str, months: int) -> str:
    return period_of(month_number(period) + months)


def period_range(first: str, last: str) -> list[str]:
    return [period_of(m) for m in range(month_number(first), month_number(last) + 1)]


def month_start(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def month_end(month: int) -> dt.date:
    year, mon = month // 12, month % 12 + 1
    return dt.date(year, mon, _calendar.monthrange(year, mon)[1])


def month_expr(date: pl.Expr) -> pl.Expr:
    """Absolute month number of a date column (cast first: `dt.month()` is Int8)."""
    return date.dt.year().cast(pl.Int32) * 12 + date.dt.month().cast(pl.Int32) - 1


@dataclass
class Calendar:
    """Working days for one named calendar and the financial year's first month."""

    working_days: str = "england-and-wales"
    financial_year_start_month: int = 4
    _holiday_years: set[int] = field(default_factory=set, repr=False)
    _holidays: set[dt.date] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if self.working_days not in WORKING_DAY_CALENDARS:
            raise ValueError(f"unknown working-days calendar {self.working_days!r}")

    # -- bank holidays -------------------------------------------------------------------
    def holidays_for(self, first_year: int, last_year: int) -> list[dt.date]:
        """Bank holidays from 1 January of `first_year` to 31 December of `last_year`."""
        subdivision = WORKING_DAY_CALENDARS[self.working_days]
        missing = [y for y in range(first_year, last_year + 1) if y not in self._holiday_years]
        if subdivision is not None and missing:
            found = _holidays.country_holidays("GB", subdiv=subdivision, years=missing)
            self._holidays.update(found.keys())
        self._holiday_years.update(missing)
        return sorted(d for d in self._holidays if first_year <= d.year <= last_year)

    def is_working_day(self, d: dt.date) -> bool:
        if d.weekday() >= 5:
            return False
        self.holidays_for(d.year, d.year)
        return d not in self._holidays

    # -- periods -------------------------------------------------------------------------
    def snapshot_date(self, month: int) -> dt.date:
        """The last working day of the month."""
        d = month_end(month)
        while not self.is_working_day(d):
            d -= dt.timedelta(days=1)
        return d

    def financial_year_start(self, month: int) -> int:
        """Absolute month number of the first month of the financial year holding `month`."""
        offset = (month % 12 + 1 - self.financial_year_start_month) % 12
        return month - offset

    def financial_year_label(self, month: int) -> str:
        first = self.financial_year_start(month)
        year = first // 12
        if self.financial_year_start_month == 1:
            return str(year)
        return f"{year}-{(year + 1) % 100:02d}"

    def months_to_year_end(self, month: int) -> int:
        """How many months after `month` its financial year still runs (0 in the last month)."""
        return self.financial_year_start(month) + 11 - month


def working_days_between(start: pl.Expr, end: pl.Expr, holidays: list[dt.date]) -> pl.Expr:
    """Working days strictly after `start`, up to and including `end`; negative when end < start.

    polars' `business_day_count(a, b)` counts `[a, b)`, so `(a, b]` is `[a + 1, b + 1)`.
    For `end < start` the SPEC wants minus the working days in `(end, start]`, which polars'
    own negative convention does not give, so it is computed the same way with the ends swapped.
    """
    one = pl.duration(days=1)
    forward = pl.business_day_count(start + one, end + one, holidays=holidays)
    backward = -pl.business_day_count(end + one, start + one, holidays=holidays)
    return pl.when(end >= start).then(forward).otherwise(backward).cast(pl.Int32)


def add_working_days(start: pl.Expr, n: pl.Expr | int, holidays: list[dt.date]) -> pl.Expr:
    """The date `n` working days after `start`; a weekend or holiday start counts from the day before
    (Saturday + 1 is Monday)."""
    return start.dt.add_business_days(n, holidays=holidays, roll="backward")
