"""The sentences of a measure's explanation (issue 16), in the papers' words: one place for the
command line's `explain`, the terminal UI's drill-down and the committee paper.

Each function reads the engine's `Explanation` and returns plain sentences; nothing is computed here.
"""

from __future__ import annotations

from .engine.explain import Explanation
from .engine.explain_movement import MonthsValue
from .present import figure as present_figure
from .present import month_label

CALC_WORDS = {"mean": "average", "median": "median", "sum": "total", "percent": "", "count": "number",
              "rate": "rate", "value": "value"}


def figure(value: float | int | None, e: Explanation, decimals: int | None = None) -> str:
    """A value as the measure shows it: `58.0%`, `104 days`, `53.2 per 10,000`."""
    return present_figure(value, e.decimals if decimals is None else decimals, e.unit)


def difference(change: float | None, e: Explanation) -> str:
    """A change in the measure's unit, without its sign: `7.3 percentage points`, `5 days`."""
    if change is None:
        return "-"
    size = abs(change)
    if e.unit == "%":
        return f"{present_figure(size, e.decimals, None)} percentage points"
    return figure(size, e)


def _months(v: MonthsValue) -> str:
    if v.first == v.last:
        return month_label(v.first)
    a, b = month_label(v.first).split(), month_label(v.last).split()
    return f"{a[0]} to {b[0]} {b[1]}" if a[1] == b[1] else f"{month_label(v.first)} to {month_label(v.last)}"


def thresholds_lines(e: Explanation) -> list[str]:
    """'Of the 112 counted, 64 (57.1%) were within 4 months; of the remaining 48, 25 within 6 months
    (a cumulative 79.5%); 23 beyond 6 months, and none still open.'"""
    t = e.thresholds
    if t is None:
        return []
    unit = f" {t.unit}" if t.unit else ""
    parts: list[str] = []
    before = 0
    for k, w in enumerate(t.within):
        if k == 0:
            parts.append(f"Of the {t.total:,} counted, {w.count:,} ({present_figure(w.percent, 1, '%')}) were within "
                         f"{w.threshold:g}{unit}")
        else:
            parts.append(f"of the remaining {t.total - before:,}, {w.count - before:,} within {w.threshold:g}{unit} "
                         f"(a cumulative {w.count:,}, {present_figure(w.percent, 1, '%')})")
        before = w.count
    last = f"{t.within[-1].threshold:g}{unit}"
    still = "none still open" if not t.open else f"{t.open:,} still open (not yet done)"
    return ["; ".join(parts) + f"; {t.beyond:,} beyond {last}, and {still}."]


def outside_lines(e: Explanation) -> list[str]:
    """'Of the 120 outside (of 450 counted), by reason: Refused 16 (13.3% of those outside), ...'"""
    out: list[str] = []
    for column, o in e.outside.items():
        style = e.styles[column]
        shares = [f"{'(empty)' if r.label is None else r.label} {r.count:,} ({present_figure(r.percent, 1, '%')})"
                  for r in o.ordered(style)]
        out.append(f"Of the {o.outside:,} outside (of {o.total:,} counted), by {o.heading}: " + ", ".join(shares)
                   + " (shares of those outside).")
    return out


def movement_lines(e: Explanation) -> list[str]:
    mv = e.movement
    if mv is None:
        return []
    verb = "rose" if (mv.change or 0) > 0 else "fell" if (mv.change or 0) < 0 else "did not change"
    head = (f"Since {month_label(mv.since.period)} the rolling 12-month figure {verb}"
            + (f" from {figure(mv.since.value, e)} to {figure(mv.now.value, e)}" if mv.change else "") + ".")
    calc = CALC_WORDS.get(e.calc, "")
    what = f"The {calc} for" if calc else "The figure for"
    entered, left = mv.entered, mv.left
    months = "month" if entered.first == entered.last else "months"  # since the month before: one month moved it
    body = (f"{what} {_months(entered)}, the {months} that entered the window, was {figure(entered.value, e)} "
            f"({_base(entered)}), against {figure(left.value, e)} ({_base(left)}) for {_months(left)}, the same "
            f"{months} a year earlier, which left it.")
    return [head, body]


def _base(v: MonthsValue) -> str:
    if v.numerator is not None and v.denominator is not None:
        return f"{v.numerator:,} of {v.denominator:,}"
    n = v.denominator if v.denominator is not None else v.numerator
    return f"{n or 0:,} counted"


def year_end_line(e: Explanation) -> str | None:
    ye = e.year_end
    if ye is None or ye.at.value is None or e.result.value is None:
        return None
    if not ye.change:
        return f"The same as the position as at {month_label(ye.at.period)} ({figure(ye.at.value, e)})."
    side = "above" if (ye.change or 0) > 0 else "below"
    return (f"Current performance is {difference(ye.change, e)} {side} the position as at "
            f"{month_label(ye.at.period)} ({figure(ye.at.value, e)}).")


def comparator_text(e: Explanation, name: str) -> str:
    """`England 62.0 (as at March 2017, DfE)`."""
    d = e.comparator_details.get(name)
    if d is None:
        return f"{name} {figure(e.comparators.get(name), e)}"
    source = f", {d['source']}" if d.get("source") else ""
    return f"{name} {figure(d['value'], e)} (as at {month_label(d['period'])}{source})"


def why_lines(e: Explanation, outside: bool = True) -> list[str]:
    """Every explanation the measure has, in the order a paper gives them (a paper shows the
    why-outside groups as a table of its own, suppressed when public: `outside=False`)."""
    out: list[str] = []
    for part in (thresholds_lines(e), outside_lines(e) if outside else [], movement_lines(e)):
        out += part
    line = year_end_line(e)
    if line:
        out.append(line)
    return out
