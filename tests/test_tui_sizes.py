"""Every screen at 80x24 and at 200x60, read off the screen as the analyst sees it: the measure, both
bands and the figures of each row listed are on screen, the first section heading shows at start,
the footer keeps its keys, `q` quits from Help and the lists, and the palette opens a measure by id."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorecard.engine.results import BandChange, MeasureRating
from scorecard.present import band_word as band
from scorecard.present import figure
from scorecard.tui.pickers import OptionPicker
from scorecard.tui.screens.changes import BandChangesScreen
from scorecard.tui.screens.drilldown import DrillDownScreen
from scorecard.tui.screens.exceptions import ExceptionsScreen
from scorecard.tui.screens.help import HelpScreen
from scorecard.tui.screens.scorecard import ScorecardScreen
from scorecard.tui.widgets.measure_table import ScorecardTable
from tests.test_tui_support import make_app, screen_text, settle

SIZES = [(80, 24), (200, 60)]


def row_line(text: str, start: str) -> str:
    """The screen's line on which a row starting with `start` is drawn."""
    lines = [line for line in text.splitlines() if line.strip().startswith(start)]
    assert lines, f"no line starts with {start!r}:\n{text}"
    return lines[0]


def scorecard_pieces(m: MeasureRating, units: bool) -> list[str]:
    pieces = [band(m.rag, m.rated), figure(m.value, m.decimals, m.unit, with_unit=units),
              figure(m.target, m.decimals, m.unit, with_unit=False), figure(m.floor, m.decimals, m.unit, with_unit=False)]
    if m.previous is not None:
        pieces.append(figure(m.previous.value, m.decimals, m.unit, with_unit=False))
        if m.rated:
            pieces.append(band(m.previous.rag))
    return pieces


@pytest.mark.parametrize("size", SIZES)
async def test_scorecard_rows_show_the_measure_both_bands_and_the_figures(basic_copy: Path, size):
    app = make_app(basic_copy)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ScorecardTable)
        text = screen_text(app)
        lines = text.splitlines()
        heading = next(i for i, line in enumerate(lines) if line.strip().startswith(("Measure", "Id")))
        assert lines[heading + 1].strip() == "Children in Care"  # the first section, not scrolled away
        assert table.current_measure() == "CIC-COUNT"  # the cursor on the first measure, not its heading
        assert table.fitted.show_id == (size[0] >= 200)
        for m in app.screen.view.rating.measures:
            start = m.id if table.fitted.show_id else table.get_cell(m.id, "measure").plain.strip()
            line = row_line(text, start)
            for piece in scorecard_pieces(m, table.fitted.units):
                assert piece in line, (m.id, piece, line)
        footer = lines[-1]
        for key in ("⏎ Drill", "b Changes", "e Exceptions", "w Comment", "? Help", "q Quit"):
            assert key in footer, footer
        if size[0] >= 200:
            assert "Children in care per 10,000 child population" in text  # whole titles
            assert "SN" in lines[heading] and "12 months" in lines[heading]  # and every column


async def test_narrow_scorecard_keeps_the_id_and_unit_on_the_detail_line(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ScorecardTable)
        table.move_to_measure("CIC-RATE")
        await pilot.pause()
        detail = str(app.screen.query_one("#detail").render())
        assert detail.startswith("CIC-RATE  Children in care per 10,000 child population")
        if not table.fitted.units:
            assert "(in per 10,000)" in detail


async def test_the_cursor_skips_section_headings(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ScorecardTable)
        assert table.current_measure() == "CIC-COUNT"
        await pilot.press("up")  # the heading above the first measure: stays on the measure
        assert table.current_measure() == "CIC-COUNT"
        await pilot.press("down", "down")  # CIC-RATE, then over "Placements" to CIC-FOSTER
        assert table.current_measure() == "CIC-FOSTER"
        await pilot.press("up")
        assert table.current_measure() == "CIC-RATE"
        await pilot.press("end")
        assert table.current_measure() == "WF-PERM"
        await pilot.press("home")
        assert table.current_measure() == "CIC-COUNT"
        assert "Enter drills down" in str(app.screen.query_one("#status").render())


def change_pieces(c: BandChange) -> list[str]:
    return [c.id, band(c.from_rag), band(c.to_rag), figure(c.from_value, c.decimals, c.unit, with_unit=False),
            figure(c.to_value, c.decimals, c.unit, with_unit=False), figure(c.target, c.decimals, c.unit, with_unit=False),
            figure(c.floor, c.decimals, c.unit, with_unit=False)]


@pytest.mark.parametrize("size", SIZES)
async def test_band_changes_show_every_rows_bands_and_figures(basic_copy: Path, size):
    app = make_app(basic_copy)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BandChangesScreen) and screen.result is not None
        items = screen.result.improved + screen.result.declined
        assert items
        text = screen_text(app)
        for c in items:
            line = row_line(text, c.id)
            for piece in change_pieces(c):
                assert piece in line, (c.id, piece, line)
        assert "q Quit" in text.splitlines()[-1]


@pytest.mark.parametrize("size", SIZES)
async def test_drill_down_shows_the_measure_bands_and_figures(basic_copy: Path, size):
    app = make_app(basic_copy)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"cic-rate")  # the palette finds a measure by its id, any case
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillDownScreen) and app.screen.measure_id == "CIC-RATE"
        text = screen_text(app)
        for piece in ("CIC-RATE", "12.5 per 10,000", "Red", "9.0", "11.0", "10.0", "Amber", "England 62.0"):
            assert piece in text, piece
        assert "esc Back" in text.splitlines()[-1]


@pytest.mark.parametrize("size", SIZES)
async def test_exception_report_shows_each_red_measure(basic_copy: Path, size):
    app = make_app(basic_copy)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExceptionsScreen)
        text = " ".join(screen_text(app).split())  # the cards wrap: compare as one line
        for piece in ("Red", "Children in care per 10,000 child population", "(CIC-RATE)", "12.5 per 10,000",
                      "target of 9.0", "floor (minimum standard) of 11.0", "Previous: 10.0", "Amber"):
            assert piece in text, piece


@pytest.mark.parametrize("size", SIZES)
async def test_help_fits_and_q_quits_from_it(basic_copy: Path, size):
    app = make_app(basic_copy)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Everywhere" in text and "Ctrl+P" in text
        for line in text.splitlines():
            assert len(line) <= size[0]
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_q_quits_from_a_picker(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, OptionPicker)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_palette_finds_a_measure_by_title_words(basic_copy: Path):
    app = make_app(basic_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"returner interviews")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillDownScreen) and app.screen.measure_id == "RI-3WD"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScorecardScreen)
        assert app.screen.current_measure() == "RI-3WD"  # the scorecard's cursor followed


async def test_band_changes_say_none_for_an_empty_list(basic_copy: Path):
    app = make_app(basic_copy, period="2017-01")  # December 2016 to January 2017: none improved, one declined
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BandChangesScreen) and not screen.result.improved and screen.result.declined
        assert screen.query_one("#improved-none").display and not screen.query_one("#improved").display
        assert not screen.query_one("#declined-none").display
        assert app.focused is screen.query_one("#declined")
        assert "None." in screen_text(app)
