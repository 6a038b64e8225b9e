"""Data problems (SPEC section 4).

A missing file or declared column makes only the measures that need it `no_data`, with the reason.
A value that does not parse, an empty value in a column not marked `?` and a spell ending before it
starts each leave the row out of every measure, and every measure it would have fed carries a
warning counting the rows left out. `rate` still prints, then exits 1; `check` lists each problem
with file, row, column and value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.engine.engine import Engine

from . import helpers
from .helpers import run_config as run_cli

TODAY = dt.date(2026, 11, 22)

CONFIG = """
[organisation]
name = "Problem County"

[data]
dir = "data"

[datasets.episodes]
file = "episodes.csv"
start = "start"
end = "end"
[datasets.episodes.columns]
child_id = "str"
start = "date"
end = "date?"
placement = "str"
district = "str?"
uasc = "bool"

[[datasets.episodes.join]]
dataset = "children"
on = "child_id = CHILD"

[datasets.children]
file = "children.csv"
[datasets.children.columns]
CHILD = "str"
gender = "str"

[datasets.returns]
file = "returns.csv"
date = "returned"
[datasets.returns.columns]
child_id = "str"
returned = "date"
interview = "date?"

[[datasets.returns.derive]]
name = "wd"
working_days = ["returned", "interview"]

[datasets.population]
file = "population.csv"
period = "period"
[datasets.population.columns]
period = "str"
value = "int"

[datasets.health]
file = "health.csv"
date = "due"
[datasets.health.columns]
due = "date"

[datasets.workforce]
file = "workforce.csv"
period = "period"
[datasets.workforce.columns]
period = "str"
value = "float"

[[scorecards]]
id = "main"
title = "Main"

[[measures]]
id = "CIC"
title = "Children in care"
section = "Care"
scorecards = ["main"]
dataset = "episodes"
window = "snapshot"
calc = "count"

[[measures]]
id = "FOSTER"
title = "% in foster care"
section = "Care"
scorecards = ["main"]
dataset = "episodes"
window = "snapshot"
calc = "percent"
numerator = "placement LIKE 'U%'"
polarity = "higher"
target = 80.0
floor = 60.0

[[measures]]
id = "NORTH"
title = "Children in care in the north"
section = "Care"
scorecards = ["main"]
dataset = "episodes"
window = "snapshot"
calc = "count"
where = "district = 'North'"

[[measures]]
id = "GIRLS"
title = "Girls in care"
section = "Care"
scorecards = ["main"]
dataset = "episodes"
window = "snapshot"
calc = "count"
where = "gender = 'F'"

[[measures]]
id = "RATE"
title = "Children in care per 10,000"
section = "Care"
scorecards = ["main"]
dataset = "episodes"
window = "snapshot"
calc = "rate"
per = 10000
population = "population"
polarity = "lower"
target = 100.0
floor = 200.0

[[measures]]
id = "RETURNS"
title = "Returns"
section = "Missing"
scorecards = ["main"]
dataset = "returns"
window = "month"
calc = "count"

[[measures]]
id = "RI-3WD"
title = "% of return interviews within 3 working days"
section = "Missing"
scorecards = ["main"]
dataset = "returns"
window = "month"
calc = "percent"
numerator = "wd <= 3"
polarity = "higher"
target = 80.0
floor = 60.0

[[measures]]
id = "HEALTH"
title = "Health checks due"
section = "Health"
scorecards = ["main"]
dataset = "health"
window = "month"
calc = "count"
polarity = "higher"
target = 1.0
floor = 0.0

