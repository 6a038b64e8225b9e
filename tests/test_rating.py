"""Rounding and rating (SPEC section 3): the truth table, rounding at .5, and both end to end."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard.engine.engine import Engine
from scorecard.engine.rating import band, round_half_away
from scorecard.engine.results import change_between

from .helpers import write_project

TODAY = dt.date(2026, 11, 22)


# --------------------------------------------------------------------------------------
# The truth table
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [(91.0, "green"), (90.0, "green"), (89.9, "amber"), (80.0, "amber"), (79.9, "red"), (0.0, "red")],
)
def test_higher_is_better(value: float, expected: str) -> None:
    assert band(value, 90.0, 80.0, "higher") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, "green"), (60.0, "green"), (60.1, "amber"), (65.0, "amber"), (65.1, "red"), (1000.0, "red")],
)
def test_lower_is_better(value: float, expected: str) -> None:
    assert band(value, 60.0, 65.0, "lower") == expected


@pytest.mark.parametrize("polarity", ["higher", "lower"])
def test_target_equal_to_floor_has_no_amber(polarity: str) -> None:
    assert band(50.0, 50.0, 50.0, polarity) == "green"
    worse = 49.0 if polarity == "higher" else 51.0
    assert band(worse, 50.0, 50.0, polarity) == "red"


def test_no_value_and_no_target() -> None:
    assert band(None, 90.0, 80.0, "higher") == "no_data"
    assert band(None, None, None, None) is None  # an unrated measure has no band, even without a value
    assert band(50.0, None, None, None) is None


def test_change_between_bands() -> None:
    assert change_between("red", "amber") == "improved"
    assert change_between("amber", "green") == "improved"
    assert change_between("green", "red") == "declined"
    assert change_between("amber", "amber") == "unchanged"
    assert change_between("no_data", "green") is None
    assert change_between("green", "no_data") is None
    assert change_between(None, "green") is None


# --------------------------------------------------------------------------------------
# Rounding: half away from zero, as written
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (62.5, 0, 63.0),  # Python's round gives 62
        (63.5, 0, 64.0),
        (0.5, 0, 1.0),
        (2.5, 0, 3.0),
        (74.85, 1, 74.9),  # stored as 74.8499999...
        (74.849, 1, 74.8),
        (74.96, 1, 75.0),
        (1.005, 2, 1.01),  # stored as 1.00499999...
        (-62.5, 0, -63.0),  # negatives round away from zero
        (-74.85, 1, -74.9),
        (-0.5, 0, -1.0),
        (-0.04, 1, 0.0),
        (0.0, 1, 0.0),
        (12345.6789, 2, 12345.68),
        (100.0 * 2 / 3, 1, 66.7),
        (100.0 / 3, 0, 33.0),
    ],
)
def test_round_half_away_from_zero(value: float, decimals: int, expected: float) -> None:
    got = round_half_away(value, decimals)
    assert got == expected
    assert str(got) != "-0.0"


def test_round_nothing() -> None:
    assert round_half_away(None, 1) is None
    assert round_half_away(float("nan"), 1) is None
    assert round_half_away(float("inf"), 1) is None


def test_rounded_value_is_rated_not_the_raw_one() -> None:
    # 62.5 shows as 63 with 0 decimals: against a target of 63 it must be green, as the reader sees
    value = round_half_away(62.5, 0)
    assert band(value, 63.0, 50.0, "higher") == "green"
    # 60.04 shows as 60.0 with 1 decimal: green against a lower-is-better target of 60
    assert band(round_half_away(60.04, 1), 60.0, 65.0, "lower") == "green"


# --------------------------------------------------------------------------------------
# End to end through the engine
# --------------------------------------------------------------------------------------
CONFIG = """
[organisation]
name = "Rating County"

[data]
dir = "data"

[datasets.cases]
file = "cases.csv"
date = "date"
[datasets.cases.columns]
date = "date"
ok = "bool"
score = "float?"

[datasets.returns]
file = "returns.csv"
period = "period"
[datasets.returns.columns]
period = "str"
value = "float"

[[scorecards]]
id = "main"
title = "Main"

[[measures]]
id = "PCT-HALF"
title = "5 of 8 = 62.5%, 0 decimals: shows 63, green at target 63"
section = "S"
scorecards = ["main"]
dataset = "cases"
window = "month"
calc = "percent"
numerator = "ok"
decimals = 0
polarity = "higher"
target = 63.0
floor = 50.0

[[measures]]
id = "PCT-FLOOR"
title = "62.5% with 0 decimals against a floor of 63, lower is better"
section = "S"
scorecards = ["main"]
dataset = "cases"
window = "month"
calc = "percent"
numerator = "ok"
decimals = 0
polarity = "lower"
target = 40.0
floor = 63.0

[[measures]]
id = "PCT-1DP"
title = "62.5% with 1 decimal, higher is better, exactly at the floor"
section = "S"
scorecards = ["main"]
dataset = "cases"
window = "month"
calc = "percent"
numerator = "ok"
polarity = "higher"
target = 70.0
floor = 62.5

[[measures]]
id = "SUM-NEG"
title = "Sum of -2.5 with 0 decimals: -3, green at a lower-is-better target of -3"
section = "S"
scorecards = ["main"]
dataset = "cases"
window = "month"
calc = "sum"
value = "score"
decimals = 0
polarity = "lower"
target = -3.0
floor = 0.0

[[measures]]
id = "MEAN"
title = "Mean score, 1 decimal"
section = "S"
scorecards = ["main"]
dataset = "cases"
window = "month"
calc = "mean"
value = "score"
polarity = "higher"
target = 0.0
floor = -10.0

