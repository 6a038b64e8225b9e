"""Property tests: the engine against a plain-Python reference implementation of SPEC sections 1-3.

The reference counts rows window by window, period by period, straight from the SPEC's wording
(a spell is open on day d when start <= d and (end is empty or end > d)), with snapshot dates
from the `holidays` package and exact fractions for rounding. The engine computes every period
at once with difference arrays and expansions; the two must agree on random data.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import statistics
import tempfile
from fractions import Fraction
from pathlib import Path

import holidays
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scorecard.engine.engine import Engine
from scorecard.engine.rating import band, round_half_away
from scorecard.engine.results import BAND_ORDER

TODAY = dt.date(2026, 11, 22)
FIRST_MONTH = 2016 * 12 + 0  # January 2016
LAST_MONTH = 2018 * 12 + 11  # December 2018
MONTHS = list(range(FIRST_MONTH - 1, LAST_MONTH + 2))
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2014, 2021))
Spell = tuple[str, dt.date, dt.date | None, str]  # child, start, end, category


# --------------------------------------------------------------------------------------
# The reference
# --------------------------------------------------------------------------------------
def month_first(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def month_last(month: int) -> dt.date:
    y, m = month // 12, month % 12 + 1
    return dt.date(y, m, _calendar.monthrange(y, m)[1])


def ref_snapshot(month: int) -> dt.date:
    d = month_last(month)
    while d.weekday() >= 5 or d in _HOLIDAYS:
        d -= dt.timedelta(days=1)
    return d


def ref_window(month: int, window: str, fy_start: int) -> tuple[dt.date, dt.date]:
    """First and last day of a period's window (SPEC section 1)."""
    if window == "month":
        return month_first(month), month_last(month)
    if window == "ytd":
        offset = (month % 12 + 1 - fy_start) % 12
        return month_first(month - offset), month_last(month)
    assert window == "rolling12"
    return month_first(month - 11), month_last(month)


def ref_window_months(month: int, window: str, fy_start: int) -> range:
    first, _ = ref_window(month, "month" if window == "snapshot" else window, fy_start)
    return range(first.year * 12 + first.month - 1, month + 1)


def open_on(spell: Spell, d: dt.date) -> bool:
    _, start, end, _ = spell
    return start <= d and (end is None or end > d)


def open_in(spell: Spell, first: dt.date, last: dt.date) -> bool:
    """Open on some day of [first, last]: the earliest candidate day is max(start, first)."""
    d = max(spell[1], first)
    return d <= last and open_on(spell, d)


def exact_round(x: Fraction, decimals: int) -> float:
    """Half away from zero on the exact value."""
    scale = 10**decimals
    n = abs(x) * scale
    whole = int(n + Fraction(1, 2))
    return float(Fraction(whole if x >= 0 else -whole, scale)) + 0.0


def percent(num: int, den: int) -> float | None:
    return exact_round(Fraction(100 * num, den), 1) if den else None


# --------------------------------------------------------------------------------------
# Random data: dates anywhere, and dates on and around snapshot dates and month ends
# --------------------------------------------------------------------------------------
def _near(month: int, anchor: str, offset: int) -> dt.date:
    base = {"snapshot": ref_snapshot, "end": month_last, "first": month_first}[anchor](month)
    return base + dt.timedelta(days=offset)


any_date = st.dates(dt.date(2015, 6, 1), dt.date(2019, 6, 30))
special_date = st.builds(_near, st.sampled_from(MONTHS), st.sampled_from(["snapshot", "end", "first"]),
                         st.integers(-2, 2))
a_date = st.one_of(any_date, special_date)


@st.composite
def spells(draw: st.DrawFn, zero_length: bool = True) -> list[Spell]:
    """Random spells; `zero_length` allows spells ending on the day they start (open on no day)."""
    out = []
    for _ in range(draw(st.integers(0, 25))):
        child = f"C{draw(st.integers(1, 8))}"  # children have several episodes
        start = draw(a_date)
        kind = draw(st.sampled_from(["open", "days", "date", "date"]))
        if kind == "open":
            end = None
        elif kind == "days":
            end = start + dt.timedelta(days=draw(st.one_of(st.integers(0, 3), st.integers(0, 400))))
        else:
            end = draw(a_date)  # sometimes before the start: such a row is left out
        if not zero_length and end == start:
            end += dt.timedelta(days=1)
        out.append((child, start, end, draw(st.sampled_from("AB"))))
    return out


