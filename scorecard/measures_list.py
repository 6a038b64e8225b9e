"""`scorecard measures`: what the config defines, read from the config alone (no data is loaded):
each measure's id, title, section, scorecards, window, calculation, unit, targets and owner."""

from __future__ import annotations

from typing import Any

from .engine.config import Config, Measure
from .present import figure
from .textfit import fit_table

WINDOWS = {"month": "month", "snapshot": "snapshot", "ytd": "year to date", "rolling12": "rolling 12 months"}


def targets_json(m: Measure) -> list[dict[str, Any]]:
    """The measure's targets: its own (`from` null), then each `targets` step from its period on."""
    return [{"from": None, "target": m.target, "floor": m.floor},
            *[{"from": s.from_, "target": s.target, "floor": s.floor} for s in m.targets]]


def latest_targets(m: Measure) -> tuple[float | None, float | None, str | None]:
    """The last target and floor the config gives, and the period they apply from (None: always)."""
    if m.targets:
        last = m.targets[-1]
        return last.target, last.floor, last.from_
    return m.target, m.floor, None


def measures_json(config: Config, scorecard_id: str | None) -> dict[str, Any]:
    chosen = [m for m in config.measures if scorecard_id is None or scorecard_id in m.scorecards]
    return {
        "scorecard": scorecard_id,
        "measures": [{
            "id": m.id, "title": m.title, "section": m.section, "scorecards": list(m.scorecards),
            "window": m.window, "calc": m.calc, "unit": m.unit, "polarity": m.polarity,
            "target": latest_targets(m)[0], "floor": latest_targets(m)[1], "targets": targets_json(m),
            "owner": m.owner,
        } for m in chosen],
    }


def measures_table(config: Config, scorecard_id: str | None, width: int | None) -> str:
    """One row per measure under its section, as `rate` lays them out; the target and floor are the
    latest in the config (a measure whose targets change says from when)."""
    rows = []
    section = None
    count = 0
    for m in config.measures:
        if scorecard_id is not None and scorecard_id not in m.scorecards:
            continue
        count += 1
        if m.section != section:
            section = m.section
            rows.append([f"[{section}]", "", "", "", "", *([] if scorecard_id else [""])])
        target_value, floor_value, since = latest_targets(m)
        target = figure(target_value, m.decimals, m.unit, with_unit=False) + (f" (from {since})" if since else "")
        floor = figure(floor_value, m.decimals, m.unit, with_unit=False)
        row = [f"  {m.id}  {m.title}", WINDOWS.get(m.window, m.window), target, floor,
               m.polarity or "-"]
        rows.append(row if scorecard_id else [*row, ", ".join(m.scorecards)])
    heading = f"{count} measures" + (f" on scorecard {scorecard_id}" if scorecard_id else "")
    headers = ["Measure", "Window", "Target", "Floor", "Better"]
    return heading + "\n\n" + fit_table(headers if scorecard_id else [*headers, "Scorecards"], rows, width,
                                         wrap=(0, 1), right=(2, 3))
