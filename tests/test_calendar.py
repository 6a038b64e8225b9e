"""The calendar of SPEC section 1 and the date arithmetic of derived columns (SPEC section 2).

Snapshot dates, working days across bank holidays, month-end clamping, financial years and
the other UK calendars, checked both on `Calendar` itself and end to end through derived
columns and measures of a small config.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
import pytest

from scorecard.engine.calendar import Calendar, month_number
from scorecard.engine.engine import Engine

from .helpers import write_project

TODAY = dt.date(2026, 11, 22)
D = dt.date


def snapshot(period: str, working_days: str = "england-and-wales") -> dt.date:
    return Calendar(working_days).snapshot_date(month_number(period))


# --------------------------------------------------------------------------------------
# Snapshot dates: the last working day of the month
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2017-05", D(2017, 5, 31)),  # a Wednesday: the month-end itself
        ("2017-09", D(2017, 9, 29)),  # 30 September 2017 is a Saturday
        ("2017-04", D(2017, 4, 28)),  # 30 April 2017 is a Sunday
        ("2017-12", D(2017, 12, 29)),  # 31 December 2017 is a Sunday
        ("2018-03", D(2018, 3, 29)),  # Saturday 31st, and Friday 30th is Good Friday
        ("2016-02", D(2016, 2, 29)),  # a leap day, a Monday
        ("2018-12", D(2018, 12, 31)),  # a Monday, no bank holiday
    ],
)
def test_snapshot_date_is_the_last_working_day(period: str, expected: dt.date) -> None:
    assert snapshot(period) == expected


def test_snapshot_date_other_calendars() -> None:
    # Good Friday is a bank holiday everywhere in the UK; "none" only skips weekends
    assert snapshot("2018-03", "scotland") == D(2018, 3, 29)
    assert snapshot("2018-03", "northern-ireland") == D(2018, 3, 29)
    assert snapshot("2018-03", "none") == D(2018, 3, 30)
    # St Andrew's Day, Thursday 30 November 2017, is a bank holiday in Scotland only
    assert snapshot("2017-11") == D(2017, 11, 30)
    assert snapshot("2017-11", "scotland") == D(2017, 11, 29)
    # Battle of the Boyne is on 12 July; 31 July 2017 is a Monday everywhere
    assert snapshot("2017-07", "northern-ireland") == D(2017, 7, 31)


def test_unknown_working_days_calendar_is_refused() -> None:
    with pytest.raises(ValueError):
        Calendar("wales-only")


# --------------------------------------------------------------------------------------
# Financial years
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start_month", "period", "first", "label"),
    [
        (4, "2018-03", "2017-04", "2017-18"),  # the last month of 2017-18
        (4, "2018-04", "2018-04", "2018-19"),  # the first month of 2018-19
        (4, "2017-12", "2017-04", "2017-18"),
        (4, "1999-06", "1999-04", "1999-00"),
        (1, "2018-01", "2018-01", "2018"),  # calendar-year councils
        (1, "2018-12", "2018-01", "2018"),
        (7, "2018-06", "2017-07", "2017-18"),  # July to June
        (7, "2018-07", "2018-07", "2018-19"),
        (12, "2018-11", "2017-12", "2017-18"),
    ],
)
def test_financial_year_boundaries(start_month: int, period: str, first: str, label: str) -> None:
    cal = Calendar("england-and-wales", start_month)
    month = month_number(period)
    assert cal.financial_year_start(month) == month_number(first)
    assert cal.financial_year_label(month) == label
    assert cal.months_to_year_end(month) == month_number(first) + 11 - month


# --------------------------------------------------------------------------------------
# Derived columns: working days, add_working_days, add_months, days, years
# --------------------------------------------------------------------------------------
DERIVE_CONFIG = """
[organisation]
name = "Calendar County"
working_days = "{calendar}"

[data]
dir = "data"

[datasets.d]
file = "d.csv"
date = "a"
[datasets.d.columns]
id = "str"
a = "date"
b = "date?"
n = "int?"

[[datasets.d.derive]]
name = "wd"
working_days = ["a", "b"]

[[datasets.d.derive]]
name = "days"
days = ["a", "b"]

[[datasets.d.derive]]
name = "plus1wd"
add_working_days = ["a", 1]

[[datasets.d.derive]]
name = "plus_n_wd"
add_working_days = ["a", "n"]

[[datasets.d.derive]]
name = "plus1m"
add_months = ["a", 1]

