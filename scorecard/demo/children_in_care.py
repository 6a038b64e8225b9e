"""Children in care: who comes into care, where they live, and how their care ends.

One row per child's period of care is simulated from 1996 (so that the children in care in
April 2014 include those who came into care as babies), then split into placement episodes.
Ages at entry, placement types, legal statuses and reasons for leaving care follow the
shape of England's published children-looked-after statistics (SSDA903, 2015 to 2017);
unaccompanied asylum-seeking children (UASC) arrive aged 14 to 17, surge in the second half
of 2015 as they did in Kent, and from July 2016 some are transferred to other councils under
the National Transfer Scheme.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from .rng import Rng, group_start, index_in_group, materialise, pick, shift_in_group
from .stories import StoryBook
from .timeline import (
    DISTRICTS,
    EXTRACT_DATE,
    HISTORY_START,
    LAST_MONTH,
    NEED,
    UASC_DISTRICTS,
    WINDOW_START,
    censor,
    day_in_month,
    days,
    explode_counts,
    month_expr,
    month_of,
    monthly_counts,
    with_story,
)

CHILD_ID_BASE = 10_000_000
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
LEAVING_AT_18 = [("E17", 0.18), ("E5", 0.44), ("E6", 0.12), ("E8", 0.26)]
YEAR = 365.25
DECISION_LATE_MEDIAN = 66.386  # days after the fourth month when adoption was not the plan by then


def _weights(table: dict[str, float], extra: dict[str, float] | None = None) -> dict[str, float]:
    weights = {d: DISTRICTS[d] * (extra or {}).get(d, 1.0) for d in DISTRICTS} if extra else dict(table)
    total = sum(weights.values())
    return {d: w / total for d, w in weights.items()}


NEED_SHARE = _weights(DISTRICTS, NEED)
UASC_SHARE = _weights(UASC_DISTRICTS)
CIC_SEASON = {1: 1.08, 2: 1.0, 3: 1.02, 4: 0.95, 5: 1.03, 6: 1.0, 7: 1.04, 8: 0.9, 9: 0.98, 10: 1.05, 11: 1.03, 12: 0.92}


def simulate_children(rng: Rng, book: StoryBook, scale: float) -> pl.DataFrame:
    """One row per child's period of care, entering care from 1996 to the extract date."""
    first = month_of(HISTORY_START)
    citizen_story, uasc_story = book["citizen_starts"], book["uasc_starts"]

    def citizen_mean(month: int, district: str) -> float:
        return citizen_story.level(month) * scale * CIC_SEASON[month % 12 + 1] * NEED_SHARE[district]

    def uasc_mean(month: int, district: str) -> float:
        return uasc_story.level(month) * scale * UASC_SHARE[district]

    citizens = monthly_counts("cic-citizen", book.seed, first, LAST_MONTH, citizen_mean, list(DISTRICTS))
    uasc = monthly_counts("cic-uasc", book.seed, first, LAST_MONTH, uasc_mean, list(DISTRICTS))
    cells = pl.concat([citizens.with_columns(uasc=pl.lit(False)), uasc.with_columns(uasc=pl.lit(True))])
    children = explode_counts(cells).rename({"group": "district"}).lazy()
    children = children.with_columns(
        (pl.col("key").rank("ordinal").cast(pl.Int64) + CHILD_ID_BASE).alias("child_id"),
        day_in_month(pl.col("month"), rng.uniform("start-day")).alias("start"),
        pl.when(pl.col("uasc"))
        .then(rng.choice("sex-uasc", [("1", 0.93), ("2", 0.07)]))
        .otherwise(rng.choice("sex", [("1", 0.55), ("2", 0.45)]))
        .alias("sex"),
        _age_at_entry(rng).alias("entry_age"),
    ).drop("month")
    children = children.with_columns(
        (pl.col("start") - days(pl.col("entry_age") * YEAR)).alias("dob"),
    ).with_columns(pl.col("dob").dt.offset_by("18y").alias("eighteenth"))
    children = with_story(children, "start", book["uasc_transfer"], "transfer_share")
    children = with_story(children, "start", book["sole_plan_4m"], "sole_plan_share")
    children = with_story(children, "start", book["adoption_plans"], "adoption_factor")
    children = children.with_columns(_route(rng).alias("route"))
    children = _adoption_timeline(rng, book, children)
    return _care_ends(rng, children).collect()


