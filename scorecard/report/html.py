"""The paper as one self-contained HTML file: styles and charts inline, printable on A4, accessible.

Nothing is fetched: no external fonts, scripts, stylesheets or images. Bands are given in words
as well as colour; tables have headers with `scope`; charts are inline SVG with a <title> and a
<desc>. Each exception page, the cohort pages and the full table start a new printed page.
"""

from __future__ import annotations

from html import escape

from ..engine.explain import Explanation
from ..engine.results import PeriodResult
from ..explain_words import movement_lines, why_lines
from ..present import BAND_WORDS, column_heading, count, figure, month_label, short_month
from . import words
from .charts import ChartMeasure, trend_chart
from .content import CHART_POINTS, TABLE_POINTS, CohortPage, ExceptionPage, Paper
from .table import scorecard_table

CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 14px; line-height: 1.45; color: #0b0c0c;
       max-width: 1100px; margin: 0 auto; padding: 24px 32px; background: #ffffff; }
h1 { font-size: 26px; margin: 4px 0 6px; }
h2 { font-size: 20px; margin: 26px 0 8px; border-bottom: 2px solid #0b0c0c; padding-bottom: 3px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.meta { color: #505a5f; margin: 0; }
.page { break-before: page; page-break-before: always; }
.band { display: inline-block; padding: 0 6px; border-radius: 2px; font-weight: bold; white-space: nowrap; }
.band-green { background: #00703c; color: #ffffff; }
.band-amber { background: #ffbf47; color: #0b0c0c; }
.band-red { background: #d4351c; color: #ffffff; }
.band-no_data { background: #b1b4b6; color: #0b0c0c; }
.key { list-style: none; padding: 0; margin: 6px 0; }
.key li { margin: 3px 0; }
.key .band { min-width: 5em; text-align: center; margin-right: 8px; }
table.data { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
table.data th, table.data td { border-bottom: 1px solid #b1b4b6; padding: 3px 8px; text-align: left; vertical-align: top; }
table.data thead th { border-bottom: 2px solid #0b0c0c; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.num { white-space: nowrap; }
ol.changes li { margin: 6px 0; }
.headline { font-size: 16px; }
.commentary { border-left: 5px solid #1d70b8; background: #f3f2f1; padding: 8px 12px; margin: 8px 0; }
.commentary footer { color: #505a5f; font-size: 12px; margin-top: 4px; }
.none { color: #505a5f; font-style: italic; }
figure { margin: 6px 0; }
svg.chart { max-width: 100%; height: auto; display: block; }
table.trend caption { text-align: left; }
.notes li { font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, svg, figure { break-inside: avoid; page-break-inside: avoid; }
}
"""


def e(text: object) -> str:
    return escape(str(text), quote=True)


def band(rag: str | None, rated: bool = True) -> str:
    """A band as a coloured label that says its name."""
    if not rated:
        return '<span class="band-none">Activity</span>'
    if rag is None:
        return "-"
    return f'<span class="band band-{e(rag)}">{e(BAND_WORDS[rag])}</span>'


def thead(*columns: tuple[str, bool]) -> str:
    """A header row of (label, numeric) columns, each `scope="col"`."""
    num = ' class="num"'
    cells = "".join(f'<th scope="col"{num if numeric else ""}>{e(label)}</th>' for label, numeric in columns)
    return f"<thead><tr>{cells}</tr></thead>"


def paragraphs(text: str) -> str:
    """Free text (commentary) as escaped paragraphs; single line breaks kept."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join("<p>" + "<br>".join(e(line) for line in b.split("\n")) + "</p>" for b in blocks)


def render_html(p: Paper) -> str:
    title = f"{words.title(p)}: {month_label(p.period)}"
    body = [
        "<header>",
        f'<p class="meta">{e(p.organisation)}</p>',
        f"<h1>{e(words.title(p))}</h1>",
        f'<p class="meta">{e(month_label(p.period))} · scorecard {e(p.scorecard_id)} · previous report '
        f"{e(month_label(p.since))}</p>",
        "</header>",
        '<section id="introduction" aria-labelledby="introduction-h">',
        '<h2 id="introduction-h">Introduction</h2>',
        f"<p>{e(words.introduction(p))}</p>",
    ]
    if p.scorecard_description:
        body.append(f"<p>{e(p.scorecard_description)}</p>")
    basis = words.basis(p)
    if basis:
        body.append(f"<p>{e(basis)}</p>")
    body.append(f"<p>{e(words.RAG_KEY_INTRO)}</p>")
    body.append('<ul class="key">' + "".join(f"<li>{band(b)} {e(text)}</li>" for b, text in words.RAG_KEY) + "</ul>")
    body.append("</section>")

    body += ['<section id="summary" aria-labelledby="summary-h">', '<h2 id="summary-h">Summary of performance</h2>',
             f'<p class="headline">{e(words.summary_counts(p.summary, p.period))}</p>']
    body += [f"<p>{e(s)}</p>" for s in words.added_removed(p)]
    sentences, intro, items = words.activity_sentences(p)
    body += [f"<p>{e(s)}</p>" for s in sentences]
    if intro:
        body += [f"<p>{e(intro)}</p>", "<ul>" + "".join(f"<li>{e(item)}</li>" for item in items) + "</ul>"]
    if (as_at := words.comparators_as_at(p)) is not None:
        body.append(f"<p>{e(as_at)}</p>")
    body += _away(p)
    body.append(f"<p>{e(words.exceptions_sentence(p))}</p>")
    cohorts = words.cohorts_sentence(p)
    if cohorts:
        body.append(f"<p>{e(cohorts)}</p>")
    body.append("</section>")

    body += _changes(p)
    for i, x in enumerate(p.exceptions, start=1):
        body += _exception(x, i, p.public, p.low_base)
    for i, c in enumerate((c for c in p.cohorts if c.rows), start=1):
        body += _cohort(c, p.period, i, p.public, p.low_base)
    body += ['<section id="scorecard" class="page" aria-labelledby="scorecard-h">',
             f'<h2 id="scorecard-h">{e(p.scorecard_title)} scorecard: {e(month_label(p.period))}</h2>']
    if any(s.overview for s in p.sections):  # each section under its overview (the lead officer's)
        for s in p.sections:
            body.append(f"<h3>{e(s.name)}</h3>")
            if s.overview:
                body.append(f'<blockquote class="commentary">{paragraphs(s.overview.text)}<footer>'
                            f"{e(words.commentary_byline(s.overview.author, s.overview.written_at))}</footer></blockquote>")
            body.append(scorecard_table(p, [s]))
    else:
        body.append(scorecard_table(p))
    body.append("</section>")
    if p.warnings or p.problems or p.datasets:
        body += ['<section id="data-notes" aria-labelledby="data-notes-h">', '<h2 id="data-notes-h">Data notes</h2>',
                 '<ul class="notes">']
        body += [f"<li>Data: {e(d.describe())}</li>" for d in p.datasets]
        body += [f"<li>{e(mid)}: {e(w)}</li>" for mid, w in p.warnings]
        body += [f"<li>{e(line)}</li>" for line in p.problems]
        body += ["</ul>", "</section>"]
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)} ({e(p.organisation)})</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _changes(p: Paper) -> list[str]:
    out = ['<section id="changes" aria-labelledby="changes-h">',
           f'<h2 id="changes-h">Changes in RAG rating since {e(month_label(p.since))}</h2>',
           f"<p>{e(words.changes_intro(p))}</p>"]
    start = 1
    for intro, items in ((words.IMPROVED_INTRO, p.improved), (words.DECLINED_INTRO, p.declined)):
        if not items:
            continue
        out.append(f"<p>{e(intro)}</p>")
        out.append(f'<ol class="changes" start="{start}">')
        for item in items:
            c = item.change
            note = (f'<div class="commentary">{paragraphs(item.commentary.text)}<footer>'
                    f"{e(words.commentary_byline(item.commentary.author, item.commentary.written_at))}</footer></div>"
                    if item.commentary else "")
            moved = " ".join(movement_lines(item.explanation)[1:]) if item.explanation else ""
            out.append(f"<li><strong>{e(c.title)}</strong> ({e(c.id)}) {band(c.from_rag)} → {band(c.to_rag)}. "
                       f"{e(words.change_sentence(c))}{' ' + e(moved) if moved else ''}{note}</li>")
        out.append("</ol>")
        start += len(items)
    out.append("</section>")
    return out


def _trend_table(trend: list[PeriodResult], decimals: int, unit: str | None, caption: str) -> str:
    """Month by month, as figures (the unit goes in the caption) and bands in words."""
    v = lambda x: figure(x, decimals, unit, with_unit=False)  # noqa: E731
    if unit not in (None, "", "%"):
        caption += f" ({unit})"
    head = "".join(f'<th scope="col" class="num">{e(short_month(t.period))}</th>' for t in trend)
    rows = [
        '<tr><th scope="row">Value</th>' + "".join(f'<td class="num">{e(v(t.value))}</td>' for t in trend) + "</tr>",
        '<tr><th scope="row">RAG</th>' + "".join(f"<td>{band(t.rag, t.target is not None)}</td>" for t in trend) + "</tr>",
    ]
    return (f'<table class="data trend"><caption class="none">{e(caption)}</caption>'
            f'<thead><tr><th scope="col">Month</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _outside_tables(x: Explanation, public: bool, low_base: int) -> list[str]:
    out = []
    for column, o in x.outside.items():
        rows = "".join(f'<tr><th scope="row">{e(label)}</th><td class="num">{e(count)}</td><td class="num">{e(share)}</td></tr>'
                       for label, count, share in words.outside_rows(x, column, public, low_base))
        head = thead((column_heading(o.heading), False), ("Count", True), ("Share of those outside", True))
        out.append(f'<table class="data"><caption>By {e(o.heading)}, of the {o.outside:,} outside</caption>'
                   f"{head}<tbody>{rows}</tbody></table>")
    return out


def _away(p: Paper) -> list[str]:
    """Seeds 3.2: the measures significantly away from target, each with what explains it."""
    intro, away = words.away_sentences(p)
    out = [f"<p>{e(intro)}</p>"]
    if not away:
        return out
    out.append('<ol class="changes">')
    for item in away:
        if item.page is not None:  # a Red measure: one sentence, linking to its exception page, which says why
            head = item.sentence.removesuffix(f"{words.EXCEPTION_POINTER}.")
            out.append(f'<li><p>{e(head)}<a href="#exception-{item.page}">{e(words.EXCEPTION_POINTER)}</a>.</p></li>')
            continue
        x = p.explanations[item.gap.rating.id]
        out.append(f"<li><p>{e(item.sentence)}</p>" + "".join(f"<p>{e(line)}</p>" for line in why_lines(x, outside=False))
                   + "".join(_outside_tables(x, p.public, p.low_base)) + "</li>")
    out.append("</ol>")
    return out


def _exception(x: ExceptionPage, index: int, public: bool, low_base: int) -> list[str]:
    r, ex = x.rating, x.explanation
    sid = f"exception-{index}"
    v = lambda val: "-" if val is None else words.value_text(val, r.decimals, r.unit)  # noqa: E731
    out = [f'<section id="{sid}" class="page exception" aria-labelledby="{sid}-h">',
           f'<h2 id="{sid}-h">Exception report: {e(r.title)} ({e(r.id)})</h2>',
           f'<p class="meta">{e(r.section)} · {e(month_label(r.period))} · {band(r.rag)}</p>',
           f'<p class="headline">{e(words.exception_headline(x))}'
           + (f" {e(prev)}" if (prev := words.previous_sentence(x)) else "") + "</p>"]
    if ex.definition:
        out.append(f"<p><strong>Definition:</strong> {e(ex.definition)}</p>")
    if ex.notes:
        out.append(f"<p><strong>Notes:</strong> {e(ex.notes)}</p>")
    if ex.owner:
        out.append(f"<p><strong>Lead officer:</strong> {e(ex.owner)}</p>")
    out.append("<h3>Trend</h3>")
    if ex.trend:
        shown = ex.trend[-CHART_POINTS:]
        chart = trend_chart(shown, ChartMeasure(r.title, r.unit, r.decimals, r.polarity), ex.spc, f"{sid}-chart",
                            short_month)
        out.append(f"<figure>{chart}</figure>")
        recent = ex.trend[-TABLE_POINTS:]
        out.append(_trend_table(recent, r.decimals, r.unit, f"The last {len(recent)} months"))
    else:
        out.append('<p class="none">No trend data.</p>')
    out.append(f"<p>{e(words.spc_sentences(x))}</p>")
    why = why_lines(ex, outside=False)
    if why or ex.outside:
        out.append("<h3>Why</h3>")
        out += [f"<p>{e(line)}</p>" for line in why]
        out += _outside_tables(ex, public, low_base)
    for name in ex.breakdowns:
        heading = ex.heading(name)
        out.append(f"<h3>By {e(heading)}</h3>")
        rows = "".join(
            (f'<tr><th scope="row">{e(label)}</th><td class="num">x</td><td>-</td><td class="num">x</td>'
             f'<td class="num">x</td><td>{e(words.suppressed_note(mark))}</td></tr>' if mark else
             f'<tr><th scope="row">{e(label)}</th><td class="num">{e(v(g.value))}</td>'
             f"<td>{band(g.rag) if g.rag else '-'}</td><td class=\"num\">{e(count(g.numerator))}</td>"
             f'<td class="num">{e(count(g.denominator))}</td><td>{"low base" if g.low_base else ""}</td></tr>')
            for g, label, mark in words.shown_groups(ex, name, public, low_base)
        )
        head = thead((column_heading(heading), False), ("Value", True), ("RAG", False), ("Numerator", True),
                     ("Denominator", True),
                     ("Note", False))
        out.append(f'<table class="data">{head}<tbody>{rows}</tbody></table>')
    out += ["<h3>Comparators</h3>"]
    if r.comparators:
        rows = "".join(f'<tr><th scope="row">{e(k)}</th><td class="num">{e(v(val))}</td></tr>'
                       for k, val in r.comparators.items())
        out.append(f'<table class="data">{thead(("Comparator", False), ("Latest value", True))}<tbody>'
                   f'<tr><th scope="row">{e(r.title)} (this council)</th><td class="num">{e(v(r.value))}</td></tr>'
                   f"{rows}</tbody></table>")
    else:
        out.append(f'<p class="none">{e(words.comparators_sentence(x))}</p>')
    out.append(f"<h3>Commentary for {e(month_label(r.period))}</h3>")
    if x.commentary:
        out.append(f'<blockquote class="commentary">{paragraphs(x.commentary.text)}'
                   f"<footer>{e(words.commentary_byline(x.commentary.author, x.commentary.written_at))}</footer></blockquote>")
    else:
        out.append(f'<p class="none">{e(words.no_commentary(r.period))}</p>')
    out.append("</section>")
    return out


def _cohort(c: CohortPage, period: str, index: int, public: bool, low_base: int) -> list[str]:
    sid = f"cohort-{index}"
    head = thead(("Measure", False), ("All children", True), ("RAG", False), (f"Excluding {c.label}", True), ("RAG", False),
                 (f"{c.label} only", True), ("RAG", False))
    rows = []
    for row in c.rows:
        r, i = row.rating, row.impact
        v = lambda val, r=r: "-" if val is None else words.value_text(val, r.decimals, r.unit)  # noqa: E731
        b = lambda rag, r=r: band(rag) if r.rated else "-"  # noqa: E731
        hide_ex, hide_only = words.cohort_suppressed(i, public, low_base)
        rows.append(f'<tr><th scope="row">{e(r.title)} ({e(r.id)})</th><td class="num">{e(v(r.value))}</td><td>{b(r.rag)}</td>'
                    f'<td class="num">{"x" if hide_ex else e(v(i.excluding.value))}</td>'
                    f'<td>{"-" if hide_ex else b(i.excluding.rag)}</td>'
                    f'<td class="num">{"x" if hide_only else e(v(i.only.value))}</td>'
                    f'<td>{"-" if hide_only else b(i.only.rag)}</td></tr>')
    return [f'<section id="{sid}" class="page cohort" aria-labelledby="{sid}-h">',
            f'<h2 id="{sid}-h">Impact of the cohort of {e(c.label)}</h2>',
            f"<p>{e(words.cohort_intro(c, period))}</p>",
            f'<table class="data">{head}<tbody>{"".join(rows)}</tbody></table>',
            *([f"<p>{e(words.COHORT_SUPPRESSED_NOTE)}</p>"]
              if any(any(words.cohort_suppressed(row.impact, public, low_base)) for row in c.rows) else []),
            "</section>"]
