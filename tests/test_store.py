"""The results store (scorecard/store/): invisible except in speed.

Every command's output (stdout, stderr, exit code) is the same with the store off, cold, warm, and
after anything it depends on changes: a data file (rewritten, edited in place with its old
modification time put back, a line removed), the config, today, the program. A warm run loads no
data; a run after a change does. What comes from the state file (commentary) is layered on after.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.commentary import CommentaryStore
from scorecard.engine import engine as engine_module
from scorecard.engine.config import load_config
from scorecard.store import fingerprint
from scorecard.store.answers import Results, manifest_of
from scorecard.store.fingerprint import Manifest, data_fingerprint
from scorecard.tui.service import EngineService
from tests.slack_stub import TWO_ROUTES, copy_fixture

COMMANDS: list[list[str]] = [
    ["rate", "--period", "2017-04"],
    ["rate", "--period", "2017-04", "--format", "json"],
    ["rate", "--scorecard", "cic", "--period", "2017-03", "--format", "json"],
    ["changes", "--from", "2017-02", "--to", "2017-05", "--format", "json"],
    ["changes", "--from", "2017-03", "--to", "2017-04"],
    ["trend", "--format", "json"],
    ["trend"],
    ["explain", "CIC-FOSTER", "--period", "2017-05", "--format", "json"],
    ["explain", "RI-3WD", "--period", "2017-03"],
    ["report", "--period", "2017-04"],
    ["report", "--period", "2017-05", "--format", "html"],
    ["alerts", "run", "--dry-run", "--period", "2017-04"],
]
# The questions a data change must reach (a smaller set, run once per data file).
SOME = [COMMANDS[1], COMMANDS[3], COMMANDS[5], COMMANDS[7], COMMANDS[9]]

Output = tuple[int, str, str]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times an Engine loaded data (one entry per load)."""
    counted: list[int] = []
    original = engine_module.Engine.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        counted.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(engine_module.Engine, "__init__", counting)
    return counted


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path, TWO_ROUTES)


def run(config: Path, commands: list[list[str]], store: bool = True) -> list[Output]:
    runner = CliRunner()
    env = {} if store else {"SCORECARD_CACHE": "off"}
    out = []
    for args in commands:
        r = runner.invoke(main, [*args, "--config", str(config)], env=env)
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        out.append((r.exit_code, _steady(r.stdout), r.stderr))
    return out


def _steady(text: str) -> str:
    """The HTML paper's tables carry a random id (great-tables) and an alert the minute it was checked: both
    differ from run to run, store or not."""
    text = re.sub(r"Checked [^(\n]* \(", "Checked (", text)
    for found in set(re.findall(r'<div id="([a-z]{10})"', text)):
        text = text.replace(found, "TABLE-ID")
    return text


def test_cold_warm_and_off_give_the_same_output_and_warm_loads_no_data(config: Path, loads: list[int]) -> None:
    off = run(config, COMMANDS, store=False)
    assert len(loads) == len(COMMANDS)
    assert all(code == 0 for code, _, _ in off), off
    loads.clear()
    cold = run(config, COMMANDS)
    assert 0 < len(loads) < len(COMMANDS)  # the table after the JSON of the same question is already kept
    loads.clear()
    warm = run(config, COMMANDS)
    assert loads == []
    for args, a, b, c in zip(COMMANDS, off, cold, warm, strict=True):
        assert a == b == c, args


@pytest.mark.parametrize("name", ["episodes.csv", "health.csv", "returns.csv", "adoptions.csv", "workforce.csv",
                                  "population.csv", "comparators.csv"])
