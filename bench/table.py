"""The benchmark's table, from the report `run.py` writes as JSON."""

from __future__ import annotations

from typing import Any


def _fmt(x: Any, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"Scorecard benchmark, {report['date']}: {m['cores']} cores, Python {m['python']}, polars {m['polars']}, "
        f"duckdb {m.get('duckdb', '-')}; {report['repeat']} rounds: best wall and CPU time, highest peak memory, "
        f"ratios the median over rounds of the two figures in the same round; "
        f"load average (1, 5, 15 min) {report['load_average']['before']} before, {report['load_average']['after']} after",
        "",
        "| workload | rows | engine s | engine CPU s | engine MB | reader s | reader CPU s | reader MB | time x reader "
        "| CPU x reader | memory x reader "
        "| duckdb s | duckdb MB | time x duckdb | peer agrees |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    notes: list[str] = []
    for w in report["workloads"]:
        if "skipped" in w:
            notes.append(f"- {w['workload']}: skipped: {w['skipped']}")
            continue
        duck = w.get("duckdb") or {}
        if "duckdb" in w:
            bad = w.get("duckdb_disagreements", [])
            agrees = "yes" if not bad else f"NO ({len(bad)} values)"
        else:
            agrees = "-"
        lines.append(
            f"| {w['workload']} | {w['rows']:,} | {w['engine']['wall_s']:.2f} | {w['engine']['cpu_s']:.2f} "
            f"| {w['engine']['peak_mb']:.0f} "
            f"| {w['reader']['wall_s']:.2f} | {w['reader']['cpu_s']:.2f} | {w['reader']['peak_mb']:.0f} | {w['time_ratio']:.2f} "
            f"| {w['cpu_ratio']:.2f} | {w['memory_ratio']:.2f} "
            f"| {_fmt(duck.get('wall_s'), '.2f')} | {_fmt(duck.get('peak_mb'), '.0f')} "
            f"| {_fmt(w.get('duckdb_time_ratio'), '.2f')} | {agrees} |"
        )
    starts = [w for w in report["workloads"] if "second_start" in w]
    if starts:
        lines += ["", "Results store (scorecard/store/), the same `trend` process: with the store off (the engine row "
                  "above), the first start on the data (computed and stored), the second (read from the store)", "",
                  "| workload | store off s | first start s | second start s | second start CPU s | second start MB "
                  "| same output |", "|---|---:|---:|---:|---:|---:|---|"]
        for w in starts:
            st = w["second_start"]
            lines.append(f"| {w['workload']} | {w['engine']['wall_s']:.2f} | {st['first']['wall_s']:.2f} "
                         f"| {st['second']['wall_s']:.2f} | {st['second']['cpu_s']:.2f} | {st['second']['peak_mb']:.0f} "
                         f"| {'yes' if st['same_output'] else 'NO'} |")
    if report.get("tui"):
        lines += ["", "| terminal UI | first screen s | its CPU s | open drill-down ms | CPU ms | drill-down at once ms "
                  "| CPU ms | switch period ms | CPU ms |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for t in report["tui"]:
            if "skipped" in t:
                notes.append(f"- {t['workload']}: skipped: {t['skipped']}")
                continue
            lines.append(
                f"| {t['workload']} | {_fmt(t.get('first_screen_s'), '.2f')} | {_fmt(t.get('first_screen_cpu_s'), '.2f')} "
                f"| {_fmt(t.get('drill_down_ms'), '.0f')} | {_fmt(t.get('drill_down_cpu_ms'), '.0f')} "
                f"| {_fmt(t.get('drill_down_at_once_ms'), '.0f')} | {_fmt(t.get('drill_down_at_once_cpu_ms'), '.0f')} "
                f"| {_fmt(t.get('switch_period_ms'), '.0f')} | {_fmt(t.get('switch_period_cpu_ms'), '.0f')} |"
            )
            notes += [f"- {t['workload']}: failed in some runs: {e}" for e in t.get("errors", [])]
    lines += ["", "Targets (issue 18, 2 cores; each ratio the median over rounds, with the lowest and highest single round;"
              " terminal UI: best of the rounds):", *targets(report)]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _spread(w: dict[str, Any], key: str) -> str:
    """` (rounds 1.62 to 1.75)`: the lowest and highest ratio of a single round, when there were several."""
    lo_hi = w.get(key)
    if not lo_hi or len(w.get("engine", {}).get("runs", [])) < 2:
        return ""
    return f" (rounds {lo_hi[0]:.2f} to {lo_hi[1]:.2f})"


def targets(report: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for w in report["workloads"]:
        if "skipped" in w:
            continue
        name, mem = w["workload"], w["memory_ratio"]
        time_, memory = _spread(w, "time_ratio_spread"), _spread(w, "memory_ratio_spread")
        ratio = w["time_ratio"]
        if name == "national":
            out.append(f"- national: engine time <= 1.8 x reader: {ratio:.2f} x{time_}, {_verdict(ratio <= 1.8)}")
            out.append(f"- national: engine peak memory <= 2 x reader: {mem:.2f} x{memory}, {_verdict(mem <= 2.0)}")
            if "duckdb_time_ratio" in w:
                ok = w["duckdb_time_ratio"] <= 1 / 1.4
                out.append(f"- national: at least 1.4 x faster than the DuckDB peer: {w['duckdb_time_ratio']:.2f} x its time"
                           f"{_spread(w, 'duckdb_time_ratio_spread')}, {_verdict(ok)}")
        elif name == "demo-100":
            out.append(f"- demo-100: engine time <= 3 x reader: {ratio:.2f} x{time_}, {_verdict(ratio <= 3.0)}")
            out.append(f"- demo-100: engine peak memory <= 2 x reader: {mem:.2f} x{memory}, {_verdict(mem <= 2.0)}")
    limits = {"tui demo-1": 1.0, "tui demo-10": 2.0, "tui demo-1 second start": 0.5, "tui demo-10 second start": 0.5}
    for t in report.get("tui") or []:
        name = t["workload"]
        if name not in limits or "skipped" in t:
            continue
        if "first_screen_s" in t:
            first, limit = t["first_screen_s"], limits[name]
            median = t.get("first_screen_s_median", first)
            out.append(f"- {name}: first screen < {limit:g} s: {first:.2f} s, median {median:.2f} s "
                       f"({t.get('first_screen_cpu_s', 0):.2f} s CPU), {_verdict(first < limit)}")
        if name.startswith("tui demo-1"):
            for key, what, limit in (("drill_down_ms", "drill-down", 150), ("drill_down_at_once_ms", "drill-down at once", 150),
                                     ("switch_period_ms", "switch period", 100)):
                if key in t:
                    cpu = t.get(key.replace("_ms", "_cpu_ms"), 0)
                    median = t.get(f"{key}_median", t[key])
                    out.append(f"- {name}: {what} < {limit} ms: {t[key]:.0f} ms, median {median:.0f} ms ({cpu:.0f} ms CPU), "
                               f"{_verdict(t[key] < limit)}")
    return out or ["- no workload with a target was run"]
