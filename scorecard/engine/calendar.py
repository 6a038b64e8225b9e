"""Reporting periods, snapshot dates, financial years and working days (SPEC section 1).

A period is a calendar month written `YYYY-MM`. Inside the engine a period is also an
*absolute month number*, `year * 12 + month - 1`, so that windows are integer arithmetic.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from .periods import FIRST_DATE as FIRST_DATE
from .periods import LAST_DATE as LAST_DATE
from .periods import PERIOD_FORM as PERIOD_FORM
from .periods import PERIOD_RE as PERIOD_RE
from .periods import is_period as is_period
from .periods import month_end as month_end
from .periods import month_number as month_number
from .periods import month_of_date as month_of_date
from .periods import month_start as month_start
from .periods import period_of as period_of
from .periods import shift_period as shift_period

# The SPEC's calendar names and the `holidays` package's United Kingdom subdivisions.
# Wales keeps England's bank holidays.
WORKING_DAY_CALENDARS: dict[str, str | None] = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
    "none": None,
}


def month_expr(date: pl.Expr) -> pl.Expr:
    """Absolute month number of a date column (cast first: `dt.month()` is Int8)."""
    return date.dt.year().cast(pl.Int32) * 12 + date.dt.month().cast(pl.Int32) - 1


# (subdivision, year) -> that year's bank holidays, as the `holidays` package gives them: they never change
# while the program runs, so every Calendar of the process shares them
_BANK_HOLIDAYS: dict[tuple[str, int], tuple[dt.date, ...]] = {}
_BANK_HOLIDAYS_LOCK = threading.Lock()


def bank_holidays(subdivision: str, first_year: int, last_year: int) -> list[dt.date]:
    """Bank holidays of a United Kingdom subdivision (`ENG`, `SCT`, `NIR`) from 1 January of `first_year`
    to 31 December of `last_year`, in order."""
    years = range(first_year, last_year + 1)
    missing = [y for y in years if (subdivision, y) not in _BANK_HOLIDAYS]
    if missing:
        with _BANK_HOLIDAYS_LOCK:
            missing = [y for y in years if (subdivision, y) not in _BANK_HOLIDAYS]
            if missing:
                # here, not at the top: a start served from the results store never needs the `holidays` package
                from .ukholidays import uk_bank_holidays

                found = uk_bank_holidays(subdivision, missing)
                for y in missing:
                    _BANK_HOLIDAYS[(subdivision, y)] = tuple(sorted(d for d in found if d.year == y))
    return [d for y in years for d in _BANK_HOLIDAYS[(subdivision, y)]]


@dataclass
class Calendar:
    """Working days for one named calendar and the financial year's first month."""

    working_days: str = "england-and-wales"
    financial_year_start_month: int = 4
    def __post_init__(self) -> None:
        if self.working_days not in WORKING_DAY_CALENDARS:
            raise ValueError(f"unknown working-days calendar {self.working_days!r}")

    # -- bank holidays -------------------------------------------------------------------
    def holidays_for(self, first_year: int, last_year: int) -> list[dt.date]:
        """Bank holidays from 1 January of `first_year` to 31 December of `last_year`."""
        subdivision = WORKING_DAY_CALENDARS[self.working_days]
        if subdivision is None:
            return []
        return bank_holidays(subdivision, first_year, last_year)

    def prefetch_holidays(self, first_year: int, last_year: int) -> None:
        """Work out these years' bank holidays in a background thread (importing the `holidays` package
        there too), so that they are ready, or nearly, when loading first needs them: the package is pure
        Python, and meanwhile the data files are read by polars, which releases the interpreter. It
        changes nothing `holidays_for` answers; a year it has not reached is worked out as before."""
        subdivision = WORKING_DAY_CALENDARS[self.working_days]
        if subdivision is None or all((subdivision, y) in _BANK_HOLIDAYS for y in range(first_year, last_year + 1)):
            return
        threading.Thread(target=self.holidays_for, args=(first_year, last_year), daemon=True,
                         name="bank-holidays").start()

    def is_working_day(self, d: dt.date) -> bool:
        if d.weekday() >= 5:
            return False
        subdivision = WORKING_DAY_CALENDARS[self.working_days]
        return subdivision is None or d not in bank_holidays(subdivision, d.year, d.year)

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


