"""Terminal UI timings through Textual's Pilot, headless: first screen, a drill-down, a period switch.

Each scale runs in its own process (`python bench/tui.py CONFIG`), so the first screen includes
Python's start-up, the imports and the engine's first computation, as a user waits for them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

SCALES = (1, 10)


def unavailable() -> str | None:
    if importlib.util.find_spec("scorecard.tui.app") is None:
        return "the terminal UI (scorecard/tui/app.py) is not there yet"
    return None


def bench_all(results: Path, repeat: int) -> list[dict[str, Any]]:
    why = unavailable()
    if why:
        return [{"workload": f"tui demo-{s}", "skipped": why} for s in SCALES]
    raise NotImplementedError("Pilot timings are written once the app's screens and keys are known")
