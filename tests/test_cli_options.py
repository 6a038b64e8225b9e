"""The options many commands share (`--config`, `--scorecard`, `--period`, `--format table|json`) are
declared once (`cli_support`): every command that takes one takes it the same way, says what it does in
`--help`, and checks a period before reading anything."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from scorecard.cli import main


def commands() -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in main.commands.items():
        if isinstance(cmd, click.Group):
            out += [(f"{name} {sub}", c) for sub, c in cmd.commands.items()]
        else:
            out.append((name, cmd))
    return out


def option(cmd: click.Command, name: str) -> click.Option | None:
    return next((p for p in cmd.params if isinstance(p, click.Option) and name in p.opts), None)


def test_shared_options_are_the_same_everywhere() -> None:
    seen = {"--config": 0, "--scorecard": 0, "--period": 0}
    for name, cmd in commands():
        config = option(cmd, "--config")
        if config is not None:
            seen["--config"] += 1
            assert (config.default, config.help) == ("config.toml", "the config file (default ./config.toml)"), name
        sc = option(cmd, "--scorecard")
        if sc is not None:
            seen["--scorecard"] += 1
            assert sc.name == "scorecard_id" and sc.default is None and sc.help, name
        period = option(cmd, "--period")
        if period is not None:
            seen["--period"] += 1
            assert period.callback is not None and period.help, name
        fmt = option(cmd, "--format")
        if fmt is not None and isinstance(fmt.type, click.Choice) and "json" in fmt.type.choices:
            assert list(fmt.type.choices) == ["table", "json"] and fmt.default == "table", name
    assert seen["--config"] >= 14 and seen["--scorecard"] >= 9 and seen["--period"] >= 6, seen


@pytest.mark.parametrize("args", [["show", "--period", "2017-4"], ["changes", "--from", "17-04"],
                                  ["report", "--since", "April"], ["alerts", "run", "--period", "x"]])
def test_a_malformed_period_is_a_usage_error_before_anything_is_read(args: list[str]) -> None:
    r = CliRunner().invoke(main, [*args, "--config", "/nonexistent/config.toml"])
    assert r.exit_code == 2 and "is not a period" in r.stderr, (r.exit_code, r.stderr)
