"""Terminal UI timings through Textual's Pilot, headless: first screen, a drill-down, a period switch.

Each run is its own process (`python bench/tui.py CONFIG --launched T`), so the first screen is
timed from the moment the parent started that process: Python's start-up, the imports, the
engine's load and first computation, as a user waits for them. Two moments are recorded:

* first frame: the scorecard screen drawn, with its loading indicator (what the UI alone costs);
* first screen: the first scorecard's rating drawn (that, and the engine's load and first rating);
  `first_screen_settled_s` is when Pilot then finds the process idle: it also counts what the app
  does in the background once the screen is up (importing the drill-down, prefetching the
  highlighted measure), which the reader does not wait for.

Then, in the same app:

* drill-down: Enter on the highlighted measure until the drill-down screen shows its figures,
  after the first screen has been on view for a second (as a reader would; the app may prefetch);
* drill-down, at once: Down then Enter straight away, with no time to prefetch;
* switch period: back on the scorecard, `[` until the previous period's rating is shown.

Each run starts with an empty results store (scorecard/store/: the first start on this data), except
the `second start` rows, whose runs find the store an earlier run (not timed) left: the scorecard
comes from the store and the engine loads the data behind it.

Each of these three is timed from the keys being delivered to the app (posted as the terminal
driver posts them, one straight after the other) to the frame that shows the result being painted,
as the first screen is. Pilot's `press` is not used for them: after every key it sleeps until the
whole process is idle (in steps of 20 ms, at least two of them), which a user never waits for (until
2026-12-02 those waits were in these figures: 40 to 100 ms of each).

Each also has its CPU time (`_cpu_ms`, the whole process's, every thread, to that frame): on a busy
machine the wall times vary by a factor of two, the CPU times much less.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCALES = (1, 10)
TIMEOUT_S = 120.0


def unavailable() -> str | None:
    if importlib.util.find_spec("scorecard.tui.app") is None:
        return "the terminal UI (scorecard/tui/app.py) is not there yet"
    return None


KEY_CHARS = {"enter": "\r", "escape": "\x1b", "left_square_bracket": "[", "right_square_bracket": "]"}


async def _keys_until_painted(pilot: Any, keys: tuple[str, ...], ready: Callable[[], bool], what: str) -> float:
    """Post the keys to the app as a terminal delivers them (one after the other, nothing waited for in
    between), then wait until `ready()` and the frame that shows it is painted; `time.perf_counter()`
    at that frame. Pilot's `press` is not used for the timed steps: after each key it sleeps until the
    whole process is idle (at least 2 x 20 ms, longer while any thread works), time a user never waits."""
    from textual import events

    app = pilot.app
    for key in keys:
        app.post_message(events.Key(key, KEY_CHARS.get(key)))
    painted: list[float] = []
    armed = False
    deadline = time.perf_counter() + TIMEOUT_S
    while not painted:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the terminal UI did not show {what} within {TIMEOUT_S:.0f} s")
        if not armed and ready():
            armed = True
            app.screen.call_after_refresh(lambda: painted.append(time.perf_counter()))
        await asyncio.sleep(0.001)
    return painted[0]


async def _until(pilot: Any, ready: Callable[[], bool], what: str, settle: bool = True) -> None:
    """Wait until `ready()`, then, with `settle`, until the process is idle (Pilot's `pause`: up to a second
    while any thread works; not between the first frame and the first screen, whose paint is watched for
    at once). While waiting the app is left alone, a bare sleep between looks: Pilot's `pause` would each
    time queue a message to every widget of the screen and force a screen update, taking the interpreter
    from the engine's threads the first screen waits for (on the demo at scale 10, about a second of the
    UI thread's CPU before the first screen)."""
    deadline = time.perf_counter() + TIMEOUT_S
    while not ready():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the terminal UI did not show {what} within {TIMEOUT_S:.0f} s")
        await asyncio.sleep(0.002)
    if settle:
        await pilot.pause()


def _cpu_with_children() -> float:
    """This process's CPU time (every thread) and its children's, ended or running (the first start's child
    process, scorecard/tui/firststart.py, may still be keeping what an analyst asks next)."""
    import resource

    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ended.ru_utime + ended.ru_stime + _running_children_cpu()


