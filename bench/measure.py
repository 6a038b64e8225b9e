"""Wall time, CPU time and peak memory of a whole process.

Peak memory is GNU time's `%M` (maximum resident set size). Not `os.wait4` or
`getrusage(RUSAGE_CHILDREN)` from this process: on Linux a forked child's `ru_maxrss` starts
from the parent's high-water mark at the fork, so a benchmark process that has itself read data
would inflate every measurement after it (measured: a child `true` reported 811 MB from an
800 MB parent). `/usr/bin/time` is a small process, so the number is the command's own.
Wall time runs from just before the start to the end, so it includes Python's start-up and
imports, as a user pays them.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float  # user + system
    peak_mb: float
    returncode: int


@dataclass(frozen=True)
class Summary:
    """Repeated runs of one command: the best wall time (the machine is shared: other processes only
    ever add time), the median, the best CPU time, and the highest peak memory."""

    wall_s: float
    wall_median_s: float
    cpu_s: float
    peak_mb: float
    runs: list[Run]

    def to_json(self) -> dict[str, Any]:
        return {
            "wall_s": self.wall_s, "wall_median_s": self.wall_median_s, "cpu_s": self.cpu_s,
            "peak_mb": self.peak_mb, "runs": [asdict(r) for r in self.runs],
        }


GNU_TIME = "/usr/bin/time"


def run_once(cmd: list[str], stdout: Path, cwd: Path | None = None) -> Run:
    if not shutil.which(GNU_TIME):
        raise RuntimeError(f"{GNU_TIME} (GNU time) is needed for peak memory: apt-get install -y time")
    stdout.parent.mkdir(parents=True, exist_ok=True)
    usage = stdout.with_suffix(".time")
    with stdout.open("wb") as out, stdout.with_suffix(".stderr").open("wb") as err:
        start = time.perf_counter()
        code = subprocess.call([GNU_TIME, "-f", "%U %S %M", "-o", str(usage), *cmd], stdout=out, stderr=err, cwd=cwd)
        wall = time.perf_counter() - start
    user, system, kib = usage.read_text().split()[-3:]  # GNU time writes "Command exited with non-zero status" first
    return Run(round(wall, 3), round(float(user) + float(system), 3), round(int(kib) / 1024, 1), code)


def _checked(cmd: list[str], stdout: Path, cwd: Path | None) -> Run:
    r = run_once(cmd, stdout, cwd)
    if r.returncode not in (0, 1):  # 1: scorecard found data problems but printed its results
        err = stdout.with_suffix(".stderr").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {err}")
    return r


def summarise(runs: list[Run]) -> Summary:
    return Summary(
        min(r.wall_s for r in runs), round(statistics.median(r.wall_s for r in runs), 3),
        min(r.cpu_s for r in runs), max(r.peak_mb for r in runs), runs,
    )


def measure_rounds(commands: dict[str, tuple[list[str], Path]], repeat: int = 3, cwd: Path | None = None,
                   progress: Callable[[str], None] | None = None) -> dict[str, Summary]:
    """Each round runs every command once, in turn, so that the commands compared share the machine's
    load of the moment; a failing run raises with its stderr."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for i in range(repeat):
        for name, (cmd, stdout) in commands.items():
            if progress:
                progress(f"round {i + 1}/{repeat}: {name}")
            runs[name].append(_checked(cmd, stdout, cwd))
    return {name: summarise(r) for name, r in runs.items()}


def round_ratio(a: Summary, b: Summary, field: str = "wall_s") -> float:
    """The median over rounds of a's figure over b's in the same round."""
    return round(statistics.median(getattr(x, field) / getattr(y, field) for x, y in zip(a.runs, b.runs, strict=True)), 2)


def ratio_spread(a: Summary, b: Summary, field: str = "wall_s") -> list[float]:
    """The lowest and highest over rounds of a's figure over b's in the same round."""
    ratios = [getattr(x, field) / getattr(y, field) for x, y in zip(a.runs, b.runs, strict=True)]
    return [round(min(ratios), 2), round(max(ratios), 2)]
