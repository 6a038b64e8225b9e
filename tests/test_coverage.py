"""Coverage (SPEC section 7): `covers_from`, `as_at`, the extract date and the latest period with data."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from scorecard.engine.config import ConfigError, load_config
from scorecard.engine.engine import Engine, UsageError

from .helpers import environ, run_cli, write_project

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 1, 15)

CONFIG = """
[organisation]
name = "Coverage test"

[data]
dir = "data"

[datasets.episodes]
file = "episodes.csv"
start = "start"
end = "end"
{episodes_keys}
[datasets.episodes.columns]
child = "str"
start = "date"
end = "date?"

[datasets.visits]
file = "visits.csv"
date = "visited"
{visits_keys}
[datasets.visits.columns]
child = "str"
visited = "date"

[[scorecards]]
id = "s"
title = "S"

[[measures]]
id = "IN-CARE"
title = "Children in care"
section = "A"
scorecards = ["s"]
dataset = "episodes"
window = "snapshot"
calc = "count"

[[measures]]
id = "IN-CARE-MONTH"
title = "Children in care at any time in the month"
section = "A"
scorecards = ["s"]
dataset = "episodes"
window = "month"
calc = "count"
polarity = "lower"
target = 10.0
floor = 20.0

[[measures]]
id = "VISITS-12"
title = "Visits in 12 months"
section = "B"
scorecards = ["s"]
dataset = "visits"
window = "rolling12"
calc = "count"

