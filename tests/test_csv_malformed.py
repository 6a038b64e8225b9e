"""Malformed CSV lines (issue 13, item 1 and 7; SPEC section 4's data-problem rule).

A malformed line (a stray quote, a quote inside a field, too many or too few fields, bytes that
are not UTF-8) is one data problem naming the file, the line (the header is line 1) and the
column, with the offending value cut short; that line is left out and counted, and every other
line is used. No output ever carries a record's text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scorecard.engine.csvfile import UnreadableFile, read_csv
from scorecard.engine.engine import Engine

from .helpers import run_config as run_cli

HEALTH_LINE_5 = b"H4,2017-02-03,,false"  # data row 4 of the basic fixture's health.csv
TAIL_TEXT = ("H5,2017-02-20", "H9,2017-03-24", "H14,2017-04-24")  # later records: never in any output


def break_health(basic: Path, replacement: bytes, line: bytes = HEALTH_LINE_5) -> Path:
    path = basic / "data" / "health.csv"
    data = path.read_bytes()
    assert data.count(line) == 1
    path.write_bytes(data.replace(line, replacement))
    return basic / "config.toml"


def health_problem_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if "health.csv" in line and " line " in line]


@pytest.mark.parametrize(
    ("replacement", "column", "value", "words"),
    [
        (b'"H4,2017-02-03,,false', "child_id", '"H4', "quote that is not closed"),
        (b'H4,2017-02-03,x"y,false', "iha_date", 'x"y', "quote inside a field"),
        (b'H4,"2017-02-03"x,,false', "entered_care", '"2017-02-03"x', "after the closing quote"),
        (b"H4,2017-02-03,,false,extra", None, "extra", "5 fields; the header has 4"),
        (b"H4,2017-02-03,", "uasc", None, "3 fields; the header has 4"),
        ("N\u00f6rth-H4,2017-02-03,,false".encode("latin-1"), "child_id", "N\ufffdrth-H4", "not UTF-8"),
    ],
    ids=["stray-quote", "quote-inside", "text-after-quote", "extra-field", "missing-field", "latin-1"],
)
def test_malformed_line_is_one_problem_and_the_rest_is_used(
    basic_copy: Path, replacement: bytes, column: str | None, value: str | None, words: str
) -> None:
    config = break_health(basic_copy, replacement)
    p = run_cli(config, "check")
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "Traceback" not in out
    lines = health_problem_lines(out)
    assert len(lines) == 1, out
    line = lines[0]
    assert "data/health.csv line 5" in line and words in line, line
    if column:
        assert f"column {column}:" in line, line
    if value:
        assert repr(value) in line, line
    assert "health: 13 rows used, 1 left out" in out, out
    for text in TAIL_TEXT:
        assert text not in out, out
    # every other row is used: the health measures keep their values
    engine = Engine.load(config)
    assert engine.datasets["health"].frame.height == 13
    assert engine.datasets["health"].rows_left_out == 1


def test_stray_quote_never_reaches_the_paper(basic_copy: Path) -> None:
    config = break_health(basic_copy, b'"H4,2017-02-03,,false')
    for fmt in ("md", "html"):
        p = run_cli(config, "report", "--period", "2017-05", "--format", fmt)
        assert p.returncode == 1, p.stderr
        assert "Traceback" not in p.stderr
        for text in TAIL_TEXT:
            assert text not in p.stdout
        notes = [line for line in p.stdout.splitlines() if "health.csv line 5" in line]
        assert len(notes) == 1, p.stdout[-3000:]
    p = run_cli(config, "rate", "--scorecard", "cic", "--period", "2017-05", "--format", "json")
    assert p.returncode == 1
    rates = {m["id"]: m for m in json.loads(p.stdout)["measures"]}
    assert any(m["value"] is not None for mid, m in rates.items() if mid.startswith("IHA"))


def test_one_bad_line_in_a_big_file_costs_that_line_only(tmp_path: Path) -> None:
    rows = 60_000
    lines = [b"id,when,note"] + [b"R%d,2017-03-01,ok" % i for i in range(rows)]
    lines[rows // 2] = b'"R-bad,2017-03-01,ok'  # in place of R29999, on line 30001
    path = tmp_path / "big.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    got = read_csv(path, "__row")
    assert got.frame.height == rows - 1
    assert [(p.line, p.column, p.value) for p in got.problems] == [(rows // 2 + 1, "id", '"R-bad')]
    assert got.frame.filter(got.frame["id"] == "R29998")["__row"].to_list() == [rows // 2]
    assert got.frame.filter(got.frame["id"] == "R30000")["__row"].to_list() == [rows // 2 + 2]


def test_quoted_fields_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(b'a,b,c\r\n"x, y","say ""hi""",3\r\n\r\n4,"",6\r\n\n')
    got = read_csv(path, "__row")
    assert got.problems == [] and got.blank_lines == 2
    assert got.frame.rows() == [(2, "x, y", 'say "hi"', "3"), (4, "4", "", "6")]  # a quoted empty value is empty text


