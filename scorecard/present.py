"""The one vocabulary every view speaks: figures with their unit, bands, changes, periods, times.

The command line (`format.py`, `explain_format.py`), the terminal UI (`tui/text.py`, which adds
Rich styles), the committee paper (`report/words.py`) and Slack (`notify/messages.py`) write
every figure, band, change, month and time through here, so a figure reads the same in all of
them. The rule for a figure: the measure's `decimals`, thousands separated, `%` written against
the number, any other unit after a space (`93.6%`, `61 days`, `445.7 per 10,000`); a missing
value is a dash (or the caller's words) with no unit.

Plain text only: no markup, nothing escaped (each view escapes for its own format).
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo

# -- bands and changes ----------------------------------------------------------------------
BAND_WORDS: dict[str | None, str] = {"green": "Green", "amber": "Amber", "red": "Red", "no_data": "No data", None: "-"}
BAND_LETTERS: dict[str | None, str] = {"green": "G", "amber": "A", "red": "R", "no_data": "-"}
ACTIVITY = "Activity"  # the band column of an unrated (activity) measure
CHANGE_SYMBOLS: dict[str | None, str] = {"improved": "▲", "declined": "▼", "unchanged": "=", None: ""}
# Sort order of bands: the worst first.
BAND_RANK: dict[str | None, int] = {"red": 0, "amber": 1, "green": 2, "no_data": 3, None: 4}
WINDOW_WORDS = {
    "month": "in the month",
    "snapshot": "snapshot (last working day of the month)",
    "ytd": "year-to-date",
    "rolling12": "rolling 12 months",
}

VARIATION_WORDS = {
    "improvement": "special cause variation: improvement",
    "concern": "special cause variation: concern",
    "special_cause": "special cause variation",
    "common_cause": "common cause variation (no signal)",
}
ASSURANCE_WORDS = {
    "pass": "the process consistently meets the target",
    "fail": "the process will not meet the target without change",
    "hit_and_miss": "the process will sometimes meet the target and sometimes miss it",
    None: "no target to assure against",
}
RULE_WORDS = {
    "outside_limits": "a point outside the process limits",
    "shift": "a run of 7 or more on one side of the mean",
    "trend": "7 or more rising or falling in a row",
    "two_of_three": "2 of 3 points near a process limit",
}


def band_word(rag: str | None, rated: bool = True) -> str:
    """`Green`, `Amber`, `Red`, `No data`; `Activity` for an unrated measure."""
    return BAND_WORDS[rag] if rated else ACTIVITY


def change_words(change: str | None) -> str:
    """`▲ improved`, `▼ declined`, `= unchanged`; empty when there is no change to speak of."""
    return f"{CHANGE_SYMBOLS[change]} {change}" if change else ""


# -- figures -----------------------------------------------------------------------------------
def unit_suffix(unit: str | None) -> str:
    """What follows a number for its unit: `%` against it, another unit after a space."""
    if not unit:
        return ""
    return unit if unit == "%" else f" {unit}"


def figure(value: float | int | None, decimals: int, unit: str | None, *, with_unit: bool = True,
           missing: str = "-") -> str:
    """A measure's figure: `93.6%`, `61 days`, `1,342 referrals`. `with_unit=False` leaves out
    any unit but `%` (a table whose column says what the unit is); `missing` stands for no value."""
    if value is None:
        return missing
    text = f"{value:,.{decimals}f}"
    if unit == "%":
        return text + "%"
    return text + unit_suffix(unit) if with_unit else text


def count(value: float | int | None) -> str:
    """Numerators and denominators: whole numbers with thousands separators, `-` when there is none."""
    if value is None:
        return "-"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def column_label(name: str) -> str:
    """A data column's name as words: `age_band` reads "age band" (for running text: "By age band")."""
    return name.replace("_", " ")


def column_heading(label: str) -> str:
    """A label heading a table's column, in sentence case like every other heading: "age band" reads
    "Age band" beside "Value"; the rest is kept as written ("CIC status", "open as")."""
    return label[:1].upper() + label[1:]


# -- periods and times -------------------------------------------------------------------------
def month_label(period: str) -> str:
    """`2018-03` reads `March 2018`."""
    year, month = period.split("-")
    return f"{calendar.month_name[int(month)]} {year}"


def short_month(period: str) -> str:
    """`2018-03` reads `Mar 2018`."""
    year, month = period.split("-")
    return f"{calendar.month_abbr[int(month)]} {year}"


def local_time(when: dt.datetime | str, timezone: str, *, weekday: bool = False) -> str:
    """A time in the organisation's timezone, naming the zone: `22 Nov 2017 09:15 GMT`
    (`Wed 22 Nov 2017 09:15 GMT` with `weekday`). A stored time without a zone is UTC; text
    that is not a time is returned as it is."""
    if isinstance(when, str):
        try:
            when = dt.datetime.fromisoformat(when)
        except ValueError:
            return when
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    t = when.astimezone(zoneinfo.ZoneInfo(timezone))
    return (f"{t:%a} " if weekday else "") + f"{t.day} {t:%b %Y %H:%M} {t.tzname()}"


# -- sparklines --------------------------------------------------------------------------------
SPARK = "▁▂▃▄▅▆▇█"
MIN_SPAN_STEPS = 8  # at least this many steps of the measure's precision from the lowest bar to the highest
MIN_SPAN_SHARE = 0.05  # and at least a twentieth of the largest figure's size


def sparkline(values: list[float | None], *, target: float | None = None, floor: float | None = None,
              decimals: int = 1) -> str:
    """Bars on a scale that includes the target and floor, and spans at least a twentieth of the
    figures' size and 8 steps of their precision, so 34 -> 35 days is a step, not a cliff."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    marks = present + [x for x in (target, floor) if x is not None]
    lo, hi = min(marks), max(marks)
    least = max(MIN_SPAN_STEPS * 10.0 ** -decimals, MIN_SPAN_SHARE * max(abs(lo), abs(hi)))
    if hi - lo < least:
        middle = (hi + lo) / 2
        lo, hi = middle - least / 2, middle + least / 2
    span = hi - lo
    top = len(SPARK) - 1
    return "".join(" " if v is None else SPARK[max(0, min(int((v - lo) / span * top + 0.5), top))] for v in values)


PROBLEMS_SHOWN = 20  # `scorecard check` lists them all


def problem_listing(lines: list[str], note: str = "; `scorecard check` lists them") -> list[str]:
    """Data problems for stderr: a line counting them (then `note`), then the first PROBLEMS_SHOWN, indented."""
    return [f"{len(lines)} data problem(s) found{note}:", *(f"  {line}" for line in lines[:PROBLEMS_SHOWN])]
