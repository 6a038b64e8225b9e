"""The benchmark: `python bench/run.py` (see bench/README.md).

For each workload: wall time and peak memory of the whole `scorecard trend --format json`
process (the results store off), and of the reference reader (`bench/reader.py`: reads the same files, groups by month)
with the ratios; on the national workload also the DuckDB peer (`bench/duckdb_peer.py`) and
whether its numbers agree with the engine's; then the same `trend` with the results store on, its
first start and its second (read from the store). Then the terminal UI's timings through Pilot.
Prints a table and writes `bench/results/bench.json`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import demo, national, tui  # noqa: E402
from bench.measure import measure_rounds, ratio_spread, round_ratio  # noqa: E402
from bench.table import render  # noqa: E402

BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
WORKLOADS = ("national", "demo-1", "demo-10", "demo-100", "tui")


def scorecard_command() -> list[str]:
    script = Path(sys.executable).with_name("scorecard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "scorecard.cli"]


def compare(ours_path: Path, theirs_path: Path) -> list[str]:
    """Where the engine's trend and the peer's differ: `measure period: ours vs theirs`."""
    ours, theirs = json.loads(ours_path.read_text()), json.loads(theirs_path.read_text())
    if ours["periods"] != theirs["periods"]:
        return [f"periods differ: {len(ours['periods'])} vs {len(theirs['periods'])}"]
    peer = {m["id"]: m for m in theirs["measures"]}
    out = []
    for m in ours["measures"]:
        p = peer.get(m["id"])
        if p is None:
            out.append(f"{m['id']}: not in the peer")
            continue
        for i, period in enumerate(ours["periods"]):
            if (m["values"][i], m["rags"][i]) != (p["values"][i], p["rags"][i]):
                out.append(f"{m['id']} {period}: {m['values'][i]} {m['rags'][i]} vs {p['values'][i]} {p['rags'][i]}")
    return out


def rows_read(reader_output: Path) -> int:
    """Rows the reader read (its output: dataset<TAB>rows); never read the data in this process."""
    return sum(int(line.split("\t")[1]) for line in reader_output.read_text().splitlines() if "\t" in line)


def _progress(name: str) -> Callable[[str], None]:
    return lambda step: print(f"[{name}] {step}", file=sys.stderr, flush=True)


STORE_OFF = ["env", "SCORECARD_CACHE=off"]  # the engine timed computing, never reading the results store


def bench_second_start(config: Path, out: Path, repeat: int) -> dict[str, Any]:
    """`scorecard trend` with the results store on: the first start on the data (an empty store: computed and
    stored), then `repeat` second starts (read from the store); and whether all give the engine's output."""
    store = out / "store"
    shutil.rmtree(store, ignore_errors=True)
    cmd = ["env", f"SCORECARD_CACHE_DIR={store}", *scorecard_command(), "trend", "--config", str(config), "--format", "json"]
    first = measure_rounds({"first": (cmd, out / "trend-first.json")}, 1)["first"]
    second = measure_rounds({"second": (cmd, out / "trend-second.json")}, repeat)["second"]
    expected = (out / "trend.json").read_bytes()
    same = (out / "trend-first.json").read_bytes() == expected == (out / "trend-second.json").read_bytes()
    return {"first": first.to_json(), "second": second.to_json(), "same_output": same}


def bench_engine(name: str, config: Path, out: Path, repeat: int, peer_data: Path | None = None) -> dict[str, Any]:
    """The engine against the reader (and, given the data folder of the basic config, the DuckDB peer),
    in rounds: ratios are the median over rounds of the two processes' figures in the same round."""
    commands = {
        "engine": ([*STORE_OFF, *scorecard_command(), "trend", "--config", str(config), "--format", "json"],
                   out / "trend.json"),
        "reader": ([sys.executable, str(BENCH / "reader.py"), str(config)], out / "reader.txt"),
    }
    if peer_data is not None:
        commands["duckdb"] = ([sys.executable, str(BENCH / "duckdb_peer.py"), str(peer_data)], out / "peer.json")
    s = measure_rounds(commands, repeat, progress=_progress(name))
    result: dict[str, Any] = {
        "workload": name,
        "rows": rows_read(out / "reader.txt"),
        **{k: v.to_json() for k, v in s.items()},
        "time_ratio": round_ratio(s["engine"], s["reader"]),
        "time_ratio_spread": ratio_spread(s["engine"], s["reader"]),
        "memory_ratio_spread": ratio_spread(s["engine"], s["reader"], "peak_mb"),
        "cpu_ratio": round_ratio(s["engine"], s["reader"], "cpu_s"),
        "memory_ratio": round(s["engine"].peak_mb / s["reader"].peak_mb, 2),
    }
    if peer_data is not None:
        result["duckdb_time_ratio"] = round_ratio(s["engine"], s["duckdb"])
        result["duckdb_time_ratio_spread"] = ratio_spread(s["engine"], s["duckdb"])
        result["duckdb_disagreements"] = compare(out / "trend.json", out / "peer.json")
    result["second_start"] = bench_second_start(config, out, repeat)
    return result


