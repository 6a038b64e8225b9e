"""Generate the demo county's case management extract as Parquet tables.

    generate(Path("data/demo"), scale=1, seed=1)

Scale 1 is a county of about 2,000 children in care across Kent's 12 districts, April 2014 to
March 2018 (the extract date, 31 March 2018). Everything is drawn with polars expressions keyed
by record (see `rng`), so the same seed gives the same tables byte for byte, and scale 100
(some 40 million records) takes well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from . import care_records, children_in_care, county, front_door, workforce
from .rng import Rng
from .stories import StoryBook

TABLES = (
    "referrals",
    "assessments",
    "cp_plans",
    "cic_episodes",
    "health_assessments",
    "health_checks",
    "peps",
    "reviews",
    "visits",
    "missing",
    "adoptions",
    "care_leavers",
    "staffing",
    "fostering_returns",
    "population",
    "districts",
)


def generate(out_dir: Path, scale: float = 1, seed: int = 1) -> dict[str, int]:
    """Write every table to `out_dir` (Parquet, plus comparators.csv); return rows written per table."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, frame in build_tables(scale, seed):
        # the committed demo is small, so squeeze it; large scales favour speed
        level = 19 if frame.height < 200_000 else 3
        frame.write_parquet(out_dir / f"{name}.parquet", compression="zstd", compression_level=level, statistics=True)
        written[name] = frame.height
    comparators = county.comparators()
    comparators.write_csv(out_dir / "comparators.csv")
    written["comparators"] = comparators.height
    return written


def build_tables(scale: float, seed: int) -> Iterator[tuple[str, pl.DataFrame]]:
    """Every table in turn, built from the simulated county (one at a time, to keep memory down)."""
    rng, book = Rng(seed), StoryBook(seed)
    children = children_in_care.simulate_children(rng, book, scale)
    episodes = children_in_care.placement_episodes(rng, book, children)
    yield "cic_episodes", children_in_care.cic_episodes_table(episodes, children)
    del episodes
    yield "adoptions", care_records.adoptions(children)
    yield "care_leavers", care_records.care_leavers(rng, book, children)
    in_window = children_in_care.in_care_during_window(children)
    del children
    yield "health_assessments", care_records.initial_health_assessments(rng, book, in_window)
    yield "health_checks", care_records.health_checks(rng, book, in_window)
    yield "peps", care_records.personal_education_plans(rng, book, in_window)
    yield "missing", _missing(rng, book, in_window, scale)

    chain = front_door.referrals(rng, book, scale)
    yield "referrals", front_door.referrals_table(chain)
    assessed = front_door.assessments(rng, book, chain)
    del chain
    yield "assessments", front_door.assessments_table(assessed)
    plans = front_door.protection_plans(rng, book, assessed)
    del assessed
    yield "cp_plans", front_door.protection_plans_table(plans)
    yield "reviews", _reviews(rng, book, in_window, plans)
    yield "visits", _visits(rng, book, in_window, plans)
    del plans, in_window

    yield "staffing", workforce.staffing(rng, book, scale)
    yield "fostering_returns", workforce.fostering_returns(book, scale)
    yield "population", county.population(scale)
    yield "districts", county.districts()


def _reviews(rng: Rng, book: StoryBook, children: pl.DataFrame, plans: pl.DataFrame) -> pl.DataFrame:
    cic = care_records.cic_reviews(rng, book, children)
    cp = front_door.protection_reviews(rng, book, plans)
    return pl.concat([cic, cp]).sort("due_date", "child_id", maintain_order=True)


def _visits(rng: Rng, book: StoryBook, children: pl.DataFrame, plans: pl.DataFrame) -> pl.DataFrame:
    cic = care_records.visits(rng, book, children, "CIC", "cic_visit_on_time", care_records.CIC_VISITS)
    cp = front_door.protection_visits(rng, book, plans)
    return pl.concat([cic, cp]).sort("visit_date", "child_id", maintain_order=True)


def _missing(rng: Rng, book: StoryBook, children: pl.DataFrame, scale: float) -> pl.DataFrame:
    cic = care_records.missing_episodes(rng, book, children)
    others = front_door.missing_episodes_open_cases(rng, book, scale)
    return pl.concat([cic, others]).sort("missing_start", "child_id", maintain_order=True)
