"""The command line (SPEC section 5): usage errors exit 2, `--format json` prints exactly one JSON
object, tables give bands in words, defaults for scorecard and period.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.engine.engine import Engine

from .conftest import BASIC
from .helpers import run_cli, run_process, write_project

BAND_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", "no_data": "No data"}


def run(*args: str, cwd: Path = BASIC) -> subprocess.CompletedProcess[str]:
    """`python -m scorecard.cli ARGS` in `cwd` (the basic acceptance fixture: read only, so answers are reused)."""
    if cwd == BASIC:
        return _run_basic(args)
    return run_cli(*args, cwd=cwd)


@functools.cache
def _run_basic(args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=BASIC)


def one_json_object(text: str) -> dict[str, Any]:
    """The whole of `text` is exactly one JSON object."""
    decoder = json.JSONDecoder()
    stripped = text.strip()
    obj, end = decoder.raw_decode(stripped)
    assert end == len(stripped), f"more than one JSON value: {stripped[end:end + 80]!r}"
    assert isinstance(obj, dict)
    return obj


# --------------------------------------------------------------------------------------
# Usage errors: exit 2, a message, no traceback, nothing on stdout
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["rate", "--period", "2017-13"],
        ["rate", "--period", "2017-3"],
        ["rate", "--period", "March 2017"],
        ["rate", "--period", "2017-03-01"],
        ["rate", "--scorecard", "nope"],
        ["rate", "--scorecard", "nope", "--format", "json"],
        ["rate", "--format", "xml"],
        ["changes", "--from", "2017-02", "--to", "2017-5"],
        ["changes", "--from", "17-02", "--to", "2017-05"],
        ["changes", "--scorecard", "nope", "--from", "2017-02", "--to", "2017-05"],
        ["changes", "--from", "2017-02", "--to", "2017-09"],
        ["changes", "--to", "2017-09"],
        ["rate", "--period", "2017-09"],
        ["publish", "--period", "2017-09"],
        ["trend", "--scorecard", "nope"],
        ["explain", "NO-SUCH-MEASURE"],
        ["explain", "NO-SUCH-MEASURE", "--format", "json"],
        ["explain", "CIC-FOSTER", "--period", "2017/05"],
        ["explain"],
        ["no-such-command"],
    ],
    ids=lambda a: " ".join(a),
)
def test_usage_errors_exit_2(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BASIC)  # in-process for speed; the next test runs the real command
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.stderr.strip(), "a usage error says what is wrong"
    assert result.stdout.strip() == ""


@pytest.mark.parametrize(
    "args",
    [["rate", "--period", "2017-13"], ["rate", "--scorecard", "nope", "--format", "json"],
     ["explain", "NO-SUCH-MEASURE", "--format", "json"]],
    ids=lambda a: " ".join(a),
)
def test_usage_errors_exit_2_from_the_command(args: list[str]) -> None:
    p = run_process(*args, cwd=BASIC)  # the real command, as a child process
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.strip(), "a usage error says what is wrong"
    assert "Traceback" not in p.stderr
    assert p.stdout.strip() == ""


def test_usage_error_messages_name_the_mistake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BASIC)
    runner = CliRunner()
    assert "nope" in runner.invoke(main, ["rate", "--scorecard", "nope"]).stderr
    assert "NO-SUCH-MEASURE" in runner.invoke(main, ["explain", "NO-SUCH-MEASURE"]).stderr
    assert "2017-13" in runner.invoke(main, ["rate", "--period", "2017-13"]).stderr


# --------------------------------------------------------------------------------------
# --format json: exactly one object, in the SPEC's shape
# --------------------------------------------------------------------------------------
RATING_KEYS = {"id", "title", "section", "warnings", "value", "numerator", "denominator", "unit", "polarity", "target",
               "floor", "rag", "previous", "change", "comparators"}


def test_rate_json() -> None:
    p = run("rate", "--period", "2017-03", "--format", "json")
    assert p.returncode == 0, p.stderr
    r = one_json_object(p.stdout)
    assert (r["scorecard"], r["period"]) == ("cic", "2017-03")
    s = r["summary"]
    assert set(s) == {"measures", "rated", "green", "amber", "red", "no_data"}
    assert s["measures"] == len(r["measures"])
    assert s["rated"] == sum(1 for m in r["measures"] if m["target"] is not None)
    for band in ("green", "amber", "red", "no_data"):
        assert s[band] == sum(1 for m in r["measures"] if m["rag"] == band)
    for m in r["measures"]:
        assert set(m) >= RATING_KEYS, m
        assert m["rag"] in (None, "green", "amber", "red", "no_data")
        assert (m["rag"] is None) == (m["target"] is None)
        assert m["change"] in (None, "improved", "declined", "unchanged")
        if m["previous"] is not None:
            assert m["previous"]["period"] == "2017-02"


def test_rate_defaults_to_the_first_scorecard_and_the_latest_period() -> None:
    r = one_json_object(run("rate", "--format", "json").stdout)
    assert (r["scorecard"], r["period"]) == ("cic", "2017-05")
    t = one_json_object(run("trend", "--format", "json").stdout)
    assert t["periods"][-1] == "2017-05"


def test_changes_json() -> None:
    p = run("changes", "--from", "2017-02", "--to", "2017-05", "--format", "json")
    assert p.returncode == 0, p.stderr
    c = one_json_object(p.stdout)
    assert (c["scorecard"], c["from"], c["to"]) == ("cic", "2017-02", "2017-05")
    order = {"red": 0, "amber": 1, "green": 2}
    for e in c["improved"]:
        assert set(e) >= {"id", "title", "from_rag", "to_rag", "from_value", "to_value"}
        assert order[e["to_rag"]] > order[e["from_rag"]]
    for e in c["declined"]:
        assert order[e["to_rag"]] < order[e["from_rag"]]
    assert [e["id"] for e in c["improved"]] == ["CIC-FOSTER", "CIC-FOSTER-U16", "IHA-20WD", "RI-3WD"]


def test_trend_json_lists_are_aligned() -> None:
    p = run("trend", "--format", "json")
    assert p.returncode == 0, p.stderr
    t = one_json_object(p.stdout)
    periods = t["periods"]
    assert periods == sorted(periods) and len(set(periods)) == len(periods)
    for m in t["measures"]:
        assert len(m["values"]) == len(periods) and len(m["rags"]) == len(periods), m["id"]


def test_explain_json() -> None:
    p = run("explain", "CIC-FOSTER", "--period", "2017-05", "--format", "json")
    assert p.returncode == 0, p.stderr
    e = one_json_object(p.stdout)
    assert (e["id"], e["period"]) == ("CIC-FOSTER", "2017-05")
    assert {"trend", "breakdowns", "cohorts", "comparators", "spc", "value", "rag", "warnings"} <= set(e)
    assert e["trend"][-1]["period"] == "2017-05"
    assert e["trend"][-1]["value"] == e["value"]
    assert [g["group"] for g in e["breakdowns"]["district"]] == sorted(g["group"] for g in e["breakdowns"]["district"])


def test_check_json() -> None:
    p = run("check", "--format", "json")
    assert p.returncode == 0, p.stdout + p.stderr
    c = one_json_object(p.stdout)
    assert c["ok"] is True


# --------------------------------------------------------------------------------------
# Tables: bands in words
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("period", ["2017-02", "2017-03", "2017-05"])
def test_rate_table_gives_bands_in_words(period: str) -> None:
    table = run("rate", "--period", period)
    assert table.returncode == 0, table.stderr
    rating = one_json_object(run("rate", "--period", period, "--format", "json").stdout)
    lines = table.stdout.splitlines()
    for m in rating["measures"]:
        row = [line for line in lines if line.strip().startswith(m["id"] + " ")]
        assert len(row) == 1, (m["id"], table.stdout)
        if m["rag"] is not None:
            assert BAND_WORDS[m["rag"]] in row[0], (m["id"], m["rag"], row[0])
    assert "green" not in table.stdout.replace("Green", "")  # words for people, not JSON codes
    assert any(w in table.stdout for w in ("Green", "Amber", "Red"))


def test_changes_table_gives_bands_in_words() -> None:
    p = run("changes", "--from", "2017-02", "--to", "2017-05")
    assert p.returncode == 0, p.stderr
    row = [line for line in p.stdout.splitlines() if "CIC-FOSTER-U16" in line]
    assert row and "Red" in row[0] and "Green" in row[0], p.stdout


def test_explain_table_gives_the_band_in_words() -> None:
    p = run("explain", "CIC-FOSTER", "--period", "2017-05")
    assert p.returncode == 0, p.stderr
    e = one_json_object(run("explain", "CIC-FOSTER", "--period", "2017-05", "--format", "json").stdout)
    assert BAND_WORDS[e["rag"]] in p.stdout


# --------------------------------------------------------------------------------------
# The latest period with data: never after the current month; open spells do not extend it
# --------------------------------------------------------------------------------------
CONFIG = """
[organisation]
name = "Latest County"