@st.composite
def events(draw: st.DrawFn) -> list[tuple[str, dt.date, str, Fraction | None, int]]:
    out = []
    for _ in range(draw(st.integers(0, 30))):
        x = draw(st.one_of(st.none(), st.integers(-500, 500).map(lambda k: Fraction(k, 10))))
        out.append((f"C{draw(st.integers(1, 6))}", draw(a_date), draw(st.sampled_from("AB")), x, draw(st.integers(0, 9))))
    return out


def fmt_x(x: Fraction | None) -> str:
    if x is None:
        return ""
    sign = "-" if x < 0 else ""
    tenths = abs(x.numerator * 10 // x.denominator)
    return f"{sign}{tenths // 10}.{tenths % 10}"


# --------------------------------------------------------------------------------------
# Engine projects
# --------------------------------------------------------------------------------------
HEAD = """
[organisation]
name = "Property County"
financial_year_start_month = {fy}

[data]
dir = "."

[[scorecards]]
id = "main"
title = "Main"
"""


def measure_toml(mid: str, dataset: str, window: str, calc: str, **extra: str) -> str:
    lines = [f'id = "{mid}"', 'title = "t"', 'section = "s"', 'scorecards = ["main"]', f'dataset = "{dataset}"',
             f'window = "{window}"', f'calc = "{calc}"'] + [f"{k} = {v}" for k, v in extra.items()]
    return "\n[[measures]]\n" + "\n".join(lines) + "\n"


SPELL_DATASET = """
[datasets.spells]
file = "spells.csv"
as_at = "2026-10-31"  # SPEC 7: the extract covers every month checked here (coverage: test_coverage.py)
start = "start"
end = "end"
[datasets.spells.columns]
child = "str"
start = "date"
end = "date?"
cat = "str"
"""

SPELL_WINDOWS = ("snapshot", "month", "ytd", "rolling12")


def spell_measures() -> str:
    out = ""
    for w in SPELL_WINDOWS:
        out += measure_toml(f"COUNT-{w}", "spells", w, "count")
        out += measure_toml(f"PCT-{w}", "spells", w, "percent", numerator="\"cat = 'A'\"")
        out += measure_toml(f"DISTINCT-{w}", "spells", w, "count", distinct='"child"')
        out += measure_toml(f"WHERE-{w}", "spells", w, "count", where="\"cat = 'B'\"")
    return out


def build(folder: Path, config: str, files: dict[str, str]) -> Engine:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "config.toml").write_text(config, encoding="utf-8")
    return Engine.load(folder / "config.toml", today=TODAY)


@PROPS
@given(rows=spells(zero_length=False), fy=st.sampled_from([4, 1, 7]))
def test_spell_windows_match_the_reference(rows: list[Spell], fy: int) -> None:
    check_spells(rows, fy)


@PROPS
@given(rows=spells(zero_length=True), fy=st.sampled_from([4, 1, 7]))
@example(rows=[("C1", dt.date(2017, 3, 15), dt.date(2017, 3, 15), "A")], fy=4)
def test_spell_windows_match_the_reference_with_zero_length_spells(rows: list[Spell], fy: int) -> None:
    check_spells(rows, fy)


