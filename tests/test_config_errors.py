"""Config mistakes (SPEC section 2): each names its TOML key path (indices from 0) and the id of
the measure or dataset, all are reported in one run, never with a traceback, and `scorecard check`
exits 1.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.engine.config import ConfigError, load_config

from .helpers import run_config, write_project

BASE = """
[organisation]
name = "Error County"
{org}

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
district = "str"
dob = "date"

[datasets.returns]
file = "returns.csv"
date = "returned"
[datasets.returns.columns]
child_id = "str"
returned = "date"

[datasets.population]
file = "population.csv"
period = "period"
[datasets.population.columns]
period = "str"
value = "int"

[datasets.people]
file = "people.csv"
[datasets.people.columns]
CHILD = "str"
gender = "str"

[cohorts.u1]
label = "In placement U1"
where = "placement = 'U1'"

[[scorecards]]
id = "main"
title = "Main"

[[scorecards]]
id = "other"
title = "Other"

[[measures]]
id = "OK-0"
title = "A valid measure"
section = "S"
scorecards = ["main"]
dataset = "episodes"
window = "snapshot"
calc = "count"
"""

DATA = {
    "episodes.csv": "child_id,start,end,placement,district,dob\nC1,2017-01-01,,U1,North,2010-01-01\n",
    "returns.csv": "child_id,returned\nC1,2017-02-01\n",
    "population.csv": "period,value\n2017-01,1000\n",
    "people.csv": "CHILD,gender\nC1,F\n",
}


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    return repr(v)


def measure(**keys: Any) -> str:
    """A `[[measures]]` entry: a valid count measure with `keys` changed (None removes a key)."""
    body: dict[str, Any] = {
        "id": "M1", "title": "Measure one", "section": "S", "scorecards": ["main"],
        "dataset": "episodes", "window": "snapshot", "calc": "count",
    }
    for k, v in keys.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    return "\n[[measures]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in body.items())


def write_config(tmp_path: Path, extra: str = "", org: str = "", data: dict[str, str] | None = None) -> Path:
    return write_project(tmp_path, BASE.format(org=org) + textwrap.dedent(extra), DATA if data is None else data,
                         dedent_config=False, dedent_files=False)


PROBLEM = re.compile(r"^config\.toml: (?P<path>[^ ]+)(?: \((?P<about>[^)]*)\))?: (?P<sentence>.+)$")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


BAD_DATASET = """
[datasets.bad]
file = "bad.csv"
date = "when"
[datasets.bad.columns]
when = "date"
other = "date?"
n = "int?"
CHILD = "str?"
"""

# (case, extra TOML, [organisation] lines, key path, id the problem must name)
CASES: list[tuple[str, str, str, str, str | None]] = [
    # unknown keys
    ("unknown measure key", measure(tarjet=5.0), "", "measures[1].tarjet", "M1"),
    ("unknown root key", "\n[organization]\nname = 'x'\n", "", "organization", None),
    ("unknown organisation key", "", "fy_start = 4", "organisation.fy_start", None),
    ("unknown dataset key", BAD_DATASET.replace('file = "bad.csv"', 'file = "bad.csv"\nfilename = "x.csv"'), "",
     "datasets.bad.filename", "bad"),
    ("unknown cohort key", "\n[cohorts.c2]\nlabel = 'C2'\nwhere = \"placement = 'U2'\"\nwehre = 'x'\n", "",
     "cohorts.c2.wehre", "c2"),
    ("unknown derive key", BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'x'\ndays = ['when', 'other']\nweeks = 2\n",
     "", "datasets.bad.derive[0].weeks", "bad"),
    # wrong types
    ("target is text", measure(target="high", floor=5.0, polarity="higher"), "", "measures[1].target", "M1"),
    ("decimals is text", measure(decimals="1"), "", "measures[1].decimals", "M1"),
    ("scorecards not a list", measure(scorecards="main"), "", "measures[1].scorecards", "M1"),
    ("polarity misspelt", measure(target=5.0, floor=4.0, polarity="up"), "", "measures[1].polarity", "M1"),
    ("unknown window", measure(window="quarter"), "", "measures[1].window", "M1"),
    ("unknown calc", measure(calc="average"), "", "measures[1].calc", "M1"),
    ("financial year month 13", "", "financial_year_start_month = 13", "organisation.financial_year_start_month", None),
    ("financial year month as text", "", 'financial_year_start_month = "April"',
     "organisation.financial_year_start_month", None),
    ("columns not a table", BAD_DATASET.replace('[datasets.bad.columns]\nwhen = "date"\nother = "date?"\nn = "int?"\n'
                                                'CHILD = "str?"\n', 'columns = "date"\n'), "",
     "datasets.bad.columns", "bad"),
    ("unknown column type", BAD_DATASET.replace('n = "int?"', 'n = "integer"'), "", "datasets.bad.columns", "bad"),
    ("unknown working-days calendar", "", 'working_days = "wales"', "organisation.working_days", None),
    ("target step from not a period", measure(target=5.0, floor=4.0, polarity="higher",
                                              targets=[{"from": "2017-4", "target": 6.0, "floor": 5.0}]),
     "", "measures[1].targets[0].from", "M1"),
    ("measure id with a space", measure(id="M 1"), "", "measures[1].id", "M 1"),
    # unknown names
    ("unknown dataset", measure(dataset="nowhere"), "", "measures[1].dataset", "M1"),
    ("unknown scorecard", measure(scorecards=["main", "nope"]), "", "measures[1].scorecards[1]", "M1"),
    ("unknown column in where", measure(where="colour = 'red'"), "", "measures[1].where", "M1"),
    ("unknown column in numerator", measure(calc="percent", numerator="colour = 'red'"), "", "measures[1].numerator", "M1"),
    ("unknown column in value", measure(calc="mean", value="weight"), "", "measures[1].value", "M1"),
    ("unknown breakdown column", measure(breakdowns=["district", "ward"]), "", "measures[1].breakdowns[1]", "M1"),
    ("unknown distinct column", measure(distinct="person"), "", "measures[1].distinct", "M1"),
    ("unknown population dataset", measure(calc="rate", per=10000, population="people_count"), "",
     "measures[1].population", "M1"),
    ("population is not a snapshot dataset", measure(calc="rate", per=10000, population="returns"), "",
     "measures[1].population", "M1"),
    ("unknown dataset in join", BAD_DATASET + "\n[[datasets.bad.join]]\ndataset = 'persons'\non = 'CHILD = CHILD'\n",
     "", "datasets.bad.join[0].dataset", "bad"),
    ("unknown column in join", BAD_DATASET.replace("CHILD = \"str?\"\n", "")
     + "\n[[datasets.bad.join]]\ndataset = 'people'\non = 'child = CHILD'\n", "", "datasets.bad.join[0].on", "bad"),
    ("join columns clash", BAD_DATASET.replace("CHILD = \"str?\"\n", "CHILD = \"str?\"\ngender = \"str?\"\n")
     + "\n[[datasets.bad.join]]\ndataset = 'people'\non = 'CHILD = CHILD'\n", "", "datasets.bad.join[0].dataset", "bad"),
    ("unknown dataset date column", BAD_DATASET.replace('date = "when"', 'date = "whenever"'), "",
     "datasets.bad.date", "bad"),
    ("unknown derive input", BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'x'\ndays = ['when', 'nope']\n", "",
     "datasets.bad.derive[0].days[1]", "bad"),
    ("unknown scorecard in an alert route", "\n[alerts]\n[[alerts.routes]]\nchannel = '#x'\nwhen = 'turned_red'\n"
     "scorecards = ['nope']\n", "", "alerts.routes[0].scorecards", "nope"),
    ("period-dependent column as the date", BAD_DATASET.replace('date = "when"', 'date = "due"')
     + "\n[[datasets.bad.derive]]\nname = 'due'\nadd_days = ['@snapshot', 1]\n", "", "datasets.bad.date", "bad"),
    ("unknown cohort column", "\n[cohorts.looked_after]\nlabel = 'LAC'\nwhere = \"legal_status = 'C2'\"\n", "",
     "cohorts.looked_after.where", "looked_after"),
    # SQL that polars cannot parse, or that is not what the key needs
    ("numerator does not parse", measure(calc="percent", numerator="placement IN ('U1',"), "",
     "measures[1].numerator", "M1"),
    ("where does not parse", measure(where="placement = = 'U1'"), "", "measures[1].where", "M1"),
    ("where is not a condition", measure(where="placement"), "", "measures[1].where", "M1"),
    ("value is not a number", measure(calc="mean", value="placement"), "", "measures[1].value", "M1"),
    ("derive sql does not parse", BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'x'\nsql = 'CASE WHEN n > 1 THEN'\n",
     "", "datasets.bad.derive[0].sql", "bad"),
    ("cohort does not parse", "\n[cohorts.c2]\nlabel = 'C2'\nwhere = \"placement IN ('U1'\"\n", "", "cohorts.c2.where", "c2"),
    ("cohort is not a condition", "\n[cohorts.c2]\nlabel = 'C2'\nwhere = \"placement\"\n", "", "cohorts.c2.where", "c2"),
    # impossible targets
    ("floor above target, higher", measure(polarity="higher", target=80.0, floor=90.0), "", "measures[1].floor", "M1"),
    ("floor below target, lower", measure(polarity="lower", target=60.0, floor=50.0), "", "measures[1].floor", "M1"),
    ("target step floor on the wrong side", measure(polarity="higher", target=80.0, floor=70.0,
                                                    targets=[{"from": "2017-04", "target": 80.0, "floor": 85.0}]),
     "", "measures[1].targets[0].floor", "M1"),
    ("target without floor", measure(polarity="higher", target=80.0), "", "measures[1].floor", "M1"),
    ("rated without polarity", measure(target=80.0, floor=70.0), "", "measures[1].polarity", "M1"),
    # windows and calcs a dataset kind does not allow
    ("snapshot window on events", measure(dataset="returns", window="snapshot"), "", "measures[1].window", "M1"),
    ("value measure with ytd", measure(dataset="population", calc="value", window="ytd"), "", "measures[1].window", "M1"),
    ("value measure on spells", measure(calc="value"), "", "measures[1].calc", "M1"),
    ("counting a lookup table", measure(dataset="people"), "", "measures[1].dataset", "M1"),
    ("percent without numerator", measure(calc="percent"), "", "measures[1]", "M1"),
    ("rate without population", measure(calc="rate", per=10000), "", "measures[1]", "M1"),
    ("distinct on a mean", measure(calc="mean", value="1", distinct="child_id"), "", "measures[1].distinct", "M1"),
    # derives with no kind, or two
    ("derive with no kind", BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'x'\n", "", "datasets.bad.derive[0]", "bad"),
    ("derive with two kinds", BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'x'\ndays = ['when', 'other']\n"
     "years = ['when', 'other']\n", "", "datasets.bad.derive[0]", "bad"),
    ("derive with three items", BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'x'\ndays = ['when', 'other', 'when']\n",
     "", "datasets.bad.derive[0].days", "bad"),
    # duplicate ids
    ("duplicate measure id", measure(id="OK-0"), "", "measures[1].id", "OK-0"),
    ("duplicate scorecard id", "\n[[scorecards]]\nid = 'main'\ntitle = 'Again'\n", "", "scorecards[2].id", "main"),
    ("duplicate derive name", BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'other'\ndays = ['when', 'when']\n", "",
     "datasets.bad.derive[0].name", "bad"),
    ("introduced after retired", measure(introduced="2018-04", retired="2017-03"), "", "measures[1].retired", "M1"),
]


@pytest.mark.parametrize(("extra", "org", "path", "about"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_config_mistake_names_key_path_and_id(tmp_path: Path, extra: str, org: str, path: str, about: str | None) -> None:
    problems = problems_of(write_config(tmp_path, extra, org))
    parsed = [PROBLEM.match(p) for p in problems]
    assert all(parsed), problems  # every line: file, key path, (id), sentence
    matching = [m for m in parsed if m and m["path"] == path
                and (about is None or m["about"] == about or f"'{about}'" in m["sentence"])]  # the id, or the name quoted
    assert matching, f"no problem at exactly {path!r} about {about!r}: {problems}"
    sentence = matching[0]["sentence"]
    assert len(sentence.split()) >= 2 and path not in sentence, sentence  # says what is wrong, not just where
    assert all("Traceback" not in p and "\n" not in p for p in problems)


def test_the_base_config_is_valid(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, measure() + BAD_DATASET))
    assert [m.id for m in config.measures] == ["OK-0", "M1"]


def test_key_path_for_the_first_measure_is_index_0(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    path.write_text(path.read_text().replace('calc = "count"', 'calc = "count"\ntarget = 1.0\nfloor = 2.0\npolarity = "higher"'))
    problems = problems_of(path)
    assert any(" measures[0].floor (OK-0)" in p for p in problems), problems


# --------------------------------------------------------------------------------------
# All at once, through `scorecard check`
# --------------------------------------------------------------------------------------
ALL_MISTAKES = [c for c in CASES if c[1].startswith("\n[[measures]]")]


def many_mistakes(tmp_path: Path) -> tuple[Path, list[tuple[str, str]]]:
    """One config with every measure-level mistake above, each in its own measure."""
    extra = ""
    expected: list[tuple[str, str]] = []
    index = 1
    for _name, text, _org, path, about in ALL_MISTAKES:
        if "OK-0" in text:  # the duplicate id keeps its own id
            new_text, new_about = text, "OK-0"
        else:
            new_text, new_about = text.replace('id = "M1"', f'id = "M{index}"'), f"M{index}" if about == "M1" else about
        extra += new_text
        expected.append((path.replace("measures[1]", f"measures[{index}]"), str(new_about)))
        index += 1
    extra += BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'x'\ndays = ['when', 'other']\nyears = ['when', 'other']\n"
    expected.append(("datasets.bad.derive[0]", "bad"))
    path = write_config(tmp_path, extra, 'working_days = "wales"')
    expected.append(("organisation.working_days", "wales"))
    return path, expected


def test_check_reports_every_mistake_in_one_run(tmp_path: Path) -> None:
    path, expected = many_mistakes(tmp_path)
    assert len(expected) > 30
    p = run_config(path, "check")
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "Traceback" not in out
    lines = out.splitlines()
    for key, about in expected:
        assert any(f" {key}" in line and about in line for line in lines), f"{key} ({about}) not reported:\n{out}"


def test_check_json_lists_config_problems(tmp_path: Path) -> None:
    path, expected = many_mistakes(tmp_path)
    p = run_config(path, "check", "--format", "json")
    assert p.returncode == 1, p.stderr
    report = json.loads(p.stdout)
    assert report["ok"] is False
    assert len(report["config"]) >= len(expected)
    for key, about in expected:
        assert any(f" {key}" in line and about in line for line in report["config"]), key


@pytest.mark.parametrize("command", [["rate"], ["trend"], ["changes", "--from", "2017-01", "--to", "2017-02"],
                                     ["explain", "OK-0"]])
def test_other_commands_stop_on_config_mistakes_with_exit_1(tmp_path: Path, command: list[str]) -> None:
    path = write_config(tmp_path, measure(polarity="higher", target=80.0, floor=90.0) + measure(id="M2", dataset="x"))
    result = CliRunner().invoke(main, [*command, "--config", str(path)])  # in-process: check runs the real command
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stdout == ""
    assert "measures[1].floor" in result.stderr and "measures[2].dataset" in result.stderr


def test_not_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[organisation\nname = 'x'\n")
    problems = problems_of(path)
    assert len(problems) == 1 and "TOML" in problems[0]
    p = run_config(path, "check")
    assert p.returncode == 1 and "Traceback" not in p.stdout + p.stderr


def test_wrong_type_in_a_derive_pair_gives_one_problem_at_the_toml_path(tmp_path: Path) -> None:
    extra = BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'x'\nadd_months = ['when', 1.5]\n"
    problems = problems_of(write_config(tmp_path, extra))
    assert len(problems) == 1, problems
    assert problems[0].startswith("config.toml: datasets.bad.derive[0].add_months[1]"), problems
    assert ".str" not in problems[0] and ".int" not in problems[0], problems


def test_an_unknown_column_type_hides_no_other_problem(tmp_path: Path) -> None:
    """The dataset's other mistakes, and a measure's window its kind does not allow, in the same run."""
    extra = (BAD_DATASET.replace('n = "int?"', 'n = "integer"')
             + "\n[[datasets.bad.derive]]\nname = 'x'\ndays = ['when', 'other']\nyears = ['when', 'other']\n"
             + measure(dataset="bad", window="snapshot"))
    problems = problems_of(write_config(tmp_path, extra))
    assert any(p.startswith("config.toml: datasets.bad.columns (bad): unknown column type in n = 'integer'")
               for p in problems), problems
    assert any(p.startswith("config.toml: datasets.bad.derive[0] (bad): derive 'x' needs exactly one of")
               and "not days and years" in p for p in problems), problems
    assert any(p.startswith("config.toml: measures[1].window (M1): window snapshot is not allowed on event dataset")
               for p in problems), problems
    assert len(problems) == 3, problems


def test_nothing_is_said_about_keys_using_a_column_of_unknown_type(tmp_path: Path) -> None:
    extra = BAD_DATASET.replace('other = "date?"', 'other = "datetime"') + (
        "\n[[datasets.bad.derive]]\nname = 'x'\ndays = ['when', 'other']\n")
    problems = problems_of(write_config(tmp_path, extra))
    assert problems == ["config.toml: datasets.bad.columns (bad): unknown column type in other = 'datetime'; use str, "
                        "int, float, bool or date (with ? when the value may be empty)"], problems


def test_decimals_are_not_capped(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, measure(decimals=8)))
    assert config.measure("M1").decimals == 8


def test_defaults_come_from_the_declaration(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, measure(calc="percent", numerator="placement = 'U1'")))
    assert (config.measure("M1").decimals, config.measure("M1").unit) == (1, "%")
    assert (config.measure("OK-0").decimals, config.measure("OK-0").unit) == (0, None)