def _running_children_cpu() -> float:
    """The CPU time of this process's running children (Linux's /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for task in Path("/proc/self/task").glob("*/children"):
        try:
            pids = task.read_text().split()
        except OSError:
            continue
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


class _Steps:
    """Times each step; with a folder, also profiles it with pyinstrument (text, one file a step)."""

    def __init__(self, profile_dir: Path | None):
        self.profile_dir = profile_dir
        self.profiler: Any = None
        self.start = 0.0
        self.cpu_start = 0.0
        self.cpu_ms = 0.0  # the process's CPU time in the last step: less sensitive than wall time to other load

    def begin(self) -> None:
        if self.profile_dir is not None:
            from pyinstrument import Profiler

            self.profiler = Profiler(async_mode="disabled")
            self.profiler.start()
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()

    def end(self, name: str, at: float | None = None) -> float:
        """Milliseconds since `begin` (to `at`, a `perf_counter()` time, when given)."""
        elapsed = ((time.perf_counter() if at is None else at) - self.start) * 1000
        self.cpu_ms = (time.process_time() - self.cpu_start) * 1000
        if self.profiler is not None and self.profile_dir is not None:
            self.profiler.stop()
            self.profile_dir.mkdir(parents=True, exist_ok=True)
            (self.profile_dir / f"{name}.txt").write_text(self.profiler.output_text(show_all=True))
            self.profiler = None
        return elapsed


async def _timings(config_path: Path, launched: float, profile_dir: Path | None = None) -> dict[str, Any]:
    # As `scorecard` with no options does (`run_app` with the config's path: `open_app`): the first screen
    # from the results store before the config is read when the store has it, else the config, then the
    # engine started, then the UI imported. The other screens are imported by the app when it needs them.
    import scorecard.tui.app as ui

    if hasattr(ui, "open_app"):
        app = ui.open_app(config_path)
    else:  # an older UI: timed the same way, for before-and-after figures
        from scorecard.engine.config import load_config

        build_app = getattr(ui, "build_app", None) or ui.ScorecardApp  # type: ignore[attr-defined]
        app = build_app(load_config(config_path))
    from scorecard.tui.screens.scorecard import ScorecardScreen  # already imported by the app

    out: dict[str, Any] = {}
    step = _Steps(profile_dir)
    frame: list[float] = []

    def board() -> ScorecardScreen | None:
        return app.screen if isinstance(app.screen, ScorecardScreen) else None

    def board_shows(period: str | None) -> bool:
        s = board()
        return s is not None and s.view is not None and s.shown is not None and (period is None or s.shown[1] == period)

    def drill_shown() -> bool:
        s = app.screen
        return type(s).__name__ == "DrillDownScreen" and getattr(s, "drill", None) is not None

    def frame_painted() -> bool:
        """The scorecard screen drawn (header, footer, a loading indicator where the table goes)."""
        s = board()
        if s is not None and s.is_mounted and not frame:
            s.call_after_refresh(lambda: frame.append(time.time()))
        return bool(frame)

    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await _until(pilot, frame_painted, "the first frame", settle=False)
            out["first_frame_s"] = frame[0] - launched
            shown: list[tuple[float, float]] = []

            def screen_painted() -> bool:
                s = board()
                if board_shows(None) and s is not None and not shown:
                    s.call_after_refresh(lambda: shown.append((time.time(), _cpu_with_children())))
                return bool(shown)

            await _until(pilot, screen_painted, "the first screen")
            out["first_screen_s"] = shown[0][0] - launched
            # the whole process's CPU, every thread, from its start to that frame (not after the wait for
            # idle below, which also counts what the app starts in the background once the screen is up),
            # with the first start's child process (scorecard/tui/firststart.py), which has ended by then
            out["first_screen_cpu_s"] = shown[0][1]
            out["first_screen_settled_s"] = time.time() - launched

            await pilot.pause(1.0)
            step.begin()
            at = await _keys_until_painted(pilot, ("enter",), drill_shown, "the drill-down")
            out["drill_down_ms"] = step.end("drill_down", at)
            out["drill_down_cpu_ms"] = step.cpu_ms
            await pilot.pause()
            await pilot.press("escape")
            await _until(pilot, lambda: board_shows(None), "the scorecard again")

            from scorecard.engine.calendar import shift_period  # after the first screen: it imports polars

            s = board()
            assert s is not None and s.shown is not None
            previous = shift_period(s.shown[1], -1)
            step.begin()
            at = await _keys_until_painted(pilot, ("left_square_bracket",), lambda: board_shows(previous),
                                           "the previous period")
            out["switch_period_ms"] = step.end("switch_period", at)
            out["switch_period_cpu_ms"] = step.cpu_ms
            await pilot.pause()

            step.begin()
            at = await _keys_until_painted(pilot, ("down", "enter"), drill_shown, "the second drill-down")
            out["drill_down_at_once_ms"] = step.end("drill_down_at_once", at)
            out["drill_down_at_once_cpu_ms"] = step.cpu_ms
            await pilot.pause()
            await pilot.press("escape")
            await _until(pilot, lambda: board_shows(None), "the scorecard again")
            app.exit(0)
    except Exception as e:  # a failing UI is a finding, reported beside the steps that did finish
        out["error"] = f"{type(e).__name__}: {e}"[:400]
    return out


STEPS = ("first_frame_s", "first_screen_s", "first_screen_cpu_s", "first_screen_settled_s", "drill_down_ms", "switch_period_ms",
         "drill_down_at_once_ms", "drill_down_cpu_ms", "switch_period_cpu_ms", "drill_down_at_once_cpu_ms")


def _child(config: Path, store: Path, in_process: bool = False) -> subprocess.CompletedProcess[str]:
    launched = time.time()
    env = {**os.environ, "SCORECARD_CACHE_DIR": str(store)}
    env.pop("SCORECARD_CACHE", None)
    env.pop("SCORECARD_FIRST_START", None)
    if in_process:  # the first start rated in the UI's own process, as before 2026-12-02 (firststart.py)
        env["SCORECARD_FIRST_START"] = "in-process"
    return subprocess.run([sys.executable, str(Path(__file__).resolve()), str(config), "--launched", repr(launched)],
                          capture_output=True, text=True, timeout=TIMEOUT_S * 5, env=env)


def _run_child(config: Path, repeat: int, second_start: bool = False, in_process: bool = False) -> dict[str, Any]:
    """`repeat` fresh processes. Each starts with an empty results store (the first start on this data),
    or, with `second_start`, with the store one earlier run (not timed) left. `in_process`: a first start
    rated in the UI's own process (no child process: `SCORECARD_FIRST_START=in-process`)."""
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="scorecard-bench-store-") as tmp:
        if second_start:
            _child(config, Path(tmp) / "store")
        for i in range(repeat):
            p = _child(config, Path(tmp) / ("store" if second_start else f"empty-{i}"), in_process)
            runs.append(_parsed(p))
    return _summary(runs)


