"""The one vocabulary every view uses (`scorecard/present.py`): figures, bands, changes, periods,
times and sparklines."""

from __future__ import annotations

import datetime as dt

from scorecard.present import (
    SPARK,
    band_word,
    change_words,
    count,
    figure,
    local_time,
    month_label,
    problem_listing,
    short_month,
    sparkline,
)


def test_a_figure_shows_the_measures_decimals_and_its_unit():
    assert figure(61.25, 0, "days") == "61 days"
    assert figure(93.64, 1, "%") == "93.6%"
    assert figure(1342, 0, "referrals") == "1,342 referrals"
    assert figure(445.71, 1, "per 10,000") == "445.7 per 10,000"
    assert figure(0.123456789, 8, None) == "0.12345679"  # decimals are not capped


def test_a_table_cell_leaves_out_units_but_percent():
    assert figure(61.25, 0, "days", with_unit=False) == "61"
    assert figure(93.64, 1, "%", with_unit=False) == "93.6%"


def test_no_value_is_a_dash_without_a_unit():
    assert figure(None, 0, "days") == "-"
    assert figure(None, 1, "%", missing="no data") == "no data"


def test_counts():
    assert count(1759) == "1,759"
    assert count(12.0) == "12"
    assert count(None) == "-"


def test_band_and_change_words():
    assert [band_word(r) for r in ("green", "amber", "red", "no_data")] == ["Green", "Amber", "Red", "No data"]
    assert band_word(None, rated=False) == "Activity"
    assert change_words("improved") == "▲ improved"
    assert change_words("declined") == "▼ declined"
    assert change_words(None) == ""


def test_periods():
    assert month_label("2018-03") == "March 2018"
    assert short_month("2018-03") == "Mar 2018"


def test_times_name_their_zone():
    assert local_time("2017-07-03T08:15:00+00:00", "Europe/London") == "3 Jul 2017 09:15 BST"
    assert local_time("2017-12-03T08:15:00", "Europe/London") == "3 Dec 2017 08:15 GMT"  # stored without a zone: UTC
    now = dt.datetime(2017, 3, 24, 9, 0, tzinfo=dt.UTC)
    assert local_time(now, "Europe/London", weekday=True) == "Fri 24 Mar 2017 09:00 GMT"


def test_a_small_move_is_a_step_not_a_cliff():
    line = sparkline([34, 34, 34, 35, 35, 35], decimals=0)
    assert len(line) == 6
    low, high = SPARK.index(line[0]), SPARK.index(line[-1])
    assert 0 < high - low <= 1  # one day in 35 is one bar, not the full height
    children = sparkline([4, 4, 3, 3], decimals=0)
    assert SPARK.index(children[0]) - SPARK.index(children[-1]) <= 1


def test_the_scale_includes_target_and_floor():
    line = sparkline([34, 35], target=32, floor=40, decimals=0)
    assert SPARK.index(line[0]) < SPARK.index(line[1]) < len(SPARK) // 2  # both well below the floor's top


def test_a_real_swing_still_fills_the_height():
    line = sparkline([10.0, 50.0, 90.0], decimals=1)
    assert line[0] == SPARK[0] and line[-1] == SPARK[-1]
    assert sparkline([None, 1.0, None], decimals=1)[0] == " "
    assert sparkline([None, None]) == ""


def test_problem_listing_counts_all_and_shows_the_first_twenty() -> None:
    lines = [f"data/a.csv line {n}: column x: not a number" for n in range(2, 27)]
    shown = problem_listing(lines)
    assert shown[0] == "25 data problem(s) found; `scorecard check` lists them:"
    assert shown[1:] == [f"  {line}" for line in lines[:20]]
    assert problem_listing(lines[:1], ", so nothing was published") == [
        "1 data problem(s) found, so nothing was published:", f"  {lines[0]}"]