def check_spells(rows: list[Spell], fy: int) -> None:
    csv = "child,start,end,cat\n" + "".join(f"{c},{s},{e or ''},{k}\n" for c, s, e, k in rows)
    with tempfile.TemporaryDirectory() as tmp:
        engine = build(Path(tmp), HEAD.format(fy=fy) + SPELL_DATASET + spell_measures(), {"spells.csv": csv})
        usable = [r for r in rows if r[2] is None or r[2] >= r[1]]  # spells ending before they start are left out
        assert engine.datasets["spells"].frame.height == len(usable)
        for w in SPELL_WINDOWS:
            series = {k: engine.series(f"{k}-{w}", FIRST_MONTH, LAST_MONTH) for k in ("COUNT", "PCT", "DISTINCT", "WHERE")}
            for month in range(FIRST_MONTH, LAST_MONTH + 1):
                if w == "snapshot":
                    snap = ref_snapshot(month)
                    inside = [r for r in usable if open_on(r, snap)]
                else:
                    first, last = ref_window(month, w, fy)
                    inside = [r for r in usable if open_in(r, first, last)]
                a = sum(1 for r in inside if r[3] == "A")
                got = {k: s.at(month) for k, s in series.items()}
                where = f"{w} {month // 12}-{month % 12 + 1:02d}"
                assert got["COUNT"].value == len(inside), where
                assert (got["PCT"].value, got["PCT"].numerator, got["PCT"].denominator) == (
                    percent(a, len(inside)), a, len(inside)), where
                assert got["DISTINCT"].value == len({r[0] for r in inside}), where
                assert got["WHERE"].value == len(inside) - a, where


AGE_DATASET = """
[datasets.spells]
file = "spells.csv"
as_at = "2026-10-31"  # SPEC 7: the extract covers every month checked here (coverage: test_coverage.py)
start = "start"
end = "end"
[datasets.spells.columns]
child = "str"
start = "date"
end = "date?"
cat = "str"
dob = "date?"

[[datasets.spells.derive]]
name = "age"
years = ["dob", "@snapshot"]
"""


def age_measures() -> str:
    out = ""
    for w in SPELL_WINDOWS:
        out += measure_toml(f"U10-{w}", "spells", w, "count", where='"age < 10"')
        out += measure_toml(f"TEN-{w}", "spells", w, "count", where='"age = 10"')
        out += measure_toml(f"OLD-{w}", "spells", w, "percent", where="\"cat = 'A'\"", numerator='"age >= 5"')
        out += measure_toml(f"DU10-{w}", "spells", w, "count", where='"age < 10"', distinct='"child"')
    return out


def ref_age(dob: dt.date | None, on: dt.date) -> int | None:
    """Whole years; a 29 February birthday counts from 1 March in other years (tuple order does that)."""
    if dob is None:
        return None
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


birth_date = st.one_of(
    st.none(),
    st.dates(dt.date(1998, 1, 1), dt.date(2018, 12, 31)),
    st.sampled_from([dt.date(2004, 2, 29), dt.date(2008, 2, 29), dt.date(2012, 2, 29)]),
    st.builds(_near, st.sampled_from(list(range(2004 * 12, 2012 * 12))), st.sampled_from(["snapshot", "end", "first"]),
              st.integers(-1, 1)),
)


@PROPS
@given(rows=spells(zero_length=False), dobs=st.lists(birth_date, min_size=25, max_size=25), fy=st.sampled_from([4, 1]))
def test_age_at_the_snapshot_date_matches_the_reference(rows: list[Spell], dobs: list[dt.date | None], fy: int) -> None:
    """Age at each period's snapshot date (`years = [dob, @snapshot]`), split at birthdays by the engine."""
    dob = {r: dobs[i] for i, r in enumerate(rows)}
    csv = "child,start,end,cat,dob\n" + "".join(
        f"{c},{s},{e or ''},{k},{dob[(c, s, e, k)] or ''}\n" for c, s, e, k in rows)
    with tempfile.TemporaryDirectory() as tmp:
        engine = build(Path(tmp), HEAD.format(fy=fy) + AGE_DATASET + age_measures(), {"spells.csv": csv})
        # a spell ending before it starts, or of a child born after it starts (a negative age), is left out
        usable = [r for r in rows if (r[2] is None or r[2] >= r[1]) and (dob[r] is None or dob[r] <= r[1])]
        for w in SPELL_WINDOWS:
            series = {k: engine.series(f"{k}-{w}", FIRST_MONTH, LAST_MONTH) for k in ("U10", "TEN", "OLD", "DU10")}
            for month in range(FIRST_MONTH, LAST_MONTH + 1):
                snap = ref_snapshot(month)
                if w == "snapshot":
                    inside = [r for r in usable if open_on(r, snap)]
                else:
                    first, last = ref_window(month, w, fy)
                    inside = [r for r in usable if open_in(r, first, last)]
                ages = [(r, ref_age(dob[r], snap)) for r in inside]
                u10 = [r for r, a in ages if a is not None and a < 10]
                cat_a = [(r, a) for r, a in ages if r[3] == "A"]
                old = sum(1 for _, a in cat_a if a is not None and a >= 5)
                got = {k: s.at(month) for k, s in series.items()}
                where = f"{w} {month // 12}-{month % 12 + 1:02d}"
                assert got["U10"].value == len(u10), where
                assert got["TEN"].value == sum(1 for _, a in ages if a == 10), where
                assert (got["OLD"].value, got["OLD"].numerator, got["OLD"].denominator) == (
                    percent(old, len(cat_a)), old, len(cat_a)), where
                assert got["DU10"].value == len({r[0] for r in u10}), where


