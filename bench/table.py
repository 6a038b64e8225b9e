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
    if report.get("tui"):
        lines += ["", "| terminal UI | first screen s | open drill-down ms | drill-down at once ms | switch period ms |",
                  "|---|---:|---:|---:|---:|"]
        for t in report["tui"]:
            if "skipped" in t:
                notes.append(f"- {t['workload']}: skipped: {t['skipped']}")
                continue
            lines.append(
                f"| {t['workload']} | {_fmt(t.get('first_screen_s'), '.2f')} | {_fmt(t.get('drill_down_ms'), '.0f')} "
                f"| {_fmt(t.get('drill_down_at_once_ms'), '.0f')} | {_fmt(t.get('switch_period_ms'), '.0f')} |"
            )
            notes += [f"- {t['workload']}: failed in some runs: {e}" for e in t.get("errors", [])]
    lines += ["", "Targets (issue 8, 2 cores):", *targets(report)]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def targets(report: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for w in report["workloads"]:
        if w["workload"] != "national" or "skipped" in w:
            continue
        out.append(f"- national: engine time <= 2.0 x reader: {w['time_ratio']:.2f} x, {_verdict(w['time_ratio'] <= 2.0)}")
        mem = w["memory_ratio"]
        out.append(f"- national: engine peak memory <= 3 x reader: {mem:.2f} x, {_verdict(mem <= 3.0)}")
        if "duckdb_time_ratio" in w:
            ok = w["duckdb_time_ratio"] < 1.0
            out.append(f"- national: faster than the DuckDB peer: {w['duckdb_time_ratio']:.2f} x its time, {_verdict(ok)}")
    for t in report.get("tui") or []:
        if not t["workload"].startswith("tui demo") or "skipped" in t:
            continue
        if "first_screen_s" in t:
            first = t["first_screen_s"]
            out.append(f"- {t['workload']}: first screen < 1 s: {first:.2f} s, {_verdict(first < 1.0)}")
        if "drill_down_ms" in t:
            drill = t["drill_down_ms"]
            out.append(f"- {t['workload']}: drill-down < 200 ms: {drill:.0f} ms, {_verdict(drill < 200)}")
    return out or ["- no workload with a target was run"]
