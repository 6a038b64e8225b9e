"""The birthday-split path must give exactly what expanding every row to every period gives."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest

from scorecard.engine.engine import Engine
from scorecard.engine.grid import Query, window_bounds
from scorecard.engine.measures import (
    _differenced,
    _expanded,
    _split_at_birthdays,
    aggregate,
    birthday_columns,
)

CONFIG = """
[organisation]
name = "Split test"
[data]
dir = "."
[datasets.spells]
file = "spells.csv"
start = "start"
end = "end"
[datasets.spells.columns]
child_id = "str"
start = "date"
end = "date?"
dob = "date?"
placement = "str"
[[datasets.spells.derive]]
name = "age"
years = ["dob", "@snapshot"]
[[datasets.spells.derive]]
name = "age_end"
years = ["dob", "@period_end"]
[[datasets.spells.derive]]
name = "band"
sql = "CASE WHEN age < 1 THEN 'under 1' WHEN age < 5 THEN '1-4' WHEN age < 10 THEN '5-9' WHEN age < 16 THEN '10-15' ELSE 'o' END"
[[scorecards]]
id = "s"
title = "S"
"""

MEASURES = [
    ("U16", "snapshot", "count", "age < 16", None),
    ("U16M", "month", "percent", None, "age < 16"),
    ("Y", "ytd", "count", "band = '10-15'", None),
    ("R", "rolling12", "percent", "age_end >= 5", "placement = 'U1'"),
]


def _write(tmp: Path, seed: int) -> Path:
    rnd = random.Random(seed)
    lines = ["child_id,start,end,dob,placement"]
    for i in range(300):
        start = dt.date(2014, 1, 1) + dt.timedelta(days=rnd.randrange(0, 1500))
        end = "" if rnd.random() < 0.3 else str(start + dt.timedelta(days=rnd.randrange(0, 900)))
        dob = dt.date(2000, 2, 29) if rnd.random() < 0.1 else start - dt.timedelta(days=rnd.randrange(0, 6500))
        lines.append(f"C{i},{start},{end},{'' if rnd.random() < 0.05 else dob},{rnd.choice(['U1', 'K2'])}")
    (tmp / "spells.csv").write_text("\n".join(lines) + "\n")
    body = CONFIG
    for mid, window, calc, where, numerator in MEASURES:
        body += f'\n[[measures]]\nid = "{mid}"\ntitle = "{mid}"\nsection = "S"\nscorecards = ["s"]\ndataset = "spells"\n'
        body += f'window = "{window}"\ncalc = "{calc}"\n'
        if where:
            body += f'where = "{where}"\n'
        if numerator:
            body += f'numerator = "{numerator}"\n'
    (tmp / "config.toml").write_text(body)
    return tmp / "config.toml"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_split_equals_full_expansion(tmp_path: Path, seed: int) -> None:
    engine = Engine.load(_write(tmp_path, seed), today=dt.date(2026, 11, 22))
    grid = engine.grid_for()
    data = engine.datasets["spells"]
    for m in engine.config.measures:
        q = Query(m)
        assert birthday_columns(q, data.config) == ["dob"], m.id  # every measure here reads an age from dob
        lo, hi = window_bounds(data.config, m.window, grid)
        frame = data.frame.lazy().with_columns(lo.clip(0, 10**7).alias("__lo"), hi.clip(-1, grid.count - 1).alias("__hi"))
        frame = frame.filter(pl.col("__lo") <= pl.col("__hi"))
        split = _differenced(q, _split_at_birthdays(q, data, frame, grid, ["dob"]), grid).collect()
        full = _expanded(q, data, frame, grid).collect()
        by = lambda df: {r["__p"]: (r["rows"], r["num"]) for r in df.iter_rows(named=True) if r["rows"]}  # noqa: E731
        assert by(split) == by(full), m.id
        # and aggregate() chooses the split path for these measures
        assert by(aggregate(q, data, grid).collect()) == by(full), m.id
