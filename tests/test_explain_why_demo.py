"""Issue 16's "done when", on the shipped demo: whatever the demo's calibration, the figures are the
measure's own (within 4 months is the numerator), add up (why outside sums to those outside), agree with
the records read directly (the September-November averages of ADO-A2), and a public paper shows no
small breakdown cell."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest

from scorecard.engine.engine import Engine
from scorecard.engine.explain import explain
from scorecard.report import write_report

from .conftest import ROOT
from .helpers import shipped_demo

DEMO = ROOT / "config.toml"


@pytest.fixture(scope="module")
def engine() -> Engine:
    shipped_demo()
    return Engine.load(DEMO)


def test_sole_plan_within_4_and_6_months(engine: Engine) -> None:
    e = explain(engine, "ADO-SOLE-PLAN", "2017-11")
    t = e.thresholds
    assert t is not None and [w.threshold for w in t.within] == [4.0, 6.0]
    assert t.total == e.result.denominator
    assert t.within[0].count == e.result.numerator  # within 4 months is the measure's own numerator
    assert t.within[0].percent == e.result.value
    assert t.within[0].count <= t.within[1].count <= t.total


def test_health_iha_refusals_and_year_end(engine: Engine) -> None:
    e = explain(engine, "HEALTH-IHA", "2017-11")
    o = e.outside["iha_outcome"]
    assert o.outside == e.result.denominator - e.result.numerator
    assert sum(r.count for r in o.reasons) == o.outside
    assert "in_time" not in {r.group for r in o.reasons}
    assert e.year_end is not None and e.year_end.at.period == "2017-03"
    assert e.year_end.change == round(e.result.value - e.year_end.at.value, 1)


def test_ado_a2_months_since_august_against_2016(engine: Engine) -> None:
    mv = explain(engine, "ADO-A2", "2017-11", since="2017-08").movement
    assert mv is not None
    assert (mv.entered.first, mv.entered.last, mv.left.first, mv.left.last) == ("2017-09", "2017-11", "2016-09", "2016-11")
    records = pl.read_parquet(ROOT / "data" / "demo" / "adoptions.parquet")
    for got, (a, b) in ((mv.entered, ((2017, 9, 1), (2017, 11, 30))), (mv.left, ((2016, 9, 1), (2016, 11, 30)))):
        rows = records.filter(pl.col("matched").is_between(dt.date(*a), dt.date(*b)))
        days = (rows["matched"] - rows["placement_order"]).dt.total_days().drop_nulls()
        assert got.denominator == days.len()
        if days.len():
            assert got.value == pytest.approx(round(days.mean()), abs=0.5)


def test_cic_paper_states_movement_away_and_comparator_dates(engine: Engine) -> None:
    out = io.StringIO()
    write_report(engine, "2017-11", "cic", "2017-08", "md", None, out)
    paper = out.getvalue()
    summary = paper.split("## Summary of performance")[1].split("## Changes")[0]
    citizen = engine.series("CIC-CITIZEN")
    a, b = citizen.at(2017 * 12 + 7).value, citizen.at(2017 * 12 + 10).value
    assert f"number of citizen children in care (excluding UASC) {'increased' if b > a else 'decreased'} " \
           f"from {a:,.0f} to {b:,.0f}" in summary
    assert "unaccompanied asylum-seeking children in care" in summary and "resulting in an overall" in summary
    assert "significantly away from the target" in summary
    assert "as at March 2017" in summary


def test_unrestricted_paper_shows_no_small_cell(engine: Engine) -> None:
    assert engine.config.explain.public
    low = engine.config.organisation.low_base
    out = io.StringIO()
    write_report(engine, "2017-11", "cic", "2017-08", "md", None, out)
    paper = out.getvalue()
    assert "low base" not in paper
    rated = engine.rate("cic", "2017-11")
    checked = 0
    for r in rated.measures:
        if r.rag != "red":
            continue
        page = paper.split("## Exception report: ")[1:]
        page = next(p for p in page if f"({r.id})" in p.splitlines()[0])
        e = explain(engine, r.id, "2017-11")
        for name in e.breakdowns:
            table = page.split(f"### By {e.heading(name)}")[1].split("\n\n", 2)[1]
            for g in e.breakdowns[name]:
                if g.base < low:
                    label = "(empty)" if g.group is None else g.label
                    assert f"| {label} | x | - | x | x |" in table, (r.id, name, label)
                    checked += 1
    assert checked


def test_tui_exception_card_uses_breakdown_heading_labels_and_order(engine: Engine) -> None:
    """The UI's exception report names a breakdown as every view does ("age band", never `age_band`),
    with its groups' labels in the declared order (youngest first), as the paper's tables."""
    from scorecard.commentary import ExceptionPage
    from scorecard.tui.screens.exceptions import exception_text

    rating = next(r for r in engine.rate("cic", "2017-11").measures if r.id == "HEALTH-IHA")
    e = explain(engine, "HEALTH-IHA", "2017-11")
    text = exception_text(ExceptionPage(rating, e, None)).plain
    assert "age_band" not in text
    red = [g for g in e.ordered("age_band") if g.rag == "red"]
    assert len(red) >= 2
    line = next(line for line in text.splitlines() if line.startswith(f"Red by {e.heading('age_band')}: "))
    positions = [line.index(f"{g.label} ") for g in red]
    assert positions == sorted(positions), line


def test_unrestricted_paper_suppresses_small_cohort_cells(engine: Engine) -> None:
    """The cohort page of a public paper is a breakdown too: a half under the low base (CIC-LTSTAB's
    one UASC child) shows "x", and so does the other half, which the whole would otherwise give away."""
    low = engine.config.organisation.low_base
    for fmt in ("md", "html"):
        out = io.StringIO()
        write_report(engine, "2017-11", "cic", "2017-08", fmt, None, out)
        paper = out.getvalue()
        page = paper.split("Impact of the cohort of")[1]
        checked = 0
        for r in engine.rate("cic", "2017-11").measures:
            e = explain(engine, r.id, "2017-11")
            c = e.cohorts.get("uasc")
            if c is None:
                continue
            small = any(0 < b < low for b in (c.excluding_base, c.only_base))
            row = page.split(f"({r.id})", 1)[1].split("\n" if fmt == "md" else "</tr>", 1)[0]
            cells = [x.strip() for x in row.split("|")] if fmt == "md" else None
            if fmt == "md":
                assert (cells[3] == "x" and cells[5] == "x") == small, (r.id, row)
            else:
                assert (row.count('<td class="num">x</td>') == 2) == small, (r.id, row)
            checked += small
        assert checked, "the demo has a small cohort cell to suppress (CIC-LTSTAB's UASC only)"
        assert "x: not shown in this public paper" in paper


def test_paper_summary_states_the_last_report_figure_once(engine: Engine) -> None:
    """A rolling-12 Red measure significantly away: the summary's one sentence gives the last report's
    figure once and points to the exception page, whose Why says 'Since August 2017 the rolling 12-month
    figure fell from X to Y'."""
    out = io.StringIO()
    write_report(engine, "2017-11", "cic", "2017-08", "md", None, out)
    paper = out.getvalue()
    summary = paper.split("## Summary of performance")[1].split("## Changes")[0]
    e = explain(engine, "ADO-SOLE-PLAN", "2017-11", since="2017-08")
    assert e.movement is not None and e.movement.since.period == "2017-08"
    bullet = summary.split("- % of cases where adoption was agreed")[1].split("\n- ")[0].split("\n\n")[0]
    then = f"{e.movement.since.value:.1f}%"
    assert bullet.count(then) == 1 and f"({then} at the last report, in August 2017)" in bullet, bullet
    assert bullet.endswith("its exception report below says why.") and "Since August" not in bullet, bullet
    page = paper.split("## Exception report: % of cases where adoption was agreed")[1].split("\n## ")[0]
    assert f"Since August 2017 the rolling 12-month figure fell from {then}" in page


def test_movement_over_one_month_speaks_of_one_month(engine: Engine) -> None:
    from scorecard.explain_words import movement_lines

    one = movement_lines(explain(engine, "ADO-SOLE-PLAN", "2017-11", since="2017-10"))[1]
    assert "the month that entered the window" in one and "the same month a year earlier" in one, one
    three = movement_lines(explain(engine, "ADO-SOLE-PLAN", "2017-11", since="2017-08"))[1]
    assert "the months that entered the window" in three and "the same months a year earlier" in three, three
    assert " was " in three.split("against")[0], three  # a sentence: the months entered, then what they were
