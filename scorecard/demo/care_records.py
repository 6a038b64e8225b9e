"""What the case management system records about children in care, beyond their placements.

Health assessments, dental checks and strengths-and-difficulties questionnaires; personal
education plans; looked-after reviews and statutory visits; missing episodes and return
interviews; the adoption timeline; and care leavers' contact, accommodation and activity.
Each record is due by the statutory timescale and is done on time with the chance the year's
story gives, late, or not at all; nothing dated after the extract date is shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from .rng import Rng, cum_sum_in_group, materialise, pick, shift_in_group
from .stories import StoryBook
from .timeline import (
    EXTRACT_DATE,
    FIRST_MONTH,
    LAST_MONTH,
    WINDOW_START,
    add_working_days,
    censor,
    days,
    month_expr,
    month_start_expr,
    period_expr,
    with_story,
)

YEAR = 365.25
EET_CODES = ("F1", "P1", "F2", "P2", "F3", "P3")
RHA_BOOKED_WITHIN = 4  # days: a review health assessment is booked near its anniversary
IHA_REFUSED = 0.1711  # of the initial health assessments not done in time, the share the young person refused


def _care_end() -> pl.Expr:
    """The last day the child is known to be in care: the day before leaving, or the extract date."""
    return pl.min_horizontal(pl.col("end_true") - dt.timedelta(days=1), pl.lit(EXTRACT_DATE))


def done_date(
    rng: Rng, name: str, key: str, due: pl.Expr, earliest: pl.Expr, chance: pl.Expr, late_mean: float, never: float
) -> pl.Expr:
    """When a due task was done: on time with `chance`, otherwise late or (rarely) never."""
    u = rng.uniform(name, key)
    window = (due - earliest).dt.total_days().clip(0, None)
    on_time = earliest + days(window * rng.uniform(name + ":when", key))
    late = due + days(1 + rng.exponential(name + ":late", late_mean, key))
    done = pl.when(u < chance).then(on_time).when(u < chance + (1 - chance) * (1 - never)).then(late)
    return censor(done.otherwise(None))


def due_series(children: pl.DataFrame, anchor: pl.Expr, interval: pl.Expr, first_k: int) -> pl.DataFrame:
    """One row per due date `anchor + k * interval` (k >= first_k) in the window while in care."""
    frame = children.with_columns(anchor.alias("_anchor"), interval.alias("_interval"), _care_end().alias("_last"))
    lo = ((pl.lit(WINDOW_START) - pl.col("_anchor")).dt.total_days() / pl.col("_interval")).ceil()
    hi = ((pl.col("_last") - pl.col("_anchor")).dt.total_days() / pl.col("_interval")).floor()
    frame = frame.with_columns(lo.clip(first_k, None).cast(pl.Int64).alias("_lo"), hi.cast(pl.Int64).alias("_hi")).filter(
        pl.col("_hi") >= pl.col("_lo")
    )
    frame = frame.with_columns(pl.int_ranges("_lo", pl.col("_hi") + 1).alias("k")).explode("k")
    return frame.with_columns(
        (pl.col("_anchor") + pl.duration(days=pl.col("k") * pl.col("_interval"))).alias("due_date"),
        (pl.col("key") * 1024 + pl.col("k")).alias("rkey"),
    ).drop("_anchor", "_interval", "_last", "_lo", "_hi")


def _age_at(date: pl.Expr) -> pl.Expr:
    return (date - pl.col("dob")).dt.total_days() / YEAR


# --------------------------------------------------------------------------- health


def initial_health_assessments(rng: Rng, book: StoryBook, children: pl.DataFrame) -> pl.DataFrame:
    """One row per child due an initial health assessment (20 working days after entering care)."""
    children = children.lazy()
    frame = children.with_columns(add_working_days(pl.col("start"), 20).alias("due"))
    frame = frame.filter(pl.col("due").is_between(WINDOW_START, EXTRACT_DATE) & (pl.col("end_true") > pl.col("due")))
    frame = with_story(frame, "due", book["iha_on_time"], "chance")
    chance = pl.col("chance") - pl.when(pl.col("uasc")).then(0.06).otherwise(0.0)
    u = rng.uniform("iha")
    in_time = add_working_days(pl.col("start"), (1 + 19 * rng.uniform("iha:wd")).floor().cast(pl.Int64))
    late = add_working_days(pl.col("start"), 21 + rng.exponential("iha:late", 14.0).floor().cast(pl.Int64))
    refused = (u >= chance) & rng.chance("iha:refused", IHA_REFUSED)
    frame = frame.with_columns(
        refused.alias("refused"),
        censor(pl.when(u < chance).then(in_time).when(~refused & rng.chance("iha:done", 0.9)).then(late)).alias("iha_date"),
    )
    return (
        frame.select("child_id", pl.col("start").alias("entered_care"), "iha_date", "refused", "uasc", "district", "dob").sort(
            "child_id", maintain_order=True
        )
    ).collect()


def health_checks(rng: Rng, book: StoryBook, children: pl.DataFrame) -> pl.DataFrame:
    """Review health assessments, dental checks and SDQs due for children in care."""
    children = children.lazy()
    young = pl.col("entry_age") < 4.5
    review = due_series(
        children, pl.col("start") + dt.timedelta(days=28), pl.when(young).then(183).otherwise(365), 1
    ).with_columns(pl.lit("RHA").alias("check"))
    # a review is booked near its anniversary, within RHA_BOOKED_WITHIN days either side
    booked = ((rng.uniform("rha-booked", "rkey") * 2 - 1) * RHA_BOOKED_WITHIN).round(0).cast(pl.Int64)
    review = review.with_columns((pl.col("due_date") + pl.duration(days=booked)).alias("due_date")).filter(
        pl.col("due_date").is_between(WINDOW_START, EXTRACT_DATE)
    )
    dental = due_series(children, pl.col("start"), pl.lit(365), 1).with_columns(pl.lit("DENTAL").alias("check"))
    sdq = due_series(children, pl.col("start") + dt.timedelta(days=30), pl.lit(365), 1)
    sdq = sdq.filter(_age_at(pl.col("due_date")).is_between(4, 17, closed="left")).with_columns(pl.lit("SDQ").alias("check"))
    parts = []
    for number, (frame, story) in enumerate(((review, "rha_on_time"), (dental, "dental_on_time"), (sdq, "sdq_on_time"))):
        frame = with_story(frame, "due_date", book[story], "chance")
        frame = frame.with_columns((pl.col("rkey") * 4 + number).alias("ckey"))
        chance = pl.col("chance") - pl.when(pl.col("uasc")).then(0.05).otherwise(0.0)
        frame = frame.with_columns(
            done_date(rng, "check", "ckey", pl.col("due_date"), pl.col("due_date") - dt.timedelta(days=60), chance, 30.0,
                      0.08).alias("done_date")
        )
        parts.append(frame)
    frame = pl.concat(parts, how="diagonal_relaxed")
    return (
        frame.select("child_id", "check", "due_date", "done_date", "uasc", "district", "dob").sort(
            "child_id", "due_date", maintain_order=True
        )
    ).collect()


# --------------------------------------------------------------------------- education


def personal_education_plans(rng: Rng, book: StoryBook, children: pl.DataFrame) -> pl.DataFrame:
    """Termly personal education plans for school-age children in care (5 to 15 at the due date)."""
    children = children.lazy()
    frame = due_series(children, pl.col("start") + dt.timedelta(days=28), pl.lit(122), 0)
    frame = frame.filter(_age_at(pl.col("due_date")).is_between(5, 16, closed="left"))
    frame = with_story(frame, "due_date", book["pep_meeting_on_time"], "meeting_chance")
    frame = with_story(frame, "due_date", book["pep_document_on_time"], "document_chance")
    frame = with_story(frame, "due_date", book["pep_good"], "good_chance")
    earliest = pl.col("due_date") - dt.timedelta(days=40)
    frame = frame.with_columns(
        done_date(rng, "pep", "rkey", pl.col("due_date"), earliest, pl.col("meeting_chance"), 20.0, 0.05).alias("meeting_date")
    )
    # the plan document is finished after the meeting and is on time when stored by the due date:
    # the same draw as the meeting's, so a plan on time had its meeting on time
    on_time_doc = rng.uniform("pep", "rkey") < pl.min_horizontal("document_chance", "meeting_chance")
    doc_lag = (
        pl.when(on_time_doc)
        .then((pl.col("due_date") - pl.col("meeting_date")).dt.total_days().clip(0, None) * rng.uniform("pep-doc:lag", "rkey"))
        .otherwise(
            (pl.col("due_date") - pl.col("meeting_date")).dt.total_days().clip(0, None)
            + 1
            + rng.exponential("pep-doc:late", 18.0, "rkey")
        )
    )
    frame = frame.with_columns(censor(pl.col("meeting_date") + days(doc_lag)).alias("document_date"))
    quality = (
        pl.when(pl.col("document_date").is_null())
        .then(None)
        .otherwise(
            pl.when(rng.uniform("pep-quality", "rkey") < pl.col("good_chance"))
            .then(pick(rng.uniform("pep-quality:good", "rkey"), [("Outstanding", 0.15), ("Good", 0.85)]))
            .otherwise(pick(rng.uniform("pep-quality:ri", "rkey"), [("Requires improvement", 0.85), ("Inadequate", 0.15)]))
        )
    )
    frame = frame.with_columns(quality.alias("quality"))
    return (
        frame.select("child_id", "due_date", "meeting_date", "document_date", "quality", "uasc", "district", "dob").sort(
            "child_id", "due_date", maintain_order=True
        )
    ).collect()


# --------------------------------------------------------------------------- reviews and visits


def cic_reviews(rng: Rng, book: StoryBook, children: pl.DataFrame) -> pl.DataFrame:
    """Looked-after reviews: 20 working days after entry, 3 months later, then every 6 months."""
    children = children.lazy()
    first = children.with_columns(
        add_working_days(pl.col("start"), 20).alias("due_date"), (pl.col("key") * 1024).alias("rkey")
    ).filter(pl.col("due_date").is_between(WINDOW_START, EXTRACT_DATE) & (pl.col("end_true") > pl.col("due_date")))
    later = due_series(children, pl.col("start") + dt.timedelta(days=28 + 91 - 182), pl.lit(182), 1)
    frame = pl.concat([first, later], how="diagonal_relaxed")
    frame = with_story(frame, "due_date", book["cic_review_on_time"], "chance")
    frame = frame.with_columns(
        done_date(
            rng,
            "cic-review",
            "rkey",
            pl.col("due_date"),
            pl.col("due_date") - dt.timedelta(days=14),
            pl.col("chance"),
            12.0,
            0.01,
        ).alias("held_date"),
        pl.lit("CIC").alias("kind"),
    )
    return (frame.select("child_id", "kind", "due_date", "held_date", "district")).collect()


def visits(rng: Rng, book: StoryBook, people: pl.DataFrame, kind: str, story: str, standard: VisitStandard) -> pl.DataFrame:
    """Statutory visits, one row per visit made, each with the date the system said it was due.

    `people` has key, child_id, district, start and end_true (their plan or period of care).
    The first visit is due a week after the start; each later one `standard` after the last.
    """
    people = people.lazy().select("key", "child_id", "district", "start", "end_true")
    anchor = pl.max_horizontal(pl.col("start"), pl.lit(WINDOW_START - dt.timedelta(days=100)))
    frame = people.with_columns(
        anchor.alias("_anchor"), _care_end().alias("_last"), (pl.col("start") + dt.timedelta(days=365)).alias("_year")
    ).filter(pl.col("_last") >= pl.col("_anchor"))
    span = (pl.col("_last") - pl.col("_anchor")).dt.total_days()
    first_year = (pl.col("_year") - pl.col("_anchor")).dt.total_days().clip(0, None)
    first_year = pl.min_horizontal(first_year, span)
    n = first_year / (0.55 * standard.first_year_days) + (span - first_year) / (0.55 * standard.later_days) + 3
    frame = frame.with_columns(pl.int_ranges(0, n.ceil().cast(pl.Int64)).alias("j")).explode("j")
    frame = frame.with_columns((pl.col("key") * 1024 + pl.col("j")).alias("vkey"))
    about = pl.col("_anchor") + days(pl.col("j") * standard.first_year_days * 0.75)
    frame = frame.with_columns(about.alias("_about"))
    frame = with_story(frame, "_about", book[story], "chance")
    interval = pl.when(pl.col("_about") < pl.col("_year")).then(standard.first_year_days).otherwise(standard.later_days)
    on_time = rng.uniform(f"{kind}-visit", "vkey") < pl.col("chance")
    gap = (
        pl.when(pl.col("j") == 0)
        .then(1 + 6 * rng.uniform(f"{kind}-visit:first", "vkey"))
        .when(on_time)
        .then(interval * (0.55 + 0.4 * rng.uniform(f"{kind}-visit:early", "vkey")))
        .otherwise(interval + 3 + rng.exponential(f"{kind}-visit:late", 9.0, "vkey"))
    )
    frame = materialise(frame.with_columns(gap.floor().cast(pl.Int64).alias("_gap")))
    frame = frame.with_columns(
        (pl.col("_anchor") + pl.duration(days=cum_sum_in_group(pl.col("_gap"), "key"))).alias("visit_date")
    ).with_columns(shift_in_group(pl.col("visit_date"), "key").alias("previous_visit"))
    frame = frame.filter((pl.col("visit_date") <= pl.col("_last")) & (pl.col("visit_date") >= WINDOW_START))
    frame = frame.with_columns(standard.due(pl.col("previous_visit"), pl.col("start"), pl.col("_year")).alias("due_date"))
    return (
        frame.select("child_id", pl.lit(kind).alias("kind"), "previous_visit", "due_date", "visit_date", "district")
    ).collect()


@dataclass(frozen=True)
class VisitStandard:
    """How often a child must be visited: in calendar days, or (`working_days`) in working days."""

    first_year_days: int
    later_days: int
    working_days: int | None = None

    def due(self, previous: pl.Expr, start: pl.Expr, first_year_end: pl.Expr) -> pl.Expr:
        first = start + dt.timedelta(days=7)
        if self.working_days is not None:
            return pl.when(previous.is_null()).then(first).otherwise(add_working_days(previous, self.working_days))
        interval = pl.when(previous < first_year_end).then(self.first_year_days).otherwise(self.later_days)
        return pl.when(previous.is_null()).then(first).otherwise(previous + pl.duration(days=interval))


CIC_VISITS = VisitStandard(first_year_days=42, later_days=91)  # 6 weeks, then 3 months once settled
CP_VISITS = VisitStandard(first_year_days=28, later_days=28, working_days=20)  # local standard: 20 working days


# --------------------------------------------------------------------------- missing


def missing_episodes(rng: Rng, book: StoryBook, children: pl.DataFrame) -> pl.DataFrame:
    """Episodes of children in care going missing, and their return interviews."""
    children = children.lazy()
    eleventh = pl.col("dob").dt.offset_by("11y")
    frame = children.with_columns(
        pl.max_horizontal(pl.col("start"), pl.lit(WINDOW_START), eleventh).alias("_from"), _care_end().alias("_to")
    ).filter(pl.col("_to") > pl.col("_from"))
    span = (pl.col("_to") - pl.col("_from")).dt.total_days()
    base = pl.when(pl.col("uasc")).then(1.1).otherwise(0.55)
    most = 1.5
    expected = most * base * rng.lognormal("missing-propensity", 0.35, 1.4) * span / YEAR
    frame = frame.with_columns(
        span.alias("_span"),
        (expected + rng.uniform("missing-frac")).floor().clip(0, 150).cast(pl.Int64).alias("_n"),
    ).filter(pl.col("_n") > 0)
    frame = frame.with_columns(pl.int_ranges(0, "_n").alias("j")).explode("j")
    frame = frame.with_columns((pl.col("key") * 256 + pl.col("j")).alias("mkey"))
    frame = frame.with_columns(
        (pl.col("_from") + days(pl.col("_span") * rng.uniform("missing-at", "mkey"))).alias("missing_start")
    )
    frame = with_story(frame, "missing_start", book["missing_rate"], "rate")
    frame = frame.filter(rng.uniform("missing-keep", "mkey") < pl.col("rate") / most)
    frame = frame.with_columns(pl.lit("CIC").alias("open_as"))
    return (returns_and_interviews(rng, book, frame, "ri_3wd_cic")).collect()


def returns_and_interviews(rng: Rng, book: StoryBook, frame: pl.LazyFrame, story: str) -> pl.LazyFrame:
    away = rng.lognormal("missing-away", 0.6, 1.3, "mkey").floor()
    frame = frame.with_columns(censor(pl.col("missing_start") + days(away)).alias("returned"))
    frame = frame.filter(pl.col("missing_start") <= EXTRACT_DATE)
    frame = with_story(frame, "returned", book[story], "quick")
    frame = with_story(frame, "returned", book["ri_done"], "done")
    u = rng.uniform("interview", "mkey")
    quick = add_working_days(pl.col("returned"), (4 * rng.uniform("interview:wd", "mkey")).floor().cast(pl.Int64))
    slow = add_working_days(pl.col("returned"), 4 + rng.exponential("interview:late", 5.0, "mkey").floor().cast(pl.Int64))
    interview = pl.when(u < pl.col("quick")).then(quick).when(u < pl.col("done")).then(slow)
    frame = frame.with_columns(censor(interview).alias("interview_date"))
    return frame.select("child_id", "open_as", "missing_start", "returned", "interview_date", "uasc", "district", "dob")


# --------------------------------------------------------------------------- adoption


def adoptions(children: pl.DataFrame) -> pl.DataFrame:
    """One row per child with an agency decision for adoption whose journey touches the window."""
    frame = children.filter(pl.col("agency_decision").is_not_null() & (pl.col("agency_decision") <= EXTRACT_DATE))
    frame = frame.with_columns(
        censor(pl.col("placement_order")).alias("placement_order"),
        censor(pl.col("matched")).alias("matched"),
        censor(pl.col("placed")).alias("placed"),
        censor(pl.col("adopted")).alias("adopted"),
        (pl.col("plan_changed") & (pl.col("agency_decision") + dt.timedelta(days=240) <= EXTRACT_DATE)).alias("plan_changed"),
    )
    latest = pl.max_horizontal("agency_decision", "placement_order", "matched", "placed", "adopted")
    frame = frame.filter((latest >= WINDOW_START) | (pl.col("adopted").is_null() & ~pl.col("plan_changed"))).filter(
        pl.col("end").is_null() | (pl.col("end") >= WINDOW_START)
    )
    return frame.select(
        "child_id",
        pl.col("start").alias("entered_care"),
        "agency_decision",
        "placement_order",
        "matched",
        "placed",
        "adopted",
        "plan_changed",
        "sex",
        "district",
        "dob",
    ).sort("child_id", maintain_order=True)


# --------------------------------------------------------------------------- care leavers


def care_leavers(rng: Rng, book: StoryBook, children: pl.DataFrame) -> pl.DataFrame:
    """Each month, every former relevant care leaver aged 18 to 20: contact, accommodation, activity."""
    children = children.lazy()
    eligible = children.filter(
        pl.col("left_at_18")
        & (pl.col("end_true") <= EXTRACT_DATE)
        & ((pl.col("end_true") - pl.col("start")).dt.total_days() >= 91)
    )
    first = month_expr(pl.col("eighteenth")) + 1
    frame = eligible.with_columns(
        first.clip(FIRST_MONTH, None).alias("_lo"), (first + 35).clip(None, LAST_MONTH).alias("_hi")
    ).filter(pl.col("_hi") >= pl.col("_lo"))
    frame = frame.with_columns(pl.int_ranges("_lo", pl.col("_hi") + 1).alias("month")).explode("month")
    frame = frame.with_columns(
        (pl.col("key") * 1024 + pl.col("month") - FIRST_MONTH + 36).alias("lkey"),
        month_start_expr(pl.col("month")).alias("_month_start"),
        month_start_expr(pl.col("month") + 1).alias("_next_month"),
    )
    for story, name in (
        ("leaver_contact", "contact"),
        ("leaver_suitable", "suitable"),
        ("leaver_eet", "eet"),
        ("pathway_plan_current", "plan_current"),
    ):
        frame = with_story(frame, "_month_start", book[story], name)
    contact = pl.col("contact") - pl.when(pl.col("uasc")).then(0.05).otherwise(-0.03)
    in_touch = _persistent(rng, "leaver-touch", contact)
    frame = frame.with_columns(
        pl.when(in_touch)
        .then(pl.lit("YES"))
        .otherwise(pick(rng.uniform("leaver-touch:why", "lkey"), [("NO", 0.72), ("REFU", 0.2), ("RHOM", 0.08)]))
        .alias("in_touch")
    )
    touch = pl.col("in_touch") == "YES"
    suitable = _persistent(rng, "leaver-suitable", pl.col("suitable"))
    frame = frame.with_columns(
        pl.when(~touch)
        .then(None)
        .when(suitable)
        .then(
            pick(
                rng.uniform("leaver-accom", "lkey"),
                [
                    ("Independent living", 0.34),
                    ("Semi-independent accommodation", 0.22),
                    ("With former foster carers", 0.12),
                    ("Supported lodgings", 0.12),
                    ("With parents or relatives", 0.12),
                    ("Community home", 0.08),
                ],
            )
        )
        .otherwise(
            pick(
                rng.uniform("leaver-accom:unsuitable", "lkey"),
                [("Bed and breakfast", 0.25), ("No fixed abode", 0.3), ("In custody", 0.2), ("Emergency accommodation", 0.25)],
            )
        )
        .alias("accommodation"),
        pl.when(touch).then(suitable).alias("accommodation_suitable"),
        pl.when(~touch)
        .then(None)
        .when(_persistent(rng, "leaver-eet", pl.col("eet")))
        .then(
            pick(
                rng.uniform("leaver-activity", "lkey"),
                [("F1", 0.14), ("P1", 0.02), ("F2", 0.34), ("P2", 0.06), ("F3", 0.34), ("P3", 0.10)],
            )
        )
        .otherwise(pick(rng.uniform("leaver-activity:neet", "lkey"), [("G4", 0.2), ("G5", 0.65), ("G6", 0.15)]))
        .alias("activity"),
    )
    month_end = pl.col("_next_month") - dt.timedelta(days=1)
    current = _persistent(rng, "leaver-plan", pl.col("plan_current"))
    reviewed = (
        pl.when(current)
        .then(month_end - days(175 * rng.uniform("leaver-plan:age", "lkey")))
        .otherwise(month_end - days(190 + 200 * rng.uniform("leaver-plan:old", "lkey")))
    )
    frame = frame.with_columns(
        pl.min_horizontal(reviewed, pl.lit(EXTRACT_DATE)).alias("pathway_plan_reviewed"),
        period_expr(pl.col("month")).alias("period"),
    )
    return (
        frame.sort("month", "child_id", maintain_order=True).select(
            "period",
            "child_id",
            "dob",
            "district",
            "uasc",
            "in_touch",
            "accommodation",
            "accommodation_suitable",
            "activity",
            "pathway_plan_reviewed",
        )
    ).collect()


def _persistent(rng: Rng, name: str, chance: pl.Expr) -> pl.Expr:
    """A monthly yes/no that mostly carries over: 70% of months reuse the person's own draw."""
    own = rng.uniform(name + ":person", "key")
    month = rng.uniform(name + ":month", "lkey")
    u = pl.when(rng.uniform(name + ":which", "lkey") < 0.7).then(own).otherwise(month)
    return u < chance
