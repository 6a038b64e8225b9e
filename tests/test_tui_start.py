"""The terminal UI's start-up (issue 18): a second start on unchanged data shows the first screen from the
results store before it reads the config (or the data), and shows exactly what a first start shows; anything
changed (the config's text, a data file) reads the config first, as before; a config with problems ends
`scorecard` with them, as before. The command line and the first screen import neither polars nor pydantic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.engine import config as config_module
from scorecard.engine.config_model import Config
from scorecard.engine.errors import ConfigError
from scorecard.store import Results
from scorecard.tui.app import open_app, start_from_store
from scorecard.tui.screens.scorecard import ScorecardScreen
from scorecard.tui.service import HEADING, EngineService
from scorecard.tui.widgets.measure_table import ScorecardTable
from tests.test_tui_support import TODAY, settle

SIZE = (120, 40)


async def first_screen(config: Path) -> tuple[str, str, str, list[str], Any]:
    """The first screen of `scorecard` (no options) on the config: its header, summary, measures and view."""
    app = open_app(config, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ScorecardScreen) and screen.view is not None
        summary = str(screen.query_one("#summary").render())
        shown = (screen.title, screen.sub_title, summary, [r.id for r in screen.view.rating.measures], screen.view)
        await settle(pilot)  # the config read behind the screen, before the app closes
        app.exit(0)
    return shown


async def test_a_second_start_shows_the_same_first_screen_without_reading_config_or_data(
        basic_copy: Path, counted: dict[str, int]) -> None:
    config = basic_copy / "config.toml"
    first = await first_screen(config)
    assert counted == {"config": 1, "engine": 1}

    counted.update(config=0, engine=0)
    service = start_from_store(config, TODAY)
    assert not service.config_read
    view = service.scorecard(service.heading[1], service.default_period())
    assert service._preload is not None
    service._preload.join(60)
    assert counted == {"config": 0, "engine": 0}  # the first screen's figures, all from the store
    assert view == first[4]

    second = await first_screen(config)
    assert second[:4] == first[:4]


async def test_a_first_start_builds_the_scorecard_table_once_at_the_width_shown(
        basic_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Filled behind its loading indicator, before the layout has given it a width, the table is fitted to
    the width it is then shown at, not built once at a guess and again on its first resize."""
    built: list[int] = []
    rebuild = ScorecardTable.rebuild

    def counting(self: ScorecardTable) -> None:
        rebuild(self)
        built.append(self._width_built)

    monkeypatch.setattr(ScorecardTable, "rebuild", counting)
    app = open_app(basic_copy / "config.toml", today=TODAY)  # an empty results store: a first start
    async with app.run_test(size=(80, 14)) as pilot:  # more rows than fit
        await settle(pilot)
        table = app.screen.query_one(ScorecardTable)
        assert table.max_scroll_y > 0
        assert built == [table.outer_size.width] == [80]
        # the cursor on the first measure, with its section's heading above it in view, as before
        assert table.cursor_coordinate.row == 1 and table.scroll_y == 0
        app.exit(0)


async def test_the_config_is_read_behind_a_first_screen_from_the_store(basic_copy: Path, counted: dict[str, int]) -> None:
    config = basic_copy / "config.toml"
    await first_screen(config)
    app = open_app(config, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.5)  # the first screen on view: the config is read in a thread
        await settle(pilot)
        assert app.service.config_read
        assert app.config.organisation.name == app.screen.title
        app.exit(0)


@pytest.mark.parametrize("change", ["config", "data"])
def test_a_change_reads_the_config_before_the_first_screen(basic_copy: Path, counted: dict[str, int], change: str) -> None:
    config = basic_copy / "config.toml"
    EngineService(config_module.load_config(config), TODAY)  # a first start keeps the heading
    assert Results.open(config, TODAY, load=False).kept(HEADING)[0]
    if change == "config":
        config.write_text(config.read_text().replace('name = "', 'name = "The ', 1))
    else:
        data = next(p for p in sorted((basic_copy / "data").iterdir()) if p.suffix == ".csv")
        data.write_text(data.read_text() + "\n")
    counted.update(config=0)
    started = start_from_store(config, TODAY)
    assert started.config_read and counted["config"] == 1
    if change == "config":
        assert started.config.organisation.name.startswith("The ")
    assert started._preload is not None
    started._preload.join(60)  # its rating done before the next test


def test_a_config_with_problems_ends_scorecard_with_them_as_before(basic_copy: Path) -> None:
    config = basic_copy / "config.toml"
    EngineService(config_module.load_config(config), TODAY)
    config.write_text(config.read_text() + "\n[nonsense]\n")
    runner = CliRunner()
    for args in ([], ["show"], ["show", "--period", "2017-04"]):
        r = runner.invoke(main, [*args, "--config", str(config)] if args else ["--config", str(config)])
        assert r.exit_code == 1, r.output
        assert "nonsense: unknown key" in r.stderr
    r = runner.invoke(main, ["--config", str(basic_copy / "none.toml")])
    assert r.exit_code == 1 and "config file not found" in r.stderr


async def test_problems_found_reading_the_config_behind_the_first_screen_stop_the_app(
        basic_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cannot happen (the store keeps the heading only for a config read without problems, under its text
    and today); if it did, the app would stop and the command line print them."""
    config = basic_copy / "config.toml"
    await first_screen(config)

    def broken(path: Any) -> Config:
        raise ConfigError(["config.toml: broken"])

    monkeypatch.setattr(config_module, "load_config", broken)
    app = open_app(config, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.6)
        await settle(pilot)
    assert app.config_problems == ["config.toml: broken"] and app.return_code == 1


def test_the_command_line_and_the_first_screen_import_no_polars_or_pydantic() -> None:
    probe = ("import json, sys\nimport scorecard.cli, scorecard.tui.app, scorecard.tui.application, scorecard.tui.service\n"
             "import scorecard.engine.results, scorecard.engine.coverage, scorecard.format\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    roots = set(json.loads(p.stdout))
    assert "textual" in roots  # the probe did import the UI
    assert not roots & {"polars", "pydantic", "numpy", "holidays", "great_tables", "slack_sdk", "apscheduler"}
