"""Issue 13 item 3: text from the config or the data is never read as Textual/Rich markup.

Hostile cohort labels, titles, sections, breakdown groups and commentary are shown literally in
the scorecard, the drill-down (cohort table, breakdown tabs and tables), the pickers and the
notifications; clicking a label that looks like a `@click` action does nothing; a label with a
stray closing tag does not crash the app. An SVG snapshot shows the drill-down as drawn.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from scorecard.commentary import CommentaryStore
from scorecard.tui.pickers import OptionPicker
from scorecard.tui.screens.drilldown import DrillDownScreen
from scorecard.tui.widgets.measure_table import ScorecardTable
from tests.test_tui_support import make_app, settle, shown

CLICK = "UASC [@click=app.quit]QUIT[/]"
AGED = "Children [aged 16+]"
STRAY = "UASC [/x] children"
TITLE = "Foster care [bold]now[/bold] [@click=app.quit]quit[/]"
SECTION = "Placements [red]hot[/red]"
SCORECARD = "Children [i]in[/i] Care [/x]"
DISTRICT = "North [/x] [@click=app.quit]Q[/]"
NOTE = "Improving [b]fast[/b] [/] [@click=app.quit]quit[/]"
RED_TITLE = "Children in care [/] per [link=https://x.test]10,000[/link]"


@pytest.fixture
def hostile(basic_copy: Path) -> Path:
    target = basic_copy
    config = target / "config.toml"
    text = config.read_text()
    text = text.replace('label = "Unaccompanied asylum-seeking children"', f'label = "{CLICK}"')
    text = text.replace('title = "Children in Care"', f'title = "{SCORECARD}"', 1)
    text = text.replace('title = "% of children in care in foster care"', f'title = "{TITLE}"')
    text = text.replace('section = "Placements"', f'section = "{SECTION}"')
    text = text.replace('title = "Children in care per 10,000 child population"', f'title = "{RED_TITLE}"')
    text = text.replace("[comparators]", f'[cohorts.older]\nlabel = "{AGED}"\nwhere = "uasc"\n\n'
                                          f'[cohorts.stray]\nlabel = "{STRAY}"\nwhere = "uasc"\n\n[comparators]', 1)
    config.write_text(text)
    episodes = target / "data" / "episodes.csv"
    episodes.write_text(re.sub(r",North,", f",{DISTRICT},", episodes.read_text()))
    state = target / "data" / "state.db"
    CommentaryStore(state).save("CIC-FOSTER", "2017-04", NOTE, author="analyst [x]")
    with sqlite3.connect(state) as conn:  # a fixed time: the snapshot does not depend on the clock
        conn.execute("UPDATE commentary SET written_at = '2017-05-02T09:00:00+00:00'")
    return target


async def _drill(pilot, measure: str = "CIC-FOSTER") -> None:
    await settle(pilot)
    assert pilot.app.screen.query_one(ScorecardTable).move_to_measure(measure)
    await pilot.press("enter")
    await settle(pilot)


def _plain_everywhere(app) -> str:
    """Every Static's text plus every table cell and tab label on the screen."""
    from textual.widgets import DataTable, Static, Tab

    parts = [shown(w) for w in app.screen.query(Static) if not isinstance(w, Tab)]
    parts += [str(t.label) for t in app.screen.query(Tab)]
    for table in app.screen.query(DataTable):
        for row in range(table.row_count):
            parts += [getattr(c, "plain", str(c)) for c in table.get_row_at(row)]
    return "\n".join(parts)


async def test_hostile_labels_render_literally_and_do_nothing(hostile: Path) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(160, 60)) as pilot:
        await settle(pilot)
        screen_text = _plain_everywhere(app)
        assert "Foster care [bold]now[/bold]" in screen_text  # the table may cut the end of a long title
        assert app.screen.sub_title.startswith(SCORECARD)

        await _drill(pilot)
        assert isinstance(app.screen, DrillDownScreen)
        cohorts = shown(app.screen.query_one("#drill-cohorts"))
        for label, cid in ((CLICK, "uasc"), (AGED, "older"), (STRAY, "stray")):
            assert f"{label} ({cid})" in cohorts
        text = _plain_everywhere(app)
        assert DISTRICT in text and NOTE in text and TITLE in text
        assert "By district" in text
        # clicking where the label that looks like a quit action is drawn: nothing happens
        for x in range(0, 40, 3):
            await pilot.click("#drill-cohorts", offset=(x, 2))
            await pilot.pause()
        assert app.is_running and isinstance(app.screen, DrillDownScreen)
        app.pop_screen()  # back to the scorecard (a click may have given a table the focus)
        await settle(pilot)

        # the exception report and the band changes show the Red measure's title as it is
        for key, screen_name in (("e", "ExceptionsScreen"), ("b", "BandChangesScreen")):
            await pilot.press(key)
            await settle(pilot)
            assert type(app.screen).__name__ == screen_name
            assert RED_TITLE in _plain_everywhere(app)
            app.pop_screen()
            await settle(pilot)

        # the scorecard picker lists the title as it is
        app.push_screen(OptionPicker("Switch scorecard", [("cic", f"{SCORECARD} (cic)")], current="cic"))
        await pilot.pause()
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        assert str(options.get_option_at_index(0).prompt) == f"{SCORECARD} (cic)"
        await pilot.press("escape")
    assert app.return_code in (None, 0)


def test_hostile_labels_drill_down_snapshot(hostile: Path, snap_compare) -> None:
    async def drill(pilot) -> None:
        await _drill(pilot)
        await pilot.press("end")  # the breakdowns and the cohort impact
        await settle(pilot)

    assert snap_compare(make_app(hostile), terminal_size=(120, 50), run_before=drill)
