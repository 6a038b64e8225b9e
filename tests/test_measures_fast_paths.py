"""The engine's fast paths against its general path (every row expanded to every period it is in).

Thresholds on ages and days narrow a row's periods (intervals.py), distinct counts merge each child's
ranges, medians of whole numbers come from counts of each value, and the birthday split cuts rows
where an age can change. Each must give exactly what expanding rows to periods gives, on random
spells: ending on a birthday, born on 29 February, open, ending the day they start, overlapping
spells of one child.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scorecard.engine.engine import Engine
from scorecard.engine.grid import Query, windowed
from scorecard.engine.measures import (
    _differenced,
    _expanded,
    _split_at_birthdays,
    aggregate,
    birthday_columns,
    rows_span_periods,
)
from scorecard.engine.range_counts import (
    distinct_from_merged_ranges,
    interval_plan,
    median_from_counts,
    with_predicate_ranges,
)

TODAY = dt.date(2026, 11, 22)
FIRST, LAST = 2016 * 12, 2018 * 12 + 11  # January 2016 to December 2018
PROPS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WINDOWS = ("snapshot", "month", "ytd", "rolling12")

CONFIG = """
[organisation]
name = "Fast paths"
financial_year_start_month = {fy}
[data]
dir = "."
[[scorecards]]
id = "s"
title = "S"

[datasets.spells]
file = "spells.csv"
start = "start"
end = "end"
[datasets.spells.columns]
child = "str"
start = "date"
end = "date?"
cat = "str"
dob = "date?"
n = "int"
[[datasets.spells.derive]]
name = "age"
years = ["dob", "@snapshot"]
[[datasets.spells.derive]]
name = "age_end"
years = ["dob", "@period_end"]
[[datasets.spells.derive]]
name = "waited"
days = ["start", "@snapshot"]
[[datasets.spells.derive]]
name = "band"
sql = "CASE WHEN age < 5 THEN 'young' WHEN age < 12 THEN 'middle' ELSE 'old' END"

[datasets.events]
file = "events.csv"
date = "date"
[datasets.events.columns]
child = "str"
date = "date"
cat = "str"
n = "int"
"""

# (id, dataset, windows, calc, extra keys): every threshold form, distinct, medians, and the split
SPELL_MEASURES: list[tuple[str, str, dict[str, str]]] = [
    ("U10", "count", {"where": "age < 10"}),
    ("LE9", "count", {"where": "age <= 9 AND cat = 'A'"}),
    ("FLIP", "count", {"where": "12 > age"}),
    ("TEN", "percent", {"where": "age = 10", "numerator": "cat = 'B'"}),
    ("OLD", "percent", {"where": "cat = 'A'", "numerator": "age >= 5"}),
    ("GT3", "percent", {"numerator": "age > 3 AND cat = 'B'"}),
    ("END", "count", {"where": "age_end < 8"}),
    ("WAIT", "percent", {"where": "waited >= 30", "numerator": "age < 14"}),
    ("SUM", "sum", {"value": "n", "where": "age < 12"}),
    ("DIST", "count", {"distinct": "child"}),
    ("DU12", "percent", {"distinct": "child", "where": "age <= 12", "numerator": "cat = 'A'"}),
    ("DNUM", "percent", {"distinct": "child", "numerator": "age >= 6"}),
    ("MED", "median", {"value": "n", "where": "age < 15"}),
    ("BAND", "count", {"where": "band = 'middle'"}),
]
EVENT_MEASURES: list[tuple[str, str, dict[str, str]]] = [
    ("EMED", "median", {"value": "n"}),
    ("EMEDW", "median", {"value": "n", "where": "cat = 'A'"}),
    ("EDIST", "percent", {"distinct": "child", "numerator": "cat = 'A'"}),
]


def measures_toml(window: str) -> str:
    """Every measure above over `window` (events take `month` for `snapshot`)."""
    out = ""
    for dataset, listed in (("spells", SPELL_MEASURES), ("events", EVENT_MEASURES)):
        w = "month" if dataset == "events" and window == "snapshot" else window
        for mid, calc, extra in listed:
            lines = [f'id = "{mid}"', 'title = "t"', 'section = "s"', 'scorecards = ["s"]',
                     f'dataset = "{dataset}"', f'window = "{w}"', f'calc = "{calc}"']
            lines += [f'{k} = "{v}"' for k, v in extra.items()]
            out += "\n[[measures]]\n" + "\n".join(lines) + "\n"
    return out


# --------------------------------------------------------------------------------------
# Random data
# --------------------------------------------------------------------------------------
a_date = st.dates(dt.date(2015, 6, 1), dt.date(2019, 6, 30))
birth = st.one_of(
    st.none(),
    st.dates(dt.date(1998, 1, 1), dt.date(2018, 12, 31)),
    st.sampled_from([dt.date(2004, 2, 29), dt.date(2008, 2, 29), dt.date(2012, 2, 29)]),
)


def anniversary(dob: dt.date, years: int) -> dt.date:
    """The date an age changes (29 February counts from 1 March in other years)."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return dt.date(dob.year + years, 3, 1)