def _age_at_entry(rng: Rng) -> pl.Expr:
    u, v = rng.uniform("age-band"), rng.uniform("age-within")
    citizen = (
        pl.when(u < 0.22)
        .then(v * v)  # under 1, most in their first weeks
        .when(u < 0.39)
        .then(1 + 4 * v)
        .when(u < 0.55)
        .then(5 + 5 * v)
        .when(u < 0.84)
        .then(10 + 6 * v)
        .otherwise(16 + 1.95 * v)
    )
    uasc = (
        pl.when(u < 0.05)
        .then(13 + v)
        .when(u < 0.13)
        .then(14 + v)
        .when(u < 0.35)
        .then(15 + v)
        .when(u < 0.70)
        .then(16 + v)
        .otherwise(17 + 0.95 * v)
    )
    return pl.when(pl.col("uasc")).then(uasc).otherwise(citizen)


def _route(rng: Rng) -> pl.Expr:
    """How the period of care will end: the plan that in the end came about.

    The share of young children whose plan becomes adoption moves with the story
    `adoption_plans` (a factor on the usual share); at a factor of 1 the draw maps onto the
    routes exactly as the weights say.
    """
    u = rng.uniform("route")
    age = pl.col("entry_age")
    uasc_route = (
        pl.when(u < pl.col("transfer_share"))
        .then(pl.lit("transfer"))
        .when(u < pl.col("transfer_share") + 0.07)
        .then(pl.lit("other"))
        .otherwise(pl.lit("long"))
    )
    return (
        pl.when(pl.col("uasc"))
        .then(uasc_route)
        .when(age < 1)
        .then(_with_adoption(u, [("adoption", 0.62), ("home", 0.13), ("sgo", 0.15), ("long", 0.06), ("other", 0.04)]))
        .when(age < 5)
        .then(_with_adoption(u, [("adoption", 0.42), ("home", 0.24), ("sgo", 0.18), ("long", 0.10), ("other", 0.06)]))
        .when(age < 10)
        .then(_with_adoption(u, [("adoption", 0.05), ("home", 0.42), ("sgo", 0.17), ("long", 0.25), ("other", 0.11)]))
        .when(age < 16)
        .then(pick(u, [("home", 0.50), ("sgo", 0.05), ("long", 0.29), ("other", 0.16)]))
        .otherwise(pick(u, [("home", 0.33), ("long", 0.42), ("other", 0.25)]))
    )


def _with_adoption(u: pl.Expr, options: list[tuple[object, float]]) -> pl.Expr:
    """`pick` with the first option (adoption) scaled by the column `adoption_factor`: the draws
    above the scaled share are spread over the other options in their proportions."""
    share = options[0][1] / sum(w for _, w in options)
    scaled = (share * pl.col("adoption_factor")).clip(0.0, 0.99)
    rest = share + (u - scaled) * (1 - share) / (1 - scaled)
    return pl.when(u < scaled).then(pl.lit("adoption")).otherwise(pick(rest, options))


