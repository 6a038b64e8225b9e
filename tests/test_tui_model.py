"""The terminal UI's pure parts: table columns, sorting and filtering, band words, chart ticks."""

from __future__ import annotations

import io
import math
import re

import pytest
from rich.console import Console

from scorecard.engine.engine import Engine
from scorecard.engine.explain import explain
from scorecard.present import figure, local_time
from scorecard.tui.screens.changes import change_rows, changes_summary
from scorecard.tui.screens.drilldown import breakdown_rows, figures_text, spc_text
from scorecard.tui.service import EngineService
from scorecard.tui.table_model import columns, grouped, rows_of
from scorecard.tui.text import band_text
from scorecard.tui.widgets.sortable_table import TableRow, sort_table_rows
from scorecard.tui.widgets.trend_chart import PeriodAxis, nice_ticks, steps, tick_positions
from tests.conftest import BASIC
from tests.test_tui_support import TODAY


@pytest.fixture(scope="module")
def view():
    from scorecard.engine.config import load_config

    service = EngineService(load_config(BASIC / "config.toml"), TODAY)
    return service.scorecard("cic", "2017-04")


def rendered(renderable) -> str:
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def ids(sections) -> list[str]:
    return [r.id for _, rows in sections for r in rows]


def test_bands_are_words_on_a_colour():
    for rag, word in (("green", "Green"), ("amber", "Amber"), ("red", "Red")):
        t = band_text(rag)
        assert t.plain.strip() == word
        assert t.style  # and coloured
    assert band_text("no_data").plain == "No data"
    assert band_text(None, rated=False).plain == "Activity"
    assert len({band_text(r).cell_len for r in ("green", "amber", "red")}) == 1  # columns line up


def test_figures_carry_their_unit():
    assert figure(12.5, 1, "per 10,000") == "12.5 per 10,000"
    assert figure(12.5, 1, "per 10,000", with_unit=False) == "12.5"
    assert figure(60.0, 1, "%", with_unit=False) == "60.0%"
    assert figure(122, 0, "days") == "122 days"
    assert figure(61.25, 0, "days") == "61 days"
    assert figure(None, 1, "days") == "-"  # no data: no unit beside the dash


def test_view_comes_from_the_engine(view):
    assert view.rating.summary.green == 2 and view.rating.summary.amber == 4 and view.rating.summary.red == 1
    assert view.spark_periods[-1] == "2017-04" and len(view.spark_periods) == 12
    # the sparkline's last value is the period's value, as the engine rated it
    rate = next(m for m in view.rating.measures if m.id == "CIC-RATE")
    assert view.sparks["CIC-RATE"][-1] == rate.value == 12.5
    assert view.comparator_names[0] == "England"


def test_grouped_keeps_config_order_by_section(view):
    sections = grouped(rows_of(view))
    assert [s for s, _ in sections] == ["Children in Care", "Placements", "Health", "Missing", "Adoption", "Workforce"]
    assert ids(sections) == [m.id for m in view.rating.measures]


def test_filters(view):
    rows = rows_of(view)
    assert ids(grouped(rows, only_red=True)) == ["CIC-RATE"]
    assert ids(grouped(rows, only_changed=True)) == ["CIC-RATE", "IHA-20WD", "RI-3WD"]
    assert ids(grouped(rows, text="foster")) == ["CIC-FOSTER", "CIC-FOSTER-U16"]
    assert ids(grouped(rows, text="PLACEMENTS")) == ["CIC-FOSTER", "CIC-FOSTER-U16"]  # the section matches too
    assert ids(grouped(rows, text="nothing like this")) == []


