"""SVG snapshots of the scorecard and a drill-down on the public basic fixture (a private copy of it).

Deterministic: a fixed terminal size, an explicit period, a fixed "today", no clock in the header,
no commentary (so no author or time), and nothing of the temporary path on screen.
Update with `pytest tests/test_tui_snapshots.py --snapshot-update` and look at the SVGs before committing.
"""

from __future__ import annotations

from pathlib import Path

from scorecard.tui.widgets.measure_table import ScorecardTable
from tests.test_tui_support import make_app, settle


def test_scorecard_snapshot(basic_copy: Path, snap_compare):
    assert snap_compare(make_app(basic_copy), terminal_size=(140, 30), run_before=settle)


def test_scorecard_snapshot_80x24(basic_copy: Path, snap_compare):
    assert snap_compare(make_app(basic_copy), terminal_size=(80, 24), run_before=settle)


def test_drill_down_snapshot(basic_copy: Path, snap_compare):
    async def drill(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(ScorecardTable).move_to_measure("CIC-RATE")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(basic_copy), terminal_size=(140, 45), run_before=drill)


def test_drill_down_with_breakdowns_snapshot(basic_copy: Path, snap_compare):
    async def drill(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(ScorecardTable).move_to_measure("CIC-FOSTER")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("end")  # scroll down to the breakdowns and the cohort impact
        await settle(pilot)

    assert snap_compare(make_app(basic_copy), terminal_size=(100, 40), run_before=drill)


def _then(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_drill_down_snapshot_80x24(basic_copy: Path, snap_compare):
    async def drill(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(ScorecardTable).move_to_measure("CIC-RATE")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(basic_copy), terminal_size=(80, 24), run_before=drill)


def test_band_changes_snapshot_80x24(basic_copy: Path, snap_compare):
    assert snap_compare(make_app(basic_copy), terminal_size=(80, 24), run_before=_then("b"))


def test_exceptions_snapshot_80x24(basic_copy: Path, snap_compare):
    assert snap_compare(make_app(basic_copy), terminal_size=(80, 24), run_before=_then("e"))


def test_help_snapshot_80x24(basic_copy: Path, snap_compare):
    assert snap_compare(make_app(basic_copy), terminal_size=(80, 24), run_before=_then("question_mark"))