def test_a_line_break_inside_quotes_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b'a,b\n1,"two\nlines"\n3,4\n')
    got = read_csv(path, "__row")
    assert got.frame.rows() == [(4, "3", "4")]
    assert [p.line for p in got.problems] == [2, 3]


def test_duplicated_declared_header_column_is_a_problem(basic_copy: Path) -> None:
    path = basic_copy / "data" / "health.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text = [text[0] + ",iha_date"] + [line + ",2017-01-01" for line in text[1:]]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    p = run_cli(basic_copy / "config.toml", "check")
    assert p.returncode == 1
    line = [x for x in p.stdout.splitlines() if "health.csv line 1" in x]
    assert line and "column iha_date" in line[0] and "columns 3, 5" in line[0], p.stdout
    engine = Engine.load(basic_copy / "config.toml")
    rating = {m.id: m for m in engine.rate("cic", "2017-05").measures}
    iha = [m for mid, m in rating.items() if mid.startswith("IHA")]
    assert iha and all(m.value is None for m in iha), [(m.id, m.value) for m in iha]


def test_duplicated_undeclared_column_is_ignored(basic_copy: Path) -> None:
    path = basic_copy / "data" / "health.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text = [text[0] + ",note,note"] + [line + ",a,b" for line in text[1:]]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    engine = Engine.load(basic_copy / "config.toml")
    assert not engine.has_problems, engine.problem_lines()


def test_problem_values_are_cut_short(basic_copy: Path) -> None:
    config = break_health(basic_copy, b"H4," + b"9" * 500 + b",,false")
    p = run_cli(config, "check")
    line = health_problem_lines(p.stdout)[0]
    assert "9" * 25 not in line and "…" in line and len(line) < 200, line
    assert re.search(r"line 5, column entered_care", line), line


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "has no header line"),
        (b"\n1,2\n", "has no header line"),
        ("a,b\n1,2\n".encode("utf-16"), "header line is not UTF-8 text"),
        (b"a,b\r1,2\r", "carriage return only"),
        (b'a,"b\n1,2\n', "header line opens a quote that is not closed on this line (column 2)"),
    ],
    ids=["empty", "blank-header", "utf-16", "cr-only", "header-quote"],
)
def test_a_file_that_cannot_be_read_is_one_sentence(tmp_path: Path, data: bytes, words: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as info:
        read_csv(path, "__row")
    assert words in str(info.value) and "\n" not in str(info.value)


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n")
    got = read_csv(path, "__row")
    assert got.frame.height == 0 and got.frame.columns == ["__row", "a", "b"] and got.problems == []


def test_unreadable_file_in_check_is_one_line_and_the_rest_is_checked(basic_copy: Path) -> None:
    (basic_copy / "data" / "health.csv").write_bytes("child_id,entered_care\n".encode("utf-16"))
    p = run_cli(basic_copy / "config.toml", "check")
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert "  data/health.csv: header line is not UTF-8 text: save the file as UTF-8" in p.stdout.splitlines(), p.stdout
    assert "returns: 13 rows used" in p.stdout


def test_gzipped_csv_is_read_and_checked_like_any_other(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(b'a,b\n1,2\n"3,4\n5,6\n'))
    got = read_csv(path, "__row")
    assert got.frame.rows() == [(2, "1", "2"), (4, "5", "6")]
    assert [(p.line, p.column) for p in got.problems] == [(3, "a")]
    path.write_bytes(gzip.compress(b'a,b\n1,"x, y"\n3,4\n'))
    assert read_csv(path, "__row").frame.rows() == [(2, "1", "x, y"), (3, "3", "4")]
    path.write_bytes(b"\x1f\x8b broken")
    with pytest.raises(UnreadableFile, match="cannot be decompressed"):
        read_csv(path, "__row")