@st.composite
def spell_rows(draw: st.DrawFn) -> list[tuple[str, dt.date, dt.date | None, str, dt.date | None, int]]:
    out = []
    for _ in range(draw(st.integers(0, 20))):
        child = f"C{draw(st.integers(1, 5))}"  # several, often overlapping, spells per child
        dob = draw(birth)
        start = draw(a_date)
        kind = draw(st.sampled_from(["open", "same day", "days", "birthday", "birthday"]))
        if kind == "open":
            end = None
        elif kind == "same day":
            end = start
        elif kind == "birthday" and dob is not None:  # ends (or starts) on a birthday
            end = anniversary(dob, draw(st.integers(0, 20)))
            if end < start:
                start, end = end, start
        else:
            end = start + dt.timedelta(days=draw(st.integers(0, 700)))
        out.append((child, start, end, draw(st.sampled_from("AB")), dob, draw(st.integers(0, 6))))
    return out


@st.composite
def event_rows(draw: st.DrawFn) -> list[tuple[str, dt.date, str, int]]:
    return [(f"C{draw(st.integers(1, 5))}", draw(a_date), draw(st.sampled_from("AB")), draw(st.integers(0, 5)))
            for _ in range(draw(st.integers(0, 25)))]


def engine_for(folder: Path, spells: list[Any], events: list[Any], fy: int, window: str) -> Engine:
    spells_csv = "child,start,end,cat,dob,n\n" + "".join(
        f"{c},{s},{e or ''},{k},{d or ''},{n}\n" for c, s, e, k, d, n in spells)
    events_csv = "child,date,cat,n\n" + "".join(f"{c},{d},{k},{n}\n" for c, d, k, n in events)
    (folder / "spells.csv").write_text(spells_csv)
    (folder / "events.csv").write_text(events_csv)
    (folder / "config.toml").write_text(CONFIG.format(fy=fy) + measures_toml(window))
    return Engine.load(folder / "config.toml", today=TODAY)


# --------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------
def queries(m: Any) -> list[Query]:
    """The measure, a breakdown, a cohort with a threshold (or a static one), and outside a static one."""
    return [
        Query(m),
        Query(m, groups=("cat",)),
        Query(m, condition="age < 12") if m.dataset == "spells" else Query(m, condition="n > 2"),
        Query(m, condition="cat = 'A'", negate=True),
    ]


def finished(engine: Engine, q: Query, frame: pl.DataFrame) -> Any:
    """Rated results per group. A breakdown group with nothing counted in any period is left out:
    expanding lists it (every value 0 or empty), difference arrays do not, and neither is shown."""
    grid = engine.grid_for(FIRST, LAST)
    out = engine.finish(q, frame, grid, force_group=None if q.groups else ())
    return {g: r for g, r in out.items() if not q.groups or any(r[1])}