def test_a_data_file_changed_is_never_served_stale(config: Path, loads: list[int], name: str) -> None:
    before = run(config, SOME)
    path = config.parent / "data" / name
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[: 1 + len(lines) // 2]))  # the later half of the records gone
    loads.clear()
    after = run(config, SOME)
    assert len(loads) == len(SOME)
    assert after == run(config, SOME, store=False)
    assert after != before, f"removing half of {name} changes nothing the commands show"


def test_an_edit_in_place_with_the_old_modification_time_put_back_is_seen(config: Path, loads: list[int]) -> None:
    path = config.parent / "data" / "episodes.csv"
    old = os.stat(path)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns - 10**10))  # as if written 10 s ago: not racy
    before = run(config, SOME)
    st = os.stat(path)
    text = path.read_text()
    # the same size: one placement code for another
    edited = text.replace(",U3,", ",R1,", 1) if ",U3," in text else text.replace(",U1,", ",R1,", 1)
    assert edited != text and len(edited) == len(text)
    with open(path, "r+", encoding="utf-8") as f:  # in place: same inode
        f.write(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns
    loads.clear()
    after = run(config, SOME)
    assert len(loads) == len(SOME)
    assert after == run(config, SOME, store=False)
    assert after != before


def test_a_file_touched_or_copied_over_with_the_same_content_is_still_served(config: Path, loads: list[int]) -> None:
    first = run(config, SOME)
    path = config.parent / "data" / "health.csv"
    content = path.read_bytes()
    path.unlink()
    path.write_bytes(content)  # a new inode and times, the same content
    os.utime(path)
    loads.clear()
    assert run(config, SOME) == first
    assert loads == []


def test_a_config_change_is_recomputed(config: Path, loads: list[int]) -> None:
    before = run(config, SOME)
    text = config.read_text()
    edited = text.replace('title = "', 'title = "Edited: ', 1)
    assert edited != text
    config.write_text(edited)
    loads.clear()
    after = run(config, SOME)
    assert len(loads) == len(SOME)
    assert after == run(config, SOME, store=False)
    assert after != before


def test_another_day_or_another_program_is_recomputed(config: Path, loads: list[int],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    run(config, SOME[:1])
    loads.clear()
    run(config, SOME[:1])
    assert loads == []
    monkeypatch.setenv("SCORECARD_TODAY", "2030-01-02")
    run(config, SOME[:1])
    assert len(loads) == 1
    monkeypatch.setattr(fingerprint, "_SOURCE", "another version of the source")
    run(config, SOME[:1])
    assert len(loads) == 2


def test_commentary_is_layered_on_after_never_stored(config: Path, loads: list[int]) -> None:
    report = [["report", "--period", "2017-04"]]
    run(config, report)
    CommentaryStore(load_config(config).state_path).save("CIC-RATE", "2017-04", "Rise explained by a sibling group of five.",
                                                         "analyst")
    loads.clear()
    (warm,) = run(config, report)
    assert loads == []
    assert "Rise explained by a sibling group of five." in warm[1]
    assert [warm] == run(config, report, store=False)


def test_publications_and_restatements_are_layered_on_after_never_stored(config: Path, loads: list[int]) -> None:
    asked = [["rate", "--period", "2017-04", "--format", "json"], ["changes", "--to", "2017-05", "--format", "json"],
             ["report", "--period", "2017-05"]]
    before = run(config, asked)
    published = CliRunner().invoke(main, ["publish", "--period", "2017-04", "--config", str(config)])
    assert published.exit_code == 0, published.stdout + published.stderr
    loads.clear()
    after = run(config, asked)
    assert after == run(config, asked, store=False)
    assert after[0] != before[0]  # rate now carries what was published
    assert '"published": {' in after[0][1]


def test_store_off_writes_nothing_and_a_damaged_store_is_ignored(config: Path, results_store: Path) -> None:
    off = run(config, SOME, store=False)
    assert not (results_store / "results.sqlite").exists()
    (results_store / "results.sqlite").write_bytes(b"this is not a database" * 100)
    assert run(config, SOME) == off
    assert run(config, SOME) == off


def test_cache_info_and_clear(config: Path, results_store: Path) -> None:
    runner = CliRunner()
    run(config, SOME[:2])
    info = runner.invoke(main, ["cache", "info"])
    assert info.exit_code == 0
    assert str(results_store / "results.sqlite") in info.stdout
    assert re.search(r"\d+ answers for 1 data versions of 1 config\(s\)", info.stdout), info.stdout
    cleared = runner.invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and "cleared" in cleared.stdout
    assert not (results_store / "results.sqlite").exists()
    assert "(off" in runner.invoke(main, ["cache", "info"], env={"SCORECARD_CACHE": "off"}).stdout


def test_only_the_latest_data_versions_of_a_config_are_kept(config: Path, results_store: Path) -> None:
    path = config.parent / "data" / "workforce.csv"
    lines = path.read_text().splitlines(keepends=True)
    for n in range(6):
        path.write_text("".join(lines[: len(lines) - n]))
        run(config, SOME[:1])
    with sqlite3.connect(results_store / "results.sqlite") as db:
        (keys,) = db.execute("SELECT count(DISTINCT key) FROM answers").fetchone()
    assert keys == 4


def test_a_file_added_to_a_glob_changes_the_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n")
    manifest = Manifest([(str(tmp_path), "*.csv")], "Europe/London")
    first = data_fingerprint(manifest, None)
    (tmp_path / "b.csv").write_text("x\n1\n")
    assert data_fingerprint(manifest, None) != first
    (tmp_path / "a.csv").unlink()
    (tmp_path / "b.csv").unlink()
    assert data_fingerprint(manifest, None) == [(str(tmp_path / "*.csv"), "no file")]


def test_the_terminal_uis_first_screen_comes_from_the_store(config: Path, loads: list[int]) -> None:
    today = dt.date(2017, 6, 10)
    cfg = load_config(config)
    first = EngineService(cfg, today).scorecard("cic", "2017-04")
    assert len(loads) == 1
    second_service = EngineService(load_config(config), today)
    second = second_service.scorecard("cic", "2017-04")
    assert len(loads) == 1 and not second_service.loaded
    assert second == first
    assert second_service.explanation("CIC-RATE", "2017-04") == EngineService(cfg, today).explanation("CIC-RATE", "2017-04")


def test_results_answer_what_they_do_not_keep_through_the_engine(config: Path) -> None:
    results = Results.open(config)
    assert results.datasets  # not a question Results keeps: the engine loads and answers
    assert results.loaded


def test_the_terminal_uis_first_screen_is_served_by_what_the_command_line_stored(config: Path, loads: list[int]) -> None:
    run(config, [["rate", "--scorecard", "cic", "--period", "2017-04"], ["trend", "--scorecard", "cic"]])
    loads.clear()
    service = EngineService(load_config(config))
    view = service.scorecard("cic", "2017-04")
    assert loads == [] and not service.loaded
    assert view.rating.period == "2017-04" and view.sparks
    fresh = EngineService(load_config(config))
    fresh.results._store = None  # computed, not read
    assert fresh.scorecard("cic", "2017-04") == view
    assert len(loads) == 1


def test_a_bracket_in_the_data_folders_path_is_literal_as_in_loading(tmp_path: Path, loads: list[int]) -> None:
    """Only a dataset's `file` is a pattern: the fingerprint expands `episodes*.csv` under a data folder
    whose own path has `[1]` in it as loading does, so changing the file is never served stale."""
    config = copy_fixture(tmp_path / "council[1]", TWO_ROUTES,
                          edit=lambda text: text.replace('file = "episodes.csv"', 'file = "episodes*.csv"', 1))
    assert "[1]" in str(config.parent)
    before = run(config, SOME)
    assert all(code == 0 for code, _, _ in before), before
    fingerprinted = [f for f, _ in data_fingerprint(manifest_of(load_config(config)), None)]
    assert str(config.parent / "data" / "episodes.csv") in fingerprinted
    path = config.parent / "data" / "episodes.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[: 1 + len(lines) // 2]))
    loads.clear()
    after = run(config, SOME)
    assert len(loads) == len(SOME)  # computed afresh, not served from the store
    assert after == run(config, SOME, store=False) and after != before