[[datasets.d.derive]]
name = "plus_n_m"
add_months = ["a", "n"]

[[datasets.d.derive]]
name = "plus_n_d"
add_days = ["a", "n"]

[[datasets.d.derive]]
name = "age"
years = ["a", "b"]

[[scorecards]]
id = "main"
title = "Main"

[[measures]]
id = "ROWS"
title = "Rows"
section = "S"
scorecards = ["main"]
dataset = "d"
window = "month"
calc = "count"
"""

# id, a, b, n
DERIVE_ROWS = [
    ("xmas", "2017-12-22", "2017-12-27", ""),  # Fri -> Wed: Sat, Sun, Christmas, Boxing Day, Wed
    ("easter", "2018-03-29", "2018-04-03", ""),  # Thu -> Tue: Good Friday .. Easter Monday, Tue
    ("saturday", "2017-03-04", "2017-03-07", ""),  # a return on a Saturday: Sun, Mon, Tue -> 2
    ("backwards", "2017-03-07", "2017-03-04", ""),  # to before from: negative
    ("sameday", "2017-03-06", "2017-03-06", ""),
    ("nyd", "2017-12-29", "2018-01-03", ""),  # Fri -> Wed: New Year's Day; Scotland also 2 January
    ("standrew", "2019-11-29", "2019-12-03", ""),  # Fri -> Tue; Scotland: Monday 2 Dec substitutes St Andrew's Day
    ("jan31", "2017-01-31", "", "1"),  # add_months clamps to 28 Feb
    ("jan31leap", "2016-01-31", "", "1"),  # to 29 Feb in a leap year
    ("aug31", "2017-08-31", "", "-6"),  # back six months: 28 Feb
    ("goodfri", "2018-03-30", "", "2"),  # from Good Friday
    ("eastermon", "2018-04-02", "", "1"),
    ("leapdob", "2008-02-29", "2017-02-28", "0"),  # a 29 February birthday counts from 1 March
    ("leapdob2", "2008-02-29", "2017-03-01", "0"),
    ("leapdob3", "2008-02-29", "2016-02-29", "0"),
    ("dec", "2005-12-31", "2017-12-30", ""),  # the day before the 12th birthday
    ("empty", "2017-06-01", "", ""),
]


def derived(tmp_path: Path, calendar: str = "england-and-wales") -> dict[str, dict[str, object]]:
    csv = "id,a,b,n\n" + "".join(",".join(r) + "\n" for r in DERIVE_ROWS)
    path = write_project(tmp_path, DERIVE_CONFIG.format(calendar=calendar), {"d.csv": csv})
    engine = Engine.load(path, today=TODAY)
    assert not engine.has_problems, engine.problem_lines()
    return {row["id"]: row for row in engine.datasets["d"].frame.iter_rows(named=True)}


def test_working_days_across_christmas_easter_and_from_a_saturday(tmp_path: Path) -> None:
    rows = derived(tmp_path)
    assert rows["xmas"]["wd"] == 1
    assert rows["easter"]["wd"] == 1
    assert rows["saturday"]["wd"] == 2  # (Sat, Tue]: Mon and Tue; polars' [Sat, Tue) would give 1
    assert rows["backwards"]["wd"] == -2
    assert rows["sameday"]["wd"] == 0
    assert rows["nyd"]["wd"] == 2  # 2 and 3 January 2018
    assert rows["standrew"]["wd"] == 2  # Monday 2 and Tuesday 3 December 2019
    assert rows["empty"]["wd"] is None
    assert rows["xmas"]["days"] == 5
    assert rows["backwards"]["days"] == -3
    assert rows["empty"]["days"] is None


def test_scottish_bank_holidays(tmp_path: Path) -> None:
    rows = derived(tmp_path, "scotland")
    assert rows["nyd"]["wd"] == 1  # 2 January is a bank holiday in Scotland: only 3 January
    assert rows["standrew"]["wd"] == 1  # Monday 2 December 2019 is the St Andrew's Day substitute
    assert rows["easter"]["wd"] == 2  # Easter Monday is not a Scottish bank holiday
    assert rows["xmas"]["wd"] == 1


def test_calendar_none_counts_weekdays_only(tmp_path: Path) -> None:
    rows = derived(tmp_path, "none")
    assert rows["xmas"]["wd"] == 3  # Mon 25, Tue 26, Wed 27
    assert rows["easter"]["wd"] == 3  # Fri 30, Mon 2, Tue 3
    assert rows["goodfri"]["plus1wd"] == D(2018, 4, 2)


def test_add_working_days(tmp_path: Path) -> None:
    rows = derived(tmp_path)
    assert rows["saturday"]["plus1wd"] == D(2017, 3, 6)  # Saturday + 1 working day is Monday
    assert rows["xmas"]["plus1wd"] == D(2017, 12, 27)  # Friday 22 + 1 skips the weekend, Christmas, Boxing Day
    assert rows["easter"]["plus1wd"] == D(2018, 4, 3)  # Thursday before Easter + 1 is the Tuesday after
    assert rows["eastermon"]["plus1wd"] == D(2018, 4, 3)  # Easter Monday + 1 is Tuesday
    assert rows["goodfri"]["plus_n_wd"] == D(2018, 4, 4)  # Good Friday + 2: Tuesday, Wednesday
    assert rows["empty"]["plus_n_wd"] is None


def test_add_months_clamps_to_the_month_end(tmp_path: Path) -> None:
    rows = derived(tmp_path)
    assert rows["jan31"]["plus1m"] == D(2017, 2, 28)
    assert rows["jan31leap"]["plus1m"] == D(2016, 2, 29)
    assert rows["jan31"]["plus_n_m"] == D(2017, 2, 28)
    assert rows["aug31"]["plus_n_m"] == D(2017, 2, 28)
    assert rows["aug31"]["plus1m"] == D(2017, 9, 30)
    assert rows["empty"]["plus_n_m"] is None
    assert rows["aug31"]["plus_n_d"] == D(2017, 8, 25)  # add_days with a negative column


def test_years_counts_whole_years_and_leap_day_birthdays(tmp_path: Path) -> None:
    rows = derived(tmp_path)
    assert rows["leapdob"]["age"] == 8  # 28 February 2017: not yet 9
    assert rows["leapdob2"]["age"] == 9  # 1 March 2017: 9
    assert rows["leapdob3"]["age"] == 8  # on a real 29 February
    assert rows["dec"]["age"] == 11  # December: no Int8 overflow in month * 100 + day
    assert rows["empty"]["age"] is None


# --------------------------------------------------------------------------------------
# @snapshot and spells at the snapshot date, end to end
# --------------------------------------------------------------------------------------
SNAPSHOT_CONFIG = """
[organisation]
name = "Snapshot County"
working_days = "{calendar}"

