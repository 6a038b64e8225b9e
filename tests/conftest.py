"""Shared test fixtures: paths to the acceptance fixtures and temporary copies of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ACCEPTANCE = SHARED / "acceptance"
BASIC = ACCEPTANCE / "basic"


@pytest.fixture
def basic_copy(tmp_path: Path) -> Path:
    """A private copy of the basic fixture: commands that write state never write into ../shared."""
    target = tmp_path / "basic"
    shutil.copytree(BASIC, target)
    return target


@pytest.fixture(autouse=True)
def results_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own results store (scorecard/store/): none is served another's answers, none writes to ~/.cache."""
    folder = tmp_path_factory.mktemp("results-store")
    monkeypatch.setenv("SCORECARD_CACHE_DIR", str(folder))
    return folder
