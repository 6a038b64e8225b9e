"""`scorecard explain --format table`: a readable page for one measure."""

from __future__ import annotations

from typing import Any

from .engine.explain import Explanation
from .engine.results import PeriodResult
from .explain_words import comparator_text, why_lines
from .format import BAND_WORDS, CHANGE_ARROWS, month_name, number, table

SPARK = "▁▂▃▄▅▆▇█"
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


def sparkline(values: list[float | None]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return ""
    lo, hi = min(present), max(present)
    span = (hi - lo) or 1.0
    return "".join(" " if v is None else SPARK[min(int((v - lo) / span * (len(SPARK) - 1) + 0.5), len(SPARK) - 1)]
                   for v in values)


def _band(r: PeriodResult) -> str:
    return BAND_WORDS[r.rag] if r.target is not None else "(unrated)"


def explanation_text(e: Explanation, cohorts: dict[str, Any]) -> str:
    r = e.result
    unit = e.unit
    fmt = lambda v: number(v, e.decimals, unit)  # noqa: E731
    out = [
        f"{e.id}  {e.title}",
        f"{e.section} · {month_name(e.period)} · window {e.window} · calc {e.calc}",
        "",
        f"Value     {fmt(r.value)}{'' if unit in (None, '%') else ' ' + unit}   {_band(r)}"
        + (f"   {CHANGE_ARROWS[e.change]} from {fmt(e.previous.value)} in {month_name(e.previous.period)}" if e.previous else ""),
    ]
    if r.numerator is not None or r.denominator is not None:
        out.append(f"          numerator {number(r.numerator, 0)}, denominator {number(r.denominator, 0)}")
    if r.target is not None:
        better = "higher" if e.polarity == "higher" else "lower"
        out.append(f"Target    {fmt(r.target)}   floor {fmt(r.floor)}   ({better} is better)")
    if e.definition:
        out.append(f"Definition  {e.definition}")
    if e.owner:
        out.append(f"Owner       {e.owner}")
    if e.comparators:
        out.append("Comparators " + ", ".join(comparator_text(e, k) for k in e.comparators))
    why = why_lines(e)
    if why:
        out += ["", "Why"] + [f"  {line}" for line in why]
    if e.trend:
        values = [t.value for t in e.trend]
        out += ["", f"Trend {e.trend[0].period} to {e.trend[-1].period}: {sparkline(values)}"]
        recent = e.trend[-13:]
        out.append(table([t.period for t in recent], [[fmt(t.value) for t in recent],
                                                      [BAND_WORDS[t.rag] if t.rag else "" for t in recent]]))
    if e.spc:
        s = e.spc
        out += ["", f"SPC (XmR): mean {s.mean:.{e.decimals + 1}f}, process limits {s.lower:.{e.decimals + 1}f} "
                    f"to {s.upper:.{e.decimals + 1}f}",
                f"  {VARIATION_WORDS[s.variation]}; {ASSURANCE_WORDS[s.assurance]}"]
        last = [sig for sig in s.signals if sig.period == e.period]
        if last:
            out.append("  latest point: " + "; ".join(RULE_WORDS[sig.rule] for sig in last))
    elif e.trend:
        out += ["", f"SPC: needs 12 points, has {sum(t.value is not None for t in e.trend)}"]
    for name in e.breakdowns:
        out += ["", f"By {e.heading(name)}"]
        rows = [[("(empty)" if g.group is None else str(g.label)), fmt(g.value),
                 BAND_WORDS[g.rag] if g.rag else "-", number(g.numerator, 0), number(g.denominator, 0),
                 "low base" if g.low_base else ""] for g in e.ordered(name)]
        out.append(table([e.heading(name), "Value", "Band", "Numerator", "Denominator", ""], rows, right=(1, 3, 4)))
    for cid, c in e.cohorts.items():
        out += ["", f"Cohort: {c.label} ({cid})",
                f"  excluding: {fmt(c.excluding.value)} {BAND_WORDS[c.excluding.rag] if c.excluding.rag else ''}".rstrip(),
                f"  only:      {fmt(c.only.value)} {BAND_WORDS[c.only.rag] if c.only.rag else ''}".rstrip()]
    if e.warnings:
        out += ["", "Warnings:"] + [f"  {w}" for w in e.warnings]
    return "\n".join(out)
