"""`python -m scorecard.report --config C [--period P] [--scorecard S] [--since Q] [--format md|html] [--output F]`.

A stand-in until the `scorecard report` command is wired; the same function does the work.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..engine.config import ConfigError
from ..engine.engine import Engine, UsageError
from .writer import FORMATS, write_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scorecard.report", description="Write the committee paper.")
    parser.add_argument("--config", default="config.toml")
    parser.add_argument("--period")
    parser.add_argument("--scorecard")
    parser.add_argument("--since")
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="md")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    try:
        engine = Engine.load(Path(args.config))
    except ConfigError as e:
        for line in e.problems:
            print(line, file=sys.stderr)
        return 1
    try:
        return write_report(engine, args.period, args.scorecard, args.since, args.fmt, args.output, sys.stdout)
    except UsageError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
