"""The paper as Markdown: readable as plain text, rendered by a Git forge (GitHub-flavoured tables)."""

from __future__ import annotations

import re

from ..explain_words import movement_lines, why_lines
from ..present import BAND_WORDS, band_word, change_words, column_heading, month_label, short_month, sparkline
from . import words
from .content import CHART_POINTS, TABLE_POINTS, TREND_POINTS, CohortPage, ExceptionPage, Paper, TableRow

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md(text: str) -> str:
    """User text made inert: Markdown and HTML characters escaped, lines joined."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _table(headers: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> list[str]:
    align = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def _band(rag: str | None, rated: bool) -> str:
    word = band_word(rag, rated)
    return f"**{word}**" if rated and rag in ("red", "amber", "green") else word


def render_markdown(p: Paper) -> str:
    out: list[str] = [
        f"# {md(words.title(p))}",
        "",
        f"**{md(p.organisation)}** · {month_label(p.period)} · scorecard `{p.scorecard_id}`",
        "",
        md(words.introduction(p)),
    ]
    if p.scorecard_description:
        out += ["", md(p.scorecard_description)]
    basis = words.basis(p)
    if basis:
        out += ["", md(basis)]
    out += ["", words.RAG_KEY_INTRO, ""]
    out += [f"- **{BAND_WORDS[band]}**: {text}" for band, text in words.RAG_KEY]

    out += ["", "## Summary of performance", "", md(words.summary_counts(p.summary, p.period))]
    sentences, intro, items = words.activity_sentences(p)
    for sentence in sentences:
        out += ["", md(sentence)]
    if intro:
        out += ["", md(intro), ""] + [f"- {md(item)}" for item in items]
    as_at = words.comparators_as_at(p)
    if as_at:
        out += ["", md(as_at)]
    intro, away = words.away_sentences(p)
    out += ["", md(intro)]
    for item in away:
        out += ["", f"- {md(item.sentence)}"]
        if item.page is not None:  # a Red measure: its why is on its exception page
            continue
        x = p.explanations[item.gap.rating.id]
        out += [f"  {md(line)}" for line in why_lines(x, outside=False)]
        for column in x.outside:
            out += ["", f"  By {md(x.outside[column].heading)}, of the {x.outside[column].outside:,} outside:", ""]
            out += ["  " + line for line in _table([md(column_heading(x.outside[column].heading)), "Count",
                                                    "Share of those outside"],
                                                   [[md(c) for c in row] for row in
                                                    words.outside_rows(x, column, p.public, p.low_base)],
                                                   right=(1, 2))]
    for sentence in words.added_removed(p):
        out += ["", md(sentence)]
    out += ["", md(words.exceptions_sentence(p))]
    cohorts = words.cohorts_sentence(p)
    if cohorts:
        out += ["", md(cohorts)]

    out += ["", f"## Changes in RAG rating since {month_label(p.since)}", "", words.changes_intro(p)]
    number = 0
    for intro, items in ((words.IMPROVED_INTRO, p.improved), (words.DECLINED_INTRO, p.declined)):
        if not items:
            continue
        out += ["", intro, ""]
        for item in items:
            number += 1
            c = item.change
            moved = " ".join(movement_lines(item.explanation)[1:]) if item.explanation else ""
            out.append(f"{number}. **{md(c.title)}** ({md(c.id)}). {md(words.change_sentence(c))}"
                       + (f" {md(moved)}" if moved else ""))
            if item.commentary:
                byline = words.commentary_byline(item.commentary.author, item.commentary.written_at)
                out.append(f"   Commentary ({md(byline)}): {md(item.commentary.text)}")

    for e in p.exceptions:
        out += ["", *_exception(e, p.public, p.low_base)]
    for c in p.cohorts:
        if c.rows:
            out += ["", *_cohort(c, p.period, p.public, p.low_base)]

    out += ["", f"## {md(p.scorecard_title)} scorecard: {month_label(p.period)}"]
    for s in p.sections:
        out += ["", f"### {md(s.name)}", ""]
        if s.overview:
            out += [f"> {md(line)}" if line.strip() else ">" for line in s.overview.text.splitlines()]
            out += ["", f"— {md(words.commentary_byline(s.overview.author, s.overview.written_at))}", ""]
        rows = [_row(r) for r in s.rows]
        out += _table(["Measure", "Value", "RAG", "Target", "Minimum standard",
                       f"Previous ({month_label(p.previous_period)})", "Change", "Comparators",
                       f"Trend (up to {TREND_POINTS} months)"],
                      rows, right=(1, 3, 4, 5))

    if p.warnings or p.problems or p.datasets:
        out += ["", "## Data notes", ""]
        out += [f"- Data: {md(d.describe())}" for d in p.datasets]
        out += [f"- {md(mid)}: {md(w)}" for mid, w in p.warnings]
        out += [f"- {md(line)}" for line in p.problems]
    return "\n".join(out) + "\n"


def _row(t: TableRow) -> list[str]:
    r = t.rating
    v = lambda x: md(words.value_text(x, r.decimals, r.unit)) if x is not None else "-"  # noqa: E731
    prev = r.previous
    return [
        f"{md(r.title)} ({md(r.id)})",
        v(r.value),
        _band(r.rag, r.rated),
        v(r.target),
        v(r.floor),
        "-" if prev is None else v(prev.value) if prev.target is None else f"{v(prev.value)} ({band_word(prev.rag)})",
        change_words(r.change) or "-",
        "; ".join(f"{md(k)} {v(x)}" for k, x in r.comparators.items()) or "-",
        sparkline([p.value for p in t.trend], target=r.target, floor=r.floor, decimals=r.decimals) or "-",
    ]


def _exception(e: ExceptionPage, public: bool, low_base: int) -> list[str]:
    r = e.rating
    x = e.explanation
    v = lambda val: md(words.value_text(val, r.decimals, r.unit))  # noqa: E731  (the unit is config text)
    out = [f"## Exception report: {md(r.title)} ({md(r.id)})", "", f"{md(r.section)} · **{BAND_WORDS[r.rag]}**", "",
           md(words.exception_headline(e))]
    prev = words.previous_sentence(e)
    if prev:
        out[-1] += " " + md(prev)
    if x.definition:
        out += ["", f"**Definition:** {md(x.definition)}"]
    if x.notes:
        out += ["", f"**Notes:** {md(x.notes)}"]
    if x.owner:
        out += ["", f"**Lead officer:** {md(x.owner)}"]
    out += ["", "### Trend", ""]
    if x.trend:
        shown = x.trend[-CHART_POINTS:]
        trend = x.trend[-TABLE_POINTS:]
        spark = sparkline([t.value for t in shown], target=r.target, floor=r.floor, decimals=r.decimals)
        out += [f"`{spark}` {short_month(shown[0].period)} to "
                f"{short_month(shown[-1].period)}", ""]
        out += _table(["Month", "Value", "RAG", "Target", "Minimum standard"],
                      [[short_month(t.period), v(t.value), band_word(t.rag, t.target is not None),
                        v(t.target) if t.target is not None else "-", v(t.floor) if t.floor is not None else "-"]
                       for t in trend], right=(1, 3, 4))
    else:
        out.append("No trend data.")
    out += ["", md(words.spc_sentences(e))]
    why = why_lines(x, outside=False)
    if why or x.outside:
        out += ["", "### Why"]
        out += ["", *[f"- {md(line)}" for line in why]] if why else []
        for column, o in x.outside.items():
            out += ["", f"By {md(o.heading)}, of the {o.outside:,} outside:", ""]
            out += _table([md(column_heading(o.heading)), "Count", "Share of those outside"],
                          [[md(c) for c in row] for row in words.outside_rows(x, column, public, low_base)],
                          right=(1, 2))
    for name in x.breakdowns:
        out += ["", f"### By {md(x.heading(name))}", ""]
        out += _table([md(column_heading(x.heading(name))), "Value", "RAG", "Numerator", "Denominator", "Note"],
                      [[md(c) for c in row] for row in words.breakdown_rows(x, name, public, low_base)],
                      right=(1, 3, 4))
    out += ["", "### Comparators", "", md(words.comparators_sentence(e))]
    out += ["", f"### Commentary for {month_label(r.period)}", ""]
    if e.commentary:
        out += [f"> {md(line)}" if line.strip() else ">" for line in e.commentary.text.splitlines()]
        out += ["", f"— {md(words.commentary_byline(e.commentary.author, e.commentary.written_at))}"]
    else:
        out.append(words.no_commentary(r.period))
    return out


def _cohort(c: CohortPage, period: str, public: bool, low_base: int) -> list[str]:
    out = [f"## Impact of the cohort of {md(c.label)}", "", md(words.cohort_intro(c, period)), ""]
    rows = []
    for row in c.rows:
        r, i = row.rating, row.impact
        v = lambda val, r=r: md(words.value_text(val, r.decimals, r.unit)) if val is not None else "-"  # noqa: E731
        b = lambda rag, r=r: _band(rag, True) if r.rated else "-"  # noqa: E731
        hide_ex, hide_only = words.cohort_suppressed(i, public, low_base)
        rows.append([f"{md(r.title)} ({md(r.id)})", v(r.value), b(r.rag),
                     "x" if hide_ex else v(i.excluding.value), "-" if hide_ex else b(i.excluding.rag),
                     "x" if hide_only else v(i.only.value), "-" if hide_only else b(i.only.rag)])
    out += _table(["Measure", "All children", "RAG", f"Excluding {md(c.label)}", "RAG", f"{md(c.label)} only", "RAG"],
                  rows, right=(1, 3, 5))
    if any(any(words.cohort_suppressed(row.impact, public, low_base)) for row in c.rows):
        out += ["", md(words.COHORT_SUPPRESSED_NOTE)]
    return out
