"""Reporting periods as text (`YYYY-MM`) and as absolute month numbers (`year * 12 + month - 1`).

Pure Python, no polars: the command line and the terminal UI's first screen use these before (or
without) loading the engine. `calendar.py` re-exports them with the working-day calendars.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re

# The years a date or period may fall in: a date outside them is a data problem, a period outside
# them a usage or config error (0001-01-01 would otherwise reach month arithmetic before year 1).
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2199, 12, 31)
PERIOD_RE = re.compile(r"^(19\d\d|2[01]\d\d)-(0[1-9]|1[0-2])$")
PERIOD_FORM = "YYYY-MM, from 1900-01 to 2199-12"


def is_period(text: object) -> bool:
    return isinstance(text, str) and PERIOD_RE.match(text) is not None


def month_number(period: str) -> int:
    """`2017-04` -> absolute month number."""
    m = PERIOD_RE.match(period)
    if m is None:
        raise ValueError(f"{period!r} is not a period ({PERIOD_FORM})")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def period_of(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_of_date(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def shift_period(period: str, months: int) -> str:
    return period_of(month_number(period) + months)


def month_start(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def month_end(month: int) -> dt.date:
    year, mon = month // 12, month % 12 + 1
    return dt.date(year, mon, _calendar.monthrange(year, mon)[1])
