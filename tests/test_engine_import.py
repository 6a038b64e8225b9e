"""The engine imports no view: no terminal UI (textual) and no Slack (slack_sdk) (DESIGN.md)."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import BASIC

PROBE = """
import datetime, json, sys
import scorecard.engine.engine
import scorecard.engine.explain
from scorecard.engine.engine import Engine
from scorecard.engine.explain import explain
engine = Engine.load(sys.argv[1], today=datetime.date(2026, 11, 22))
engine.rate(None, "2017-03")
explain(engine, "CIC-FOSTER", "2017-05")
roots = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps(roots))
"""

VIEWS = ("textual", "slack_sdk", "rich", "apscheduler", "scorecard.tui", "scorecard.notify", "scorecard.cli")


def test_engine_imports_no_view() -> None:
    p = subprocess.run([sys.executable, "-c", PROBE, str(BASIC / "config.toml")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    roots = set(json.loads(p.stdout))
    assert "polars" in roots and "scorecard" in roots  # the probe did load the engine
    assert "textual" not in roots
    assert "slack_sdk" not in roots


def test_engine_imports_no_view_module() -> None:
    probe = ("import json, sys\nimport scorecard.engine.engine, scorecard.engine.explain, scorecard.engine.check\n"
             "print(json.dumps(sorted(sys.modules)))")
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    modules = json.loads(p.stdout)
    bad = [m for m in modules if any(m == v or m.startswith(v + ".") for v in VIEWS)]
    assert bad == [], bad
