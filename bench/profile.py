"""Where the engine's time and memory go on a workload (the national one by default).

    python bench/profile.py [CONFIG]

1. pyinstrument over the whole `scorecard trend --format json` process (text and HTML under
   `bench/results/profile/`);
2. in one process: each dataset's load (`datasets._load_dataset`), then each measure's plan
   collected on its own (`measures.aggregate`), timed;
3. peak memory: a fresh process that only loads the data, then one per measure that loads and
   computes that measure alone; a measure's cost is its peak over the load-only peak.

Steps 2 and 3 reach into the engine's internals on purpose; they break when those change.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import run_once  # noqa: E402

OUT = ROOT / "bench" / "results" / "profile"
NATIONAL = ROOT / "bench" / "results" / "national" / "config.toml"


def pyinstrument_whole(config: Path, out: Path, html: bool) -> Path:
    import subprocess

    out.mkdir(parents=True, exist_ok=True)
    scorecard = Path(sys.executable).with_name("scorecard")
    text = out / "trend.txt"
    for renderer, target in [("text", text)] + ([("html", out / "trend.html")] if html else []):
        subprocess.run(
            [str(Path(sys.executable).with_name("pyinstrument")), "-r", renderer, "-o", str(target),
             str(scorecard), "trend", "--config", str(config), "--format", "json"],
            check=True, stdout=subprocess.DEVNULL,
        )
    return text


def timings(config: Path) -> dict[str, Any]:
    """Each dataset's load and each measure's plan, collected one at a time, in seconds."""
    from scorecard.engine.calendar import Calendar, month_of_date
    from scorecard.engine.config import load_config
    from scorecard.engine.datasets import _load_dataset
    from scorecard.engine.engine import Engine
    from scorecard.engine.grid import Query
    from scorecard.engine.measures import aggregate

    cfg = load_config(config)
    import datetime as dt

    calendar = Calendar(cfg.organisation.working_days, cfg.organisation.financial_year_start_month)
    loaded: dict[str, Any] = {}
    load_s: dict[str, float] = {}
    for name, ds in cfg.datasets.items():
        t = time.perf_counter()
        loaded[name] = _load_dataset(cfg, ds, calendar, loaded, month_of_date(dt.date.today()))
        load_s[name] = round(time.perf_counter() - t, 3)
    engine = Engine(cfg)
    grid = engine.grid_for(*[m for m in (engine.first_month, engine.last_month) if m is not None])
    measure_s: dict[str, float] = {}
    for m in cfg.measures:
        plan = aggregate(Query(m), engine.datasets[m.dataset], grid)
        t = time.perf_counter()
        plan.collect()
        measure_s[m.id] = round(time.perf_counter() - t, 3)
    return {"load_s": load_s, "measure_s": measure_s}


def only(config: Path, measure: str | None) -> None:
    """Load the data, then compute one measure (or none): run in a fresh process for its peak memory."""
    from scorecard.engine.engine import Engine
    from scorecard.engine.grid import Query
    from scorecard.engine.measures import aggregate

    engine = Engine.load(config)
    if measure:
        grid = engine.grid_for(*[m for m in (engine.first_month, engine.last_month) if m is not None])
        m = engine.config.measure(measure)
        aggregate(Query(m), engine.datasets[m.dataset], grid).collect()


def memory(config: Path, out: Path) -> dict[str, Any]:
    from scorecard.engine.config import load_config

    ids = [m.id for m in load_config(config).measures]
    out.mkdir(parents=True, exist_ok=True)
    script = str(Path(__file__).resolve())
    base = run_once([sys.executable, script, str(config), "--only", ""], out / "only.out")
    found: dict[str, Any] = {"load_only_mb": base.peak_mb, "load_only_s": base.wall_s, "measures": {}}
    for mid in ids:
        r = run_once([sys.executable, script, str(config), "--only", mid], out / "only.out")
        found["measures"][mid] = {"peak_mb": r.peak_mb, "over_load_mb": round(r.peak_mb - base.peak_mb, 1),
                                "wall_s": r.wall_s, "over_load_s": round(r.wall_s - base.wall_s, 3)}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="profile the engine on a workload")
    parser.add_argument("config", nargs="?", type=Path, default=NATIONAL)
    parser.add_argument("--only", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the profile (default bench/results/profile)")
    parser.add_argument("--skip-pyinstrument", action="store_true")
    parser.add_argument("--html", action="store_true", help="also an HTML pyinstrument profile (a second run)")
    parser.add_argument("--skip-memory", action="store_true", help="no per-measure processes (slow on big workloads)")
    args = parser.parse_args(argv)
    if args.only is not None:
        only(args.config, args.only or None)
        return 0
    report: dict[str, Any] = {"config": str(args.config)}
    if not args.skip_pyinstrument:
        report["pyinstrument"] = str(pyinstrument_whole(args.config, args.out, args.html))
    report["timings"] = timings(args.config)
    if not args.skip_memory:
        report["memory"] = memory(args.config, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "profile.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
