"""The running count of working days (calendar.WorkingDays) against polars' own business-day functions.

`working_days_between` and `add_working_days` used to be `business_day_count` (twice, for both signs)
and `add_business_days(roll="backward")` with the bank holidays `holidays_around` chose; they are now
lookups in a day-indexed running count. On random dates (weekends, bank holidays and the days either
side of them, nulls, and dates far outside the holiday list's years) both must give what polars gives.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scorecard.engine import calendar as cal
from scorecard.engine.calendar import Calendar, WorkingDays, add_working_days, working_days_between

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ONE = pl.duration(days=1)
_ENGLAND = Calendar("england-and-wales").holidays_for(2012, 2022)
_SCOTLAND = Calendar("scotland").holidays_for(2012, 2022)
HOLIDAY_LISTS = {"england": _ENGLAND, "scotland": _SCOTLAND, "none": []}

holiday = st.sampled_from(_ENGLAND + _SCOTLAND)
near_holiday = holiday.flatmap(lambda d: st.integers(-3, 3).map(lambda k: d + dt.timedelta(days=k)))
date = st.one_of(
    st.dates(dt.date(2011, 1, 1), dt.date(2023, 12, 31)),  # in and just outside the holidays' years
    near_holiday,
    st.dates(dt.date(1, 1, 1), dt.date(9990, 12, 31)),  # far outside them
    st.none(),
)


def polars_between(start: pl.Expr, end: pl.Expr, holidays: list[dt.date]) -> pl.Expr:
    """The engine's former `working_days_between`: (start, end], negative when end < start."""
    forward = pl.business_day_count(start + ONE, end + ONE, holidays=holidays)
    backward = -pl.business_day_count(end + ONE, start + ONE, holidays=holidays)
    return pl.when(end >= start).then(forward).otherwise(backward).cast(pl.Int32)


def frame(rows: list[tuple[dt.date | None, dt.date | None, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"a": pl.Date, "b": pl.Date, "n": pl.Int64}, orient="row")


def check(rows: list[tuple[dt.date | None, dt.date | None, int | None]], holidays: list[dt.date]) -> None:
    data = frame(rows)
    a, b, n = pl.col("a"), pl.col("b"), pl.col("n")
    want = data.select(
        polars_between(a, b, holidays).alias("wd"),
        a.dt.add_business_days(n, holidays=holidays, roll="backward").alias("plus"),
        a.dt.add_business_days(20, holidays=holidays, roll="backward").alias("plus20"),
    )
    got = data.select(
        working_days_between(a, b, holidays).alias("wd"),
        add_working_days(a, n, holidays).alias("plus"),
        add_working_days(a, 20, holidays).alias("plus20"),
    )
    for column in want.columns:
        mismatch = pl.concat([data, want[column].to_frame("want"), got[column].to_frame("got")], how="horizontal") \
            .filter(pl.col("want").ne_missing(pl.col("got")))
        assert mismatch.height == 0, f"{column}:\n{mismatch.head(5)}"
    assert got.schema == want.schema


@PROPS
@given(rows=st.lists(st.tuples(date, date, st.one_of(st.integers(-300, 300), st.none())), min_size=1, max_size=40),
       which=st.sampled_from(sorted(HOLIDAY_LISTS)))
@example(rows=[(dt.date(2017, 12, 23), dt.date(2017, 12, 27), 1)], which="england")  # Saturday to after Boxing Day
@example(rows=[(dt.date(2017, 12, 25), dt.date(2017, 12, 22), -1)], which="england")  # a holiday start, backwards
@example(rows=[(None, None, None)], which="england")
def test_running_count_equals_polars(rows: list[tuple[dt.date | None, dt.date | None, int | None]],
                                     which: str) -> None:
    check(rows, HOLIDAY_LISTS[which])


@PROPS
@given(rows=st.lists(st.tuples(date, date, st.one_of(st.integers(-300, 300), st.none())), min_size=1, max_size=40))
def test_untabulated_path_equals_polars(rows: list[tuple[dt.date | None, dt.date | None, int | None]]) -> None:
    """Columns too wide for a table are counted by arithmetic; the same answers."""
    limit = cal._TABLE_MAX
    cal._TABLE_MAX = 0
    try:
        cal._working_days_cached.cache_clear()
        check(rows, _ENGLAND)
    finally:
        cal._TABLE_MAX = limit
        cal._working_days_cached.cache_clear()


def test_count_and_nth_invert_each_other() -> None:
    days = WorkingDays(_ENGLAND)
    dates = pl.date_range(dt.date(2015, 12, 20), dt.date(2016, 1, 10), eager=True)
    counts = days.count_series(dates)
    back = days.nth_series(counts)
    # every working day is its own nth; a weekend or holiday maps back to the working day before it
    assert back.to_list() == [d if d.weekday() < 5 and d not in _ENGLAND else back[i] for i, d in enumerate(dates)]
    assert back[dates.to_list().index(dt.date(2015, 12, 25))] == dt.date(2015, 12, 24)
    assert back[dates.to_list().index(dt.date(2016, 1, 3))] == dt.date(2015, 12, 31)
    assert counts.diff().drop_nulls().is_in([0, 1]).all()


def test_lazy_and_several_threads() -> None:
    """The lookups run inside lazy plans collected together (the engine's `collect_all`)."""
    data = frame([(dt.date(2016, 1, 1) + dt.timedelta(days=k), dt.date(2030, 6, 1) - dt.timedelta(days=3 * k), k % 50)
                  for k in range(5000)]).lazy()
    plans = [data.select(working_days_between(pl.col("a"), pl.col("b"), _ENGLAND).alias("wd"),
                         add_working_days(pl.col("b"), pl.col("n") + shift, _ENGLAND).alias("plus"))
             for shift in range(6)]
    want = [data.select(polars_between(pl.col("a"), pl.col("b"), _ENGLAND).alias("wd"),
                        pl.col("b").dt.add_business_days(pl.col("n") + shift, holidays=_ENGLAND, roll="backward")
                        .alias("plus")) for shift in range(6)]
    for got, expected in zip(pl.collect_all(plans), pl.collect_all(want), strict=True):
        assert got.equals(expected)


@pytest.mark.parametrize("which", sorted(HOLIDAY_LISTS))
def test_empty_and_all_null(which: str) -> None:
    empty = frame([])
    got = empty.select(working_days_between(pl.col("a"), pl.col("b"), HOLIDAY_LISTS[which]).alias("wd"),
                       add_working_days(pl.col("a"), pl.col("n"), HOLIDAY_LISTS[which]).alias("plus"))
    assert got.height == 0 and got.schema == pl.Schema({"wd": pl.Int32, "plus": pl.Date})
    check([(None, dt.date(2016, 1, 1), 3), (dt.date(2016, 1, 1), None, None)], HOLIDAY_LISTS[which])
