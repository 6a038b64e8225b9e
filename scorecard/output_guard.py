"""Files a command writes (`report --output`): never one of the files the config reads, and never
an existing file unless the user says `--force`.

The inputs are the config file, every data file its datasets and comparators name (a pattern's
matches, and the name as written, since a name like `returns[2017].csv` is a file too), and the
state file (commentary and the alerts outbox).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .engine.filenames import files_named
from .engine.lookup import UsageError

if TYPE_CHECKING:
    from .engine.config import Config


def input_files(config: Config) -> list[Path]:
    """Every file the config reads: the files each `file` names now, found as loading finds them
    (`filenames.files_named`: only the name is a pattern, never the data folder's path), and the name as
    written, which loading would read once it exists (a report must not take a data file's place)."""
    names = [ds.file for ds in config.datasets.values()]
    if config.comparators_file:
        names.append(config.comparators_file)
    out = [config.path, config.state_path]
    for name in names:
        out.append(config.data_dir / name)
        out.extend(files_named(config.data_dir, name))
    return out


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_output(target: Path, config: Config, force: bool) -> None:
    """Raises UsageError (exit 2), before anything is written, when `target` is one of the config's
    inputs (even with --force), a directory, or an existing file without `force`."""
    for path in input_files(config):
        if _same(target, path):
            raise UsageError(f"--output {target} is a file the report reads ({path}); choose another file name")
    if target.is_dir():
        raise UsageError(f"--output {target} is a directory; give a file name, e.g. {target / 'paper.html'}")
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; --force writes over it")