EVENT_DATASETS = """
[datasets.events]
file = "events.csv"
as_at = "2026-10-31"  # SPEC 7: the extract covers every month checked here (coverage: test_coverage.py)
date = "date"
[datasets.events.columns]
child = "str"
date = "date"
cat = "str"
x = "float?"
n = "int"

[datasets.returns]
file = "returns.csv"
as_at = "2026-10-31"  # SPEC 7: the extract covers every month checked here (coverage: test_coverage.py)
period = "period"
[datasets.returns.columns]
period = "str"
value = "int"
"""

EVENT_WINDOWS = ("month", "ytd", "rolling12")


def event_measures() -> str:
    out = ""
    for w in EVENT_WINDOWS:
        out += measure_toml(f"COUNT-{w}", "events", w, "count")
        out += measure_toml(f"PCT-{w}", "events", w, "percent", numerator="\"cat = 'A'\"")
        out += measure_toml(f"MEAN-{w}", "events", w, "mean", value='"x"')
        out += measure_toml(f"MEDIAN-{w}", "events", w, "median", value='"x"')
        out += measure_toml(f"SUM-{w}", "events", w, "sum", value='"n"', decimals="0")
        out += measure_toml(f"DISTINCT-{w}", "events", w, "percent", numerator="\"cat = 'A'\"", distinct='"child"')
        out += measure_toml(f"SNAP-SUM-{w}", "returns", w, "sum", value='"value"', decimals="0")
        out += measure_toml(f"SNAP-COUNT-{w}", "returns", w, "count")
    out += measure_toml("SNAP-COUNT-snapshot", "returns", "snapshot", "count")
    out += measure_toml("SNAP-VALUE-snapshot", "returns", "snapshot", "value", decimals="0")
    return out


@PROPS
@given(rows=events(), returns=st.dictionaries(st.sampled_from(MONTHS), st.integers(0, 99), max_size=12),
       fy=st.sampled_from([4, 1, 10]))
def test_event_and_snapshot_windows_match_the_reference(
    rows: list[tuple[str, dt.date, str, Fraction | None, int]], returns: dict[int, int], fy: int
) -> None:
    csv = "child,date,cat,x,n\n" + "".join(f"{c},{d},{k},{fmt_x(x)},{n}\n" for c, d, k, x, n in rows)
    ret = "period,value\n" + "".join(f"{m // 12}-{m % 12 + 1:02d},{v}\n" for m, v in returns.items())
    with tempfile.TemporaryDirectory() as tmp:
        engine = build(Path(tmp), HEAD.format(fy=fy) + EVENT_DATASETS + event_measures(),
                       {"events.csv": csv, "returns.csv": ret})
        assert not engine.has_problems, engine.problem_lines()
        for w in EVENT_WINDOWS:
            names = ("COUNT", "PCT", "MEAN", "MEDIAN", "SUM", "DISTINCT", "SNAP-SUM", "SNAP-COUNT")
            series = {k: engine.series(f"{k}-{w}", FIRST_MONTH, LAST_MONTH) for k in names}
            for month in range(FIRST_MONTH, LAST_MONTH + 1):
                first, last = ref_window(month, w, fy)
                inside = [r for r in rows if first <= r[1] <= last]
                xs = [r[3] for r in inside if r[3] is not None]
                a = sum(1 for r in inside if r[2] == "A")
                children = {r[0] for r in inside}
                a_children = {r[0] for r in inside if r[2] == "A"}
                in_months = ref_window_months(month, w, fy)
                snap_rows = [v for m, v in returns.items() if m in in_months]
                got = {k: s.at(month) for k, s in series.items()}
                where = f"{w} {month // 12}-{month % 12 + 1:02d}"
                assert got["COUNT"].value == len(inside), where
                assert got["PCT"].value == percent(a, len(inside)), where
                assert (got["MEAN"].value, got["MEAN"].denominator) == (
                    exact_round(sum(xs, Fraction(0)) / len(xs), 1) if xs else None, len(xs)), where
                assert got["MEDIAN"].value == (exact_round(statistics.median(xs), 1) if xs else None), where
                assert got["SUM"].value == (sum(r[4] for r in inside) if inside else None), where
                assert (got["DISTINCT"].value, got["DISTINCT"].numerator, got["DISTINCT"].denominator) == (
                    percent(len(a_children), len(children)), len(a_children), len(children)), where
                assert got["SNAP-SUM"].value == (sum(snap_rows) if snap_rows else None), where
                assert got["SNAP-COUNT"].value == len(snap_rows), where
                for k in names:
                    assert got[k].rag is None
        for month in range(FIRST_MONTH, LAST_MONTH + 1):
            here = returns.get(month)
            assert engine.series("SNAP-COUNT-snapshot").at(month).value == (0 if here is None else 1)
            assert engine.series("SNAP-VALUE-snapshot").at(month).value == here


