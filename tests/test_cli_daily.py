"""The command line as analysts use it daily: listing measures, ids in any case and "did you mean",
periods the right way round, tables that fit the terminal, trend windows, `scorecard --period`,
and demo-data's defaults and refusal to overwrite."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.engine.config import load_config
from scorecard.engine.names import closest, did_you_mean, find_id

from .conftest import BASIC, ROOT
from .helpers import copy_basic

CONFIG = str(BASIC / "config.toml")
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?%?$")


def cli(*args: str, columns: int | None = None) -> tuple[int, str, str]:
    env = {"COLUMNS": str(columns)} if columns else {"COLUMNS": ""}
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


# -- measures -----------------------------------------------------------------------------------------
def test_measures_lists_ids_titles_sections_windows_and_targets():
    code, out, _ = cli("measures", "--config", CONFIG)
    assert code == 0
    assert out.startswith("8 measures")
    assert "[Children in Care]" in out and "[Placements]" in out
    line = next(x for x in out.splitlines() if "CIC-RATE" in x)
    assert "Children in care per 10,000 child population" in line and "snapshot" in line
    assert "9.0" in line and "11.0" in line and "lower" in line


@pytest.mark.parametrize("columns", [80, 200])
def test_measures_fits_the_terminal_with_room_for_titles(columns: int):
    """At 80 columns each title has a line of its own under its id (the figures beside the id); at 200 it
    sits beside the id. Either way every line fits, and the latest target says the period it is from."""
    demo = str(ROOT / "config.toml")
    code, out, _ = cli("measures", "--config", demo, columns=columns)
    assert code == 0
    lines = out.splitlines()
    assert all(len(line) <= columns for line in lines), max(lines, key=len)
    assert "Since" in lines[2]
    cfg = load_config(ROOT / "config.toml")
    for m in cfg.measures:
        at = next(i for i, line in enumerate(lines) if line.split()[:1] == [m.id] or line.startswith(f"  {m.id}  "))
        if columns == 80:
            title = [lines[at + 1].strip()]
            for more in lines[at + 2:]:
                if not more.startswith("    ") or more.strip().startswith("["):
                    break
                title.append(more.strip())
            assert " ".join(title) == m.title, (m.id, title)
            assert len(lines[at + 1]) - len(lines[at + 1].lstrip()) == 4
        else:
            assert lines[at].startswith(f"  {m.id}  {m.title.split()[0]} "), (m.id, lines[at])  # beside the id
    repeat = next(line for line in lines if "REF-REPEAT" in line)
    assert "20.0%" in repeat and "2017-04" in repeat and "rolling 12 months" in repeat


def test_measures_json_and_scorecard_filter():
    code, out, _ = cli("measures", "--config", CONFIG, "--scorecard", "cic", "--format", "json")
    assert code == 0
    obj = json.loads(out)
    assert obj["scorecard"] == "cic"
    ids = [m["id"] for m in obj["measures"]]
    assert ids[:2] == ["CIC-COUNT", "CIC-RATE"] and len(ids) == 8
    rate = obj["measures"][1]
    assert rate["section"] == "Children in Care" and rate["window"] == "snapshot"
    assert rate["target"] == 9.0 and rate["floor"] == 11.0 and rate["targets"][0]["from"] is None
    code, _, err = cli("measures", "--config", CONFIG, "--scorecard", "nope")
    assert code == 2 and "unknown scorecard" in err


# -- ids ----------------------------------------------------------------------------------------------
def test_explain_finds_a_measure_in_any_case():
    code, out, _ = cli("explain", "cic-rate", "--config", CONFIG, "--format", "json")
    assert code == 0 and json.loads(out)["id"] == "CIC-RATE"


@pytest.mark.parametrize(("typed", "suggested"), [("CIC-RAT", "CIC-RATE"), ("cic-fostr", "CIC-FOSTER"), ("RI3WD", "RI-3WD")])
def test_an_unknown_measure_gets_the_closest_ids(typed: str, suggested: str):
    code, out, err = cli("explain", typed, "--config", CONFIG)
    assert code == 2 and out == ""
    assert f"unknown measure {typed!r}; did you mean {suggested}" in err
    assert "scorecard measures" in err and "Traceback" not in err


def test_name_matching():
    ids = ["CIC-RATE", "CIC-COUNT", "RI-3WD"]
    assert find_id("cic-rate", ids) == "CIC-RATE" and find_id("CIC-RATES", ids) is None
    assert closest("rate", ids) == ["CIC-RATE"]  # a fragment
    assert did_you_mean("zzzz", ids) == ""
    assert did_you_mean("taget", ["target", "floor"], "`") == "; did you mean `target`?"


# -- changes ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("a", "b"), [("2017-04", "2017-03"), ("2017-04", "2017-04")])
def test_changes_from_not_before_to_is_a_usage_error(a: str, b: str):
    code, out, err = cli("changes", "--config", CONFIG, "--from", a, "--to", b)
    assert code == 2 and out == ""
    assert f"--from {a} must be before --to {b}" in err


# -- tables fit COLUMNS ---------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["rate", "--period", "2017-04"],
    ["changes", "--from", "2017-03", "--to", "2017-04"],
    ["trend"],
    ["measures"],
])
@pytest.mark.parametrize("columns", [80, 100])
def test_tables_fit_columns_and_numbers_never_wrap(args: list[str], columns: int):
    code, out, _ = cli(*args, "--config", CONFIG, columns=columns)
    assert code in (0, 1)
    for line in out.splitlines():
        assert len(line) <= columns, line
    wide = cli(*args, "--config", CONFIG, columns=400)[1]
    numbers = lambda text: {t for t in text.split() if NUMBER.match(t)}  # noqa: E731
    assert numbers(wide) - {"10,000"} <= numbers(out)  # every figure whole at any width ("per 10,000" is a unit)


def test_rate_keeps_every_column_when_the_terminal_is_wide():
    out = cli("rate", "--config", CONFIG, "--period", "2017-04", columns=200)[1]
    header = next(x for x in out.splitlines() if x.startswith("Measure"))
    assert header.split() == ["Measure", "Value", "Band", "Target", "Floor", "Previous", "Prev", "band", "Change"]
    assert "12.5 per 10,000" in out


# -- trend ----------------------------------------------------------------------------------------------
def trend_json(*args: str) -> dict:
    code, out, _ = cli("trend", "--config", CONFIG, "--format", "json", *args)
    assert code in (0, 1)
    return json.loads(out)


def test_trend_last_and_from():
    every = trend_json()
    assert len(every["periods"]) > 3
    last3 = trend_json("--last", "3")
    assert last3["periods"] == every["periods"][-3:]
    for m, full in zip(last3["measures"], every["measures"], strict=True):
        assert m["values"] == full["values"][-3:] and m["rags"] == full["rags"][-3:]
    start = every["periods"][1]
    assert trend_json("--from", start)["periods"] == every["periods"][1:]
    out = cli("trend", "--config", CONFIG, "--last", "2", columns=200)[1]
    header = next(x for x in out.splitlines() if x.startswith("Measure"))
    assert header.split()[1:] == every["periods"][-2:]


@pytest.mark.parametrize(("args", "word"), [
    (["--last", "2", "--from", "2017-01"], "not both"),
    (["--from", "2030-01"], "the latest period with data"),
    (["--from", "May"], "not a period"),
    (["--last", "0"], "--last"),
])
def test_trend_usage_errors(args: list[str], word: str):
    code, _, err = cli("trend", "--config", CONFIG, *args)
    assert code == 2 and word in err


# -- scorecard takes show's options -------------------------------------------------------------------
def test_scorecard_with_options_is_show(tmp_path: Path):
    code, _, err = cli("--config", CONFIG, "--period", "2017-13")  # refused by show before the UI starts
    assert code == 2 and "not a period" in err
    code, _, err = cli("--config", CONFIG, "--measure", "cic-rat")
    assert code == 2 and "did you mean CIC-RATE" in err
    code, out, _ = cli("--help")
    assert code == 0 and "Commands:" in out


# -- demo-data ------------------------------------------------------------------------------------------
def test_demo_data_help_states_its_defaults():
    code, out, _ = cli("demo-data", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "default: data/demo" in flat and "default: 1.0" in flat and "default: 1" in flat and "--force" in flat


def test_demo_data_refuses_to_write_over_existing_data(tmp_path: Path):
    (tmp_path / "cic_episodes.parquet").write_bytes(b"an analyst's data")
    code, _, err = cli("demo-data", "--out", str(tmp_path))
    assert code == 2 and "already holds" in err and "--force" in err
    assert (tmp_path / "cic_episodes.parquet").read_bytes() == b"an analyst's data"


# -- config: did you mean, ids differing by case, a missing config ------------------------------------
def config_problems(tmp_path: Path, edit) -> list[str]:
    config = copy_basic(tmp_path) / "config.toml"
    config.write_text(edit(config.read_text()))
    code, out, err = cli("check", "--config", str(config))
    assert code == 1 and "Traceback" not in out + err
    return [line.strip() for line in out.splitlines() if line.strip().startswith("config.toml:")]


def test_an_unknown_config_key_gets_the_closest_known_key(tmp_path: Path):
    lines = config_problems(tmp_path, lambda s: s.replace("target = 9.0", "taget = 9.0", 1) + "\n[alert]\n")
    assert "config.toml: measures[1].taget (CIC-RATE): unknown key; did you mean `target`?" in lines
    assert "config.toml: alert: unknown key; did you mean `alerts`?" in lines


def test_a_nested_unknown_key_is_matched_within_its_own_table(tmp_path: Path):
    lines = config_problems(tmp_path, lambda s: s.replace("[organisation]", "[organisation]\ntimezon = 'UTC'", 1))
    assert any(line.endswith("organisation.timezon: unknown key; did you mean `timezone`?") for line in lines), lines


def test_measure_ids_differing_only_by_case_are_a_config_error(tmp_path: Path):
    lines = config_problems(tmp_path, lambda s: s.replace('id = "RI-3WD"', 'id = "cic-rate"', 1))
    assert any("duplicate measure id 'cic-rate'" in line and "'CIC-RATE' is the same id" in line for line in lines), lines


def test_a_missing_config_names_config_and_the_demo(tmp_path: Path):
    code, _, err = cli("rate", "--config", str(tmp_path / "nope.toml"))
    assert code == 1
    assert "config file not found" in err and "--config" in err and "demo" in err


def test_changes_from_the_latest_period_or_after_is_a_usage_error():
    latest = json.loads(cli("rate", "--config", CONFIG, "--format", "json")[1])["period"]
    code, _, err = cli("changes", "--config", CONFIG, "--from", latest)  # --to defaults to the latest
    assert code == 2 and f"--from {latest} must be before --to {latest}" in err