[[measures]]
id = "WF"
title = "Workforce"
section = "Workforce"
scorecards = ["main"]
dataset = "workforce"
window = "snapshot"
calc = "value"
polarity = "higher"
target = 80.0
floor = 70.0
"""

EPISODES = """
child_id,start,end,placement,district,uasc
C1,2016-05-10,,U4,North,false
C2,2016-11-01,,K2,North,false
C3,2017-01-15,,U1,South,Y
C4,2017-02-01,,U6,,no
"""
CHILDREN = """
CHILD,gender
C1,F
C2,M
C3,F
C4,M
C5,F
"""
RETURNS = """
child_id,returned,interview
R1,2017-03-01,2017-03-03
R2,2017-03-06,2017-03-20
R3,2017-03-10,
"""
POPULATION = """
period,value
2017-01,1000
"""
HEALTH = """
due
2017-03-01
"""
WORKFORCE = """
period,value
2017-03,85.0
"""

FILES = {"episodes.csv": EPISODES, "children.csv": CHILDREN, "returns.csv": RETURNS, "population.csv": POPULATION,
         "health.csv": HEALTH, "workforce.csv": WORKFORCE}
EPISODE_MEASURES = ("CIC", "FOSTER", "NORTH", "GIRLS", "RATE")
PERIOD = "2017-03"


def write_project(tmp_path: Path, files: dict[str, str | None]) -> Path:
    """The config above with FILES, changed by `files` (None leaves a file out)."""
    return helpers.write_project(tmp_path, CONFIG, {**FILES, **files}, dedent_config=False)


def rating(tmp_path: Path, files: dict[str, str | None]) -> tuple[Engine, dict[str, dict]]:
    engine = Engine.load(write_project(tmp_path, files), today=TODAY)
    result = engine.rate("main", PERIOD).to_json()
    return engine, {m["id"]: m for m in result["measures"]}


def test_clean_data_has_no_problems(tmp_path: Path) -> None:
    engine, m = rating(tmp_path, {})
    assert not engine.has_problems, engine.problem_lines()
    assert all(r["warnings"] == [] for r in m.values()), m
    assert (m["CIC"]["value"], m["FOSTER"]["value"], m["NORTH"]["value"], m["GIRLS"]["value"]) == (4, 75.0, 2, 2)
    assert (m["RATE"]["value"], m["RETURNS"]["value"], m["RI-3WD"]["value"]) == (40.0, 3, 33.3)
    assert (m["HEALTH"]["rag"], m["WF"]["value"]) == ("green", 85.0)
    p = run_cli(write_project(tmp_path, {}), "rate", "--period", PERIOD, "--format", "json")
    assert p.returncode == 0, p.stderr


# --------------------------------------------------------------------------------------
# Missing files and columns: only the measures that need them lose their value
# --------------------------------------------------------------------------------------
def test_missing_file_only_its_measures_have_no_data(tmp_path: Path) -> None:
    engine, m = rating(tmp_path, {"health.csv": None})
    assert m["HEALTH"]["rag"] == "no_data" and m["HEALTH"]["value"] is None
    assert any("health.csv" in w and "not found" in w for w in m["HEALTH"]["warnings"]), m["HEALTH"]["warnings"]
    for other in ("CIC", "FOSTER", "RATE", "RETURNS", "RI-3WD", "WF"):
        assert m[other]["value"] is not None and m[other]["warnings"] == [], (other, m[other])
    assert m["FOSTER"]["rag"] == "amber"
    assert engine.has_problems


def test_missing_population_file_makes_the_rate_no_data(tmp_path: Path) -> None:
    _, m = rating(tmp_path, {"population.csv": None})
    assert m["RATE"]["rag"] == "no_data"
    assert any("population.csv" in w for w in m["RATE"]["warnings"])
    assert m["CIC"]["value"] == 4 and m["CIC"]["warnings"] == []


def test_missing_joined_file_only_hits_measures_using_its_columns(tmp_path: Path) -> None:
    _, m = rating(tmp_path, {"children.csv": None})
    assert m["GIRLS"]["value"] is None
    assert any("children.csv" in w for w in m["GIRLS"]["warnings"])
    assert m["CIC"]["value"] == 4 and m["FOSTER"]["value"] == 75.0


def test_missing_declared_column(tmp_path: Path) -> None:
    episodes = EPISODES.replace(",district", "").replace(",North", "").replace(",South", "").replace(",,no", ",no")
    returns = "child_id,returned\nR1,2017-03-01\nR2,2017-03-06\nR3,2017-03-10\n"  # no interview column
    engine, m = rating(tmp_path, {"episodes.csv": episodes, "returns.csv": returns})
    assert m["NORTH"]["rag"] is None and m["NORTH"]["value"] is None  # unrated: no colour, but no value either
    assert any("district" in w and "episodes.csv" in w for w in m["NORTH"]["warnings"]), m["NORTH"]["warnings"]
    assert m["RI-3WD"]["rag"] == "no_data"
    assert any("interview" in w and "returns.csv" in w for w in m["RI-3WD"]["warnings"]), m["RI-3WD"]["warnings"]
    # measures that do not need the missing columns are still rated, from every row
    assert (m["CIC"]["value"], m["FOSTER"]["value"], m["FOSTER"]["rag"]) == (4, 75.0, "amber")
    assert m["RETURNS"]["value"] == 3 and m["CIC"]["warnings"] == [] and m["RETURNS"]["warnings"] == []
    assert engine.has_problems
    lines = "\n".join(engine.problem_lines())
    assert "district" in lines and "interview" in lines


# --------------------------------------------------------------------------------------
# Bad rows: left out of every measure, each measure warned with the count and the reason
# --------------------------------------------------------------------------------------
def left_out_warning(warnings: list[str], dataset_file: str) -> str:
    found = [w for w in warnings if dataset_file in w]
    assert len(found) == 1, warnings
    return found[0]


BAD_EPISODES = """
child_id,start,end,placement,district,uasc
C1,2016-05-10,,U4,North,false
C2,2016-11-01,,K2,North,false
C3,2017-01-15,,U1,South,Y
C4,2017-02-01,,U6,,no
B1,2017-13-45,,U1,North,false
B2,2017-01-01,,,North,false
B3,2017-03-10,2017-02-01,U1,North,false
B4,2017-01-01,,U1,North,maybe
"""


def test_bad_rows_are_left_out_of_every_measure_they_would_feed(tmp_path: Path) -> None:
    engine, m = rating(tmp_path, {"episodes.csv": BAD_EPISODES})
    # the four good rows only, in every measure on episodes, whether or not it reads the bad column
    assert (m["CIC"]["value"], m["FOSTER"]["value"], m["NORTH"]["value"], m["GIRLS"]["value"]) == (4, 75.0, 2, 2)
    assert (m["RATE"]["value"], m["RATE"]["numerator"]) == (40.0, 4)
    for mid in EPISODE_MEASURES:
        w = left_out_warning(m[mid]["warnings"], "episodes.csv")
        assert re.search(r"\b4 rows\b", w), w
        assert "start" in w and "placement" in w and "uasc" in w and "ends" in w and "before it starts" in w, w
    # measures on other datasets are not warned
    for mid in ("RETURNS", "RI-3WD", "HEALTH", "WF"):
        assert m[mid]["warnings"] == [], (mid, m[mid]["warnings"])
    assert engine.has_problems


def test_bad_rows_counted_in_each_reason(tmp_path: Path) -> None:
    episodes = BAD_EPISODES + "B5,2017-01-01,,,North,false\nB6,not a date,,U1,North,false\n"
    _, m = rating(tmp_path, {"episodes.csv": episodes})
    w = left_out_warning(m["CIC"]["warnings"], "episodes.csv")
    assert re.search(r"\b6 rows\b", w), w
    assert re.search(r"\b2 start\b", w) and re.search(r"\b2 placement\b", w) and re.search(r"\b1 uasc\b", w), w
    assert m["CIC"]["value"] == 4


def test_bad_row_in_a_joined_table_warns_the_measures_it_feeds(tmp_path: Path) -> None:
    children = CHILDREN + "C6,\n"  # empty gender, not marked ?
    _, m = rating(tmp_path, {"children.csv": children})
    for mid in EPISODE_MEASURES:
        w = left_out_warning(m[mid]["warnings"], "children.csv")
        assert re.search(r"\b1 rows?\b", w) and "gender" in w, w
    assert m["RETURNS"]["warnings"] == []
    assert m["GIRLS"]["value"] == 2


def test_bad_population_row_warns_the_rate(tmp_path: Path) -> None:
    population = POPULATION + "2017-02,lots\n"
    _, m = rating(tmp_path, {"population.csv": population})
    w = left_out_warning(m["RATE"]["warnings"], "population.csv")
    assert "value" in w, w
    assert m["RATE"]["value"] == 40.0  # the 2017-01 population still applies
    assert m["CIC"]["warnings"] == []


def test_bad_period_in_a_snapshot_dataset_is_left_out(tmp_path: Path) -> None:
    workforce = WORKFORCE + "2017-13,90.0\n2017-3,91.0\n"
    engine, m = rating(tmp_path, {"workforce.csv": workforce})
    assert m["WF"]["value"] == 85.0
    w = left_out_warning(m["WF"]["warnings"], "workforce.csv")
    assert re.search(r"\b2 rows\b", w), w
    assert engine.latest_period() == "2017-03"


def test_value_with_two_rows_for_a_period_is_a_data_error(tmp_path: Path) -> None:
    workforce = WORKFORCE + "2017-03,86.0\n"
    _, m = rating(tmp_path, {"workforce.csv": workforce})
    assert m["WF"]["value"] is None and m["WF"]["rag"] == "no_data"
    assert m["WF"]["warnings"], m["WF"]


def test_value_with_two_rows_makes_rate_and_check_exit_1(tmp_path: Path) -> None:
    path = write_project(tmp_path, {"workforce.csv": WORKFORCE + "2017-03,86.0\n"})
    p = run_cli(path, "rate", "--period", PERIOD, "--format", "json")
    assert json.loads(p.stdout)["measures"][-1]["rag"] == "no_data"
    assert p.returncode == 1, p.stderr
    p = run_cli(path, "check")
    assert p.returncode == 1, p.stdout
    assert "WF" in p.stdout and "2017-03" in p.stdout, p.stdout


def test_repeated_key_in_a_joined_table_is_reported_and_rows_are_not_doubled(tmp_path: Path) -> None:
    children = CHILDREN + "C1,M\n"
    engine, m = rating(tmp_path, {"children.csv": children})
    assert m["CIC"]["value"] == 4  # a left join on a repeated key must not count C1 twice
    assert m["GIRLS"]["value"] == 1  # the last C1 row (M) is used
    assert engine.has_problems
    assert any("CHILD" in line and "C1" in line for line in engine.problem_lines()), engine.problem_lines()
    # named where the repeat is: the line of the last C1 (used), and the earlier one
    assert "data/children.csv line 7, column CHILD: appears 2 times (also line 2)" in engine.problem_lines()[0]


def test_glob_stacks_files_and_unique_keeps_the_last_file(tmp_path: Path) -> None:
    config = CONFIG.replace('file = "returns.csv"', 'file = "returns-*.csv"\nunique = ["child_id"]\ndate_format = "%d/%m/%Y"')
    data = tmp_path / "data"
    data.mkdir()
    for name, text in FILES.items():
        (data / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (data / "returns.csv").unlink()
    (data / "returns-2017b.csv").write_text("child_id,returned,interview\nR2,20/03/2017,21/03/2017\nR3,01/04/2017,\n")
    (data / "returns-2017a.csv").write_text("child_id,returned,interview\nR1,01/03/2017,03/03/2017\nR2,06/03/2017,\n")
    (tmp_path / "config.toml").write_text(config)
    engine = Engine.load(tmp_path / "config.toml", today=TODAY)
    assert not engine.has_problems, engine.problem_lines()
    # R1 from a; R2 from b (the last file by name) on 20 March; R3 in April
    assert engine.result("RETURNS", PERIOD).value == 2
    assert engine.result("RI-3WD", PERIOD).value == 100.0
    assert engine.result("RETURNS", "2017-04").value == 1


def test_bool_words(tmp_path: Path) -> None:
    episodes = "child_id,start,end,placement,district,uasc\n" + "".join(
        f"C{i},2017-01-01,,U1,North,{word}\n" for i, word in enumerate(
            ["true", "FALSE", "1", "0", "Y", "n", "yes", "No", "True", " y "])
    )
    engine, m = rating(tmp_path, {"episodes.csv": episodes})
    assert m["CIC"]["value"] == 10 and m["CIC"]["warnings"] == [], m["CIC"]
    frame = engine.datasets["episodes"].frame.sort("child_id")
    assert frame["uasc"].to_list() == [True, False, True, False, True, False, True, False, True, True]


def test_int_column_refuses_a_fraction(tmp_path: Path) -> None:
    _, m = rating(tmp_path, {"population.csv": "period,value\n2017-01,1000\n2017-02,2000.5\n"})
    assert m["RATE"]["value"] == 40.0
    assert any("population.csv" in w for w in m["RATE"]["warnings"])


# --------------------------------------------------------------------------------------
# The command line: rate prints and exits 1; check lists file, row, column and value
# --------------------------------------------------------------------------------------
def test_rate_prints_results_then_exits_1(tmp_path: Path) -> None:
    path = write_project(tmp_path, {"episodes.csv": BAD_EPISODES, "health.csv": None})
    p = run_cli(path, "rate", "--period", PERIOD, "--format", "json")
    assert p.returncode == 1, p.stderr
    result = json.loads(p.stdout)
    assert [m["id"] for m in result["measures"]] == ["CIC", "FOSTER", "NORTH", "GIRLS", "RATE", "RETURNS", "RI-3WD",
                                                     "HEALTH", "WF"]
    assert result["measures"][0]["value"] == 4
    assert result["summary"]["no_data"] == 1
    assert "Traceback" not in p.stderr
    p = run_cli(path, "rate", "--period", PERIOD)
    assert p.returncode == 1
    assert "Amber" in p.stdout and "CIC" in p.stdout


@pytest.mark.parametrize("command", [["changes", "--from", "2017-02", "--to", "2017-03"], ["trend"]])
def test_changes_and_trend_print_then_exit_1(tmp_path: Path, command: list[str]) -> None:
    path = write_project(tmp_path, {"episodes.csv": BAD_EPISODES})
    result = CliRunner().invoke(main, [*command, "--format", "json", "--config", str(path)])  # in-process, for speed
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(json.loads(result.stdout), dict)
    assert "episodes.csv" in result.stderr


def test_check_lists_file_row_column_and_value(tmp_path: Path) -> None:
    path = write_project(tmp_path, {"episodes.csv": BAD_EPISODES, "health.csv": None,
                                    "returns.csv": "child_id,returned\nR1,2017-03-01\n"})
    p = run_cli(path, "check")
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "Traceback" not in out
    lines = out.splitlines()

    def line_with(*parts: str) -> str:
        found = [line for line in lines if all(part in line for part in parts)]
        assert found, f"no line with {parts}:\n{out}"
        return found[0]

    # data row 5 of episodes.csv is line 6 of the file (the header is line 1): the spreadsheet's row 6
    for column, value, data_row in (("start", "2017-13-45", 5), ("placement", None, 6), ("uasc", "maybe", 8)):
        line = line_with("episodes.csv", column, *([value] if value else []))
        assert re.findall(r"line (\d+)", line) == [str(data_row + 1)], line
    line_with("episodes.csv", "2017-02-01", "before it starts")
    line_with("health.csv", "not found")
    line_with("returns.csv", "interview")
    p = run_cli(path, "check", "--format", "json")
    report = json.loads(p.stdout)
    assert p.returncode == 1 and report["ok"] is False and len(report["data"]) >= 6


# --------------------------------------------------------------------------------------
# Parquet: typed columns are checked against the declared types too
# --------------------------------------------------------------------------------------
PARQUET_CONFIG = """
[organisation]
name = "Parquet County"

