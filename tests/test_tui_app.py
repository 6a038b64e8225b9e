"""Pilot tests: every screen and key of the terminal UI, on a private copy of the basic fixture."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from textual.widgets import Input, Select, TabbedContent

from scorecard.cli import main
from scorecard.commentary import CommentaryStore
from scorecard.engine.config import load_config
from scorecard.tui.pickers import OptionPicker
from scorecard.tui.screens.changes import BandChangesScreen
from scorecard.tui.screens.commentary import CommentaryScreen
from scorecard.tui.screens.drilldown import DrillDownScreen, breakdown_rows
from scorecard.tui.screens.exceptions import ExceptionCard, ExceptionsScreen
from scorecard.tui.screens.help import HelpScreen
from scorecard.tui.screens.problems import ProblemsScreen
from scorecard.tui.screens.scorecard import ScorecardScreen
from scorecard.tui.service import EngineService
from scorecard.tui.widgets.measure_table import MIN_TITLE, ScorecardTable
from scorecard.tui.widgets.sortable_table import SortableTable
from scorecard.tui.widgets.trend_chart import TrendChart
from tests.conftest import BASIC
from tests.test_tui_support import make_app, settle, shown, table_ids

ALL = ["CIC-COUNT", "CIC-RATE", "CIC-FOSTER", "CIC-FOSTER-U16", "IHA-20WD", "RI-3WD", "ADOPT-A2", "WF-PERM"]
SIZE = (140, 45)


def summary(app) -> str:
    return str(app.screen.query_one("#summary").render())


async def to_measure(pilot, measure_id: str) -> None:
    table = pilot.app.screen.query_one(ScorecardTable)
    assert table.move_to_measure(measure_id)
    await pilot.pause()


async def test_scorecard_shows_the_seeds_summary_and_every_measure(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        assert "April 2017: 7 rated measures, 2 Green, 4 Amber, 1 Red" in summary(app)
        assert "Data to May 2017, extract of 31 May 2017" in summary(app)
        assert app.screen.title == "Testshire County Council"
        assert app.screen.sub_title == "Children in Care · April 2017"
        assert table_ids(app) == ALL
        assert app.screen.band_of("CIC-RATE").plain.strip() == "Red"
        table = app.screen.query_one(ScorecardTable)
        row = [c.plain.strip() for c in table.get_row("CIC-RATE")]
        assert row[0] == "CIC-RATE"
        assert row[3:6] == ["12.5 per 10,000", "9.0", "11.0"]
        assert row[6].split() == ["10.0", "Amber"]
        assert row[7] == "▼ declined"
        assert row[-2:] == ["62.0", "56.1"]  # England, statistical neighbours


async def test_latest_period_by_default(basic_copy: Path):
    app = make_app(basic_copy, period=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.period == "2017-05"
        assert summary(app).startswith("May 2017:")


async def test_brackets_move_the_period_within_the_data(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.period == "2017-05" and summary(app).startswith("May 2017:")
        await pilot.press("right_square_bracket")  # May 2017 is the latest with data: stays
        await settle(pilot)
        assert app.period == "2017-05"
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert app.period == "2017-03" and summary(app).startswith("March 2017:")


async def test_slash_filters_by_text_and_escape_clears(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"foster")
        await pilot.pause()
        assert table_ids(app) == ["CIC-FOSTER", "CIC-FOSTER-U16"]
        await pilot.press("enter")
        assert isinstance(app.focused, ScorecardTable)
        assert table_ids(app) == ["CIC-FOSTER", "CIC-FOSTER-U16"]  # the filter stays
        await pilot.press("escape")
        await pilot.pause()
        assert table_ids(app) == ALL


async def test_r_shows_only_red_and_c_only_changed(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        assert table_ids(app) == ["CIC-RATE"]
        assert "only Red" in str(app.screen.query_one("#status").render())
        await pilot.press("r")
        assert table_ids(app) == ALL
        await pilot.press("c")
        assert table_ids(app) == ["CIC-RATE", "IHA-20WD", "RI-3WD"]
        await pilot.press("c")
        assert table_ids(app) == ALL


async def test_s_sorts_by_a_picked_column_and_again_reverses(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, OptionPicker)
        await pilot.press("down", "down", "down", "enter")  # config order, Id, Measure, Band
        await pilot.pause()
        assert isinstance(app.screen, ScorecardScreen)
        assert table_ids(app)[:2] == ["CIC-RATE", "CIC-COUNT"]  # Red first
        await pilot.press("s")
        await pilot.press("enter")  # the picker opens on the current column: again reverses it
        await pilot.pause()
        assert table_ids(app)[:2] == ["CIC-COUNT", "CIC-RATE"]
        assert "sorted by Band descending" in str(app.screen.query_one("#status").render())


async def test_clicking_a_header_sorts(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ScorecardTable)
        first = sum(c.get_render_width(table) for c in table.ordered_columns[:2])  # the id and measure
        await pilot.click(ScorecardTable, offset=(first + 2, 0))  # the Band header
        await pilot.pause()
        assert app.screen.sort_key == "band"
        assert table_ids(app)[:2] == ["CIC-RATE", "CIC-COUNT"]


async def test_enter_drills_down_and_escape_returns(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_measure(pilot, "CIC-RATE")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DrillDownScreen) and screen.measure_id == "CIC-RATE"
        figures = shown(screen.query_one("#drill-figures"))
        assert "12.5 per 10,000" in figures and "Red" in figures
        assert re.search(r"Target\s+9\.0", figures) and re.search(r"Floor\s+11\.0", figures)
        assert "England 62.0" in figures
        chart = screen.query_one(TrendChart)
        assert chart.trend[-1].value == 12.5 and chart.trend[-1].period == "2017-04"
        assert "needs 12 points, has 11" in str(screen.query_one("#drill-spc").render())
        cohorts = screen.query_one("#drill-cohorts").render()
        assert cohorts is not None
        assert "None written yet" in str(screen.query_one("#drill-commentary").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScorecardScreen)
        assert app.screen.query_one(ScorecardTable).current_measure() == "CIC-RATE"


async def test_drill_down_breakdowns_in_sortable_tabs(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_measure(pilot, "CIC-FOSTER")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        tabs = screen.query_one(TabbedContent)
        assert [str(p._title) for p in tabs.query("TabPane")] == ["By district"]
        table = screen.query_one(SortableTable)
        assert table.ordered_keys() == ["g0", "g1"]  # North, South
        table.focus()
        await pilot.press("s")
        assert isinstance(app.screen, OptionPicker)
        await pilot.press("down", "down", "enter")  # config order, Group, Value
        await pilot.pause()
        assert table.sort_index == 1 and not table.sort_reverse
        await pilot.press("s", "enter")  # Value again: descending
        await pilot.pause()
        assert table.sort_reverse
        assert [table.get_row(k)[0].plain for k in table.ordered_keys()] == ["South", "North"]


async def test_brackets_in_the_drill_down(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_measure(pilot, "CIC-RATE")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        screen = app.screen
        assert screen.period == "2017-03" and screen.drill.explanation.result.value == 10.0
        assert "10.0 per 10,000" in shown(screen.query_one("#drill-figures"))
        await pilot.press("escape")
        await settle(pilot)
        assert summary(app).startswith("March 2017:")  # the scorecard follows


async def test_commentary_is_written_saved_and_shown(basic_copy: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LOGNAME", "a.analyst")
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_measure(pilot, "CIC-RATE")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, CommentaryScreen)
        await pilot.press(*"UASC arrivals rose.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DrillDownScreen)
        shown = str(app.screen.query_one("#drill-commentary").render())
        assert "UASC arrivals rose." in shown and "a.analyst" in shown
        saved = CommentaryStore(load_config(basic_copy / "config.toml").state_path).latest("CIC-RATE", "2017-04")
        assert saved is not None and saved.text == "UASC arrivals rose." and saved.author == "a.analyst"
        # editing keeps the history; Escape cancels without saving
        await pilot.press("w")
        await settle(pilot)
        assert app.screen.query_one("TextArea").text == "UASC arrivals rose."
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DrillDownScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert "✎" in table_row_title(app, "CIC-RATE")  # the scorecard marks measures with commentary


def table_row_title(app, measure_id: str) -> str:
    return app.screen.query_one(ScorecardTable).get_cell(measure_id, "measure").plain


async def test_w_on_the_scorecard_writes_commentary(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_measure(pilot, "IHA-20WD")
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, CommentaryScreen) and app.screen.measure_id == "IHA-20WD"
        await pilot.press(*"Back on target.", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        assert "Back on target." in str(app.screen.query_one("#detail").render())


async def test_b_band_changes_improved_then_declined(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BandChangesScreen)
        expected = json.loads((BASIC / "expected" / "changes-2017-03-2017-04.json").read_text())
        assert screen.query_one("#improved", SortableTable).ordered_keys() == [x["id"] for x in expected["improved"]]
        assert screen.query_one("#declined", SortableTable).ordered_keys() == [x["id"] for x in expected["declined"]]
        assert "3 performance measures have changed RAG banding between March 2017 and April 2017" in str(
            screen.query_one("#changes-summary").render())
        # choose other periods
        screen.query_one("#from", Select).value = "2017-02"
        screen.query_one("#to", Select).value = "2017-05"
        await settle(pilot)
        expected = json.loads((BASIC / "expected" / "changes-2017-02-2017-05.json").read_text())
        assert screen.query_one("#improved", SortableTable).ordered_keys() == [x["id"] for x in expected["improved"]]
        assert screen.query_one("#declined", SortableTable).ordered_keys() == []
        # Enter on a row drills down at the later period
        improved = screen.query_one("#improved", SortableTable)
        improved.focus()
        improved.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillDownScreen)
        assert (app.screen.measure_id, app.screen.period) == ("CIC-FOSTER", "2017-05")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScorecardScreen)


async def test_e_exception_report_lists_every_red_measure(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExceptionsScreen)
        cards = list(screen.query(ExceptionCard))
        assert [c.measure_id for c in cards] == ["CIC-RATE"]
        text = str(cards[0].render())
        assert "12.5 per 10,000" in text and "target of 9.0" in text and "floor (minimum standard) of 11.0" in text
        assert "England 62.0" in text
        assert "1 of 7 rated measures is Red" in str(screen.query_one("#exceptions-summary").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillDownScreen) and app.screen.measure_id == "CIC-RATE"


async def test_exception_report_for_a_period_without_red(basic_copy: Path):
    app = make_app(basic_copy, period="2017-05")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        red = sum(1 for m in app.screen.view.rating.measures if m.rag == "red")
        await pilot.press("e")
        await settle(pilot)
        assert len(list(app.screen.query(ExceptionCard))) == red
        if not red:
            assert "nothing to report" in str(app.screen.query_one("#exceptions-summary").render())


async def test_question_mark_help_and_escape(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScorecardScreen)


async def test_q_quits(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_t_switches_between_light_and_dark(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("t")
        assert app.theme == "textual-light"
        await pilot.press("t")
        assert app.theme == "textual-dark"


def two_scorecards(basic_copy: Path) -> None:
    config = basic_copy / "config.toml"
    text = config.read_text()
    text = text.replace('[[scorecards]]\nid = "cic"\ntitle = "Children in Care"\n',
                        '[[scorecards]]\nid = "cic"\ntitle = "Children in Care"\n\n'
                        '[[scorecards]]\nid = "health"\ntitle = "Health of Children in Care"\n')
    text = text.replace('id = "IHA-20WD"\ntitle = "% of initial health assessments within 20 working days"\n'
                        'section = "Health"\nscorecards = ["cic"]',
                        'id = "IHA-20WD"\ntitle = "% of initial health assessments within 20 working days"\n'
                        'section = "Health"\nscorecards = ["cic", "health"]')
    config.write_text(text)


async def test_g_switches_scorecard(basic_copy: Path):
    two_scorecards(basic_copy)
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        assert isinstance(app.screen, OptionPicker)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.scorecard_id == "health"
        assert table_ids(app) == ["IHA-20WD"]
        assert app.screen.sub_title == "Health of Children in Care · April 2017"


async def test_p_goes_to_a_period(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        assert isinstance(app.screen, OptionPicker)
        await pilot.press("down", "down", "enter")  # the picker starts at April 2017; two down is February
        await settle(pilot)
        assert app.period == "2017-02" and summary(app).startswith("February 2017:")


async def test_command_palette_has_every_action(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for name in ("Drill down into the measure", "Previous period", "Next period", "Filter measures by text",
                     "Only Red measures (again: all)", "Only measures that changed band (again: all)",
                     "Sort each section by a column", "Switch scorecard", "Band changes between two periods",
                     "Exception report: every Red measure", "Write the commentary for the measure and period",
                     "Help: every key", "Quit", "Light or dark theme", "Go to a period", "Sort by Value"):
            assert name in titles, name
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Exception report")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExceptionsScreen)


async def test_measure_option_opens_the_drill_down(basic_copy: Path):
    app = make_app(basic_copy, measure="CIC-FOSTER")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DrillDownScreen) and app.screen.measure_id == "CIC-FOSTER"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one(ScorecardTable).current_measure() == "CIC-FOSTER"


async def test_data_problems_are_said_and_listed(basic_copy: Path):
    with (basic_copy / "data" / "returns.csv").open("a") as f:
        f.write("R99,not-a-date,\n")
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "data problem(s) found: press ! to list them" in summary(app)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert any("not-a-date" in line for line in app.screen.lines)
        await pilot.press("escape")
        assert isinstance(app.screen, ScorecardScreen)


async def test_engine_work_runs_off_the_ui_thread(basic_copy: Path, monkeypatch: pytest.MonkeyPatch):
    threads: list[str] = []
    for name in ("engine", "scorecard", "explanation", "changes", "save_commentary"):
        original = getattr(EngineService, name)

        def spy(self, *args, _original=original, **kwargs):
            threads.append(threading.current_thread().name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(EngineService, name, spy)
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", "b")
        await settle(pilot)
    assert threads and threading.main_thread().name not in threads


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_small_and_wide_terminals(basic_copy: Path, size: tuple[int, int]):
    app = make_app(basic_copy)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ScorecardTable)
        title = table.columns["measure"].width
        assert title >= MIN_TITLE
        if size[0] >= 200:
            assert table.get_cell("CIC-RATE", "measure").plain.strip() == "Children in care per 10,000 child population"
        await to_measure(pilot, "CIC-RATE")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.has_class("-wide") == (size[0] >= 120)
        assert "12.5 per 10,000" in shown(app.screen.query_one("#drill-figures"))


def show(*args: str) -> Result:
    """`scorecard show ARGS`, in-process: the command line loads the config and checks the request
    before the UI is started, so these never open it."""
    return CliRunner().invoke(main, ["show", *args])


def test_show_reports_a_missing_config(tmp_path: Path):
    result = show("--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "not found" in err[0]


def test_show_reports_config_problems(basic_copy: Path):
    config = basic_copy / "config.toml"
    config.write_text(config.read_text().replace('window = "ytd"', 'window = "fortnight"'))
    result = show("--config", str(config))
    assert result.exit_code == 1
    assert "measures[5]" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("scorecard", "period", "measure", "word"), [
    ("nope", None, None, "unknown scorecard"),
    (None, "April", None, "not a period"),
    (None, None, "NOPE", "unknown measure"),
])
def test_show_usage_errors(basic_copy: Path, scorecard, period, measure, word):
    args = ["--config", str(basic_copy / "config.toml")]
    for option, value in (("--scorecard", scorecard), ("--period", period), ("--measure", measure)):
        if value is not None:
            args += [option, value]
    result = show(*args)
    assert result.exit_code == 2
    assert word in result.stderr


async def test_brackets_in_a_drill_down_opened_at_another_period(basic_copy: Path):
    app = make_app(basic_copy, period="2017-05")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_drill("CIC-RATE", "2017-04")  # as from band changes, at its later period
        await settle(pilot)
        assert app.screen.period == "2017-04"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.screen.period == "2017-05" and app.period == "2017-05"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.screen.period == "2017-04" and app.screen.drill.explanation.period == "2017-04"


async def test_command_palette_includes_the_focused_tables_actions(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_measure(pilot, "CIC-FOSTER")
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one(SortableTable).focus()
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for name in ("Sort the table by a column", "Back to the previous screen", "Previous period", "Next period",
                     "Write the commentary for the measure and period", "Quit", "Help: every key"):
            assert name in titles, name


async def test_drill_downs_one_after_another_replace_the_breakdowns(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for measure in ("CIC-FOSTER", "CIC-RATE", "CIC-FOSTER", "CIC-FOSTER"):
            await to_measure(pilot, measure)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DrillDownScreen) and app.screen.measure_id == measure
            tabs = list(app.screen.query(TabbedContent))
            assert len(tabs) == (1 if measure == "CIC-FOSTER" else 0)
            await pilot.press("left_square_bracket")  # another period: the tables are replaced again
            await settle(pilot)
            assert len(list(app.screen.query(TabbedContent))) == len(tabs)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ScorecardScreen)


def test_saving_commentary_waits_for_the_typing_before_it():
    """Ctrl+S must not be a priority binding: those run before the keys queued for the text area, and
    a quick typist's (or tmux's) last words were lost that way."""
    save = next(b for b in CommentaryScreen.BINDINGS if getattr(b, "key", "") == "ctrl+s")
    assert not save.priority


async def test_drill_down_in_another_period_refills_the_same_breakdown_tables(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_measure(pilot, "CIC-FOSTER")
        await pilot.press("enter")
        await settle(pilot)
        tabs, table = app.screen.query_one(TabbedContent), app.screen.query_one(SortableTable)
        await pilot.press("right_square_bracket")  # May 2017: the same breakdowns, its own figures
        await settle(pilot)
        e = app.screen.drill.explanation
        assert e.period == "2017-05"
        assert app.screen.query_one(TabbedContent) is tabs and app.screen.query_one(SortableTable) is table
        expected = [[c.plain.strip() for c in r.cells] for r in breakdown_rows(e, "district")]
        assert [[c.plain.strip() for c in table.get_row(k)] for k in table.ordered_keys()] == expected


async def test_footer_is_not_rebuilt_when_its_keys_are_the_same(basic_copy: Path):
    from scorecard.tui.widgets.footer import KeyFooter

    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "escape")  # the table has the focus: its keys from now on
        await settle(pilot)
        keys = list(app.screen.query_one(KeyFooter).children)
        assert "Drill" in [k.description for k in keys]
        for _ in range(2):
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        assert list(app.screen.query_one(KeyFooter).children) == keys
        await pilot.press("r")  # a filter changes no key: still the same
        await settle(pilot)
        assert list(app.screen.query_one(KeyFooter).children) == keys


async def test_one_drill_down_screen_is_reused_for_every_measure(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_measure(pilot, "CIC-RATE")
        await pilot.press("enter")
        await settle(pilot)
        first = app.screen
        assert isinstance(first, DrillDownScreen) and first.measure_id == "CIC-RATE"
        assert "12.5 per 10,000" in shown(first.query_one("#drill-figures"))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        await to_measure(pilot, "CIC-COUNT")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is first and first.measure_id == "CIC-COUNT"


def test_the_command_line_starts_the_engine_before_importing_textual():
    """`scorecard show` imports scorecard.tui.app first: it must not pull in Textual or the screens, so
    the engine can start loading while they are imported."""
    import subprocess
    import sys

    code = "import sys, scorecard.tui.app; print(sorted(m for m in sys.modules if m.startswith(('textual', 'scorecard.tui.s'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_an_engine_failure_is_shown_and_the_app_keeps_going(basic_copy: Path):
    """The engine raising (here: the drill-down of one measure) is said on the screen that asked, and
    the analyst can go back and carry on."""
    app = make_app(basic_copy)
    answer = app.service.drill

    def drill(measure_id: str, period: str):
        if measure_id == "CIC-RATE":
            raise RuntimeError("the engine fell over")
        return answer(measure_id, period)

    app.service.drill = drill  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_measure(pilot, "CIC-RATE")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillDownScreen)
        assert "Could not explain CIC-RATE: the engine fell over" in shown(app.screen.query_one("#drill-figures"))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen) and app.is_running
        await to_measure(pilot, "CIC-COUNT")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.measure_id == "CIC-COUNT" and "Could not" not in shown(app.screen.query_one("#drill-figures"))


async def test_publish_key_confirms_then_restated_rows_show_both_figures(basic_copy: Path):
    from scorecard.publish.store import PublicationStore
    from scorecard.tui.screens.publish import PublishScreen

    app = make_app(basic_copy, period="2017-03")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, PublishScreen)
        plan = str(app.screen.query_one("#publish-plan").render())
        assert "Publish Children in Care (cic), March 2017?" in plan
        assert "8 measures (7 rated: 0 Green, 7 Amber, 0 Red)" in plan and "7 data file(s)" in plan
        await pilot.press("escape")  # cancel: nothing recorded
        await settle(pilot)
        assert PublicationStore(basic_copy / "data" / "state.db").all() == []
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        [pub] = PublicationStore(basic_copy / "data" / "state.db").all()
        assert (pub.scorecard, pub.period, pub.version) == ("cic", "2017-03", 1)

    with (basic_copy / "data" / "health.csv").open("a") as f:
        f.write("H99,2017-02-20,2017-04-28,false\n")  # a late March record: IHA-20WD 75.0% Amber -> 60.0% Red
    app = make_app(basic_copy, period="2017-03")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "* 1 figure(s) restated since publication (version 1)" in summary(app)
        table = app.screen.query_one(ScorecardTable)
        assert table.get_cell("IHA-20WD", "value").plain.strip() == "60.0% *"  # by column: an Id column may lead
        assert table.get_cell("CIC-RATE", "value").plain.strip() == "10.0 per 10,000"
        await to_measure(pilot, "IHA-20WD")
        await pilot.press("enter")
        await settle(pilot)
        figures = shown(app.screen.query_one("#drill-figures"))
        assert re.search(r"Value\s+60\.0%\s+Red", figures)
        assert re.search(r"Published\s+75\.0%\s+Amber\s+version 1 of", figures) and "restated since publication" in figures
