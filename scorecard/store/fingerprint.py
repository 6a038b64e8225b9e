"""What a stored result depends on, reduced to one key.

A result of the engine is a function of: the config file (its text, and where it is, since its data
paths are relative to it), every data file the config names (their contents), today's date (the
organisation's timezone, or `SCORECARD_TODAY`), and the program itself (its version, a fingerprint of
the package's own source, and the versions of Python and polars). `result_key` hashes all of them.

Files are compared by content, cheaply: a file whose size, modification time, inode and change
time (ctime: set by the system on every write, and by `touch` or `os.utime` too, so a file written
and then given its old modification time back is caught) are those recorded when it was last hashed
keeps that hash; any other is hashed again (so a file copied over with the same content still
matches, and a changed one never does). A file changed within `RACY_S` seconds before it was hashed
is hashed again next time, since a second write inside the clock's resolution could leave all four
as they were.

Nothing here imports polars or the engine: the warm path stays light.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..engine.filenames import GLOB_CHARACTERS, files_named

RACY_S = 2.0
SOURCE_SUFFIXES = (".py", ".tcss")
PACKAGE = Path(__file__).resolve().parent.parent  # scorecard/


@dataclass(frozen=True)
class Manifest:
    """What a config makes the engine read, worked out once per config text (see `Results`)."""

    # (data folder, `file` as the config gives it): only the name is a pattern, as in loading, so a `[` in
    # the folder's own path is a character like any other
    files: list[tuple[str, str]]
    timezone: str

    def to_json(self) -> str:
        return json.dumps({"files": self.files, "timezone": self.timezone})

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        return cls([(str(root), str(name)) for root, name in raw["files"]], str(raw["timezone"]))


class DigestCache(Protocol):
    """Where the hashes of files already seen are kept (the store's `files` table)."""

    def file_digest(self, path: str) -> tuple[str, str, float] | None: ...

    def remember_file(self, path: str, stamp: str, digest: str, checked: float) -> None: ...


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_SOURCE: str | None = None


def source_fingerprint() -> str:
    """A hash of every source file of the `scorecard` package (names and contents): any change of the
    program, installed or edited in place, gives another key."""
    global _SOURCE
    if _SOURCE is None:
        h = hashlib.sha256()
        for path in sorted(p for p in PACKAGE.rglob("*") if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(PACKAGE)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
        _SOURCE = h.hexdigest()
    return _SOURCE


def _version(name: str) -> str:
    # imported here, not at the top: a first start decides to start its child process (tui/firststart.py)
    # before any key needs the versions, and importing `importlib.metadata` (with its email parser) takes
    # about 20 ms that the child would otherwise wait for
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def program_versions() -> dict[str, str]:
    return {
        "scorecard": _version("scorecard"),
        "source": source_fingerprint(),
        "python": sys.version.split()[0],
        "polars": _version("polars"),
    }


def today_parts(timezone: str) -> dict[str, str]:
    """Today as the engine will take it: `SCORECARD_TODAY` as given (even if it is not a date: the engine
    then refuses it, and nothing is stored), and the date in the organisation's timezone."""
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return {"env": os.environ.get("SCORECARD_TODAY", ""), "date": dt.datetime.now(zone).date().isoformat()}


def _expand(root: str, name: str) -> list[str]:
    """The files `name` names under the data folder `root`, as loading reads them (`filenames.files_named`);
    a plain name that is not there stays in the list (its digest is then "missing")."""
    files = files_named(Path(root), name)
    if files or any(ch in name for ch in GLOB_CHARACTERS):
        return [str(f) for f in files]
    return [str(Path(root) / name)]


def file_digest(path: str, cache: DigestCache | None) -> str:
    """The file's content hash ("missing" when it is not there), re-using the recorded one when the file's
    size, modification time, inode and change time are those it had when hashed, at least RACY_S seconds
    after it last changed."""
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    if not os.path.isfile(path):
        return f"not a file: {st.st_mode}"
    stamp = f"{st.st_size} {st.st_mtime_ns} {st.st_ino} {st.st_ctime_ns}"
    known = cache.file_digest(path) if cache is not None else None
    if known is not None:
        known_stamp, digest, checked = known
        if known_stamp == stamp and checked - max(st.st_mtime_ns, st.st_ctime_ns) / 1e9 > RACY_S:
            return digest
    checked = time.time()
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if cache is not None:
        cache.remember_file(path, stamp, digest, checked)
    return digest


def data_fingerprint(manifest: Manifest, cache: DigestCache | None) -> list[tuple[str, str]]:
    """(path, content hash) of every file the manifest names, globs expanded: a file added to a glob
    changes it as much as a file changed."""
    out: list[tuple[str, str]] = []
    for root, name in manifest.files:
        files = _expand(root, name)
        if not files:
            out.append((str(Path(root) / name), "no file"))
        out += [(f, file_digest(f, cache)) for f in files]
    return out


def result_key(config_path: Path, config_sha: str, manifest: Manifest, cache: DigestCache | None) -> str:
    """The key every stored answer of this config, data, day and program is kept under."""
    parts = {
        "config": str(config_path),
        "config_sha": config_sha,
        "program": program_versions(),
        "today": today_parts(manifest.timezone),
        "data": data_fingerprint(manifest, cache),
    }
    return sha256_bytes(json.dumps(parts, sort_keys=True).encode())
