"""Values that parse but must not reach a figure, and files that are not what they seem (issue 13,
items 5, 7 and 11; SPEC section 4): each is a data problem naming file, line and column, the row
left out and counted; a period outside the calendar's years on the command line is a usage error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scorecard.engine.engine import Engine

from .helpers import run_config as run_cli


def append(basic: Path, file: str, line: str) -> int:
    """Append a line to a data file; its line number."""
    path = basic / "data" / file
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return len(text.splitlines()) + 1


def check_line(basic: Path, needle: str) -> str:
    p = run_cli(basic / "config.toml", "check")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Traceback" not in p.stderr and "unexpected error" not in p.stderr, p.stderr
    found = [line.strip() for line in p.stdout.splitlines() if needle in line]
    assert len(found) == 1, p.stdout
    return found[0]


def test_date_before_1900_is_a_data_problem_not_a_crash(basic_copy: Path) -> None:
    line = append(basic_copy, "returns.csv", "R99,0001-01-01,2017-03-02")
    assert check_line(basic_copy, "0001-01-01") == (
        f"data/returns.csv line {line}, column returned: is outside the years 1900 to 2199: '0001-01-01'")
    engine = Engine.load(basic_copy / "config.toml")
    assert engine.datasets["returns"].rows_left_out == 1
    clean = Engine.load(Path(__file__).resolve().parent.parent.parent / "shared" / "acceptance" / "basic" / "config.toml")
    assert engine.first_period() == clean.first_period()  # the bad date reaches no period
    for command in (["rate", "--scorecard", "cic"], ["trend", "--scorecard", "cic"]):
        p = run_cli(basic_copy / "config.toml", *command, "--format", "json")
        assert p.returncode == 1 and "unexpected error" not in p.stderr, p.stderr
        json.loads(p.stdout)


def test_date_after_2199_is_a_data_problem(basic_copy: Path) -> None:
    line = append(basic_copy, "returns.csv", "R99,2017-03-01,9999-12-31")
    assert check_line(basic_copy, "9999-12-31").startswith(f"data/returns.csv line {line}, column interview: is outside")


@pytest.mark.parametrize("period", ["9999-12", "0000-01", "1899-12", "2200-01"])
def test_period_outside_the_calendar_is_a_usage_error(basic_copy: Path, period: str) -> None:
    for command in (["rate", "--period", period], ["explain", "CIC-RATE", "--period", period],
                    ["changes", "--from", "2017-03", "--to", period]):
        p = run_cli(basic_copy / "config.toml", *command, timeout=30)
        assert p.returncode == 2, (command, p.stderr)
        assert "1900-01 to 2199-12" in p.stderr and "Traceback" not in p.stderr


def test_a_period_column_outside_the_calendar_is_left_out(basic_copy: Path) -> None:
    line = append(basic_copy, "workforce.csv", "0000-01,WF1,80.0,,")
    assert check_line(basic_copy, "'0000-01'").startswith(f"data/workforce.csv line {line}, column period: is not a period")


@pytest.mark.parametrize("value", ["inf", "-inf", "NaN", "nan", "Infinity"])
def test_non_finite_float_is_a_data_problem(basic_copy: Path, value: str) -> None:
    line = append(basic_copy, "workforce.csv", f"2017-05,WF1,{value},,")
    assert check_line(basic_copy, "finite") == (
        f"data/workforce.csv line {line}, column value: is not a finite number: {value!r}")
    engine = Engine.load(basic_copy / "config.toml")
    assert engine.datasets["workforce"].rows_left_out == 1
    result = engine.result("WF-PERM", "2017-05")
    assert result.value is None or result.value == result.value  # never NaN
    series = engine.series("WF-PERM")
    assert any("workforce.csv" in w and "finite" in w for w in series.warnings), series.warnings


@pytest.mark.parametrize("population", ["0", "-4000"])
def test_population_not_above_zero_is_a_data_problem(basic_copy: Path, population: str) -> None:
    path = basic_copy / "data" / "population.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2017-04,4000", f"2017-04,{population}"), encoding="utf-8")
    assert check_line(basic_copy, "population)") == (
        f"data/population.csv line 3, column value: is not above 0 (a population): {population!r}")
    engine = Engine.load(basic_copy / "config.toml")
    rating = {m.id: m for m in engine.rate("cic", "2017-05").measures}
    rate = rating["CIC-RATE"]
    assert rate.value is not None and rate.value > 0  # never -12.5 Green: the earlier population applies
    assert any("population.csv" in w and "not above 0" in w for w in rate.warnings), rate.warnings


def test_date_of_birth_after_the_spell_starts_is_a_data_problem(basic_copy: Path) -> None:
    line = append(basic_copy, "episodes.csv", "C99,2017-01-01,,U1,North,false,2018-01-01")
    assert check_line(basic_copy, "negative") == (
        f"data/episodes.csv line {line}, column dob: is after the spell's start (start) 2017-01-01, "
        "so age would be negative: '2018-01-01'")
    engine = Engine.load(basic_copy / "config.toml")
    clean = Engine.load(Path(__file__).resolve().parent.parent.parent / "shared" / "acceptance" / "basic" / "config.toml")
    for period in ("2017-02", "2017-05"):
        got, want = engine.result("CIC-FOSTER-U16", period), clean.result("CIC-FOSTER-U16", period)
        assert (got.value, got.numerator, got.denominator) == (want.value, want.numerator, want.denominator)


def test_file_name_with_brackets_is_that_file_not_a_glob(basic_copy: Path) -> None:
    (basic_copy / "data" / "returns.csv").rename(basic_copy / "data" / "returns[2017].csv")
    config = basic_copy / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"returns.csv"', '"returns[2017].csv"'), encoding="utf-8")
    engine = Engine.load(config)
    assert not engine.has_problems, engine.problem_lines()
    assert engine.datasets["returns"].frame.height == 13


def test_glob_still_matches_when_no_file_has_the_literal_name(basic_copy: Path) -> None:
    (basic_copy / "data" / "returns.csv").rename(basic_copy / "data" / "returns1.csv")
    config = basic_copy / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"returns.csv"', '"returns[0-9].csv"'), encoding="utf-8")
    assert Engine.load(config).datasets["returns"].frame.height == 13


def test_folder_as_a_data_file(basic_copy: Path) -> None:
    (basic_copy / "data" / "health.csv").unlink()
    (basic_copy / "data" / "health.csv").mkdir()
    assert check_line(basic_copy, "health.csv") == "data/health.csv: is a folder, not a data file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_as_a_data_file_does_not_hang(basic_copy: Path) -> None:
    (basic_copy / "data" / "health.csv").unlink()
    os.mkfifo(basic_copy / "data" / "health.csv")
    p = run_cli(basic_copy / "config.toml", "check", timeout=60)
    assert p.returncode == 1
    assert "data/health.csv: is not a regular file" in p.stdout, p.stdout


def test_data_outside_the_config_folder_is_read_and_noted(basic_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (basic_copy / "data" / "adoptions.csv").rename(outside / "adoptions.csv")
    config = basic_copy / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"adoptions.csv"', '"../../elsewhere/adoptions.csv"'),
                      encoding="utf-8")
    p = run_cli(config, "check")
    assert p.returncode == 0, p.stdout
    assert f"Note: dataset adoptions reads {outside / 'adoptions.csv'}, outside the config's folder" in p.stdout
    p = run_cli(config, "check", "--format", "json")
    assert json.loads(p.stdout)["notes"] == [
        f"dataset adoptions reads {outside / 'adoptions.csv'}, outside the config's folder ({basic_copy})"]
    assert Engine.load(config).datasets["adoptions"].frame.height == 8


def test_no_note_for_data_inside_the_folder(basic_copy: Path) -> None:
    p = run_cli(basic_copy / "config.toml", "check", "--format", "json")
    assert p.returncode == 0 and json.loads(p.stdout)["notes"] == []


def test_a_bracketed_file_name_is_watched_by_the_results_store(basic_copy: Path) -> None:
    """The store keys its answers by the data files' contents: a file named like a glob is that file there too."""
    (basic_copy / "data" / "returns.csv").rename(basic_copy / "data" / "returns[2017].csv")
    config = basic_copy / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"returns.csv"', '"returns[2017].csv"'), encoding="utf-8")

    def ri_3wd() -> object:
        p = run_cli(config, "rate", "--scorecard", "cic", "--period", "2017-03", "--format", "json")
        assert p.returncode == 0, p.stderr
        return {m["id"]: m for m in json.loads(p.stdout)["measures"]}["RI-3WD"]["denominator"]

    before = ri_3wd()
    append(basic_copy, "returns[2017].csv", "R99,2017-03-06,2017-03-07")
    assert ri_3wd() == before + 1
