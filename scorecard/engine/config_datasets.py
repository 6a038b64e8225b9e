"""The second pass over `[datasets]` and `[cohorts]`: joins, derives and the columns that place
rows in periods, checked against each other; each sound dataset's schema worked out.

A dataset with problems is kept as None so that measures on it are not reported twice. Every
problem of a dataset is reported in one run: a column of an unknown type is left out of the
schema, and nothing is said about other keys that use it.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from .config_model import COLUMN_TYPES, DERIVE_KINDS, PERIOD_PARAMS, Cohort, Dataset, Derive
from .config_problems import Problems
from .config_sql import TYPE_DTYPES, sql_columns, sql_problem


def check_datasets(declared: dict[str, Dataset | None], problems: Problems) -> dict[str, Dataset | None]:
    """Every dataset by name, resolved; None for one with problems (reported)."""
    sound = {name: ds for name, ds in declared.items() if ds is not None}
    out: dict[str, Dataset | None] = {name: None for name, ds in declared.items() if ds is None}
    for name in _join_order(sound, problems):
        out[name] = _DatasetCheck(sound[name], out, problems).run()
    return out


def _join_order(models: dict[str, Dataset], problems: Problems) -> list[str]:
    """Datasets ordered so that every joined dataset comes before the one joining it."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            problems.add(f"datasets.{name}.join", "joins form a cycle: " + " -> ".join([*trail, name]))
            return
        state[name] = "visiting"
        for j in models[name].joins:
            if j.dataset in models:
                visit(j.dataset, [*trail, name])
        state[name] = "done"
        order.append(name)

    for name in models:
        visit(name, [])
    return order


