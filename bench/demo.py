"""The demo workload: the demo-data generator at a scale, with the root config pointed at its files."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOT_CONFIG = ROOT / "config.toml"


def unavailable() -> str | None:
    """Why the demo workload cannot run yet, or None."""
    try:
        module = importlib.import_module("scorecard.demo.generate")
    except ImportError as e:
        return f"the demo-data generator scorecard.demo.generate is not there yet ({e})"
    if not hasattr(module, "generate"):
        return "scorecard.demo.generate has no generate(out_dir, scale, seed) yet"
    if not ROOT_CONFIG.exists():
        return "the demo's config.toml is not at the repository's root yet"
    return None


def point_at(config_text: str, data_dir: str) -> str:
    """The config with `[data].dir` replaced (the first `dir = ` after `[data]`)."""
    head, sep, rest = config_text.partition("[data]")
    if not sep:
        return config_text + f'\n[data]\ndir = "{data_dir}"\n'
    return head + sep + re.sub(r'(?m)^dir\s*=\s*"[^"]*"', f'dir = "{data_dir}"', rest, count=1)


def prepare(out: Path, scale: int, seed: int = 8, fresh: bool = False) -> Path:
    """Generate the demo's data at `scale` under `out/data` (once) and write `out/config.toml`."""
    from scorecard.demo.generate import generate  # type: ignore[import-not-found]

    data = out / "data"
    if fresh or not data.exists() or not any(data.iterdir()):
        data.mkdir(parents=True, exist_ok=True)
        generate(data, scale, seed)
    config = out / "config.toml"
    config.write_text(point_at(ROOT_CONFIG.read_text(encoding="utf-8"), "data"), encoding="utf-8")
    return config
