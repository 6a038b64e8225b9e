"""The shared acceptance fixtures, run through the installed `scorecard` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import ACCEPTANCE


def _check(kinds: str, *fixtures: str) -> subprocess.CompletedProcess[str]:
    """check.py with the `scorecard` installed beside this Python first on PATH."""
    env = os.environ.copy()
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    if shutil.which("scorecard", path=env["PATH"]) is None:
        pytest.fail("the scorecard command is not installed (pip install -e .)")
    return subprocess.run(
        [sys.executable, str(ACCEPTANCE / "check.py"), "--kinds", kinds, *[str(ACCEPTANCE / f) for f in fixtures]],
        capture_output=True, text=True, timeout=600, env=env,
    )


def test_rate_changes_and_check_fixtures_pass() -> None:
    p = _check("rate,changes,check", "basic", "bad-config")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip().splitlines()[-1].endswith(" 0 failed")


def test_explain_fixtures_pass() -> None:
    p = _check("explain", "basic")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip().splitlines()[-1].endswith(" 0 failed")
