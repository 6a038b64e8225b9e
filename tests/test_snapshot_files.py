"""Every SVG snapshot in tests/__snapshots__ belongs to a snapshot test that is still there.

syrupy fails a run on an unused snapshot only when the tests run in one process; the README's command runs
them in several (pytest-xdist), where it cannot tell. This checks the same by name, in any run: the file
`__snapshots__/<module>/<test>[<parameters>].<n>.svg` needs a function `<test>` in tests/<module>.py that
takes `snap_compare`. (A parametrisation removed from a test that is still there is not seen here; a
serial run, `pytest tests/<module>.py`, still reports it.)
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SNAPSHOTS = TESTS / "__snapshots__"


def snapshot_tests(module: Path) -> set[str]:
    """The test functions of `module` that take the snap_compare fixture."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            and f.name.startswith("test") and any(a.arg == "snap_compare" for a in f.args.args + f.args.kwonlyargs)}


def test_every_snapshot_belongs_to_a_snapshot_test() -> None:
    files = sorted(SNAPSHOTS.glob("*/*.svg"))
    assert files, "no snapshots found"
    unused = []
    for svg in files:
        module = TESTS / f"{svg.parent.name}.py"
        name = re.sub(r"(\[.*\])?(\.\d+)?$", "", svg.stem)
        if not module.is_file() or name not in snapshot_tests(module):
            unused.append(str(svg.relative_to(TESTS)))
    assert not unused, f"snapshots of no test (delete them, or run the test with --snapshot-update): {unused}"


def test_the_check_sees_a_snapshot_of_no_test(tmp_path: Path) -> None:
    module = tmp_path / "test_x.py"
    module.write_text("def test_a(snap_compare):\n    pass\n\nasync def test_b(other):\n    pass\n")
    assert snapshot_tests(module) == {"test_a"}