def _parsed(p: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    if p.returncode != 0 or not p.stdout.strip():
        return {"error": f"bench/tui.py exited {p.returncode}: {p.stderr[-400:]}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in STEPS:
        values = [r[k] for r in runs if k in r]
        if values:
            out[k] = round(min(values), 3)
            out[f"{k}_median"] = round(statistics.median(values), 3)
    errors = sorted({r["error"] for r in runs if "error" in r})
    if errors:
        out["errors"] = errors
    return out | {"runs": runs}


def bench_all(results: Path, repeat: int, extra: dict[str, Path] | None = None) -> list[dict[str, Any]]:
    """The demo at scales 1 and 10 (and any `extra` workloads: name -> config)."""
    from bench import demo

    why = unavailable()
    out: list[dict[str, Any]] = []
    for scale in SCALES:
        name = f"tui demo-{scale}"
        reason = why or demo.unavailable()
        if reason:
            out.append({"workload": name, "skipped": reason})
            continue
        print(f"[{name}] ...", file=sys.stderr, flush=True)
        config = demo.prepare(results / f"demo-{scale}", scale)
        out.append({"workload": name, **_run_child(config, repeat)})
        if scale == 1:  # for comparison (not a target): the first start with no child process
            print(f"[{name} in one process] ...", file=sys.stderr, flush=True)
            out.append({"workload": f"{name} in one process", **_run_child(config, repeat, in_process=True)})
        print(f"[{name} second start] ...", file=sys.stderr, flush=True)
        out.append({"workload": f"{name} second start", **_run_child(config, repeat, second_start=True)})
    for name, config in (extra or {}).items():
        if why:
            out.append({"workload": f"tui {name}", "skipped": why})
            continue
        print(f"[tui {name}] ...", file=sys.stderr, flush=True)
        out.append({"workload": f"tui {name}", **_run_child(config, repeat)})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="terminal UI timings through Pilot (one run)")
    parser.add_argument("config", type=Path)
    parser.add_argument("--launched", type=float, default=None, help="time.time() when this process was started")
    parser.add_argument("--profile", type=Path, default=None, help="folder for a pyinstrument profile of each step")
    args = parser.parse_args(argv)
    launched = args.launched if args.launched is not None else time.time()
    print(json.dumps(asyncio.run(_timings(args.config, launched, args.profile))))
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