# --------------------------------------------------------------------------------------
# Rating: a better value never gives a worse band
# --------------------------------------------------------------------------------------
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(a=finite, b=finite, t=finite, gap=st.floats(0, 1e4), polarity=st.sampled_from(["higher", "lower"]),
       decimals=st.integers(0, 3))
def test_a_better_value_never_gets_a_worse_band(a: float, b: float, t: float, gap: float, polarity: str,
                                                decimals: int) -> None:
    floor = t - gap if polarity == "higher" else t + gap
    better, worse = (max(a, b), min(a, b)) if polarity == "higher" else (min(a, b), max(a, b))
    rb, rw = round_half_away(better, decimals), round_half_away(worse, decimals)
    assert rb is not None and rw is not None
    assert (rb >= rw) if polarity == "higher" else (rb <= rw)  # rounding keeps the order
    bb, bw = band(rb, t, floor, polarity), band(rw, t, floor, polarity)
    assert bb in BAND_ORDER and bw in BAND_ORDER
    assert BAND_ORDER[bb] >= BAND_ORDER[bw]


VALUE_CONFIG = """
[datasets.returns]
file = "returns.csv"
as_at = "2026-10-31"  # SPEC 7: the extract covers every month checked here (coverage: test_coverage.py)
period = "period"
[datasets.returns.columns]
period = "str"
value = "float"
""" + measure_toml("V", "returns", "snapshot", "value", polarity='"{polarity}"', target="{target}", floor="{floor}",
                   decimals="{decimals}")


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.integers(-2000, 2000).map(lambda k: Fraction(k, 20)), min_size=2, max_size=12),
       polarity=st.sampled_from(["higher", "lower"]), target=st.integers(-50, 50), gap=st.integers(0, 20),
       decimals=st.integers(0, 2))
def test_engine_bands_follow_values(values: list[Fraction], polarity: str, target: int, gap: int, decimals: int) -> None:
    floor = target - gap if polarity == "higher" else target + gap
    text = "period,value\n" + "".join(f"2017-{i + 1:02d},{float(v)}\n" for i, v in enumerate(values))
    config = HEAD.format(fy=4) + VALUE_CONFIG.format(polarity=polarity, target=float(target), floor=float(floor),
                                                     decimals=decimals)
    with tempfile.TemporaryDirectory() as tmp:
        engine = build(Path(tmp), config, {"returns.csv": text})
        got = [engine.result("V", f"2017-{i + 1:02d}") for i in range(len(values))]
    for r, v in zip(got, values, strict=True):
        assert r.value == exact_round(v, decimals)  # values written with up to 2 decimals round as written
        assert r.rag == band(r.value, float(target), float(floor), polarity)
    ranked = sorted(got, key=lambda r: r.value if polarity == "higher" else -r.value)
    orders = [BAND_ORDER[r.rag] for r in ranked]
    assert orders == sorted(orders)