def fast_path(q: Query, engine: Engine, at: int | None) -> pl.LazyFrame | None:
    """The fast path this query is meant to take, called directly (None: it has none)."""
    data = engine.datasets[q.measure.dataset]
    grid = engine.grid_for(FIRST, LAST)
    m = q.measure
    plan = interval_plan(q, data.config)
    frame = windowed(data, m.window, grid, at)
    if plan is None:
        birthdays = birthday_columns(q, data.config)
        return None if birthdays is None else _differenced(q, _split_at_birthdays(q, data, frame, grid, birthdays), grid)
    ranged = with_predicate_ranges(frame, plan, grid)
    if m.distinct:
        return distinct_from_merged_ranges(q, plan, ranged, grid)
    if m.calc == "median":
        return median_from_counts(q, plan, ranged, grid)
    return aggregate(q, data, grid, at)


def check_all(engine: Engine) -> int:
    """Every query of every measure: aggregate() and its fast path equal the full expansion, for all
    periods and for one period (a drill-down). Returns how many fast-path comparisons were made."""
    grid = engine.grid_for(FIRST, LAST)
    cases: list[tuple[Any, Query, pl.LazyFrame, pl.LazyFrame, pl.LazyFrame | None]] = []
    for m in engine.config.measures:
        data = engine.datasets[m.dataset]
        for i, q in enumerate(queries(m)):
            for at in (None, grid.count // 2) if i == 0 else (None,):
                general = _expanded(q, data, windowed(data, m.window, grid, at), grid)
                cases.append(((m.id, q.groups, q.condition, q.negate, at), q, general,
                              aggregate(q, data, grid, at), fast_path(q, engine, at)))
    compared = 0
    for label, q, general_plan, chosen, fast in cases:
        general = finished(engine, q, general_plan.collect())
        assert finished(engine, q, chosen.collect()) == general, label
        if fast is not None:
            assert finished(engine, q, fast.collect()) == general, label
            compared += 1
    return compared


@PROPS
@given(spells=spell_rows(), events=event_rows(), fy=st.sampled_from([4, 1]), window=st.sampled_from(WINDOWS))
@example(  # a spell ending on the 10th birthday, one on 1 March after a 29 February birth, same-day
    spells=[("C1", dt.date(2016, 3, 10), dt.date(2017, 6, 15), "A", dt.date(2007, 6, 15), 3),
            ("C1", dt.date(2017, 1, 1), None, "B", dt.date(2007, 6, 15), 1),
            ("C2", dt.date(2016, 1, 5), dt.date(2017, 3, 1), "A", dt.date(2008, 2, 29), 2),
            ("C3", dt.date(2017, 3, 15), dt.date(2017, 3, 15), "B", dt.date(2010, 1, 1), 0)],
    events=[("C1", dt.date(2017, 2, 3), "A", 2), ("C1", dt.date(2017, 5, 3), "A", 2)], fy=4, window="snapshot")
def test_fast_paths_equal_the_full_expansion(spells: list[Any], events: list[Any], fy: int, window: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = engine_for(Path(tmp), spells, events, fy, window)
        assert check_all(engine) > 0


def test_the_fast_paths_are_the_ones_taken(tmp_path: Path) -> None:
    """Thresholds are recognised, others are not; distinct and medians merge or count only where a
    row can be in several periods."""
    engine = engine_for(tmp_path, [], [], 4, "snapshot")
    spells = engine.datasets["spells"].config
    by_id = {m.id: m for m in engine.config.measures}
    for mid in ("U10", "LE9", "FLIP", "TEN", "OLD", "GT3", "END", "WAIT", "DU12", "DNUM"):
        plan = interval_plan(Query(by_id[mid]), spells)
        assert plan is not None and plan.narrows, mid
    assert interval_plan(Query(by_id["BAND"]), spells) is None
    assert interval_plan(Query(by_id["U10"], groups=("band",)), spells) is None
    assert interval_plan(Query(by_id["U10"], condition="age < 3", negate=True), spells) is None
    assert interval_plan(Query(by_id["U10"], condition="cat = 'A'", negate=True), spells) is not None
    events = engine.datasets["events"].config
    assert rows_span_periods(spells, "month") and rows_span_periods(events, "rolling12")
    assert not rows_span_periods(events, "month")
