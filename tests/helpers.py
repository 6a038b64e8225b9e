"""Helpers shared by the test files: writing a small project, running the CLI, copying a fixture.

Plain functions (imported with `from .helpers import ...`); the fixtures built on them are in conftest.py.
`run_cli` runs the command in this process, as a child would (a child costs about half a second of start-up);
`run_process` starts a real child, for what only a process shows: signals, a reader closing the pipe, exit
codes of a pipeline, locks held by another process, `alerts serve`, what gets imported at start-up.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import traceback
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

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
    """The `scorecard` command with ARGS, run in this process (no interpreter start-up), in `cwd`, its stdout
    and stderr apart, as text; `env` replaces the environment for the run. It behaves as
    `python -m scorecard.cli ARGS` does for what a test can see (see `in_process`); a test about the process
    itself (signals, pipes, locks held by another process, `alerts serve`) uses `run_process`."""
    return invoke([sys.executable, "-m", "scorecard.cli"], "python -m scorecard.cli", args, cwd=cwd, env=env,
                  timeout=timeout)


def invoke(command: list[str], prog_name: str, args: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None,
           timeout: float) -> subprocess.CompletedProcess[str]:
    """`scorecard.cli.main` with `args` in this process, as `command ARGS` (whose usage lines name it
    `prog_name`) would run as a child: see `in_process`."""
    from click.testing import CliRunner

    from scorecard.cli import main

    argv = [*command, *args]
    runner = CliRunner(capture="fd")  # what C code writes to fd 1 and 2 is caught too, as from a child
    with in_process(cwd, env, timeout, argv):
        result = runner.invoke(main, list(args), prog_name=prog_name)
    stderr, code = result.stderr, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # an exception nothing caught: Python prints its traceback and exits 1
        stderr += "".join(traceback.format_exception(result.exception))
        code = 1
    return subprocess.CompletedProcess(argv, code, result.stdout, stderr)


def run_process(*args: str, cwd: Path, env: Mapping[str, str] | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m scorecard.cli ARGS` as a child process in `cwd`, output captured as text; `env` replaces the
    environment. For tests about the process itself; others use `run_cli` (the same, without the start-up)."""
    return subprocess.run([sys.executable, "-m", "scorecard.cli", *args], cwd=cwd,
                          env=None if env is None else dict(env), capture_output=True, text=True, timeout=timeout)


def run_config(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`scorecard ARGS --config CONFIG` in the config's folder (in this process, as `run_cli`)."""
    return run_cli(*args, "--config", str(config), cwd=config.parent, timeout=timeout)


class _TimedOut(BaseException):
    """Raised in the command when its time is up: a BaseException, so the command's own
    `except Exception` (one line for an unexpected error) does not take it."""


# Python's warning filters when no -W option or PYTHONWARNINGS is given (a child process's)
_PYTHON_WARNING_FILTERS = (("default", DeprecationWarning, "__main__"), ("ignore", DeprecationWarning, None),
                           ("ignore", PendingDeprecationWarning, None), ("ignore", ImportWarning, None),
                           ("ignore", ResourceWarning, None))
# loggers the command configures as it runs (none at import): fresh for each run, as in a new process
_RUNTIME_LOGGERS = ("scorecard", "apscheduler")
_LIBRARY_LOGGERS = ("slack_sdk",)  # their import adds a NullHandler; the command sets levels and filters


def _logger_state(logger: logging.Logger) -> tuple[Any, ...]:
    return logger.level, list(logger.handlers), list(logger.filters), logger.propagate, logger.disabled


def _set_logger_state(logger: logging.Logger, state: tuple[Any, ...]) -> None:
    logger.level, handlers, filters, logger.propagate, logger.disabled = state
    logger.handlers[:] = handlers
    logger.filters[:] = filters


def _loggers() -> dict[str, logging.Logger]:
    return {name: lg for name, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)}


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@contextlib.contextmanager
def in_process(cwd: Path, env: Mapping[str, str] | None, timeout: float, args: list[str]) -> Iterator[None]:
    """What a child process would have, for the length of one command: `cwd` as the working directory, `env`
    (when given) as the whole environment, Python's default warning filters with warnings printed on stderr,
    the logging of a fresh interpreter (the root logger at WARNING with no handler, so a record with nowhere
    else to go is printed on stderr; the loggers the command configures as new), and a time limit that raises
    `subprocess.TimeoutExpired`. All of it, logging included, is put back afterwards, so no run sees another's."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    root = logging.getLogger()
    saved_root, saved_loggers = _logger_state(root), {n: _logger_state(lg) for n, lg in _loggers().items()}
    saved_alarm = None
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        os.chdir(cwd)
        _set_logger_state(root, (logging.WARNING, [], [], True, False))
        for name, logger in _loggers().items():
            if _under(name, _RUNTIME_LOGGERS):
                _set_logger_state(logger, (logging.NOTSET, [], [], True, False))
            elif _under(name, _LIBRARY_LOGGERS):
                _set_logger_state(logger, (logging.NOTSET, logger.handlers, [], True, False))
        if threading.current_thread() is threading.main_thread():
            def time_up(signum: int, frame: Any) -> None:
                raise _TimedOut

            saved_alarm = signal.signal(signal.SIGALRM, time_up)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        with warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category, module in reversed(_PYTHON_WARNING_FILTERS):
                if module is None:
                    warnings.filterwarnings(action, category=category)
                else:
                    warnings.filterwarnings(action, category=category, module=module)
            warnings.showwarning = _warning_on_stderr
            try:
                yield
            except _TimedOut:
                raise subprocess.TimeoutExpired(args, timeout) from None
    finally:
        if saved_alarm is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, saved_alarm)
        os.chdir(saved_cwd)
        if env is not None:
            os.environ.clear()
            os.environ.update(saved_env)
        _set_logger_state(root, saved_root)
        for name, logger in _loggers().items():
            _set_logger_state(logger, saved_loggers.get(name, (logging.NOTSET, [], [], True, False)))


def _warning_on_stderr(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                       file: Any = None, line: str | None = None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def environ(**changes: str | None) -> dict[str, str]:
    """This process's environment with `changes` (None removes a variable)."""
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def shipped_demo() -> Path:
    """The demo's data folder, committed with the repository: its absence is a broken checkout, not a
    reason to skip (regenerate it with `scorecard demo-data --force`)."""
    demo = ROOT / "data" / "demo"
    assert (ROOT / "config.toml").is_file() and (demo / "cic_episodes.parquet").is_file(), \
        "the demo (config.toml, data/demo) is committed with the repository: `scorecard demo-data --force` remakes it"
    return demo


def copy_basic(tmp_path: Path) -> Path:
    """A private copy of the basic acceptance fixture at tmp_path/basic: commands that write state never write
    into ../shared."""
    target = tmp_path / "basic"
    shutil.copytree(BASIC, target)
    return target
