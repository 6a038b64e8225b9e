"""Which files a config's `file` names: one rule for loading and for the results store's fingerprint.

Kept free of polars so the store can fingerprint data files without importing the engine's
computing.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

GLOB_CHARACTERS = "*?["


def files_named(root: Path, name: str) -> list[Path]:
    """The files `name` (relative to `root`) names: that file when it exists, even with `[`, `*` or
    `?` in its name (`returns[2017].csv`); else every file the glob matches, sorted by name; else none.
    Only `name` is a pattern: `[` in `root` is taken literally."""
    full = root / name
    if os.path.lexists(full):
        return [full]
    if any(ch in name for ch in GLOB_CHARACTERS):
        return sorted(root / p for p in glob.glob(name, root_dir=root))
    return []
