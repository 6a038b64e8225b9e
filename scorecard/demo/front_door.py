"""Referrals, assessments and child protection.

Children are referred to the front door; some are referred again (the chance of a return
within 12 months follows the year's story); a referral the front door decides to assess
starts a child and family assessment, and some assessments lead to a strategy discussion, an
initial child protection conference and a child protection plan. Ages, referral sources,
plan categories and durations follow England's Children in Need census (2015 to 2017).
"""

from __future__ import annotations

import datetime as dt
from math import log as math_log

import polars as pl

from .care_records import CP_VISITS, done_date, due_series, returns_and_interviews, visits
from .children_in_care import NEED_SHARE
from .rng import Rng, cum_sum_in_group, materialise, pick, shift_in_group
from .stories import StoryBook
from .timeline import (
    DISTRICTS,
    EXTRACT_DATE,
    FIRST_MONTH,
    LAST_MONTH,
    SEASON_REFERRALS,
    WINDOW_START,
    add_working_days,
    censor,
    day_in_month,
    days,
    explode_counts,
    month_index,
    month_start_expr,
    monthly_counts,
    with_story,
)

FRONT_DOOR_ID_BASE = 50_000_000
OPEN_CASE_ID_BASE = 90_000_000
FIRST_REFERRALS_PER_MONTH = 790.0  # children referred for the first time (in the data), scale 1
CHAIN_CONTINUES = 0.4  # chance a referred child is referred again
MAX_REFERRALS = 6
YEAR = 365.25


def referrals(rng: Rng, book: StoryBook, scale: float) -> pl.DataFrame:
    """Every referral from 2012 (so a 2014 referral can have a previous one), one row each."""
    story = book["referrals"]

    def mean(month: int, district: str) -> float:
        return FIRST_REFERRALS_PER_MONTH * scale * story.level(month) * SEASON_REFERRALS[month % 12 + 1] * NEED_SHARE[district]

    cells = monthly_counts("referrals", book.seed, month_index(2012, 1), LAST_MONTH, mean, list(DISTRICTS))
    children = explode_counts(cells).rename({"group": "district"}).lazy()
    children = children.with_columns(
        (pl.col("key") + FRONT_DOOR_ID_BASE).alias("child_id"),
        day_in_month(pl.col("month"), rng.uniform("referral-day")).alias("first_date"),
        _age(rng).alias("age"),
    )
    children = children.with_columns((pl.col("first_date") - days(pl.col("age") * YEAR)).alias("dob"))
    children = with_story(children, "first_date", book["rereferral_12m"], "rereferral")
    # referrals per child: geometric (each referral is followed by another with CHAIN_CONTINUES)
    length = (1 + ((1.0 - rng.uniform("chain")).log() / math_log(CHAIN_CONTINUES)).floor()).clip(1, MAX_REFERRALS)
    chain = children.with_columns(pl.int_ranges(0, length.cast(pl.Int64)).alias("n")).explode("n")
    chain = chain.with_columns((pl.col("key") * 8 + pl.col("n")).alias("rkey"))
    # in a chain, a share CHAIN_CONTINUES of referrals have a previous one: scale the story to that
    quick = rng.uniform("rereferral", "rkey") < (pl.col("rereferral") / CHAIN_CONTINUES).clip(0, 1)
    gap = (
        pl.when(pl.col("n") == 0)
        .then(0.0)
        .when(quick)
        .then(14 + 350 * rng.uniform("gap-quick", "rkey"))
        .otherwise(366 + rng.exponential("gap-slow", 700.0, "rkey"))
    )
    chain = materialise(chain.with_columns(gap.floor().cast(pl.Int64).alias("_gap")))
    chain = chain.with_columns(cum_sum_in_group(pl.col("_gap"), "key").alias("_offset"))
    chain = chain.with_columns((pl.col("first_date") + pl.duration(days=pl.col("_offset"))).alias("referral_date"))
    chain = chain.with_columns(shift_in_group(pl.col("referral_date"), "key").alias("previous_referral"))
    chain = chain.filter(pl.col("referral_date") <= EXTRACT_DATE)
    chain = with_story(chain, "referral_date", book["decision_1wd"], "decision_chance")
    quick_decision = rng.uniform("decision", "rkey") < pl.col("decision_chance")
    decision_wd = (
        pl.when(quick_decision)
        .then((2 * rng.uniform("decision:wd", "rkey")).floor())
        .otherwise(2 + rng.exponential("decision:late", 2.0, "rkey").floor())
    )
    chain = chain.with_columns(
        censor(add_working_days(pl.col("referral_date"), decision_wd.cast(pl.Int64))).alias("decision_date"),
        rng.choice(
            "source",
            [
                ("Police", 0.29),
                ("Schools", 0.18),
                ("Health services", 0.14),
                ("Local authority services", 0.15),
                ("Individual", 0.09),
                ("Other", 0.15),
            ],
            "rkey",
        ).alias("source"),
    )
    chain = chain.with_columns(
        pl.when(pl.col("decision_date").is_null())
        .then(None)
        .otherwise(
            rng.choice("referral-outcome", [("Assessment", 0.70), ("No further action", 0.19), ("Early help", 0.11)], "rkey")
        )
        .alias("outcome"),
        ((pl.col("referral_date") - pl.col("dob")).dt.total_days() / YEAR).alias("age"),
    )
    return (
        chain.select(
            (pl.col("rkey") + 500_000_000).alias("referral_id"),
            "child_id",
            "referral_date",
            "previous_referral",
            "source",
            "decision_date",
            "outcome",
            "district",
            "dob",
            "rkey",
        ).sort("referral_id", maintain_order=True)
    ).collect()