def _adoption_timeline(rng: Rng, book: StoryBook, children: pl.LazyFrame) -> pl.LazyFrame:
    """Agency decision, court authority (placement order), match, placement and adoption order."""
    adoptive = pl.col("route") == "adoption"
    on_time = rng.uniform("sole-plan") < pl.col("sole_plan_share")
    decision_days = (
        pl.when(on_time)
        .then(25 + 93 * rng.uniform("decision-days"))
        .otherwise(126 + rng.lognormal("decision-late", DECISION_LATE_MEDIAN, 0.8))
    )
    children = children.with_columns(
        pl.when(adoptive).then(pl.col("start") + days(decision_days)).alias("agency_decision"),
        (adoptive & rng.chance("plan-changed", 0.12)).alias("plan_changed"),
    )
    children = children.with_columns(
        pl.when(adoptive & (~pl.col("plan_changed") | rng.chance("order-then-change", 0.5)))
        .then(pl.col("agency_decision") + days(rng.lognormal("order-days", 150.0, 0.35)))
        .alias("placement_order")
    )
    children = with_story(children, "placement_order", book["authority_to_match"], "match_mean")
    children = with_story(children, "placement_order", book["match_spread"], "match_sigma")
    # lognormal around the story's mean; the spread widens when more children are hard to place
    sigma = pl.col("match_sigma")
    mean_one = 1.106 * ((sigma * sigma - 0.45 * 0.45) / 2).exp()  # the draw's mean (1.106 at sigma 0.45)
    match_days = (rng.normal("match-days") * sigma).exp() * pl.col("match_mean") / mean_one
    introductions = 10 + 25 * rng.uniform("introductions")  # days from the match to moving in
    children = children.with_columns(
        pl.when(~pl.col("plan_changed")).then(pl.col("placement_order") + days(match_days) + days(introductions)).alias("placed")
    )
    # the match is dated back from the move: panels and introductions took longer in some months
    children = with_story(children, "placed", book["match_to_placement"], "intro_factor")
    dated_back = pl.col("placed") - days(introductions * pl.col("intro_factor"))
    children = children.with_columns(
        pl.when(pl.col("placed").is_not_null()).then(pl.max_horizontal(dated_back, "placement_order")).alias("matched")
    )
    return children.with_columns(
        (pl.col("placed") + days(rng.lognormal("to-order", 270.0, 0.3).clip(70, None))).alias("adopted")
    ).drop("match_mean", "match_sigma", "intro_factor", "sole_plan_share", "transfer_share", "adoption_factor")


def _care_ends(rng: Rng, children: pl.LazyFrame) -> pl.LazyFrame:
    route = pl.col("route")
    length = (
        pl.when(route == "home")
        .then(rng.lognormal("stay-home", 160.0, 1.0))
        .when(route == "sgo")
        .then(rng.lognormal("stay-sgo", 450.0, 0.45))
        .when(route == "other")
        .then(rng.lognormal("stay-other", 250.0, 1.0))
        .when(route == "transfer")
        .then(rng.lognormal("stay-transfer", 30.0, 0.6))
        .otherwise(None)
    )
    planned_end = (
        pl.when(route == "adoption")
        .then(
            pl.when(pl.col("plan_changed"))
            .then(pl.col("agency_decision") + days(rng.lognormal("stay-changed", 600.0, 0.5)))
            .otherwise(pl.col("adopted"))
        )
        .when(route == "long")
        .then(pl.col("eighteenth"))
        .otherwise(pl.col("start") + days(length.clip(1, None)))
    )
    children = children.with_columns(pl.min_horizontal(planned_end, pl.col("eighteenth")).alias("end_true"))
    children = children.with_columns(
        (pl.col("end_true") == pl.col("eighteenth")).alias("left_at_18"),
        censor(pl.col("end_true")).alias("end"),
    )
    return children.with_columns(_reason_ceased(rng).alias("care_reason"))


def _reason_ceased(rng: Rng) -> pl.Expr:
    u = rng.uniform("reason-ceased")
    route = pl.col("route")
    return (
        pl.when(pl.col("end").is_null())
        .then(None)
        .when(pl.col("left_at_18"))
        .then(pick(u, LEAVING_AT_18))
        .when(route == "adoption")
        .then(
            pl.when(pl.col("plan_changed"))
            .then(pick(u, [("E45", 0.6), ("E46", 0.2), ("E48", 0.2)]))
            .otherwise(pick(u, [("E11", 0.8), ("E12", 0.2)]))
        )
        .when(route == "home")
        .then(pick(u, [("E4A", 0.62), ("E4B", 0.14), ("E13", 0.24)]))
        .when(route == "sgo")
        .then(pick(u, [("E45", 0.55), ("E46", 0.25), ("E48", 0.20)]))
        .when(route == "transfer")
        .then(pl.lit("E15"))
        .otherwise(pick(u, [("E3", 0.3), ("E8", 0.35), ("E9", 0.1), ("E15", 0.1), ("E16", 0.05), ("E7", 0.1)]))
    )


