"""`scorecard measures`: what the config defines, read from the config alone (no data is loaded):
each measure's id, title, section, scorecards, window, calculation, unit, targets and owner."""

from __future__ import annotations

from typing import Any

from .engine.config import Config, Measure
from .present import figure
from .textfit import fit_rows, fit_table, prose, wrap_room

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


MIN_TITLE_ROOM = 44  # the Measure column's room (id and title) below which each title goes on a line of its own


def measures_table(config: Config, scorecard_id: str | None, width: int | None) -> str:
    """One row per measure under its section, as `rate` lays them out; the target and floor are the
    latest in the config, `Since` the period that target applies from (blank: it always has). When the
    titles would have less than MIN_TITLE_ROOM columns beside the figures (an 80-column terminal), each
    title goes on its own line under its id, as wide as the terminal."""
    chosen = [m for m in config.measures if scorecard_id is None or scorecard_id in m.scorecards]
    headers = ["Measure", "Window", "Target", "Since", "Floor", "Better", *([] if scorecard_id else ["Scorecards"])]

    def cells(m: Measure) -> list[str]:
        target, floor, since = latest_targets(m)
        return [WINDOWS.get(m.window, m.window), figure(target, m.decimals, m.unit, with_unit=False), since or "",
                figure(floor, m.decimals, m.unit, with_unit=False), m.polarity or "-",
                *([] if scorecard_id else [", ".join(m.scorecards)])]

    heading = f"{len(chosen)} measures" + (f" on scorecard {scorecard_id}" if scorecard_id else "")
    blank = [""] * (len(headers) - 1)
    rows: list[list[str]] = []
    section = None
    for m in chosen:
        if m.section != section:
            section = m.section
            rows.append([f"[{section}]", *blank])
        rows.append([f"  {m.id}  {m.title}", *cells(m)])
    if width is None or wrap_room(headers, rows, width) >= MIN_TITLE_ROOM:
        return heading + "\n\n" + fit_table(headers, rows, width, wrap=(0,), right=(2, 4))

    # narrow: ids beside the figures, sections and titles on lines of their own
    head, body = fit_rows(headers, [[m.id, *cells(m)] for m in chosen], width, wrap=(1,), right=(2, 4))
    out = [heading, "", *head]
    section = None
    for m, lines in zip(chosen, body, strict=True):
        if m.section != section:
            section = m.section
            out.append(prose(f"[{section}]", width, indent=1))
        out += lines
        out.append(prose(f"    {m.title}", width, indent=4))
    return "\n".join(out)