def bench_national(size: float, repeat: int, fresh: bool) -> dict[str, Any]:
    out = RESULTS / "national" if size == 1.0 else RESULTS / f"national-{size:g}"
    if fresh or not (out / "config.toml").exists():
        print(f"[national] generating size {size:g} ...", file=sys.stderr, flush=True)
        shutil.rmtree(out, ignore_errors=True)
        national.generate(out, size)
    return bench_engine(out.name, out / "config.toml", out, repeat, peer_data=out / "data")


def bench_demo(scale: int, repeat: int, fresh: bool) -> dict[str, Any]:
    name = f"demo-{scale}"
    why = demo.unavailable()
    if why:
        return {"workload": name, "skipped": why}
    out = RESULTS / name
    print(f"[{name}] preparing data ...", file=sys.stderr, flush=True)
    return bench_engine(name, demo.prepare(out, scale, fresh=fresh), out, repeat)


README_START, README_END = "<!-- results: written by `python bench/run.py --readme` -->", "<!-- /results -->"


def update_readme(readme: Path, table: str) -> None:
    """Replace the results block of the README with this run's table."""
    text = readme.read_text(encoding="utf-8")
    head, start, rest = text.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not start or not end:
        raise SystemExit(f"{readme} has no results block ({README_START} ... {README_END})")
    readme.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


def machine() -> dict[str, Any]:
    import polars

    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version(), "polars": polars.__version__}
    try:
        import duckdb

        info["duckdb"] = duckdb.__version__
    except ImportError:
        pass
    return info


def compile_package() -> bool:
    """The scorecard package's modules compiled to bytecode before anything is timed, as installing it does
    (pip compiles every module at install). A checkout run with `PYTHONDONTWRITEBYTECODE=1` (this environment
    sets it) never writes its modules' bytecode, so every timed process would compile each one it imports:
    about 50 ms of CPU in the terminal UI's first-start child alone on demo-1 (bench/README.md, `startload`).
    `compileall` writes the bytecode whatever that variable says; the processes timed then only read it."""
    import compileall

    return bool(compileall.compile_dir(str(ROOT / "scorecard"), quiet=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scorecard benchmark")
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help=f"comma-separated, of {', '.join(WORKLOADS)}")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each running every command once")
    parser.add_argument("--size", type=float, default=1.0, help="national workload's row counts x this")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data even when present")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench.json")
    parser.add_argument("--readme", action="store_true", help="also write the table into bench/README.md's results block")
    args = parser.parse_args(argv)
    chosen = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in chosen if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}")
    report: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average": {"before": [round(x, 2) for x in os.getloadavg()], "after": None},
        "machine": machine(),
        "repeat": args.repeat,
        "workloads": [],
        "tui": [],
        "compiled": compile_package(),
    }

    def save() -> None:  # after every workload, so that a failure later keeps what was measured
        report["load_average"]["after"] = [round(x, 2) for x in os.getloadavg()]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")

    for w in chosen:
        if w == "national":
            report["workloads"].append(bench_national(args.size, args.repeat, args.fresh))
        elif w.startswith("demo-"):
            report["workloads"].append(bench_demo(int(w.split("-")[1]), args.repeat, args.fresh))
        else:
            nat = RESULTS / "national" / "config.toml"
            report["tui"] = tui.bench_all(RESULTS, args.repeat, {"national": nat} if nat.exists() else None)
        save()
    table = render(report)
    print(table)
    print(f"\nJSON: {args.out}")
    if args.readme:
        update_readme(BENCH / "README.md", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