# --------------------------------------------------------------------------------------
# Working days as a running count
# --------------------------------------------------------------------------------------
_MONDAY = 4  # day number (days since 1970-01-01, polars' Date) of Monday 1970-01-05
_TABLE_PAD = 366  # days added either side when a table has to grow
_TABLE_MAX = 4_000_000  # days; a wider range is computed directly instead of tabulated


def _weekdays_upto(t: pl.Series) -> pl.Series:
    """Monday to Friday days from Monday 1970-01-05 up to and including day `t` (days since that Monday);
    a running count, so it is 0 on the Friday before and negative earlier."""
    return (t // 7) * 5 + (t % 7 + 1).clip(upper_bound=5)


def _nth_weekday(m: pl.Series) -> pl.Series:
    """The day (days since Monday 1970-01-05) that is a weekday with `_weekdays_upto` equal to `m`."""
    return ((m - 1) // 5) * 7 + (m - 1) % 5


@dataclass(frozen=True)
class _Table:
    lo: int  # day number of the first day held
    counts: pl.Series  # Int32: the running count on each day from `lo`
    working: pl.Series  # Int64: the working days from `lo`, in order
    count_before: int  # the running count on the day before `lo`

    @property
    def hi(self) -> int:
        return self.lo + self.counts.len() - 1


class WorkingDays:
    """Working days of one calendar (Monday to Friday, less the bank holidays given), as a running count.

    `count(d)` is the number of working days up to and including day `d`, counted from a fixed origin
    (it is negative before 1970), so working days strictly after `a` up to and including `b` are
    `count(b) - count(a)`, and `nth(k)` is the working day whose count is `k`: `nth(count(a) + n)` is
    `n` working days after `a` (a weekend or holiday `a` counts from the working day before). Days are
    looked up in a day-indexed table (one `gather` per column) covering the holidays' years; a column
    reaching outside it widens the table, so every date gives the same answer as polars'
    `business_day_count` / `add_business_days(roll="backward")` with the same holidays: those count
    a date outside the holiday list's years as having no holidays, and so does this.
    """

    def __init__(self, holidays: Iterable[dt.date]) -> None:
        epoch = dt.date(1970, 1, 1)
        days = sorted({(d - epoch).days for d in holidays if d.weekday() < 5})
        self._holidays = pl.Series(days, dtype=pl.Int64)  # day numbers of holidays on weekdays
        # running count at each holiday: `nth(k)` has passed the holidays whose count is below k
        self._count_at_holiday = self._direct_count(self._holidays)
        if days:
            first = dt.date.fromordinal(epoch.toordinal() + days[0]).year
            last = dt.date.fromordinal(epoch.toordinal() + days[-1]).year
            lo, hi = (dt.date(first, 1, 1) - epoch).days, (dt.date(last, 12, 31) - epoch).days
        else:
            lo = hi = 0
        self._lock = threading.Lock()  # polars may call the expressions from several threads
        self._table = self._build(lo, hi)

    # -- the table -----------------------------------------------------------------------
    def _direct_count(self, day: pl.Series) -> pl.Series:
        """`count` by arithmetic for any day numbers (Int64); nulls stay null."""
        before = self._holidays.search_sorted(day, side="right").cast(pl.Int64)
        return _weekdays_upto(day - _MONDAY) - before

    def _build(self, lo: int, hi: int) -> _Table:
        days = pl.int_range(lo - 1, hi + 1, dtype=pl.Int64, eager=True)
        counts = self._direct_count(days)  # from the day before `lo`
        return _Table(
            lo=lo,
            counts=counts.slice(1).cast(pl.Int32),
            working=days.slice(1).filter(counts.diff().slice(1) > 0),
            count_before=int(counts[0]),
        )

    def _cover(self, lo: int, hi: int) -> _Table | None:
        """A table holding days `lo` to `hi` (the current one, or a wider one); None when too wide."""
        table = self._table
        if lo >= table.lo and hi <= table.hi:
            return table
        with self._lock:
            table = self._table
            lo, hi = min(lo - _TABLE_PAD, table.lo), max(hi + _TABLE_PAD, table.hi)
            if hi - lo > _TABLE_MAX:
                return None
            self._table = self._build(lo, hi)
            return self._table

    # -- on Series -----------------------------------------------------------------------
    def count_series(self, dates: pl.Series) -> pl.Series:
        """Working days up to and including each date (Int32 running count); null stays null."""
        day = dates.cast(pl.Date).to_physical().cast(pl.Int64)
        lo, hi = day.min(), day.max()
        if lo is None or hi is None:
            return pl.Series(dates.name, [None] * dates.len(), dtype=pl.Int32)
        table = self._cover(int(lo), int(hi))  # type: ignore[arg-type]
        if table is None:
            return self._direct_count(day).cast(pl.Int32).alias(dates.name)
        return table.counts.gather(day - table.lo).alias(dates.name)

    def nth_series(self, k: pl.Series) -> pl.Series:
        """The working day whose running count is `k` (Date); null stays null."""
        k = k.cast(pl.Int64)
        lo, hi = k.min(), k.max()
        if lo is None or hi is None:
            return pl.Series(k.name, [None] * k.len(), dtype=pl.Date)
        # the k-th working day is on or after the k-th weekday and at most one day per holiday later
        bounds = _nth_weekday(pl.Series([lo, hi + self._holidays.len()], dtype=pl.Int64)) + _MONDAY  # type: ignore[operator]
        table = self._cover(int(bounds[0]), int(bounds[1]))
        if table is None:
            passed = self._count_at_holiday.search_sorted(k, side="left").cast(pl.Int64)
            out = _nth_weekday(k + passed) + _MONDAY
        else:
            out = table.working.gather(k - table.count_before - 1)
        return out.cast(pl.Int32).cast(pl.Date).alias(k.name)

    # -- as expressions ------------------------------------------------------------------
    def count(self, date: pl.Expr) -> pl.Expr:
        """Expression: working days up to and including `date` (Int32 running count, null when `date` is)."""
        return date.map_batches(self.count_series, return_dtype=pl.Int32, is_elementwise=True)

    def nth(self, k: pl.Expr) -> pl.Expr:
        """Expression: the working day whose running count is `k` (Date, null when `k` is)."""
        return k.map_batches(self.nth_series, return_dtype=pl.Date, is_elementwise=True)

    def between(self, start: pl.Expr, end: pl.Expr) -> pl.Expr:
        """Working days strictly after `start`, up to and including `end`; negative when end < start."""
        return (-self.count(start) + self.count(end)).cast(pl.Int32)  # named after `start`, as before

    def add(self, start: pl.Expr, n: pl.Expr | int) -> pl.Expr:
        """The date `n` working days after `start`; a weekend or holiday start counts from the day before."""
        return self.nth(self.count(start).cast(pl.Int64) + n)


@functools.lru_cache(maxsize=16)
def _working_days_cached(holidays: tuple[dt.date, ...]) -> WorkingDays:
    return WorkingDays(holidays)


def working_days_index(holidays: Iterable[dt.date]) -> WorkingDays:
    """The running count for these bank holidays (one per distinct holiday list, reused)."""
    return _working_days_cached(tuple(sorted(set(holidays))))


def working_days_between(start: pl.Expr, end: pl.Expr, holidays: Iterable[dt.date]) -> pl.Expr:
    """Working days strictly after `start`, up to and including `end`; negative when end < start
    (minus the working days in `(end, start]`); null when either is null.

    Equal to `business_day_count(start + 1, end + 1)` for end >= start (polars counts `[a, b)`) and to
    minus `business_day_count(end + 1, start + 1)` otherwise, with the same holidays.
    """
    return working_days_index(holidays).between(start, end)


def add_working_days(start: pl.Expr, n: pl.Expr | int, holidays: Iterable[dt.date]) -> pl.Expr:
    """The date `n` working days after `start`; a weekend or holiday start counts from the day before
    (Saturday + 1 is Monday), as polars' `add_business_days(roll="backward")`."""
    return working_days_index(holidays).add(start, n)