# --------------------------------------------------------------------------------------
# Derived date arithmetic against the reference, on every calendar
# --------------------------------------------------------------------------------------
SUBDIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR", "none": None}
_CALENDAR_HOLIDAYS = {
    name: (holidays.country_holidays("GB", subdiv=sub, years=range(2014, 2022)) if sub else {})
    for name, sub in SUBDIVISIONS.items()
}

DERIVE_DATASET = """
[datasets.d]
file = "d.csv"
date = "a"
[datasets.d.columns]
a = "date"
b = "date"
n = "int"

[[datasets.d.derive]]
name = "wd"
working_days = ["a", "b"]

[[datasets.d.derive]]
name = "days"
days = ["a", "b"]

[[datasets.d.derive]]
name = "plus_wd"
add_working_days = ["a", "n"]

[[datasets.d.derive]]
name = "plus_m"
add_months = ["a", "n"]

[[datasets.d.derive]]
name = "age"
years = ["a", "b"]
""" + measure_toml("ROWS", "d", "month", "count")


def ref_working(d: dt.date, calendar: str) -> bool:
    return d.weekday() < 5 and d not in _CALENDAR_HOLIDAYS[calendar]


def ref_working_days(a: dt.date, b: dt.date, calendar: str) -> int:
    """Working days in (a, b]; minus those in (b, a] when b is before a."""
    lo, hi, sign = (a, b, 1) if b >= a else (b, a, -1)
    return sign * sum(1 for k in range(1, (hi - lo).days + 1) if ref_working(lo + dt.timedelta(days=k), calendar))


def ref_add_working_days(a: dt.date, n: int, calendar: str) -> dt.date:
    d, k = a, 0
    while k < n:
        d += dt.timedelta(days=1)
        k += ref_working(d, calendar)
    return d


def ref_add_months(a: dt.date, n: int) -> dt.date:
    y, m = divmod(a.month - 1 + n, 12)
    return dt.date(a.year + y, m + 1, min(a.day, _calendar.monthrange(a.year + y, m + 1)[1]))


holiday_date = st.sampled_from(sorted(d for h in _CALENDAR_HOLIDAYS.values() for d in h if 2015 <= d.year <= 2019))
derive_date = st.one_of(st.dates(dt.date(2015, 1, 1), dt.date(2019, 12, 31)), holiday_date,
                        holiday_date.map(lambda d: d + dt.timedelta(days=1)),
                        holiday_date.map(lambda d: d - dt.timedelta(days=1)), special_date)


@PROPS
@given(rows=st.lists(st.tuples(derive_date, st.one_of(derive_date, st.integers(-10, 10)), st.integers(1, 25)),
                     min_size=1, max_size=30),
       calendar=st.sampled_from(sorted(SUBDIVISIONS)))
def test_derived_date_arithmetic_matches_the_reference(rows: list[tuple[dt.date, dt.date | int, int]],
                                                      calendar: str) -> None:
    pairs = [(a, b if isinstance(b, dt.date) else a + dt.timedelta(days=b), n) for a, b, n in rows]
    csv = "a,b,n\n" + "".join(f"{a},{b},{n}\n" for a, b, n in pairs)
    config = HEAD.format(fy=4).replace('name = "Property County"', f'name = "P"\nworking_days = "{calendar}"')
    with tempfile.TemporaryDirectory() as tmp:
        engine = build(Path(tmp), config + DERIVE_DATASET, {"d.csv": csv})
        frame = engine.datasets["d"].frame
    assert frame.height == len(pairs)
    for (a, b, n), got in zip(pairs, frame.iter_rows(named=True), strict=True):
        assert (got["a"], got["b"], got["n"]) == (a, b, n)
        where = f"{calendar}: a={a} ({a:%a}), b={b} ({b:%a}), n={n}"
        assert got["days"] == (b - a).days, where
        assert got["wd"] == ref_working_days(a, b, calendar), where
        assert got["plus_wd"] == ref_add_working_days(a, n, calendar), where
        assert got["plus_m"] == ref_add_months(a, n), where
        assert got["age"] == b.year - a.year - ((b.month, b.day) < (a.month, a.day)), where
