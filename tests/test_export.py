"""`scorecard export`: the workbook and the CSV files read back with a reader library, their numbers
equal to `scorecard rate --format json` and `trend --format json`, bands as words and fills."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from scorecard.cli import main

BANDS = {"green": "Green", "amber": "Amber", "red": "Red", "no_data": "No data"}


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def rate_json(config: Path, period: str | None = None) -> dict:
    code, out, _ = cli("rate", "--config", str(config), "--format", "json", *(["--period", period] if period else []))
    assert code in (0, 1)
    return json.loads(out)


def sheet_rows(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.mark.parametrize("period", [None, "2017-04"])
def test_workbook_values_equal_rate_json(basic_copy: Path, period: str | None):
    config = basic_copy / "config.toml"
    out = basic_copy / "out" / "book.xlsx"
    code, stdout, _ = cli("export", "--config", str(config), "--output", str(out), *(["--period", period] if period else []))
    assert code == 0, stdout
    assert "Wrote" in stdout and out.exists()
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["cic", "Trend", "Trend bands", "Notes"]
    expected = rate_json(config, period)
    rows = sheet_rows(book["cic"])
    assert [r["Id"] for r in rows] == [m["id"] for m in expected["measures"]]
    for row, m in zip(rows, expected["measures"], strict=True):
        for key in ("value", "target", "floor", "numerator", "denominator"):
            assert row[key.capitalize()] == m[key], (m["id"], key)
            if m[key] is not None:
                assert isinstance(row[key.capitalize()], (int, float))  # numbers, never text
        assert row["Measure"] == m["title"] and row["Section"] == m["section"] and row["Unit"] == m["unit"]
        assert row["Band"] == (BANDS[m["rag"]] if m["target"] is not None else "Activity")
        prev = m["previous"]
        assert row["Previous value"] == (prev["value"] if prev else None)
        assert row["Change"] == m["change"]
        for name, value in m["comparators"].items():
            assert row[name] == value
    sheet = book["cic"]
    assert sheet.freeze_panes == "D2"
    header = [c.value for c in sheet[1]]
    band_col, value_col = header.index("Band") + 1, header.index("Value") + 1
    red = next(i for i, m in enumerate(expected["measures"], start=2) if m["rag"] == "red")
    assert sheet.cell(row=red, column=band_col).fill.start_color.rgb.endswith("FFC7CE")  # Red's fill
    assert sheet.cell(row=red, column=value_col).fill.start_color.rgb.endswith("FFC7CE")
    rate_row = next(i for i, m in enumerate(expected["measures"], start=2) if m["id"] == "CIC-RATE")
    assert sheet.cell(row=rate_row, column=value_col).number_format == "#,##0.0"
    pct = next(i for i, m in enumerate(expected["measures"], start=2) if m["unit"] == "%")
    assert sheet.cell(row=pct, column=value_col).number_format == '#,##0.0"%"'


def test_trend_sheet_has_every_period_with_data(basic_copy: Path):
    config = basic_copy / "config.toml"
    out = basic_copy / "book.xlsx"
    assert cli("export", "--config", str(config), "--output", str(out))[0] == 0
    _code, stdout, _ = cli("trend", "--config", str(config), "--format", "json")
    trend = json.loads(stdout)
    book = openpyxl.load_workbook(out)
    values = list(book["Trend"].iter_rows(values_only=True))
    words = list(book["Trend bands"].iter_rows(values_only=True))
    assert list(values[0][3:]) == trend["periods"]
    for vrow, wrow, m in zip(values[1:], words[1:], trend["measures"], strict=True):
        assert vrow[0] == m["id"] and list(vrow[3:]) == m["values"]
        for word, rag, value in zip(wrow[3:], m["rags"], m["values"], strict=True):
            if rag in BANDS:
                assert word == BANDS[rag]
            elif value is None:
                assert word is None
    notes = [r[0] for r in book["Notes"].iter_rows(values_only=True)]
    assert {"Organisation", "Period", "Figures", "Bands"} <= set(notes)


def test_csv_files_hold_the_same_tables(basic_copy: Path):
    config = basic_copy / "config.toml"
    folder = basic_copy / "csv"
    code, stdout, _ = cli("export", "--config", str(config), "--format", "csv", "--output", str(folder))
    assert code == 0, stdout
    assert sorted(p.name for p in folder.iterdir()) == ["cic.csv", "notes.csv", "trend-bands.csv", "trend.csv"]
    expected = rate_json(config)
    with (folder / "cic.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row, m in zip(rows, expected["measures"], strict=True):
        assert row["Id"] == m["id"]
        for key in ("value", "target", "floor"):
            assert (float(row[key.capitalize()]) if row[key.capitalize()] else None) == m[key]


def test_existing_files_are_kept_without_force(basic_copy: Path):
    config = basic_copy / "config.toml"
    out = basic_copy / "book.xlsx"
    out.write_text("an analyst's own workbook")
    code, _stdout, stderr = cli("export", "--config", str(config), "--output", str(out))
    assert code == 2 and "already exists" in stderr and "--force" in stderr
    assert out.read_text() == "an analyst's own workbook"
    assert cli("export", "--config", str(config), "--output", str(out), "--force")[0] == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "cic"


@pytest.mark.parametrize(("args", "word"), [
    (["--scorecard", "nope"], "unknown scorecard"),
    (["--period", "2017-13"], "not a period"),
    (["--format", "pdf"], "pdf"),
])
def test_export_usage_errors(basic_copy: Path, args: list[str], word: str):
    code, _stdout, stderr = cli("export", "--config", str(basic_copy / "config.toml"),
                               "--output", str(basic_copy / "x.xlsx"), *args)
    assert code == 2 and word in stderr and "Traceback" not in stderr
    assert not (basic_copy / "x.xlsx").exists()


def test_demo_workbook_equals_rate_json_for_every_measure(tmp_path: Path):
    from .conftest import ROOT
    from .helpers import shipped_demo

    config = ROOT / "config.toml"
    shipped_demo()
    out = tmp_path / "demo.xlsx"
    code, stdout, _ = cli("export", "--config", str(config), "--output", str(out))
    assert code in (0, 1), stdout  # 1: data problems (listed on stderr), the workbook is still written
    book = openpyxl.load_workbook(out, read_only=True)
    for name in book.sheetnames[:-3]:
        expected = json.loads(cli("rate", "--config", str(config), "--scorecard", name, "--format", "json")[1])
        rows = sheet_rows(book[name])
        assert len(rows) == len(expected["measures"])
        for row, m in zip(rows, expected["measures"], strict=True):
            assert row["Id"] == m["id"]
            assert [row["Value"], row["Target"], row["Floor"], row["Numerator"], row["Denominator"]] == \
                [m["value"], m["target"], m["floor"], m["numerator"], m["denominator"]]
