"""The peer: the basic config's eight measures written directly in DuckDB SQL.

Reads the same Parquet files as `scorecard trend` (`DATA/{episodes,health,returns,adoptions,
workforce,population}.parquet`) and prints the same JSON (`periods`, and per measure `values` and
`rags`). Working days come from a calendar table: every day, whether it is a working day
(Monday to Friday, not an England-and-Wales bank holiday from the `holidays` package), and the
running count of working days up to it, so that

* working days in `(a, b]` = count(b) - count(a) (negative when b is before a, as the SPEC says);
* `a` + n working days = the working day whose count is count(a) + n (a weekend start counts
  from the Friday before, as polars' `roll="backward"` does);
* the snapshot date = the last working day of the month.

    python bench/duckdb_peer.py DATA_DIR [--threads N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import duckdb
import holidays

FOSTER = "('U1', 'U2', 'U3', 'U4', 'U5', 'U6')"

# id, polarity, decimals, [(from period, target, floor)]: the basic config's measures.
MEASURES: list[tuple[str, str | None, int, list[tuple[str, float, float]]]] = [
    ("CIC-COUNT", None, 0, []),
    ("CIC-RATE", "lower", 1, [("0000-00", 9.0, 11.0)]),
    ("CIC-FOSTER", "higher", 1, [("0000-00", 80.0, 60.0)]),
    ("CIC-FOSTER-U16", "higher", 0, [("0000-00", 67.0, 50.0)]),
    ("IHA-20WD", "higher", 1, [("0000-00", 90.0, 70.0)]),
    ("RI-3WD", "higher", 0, [("0000-00", 85.0, 63.0)]),
    ("ADOPT-A2", "lower", 0, [("0000-00", 121.0, 150.0)]),
    ("WF-PERM", "higher", 1, [("0000-00", 85.0, 75.0), ("2017-04", 90.0, 80.0)]),
]

# Rows of one dataset bucketed by month, or open on a period's snapshot date; each SELECT gives
# (period, measure, raw value) and the last step rounds and rates.
MEASURE_SQL = f"""
WITH
open_spells AS (
    SELECT period,
           count(*) AS n,
           count(*) FILTER (placement IN {FOSTER}) AS foster,
           count(*) FILTER (age < 16) AS u16,
           count(*) FILTER (age < 16 AND placement IN {FOSTER}) AS u16_foster
    FROM (
        SELECT p.period, e.placement,
               year(p.snapshot) - year(e.dob)
                 - CASE WHEN month(p.snapshot) * 100 + day(p.snapshot) < month(e.dob) * 100 + day(e.dob)
                        THEN 1 ELSE 0 END AS age
        FROM periods p
        JOIN episodes e ON e.start <= p.snapshot AND coalesce(e."end", DATE '9999-12-31') > p.snapshot
    )
    GROUP BY period
),
pop AS (
    SELECT period AS pop_period, sum(value)::DOUBLE AS value FROM population GROUP BY period
),
pop_at AS (
    SELECT p.period, (SELECT value FROM pop WHERE pop_period <= p.period ORDER BY pop_period DESC LIMIT 1) AS value
    FROM periods p
),
health_m AS (
    SELECT strftime(due.d, '%Y-%m') AS period,
           count(*) AS n,
           count(*) FILTER (ci.wd - ce.wd <= 20) AS k
    FROM health h
    JOIN calendar ce ON ce.d = h.entered_care
    JOIN calendar due ON due.working AND due.wd = ce.wd + 20
    LEFT JOIN calendar ci ON ci.d = h.iha_date
    GROUP BY 1
),
returns_m AS (
    SELECT strftime(r.returned, '%Y-%m') AS period,
           count(*) AS n,
           count(*) FILTER (ci.wd - cr.wd <= 3) AS k
    FROM returns r
    JOIN calendar cr ON cr.d = r.returned
    LEFT JOIN calendar ci ON ci.d = r.interview
    GROUP BY 1
),
returns_ytd AS (
    SELECT p.period,
           sum(coalesce(r.n, 0)) OVER (PARTITION BY p.fy ORDER BY p.period ROWS UNBOUNDED PRECEDING) AS n,
           sum(coalesce(r.k, 0)) OVER (PARTITION BY p.fy ORDER BY p.period ROWS UNBOUNDED PRECEDING) AS k
    FROM periods p LEFT JOIN returns_m r USING (period)
),
adoptions_m AS (
    SELECT strftime(matched, '%Y-%m') AS period, sum(matched - authority) AS s, count(*) AS c
    FROM adoptions GROUP BY 1
),
adoptions_r12 AS (
    SELECT p.period,
           sum(coalesce(a.s, 0)) OVER w AS s,
           sum(coalesce(a.c, 0)) OVER w AS c
    FROM periods p LEFT JOIN adoptions_m a USING (period)
    WINDOW w AS (ORDER BY p.idx RANGE BETWEEN 11 PRECEDING AND CURRENT ROW)
),
workforce_p AS (
    SELECT period, count(*) AS n, any_value(value) AS value FROM workforce WHERE measure = 'WF1' GROUP BY period
),
raw AS (
    SELECT p.period, 'CIC-COUNT' AS id, coalesce(o.n, 0)::DOUBLE AS value
        FROM periods p LEFT JOIN open_spells o USING (period)
    UNION ALL
    SELECT p.period, 'CIC-RATE', CASE WHEN pa.value > 0 THEN coalesce(o.n, 0) * 10000.0 / pa.value END
        FROM periods p LEFT JOIN open_spells o USING (period) LEFT JOIN pop_at pa USING (period)
    UNION ALL
    SELECT p.period, 'CIC-FOSTER', 100.0 * o.foster / nullif(o.n, 0)
        FROM periods p LEFT JOIN open_spells o USING (period)
    UNION ALL
    SELECT p.period, 'CIC-FOSTER-U16', 100.0 * o.u16_foster / nullif(o.u16, 0)
        FROM periods p LEFT JOIN open_spells o USING (period)
    UNION ALL
    SELECT p.period, 'IHA-20WD', 100.0 * h.k / nullif(h.n, 0)
        FROM periods p LEFT JOIN health_m h USING (period)
    UNION ALL
    SELECT period, 'RI-3WD', 100.0 * k / nullif(n, 0) FROM returns_ytd
    UNION ALL
    SELECT period, 'ADOPT-A2', s::DOUBLE / nullif(c, 0) FROM adoptions_r12
    UNION ALL
    SELECT p.period, 'WF-PERM', CASE WHEN w.n = 1 THEN w.value END
        FROM periods p LEFT JOIN workforce_p w USING (period)
),
rounded AS (
    SELECT r.period, r.id, round(r.value + sign(r.value) * 1e-9, m.decimals) + 0.0 AS value
    FROM raw r JOIN measures m USING (id)
),
rated AS (
    SELECT r.period, r.id, r.value,
           CASE WHEN t.target IS NULL THEN NULL
                WHEN r.value IS NULL THEN 'no_data'
                WHEN m.polarity = 'lower' THEN CASE WHEN r.value <= t.target THEN 'green'
                                                    WHEN r.value <= t.floor THEN 'amber' ELSE 'red' END
                ELSE CASE WHEN r.value >= t.target THEN 'green' WHEN r.value >= t.floor THEN 'amber' ELSE 'red' END
           END AS rag
    FROM rounded r JOIN measures m USING (id)
    LEFT JOIN LATERAL (
        SELECT target, floor FROM targets t WHERE t.id = r.id AND t.from_period <= r.period
        ORDER BY t.from_period DESC LIMIT 1
    ) t ON TRUE
)
SELECT id, list(value ORDER BY period) AS "values", list(rag ORDER BY period) AS rags
FROM rated GROUP BY id
"""


def _views(con: duckdb.DuckDBPyConnection, data: Path) -> None:
    for name in ("episodes", "health", "returns", "adoptions", "workforce", "population"):
        path = str(data / f"{name}.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")


def _month(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def _data_months(con: duckdb.DuckDBPyConnection, today: dt.date) -> tuple[int, int]:
    """First and last month with a row dated in it (SPEC section 5), never after this month."""
    dated = con.execute(f"""
        WITH months AS (
            SELECT year(start) * 12 + month(start) - 1 AS m FROM episodes
            UNION ALL SELECT year("end") * 12 + month("end") - 1 FROM episodes WHERE "end" IS NOT NULL
            UNION ALL SELECT year(d) * 12 + month(d) - 1 FROM health_due
            UNION ALL SELECT year(returned) * 12 + month(returned) - 1 FROM returns
            UNION ALL SELECT year(matched) * 12 + month(matched) - 1 FROM adoptions
            UNION ALL SELECT left(period, 4)::INT * 12 + right(period, 2)::INT - 1 FROM workforce
            UNION ALL SELECT left(period, 4)::INT * 12 + right(period, 2)::INT - 1 FROM population
        )
        SELECT min(m), max(m) FROM months WHERE m <= {_month(today)}
    """).fetchone()
    assert dated is not None and dated[0] is not None, "no data"
    return int(dated[0]), int(dated[1])


def _calendar(con: duckdb.DuckDBPyConnection) -> None:
    """Every day from a year before the earliest working-day date to two years after the latest."""
    lo, hi = con.execute("""
        SELECT least(min(h.entered_care), min(h.iha_date), (SELECT min(returned) FROM returns),
                     (SELECT min(interview) FROM returns)),
               greatest(max(h.entered_care), max(h.iha_date), (SELECT max(returned) FROM returns),
                        (SELECT max(interview) FROM returns))
        FROM health h
    """).fetchone()  # type: ignore[misc]
    first, last = lo.year - 1, hi.year + 2
    days = sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(first, last + 1)).keys())
    con.execute("CREATE TABLE bank_holidays (d DATE)")
    con.executemany("INSERT INTO bank_holidays VALUES (?)", [[d] for d in days])
    con.execute(f"""
        CREATE TABLE calendar AS
        WITH days AS (
            SELECT range::DATE AS d FROM range(DATE '{first}-01-01', DATE '{last}-12-31' + 1, INTERVAL 1 DAY)
        ), flagged AS (
            SELECT d, isodow(d) <= 5 AND d NOT IN (SELECT d FROM bank_holidays) AS working FROM days
        )
        SELECT d, working, sum(working::INT) OVER (ORDER BY d) AS wd FROM flagged
    """)
    con.execute("""
        CREATE TABLE health_due AS
        SELECT due.d FROM health h JOIN calendar ce ON ce.d = h.entered_care
        JOIN calendar due ON due.working AND due.wd = ce.wd + 20
    """)


def _periods(con: duckdb.DuckDBPyConnection, first: int, last: int, fy_start_month: int = 4) -> None:
    con.execute(f"""
        CREATE TABLE periods AS
        WITH months AS (SELECT range AS idx FROM range({first}, {last + 1}))
        SELECT idx,
               printf('%04d-%02d', idx // 12, idx % 12 + 1) AS period,
               (SELECT max(c.d) FROM calendar c
                 WHERE c.working AND year(c.d) * 12 + month(c.d) - 1 = idx) AS snapshot,
               (idx - ((idx % 12 + 1 - {fy_start_month} + 12) % 12)) AS fy
        FROM months
    """)


def _measures(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE measures (id VARCHAR, polarity VARCHAR, decimals INT, ord INT)")
    con.execute("CREATE TABLE targets (id VARCHAR, from_period VARCHAR, target DOUBLE, floor DOUBLE)")
    con.executemany("INSERT INTO measures VALUES (?, ?, ?, ?)", [[m, p, d, i] for i, (m, p, d, _) in enumerate(MEASURES)])
    con.executemany("INSERT INTO targets VALUES (?, ?, ?, ?)", [[m, *t] for m, _, _, ts in MEASURES for t in ts])


def trend(data: Path, today: dt.date | None = None, threads: int | None = None) -> dict[str, Any]:
    """Every measure in every period, as `scorecard trend --format json` prints them."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    _views(con, data)
    _calendar(con)
    first, last = _data_months(con, today or dt.date.today())
    _periods(con, first, last)
    _measures(con)
    rows = {row[0]: row for row in con.execute(MEASURE_SQL).fetchall()}
    periods = [r[0] for r in con.execute("SELECT period FROM periods ORDER BY idx").fetchall()]
    return {
        "scorecard": "cic",
        "periods": periods,
        "measures": [{"id": m, "values": list(rows[m][1]), "rags": list(rows[m][2])} for m, *_ in MEASURES],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="folder holding the basic config's Parquet files")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    json.dump(trend(args.data, threads=args.threads), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
