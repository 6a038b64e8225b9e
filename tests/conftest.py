"""Shared test fixtures: paths to the acceptance fixtures and temporary copies of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from scorecard.engine import config as config_module
from scorecard.engine import engine as engine_module
from scorecard.engine.config_model import Config

from .helpers import ACCEPTANCE, BASIC, ROOT, SHARED, copy_basic

__all__ = ["ACCEPTANCE", "BASIC", "ROOT", "SHARED", "basic_copy", "counted", "results_store"]

# Property tests: each states its own number of examples; one that does not gets this bound (not hypothesis's
# 100), and none has a per-example deadline (a shared CI machine is slow at times: that is not a failure).
# A failure prints the blob that reproduces it.
settings.register_profile("scorecard", max_examples=50, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("scorecard")


@pytest.fixture
def basic_copy(tmp_path: Path) -> Path:
    """A private copy of the basic fixture: commands that write state never write into ../shared."""
    return copy_basic(tmp_path)


@pytest.fixture(autouse=True)
def results_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own results store (scorecard/store/): none is served another's answers, none writes to ~/.cache."""
    folder = tmp_path_factory.mktemp("results-store")
    monkeypatch.setenv("SCORECARD_CACHE_DIR", str(folder))
    # the terminal UI's first start rates its first screen in this process, as the tests that count what
    # was read here expect; the child process it otherwise starts is tested in tests/test_tui_firststart.py
    monkeypatch.setenv("SCORECARD_FIRST_START", "in-process")
    return folder


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times this process read the config and loaded data (the terminal UI's start-up tests)."""
    counts = {"config": 0, "engine": 0}
    read, load = config_module.load_config, engine_module.Engine.__init__

    def reading(*args: Any, **kwargs: Any) -> Config:
        counts["config"] += 1
        return read(*args, **kwargs)

    def loading(self: Any, *args: Any, **kwargs: Any) -> None:
        counts["engine"] += 1
        load(self, *args, **kwargs)

    monkeypatch.setattr(config_module, "load_config", reading)
    monkeypatch.setattr(engine_module.Engine, "__init__", loading)
    return counts
