"""Issue 13 item 11: `report --output` never writes over a file the report reads (the config, a
data file, the state file) and needs --force to write over any other existing file; every command
whose output is cut short by its reader (`| head`) ends quietly, without a BrokenPipeError."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.slack_stub import copy_fixture


def scorecard(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


@pytest.mark.parametrize("target", ["config.toml", "data/health.csv", "data/comparators.csv", "./data/../config.toml",
                                    "data/state.db"])
def test_report_refuses_to_write_over_an_input(basic_copy: Path, target: str) -> None:
    (basic_copy / "data" / "state.db").write_bytes(b"")  # the state file exists (empty: no state yet)
    before = (basic_copy / target).read_bytes()
    for force in ([], ["--force"]):
        r = scorecard(basic_copy, "report", "--period", "2017-04", "--output", target, *force)
        assert r.returncode == 2, r.stderr
        assert "is a file the report reads" in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert (basic_copy / target).read_bytes() == before


def test_report_needs_force_to_write_over_a_file(basic_copy: Path) -> None:
    paper = basic_copy / "paper.md"
    first = scorecard(basic_copy, "report", "--period", "2017-04", "--output", "paper.md")
    assert first.returncode == 0 and paper.read_text().startswith("# ")
    paper.write_text("the committee's own edits")
    again = scorecard(basic_copy, "report", "--period", "2017-04", "--output", "paper.md")
    assert again.returncode == 2 and "already exists; --force writes over it" in again.stderr
    assert paper.read_text() == "the committee's own edits"
    forced = scorecard(basic_copy, "report", "--period", "2017-04", "--output", "paper.md", "--force")
    assert forced.returncode == 0 and paper.read_text().startswith("# ")
    folder = scorecard(basic_copy, "report", "--period", "2017-04", "--output", "data")
    assert folder.returncode == 2 and "is a directory" in folder.stderr


@pytest.mark.parametrize("args", [["trend"], ["rate", "--period", "2017-04"], ["report", "--period", "2017-04"],
                                  ["alerts", "status"], ["check"], ["explain", "CIC-FOSTER", "--period", "2017-04"]])
def test_output_cut_short_by_the_reader_ends_quietly(tmp_path: Path, args: list[str]) -> None:
    config = copy_fixture(tmp_path)
    if args[0] == "alerts":  # something to list
        assert scorecard(config.parent, "alerts", "run", "--period", "2017-04").returncode == 1
    read_all = scorecard(config.parent, *args)
    proc = subprocess.Popen([sys.executable, "-m", "scorecard.cli", *args], cwd=config.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader has gone before the first line (like `| head -0`)
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert "BrokenPipeError" not in err and "Traceback" not in err and "Exception ignored" not in err, err
    assert "unexpected error" not in err
    # the exit code is the command's own (0 here): a script with `set -o pipefail` sees no failure
    assert proc.returncode == read_all.returncode == 0, (proc.returncode, read_all.returncode)


def test_head_of_alerts_status(tmp_path: Path) -> None:
    config = copy_fixture(tmp_path)
    scorecard(config.parent, "alerts", "run", "--period", "2017-04")
    r = subprocess.run(f"set -o pipefail; {sys.executable} -m scorecard.cli alerts status | head -1", shell=True,
                       cwd=config.parent, capture_output=True, text=True, timeout=120, executable="/bin/bash")
    assert r.stdout.startswith("Alerts outbox") and r.stderr == ""
    assert r.returncode == 0


def test_report_refuses_a_glob_match_under_a_data_folder_with_a_bracket(tmp_path: Path) -> None:
    """Only a dataset's `file` is a pattern (as in loading): `episodes*.csv` under `council[1]/.../data` still
    matches episodes.csv, which --output may not write over, even with --force."""
    config = copy_fixture(tmp_path / "council[1]",
                          edit=lambda text: text.replace('file = "episodes.csv"', 'file = "episodes*.csv"', 1))
    target = config.parent / "data" / "episodes.csv"
    before = target.read_bytes()
    r = scorecard(config.parent, "report", "--period", "2017-04", "--output", "data/episodes.csv", "--force")
    assert r.returncode == 2 and "is a file the report reads" in r.stderr, (r.returncode, r.stderr)
    assert target.read_bytes() == before


@pytest.mark.parametrize(("name", "given", "html"), [("paper.html", [], True), ("Paper.HTM", [], True),
                                                    ("paper.md", [], False), ("paper.txt", [], False),
                                                    ("paper.html", ["--format", "md"], False)])
def test_report_output_takes_its_format_from_the_file_name_unless_given(basic_copy: Path, name: str,
                                                                         given: list[str], html: bool) -> None:
    r = scorecard(basic_copy, "report", "--period", "2017-04", "--output", name, *given)
    assert r.returncode == 0, r.stderr
    text = (basic_copy / name).read_text()
    assert text.lstrip().lower().startswith("<!doctype html") == html
    assert text.startswith("# ") == (not html)
