"""XmR charts (scorecard.engine.spc) against NHSRplotthedots figures and hand-made series."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scorecard.engine.spc import SpcResult, SpcSignal, xmr

# R: set.seed(123); rnorm(20)
RNORM_20 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def periods(n: int) -> list[str]:
    return [f"p{i:02d}" for i in range(n)]


def months(start_year: int, start_month: int, n: int) -> list[str]:
    out = []
    year, month = start_year, start_month
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def chart(values, polarity="higher", target=None, screen_outliers=False) -> SpcResult:
    result = xmr(periods(len(values)), values, polarity, target, screen_outliers)
    assert result is not None
    return result


def flagged(result: SpcResult, rule: str) -> list[str]:
    return [s.period for s in result.signals if s.rule == rule]


def names(*indices: int) -> list[str]:
    return [f"p{i:02d}" for i in indices]


# --- published NHSRplotthedots figures ---------------------------------------------------------


def test_rnorm_limits_match_nhsrplotthedots():
    result = chart(RNORM_20, polarity=None)
    assert result.mean == pytest.approx(0.1416238, abs=1e-5)
    assert result.lower == pytest.approx(-3.01138, abs=1e-5)
    assert result.upper == pytest.approx(3.294627, abs=1e-5)
    assert result.signals == []
    assert result.variation == "common_cause"
    assert result.assurance is None


def test_outlier_unscreened_and_screened_limits_match_nhsrplotthedots():
    values = list(RNORM_20)
    values[14] = 10
    plain = chart(values, polarity=None)
    assert plain.lower == pytest.approx(-4.596625, abs=1e-5)
    assert plain.upper == pytest.approx(5.935457, abs=1e-5)
    screened = chart(values, polarity=None, screen_outliers=True)
    assert screened.mean == pytest.approx(plain.mean)  # screening leaves the mean alone
    assert screened.lower == pytest.approx(-2.383666, abs=1e-5)
    assert screened.upper == pytest.approx(3.722497, abs=1e-5)
    assert flagged(plain, "outside_limits") == ["p14"]
    assert flagged(screened, "outside_limits") == ["p14"]


def test_screening_without_outliers_changes_nothing():
    assert chart(RNORM_20, screen_outliers=True) == chart(RNORM_20)


def test_screening_a_flat_series_does_not_divide_by_zero():
    result = chart([5.0] * 12, target=5.0, screen_outliers=True)
    assert (result.mean, result.lower, result.upper) == (5.0, 5.0, 5.0)
    assert result.signals == []
    assert result.variation == "common_cause"
    assert result.assurance == "hit_and_miss"


# --- acceptance fixture worked cases ----------------------------------------------------------

FIXTURE_A = [0, 0, 0, 0, 50, 50, 50, 50, 33.3, 33.3, 25, 25, 40, 50, 60, 60, 66.7]
FIXTURE_A_PERIODS = months(2016, 1, 17)
FIXTURE_B = [100, 100, 50, 50, 50, 50, 50, 50, 67, 75, 67, 63]
FIXTURE_B_PERIODS = months(2016, 4, 12)


def test_fixture_a():
    assert FIXTURE_A_PERIODS[0] == "2016-01" and FIXTURE_A_PERIODS[-1] == "2017-05"
    result = xmr(FIXTURE_A_PERIODS, FIXTURE_A, "higher", 80)
    assert result is not None
    assert result.mean == pytest.approx(34.900000000000006, abs=1e-6)
    assert result.lower == pytest.approx(15.498625, abs=1e-6)
    assert result.upper == pytest.approx(54.301375, abs=1e-6)
    assert result.variation == "improvement"
    assert result.assurance == "fail"
    # Limits 15.50 / 54.30; two-thirds marks 21.97 / 47.83.
    # 2016-01..04 (0) are below the lower limit and, being beyond two-thirds in runs of three
    # below the mean, also two-of-three; the 50s of 2016-05..08 are two-of-three; 2017-02 (50)
    # is two-of-three with the 60s after it, which count although they are outside the limit.
    m = dict(enumerate(FIXTURE_A_PERIODS))
    expected = []
    for i in (0, 1, 2, 3):
        expected += [SpcSignal(m[i], "outside_limits"), SpcSignal(m[i], "two_of_three")]
    expected += [SpcSignal(m[i], "two_of_three") for i in (4, 5, 6, 7, 13)]
    for i in (14, 15, 16):
        expected += [SpcSignal(m[i], "outside_limits"), SpcSignal(m[i], "two_of_three")]
    assert result.signals == expected


def test_fixture_b():
    assert FIXTURE_B_PERIODS[0] == "2016-04" and FIXTURE_B_PERIODS[-1] == "2017-03"
    result = xmr(FIXTURE_B_PERIODS, FIXTURE_B, "higher", 85)
    assert result is not None
    assert result.mean == pytest.approx(64.33333, abs=1e-5)
    assert result.lower == pytest.approx(43.29515151515151, abs=1e-9)
    assert result.upper == pytest.approx(85.37151515151515, abs=1e-9)
    assert result.variation == "common_cause"
    assert result.assurance == "hit_and_miss"
    assert [(s.period, s.rule) for s in result.signals] == [
        ("2016-04", "outside_limits"),
        ("2016-05", "outside_limits"),
        *[(p, "two_of_three") for p in FIXTURE_B_PERIODS[2:8]],  # 50 < two-thirds mark 50.31
    ]


def test_to_json():
    result = xmr(FIXTURE_B_PERIODS, FIXTURE_B, "higher", 85)
    assert result is not None
    data = result.to_json()
    assert set(data) == {"mean", "lower", "upper", "variation", "assurance", "signals"}
    assert data["mean"] == result.mean
    assert data["lower"] == result.lower
    assert data["upper"] == result.upper
    assert data["variation"] == "common_cause"
    assert data["assurance"] == "hit_and_miss"
    assert data["signals"][0] == {"period": "2016-04", "rule": "outside_limits"}
    assert len(data["signals"]) == 8


def test_result_is_frozen():
    result = chart(RNORM_20)
    with pytest.raises(AttributeError):
        result.mean = 0.0  # type: ignore[misc]


# --- points: fewer than 12, None values -------------------------------------------------------


def test_fewer_than_twelve_points_is_no_chart():
    assert xmr(periods(11), RNORM_20[:11], "higher", 0.0) is None
    assert xmr([], [], None, None) is None
    assert xmr(periods(12), RNORM_20[:12], "higher", 0.0) is not None


def test_none_values_are_skipped():
    values: list[float | None] = [None, *FIXTURE_A[:5], None, None, *FIXTURE_A[5:], None]
    labels = ["x0", *FIXTURE_A_PERIODS[:5], "x1", "x2", *FIXTURE_A_PERIODS[5:], "x3"]
    with_gaps = xmr(labels, values, "higher", 80)
    assert with_gaps == xmr(FIXTURE_A_PERIODS, FIXTURE_A, "higher", 80)


def test_none_values_do_not_count_towards_twelve():
    values: list[float | None] = [*RNORM_20[:11], None, None]
    assert xmr(periods(13), values, "higher", None) is None


def test_mismatched_lengths_and_bad_polarity_are_errors():
    with pytest.raises(ValueError):
        xmr(periods(12), RNORM_20[:13], None, None)
    with pytest.raises(ValueError):
        xmr(periods(12), RNORM_20[:12], "up", None)


# --- rules ------------------------------------------------------------------------------------

# Mean exactly 10: six points below, one on the mean, seven above, one below.
SHIFT_BROKEN = [9, 7, 9, 7, 9, 7, 10, 11, 13, 11, 13, 11, 13, 11, 9]


def test_shift_of_seven_and_a_point_on_the_mean_breaks_the_run():
    result = chart(SHIFT_BROKEN)
    assert result.mean == 10.0
    assert flagged(result, "shift") == names(7, 8, 9, 10, 11, 12, 13)
    assert [s.rule for s in result.signals] == ["shift"] * 7
    assert result.variation == "common_cause"  # the last point (9) is not in a run


def test_shift_without_the_break():
    # The same series with the point on the mean moved below it: now 7 below, 7 above.
    values = [9, 7, 9, 7, 9, 7, 7, 11, 13, 11, 13, 11, 13, 11]
    values.append(140 + 10 - sum(values))  # keep the mean at 10 (appends 12)
    result = chart(values)
    assert result.mean == 10.0
    assert flagged(result, "shift") == names(*range(15))
    assert result.variation == "improvement"


def test_shift_six_is_not_enough_and_longer_runs_flag_every_point():
    six = chart([9, 7, 9, 7, 9, 7, 11, 13, 11, 13, 11, 13])  # mean 10: 6 below, 6 above
    assert six.mean == 10.0
    assert six.signals == []
    eight = chart([9, 7, 9, 7, 9, 7, 9, 7, 11, 13, 11, 13, 11, 13, 11, 13])  # 8 below, 8 above
    assert eight.mean == 10.0
    assert flagged(eight, "shift") == names(*range(16))
    assert [s.rule for s in eight.signals] == ["shift"] * 16


def test_trend_of_seven():
    result = chart([12, 4, 12, 4, 5, 6, 7, 8, 9, 10, 4, 12, 4])  # 4..10: 6 rises
    assert flagged(result, "trend") == names(3, 4, 5, 6, 7, 8, 9)
    assert [s.rule for s in result.signals] == ["trend"] * 7
    assert result.variation == "common_cause"


def test_trend_longer_run_flags_every_point():
    result = chart([12, 4, 12, 4, 5, 6, 7, 8, 9, 10, 11, 4, 12, 4])  # 4..11: 7 rises
    assert flagged(result, "trend") == names(3, 4, 5, 6, 7, 8, 9, 10)


def test_trend_broken_by_an_equal_value():
    result = chart([12, 4, 12, 4, 5, 6, 6, 7, 8, 9, 10, 11, 4, 12, 4])  # 4,5,6 | 6..11
    assert flagged(result, "trend") == []
    assert result.signals == []


def test_falling_trend_ending_on_the_mean_takes_the_trend_direction():
    values = [4, 12, 4, 12, 4, 12, 1, 16, 15, 14, 13, 12, 11, 10]
    higher = chart(values, "higher")
    assert higher.mean == 10.0  # the last point lies exactly on the mean
    assert flagged(higher, "trend") == names(7, 8, 9, 10, 11, 12, 13)
    assert flagged(higher, "shift") == []  # 16..11 is only six above the mean
    assert higher.variation == "concern"
    assert chart(values, "lower").variation == "improvement"
    assert chart(values, None).variation == "special_cause"


# Mean exactly 10, limits 6.45 / 13.55, two-thirds marks 7.64 / 12.36.  12.5, 11, 12.5 has two
# points beyond the upper mark, all three above the mean; 7.5, 11, 7.5 has two beyond the lower
# mark but its middle point is above the mean.
TWO_OF_THREE = [
    10.25, 9.75, 10.25, 9.75, 10.25, 9.75,
    12.5, 11, 12.5,
    9.75, 10.25, 9.75, 10.25,
    7.5, 11, 7.5,
    10.25, 9.75, 10.25, 9.75,
    8, 10.25, 9.75, 10.25, 9.75,
]  # fmt: skip


def test_two_of_three_flags_the_points_beyond_on_one_side():
    result = chart(TWO_OF_THREE)
    assert result.mean == 10.0
    assert result.lower == pytest.approx(6.453333333333333)
    assert result.upper == pytest.approx(13.546666666666667)
    assert result.signals == [SpcSignal("p06", "two_of_three"), SpcSignal("p08", "two_of_three")]
    assert result.variation == "common_cause"


def test_two_of_three_needs_all_three_on_the_same_side():
    # Mirror the series about 10: the upper pattern becomes 7.5, 9, 7.5 (flagged) and the lower
    # one 12.5, 9, 12.5 whose middle point is below the mean (not flagged).
    mirrored = chart([20 - v for v in TWO_OF_THREE])
    assert mirrored.signals == [SpcSignal("p06", "two_of_three"), SpcSignal("p08", "two_of_three")]
    # Move the middle of the upper pattern below the mean, keeping the total: nothing flags.
    values = list(TWO_OF_THREE)
    values[7], values[0] = 9.75, 11.5
    broken = chart(values)
    assert broken.mean == 10.0
    assert flagged(broken, "two_of_three") == []


def test_outside_limits_above_and_below():
    values = [0.5, -0.5] * 15
    values[5] = 5.0  # was -0.5
    values[20] = -5.0  # was 0.5: the mean stays 0
    result = chart(values)
    assert result.mean == 0.0
    assert result.upper == pytest.approx(2.66 * 43 / 29)  # 25 moving ranges of 1, four of 4.5
    assert result.signals == [SpcSignal("p05", "outside_limits"), SpcSignal("p20", "outside_limits")]


# --- verdicts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "target", "variation", "assurance"),
    [
        ("higher", 80, "improvement", "fail"),  # target above the upper limit
        ("higher", 10, "improvement", "pass"),  # target below the lower limit
        ("higher", 30, "improvement", "hit_and_miss"),
        ("lower", 80, "concern", "pass"),
        ("lower", 10, "concern", "fail"),
        ("lower", 30, "concern", "hit_and_miss"),
        (None, 80, "special_cause", None),
        ("higher", None, "improvement", None),
        ("lower", None, "concern", None),
    ],
)
def test_polarity_and_target_verdicts(polarity, target, variation, assurance):
    result = xmr(FIXTURE_A_PERIODS, FIXTURE_A, polarity, target)
    assert result is not None
    assert (result.variation, result.assurance) == (variation, assurance)


def test_last_point_below_the_mean_mirrors():
    values = [50 - v for v in FIXTURE_A]  # last point now far below the lower limit
    higher = chart(values, "higher", 80)
    lower = chart(values, "lower", 80)
    assert flagged(higher, "outside_limits")[-1] == "p16"
    assert (higher.variation, higher.assurance) == ("concern", "fail")
    assert (lower.variation, lower.assurance) == ("improvement", "pass")


def test_target_on_a_limit_is_hit_and_miss():
    base = chart(FIXTURE_A, "higher", None)
    for polarity in ("higher", "lower"):
        for limit in (base.lower, base.upper):
            assert chart(FIXTURE_A, polarity, limit).assurance == "hit_and_miss"
        assert chart(FIXTURE_A, polarity, base.lower - 1e-9).assurance != "hit_and_miss"
        assert chart(FIXTURE_A, polarity, base.upper + 1e-9).assurance != "hit_and_miss"


def test_does_not_import_ui_or_notification_libraries():
    code = (
        "import sys, scorecard.engine.spc\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'slack_sdk', 'numpy')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