[[measures]]
id = "VALUE"
title = "Returned value, 74.85 shows as 74.9"
section = "S"
scorecards = ["main"]
dataset = "returns"
window = "snapshot"
calc = "value"
polarity = "higher"
target = 74.9
floor = 70.0
targets = [{ from = "2017-03", target = 80.0, floor = 74.9 }, { from = "2017-04", target = 90.0, floor = 80.0 }]

[[measures]]
id = "ACTIVITY"
title = "Cases (unrated)"
section = "S"
scorecards = ["main"]
dataset = "cases"
window = "month"
calc = "count"
"""

# February 2017: 8 cases, 5 ok; scores sum to -2.5 (mean -0.3125)
# March 2017: no cases at all
CASES = "date,ok,score\n" + "".join(
    f"2017-02-{d:02d},{'true' if d <= 5 else 'false'},{s}\n"
    for d, s in zip(range(1, 9), ["-1.5", "-1", "", "0", "0", "0", "0", "0"], strict=True)
) + "2017-04-03,true,1\n"

RETURNS = """
period,value
2017-02,74.85
2017-03,74.85
2017-04,89.95
"""


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    path = write_project(tmp_path, CONFIG, {"cases.csv": CASES, "returns.csv": RETURNS})
    e = Engine.load(path, today=TODAY)
    assert not e.has_problems, e.problem_lines()
    return e


def test_half_rounds_up_before_rating(engine: Engine) -> None:
    r = engine.result("PCT-HALF", "2017-02")
    assert (r.value, r.numerator, r.denominator, r.rag) == (63.0, 5, 8, "green")


def test_exactly_at_the_floor_is_amber(engine: Engine) -> None:
    assert (engine.result("PCT-FLOOR", "2017-02").value, engine.result("PCT-FLOOR", "2017-02").rag) == (63.0, "amber")
    assert (engine.result("PCT-1DP", "2017-02").value, engine.result("PCT-1DP", "2017-02").rag) == (62.5, "amber")


def test_negative_half_rounds_away_from_zero(engine: Engine) -> None:
    r = engine.result("SUM-NEG", "2017-02")
    assert (r.value, r.rag) == (-3.0, "green")
    assert r.numerator is None and r.denominator == 7  # seven values, one empty score skipped


def test_mean_skips_empty_values(engine: Engine) -> None:
    r = engine.result("MEAN", "2017-02")
    assert r.value == -0.4  # -2.5 / 7 = -0.357 -> -0.4
    assert r.denominator == 7
    assert r.rag == "amber"


def test_value_rounds_as_written_and_follows_targets_in_force(engine: Engine) -> None:
    feb, mar, apr = (engine.result("VALUE", p) for p in ("2017-02", "2017-03", "2017-04"))
    assert (feb.value, feb.target, feb.floor, feb.rag) == (74.9, 74.9, 70.0, "green")
    assert (mar.value, mar.target, mar.floor, mar.rag) == (74.9, 80.0, 74.9, "amber")
    assert (apr.value, apr.target, apr.floor, apr.rag) == (90.0, 90.0, 80.0, "green")  # 89.95 -> 90.0


def test_no_rows_no_data_but_a_count_is_zero(engine: Engine) -> None:
    mar = "2017-03"
    assert engine.result("PCT-HALF", mar).value is None
    assert engine.result("PCT-HALF", mar).rag == "no_data"
    assert engine.result("MEAN", mar).rag == "no_data"
    assert engine.result("SUM-NEG", mar).rag == "no_data"
    assert engine.result("ACTIVITY", mar).value == 0
    assert engine.result("ACTIVITY", mar).rag is None
    assert engine.result("ACTIVITY", "2017-02").value == 8


def test_rate_summary_previous_and_change(engine: Engine) -> None:
    rating = engine.rate("main", "2017-03")
    s = rating.summary
    assert (s.measures, s.rated, s.no_data) == (7, 6, 5)
    assert s.green + s.amber + s.red + s.no_data == s.rated
    by_id = {m.id: m for m in rating.measures}
    assert [m.id for m in rating.measures] == ["PCT-HALF", "PCT-FLOOR", "PCT-1DP", "SUM-NEG", "MEAN", "VALUE", "ACTIVITY"]
    v = by_id["VALUE"]
    # the previous period is rated against its own targets: 74.9 was green in February
    assert v.previous is not None and (v.previous.period, v.previous.value, v.previous.rag) == ("2017-02", 74.9, "green")
    assert (v.rag, v.change) == ("amber", "declined")
    assert by_id["PCT-HALF"].change is None  # no_data now
    assert by_id["ACTIVITY"].rag is None and by_id["ACTIVITY"].change is None


def test_changes_use_each_periods_targets(engine: Engine) -> None:
    ch = engine.changes("main", "2017-02", "2017-03")
    assert [c.id for c in ch.declined] == ["VALUE"]
    assert ch.improved == []
    ch = engine.changes("main", "2017-03", "2017-04")
    assert [c.id for c in ch.improved] == ["VALUE"]  # amber -> green
    assert (ch.improved[0].from_value, ch.improved[0].to_value) == (74.9, 90.0)


@given(st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1), st.integers(min_value=0, max_value=8))
def test_a_whole_number_rounds_to_itself_as_the_rule_gives(n: int, decimals: int) -> None:
    # round_half_away returns a whole float as it is (its fast path); the rule written out gives the same
    value = float(n)
    nudged = value + math.copysign(1e-9, value) if value != 0 else 0.0
    rule = float(Decimal(repr(nudged)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)) + 0.0
    assert repr(round_half_away(value, decimals)) == repr(rule)