[data]
dir = "data"

[datasets.events]
file = "events.csv"
date = "date"
[datasets.events.columns]
date = "date"

[datasets.spells]
file = "spells.csv"
start = "start"
end = "end"
[datasets.spells.columns]
start = "date"
end = "date?"

[[scorecards]]
id = "first"
title = "First"

[[scorecards]]
id = "second"
title = "Second"

[[measures]]
id = "EVENTS"
title = "Events"
section = "S"
scorecards = ["second"]
dataset = "events"
window = "month"
calc = "count"

[[measures]]
id = "OPEN"
title = "Open spells"
section = "S"
scorecards = ["first", "second"]
dataset = "spells"
window = "snapshot"
calc = "count"
"""


def latest_project(tmp_path: Path, events: str, spells: str) -> Path:
    files = {"events.csv": "date\n" + textwrap.dedent(events).lstrip(),
             "spells.csv": "start,end\n" + textwrap.dedent(spells).lstrip()}
    return write_project(tmp_path, CONFIG, files, dedent_config=False, dedent_files=False)


def test_latest_period_is_never_after_the_current_month(tmp_path: Path) -> None:
    path = latest_project(tmp_path, "2026-03-05\n2026-10-31\n2027-01-04\n", "2025-01-01,\n")
    engine = Engine.load(path, today=dt.date(2026, 11, 22))
    assert engine.latest_period() == "2026-10"
    assert engine.rate().period == "2026-10"
    assert engine.rate().scorecard == "first"
    assert [m.id for m in engine.rate("second").measures] == ["EVENTS", "OPEN"]


def test_open_spells_do_not_extend_the_latest_period(tmp_path: Path) -> None:
    path = latest_project(tmp_path, "2025-03-05\n", "2025-01-01,\n2024-05-01,2025-06-30\n")
    engine = Engine.load(path, today=dt.date(2026, 11, 22))
    assert engine.latest_period() == "2025-06"  # the spell's end, not today
    assert engine.data_periods()[0] == "2024-05"


def test_cli_rate_on_a_tmp_project(tmp_path: Path) -> None:
    path = latest_project(tmp_path, "2017-03-05\n2017-03-09\n", "2017-01-01,\n2017-02-01,2017-03-31\n")
    p = run("rate", "--config", str(path), "--scorecard", "second", "--period", "2017-03", "--format", "json",
            cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    r = one_json_object(p.stdout)
    assert {m["id"]: m["value"] for m in r["measures"]} == {"EVENTS": 2, "OPEN": 1}
    # the default config is ./config.toml
    p = run("rate", "--period", "2017-03", "--format", "json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert one_json_object(p.stdout)["scorecard"] == "first"


# --------------------------------------------------------------------------------------
# The commands that wire the other packages: report, demo-data, alerts
# --------------------------------------------------------------------------------------
def test_report_command_writes_the_paper(tmp_path: Path) -> None:
    out = tmp_path / "paper.md"
    p = run("report", "--config", str(BASIC / "config.toml"), "--period", "2017-04", "--output", str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    text = out.read_text()
    assert "April 2017" in text
    assert "1 Red" in text


def test_report_command_usage_error_exits_2(tmp_path: Path) -> None:
    p = run("report", "--config", str(BASIC / "config.toml"), "--period", "2017-04", "--since", "2017-05",
            cwd=tmp_path)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert p.stdout == ""


def test_demo_data_command_writes_loadable_tables(tmp_path: Path) -> None:
    p = run("demo-data", "--out", str(tmp_path / "demo"), "--scale", "0.02", "--seed", "3", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    written = sorted(f.stem for f in (tmp_path / "demo").glob("*.parquet"))
    assert written and all(f"{name}:" in p.stdout for name in written)


def test_alerts_commands_are_wired(tmp_path: Path) -> None:
    p = run("alerts", "run", "--config", str(BASIC / "config.toml"), "--dry-run", cwd=tmp_path)
    assert p.returncode == 1
    assert "no [[alerts.routes]]" in p.stderr
    p = run("alerts", "status", "--config", str(BASIC / "config.toml"), "--format", "json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert one_json_object(p.stdout)["alerts"] == []
    assert not (BASIC / "data" / "state.db").exists()  # looking at the outbox creates nothing


# --------------------------------------------------------------------------------------
# Promises the README makes: one line for an unexpected failure; SCORECARD_DEBUG=1 shows it all
# --------------------------------------------------------------------------------------
BREAK_THE_ENGINE = ("import sys; from scorecard.engine.engine import Engine\n"
                    "def rate(self, *a, **k): raise RuntimeError('the engine fell over')\n"
                    "Engine.rate = rate\n"
                    "from scorecard.cli import main; sys.argv = ['scorecard', *sys.argv[1:]]; main()\n")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_failure_is_one_line_unless_debugging(basic_copy: Path, debug: bool) -> None:
    env = {**os.environ, "SCORECARD_CACHE": "off"}
    env.pop("SCORECARD_DEBUG", None)
    if debug:
        env["SCORECARD_DEBUG"] = "1"
    p = subprocess.run([sys.executable, "-c", BREAK_THE_ENGINE, "rate", "--config", str(basic_copy / "config.toml")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 1
    if debug:
        assert "Traceback" in p.stderr and "RuntimeError: the engine fell over" in p.stderr
    else:
        assert p.stderr.strip().splitlines() == [
            "scorecard: unexpected error: RuntimeError: the engine fell over (set SCORECARD_DEBUG=1 for details)"]


@pytest.mark.parametrize(("low_base", "flagged"), [(0, "none"), (100_000, "all")])
def test_low_base_is_the_organisations(basic_copy: Path, low_base: int, flagged: str) -> None:
    config = basic_copy / "config.toml"
    config.write_text(config.read_text().replace('name = "Testshire County Council"',
                                                 f'name = "Testshire County Council"\nlow_base = {low_base}'))
    result = CliRunner().invoke(main, ["explain", "CIC-FOSTER", "--config", str(config), "--format", "json"])
    groups = json.loads(result.stdout)["breakdowns"]["district"]
    assert groups
    flags = {g["low_base"] for g in groups}
    assert flags == ({False} if flagged == "none" else {True}), groups
