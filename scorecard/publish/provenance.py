"""Where a publication's figures came from, computed, never typed (SPEC section 7): the config
file's SHA-256; each data file read, with its size, SHA-256 and number of data rows; the program's
version; when, and by whom.

Files are hashed in 1 MiB chunks, so a 1 GB file is never held in memory; a CSV's rows are its
lines after the header, counted in the same pass; a Parquet file's come from its footer.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # not imported: reading publications (the terminal UI's first screen) loads no engine
    from ..engine.config import Config

CHUNK = 1 << 20


@dataclass(frozen=True)
class FileRecord:
    dataset: str  # the dataset that reads it (`comparators` for the comparators file)
    path: str  # relative to the config file's folder
    size: int
    sha256: str
    rows: int | None  # data rows (None when the file could not be counted)

    def to_json(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "path": self.path, "size": self.size, "sha256": self.sha256,
                "rows": self.rows}


@dataclass(frozen=True)
class Provenance:
    config_path: str
    config_sha256: str
    files: list[FileRecord]
    program_version: str
    published_at: str  # ISO 8601, UTC
    published_by: str


def sha256_of(path: Path) -> tuple[str, int, int]:
    """(SHA-256, size, newlines) of a file, read in chunks."""
    digest = hashlib.sha256()
    size = newlines = 0
    last = b""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    if size and last != b"\n":
        newlines += 1  # a last line without its newline
    return digest.hexdigest(), size, newlines


def _rows(path: Path, lines: int) -> int | None:
    if path.suffix.lower() == ".parquet":
        try:
            import polars as pl

            return int(pl.scan_parquet(path).select(pl.len()).collect().item())
        except Exception:
            return None
    return max(lines - 1, 0)


def program_version() -> str:
    from importlib import metadata  # here: importing it costs a start that never publishes about 20 ms

    try:
        return metadata.version("scorecard")
    except metadata.PackageNotFoundError:
        return "unknown"


def who() -> str:
    """The login name, else USER, else "unknown"."""
    try:
        name = os.getlogin()
        if name:
            return name
    except OSError:
        pass
    user = os.environ.get("USER")
    if user:
        return user
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"


def _shown(path: Path, config: Config) -> str:
    try:
        return str(path.resolve().relative_to(config.path.parent))
    except ValueError:
        return str(path)


def collect(config: Config, now: dt.datetime | None = None) -> Provenance:
    """The provenance of figures computed now from this config and its files."""
    from ..engine.datasets import dataset_files

    config_hash, _size, _lines = sha256_of(config.path)
    files: list[FileRecord] = []
    seen: set[Path] = set()
    for name, ds in config.datasets.items():
        for path in dataset_files(config, ds.file):
            if path in seen:
                continue
            seen.add(path)
            digest, size, lines = sha256_of(path)
            files.append(FileRecord(name, _shown(path, config), size, digest, _rows(path, lines)))
    if config.comparators_file:
        path = config.data_dir / config.comparators_file
        if path.exists():
            digest, size, lines = sha256_of(path)
            files.append(FileRecord("comparators", _shown(path, config), size, digest, _rows(path, lines)))
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    return Provenance(str(config.path), config_hash, files, program_version(), stamp, who())
