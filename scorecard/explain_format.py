"""`scorecard explain --format table`: a readable page for one measure."""

from __future__ import annotations

from typing import Any

from .engine.explain import Explanation
from .engine.results import PeriodResult
from .explain_words import comparator_text, why_lines
from .format import table
from .present import (
    ASSURANCE_WORDS,
    RULE_WORDS,
    VARIATION_WORDS,
    band_word,
    change_words,
    column_heading,
    count,
    figure,
    month_label,
    sparkline,
)


def _band(r: PeriodResult) -> str:
    return band_word(r.rag) if r.target is not None else "(unrated)"


def explanation_text(e: Explanation, cohorts: dict[str, Any]) -> str:
    r = e.result
    unit = e.unit
    fmt = lambda v: figure(v, e.decimals, unit, with_unit=False)  # noqa: E731
    out = [
        f"{e.id}  {e.title}",
        f"{e.section} · {month_label(e.period)} · window {e.window} · calc {e.calc}",
        "",
        f"Value     {figure(r.value, e.decimals, unit)}   {_band(r)}"
        + (f"   {change_words(e.change)} from {fmt(e.previous.value)} in {month_label(e.previous.period)}" if e.previous else ""),
    ]
    if r.numerator is not None or r.denominator is not None:
        out.append(f"          numerator {count(r.numerator)}, denominator {count(r.denominator)}")
    if e.published is not None:  # SPEC section 7: the published figure beside the live one
        p = e.published
        state = (f"RESTATED: the data now gives {figure(r.value, e.decimals, unit)} {_band(r)}" if e.restated
                 else "the data still gives it")
        out.append(f"Published {figure(p.value, e.decimals, unit)}   {band_word(p.rag, p.rag is not None)}   "
                   f"version {p.version} of {p.published_at[:10]} · {state}")
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
        spark = sparkline([t.value for t in e.trend], target=r.target, floor=r.floor, decimals=e.decimals)
        out += ["", f"Trend {e.trend[0].period} to {e.trend[-1].period}: {spark}"]
        recent = e.trend[-13:]
        out.append(table([t.period for t in recent], [[fmt(t.value) for t in recent],
                                                      [band_word(t.rag) if t.rag else "" for t in recent]]))
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
                 band_word(g.rag) if g.rag else "-", count(g.numerator), count(g.denominator),
                 "low base" if g.low_base else ""] for g in e.ordered(name)]
        out.append(table([column_heading(e.heading(name)), "Value", "Band", "Numerator", "Denominator", "Base"], rows,
                         right=(1, 3, 4)))
    for cid, c in e.cohorts.items():
        out += ["", f"Cohort: {c.label} ({cid})",
                f"  excluding: {fmt(c.excluding.value)} {band_word(c.excluding.rag) if c.excluding.rag else ''}".rstrip(),
                f"  only:      {fmt(c.only.value)} {band_word(c.only.rag) if c.only.rag else ''}".rstrip()]
    if e.warnings:
        out += ["", "Warnings:"] + [f"  {w}" for w in e.warnings]
    return "\n".join(out)
