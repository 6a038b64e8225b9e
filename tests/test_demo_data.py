"""The demo data generator (issue 3) and the demo config over the committed data."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest
import tomli

from scorecard.demo.generate import TABLES, generate
from scorecard.engine.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "config.toml"
SMALL = 0.05  # a county of about 100 children in care: fast, and still every table has rows

POLARS_TYPES = {"str": pl.String, "int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean, "date": pl.Date}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("demo-small")
    return out, generate(out, scale=SMALL, seed=1)


def _tables(folder: Path) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(folder / f"{name}.parquet") for name in TABLES}


def test_every_table_is_written_with_rows(small: tuple[Path, dict[str, int]]) -> None:
    folder, counts = small
    for name in TABLES:
        assert (folder / f"{name}.parquet").exists(), name
        assert counts[name] > 0, name
        assert pl.read_parquet(folder / f"{name}.parquet").height == counts[name]
    assert (folder / "comparators.csv").exists()


def test_same_seed_gives_identical_tables(small: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, _ = small
    generate(tmp_path, scale=SMALL, seed=1)
    first, again = _tables(folder), _tables(tmp_path)
    for name in TABLES:
        assert first[name].equals(again[name]), f"{name} differs between two runs with seed 1"


def test_different_seed_gives_different_tables(small: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, _ = small
    generate(tmp_path, scale=SMALL, seed=2)
    first, other = _tables(folder), _tables(tmp_path)
    for name in ("cic_episodes", "referrals", "missing", "care_leavers", "staffing"):
        assert not first[name].equals(other[name]), f"{name} is the same for seeds 1 and 2"


def test_tables_have_the_columns_and_types_the_config_declares(small: tuple[Path, dict[str, int]]) -> None:
    folder, _ = small
    config = tomli.loads(DEMO_CONFIG.read_text())
    for name, dataset in config["datasets"].items():
        frame = pl.read_parquet(folder / dataset["file"])
        for column, declared in dataset["columns"].items():
            assert column in frame.columns, f"{name}: {dataset['file']} has no column {column}"
            assert frame.schema[column] == POLARS_TYPES[declared.removesuffix("?")], f"{name}.{column}"
            if not declared.endswith("?"):
                assert frame[column].null_count() == 0, f"{name}.{column} has empty values but is not marked ?"


def test_engine_loads_generated_data_without_problems(small: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, _ = small
    text = DEMO_CONFIG.read_text().replace('dir = "data/demo"', f'dir = "{folder.as_posix()}"')
    (tmp_path / "config.toml").write_text(text)
    engine = Engine.load(tmp_path / "config.toml")
    assert not engine.has_problems, [str(p) for p in engine.problems]
    assert engine.latest_period() == "2018-03"
    assert engine.first_period() == "2014-04"


def test_scale_scales_row_counts(small: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    _, counts = small
    bigger = generate(tmp_path, scale=SMALL * 4, seed=1)
    for name in ("referrals", "assessments", "cic_episodes", "visits", "care_leavers", "health_checks"):
        ratio = bigger[name] / counts[name]
        assert 3.0 < ratio < 5.0, f"{name}: {counts[name]} rows at scale {SMALL}, {bigger[name]} at {SMALL * 4}"


def test_nothing_happens_after_the_extract_date(small: tuple[Path, dict[str, int]]) -> None:
    folder, _ = small
    tables = _tables(folder)
    not_events = {("visits", "due_date")}  # a visit made early in March can be due in April
    for name, frame in tables.items():
        for column, dtype in frame.schema.items():
            if dtype == pl.Date and column != "dob" and (name, column) not in not_events:
                latest = frame[column].max()
                assert latest is None or str(latest) <= "2018-03-31", f"{name}.{column} runs past the extract date"
    assert tables["referrals"]["referral_date"].min() >= pl.Series(["2014-04-01"]).str.to_date()[0]


@pytest.fixture(scope="module")
def demo() -> Engine:
    return Engine.load(DEMO_CONFIG)


def test_demo_checks_clean(demo: Engine) -> None:
    assert not demo.has_problems, [str(p) for p in demo.problems]


def test_demo_scs_rates_at_least_44_measures_in_all_three_colours(demo: Engine) -> None:
    rating = demo.rate("scs").to_json()
    assert rating["period"] == "2018-03"
    summary = rating["summary"]
    assert summary["rated"] >= 44
    assert summary["no_data"] == 0
    assert summary["red"] > 0 and summary["amber"] > 0 and summary["green"] > 0
    sections = {m["section"] for m in rating["measures"] if m["target"] is not None}
    assert len(sections) >= 8


def test_demo_cic_has_at_least_15_measures(demo: Engine) -> None:
    rating = demo.rate("cic").to_json()
    assert rating["summary"]["measures"] >= 15
    assert rating["summary"]["no_data"] == 0


def test_demo_trend_runs_from_april_2014_with_every_kind_of_band_change(demo: Engine) -> None:
    trend = demo.trend("scs").to_json()
    assert trend["periods"][0] == "2014-04"
    assert trend["periods"][-1] == "2018-03"
    seen: set[tuple[str, str]] = set()
    for measure in trend["measures"]:
        values, rags = measure["values"], measure["rags"]
        if rags[0] is not None:
            assert values[0] is not None, f"{measure['id']} has no value in April 2014"
        seen |= {(a, b) for a, b in itertools.pairwise(rags) if a != b and None not in (a, b)}
    colours = ("red", "amber", "green")
    assert {(a, b) for a in colours for b in colours if a != b} <= seen


def test_demo_explains_every_measure(demo: Engine) -> None:
    """Issue 4: `scorecard explain` succeeds for every measure of the demo, with its breakdowns and the
    UASC cohort wherever the measure's dataset has the column."""
    from scorecard.engine.explain import explain

    cohorts_seen = 0
    for m in demo.config.measures:
        x = explain(demo, m.id, "2018-03").to_json()
        assert x["id"] == m.id
        assert x["trend"], f"{m.id} has no trend"
        assert set(x["breakdowns"]) == set(m.breakdowns), m.id
        cohorts_seen += bool(x["cohorts"])
    assert cohorts_seen > 0