[data]
dir = "data"

[datasets.ticks]
file = "ticks.csv"
date = "first"
[datasets.ticks.columns]
first = "date"

[[datasets.ticks.derive]]
name = "to_snapshot"
days = ["first", "@snapshot"]

[[datasets.ticks.derive]]
name = "to_end"
days = ["first", "@period_end"]

[[datasets.ticks.derive]]
name = "wd_to_snapshot"
working_days = ["first", "@snapshot"]

[datasets.spells]
file = "spells.csv"
start = "start"
end = "end"
[datasets.spells.columns]
id = "str"
start = "date"
end = "date?"

[[scorecards]]
id = "main"
title = "Main"

[[measures]]
id = "SNAP-DAY"
title = "Day of the month of the snapshot date, less one"
section = "S"
scorecards = ["main"]
dataset = "ticks"
window = "month"
calc = "sum"
value = "to_snapshot"
decimals = 0

[[measures]]
id = "END-DAY"
title = "Day of the month of the period end, less one"
section = "S"
scorecards = ["main"]
dataset = "ticks"
window = "month"
calc = "sum"
value = "to_end"
decimals = 0

[[measures]]
id = "WD-TO-SNAP"
title = "Working days after the 1st up to the snapshot date"
section = "S"
scorecards = ["main"]
dataset = "ticks"
window = "month"
calc = "sum"
value = "wd_to_snapshot"
decimals = 0

