"""The demo's paper for its latest period, for every scorecard: the counts are `scorecard rate`'s,
every Red measure has its exception page, and the HTML is self-contained.

Runs on a private copy of the demo (config.toml and data/demo) so nothing is written beside the
repository's own files; skips when the demo has not been built.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.engine.engine import Engine
from scorecard.report import write_report

from .conftest import ROOT
from .helpers import shipped_demo

DEMO_CONFIG = ROOT / "config.toml"


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    shipped_demo()
    shutil.copy(DEMO_CONFIG, tmp_path / "config.toml")
    shutil.copytree(ROOT / "data" / "demo", tmp_path / "data" / "demo")
    return tmp_path / "config.toml"


def test_demo_report_agrees_with_rate(demo_copy: Path) -> None:
    engine = Engine.load(demo_copy)
    for sc in engine.config.scorecards:
        rate = CliRunner().invoke(main, ["rate", "--config", str(demo_copy), "--scorecard", sc.id, "--format", "json"])
        assert rate.exit_code == 0, rate.output
        rated = json.loads(rate.output)
        s = rated["summary"]
        for fmt in ("md", "html"):
            out = io.StringIO()
            assert write_report(engine, None, sc.id, None, fmt, None, out) == 0
            text = out.getvalue()
            expected = f"there are {s['rated']} measures with a RAG rating: {s['green']} Green, {s['amber']} Amber"
            assert expected in text and f" {s['red']} Red" in text
            reds = [m["id"] for m in rated["measures"] if m["rag"] == "red"]
            assert text.count("Exception report: ") == len(reds)
            for mid in reds:
                assert re.search(rf"Exception report: [^\n]*\({re.escape(mid)}\)", text), mid
            if fmt == "html":
                assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import""", text, flags=re.I)
                assert "http" not in text
                assert text.count('class="page exception"') == len(reds)
                for m in rated["measures"]:
                    assert f"({m['id']})</th>" in text  # every measure in the full table
