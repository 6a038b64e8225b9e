"""The benchmark's pieces at a tiny size: the generator writes what the basic config declares, and the
DuckDB peer computes the same values and bands as the engine. No timings are asserted here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from bench import duckdb_peer
from bench.fixture import basic_as_parquet
from bench.national import generate
from scorecard.engine.engine import Engine


def _disagreements(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if ours["periods"] != theirs["periods"]:
        return [f"periods differ: {ours['periods'][:3]}... vs {theirs['periods'][:3]}..."]
    peer = {m["id"]: m for m in theirs["measures"]}
    for m in ours["measures"]:
        other = peer[m["id"]]
        for i, period in enumerate(ours["periods"]):
            a, b = (m["values"][i], m["rags"][i]), (other["values"][i], other["rags"][i])
            if a != b:
                out.append(f"{m['id']} {period}: engine {a}, duckdb {b}")
    return out


def test_generator_writes_the_declared_columns(tmp_path: Path) -> None:
    w = generate(tmp_path, size=0.0005, seed=1)
    episodes = pl.read_parquet(w.data_dir / "episodes.parquet")
    assert episodes.columns == ["child_id", "start", "end", "placement", "district", "uasc", "dob"]
    assert episodes["end"].null_count() > 0
    assert pl.read_parquet(w.data_dir / "health.parquet").columns == ["child_id", "entered_care", "iha_date", "uasc"]
    assert w.rows["episodes"] == 500 and w.rows["health"] == 1250
    assert 'file = "episodes.parquet"' in w.config.read_text()


def test_duckdb_peer_agrees_with_the_engine_on_generated_data(tmp_path: Path) -> None:
    w = generate(tmp_path, size=0.001, seed=3)
    ours = Engine.load(w.config).trend().to_json()
    assert len(ours["periods"]) == 120
    assert _disagreements(ours, duckdb_peer.trend(w.data_dir)) == []


def test_duckdb_peer_agrees_with_the_engine_on_the_basic_fixture(tmp_path: Path) -> None:
    config = basic_as_parquet(tmp_path)
    ours = Engine.load(config).trend().to_json()
    assert _disagreements(ours, duckdb_peer.trend(tmp_path / "data")) == []


def test_the_benchmark_compiles_the_package_first_whatever_pythondontwritebytecode_says(
        tmp_path: Path, monkeypatch: Any) -> None:
    """bench/run.py times the package as installed (its modules compiled), not a checkout that compiles every
    module in every timed process because this environment sets PYTHONDONTWRITEBYTECODE."""
    import importlib.util
    import sys

    from bench import run

    package = tmp_path / "scorecard"
    package.mkdir()
    (package / "mod.py").write_text("X = 1\n")
    monkeypatch.setattr(run, "ROOT", tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert run.compile_package()
    assert Path(importlib.util.cache_from_source(str(package / "mod.py"))).is_file()
