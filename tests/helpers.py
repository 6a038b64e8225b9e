"""Helpers shared by the test files: writing a small project, running the CLI, copying a fixture.

Plain functions (imported with `from .helpers import ...`); the fixtures built on them are in conftest.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ACCEPTANCE = SHARED / "acceptance"
BASIC = ACCEPTANCE / "basic"


def write_project(root: Path, config: str, files: Mapping[str, str | None], *, dedent_config: bool = True,
                  dedent_files: bool = True) -> Path:
    """`config` as root/config.toml and each of `files` in root/data/ (None leaves a file out); the config's path.

    Dedented text loses its common indent and leading blank lines, so it can be written indented in the test;
    otherwise it is written exactly as given (line numbers in messages then count from the text's first line).
    """
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if text is not None:
            (data / name).write_text(textwrap.dedent(text).lstrip() if dedent_files else text, encoding="utf-8")
    path = root / "config.toml"
    path.write_text(textwrap.dedent(config).lstrip() if dedent_config else config, encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path, env: Mapping[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m scorecard.cli ARGS` in `cwd`, output captured as text; `env` replaces the environment."""
    return subprocess.run([sys.executable, "-m", "scorecard.cli", *args], cwd=cwd,
                          env=None if env is None else dict(env), capture_output=True, text=True, timeout=timeout)


def run_config(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m scorecard.cli ARGS --config CONFIG` in the config's folder."""
    return run_cli(*args, "--config", str(config), cwd=config.parent, timeout=timeout)


def environ(**changes: str | None) -> dict[str, str]:
    """This process's environment with `changes` (None removes a variable)."""
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def copy_basic(tmp_path: Path) -> Path:
    """A private copy of the basic acceptance fixture at tmp_path/basic: commands that write state never write
    into ../shared."""
    target = tmp_path / "basic"
    shutil.copytree(BASIC, target)
    return target
