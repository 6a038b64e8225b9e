"""Config that used to pass validation and fail later (issue 13, item 6): an invalid regular
expression in SQL, a `date_format` that cannot read a date, `inf`/`nan` targets, an empty Slack
channel. Each is a config error at its TOML key path, and `check` still lists everything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorecard.engine.config import load_config
from tests.helpers import run_config
from tests.test_config_errors import BAD_DATASET, measure, problems_of, write_config

COHORT = "\n[cohorts.c2]\nlabel = 'C2'\nwhere = \"regexp_like(placement, '[U')\"\n"
DERIVE = BAD_DATASET + "\n[[datasets.bad.derive]]\nname = 'x'\nsql = \"CASE WHEN CHILD ~ '(a' THEN 1 ELSE 0 END\"\n"
ROUTE = "\n[alerts]\n[[alerts.routes]]\nchannel = {channel}\nwhen = 'turned_red'\n"

CASES: list[tuple[str, str, str, str]] = [
    ("regex in a numerator", measure(calc="percent", numerator="regexp_like(child_id, '(')"),
     "measures[1].numerator (M1)", "invalid regular expression (unclosed group)"),
    ("regex with ~ in a where", measure(where="child_id ~ 'a(b'"), "measures[1].where (M1)", "invalid regular expression"),
    ("regex with RLIKE in a where", measure(where="child_id RLIKE '[a'"), "measures[1].where (M1)",
     "invalid regular expression"),
    ("regex in a cohort", COHORT, "cohorts.c2.where (c2)", "invalid regular expression"),
    ("regex in a derive", DERIVE, "datasets.bad.derive[0].sql (bad)", "invalid regular expression"),
    ("date_format of unknown codes", BAD_DATASET.replace('date = "when"', 'date = "when"\ndate_format = "%Q-%K"'),
     "datasets.bad.date_format", "cannot read a date back"),
    ("date_format without a year", BAD_DATASET.replace('date = "when"', 'date = "when"\ndate_format = "%d/%m"'),
     "datasets.bad.date_format", "cannot read a date back"),
    ("target inf", measure(target=float("inf"), floor=5.0, polarity="lower"), "measures[1].target (M1)",
     "must be a finite number, not inf or nan"),
    ("target nan", measure(target=float("nan"), floor=5.0, polarity="lower"), "measures[1].target (M1)",
     "must be a finite number"),
    ("floor -inf", measure(target=5.0, floor=float("-inf"), polarity="higher"), "measures[1].floor (M1)",
     "must be a finite number"),
    ("target step inf", measure(target=5.0, floor=4.0, polarity="higher",
                                targets=[{"from": "2017-04", "target": float("inf"), "floor": 4.0}]),
     "measures[1].targets[0].target (M1)", "must be a finite number"),
    ("per inf", measure(calc="rate", per=float("inf"), population="population"), "measures[1].per (M1)",
     "must be a finite number"),
    ("empty channel", ROUTE.format(channel='""'), "alerts.routes[0].channel", "is empty"),
    ("blank channel", ROUTE.format(channel='"  "'), "alerts.routes[0].channel", "is empty"),
]


@pytest.mark.parametrize(("case", "extra", "where", "words"), CASES, ids=[c[0] for c in CASES])
def test_config_error_at_its_key(tmp_path: Path, case: str, extra: str, where: str, words: str) -> None:
    problems = problems_of(write_config(tmp_path, extra))
    found = [p for p in problems if p.startswith((f"config.toml: {where}: ", f"config.toml: {where} ("))]
    assert len(found) == 1, problems
    assert words in found[0], found[0]
    assert len(problems) == 1, problems  # nothing else is said about it (no follow-on default errors)


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%Y%m%d", "%d %b %Y", "%m/%d/%y"])
def test_good_date_formats_pass(tmp_path: Path, fmt: str) -> None:
    load_config(write_config(tmp_path, BAD_DATASET.replace('date = "when"', f'date = "when"\ndate_format = "{fmt}"')))


def test_check_lists_a_bad_regex_and_the_data_problems_beside_it(tmp_path: Path) -> None:
    path = write_config(tmp_path, measure(calc="percent", numerator="regexp_like(child_id, '(')"))
    with (tmp_path / "data" / "returns.csv").open("a", encoding="utf-8") as f:
        f.write("C2,not a date\n")
    p = run_config(path, "check")
    assert p.returncode == 1
    assert "Traceback" not in p.stderr and "ComputeError" not in p.stdout + p.stderr
    assert "measures[1].numerator (M1): SQL has an invalid regular expression" in p.stdout, p.stdout
    assert "data/returns.csv line 3, column returned: is not a date: 'not a date'" in p.stdout, p.stdout