[[measures]]
id = "VISITS-YTD"
title = "Visits this year"
section = "B"
scorecards = ["s"]
dataset = "visits"
window = "ytd"
calc = "count"
"""

EPISODES = "child,start,end\nA,2016-01-10,\nB,2017-02-01,2017-05-20\nC,2017-03-05,\n"
VISITS = "child,visited\nA,2016-12-01\nA,2017-02-10\nB,2017-04-03\nC,2017-06-30\n"


def project(tmp_path: Path, episodes_keys: str = "", visits_keys: str = "") -> Path:
    return write_project(tmp_path, CONFIG.format(episodes_keys=episodes_keys, visits_keys=visits_keys),
                         {"episodes.csv": EPISODES, "visits.csv": VISITS}, dedent_config=False, dedent_files=False)


def rows(engine: Engine, period: str) -> dict[str, dict]:
    return {m["id"]: m for m in engine.rate("s", period).to_json()["measures"]}


def test_extract_date_and_latest_period(tmp_path: Path) -> None:
    engine = Engine.load(project(tmp_path), today=TODAY)
    # the latest date among visits' dates and episodes' starts and ends: 30 June 2017
    assert engine.coverage.extract_date == dt.date(2017, 6, 30)
    assert engine.latest_period() == "2017-06"
    # open spells do not extend it, and a --period after it is a usage error naming it
    with pytest.raises(UsageError, match="June 2017, the latest period with data"):
        engine.rate("s", "2017-07")
    assert engine.resolve_period("2017-06") == "2017-06"


def test_today_caps_the_extract_date(tmp_path: Path) -> None:
    engine = Engine.load(project(tmp_path), today=dt.date(2017, 4, 10))
    assert engine.coverage.extract_date == dt.date(2017, 4, 3)
    assert engine.latest_period() == "2017-04"


def test_first_and_last_covered_month(tmp_path: Path) -> None:
    engine = Engine.load(project(tmp_path, episodes_keys='covers_from = "2017-02"\nas_at = "2017-05-31"'),
                         today=TODAY)
    before, first = rows(engine, "2017-01"), rows(engine, "2017-02")
    assert before["IN-CARE"]["value"] is None and before["IN-CARE"]["rag"] is None  # unrated: null, not 0
    assert before["IN-CARE"]["warnings"][0] == "no episodes data for January 2017 (it covers February 2017 to May 2017)"
    assert before["IN-CARE-MONTH"]["rag"] == "no_data"
    assert first["IN-CARE"]["value"] == 2.0 and not first["IN-CARE"]["warnings"]
    last = rows(engine, "2017-05")
    assert last["IN-CARE"]["value"] == 2.0 and not last["IN-CARE"]["warnings"]  # B left on 20 May
    after = rows(engine, "2017-06")  # visits still cover June: the period is valid, episodes are not
    assert after["IN-CARE"]["value"] is None
    assert after["IN-CARE"]["warnings"][0] == "no episodes data for June 2017 (it covers February 2017 to May 2017)"
    assert after["VISITS-12"]["value"] == 4.0
    assert {d["id"]: d for d in engine.rate("s", "2017-06").to_json()["datasets"]} == {
        "episodes": {"id": "episodes", "covers_from": "2017-02", "covers_to": "2017-05", "as_at": "2017-05-31"},
        "visits": {"id": "visits", "covers_from": None, "covers_to": "2017-06", "as_at": "2017-06-30"},
    }


def test_spell_open_past_as_at_says_nothing_about_later_months(tmp_path: Path) -> None:
    # extract taken 3 April 2017: covers to March 2017, whatever the open spells say about April
    engine = Engine.load(project(tmp_path, episodes_keys='as_at = "2017-04-03"'), today=TODAY)
    march, april = rows(engine, "2017-03"), rows(engine, "2017-04")
    assert march["IN-CARE"]["value"] == 3.0
    assert april["IN-CARE"]["value"] is None and april["IN-CARE-MONTH"]["rag"] == "no_data"
    assert "(it covers up to March 2017)" in april["IN-CARE"]["warnings"][0]


def test_snapshot_date_after_as_at(tmp_path: Path) -> None:
    # as_at on 31 March 2017, a Friday: the snapshot date (31 March) is on it, so March is covered;
    # a snapshot window needs its snapshot date on or before as_at
    engine = Engine.load(project(tmp_path, episodes_keys='as_at = "2017-03-31"'), today=TODAY)
    assert rows(engine, "2017-03")["IN-CARE"]["value"] == 3.0
    cov = engine.coverage
    assert cov.datasets["episodes"].covers_to == 2017 * 12 + 2
    # an extract on 30 March covers only to February (March's last day is after it)
    engine = Engine.load(project(tmp_path, episodes_keys='as_at = "2017-03-30"'), today=TODAY)
    assert rows(engine, "2017-03")["IN-CARE"]["value"] is None
    assert rows(engine, "2017-02")["IN-CARE"]["value"] == 2.0


def test_rolling_window_straddling_covers_from(tmp_path: Path) -> None:
    engine = Engine.load(project(tmp_path, visits_keys='covers_from = "2017-01"'), today=TODAY)
    june = rows(engine, "2017-06")
    assert june["VISITS-12"]["value"] is None  # needs July 2016 to June 2017
    assert june["VISITS-12"]["warnings"][0] == (
        "no visits data for July 2016 to December 2016, which the 12 months to June 2017 needs "
        "(it covers January 2017 to June 2017)")
    assert june["VISITS-YTD"]["value"] == 2.0  # April 2017 to June 2017: inside coverage
    march = rows(engine, "2017-03")
    assert march["VISITS-YTD"]["value"] is None  # the year from April 2016
    assert "which the year to date to March 2017 needs" in march["VISITS-YTD"]["warnings"][0]


def test_as_at_after_today_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_TODAY", "2017-06-01")
    path = project(tmp_path, episodes_keys='as_at = "2017-06-02"')
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert any("datasets.episodes.as_at (episodes): 2017-06-02 is after today (2017-06-01)" in p for p in e.value.problems)
    monkeypatch.setenv("SCORECARD_TODAY", "2017-06-02")
    load_config(path)


def test_bad_coverage_keys_are_config_errors(tmp_path: Path) -> None:
    path = project(tmp_path, episodes_keys='covers_from = "2017-13"\nas_at = "31/05/2017"')
    with pytest.raises(ConfigError) as e:
        load_config(path)
    text = "\n".join(e.value.problems)
    assert "datasets.episodes.covers_from" in text and "datasets.episodes.as_at" in text


def run(*args: str, cwd: Path, today: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, env=environ(SCORECARD_TODAY=today or None))


def test_cli_period_after_latest_is_a_usage_error(basic_copy: Path) -> None:
    for args in (["rate", "--period", "2017-09"], ["explain", "CIC-RATE", "--period", "2017-09"],
                 ["report", "--period", "2017-09"], ["changes", "--from", "2017-03", "--to", "2017-09"]):
        r = run(*args, cwd=basic_copy)
        assert r.returncode == 2, (args, r.stderr)
        assert "May 2017, the latest period with data" in r.stderr
        assert not r.stdout


def test_scorecard_today_moves_the_latest_period(basic_copy: Path) -> None:
    r = run("rate", "--format", "json", cwd=basic_copy, today="2017-04-15")
    assert json.loads(r.stdout)["period"] == "2017-04"
    r = run("rate", cwd=basic_copy, today="15/04/2017")
    assert r.returncode == 2 and "SCORECARD_TODAY" in r.stderr


def test_ssda903_march_2017_has_no_data_not_zero() -> None:
    r = run("rate", "--config", "data/ssda903/config.toml", "--period", "2017-03", "--format", "json", cwd=ROOT)
    got = {m["id"]: m for m in json.loads(r.stdout)["measures"]}
    for mid in ("CLA-CHILDREN", "CLA-EPISODES"):
        assert got[mid]["value"] is None
        assert got[mid]["warnings"][0] == "no episodes data for March 2017 (it covers April 2017 to March 2022)"


def test_show_period_after_latest_is_a_usage_error(basic_copy: Path) -> None:
    from click.testing import CliRunner

    from scorecard.cli import main

    result = CliRunner().invoke(main, ["show", "--config", str(basic_copy / "config.toml"), "--period", "2017-09"])
    assert result.exit_code == 2
    assert "May 2017, the latest period with data" in result.stderr


def test_alerts_run_and_publish_period_after_latest_exit_2(basic_copy: Path) -> None:
    (basic_copy / "config.toml").write_text((basic_copy / "config.toml").read_text()
                                            + '\n[alerts]\n[[alerts.routes]]\nchannel = "#a"\nwhen = "band_change"\n')
    for args in (["alerts", "run", "--period", "2017-09", "--dry-run"], ["publish", "--period", "2017-09"]):
        r = run(*args, cwd=basic_copy)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "May 2017, the latest period with data" in r.stderr