# --------------------------------------------------------------------------- placements


def placement_episodes(rng: Rng, book: StoryBook, children: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Split each period of care into placements; one row per placement episode."""
    children = children.lazy()
    moves = _placement_moves(rng, book, children)
    firsts = children.select("key", pl.col("start").alias("t"), pl.lit("first").alias("kind"))
    adoptive = children.filter(pl.col("placed").is_not_null() & (pl.col("placed") < pl.col("end_true"))).select(
        "key", pl.col("placed").alias("t"), pl.lit("adoptive").alias("kind")
    )
    changes = materialise(pl.concat([firsts, moves, adoptive]).sort("key", "t", maintain_order=True))
    changes = changes.filter(group_start("key") | (pl.col("t") != pl.col("t").shift(1)))  # one change a day
    episodes = changes.join(
        children.select("key", "child_id", "start", "end_true", "care_reason", "dob", "uasc", "route", "placement_order"),
        on="key",
        how="left",
        maintain_order="left",
    )
    episodes = episodes.with_columns(
        shift_in_group(pl.col("t"), "key", -1).alias("next_t"),
        index_in_group("key").alias("seq"),
    ).with_columns(
        pl.col("t").alias("ep_start"),
        pl.coalesce("next_t", "end_true").alias("ep_end_true"),
        (pl.col("key") * 64 + pl.col("seq")).alias("ep_key"),
        ((pl.col("t") - pl.col("dob")).dt.total_days() / YEAR).alias("ep_age"),
    )
    episodes = materialise(episodes.filter(pl.col("ep_end_true") > pl.col("ep_start")))
    episodes = with_story(episodes, "ep_start", book["inhouse_foster"], "inhouse_share")
    episodes = with_story(episodes, "ep_start", book["far_placement"], "far_factor")
    episodes = episodes.with_columns(_placement_type(rng).alias("placement"))
    episodes = episodes.with_columns(
        _long_term(pl.col("placement"), pl.col("ep_end_true") - pl.col("ep_start")).alias("placement")
    )
    episodes = episodes.with_columns(_provider(rng).alias("provider"), _legal_status(rng).alias("legal_status"))
    # an interim or emergency order that outlasts the court timetable has become a full care order
    final_order = (pl.col("ep_end_true") - pl.col("start")).dt.total_days() > 300
    episodes = episodes.with_columns(
        pl.when(pl.col("legal_status").is_in(["C1", "L1", "L2"]) & final_order)
        .then(pl.lit("C2"))
        .otherwise(pl.col("legal_status"))
        .alias("legal_status"),
        _distance(rng).alias("distance_miles"),
    )
    last = pl.col("next_t").is_null()
    return episodes.with_columns(
        censor(pl.col("ep_end_true")).alias("ep_end"),
        pl.when(last).then(pl.col("care_reason")).otherwise(pl.lit("X1")).alias("reason_ceased"),
        shift_in_group(pl.col("ep_end_true"), "key", 2).alias("prior2_end"),
    ).collect()


def _placement_moves(rng: Rng, book: StoryBook, children: pl.LazyFrame) -> pl.LazyFrame:
    """Placement changes: a Poisson process thinned by the year's placement stability.

    Each child has a mobility of their own (some children move far more than others);
    many first placements are emergency placements that end within weeks.
    """
    most = 1.2  # the highest hazard: the year's rate (at most 0.7) times the early-care factor (at most 1.65)
    phase_end = pl.coalesce(pl.when(pl.col("placed") < pl.col("end_true")).then(pl.col("placed")), pl.col("end_true"))
    span = (phase_end - pl.col("start")).dt.total_days()
    mobility = rng.lognormal("mobility", 1.0, 0.85) * pl.when(pl.col("uasc")).then(1.3).otherwise(1.0)
    candidates = children.select(
        "key",
        "start",
        span.alias("span"),
        (most * mobility * span / YEAR + rng.uniform("moves-frac")).floor().clip(0, 40).cast(pl.Int64).alias("n"),
        (rng.chance("emergency", 0.3) & (span > 45)).alias("emergency"),
    )
    emergency = candidates.filter("emergency").select(
        "key", (pl.col("start") + days(3 + 40 * rng.uniform("emergency-days"))).alias("t")
    )
    moves = (
        candidates.filter(pl.col("n") > 0)
        .with_columns(pl.int_ranges(0, pl.col("n")).alias("i"))
        .explode("i")
        .with_columns((pl.col("key") * 64 + pl.col("i")).alias("mkey"))
        .with_columns((pl.col("start") + days(pl.col("span") * rng.uniform("move-at", "mkey"))).alias("t"))
    )
    moves = with_story(moves, "t", book["move_rate"], "rate")
    # moves are likeliest early in care; children long in care mostly stay put
    years_in_care = (pl.col("t") - pl.col("start")).dt.total_days() / YEAR
    settling = 0.22 + 1.5 * (-years_in_care / 0.6).exp()
    moves = moves.filter(rng.uniform("move-keep", "mkey") < pl.col("rate") * settling / most).select("key", "t")
    return pl.concat([emergency, moves]).with_columns(pl.lit("move").alias("kind"))


def _placement_type(rng: Rng) -> pl.Expr:
    u = rng.uniform("placement", "ep_key")
    age = pl.col("ep_age")
    citizen = (
        pl.when(age < 5)
        .then(pick(u, [("F", 0.90), ("P1", 0.06), ("R1", 0.02), ("Z1", 0.02)]))
        .when(age < 10)
        .then(pick(u, [("F", 0.88), ("P1", 0.06), ("K2", 0.03), ("S1", 0.015), ("Z1", 0.015)]))
        .when(age < 16)
        .then(
            pick(
                u, [("F", 0.78), ("K2", 0.08), ("P1", 0.05), ("S1", 0.02), ("H5", 0.03), ("K1", 0.01), ("R1", 0.01), ("Z1", 0.02)]
            )
        )
        .otherwise(pick(u, [("F", 0.50), ("H5", 0.26), ("K2", 0.11), ("P2", 0.06), ("P1", 0.03), ("R5", 0.01), ("Z1", 0.03)]))
    )
    uasc = (
        pl.when(age < 16)
        .then(pick(u, [("F", 0.82), ("K2", 0.15), ("H5", 0.03)]))
        .otherwise(pick(u, [("H5", 0.50), ("F", 0.38), ("K2", 0.10), ("P2", 0.02)]))
    )
    relative = rng.chance("relative", pl.when(pl.col("uasc")).then(0.03).otherwise(0.17), "ep_key")
    broad = (
        pl.when(pl.col("kind") == "adoptive")
        .then(pick(rng.uniform("adoptive", "ep_key"), [("A6", 0.65), ("A5", 0.35)]))
        .otherwise(pl.when(pl.col("uasc")).then(uasc).otherwise(citizen))
    )
    return pl.when(broad == "F").then(pl.when(relative).then(pl.lit("U3")).otherwise(pl.lit("U6"))).otherwise(broad)


def _long_term(placement: pl.Expr, length: pl.Expr) -> pl.Expr:
    """Foster placements that last a year or more are recorded as long-term (U1, U4)."""
    long_term = length.dt.total_days() >= 365
    return (
        pl.when(long_term & (placement == "U3"))
        .then(pl.lit("U1"))
        .when(long_term & (placement == "U6"))
        .then(pl.lit("U4"))
        .otherwise(placement)
    )


def _provider(rng: Rng) -> pl.Expr:
    place = pl.col("placement")
    u = rng.uniform("provider", "ep_key")
    inhouse = pl.col("inhouse_share") - pl.when(pl.col("uasc")).then(0.08).otherwise(0.0)
    # the story is the in-house/relatives share of all foster placements; relatives are ~15% of them
    inhouse_of_strangers = ((inhouse - 0.15) / 0.85).clip(0.0, 1.0)
    return (
        pl.when(place.is_in(["U1", "U2", "U3"]))
        .then(pl.lit("relatives-friends"))
        .when(place.is_in(["U4", "U5", "U6"]))
        .then(pl.when(u < inhouse_of_strangers).then(pl.lit("in-house")).otherwise(pl.lit("agency")))
        .when(place.is_in(["A5", "A6"]))
        .then(pl.when(u < 0.75).then(pl.lit("in-house")).otherwise(pl.lit("agency")))
        .when(place == "K2")
        .then(pl.when(u < 0.3).then(pl.lit("in-house")).otherwise(pl.lit("agency")))
        .when(place == "H5")
        .then(pl.when(u < 0.2).then(pl.lit("in-house")).otherwise(pl.lit("agency")))
        .when(place == "P1")
        .then(pl.lit("parents"))
        .otherwise(pl.lit("other"))
    )


def _legal_status(rng: Rng) -> pl.Expr:
    u = rng.uniform("legal", "ep_key")
    since_start = (pl.col("ep_start") - pl.col("start")).dt.total_days()
    first = (
        pl.when(pl.col("ep_age") >= 10)
        .then(pick(u, [("V2", 0.34), ("C1", 0.44), ("L2", 0.07), ("L1", 0.09), ("J2", 0.06)]))
        .otherwise(pick(u, [("V2", 0.30), ("C1", 0.52), ("L2", 0.09), ("L1", 0.09)]))
    )
    later = (
        pl.when(since_start > 180)
        .then(pick(u, [("C2", 0.74), ("V2", 0.20), ("C1", 0.06)]))
        .otherwise(pick(u, [("C1", 0.55), ("V2", 0.33), ("C2", 0.12)]))
    )
    return (
        pl.when(pl.col("uasc"))
        .then(pick(u, [("V2", 0.96), ("C2", 0.04)]))
        .when(pl.col("placement_order") <= pl.col("ep_start"))
        .then(pl.lit("E1"))
        .when(pl.col("seq") == 0)
        .then(first)
        .otherwise(later)
    )


def _distance(rng: Rng) -> pl.Expr:
    place, provider = pl.col("placement"), pl.col("provider")
    median = (
        pl.when(provider == "relatives-friends")
        .then(5.0)
        .when(place.is_in(["U4", "U5", "U6"]) & (provider == "in-house"))
        .then(4.5)
        .when(place.is_in(["U4", "U5", "U6"]))
        .then(11.0)
        .when(place == "K2")
        .then(pl.when(provider == "in-house").then(8.0).otherwise(26.0))
        .when(place == "H5")
        .then(9.0)
        .when(place.is_in(["P1", "P2"]))
        .then(2.5)
        .when(place.is_in(["A5", "A6"]))
        .then(14.0)
        .otherwise(30.0)
    )
    return (rng.lognormal("distance", 1.0, 0.75, "ep_key") * median * pl.col("far_factor")).round(1)


def cic_episodes_table(episodes: pl.DataFrame, children: pl.DataFrame) -> pl.DataFrame:
    """The extract's episodes: every placement episode open on or after 1 April 2014."""
    table = episodes.filter(
        (pl.col("ep_start") <= EXTRACT_DATE) & (pl.col("ep_end").is_null() | (pl.col("ep_end") >= WINDOW_START))
    ).join(children.select("key", "district", "sex"), on="key", how="left", maintain_order="left")
    return table.select(
        (pl.col("ep_key") + 1_000_000_000).alias("episode_id"),
        "child_id",
        pl.col("start").alias("care_start"),
        pl.col("ep_start").alias("start"),
        pl.col("ep_end").alias("end"),
        "placement",
        "provider",
        "legal_status",
        pl.when(pl.col("ep_end").is_null()).then(None).otherwise(pl.col("reason_ceased")).alias("reason_ceased"),
        "district",
        "uasc",
        "sex",
        "dob",
        "distance_miles",
        censor(pl.col("prior2_end")).alias("prior2_end"),
    ).sort("child_id", "start", maintain_order=True)


def in_care_during_window(children: pl.DataFrame) -> pl.DataFrame:
    """Children whose period of care overlaps the reporting window."""
    return children.filter((pl.col("start") <= EXTRACT_DATE) & (pl.col("end_true") >= WINDOW_START - dt.timedelta(days=400)))


def month_of_expr(date: str) -> pl.Expr:
    return month_expr(pl.col(date))