[data]
dir = "data"

[datasets.events]
file = "events.parquet"
date = "d"
[datasets.events.columns]
id = "str"
d = "date"
n = "int"
flag = "bool"

[[scorecards]]
id = "main"
title = "Main"

[[measures]]
id = "N"
title = "Sum of n"
section = "S"
scorecards = ["main"]
dataset = "events"
window = "month"
calc = "sum"
value = "n"
decimals = 0

[[measures]]
id = "FLAGGED"
title = "Flagged events"
section = "S"
scorecards = ["main"]
dataset = "events"
window = "month"
calc = "count"
where = "flag"
"""


def parquet_engine(tmp_path: Path, frame: pl.DataFrame) -> Engine:
    (tmp_path / "data").mkdir()
    frame.write_parquet(tmp_path / "data" / "events.parquet")
    (tmp_path / "config.toml").write_text(PARQUET_CONFIG, encoding="utf-8")
    return Engine.load(tmp_path / "config.toml", today=TODAY)


def test_parquet_with_native_types(tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "id": ["A", "B", "C", "D"],
        "d": [dt.datetime(2017, 3, 1, 12), dt.datetime(2017, 3, 31, 23, 59), None, dt.datetime(2017, 4, 1)],
        "n": [1, 2, 3, 4],
        "flag": [True, False, True, True],
    })
    engine = parquet_engine(tmp_path, frame)
    assert engine.result("N", PERIOD).value == 3  # datetimes are dates; the row without a date is left out
    assert engine.result("FLAGGED", PERIOD).value == 1
    assert engine.result("N", "2017-04").value == 4
    w = left_out_warning(engine.series("N").warnings, "events.parquet")
    assert re.search(r"\b1 rows?\b", w) and "d " in w, w


def test_parquet_fraction_in_an_int_column_is_left_out(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": ["A", "B"], "d": [dt.date(2017, 3, 1), dt.date(2017, 3, 2)], "n": [1.0, 2.5],
                          "flag": [True, True]})
    engine = parquet_engine(tmp_path, frame)
    assert engine.result("N", PERIOD).value == 1
    assert engine.result("FLAGGED", PERIOD).value == 1
    assert engine.has_problems


def test_parquet_number_in_a_date_column_is_left_out(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": ["A", "B"], "d": [17226, 17227], "n": [1, 2], "flag": [True, True]})
    engine = parquet_engine(tmp_path, frame)
    assert engine.latest_period() is None
    assert engine.has_problems
    assert engine.datasets["events"].rows_left_out == 2


# --------------------------------------------------------------------------------------
# Comparators
# --------------------------------------------------------------------------------------
def test_bad_comparator_row_warns_the_measure_it_touches(basic_copy: Path) -> None:
    with (basic_copy / "data" / "comparators.csv").open("a", encoding="utf-8") as f:
        f.write("CIC-RATE,England,2017-04,abc\n")
    engine = Engine.load(basic_copy / "config.toml", today=TODAY)
    rating = {m.id: m for m in engine.rate("cic", "2017-05").measures}
    assert engine.has_problems
    assert any("comparators.csv" in w for w in rating["CIC-RATE"].warnings), rating["CIC-RATE"].warnings
    assert rating["IHA-20WD"].warnings == []


def test_comparators_latest_at_or_before_the_period(basic_copy: Path) -> None:
    with (basic_copy / "data" / "comparators.csv").open("a", encoding="utf-8") as f:
        f.write("CIC-RATE,England,2017-05,64.5\nCIC-RATE,Wales,2017-06,70.0\n")
    engine = Engine.load(basic_copy / "config.toml", today=TODAY)
    assert not engine.has_problems, engine.problem_lines()
    rating = {m.id: m for m in engine.rate("cic", "2017-04").measures}
    assert rating["CIC-RATE"].comparators == {"England": 62.0, "Statistical neighbours": 56.1}
    rating = {m.id: m for m in engine.rate("cic", "2017-05").measures}
    assert rating["CIC-RATE"].comparators == {"England": 64.5, "Statistical neighbours": 56.1}  # no Wales yet


def test_check_lists_a_shared_files_problem_once_naming_its_datasets(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "same.csv").write_text("d\n2017-01-01\nnot a date\n", encoding="utf-8")
    datasets = "".join(f'\n[datasets.{n}]\nfile = "same.csv"\ndate = "d"\n[datasets.{n}.columns]\nd = "date"\n'
                       for n in ("first", "second"))
    config = tmp_path / "config.toml"
    config.write_text('[organisation]\nname = "X"\n[data]\ndir = "data"\n' + datasets
                      + '\n[[scorecards]]\nid = "main"\ntitle = "Main"\n', encoding="utf-8")
    from click.testing import CliRunner

    from scorecard.cli import main

    result = CliRunner().invoke(main, ["check", "--config", str(config), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["data"] == [
        "data/same.csv line 3, column d (datasets first, second): is not a date: 'not a date'"]