def _age(rng: Rng) -> pl.Expr:
    u, v = rng.uniform("referral-age"), rng.uniform("referral-age:within")
    return (
        pl.when(u < 0.06)
        .then(v)
        .when(u < 0.23)
        .then(1 + 4 * v)
        .when(u < 0.47)
        .then(5 + 5 * v)
        .when(u < 0.83)
        .then(10 + 6 * v)
        .otherwise(16 + 1.95 * v)
    )


def referrals_table(chain: pl.DataFrame) -> pl.DataFrame:
    """The extract's referrals: those received from 1 April 2014."""
    return chain.filter(pl.col("referral_date") >= WINDOW_START).drop("rkey")


def assessments(rng: Rng, book: StoryBook, chain: pl.DataFrame) -> pl.DataFrame:
    """A child and family assessment for every referral decided for assessment."""
    chain = chain.lazy()
    frame = chain.filter(pl.col("outcome") == "Assessment").with_columns(pl.col("decision_date").alias("start_date"))
    frame = with_story(frame, "start_date", book["assessment_45wd"], "chance")
    on_time = rng.uniform("assessment", "rkey") < pl.col("chance")
    wd = (
        pl.when(on_time)
        .then(6 + 39 * rng.uniform("assessment:wd", "rkey").sqrt())
        .otherwise(46 + rng.exponential("assessment:late", 14.0, "rkey"))
    )
    frame = frame.with_columns(
        wd.floor().cast(pl.Int64).alias("_wd"),
        rng.choice(
            "assessment-outcome",
            [("Child in need", 0.45), ("Child protection", 0.15), ("No further action", 0.37), ("Child in care", 0.03)],
            "rkey",
        ).alias("outcome"),
    )
    frame = frame.with_columns(add_working_days(pl.col("start_date"), pl.col("_wd")).alias("_completed"))
    return (frame.with_columns(censor(pl.col("_completed")).alias("completed_date"))).collect()