class _DatasetCheck:
    def __init__(self, ds: Dataset, built: dict[str, Dataset | None], problems: Problems):
        self.ds, self.built, self.problems = ds, built, problems
        self.base = f"datasets.{ds.name}"
        self.found = 0
        self.untyped = {c for c, col in ds.columns.items() if col.type not in COLUMN_TYPES}
        self.schema: dict[str, pl.DataType] = {
            c: TYPE_DTYPES[col.type] for c, col in ds.columns.items() if c not in self.untyped
        }
        self.sources: dict[str, set[tuple[str, str]]] = {c: {(ds.name, c)} for c in ds.columns}

    def bad(self, key: str, message: str, *columns: Any) -> None:
        """Record a problem, unless it is about a column whose unknown type is reported already."""
        self.found += 1
        if not self.untyped & {c for c in columns if isinstance(c, str)}:
            self.problems.add(f"{self.base}{key}", message, self.ds.name)

    def run(self) -> Dataset | None:
        ds = self.ds
        if self.untyped:
            bad = [f"{c} = {ds.declared_columns[c]!r}" for c in ds.declared_columns if c in self.untyped]
            self.bad(".columns", "unknown column type in " + ", ".join(bad) + "; use str, int, float, bool or date "
                     "(with ? when the value may be empty)")
        for i, _ in enumerate(ds.joins):
            self._join(i)
        for i, d in enumerate(ds.derives):
            if self._derive(f".derive[{i}]", d):
                self.sources[d.name] = set().union(*(self.sources[c] for c in d.inputs)) if d.inputs else set()
        self._window_columns()
        for u in ds.unique:
            if u not in ds.columns:
                self.bad(".unique", f"unknown column {u!r}")
        return None if self.found else ds.resolved(self.schema, self.sources)

    def _join(self, i: int) -> None:
        ds, j, where = self.ds, self.ds.joins[i], f".join[{i}]"
        if j.dataset not in self.built:
            return self.bad(f"{where}.dataset", f"unknown dataset {j.dataset!r}")
        other = self.built[j.dataset]
        if other is None:  # its own problems are reported
            return self.bad(f"{where}.dataset", f"dataset {j.dataset!r} has problems (above)")
        if j.sides is None:
            return self.bad(f"{where}.on", f"must read 'this_column = that_column', not {j.on!r}")
        left, right = j.sides
        if left not in self.schema:
            return self.bad(f"{where}.on", f"unknown column {left!r} in dataset {ds.name!r}", left)
        if right not in other.schema or right in {d.name for d in other.derives}:
            return self.bad(f"{where}.on", f"unknown column {right!r} in dataset {j.dataset!r}")
        clash = sorted(c for c in other.schema if c != right and c in self.schema and c not in other.period_dependent)
        if clash:
            return self.bad(where + ".dataset", f"columns {', '.join(clash)} are in both {ds.name!r} and {j.dataset!r}; "
                            "rename one side")
        for c, t in other.schema.items():
            if c == right or c in other.period_dependent:
                continue
            self.schema[c] = t
            self.sources[c] = set(other.sources[c]) | self.sources[left]
        return None

    def _derive(self, where: str, d: Derive) -> bool:
        """Check one derive and add its column to the schema; False when it has problems."""
        if d.name in self.schema or d.name in self.untyped:
            self.bad(f"{where}.name", f"column {d.name!r} already exists")
            return False
        kinds = d.kinds
        if len(kinds) != 1:
            self.bad(where, f"derive {d.name!r} needs exactly one of {', '.join(DERIVE_KINDS)}"
                     + (f", not {' and '.join(kinds)}" if kinds else ""))
            return False
        kind = kinds[0]
        if kind == "sql":
            assert d.sql is not None
            dtype, err = sql_problem(d.sql, self.schema, boolean=False)
            if err:
                self.bad(f"{where}.sql", err, *sql_columns(d.sql))
                return False
            self.schema[d.name] = dtype
            return True
        args = d.args
        if len(args) != 2:
            second_name = "to" if kind in ("days", "working_days", "years") else "n"
            self.bad(f"{where}.{kind}", f"needs two items, [from, {second_name}]")
            return False
        first, second = args
        ok = self._date_arg(f"{where}.{kind}[0]", first)
        if kind in ("days", "working_days", "years"):
            ok = self._date_arg(f"{where}.{kind}[1]", second) and ok
            dtype = pl.Int32()
        else:
            if isinstance(second, str) and self.schema.get(second) not in (pl.Int64(), pl.Int32()):
                self.bad(f"{where}.{kind}[1]", f"{second!r} is not a whole number or an int column", second)
                ok = False
            dtype = pl.Date()
        if ok:
            self.schema[d.name] = dtype
        return ok

    def _date_arg(self, where: str, arg: Any) -> bool:
        if arg in PERIOD_PARAMS or (isinstance(arg, str) and self.schema.get(arg) == pl.Date()):
            return True
        self.bad(where, f"{arg!r} is not a date column of {self.ds.name!r}, @snapshot or @period_end", arg)
        return False

    def _window_columns(self) -> None:
        ds = self.ds
        given = [k for k in ("date", "start", "period") if getattr(ds, k)]
        if len(given) > 1:
            return self.bad("", f"give one of date, start (with end) or period, not {' and '.join(given)}")
        if ds.start and not ds.end:
            self.bad(".end", "a spell dataset (start) needs an end column")
        if ds.end and not ds.start:
            self.bad(".start", "end needs a start column")
        for key in ("date", "start", "end", "period"):
            col = getattr(ds, key)
            if not col:
                continue
            want = pl.String() if key == "period" else pl.Date()
            if col not in self.schema:
                self.bad(f".{key}", f"unknown column {col!r}", col)
            elif col in ds.period_dependent:
                self.bad(f".{key}", f"column {col!r} depends on the period and cannot place rows in one")
            elif self.schema[col] != want:
                self.bad(f".{key}", f"column {col!r} must be {'str (YYYY-MM)' if key == 'period' else 'a date'}")
        return None


def check_cohorts(cohorts: dict[str, Cohort], datasets: dict[str, Dataset | None], problems: Problems) -> dict[str, Cohort]:
    """A cohort applies to every dataset that has its columns (SPEC 5): it must parse, name columns
    some dataset has, and be a condition over each of them. Returns the cohorts that parse."""
    from .config_sql import parse_sql

    parsed: dict[str, Cohort] = {}
    for cid, cohort in cohorts.items():
        try:
            parse_sql(cohort.where)
        except Exception:
            problems.add(f"cohorts.{cid}.where", f"SQL cannot be parsed: {cohort.where}", cid)
            continue
        parsed[cid] = cohort
    known = [ds for ds in datasets.values() if ds is not None]
    if len(known) < len(datasets):
        return parsed  # a broken dataset might be the one the cohort is for: its own problems come first
    for cid, cohort in parsed.items():
        columns = sql_columns(cohort.where)
        applies = [ds for ds in known if columns <= set(ds.schema)]
        if not applies:
            missing = sorted(columns - set().union(*(set(ds.schema) for ds in known))) or sorted(columns)
            names = ", ".join(repr(c) for c in missing)
            problems.add(f"cohorts.{cid}.where", f"no dataset has the column(s) {names}, so the cohort applies to "
                         f"no measure: {cohort.where}", cid)
            continue
        for ds in applies:
            _, err = sql_problem(cohort.where, ds.schema, boolean=True)
            if err:
                problems.add(f"cohorts.{cid}.where", f"{err} (in dataset {ds.name!r})", cid)
                break
    return parsed