[[measures]]
id = "OPEN"
title = "Spells open on the snapshot date"
section = "S"
scorecards = ["main"]
dataset = "spells"
window = "snapshot"
calc = "count"
"""

SPELLS = """
id,start,end
ends-good-friday,2018-01-10,2018-03-30
ends-on-snapshot,2018-01-10,2018-03-29
starts-good-friday,2018-03-30,
starts-on-snapshot,2018-03-29,
open,2017-06-01,
ends-thursday-30-nov,2017-10-01,2017-11-30
"""


def snapshot_engine(tmp_path: Path, calendar: str = "england-and-wales") -> Engine:
    months = [f"{y}-{m:02d}-01" for y in (2017, 2018) for m in range(1, 13)]
    path = write_project(
        tmp_path, SNAPSHOT_CONFIG.format(calendar=calendar),
        {"ticks.csv": "first\n" + "\n".join(months) + "\n", "spells.csv": SPELLS},
    )
    return Engine.load(path, today=TODAY)


def test_snapshot_date_used_by_measures(tmp_path: Path) -> None:
    engine = snapshot_engine(tmp_path)
    assert not engine.has_problems, engine.problem_lines()
    cal = Calendar()
    for y in (2017, 2018):
        for mo in range(1, 13):
            period = f"{y}-{mo:02d}"
            month = month_number(period)
            assert engine.result("SNAP-DAY", period).value == cal.snapshot_date(month).day - 1, period
    assert engine.result("SNAP-DAY", "2018-03").value == 28  # Thursday 29 March 2018
    assert engine.result("END-DAY", "2018-03").value == 30
    assert engine.result("END-DAY", "2018-02").value == 27


def reference_working_days(a: dt.date, b: dt.date, subdiv: str) -> int:
    """Working days in (a, b], from the holidays package directly."""
    hol = holidays.country_holidays("GB", subdiv=subdiv, years=range(a.year, b.year + 1))
    days = (a + dt.timedelta(days=k) for k in range(1, (b - a).days + 1))
    return sum(1 for d in days if d.weekday() < 5 and d not in hol)


@pytest.mark.parametrize(("calendar", "subdiv"), [("england-and-wales", "ENG"), ("scotland", "SCT")])
def test_working_days_to_the_snapshot_date(tmp_path: Path, calendar: str, subdiv: str) -> None:
    engine = snapshot_engine(tmp_path, calendar)
    for y in (2017, 2018):
        for mo in range(1, 13):
            period = f"{y}-{mo:02d}"
            snap = Calendar(calendar).snapshot_date(month_number(period))
            expected = reference_working_days(dt.date(y, mo, 1), snap, subdiv)
            assert engine.result("WD-TO-SNAP", period).value == expected, period
    assert engine.result("WD-TO-SNAP", "2018-03").value == 20


def test_spells_at_a_good_friday_month_end(tmp_path: Path) -> None:
    engine = snapshot_engine(tmp_path)
    # open on Thursday 29 March: ends-good-friday (ends the day after), starts-on-snapshot, open
    assert engine.result("OPEN", "2018-03").value == 3
    # 30 November 2017 is a Thursday: the snapshot date in England, so a spell ending then is closed
    assert engine.result("OPEN", "2017-11").value == 1
    # in Scotland the snapshot is Wednesday 29 November: that spell is still open
    (tmp_path / "scot").mkdir()
    scot = snapshot_engine(tmp_path / "scot", "scotland")
    assert scot.result("OPEN", "2017-11").value == 2
    assert scot.result("SNAP-DAY", "2017-11").value == 28


def test_snapshot_day_with_no_working_days_calendar(tmp_path: Path) -> None:
    engine = snapshot_engine(tmp_path, "none")
    assert engine.result("SNAP-DAY", "2018-03").value == 29  # Friday 30 March: weekends only
    # open on Friday 30 March: open, starts-on-snapshot, starts-good-friday; ends-good-friday is closed
    assert engine.result("OPEN", "2018-03").value == 3
    assert engine.result("OPEN", "2017-11").value == 1


# --------------------------------------------------------------------------------------
# The bank holidays from the `holidays` package's United Kingdom module alone (engine/ukholidays.py)
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("subdiv", ["ENG", "SCT", "NIR"])
def test_the_united_kingdom_module_alone_gives_the_packages_bank_holidays(subdiv: str) -> None:
    from scorecard.engine.ukholidays import _uk_class, uk_bank_holidays

    assert _uk_class() is not None  # loaded on its own, not through the fallback
    years = range(1850, 2201)
    assert sorted(uk_bank_holidays(subdiv, years)) == sorted(
        holidays.country_holidays("GB", subdiv=subdiv, years=years).keys())


def test_bank_holidays_import_no_other_country() -> None:
    """The point of engine/ukholidays.py: the package's other countries (about 0.08 s) are not imported."""
    import subprocess
    import sys

    code = ("import sys; from scorecard.engine.calendar import Calendar; "
            "assert Calendar().holidays_for(2020, 2021); "
            "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
