"""Social work posts and caseloads by month, and the fostering service's monthly return.

Each district has assessment, child protection, children in care and care leavers teams;
fostering, adoption, disabled children's and UASC teams are county-wide. Every post is, in a
month, filled by a permanent qualified social worker, covered by an agency worker, or vacant;
how that mix moved over the years is the story `permanent_qualified` (the 2015-16 squeeze of
recruitment, the recovery of 2017), and the seeds' 'CIC team posts filled by permanent
qualified social workers' is the children in care teams' share.
"""

from __future__ import annotations

import random

import polars as pl

from .rng import Rng
from .stories import StoryBook
from .timeline import DISTRICTS, FIRST_MONTH, LAST_MONTH, NEED, month_start_expr, period_expr, period_name, poisson, with_story

DISTRICT_TEAMS: dict[str, tuple[float, float, float]] = {
    # team type: (posts per district at average need, caseload factor, permanent share offset)
    "Assessment": (9.0, 1.15, 0.0),
    "Child Protection": (11.0, 1.0, -0.01),
    "Children in Care": (11.4, 0.9, 0.01),
    "Care Leavers (18+)": (4.0, 1.3, 0.04),
}
COUNTY_TEAMS: dict[str, tuple[float, float, float]] = {
    "Fostering": (22.0, 0.75, 0.08),
    "Adoption": (16.0, 0.7, 0.08),
    "Disabled Children": (24.0, 1.0, 0.05),
    "UASC": (14.0, 1.2, -0.04),
}


def posts(scale: float) -> pl.DataFrame:
    """The establishment: one row per social worker post, with its team."""
    rows: list[tuple[str, str, str]] = []
    for district in DISTRICTS:
        for team_type, (per_district, _, _) in DISTRICT_TEAMS.items():
            n = max(1, round(per_district * NEED[district] ** 0.6 * scale))
            rows += [(f"{district} {team_type}", team_type, district)] * n
    for team_type, (count, _, _) in COUNTY_TEAMS.items():
        rows += [(f"County {team_type}", team_type, "County")] * max(1, round(count * scale))
    frame = pl.DataFrame(rows, schema=["team", "team_type", "district"], orient="row")
    return frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("post_id") + 1)


def staffing(rng: Rng, book: StoryBook, scale: float) -> pl.DataFrame:
    """Posts by month: who fills each post, at what hours, carrying how many cases."""
    teams = {**DISTRICT_TEAMS, **COUNTY_TEAMS}
    frame = (
        posts(scale)
        .lazy()
        .with_columns(
            pl.col("team_type").replace_strict({t: v[1] for t, v in teams.items()}).alias("_load"),
            pl.col("team_type").replace_strict({t: v[2] for t, v in teams.items()}).alias("_offset"),
            rng.choice("fte", [(1.0, 0.8), (0.8, 0.12), (0.6, 0.08)], "post_id").alias("fte"),
        )
    )
    frame = frame.with_columns(pl.int_ranges(FIRST_MONTH, LAST_MONTH + 1).alias("month")).explode("month")
    frame = frame.with_columns(
        (pl.col("post_id") * 4096 + pl.col("month") - FIRST_MONTH).alias("key"),
        month_start_expr(pl.col("month")).alias("_month_start"),
    )
    frame = with_story(frame, "_month_start", book["permanent_qualified"], "permanent")
    frame = with_story(frame, "_month_start", book["vacancy"], "vacancy")
    frame = with_story(frame, "_month_start", book["caseload"], "caseload_level")
    # posts keep their holder most months: 80% of months reuse the post's own draw
    own = rng.uniform("post-holder", "post_id")
    u = pl.when(rng.uniform("post-which") < 0.8).then(own).otherwise(rng.uniform("post-month"))
    permanent = pl.col("permanent") + pl.col("_offset")
    status = (
        pl.when(u < permanent)
        .then(pl.lit("Permanent qualified"))
        .when(u < 1 - pl.col("vacancy"))
        .then(pl.lit("Agency"))
        .otherwise(pl.lit("Vacant"))
    )
    frame = frame.with_columns(status.alias("status"))
    caseload = pl.col("caseload_level") * pl.col("_load") * pl.col("fte") * rng.lognormal("caseload", 1.0, 0.2)
    frame = frame.with_columns(
        pl.when(pl.col("status") == "Vacant").then(None).otherwise(caseload.round(0).cast(pl.Int64)).alias("caseload"),
        period_expr(pl.col("month")).alias("period"),
    )
    return (
        frame.sort("month", "post_id", maintain_order=True).select(
            "period", "post_id", "team", "team_type", "district", "status", "fte", "caseload"
        )
    ).collect()


def fostering_returns(book: StoryBook, scale: float) -> pl.DataFrame:
    """The fostering service's monthly return: approved households and timely carer assessments.

    Carer assessments are simulated one by one (a few a month), then summarised as the service
    reports them: the share of assessments completed in the last 12 months that took 8 months
    or less, with its numerator and denominator; and the approved households at month end.
    """
    rng = random.Random(f"{book.seed}:fostering")
    story = book["carer_approval_8m"]
    completed: dict[int, tuple[int, int]] = {}  # month -> (assessments completed, within 8 months)
    households = 640.0 * scale
    rows: list[tuple[str, str, float, int | None, int | None]] = []
    for month in range(FIRST_MONTH - 12, LAST_MONTH + 1):
        approvals = poisson(rng, 9.0 * scale)
        chance = story.level(month)
        completed[month] = (approvals, sum(1 for _ in range(approvals) if rng.random() < chance))
        households += approvals - poisson(rng, 7.6 * scale)
        if month < FIRST_MONTH:
            continue
        total = sum(completed[m][0] for m in range(month - 11, month + 1))
        on_time = sum(completed[m][1] for m in range(month - 11, month + 1))
        period = period_name(month)
        if total:
            rows.append((period, "FC-ASSESS-8M", round(100.0 * on_time / total, 1), on_time, total))
        rows.append((period, "FC-HOUSEHOLDS", float(round(households)), None, None))
    return pl.DataFrame(
        rows,
        schema={"period": pl.String, "measure": pl.String, "value": pl.Float64, "numerator": pl.Int64, "denominator": pl.Int64},
        orient="row",
    )
