"""What polars' streaming engine changes for the engine's plans (docs/scale.md).

    python bench/streaming.py [CONFIG] [--skip-process]

1. In one process: the data loaded once, then each measure's plan (`measures.aggregate`, as
   `Engine._compute` builds it) collected by the in-memory engine and by the streaming engine, with
   the CPU time of each and whether they give the same frame; and the streaming engine's physical
   plan for it (`LazyFrame.show_graph(engine="streaming")`): how many of its nodes run streaming,
   which are potentially memory-intensive (sorts, group-bys, joins: they hold their input) and which
   fall back to the in-memory engine.
2. Whole processes (GNU time): `scorecard trend` with the results store off, in-memory and with
   `POLARS_ENGINE_AFFINITY=streaming` (every `collect` of the engine streaming): wall, CPU, peak
   memory, and whether the output is the same.

Writes `bench/results/streaming-<workload>.txt` and prints it. Reaches into the engine's internals on
purpose, like `profile.py`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import run_once  # noqa: E402

NATIONAL = ROOT / "bench" / "results" / "national" / "config.toml"
FALLBACK = '"0.0 0.3 1.0"'
MEMORY_INTENSIVE = '"0.16 0.3 1.0"'


def graph_nodes(dot: str) -> tuple[int, list[str], list[str]]:
    """(nodes, memory-intensive node names, in-memory fallback node names) of a streaming physical plan."""
    nodes = re.findall(r'^\d+ \[label="([^"\\]*(?:\\.[^"\\]*)*)"(.*)\];$', dot, flags=re.M)
    heavy = [label.split("\\n")[0] for label, rest in nodes if MEMORY_INTENSIVE in rest]
    fallback = [label.split("\\n")[0] for label, rest in nodes if FALLBACK in rest]
    return len(nodes), heavy, fallback


def plans(config: Path) -> list[dict[str, Any]]:
    from scorecard.engine.calendar import month_number
    from scorecard.engine.engine import Engine
    from scorecard.engine.measures import Query, aggregate

    engine = Engine.load(config)
    grid = engine.grid_for(*[month_number(p) for p in engine.data_periods()])
    out = []
    for m in engine.config.measures:
        if engine.missing_reason(m) is not None:
            continue
        plan = aggregate(Query(m), engine.datasets[m.dataset], grid)
        row: dict[str, Any] = {"measure": m.id}
        frames = {}
        for kind in ("in-memory", "streaming"):
            best = float("inf")
            for _ in range(2):
                cpu = time.process_time()
                frames[kind] = plan.collect(engine=kind)  # type: ignore[arg-type]
                best = min(best, time.process_time() - cpu)
            row[f"{kind}_cpu_s"] = best
        a, b = frames["in-memory"], frames["streaming"]
        key = list(a.columns)
        row["same"] = a.sort(key, nulls_last=True).equals(b.sort(key, nulls_last=True))
        try:
            dot = plan.show_graph(engine="streaming", plan_stage="physical", raw_output=True, show=False) or ""
            row["nodes"], row["heavy"], row["fallback"] = graph_nodes(dot)
        except Exception as e:  # a plan polars cannot draw: say so
            row["nodes"], row["heavy"], row["fallback"] = 0, [], [f"(no graph: {type(e).__name__})"]
        out.append(row)
    return out


def processes(config: Path, out: Path) -> list[str]:
    scorecard = str(Path(sys.executable).with_name("scorecard"))
    lines = ["| engine | wall s | CPU s | peak MB | same output |", "|---|---:|---:|---:|---|"]
    outputs = {}
    for kind in ("in-memory", "streaming"):
        env = ["env", "SCORECARD_CACHE=off"] + (["POLARS_ENGINE_AFFINITY=streaming"] if kind == "streaming" else [])
        target = out / f"trend-{kind}.json"
        r = run_once([*env, scorecard, "trend", "--config", str(config), "--format", "json"], target)
        outputs[kind] = target.read_bytes()
        lines.append(f"| {kind} | {r.wall_s:.2f} | {r.cpu_s:.2f} | {r.peak_mb:.0f} | "
                     f"{'yes' if outputs[kind] == outputs['in-memory'] else 'NO'} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="polars' streaming engine on the engine's plans")
    parser.add_argument("config", nargs="?", type=Path, default=NATIONAL)
    parser.add_argument("--skip-process", action="store_true")
    args = parser.parse_args(argv)
    out = ROOT / "bench" / "results" / f"streaming-{args.config.parent.name}"
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"{args.config} at {time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.1f}", ""]
    if not args.skip_process:
        lines += [*processes(args.config, out), ""]
    rows = plans(args.config)
    lines += ["| measure | in-memory CPU s | streaming CPU s | same | nodes | memory-intensive | in-memory fallback |",
              "|---|---:|---:|---|---:|---|---|"]
    for r in rows:
        lines.append(f"| {r['measure']} | {r['in-memory_cpu_s']:.3f} | {r['streaming_cpu_s']:.3f} | "
                     f"{'yes' if r['same'] else 'NO'} | {r['nodes']} | {', '.join(sorted(set(r['heavy']))) or '-'} | "
                     f"{', '.join(sorted(set(r['fallback']))) or '-'} |")
    total = {k: sum(r[k] for r in rows) for k in ("in-memory_cpu_s", "streaming_cpu_s")}
    streamed = sum(1 for r in rows if not r["fallback"])
    lines += ["", f"{len(rows)} plans: {streamed} run wholly on the streaming engine; CPU in-memory "
              f"{total['in-memory_cpu_s']:.2f} s, streaming {total['streaming_cpu_s']:.2f} s; "
              f"{sum(1 for r in rows if not r['same'])} differ"]
    text = "\n".join(lines)
    (out / "streaming.txt").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
