"""The explanations a paper writes by hand (issue 16), against hand-worked figures (tests/why_fixture.py):
thresholds with open cases, why outside summing to the outside count, the rolling movement on a leap
year, the year-end position, activity since with a total's parts, significantly away, comparator
details, breakdown labels and order from one place, and small-number suppression."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.commentary import CommentaryStore, section_key
from scorecard.engine.config import ConfigError, load_config
from scorecard.engine.engine import Engine, UsageError
from scorecard.engine.explain import explain
from scorecard.engine.explain_summary import activity_since, significantly_away
from scorecard.engine.suppression import suppress
from scorecard.explain_words import why_lines
from scorecard.report import write_report
from scorecard.tui.screens.drilldown import breakdown_rows

from .why_fixture import write_fixture

TODAY = dt.date(2016, 3, 15)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_fixture(tmp_path)


@pytest.fixture
def engine(config: Path) -> Engine:
    return Engine.load(config, today=TODAY)


def test_thresholds_cumulative_with_open_cases(engine: Engine) -> None:
    t = explain(engine, "CASE-4", "2016-02").thresholds
    assert t is not None
    assert (t.total, t.beyond, t.open) == (10, 1, 2)
    assert [(w.threshold, w.count, w.percent) for w in t.within] == [(4.0, 4, 40.0), (6.0, 7, 70.0)]
    assert t.within[-1].count + t.beyond + t.open == t.total


def test_why_outside_sums_to_the_outside_count(engine: Engine) -> None:
    e = explain(engine, "CASE-4", "2016-02")
    o = e.outside["reason"]
    assert (o.outside, o.total) == (6, 10)
    assert o.outside == e.result.denominator - e.result.numerator
    assert [(r.group, r.label, r.count, r.percent) for r in o.reasons] == [
        ("late", "Held late", 3, 50.0), ("refused", "Refused", 2, 33.3), (None, None, 1, 16.7)]
    assert sum(r.count for r in o.reasons) == o.outside
    assert [r.group for r in o.ordered(e.styles["reason"])] == ["refused", "late", None]


def test_rolling_movement_on_a_leap_year(engine: Engine) -> None:
    mv = explain(engine, "WAIT", "2016-02", since="2015-12").movement
    assert mv is not None
    assert (mv.since.period, mv.since.value, mv.now.value, mv.change) == ("2015-12", 317.0, 322.0, 5.0)
    assert (mv.entered.first, mv.entered.last, mv.entered.value, mv.entered.denominator) == ("2016-01", "2016-02", 120.0, 2)
    assert (mv.left.first, mv.left.last, mv.left.value, mv.left.denominator) == ("2015-01", "2015-02", 110.0, 2)
    # the default: since the month before
    mv = explain(engine, "WAIT", "2016-02").movement
    assert mv is not None and (mv.entered.first, mv.entered.value, mv.left.first, mv.left.value) == (
        "2016-02", 160.0, "2015-02", 120.0)
    assert explain(engine, "CASE-4", "2016-02").movement is None  # not a rolling measure


def test_since_must_be_before_the_period(engine: Engine) -> None:
    with pytest.raises(UsageError, match="must be before"):
        explain(engine, "WAIT", "2016-02", since="2016-02")


def test_year_end_position(engine: Engine) -> None:
    ye = explain(engine, "CASE-4", "2016-02").year_end
    assert ye is not None and (ye.at.period, ye.at.value, ye.at.rag, ye.change) == ("2015-03", 50.0, "red", -10.0)
    ye = explain(engine, "WAIT", "2016-02").year_end
    assert ye is not None and (ye.at.value, ye.change) == (406.0, -84.0)
    assert explain(engine, "CASE-COUNT", "2016-02").year_end is None  # unrated


def test_activity_since_with_parts_and_net_change(engine: Engine) -> None:
    moves = activity_since(engine, engine.rate("why", "2016-02"), "2016-01")
    assert [m.id for m in moves] == ["CASE-COUNT"]  # the parts are stated through their total
    total = moves[0]
    assert (total.since, total.now, total.change) == (4.0, 10.0, 6.0)
    assert [(p.id, p.since, p.now, p.change) for p in total.parts] == [
        ("CASE-MALE", 3.0, 6.0, 3.0), ("CASE-FEMALE", 1.0, 4.0, 3.0)]


def test_significantly_away_share_of_the_span(engine: Engine) -> None:
    rating = engine.rate("why", "2016-02")
    assert [g.rating.id for g in significantly_away(rating, 1.0)] == ["CASE-4"]  # 40.0 vs 80: gap 40 > 20
    away = significantly_away(rating, 0.4)  # CASE-6 70.0: gap 10 > 0.4 * 20
    assert [(g.rating.id, g.gap) for g in away] == [("CASE-4", 40.0), ("CASE-6", 10.0)]  # WAIT: 22 < 0.4 * 100
    assert [(g.rating.id, g.gap) for g in significantly_away(rating, 0.2)][-1] == ("WAIT", 22.0)  # 22 days > 20
    assert significantly_away(rating, 2.5) == []


def test_comparator_details_with_source(engine: Engine) -> None:
    e = explain(engine, "CASE-4", "2016-02")
    assert e.comparators == {"England": 75.0, "Neighbours": 70.0}  # SPEC's shape kept
    assert e.comparator_details == {"England": {"value": 75.0, "period": "2015-03", "source": "DfE"},
                                    "Neighbours": {"value": 70.0, "period": "2015-09", "source": None}}


def test_suppression_of_one_small_cell_forces_a_second() -> None:
    assert suppress([5, 3, 2], 3) == [None, "secondary", "primary"]
    assert suppress([5, 2, 1], 3) == [None, "primary", "primary"]  # two: neither can be worked out
    assert suppress([5, 4], 3) == [None, None]
    assert suppress([2], 3) == ["primary"]
    assert suppress([4, 2, 4], 3) == ["secondary", "primary", None]  # a tie: the first


def test_explain_json_keeps_the_spec_shape_and_adds_fields(config: Path) -> None:
    result = CliRunner().invoke(main, ["explain", "CASE-4", "--config", str(config), "--period", "2016-02",
                                       "--format", "json"], env={"SCORECARD_TODAY": "2016-03-15"})
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert d["comparators"] == {"England": 75.0, "Neighbours": 70.0}
    assert [g["group"] for g in d["breakdowns"]["sex"]] == ["1", "2"]  # sorted by name, as the SPEC says
    assert [g["label"] for g in d["breakdowns"]["sex"]] == ["Male", "Female"]
    assert d["thresholds"]["within"] == [{"threshold": 4.0, "count": 4, "percent": 40.0},
                                         {"threshold": 6.0, "count": 7, "percent": 70.0}]
    assert d["outside"]["reason"]["outside"] == 6
    assert d["year_end"] == {"period": "2015-03", "value": 50.0, "rag": "red", "change": -10.0}
    assert d["comparator_details"]["England"]["source"] == "DfE"


def test_headings_and_order_from_one_place(config: Path, engine: Engine) -> None:
    """The CLI, the UI and the paper all read the heading and order the config declares."""
    text = CliRunner().invoke(main, ["explain", "CASE-4", "--config", str(config), "--period", "2016-02"],
                              env={"SCORECARD_TODAY": "2016-03-15"}).output
    block = text.split("By gender\n")[1]
    assert block.index("Female") < block.index("Male")
    assert block.startswith("Gender ")  # a column heading in sentence case, as "Value" beside it
    e = explain(engine, "CASE-4", "2016-02")
    rows = breakdown_rows(e, "sex")
    assert [r.cells[0].plain for r in rows] == ["Female", "Male"]
    out = io.StringIO()
    write_report(engine, "2016-02", "why", "2016-01", "md", None, out)
    paper = out.getvalue()
    section = paper.split("### By gender")[1]
    assert section.index("| Female |") < section.index("| Male |")
    assert "| Gender | Value |" in section  # first-column headings in sentence case, like the others
    assert "| Reason outside timescale | Count | Share of those outside |" in paper
    out = io.StringIO()
    write_report(engine, "2016-02", "why", "2016-01", "html", None, out)
    html = out.getvalue()
    assert '<table class="data"><thead><tr><th scope="col">Gender</th>' in html.split("<h3>By gender</h3>")[1]
    assert "<thead><tr><th scope=\"col\">Reason outside timescale</th><th scope=\"col\" class=\"num\">Count</th>" in html
    assert '<th scope="col">gender</th>' not in html and "<th scope=\"col\">reason outside timescale</th>" not in html


def test_public_paper_suppresses_small_cells(engine: Engine) -> None:
    for fmt in ("md", "html"):
        out = io.StringIO()
        write_report(engine, "2016-02", "why", "2016-01", fmt, None, out)
        paper = out.getvalue()
        district = paper.split("By district")[1][:1500]
        if fmt == "md":
            assert "| East | x | - | x | x |" in district
            assert "| South | x | - | x | x |" in district  # secondary: East alone could be worked out
            assert "| North | 60.0% |" in district
        else:
            assert ">East</th><td class=\"num\">x<" in district and ">South</th><td class=\"num\">x<" in district


def test_internal_paper_and_ui_show_small_cells(tmp_path: Path) -> None:
    config = write_fixture(tmp_path, "")
    config.write_text(config.read_text().replace('classification = "Unrestricted"', 'classification = "Restricted"'))
    engine = Engine.load(config, today=TODAY)
    out = io.StringIO()
    write_report(engine, "2016-02", "why", "2016-01", "md", None, out)
    assert "| East | 50.0% |" in out.getvalue()
    rows = breakdown_rows(explain(engine, "CASE-4", "2016-02"), "district", public=True, low_base=3)
    flags = {r.cells[0].plain: r.cells[5].plain for r in rows}
    assert flags == {"East": "low base: x in the paper", "North": "", "South": "x in the paper (secondary)"}


def test_paper_summary_states_activity_away_and_comparators_date(engine: Engine) -> None:
    out = io.StringIO()
    write_report(engine, "2016-02", "why", "2016-01", "md", None, out)
    paper = out.getvalue()
    summary = paper.split("## Summary of performance")[1].split("## Changes")[0]
    assert ("During the period January to February 2016 the number of cases of boys increased from 3 to 6 and the "
            "number of cases of girls increased from 1 to 4, resulting in an overall increase of 6") in summary
    assert "One of the performance measures in the Why scorecard was significantly away from the target:" in summary
    assert "% of cases decided within 4 weeks: 40.0% for February 2016 against the target of 80.0%, 40.0 percentage" in summary
    assert "England as at March 2015; Neighbours as at September 2015. Sources: DfE." in summary


def test_section_overview_at_the_head_of_its_section(config: Path, engine: Engine) -> None:
    CommentaryStore(engine.config.state_path).save(section_key("Timeliness"), "2016-02", "Timeliness is improving.",
                                                    author="lead")
    for fmt in ("md", "html"):
        out = io.StringIO()
        write_report(engine, "2016-02", "why", "2016-01", fmt, None, out)
        paper = out.getvalue()
        table = paper[paper.rindex("Why scorecard: February 2016"):]  # the full table, by section
        assert table.index("Timeliness is improving.") < table.index("CASE-4"), fmt
        assert table.index("Timeliness is improving.") > table.index("CASE-COUNT"), fmt  # not under Cases


@pytest.mark.parametrize(("extra", "change", "message"), [
    ("", ('duration = "weeks"\n', ""), "thresholds need the measure's duration"),
    ("", ('outside_by = ["reason"]\n', 'outside_by = ["nope"]\n'), "unknown column 'nope'"),
    ("", ('parts = ["CASE-MALE", "CASE-FEMALE"]', 'parts = ["CASE-MALE", "NOPE"]'), "unknown measure 'NOPE'"),
    ("\n[breakdowns.weeks]\nheading = \"w\"\n", None, "no measure breaks down by 'weeks'"),
    ("", ('classification = "Unrestricted"', 'classification = "Public"'), "report.classification"),
    ("", ("thresholds = [4, 6]", "thresholds = [6, 4]"), "increasing order"),
])
def test_config_errors(tmp_path: Path, extra: str, change: tuple[str, str] | None, message: str) -> None:
    config = write_fixture(tmp_path, extra)
    if change is not None:
        text = config.read_text()
        assert change[0] in text
        config.write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert any(message in p for p in caught.value.problems), caught.value.problems


def test_outside_by_needs_a_percent(tmp_path: Path) -> None:
    config = write_fixture(tmp_path)
    text = config.read_text().replace('calc = "count"\nparts', 'calc = "count"\noutside_by = ["reason"]\nparts')
    config.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert any("measures[0].outside_by (CASE-COUNT): outside_by breaks down" in p for p in caught.value.problems)


async def test_o_writes_the_section_overview_shown_under_its_measures(basic_copy: Path):
    from scorecard.tui.screens.commentary import CommentaryScreen
    from scorecard.tui.screens.scorecard import ScorecardScreen
    from scorecard.tui.widgets.measure_table import ScorecardTable
    from tests.test_tui_support import make_app, settle

    app = make_app(basic_copy)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ScorecardTable)
        assert table.move_to_measure("IHA-20WD")
        await pilot.pause()
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CommentaryScreen)
        section = app.config.measure("IHA-20WD").section
        assert app.screen.measure_id == section_key(section)
        await pilot.press(*"Health is improving.", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        saved = CommentaryStore(app.config.state_path).latest(section_key(section), app.period)
        assert saved is not None and saved.text == "Health is improving."
        detail = str(app.screen.query_one("#detail").render())
        assert f"§ {section}: Health is improving." in detail  # under the measure's own line


def test_since_defaults_to_the_last_published_report(config: Path) -> None:
    """SPEC section 7: without --since, the last period published before the period (its figures as
    published); before any publication, the month before."""
    env = {"SCORECARD_TODAY": "2016-03-15", "SCORECARD_CACHE": "off"}
    runner = CliRunner()

    def explain_json() -> dict:
        result = runner.invoke(main, ["explain", "WAIT", "--config", str(config), "--period", "2016-02",
                                      "--format", "json"], env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    assert explain_json()["since"] == "2016-01"
    published = runner.invoke(main, ["publish", "--config", str(config), "--scorecard", "why", "--period", "2015-12"],
                              env=env)
    assert published.exit_code == 0, published.output
    d = explain_json()
    assert d["since"] == "2015-12"
    assert (d["movement"]["entered"]["from"], d["movement"]["entered"]["value"]) == ("2016-01", 120.0)

    assert runner.invoke(main, ["publish", "--config", str(config), "--scorecard", "why", "--period", "2016-01"],
                         env=env).exit_code == 0
    with (config.parent / "data" / "cases.csv").open("a") as f:
        f.write("2016-01-20,1,,North,1\n")  # a late record: January now has 4 boys, 3 as published
    paper = runner.invoke(main, ["report", "--config", str(config), "--scorecard", "why", "--period", "2016-02"],
                          env=env)
    assert paper.exit_code == 0, paper.output
    assert ("During the period January to February 2016 the number of cases of boys increased from 3 to 6 and the "
            "number of cases of girls increased from 1 to 4, resulting in an overall increase of 6") in paper.output


def test_summary_gives_a_red_measure_one_sentence_and_its_page_the_why(tmp_path: Path) -> None:
    """A Red measure significantly away: the summary says value, target, gap and the last report's value in
    one sentence and points to its exception page, which alone gives the why (thresholds, why outside,
    movement, year-end). A measure away but not Red has no exception page: the summary keeps its why."""
    config = write_fixture(tmp_path, "")
    config.write_text(config.read_text().replace('[report]\n', '[report]\nsignificant_share = 0.4\n', 1))
    engine = Engine.load(config, today=TODAY)
    why = {mid: why_lines(explain(engine, mid, "2016-02", since="2016-01"), outside=False)
           for mid in ("CASE-4", "CASE-6")}
    assert why["CASE-4"] and why["CASE-6"]
    for fmt in ("md", "html"):
        out = io.StringIO()
        write_report(engine, "2016-02", "why", "2016-01", fmt, None, out)
        paper = out.getvalue()
        summary, rest = paper.split("Summary of performance", 1)[1].split("Changes in RAG rating since", 1)
        assert "Two of the performance measures in the Why scorecard were significantly away" in summary
        red = next(x for x in summary.split("% of cases decided within") if x.startswith(" 4 weeks:"))
        red = red.split("</li>")[0].split("\n\n")[0]
        assert "40.0% for February 2016 against the target of 80.0%, 40.0 percentage points below it (100.0% at the " \
               "last report, in January 2016); " in red, red
        assert red.count(". ") == 0 and red.rstrip().endswith(("says why.", "says why</a>.</p>")), red
        page = rest.split("Exception report: % of cases decided within 4 weeks", 1)[1]
        for line in why["CASE-4"]:
            assert line not in summary, (fmt, line)
            assert (line if fmt == "md" else html.escape(line)) in page, (fmt, line)
        assert "By reason outside timescale, of the 6 outside" in page and "of the 6 outside" not in summary
        amber = next(x for x in summary.split("% of cases decided within") if x.startswith(" 6 weeks:"))
        assert "exception report" not in amber
        for line in why["CASE-6"]:
            assert (line if fmt == "md" else html.escape(line)) in amber, (fmt, line)
        if fmt == "html":
            assert '<a href="#exception-1">its exception report below says why</a>' in red
            assert '<section id="exception-1" class="page exception"' in paper