def assessments_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Assessments open on or after 1 April 2014 (the outcome is known once complete)."""
    table = frame.filter(
        (pl.col("start_date") <= EXTRACT_DATE) & (pl.col("completed_date").is_null() | (pl.col("completed_date") >= WINDOW_START))
    )
    return table.select(
        (pl.col("rkey") + 700_000_000).alias("assessment_id"),
        "child_id",
        "referral_id",
        "start_date",
        "completed_date",
        pl.when(pl.col("completed_date").is_not_null()).then(pl.col("outcome")).alias("outcome"),
        "district",
        "dob",
    ).sort("assessment_id", maintain_order=True)


def protection_plans(rng: Rng, book: StoryBook, frame: pl.DataFrame) -> pl.DataFrame:
    """Strategy discussion, initial conference and child protection plan for assessed children at risk."""
    frame = frame.lazy()
    plans = frame.filter(pl.col("outcome") == "Child protection").with_columns(
        (pl.col("start_date") + days(20 * rng.uniform("strategy", "rkey"))).alias("strategy_date"),
    )
    plans = with_story(plans, "strategy_date", book["icpc_15wd"], "icpc_chance")
    plans = with_story(plans, "strategy_date", book["cp_second"], "second_chance")
    plans = with_story(plans, "strategy_date", book["cp_long"], "long_factor")
    on_time = rng.uniform("icpc", "rkey") < pl.col("icpc_chance")
    wd = pl.when(on_time).then(4 + 11 * rng.uniform("icpc:wd", "rkey")).otherwise(16 + rng.exponential("icpc:late", 5.0, "rkey"))
    plans = plans.with_columns(add_working_days(pl.col("strategy_date"), wd.floor().cast(pl.Int64)).alias("start"))
    length = rng.lognormal("plan-length", 270.0, 0.52, "rkey") * pl.col("long_factor")
    plans = plans.with_columns(
        (pl.col("start") + days(length.clip(30, None))).alias("end_true"),
        pl.when(rng.uniform("second", "rkey") < pl.col("second_chance"))
        .then(1 + (rng.uniform("second:more", "rkey") < 0.25).cast(pl.Int64))
        .otherwise(0)
        .alias("previous_plans"),
        rng.choice(
            "category",
            [("Neglect", 0.48), ("Emotional abuse", 0.35), ("Physical abuse", 0.08), ("Sexual abuse", 0.04), ("Multiple", 0.05)],
            "rkey",
        ).alias("category"),
        pl.col("rkey").alias("key"),
    )
    return (plans.with_columns(censor(pl.col("end_true")).alias("end"))).collect()


def protection_plans_table(plans: pl.DataFrame) -> pl.DataFrame:
    table = plans.filter((pl.col("start") <= EXTRACT_DATE) & (pl.col("end").is_null() | (pl.col("end") >= WINDOW_START)))
    return table.select(
        (pl.col("rkey") + 800_000_000).alias("plan_id"),
        "child_id",
        "strategy_date",
        "start",
        "end",
        "category",
        "previous_plans",
        "district",
        "dob",
    ).sort("plan_id", maintain_order=True)


def protection_reviews(rng: Rng, book: StoryBook, plans: pl.DataFrame) -> pl.DataFrame:
    """Review conferences: three months after the initial conference, then every six months."""
    plans = plans.lazy()
    frame = due_series(plans, pl.col("start") + dt.timedelta(days=91 - 182), pl.lit(182), 1)
    frame = with_story(frame, "due_date", book["cp_review_on_time"], "chance")
    frame = frame.with_columns(
        done_date(
            rng, "cp-review", "rkey", pl.col("due_date"), pl.col("due_date") - dt.timedelta(days=10), pl.col("chance"), 10.0, 0.01
        ).alias("held_date"),
        pl.lit("CP").alias("kind"),
    )
    return (frame.select("child_id", "kind", "due_date", "held_date", "district")).collect()


def protection_visits(rng: Rng, book: StoryBook, plans: pl.DataFrame) -> pl.DataFrame:
    """Visits to children on a plan: the local standard is at least every 20 working days."""
    return visits(rng, book, plans, "CP", "cp_visit_on_time", CP_VISITS)


def open_case_children(rng: Rng, scale: float) -> pl.DataFrame:
    """Children open to social care (in need or on a plan) who go missing, aged 11 to 17."""
    n = max(1, round(1_600 * scale))
    frame = pl.DataFrame({"i": pl.int_range(0, n, eager=True)}).with_columns((pl.col("i") + OPEN_CASE_ID_BASE).alias("child_id"))
    shares = list(NEED_SHARE.items())
    frame = frame.with_columns(
        pick(rng.uniform("open-district", "child_id"), shares).alias("district"),
        pick(rng.uniform("open-as", "child_id"), [("CP", 0.3), ("CIN", 0.7)]).alias("open_as"),
        (pl.lit(dt.date(2005, 6, 1)) - days(rng.uniform("open-dob", "child_id") * 7 * YEAR)).alias("dob"),
        pl.lit(False).alias("uasc"),
    )
    return frame.drop("i")


def missing_episodes_open_cases(rng: Rng, book: StoryBook, scale: float) -> pl.DataFrame:
    """Missing episodes of children open to social care but not in care (child protection, in need)."""
    children = open_case_children(rng, scale).lazy()
    frame = children.with_columns(
        pl.int_ranges(0, (rng.lognormal("open-missing", 1.4, 0.9, "child_id")).floor().cast(pl.Int64) + 1).alias("j")
    ).explode("j")
    frame = frame.with_columns((pl.col("child_id") * 64 + pl.col("j")).alias("mkey"))
    months = LAST_MONTH - FIRST_MONTH + 1
    month = FIRST_MONTH + (rng.uniform("open-missing-month", "mkey") * months).floor().cast(pl.Int32)
    start = month_start_expr(month) + days(rng.uniform("open-missing-day", "mkey") * 28)
    frame = frame.with_columns(start.alias("missing_start"))
    frame = with_story(frame, "missing_start", book["missing_rate"], "rate")
    frame = frame.filter(rng.uniform("open-missing-keep", "mkey") < pl.col("rate") / 1.5)
    age = (pl.col("missing_start") - pl.col("dob")).dt.total_days() / YEAR
    frame = frame.filter(age.is_between(10, 18, closed="left"))
    return (returns_and_interviews(rng, book, frame, "ri_3wd_other")).collect()