def test_sorting_within_sections(view):
    rows = rows_of(view)
    cols = {c.key: c for c in columns(view.comparator_names)}
    by_band = ids(grouped(rows, column=cols["band"]))
    assert by_band[:2] == ["CIC-RATE", "CIC-COUNT"]  # Red first, the unrated activity measure last
    by_value = ids(grouped(rows, column=cols["value"]))
    assert by_value[2:4] == ["CIC-FOSTER-U16", "CIC-FOSTER"]  # 50% before 60.0%
    by_value_desc = ids(grouped(rows, column=cols["value"], reverse=True))
    assert by_value_desc[2:4] == ["CIC-FOSTER", "CIC-FOSTER-U16"]
    # a measure without a comparator sorts last whichever the direction
    england = cols["cmp:England"]
    assert ids(grouped(rows, column=england))[:2] == ids(grouped(rows, column=england, reverse=True))[:2] == \
        ["CIC-RATE", "CIC-COUNT"]


def test_sortable_rows_put_missing_last():
    rows = [TableRow("a", [], [None]), TableRow("b", [], [2]), TableRow("c", [], [1])]
    assert [r.key for r in sort_table_rows(rows, 0, False)] == ["c", "b", "a"]
    assert [r.key for r in sort_table_rows(rows, 0, True)] == ["b", "c", "a"]
    assert [r.key for r in sort_table_rows(rows, None, False)] == ["a", "b", "c"]


def test_chart_ticks_and_steps():
    assert tick_positions(17, 6) == [2.0, 5.0, 8.0, 11.0, 14.0, 17.0]  # the last period always labelled
    assert tick_positions(3, 10) == [1.0, 2.0, 3.0]
    assert tick_positions(0, 5) == []
    xs, ys = steps([85.0, None, 90.0])
    assert xs == [0.5, 1.5, 1.5, 2.5, 2.5, 3.5]
    assert ys[:2] == [85.0, 85.0] and math.isnan(ys[2]) and ys[4:] == [90.0, 90.0]
    assert steps([85.0, 85.0, 85.0, 90.0, 90.0]) == ([0.5, 3.5, 3.5, 5.5], [85.0, 85.0, 90.0, 90.0])
    assert nice_ticks(3.2, 13.3, 5) == [4.0, 6.0, 8.0, 10.0, 12.0]
    assert nice_ticks(-10.0, 110.0, 4) == [0.0, 50.0, 100.0]
    assert nice_ticks(5.0, 5.0, 4) == [5.0]
    assert PeriodAxis(["2017-01", "2017-02"]).get_labels_for_ticks([1.0, 2.0, 3.0]) == ["2017-01", "2017-02", ""]


def test_drill_down_text_for_the_rate_measure():
    engine = Engine.load(BASIC / "config.toml", TODAY)
    e = explain(engine, "CIC-RATE", "2017-04")
    text = rendered(figures_text(e))
    assert "12.5 per 10,000" in text and "Red" in text
    assert re.search(r"Target\s+9\.0 ", text) and re.search(r"Floor\s+11\.0 ", text)
    assert "England 62.0" in text
    assert "numerator 5 · denominator 4,000" in text
    assert "needs 12 points, has 11" in spc_text(e).plain


def test_breakdown_rows_and_spc_verdict():
    engine = Engine.load(BASIC / "config.toml", TODAY)
    e = explain(engine, "CIC-FOSTER", "2017-04")
    rows = breakdown_rows(e, "district")
    assert [r.cells[0].plain for r in rows] == ["North", "South"]
    assert [r.cells[1].plain for r in rows] == ["33.3%", "100.0%"]
    assert rows[0].cells[5].plain == "low base"
    assert "special cause variation: improvement" in spc_text(e).plain


def test_band_changes_in_the_papers_words():
    engine = Engine.load(BASIC / "config.toml", TODAY)
    c = engine.changes("cic", "2017-03", "2017-04")
    assert changes_summary(c) == ("3 performance measures have changed RAG banding between March 2017 and April 2017: "
                                  "2 improved, 1 declined.")
    rows = change_rows(c.declined)
    assert rows[0].key == "CIC-RATE"
    assert rows[0].cells[1].plain.split() == ["Amber", "→", "Red"]


def test_commentary_time_in_the_organisations_timezone():
    assert local_time("2017-07-03T08:15:00+00:00", "Europe/London") == "3 Jul 2017 09:15 BST"
    assert local_time("2017-12-03T08:15:00+00:00", "Europe/London") == "3 Dec 2017 08:15 GMT"
