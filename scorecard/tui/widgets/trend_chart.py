"""The drill-down's trend chart: the measure's values, its target and floor, and each month's band.

Drawn with textual-plot's PlotWidget. Target and floor are steps (they may change from a period on);
every point carries its band's letter (G, A, R) in the band's colour, so the bands read without colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual_plot import HiResMode, PlotWidget
from textual_plot.axis_formatter import AxisFormatter

from ...engine.results import PeriodResult
from ...present import BAND_LETTERS
from ..text import CHART_STYLES

LABEL_WIDTH = 7  # "2017-04"
LETTERS_UP_TO = 24  # points; with more, each month's band is a coloured dot and only the latest a letter


class PeriodAxis(AxisFormatter):
    """x = 1, 2, ... are the trend's periods; labelled with the period."""

    def __init__(self, periods: Sequence[str]):
        self.periods = list(periods)

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        return tick_positions(len(self.periods), max_ticks)

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        out = []
        for t in ticks:
            i = round(t) - 1
            out.append(self.periods[i] if 0 <= i < len(self.periods) else "")
        return out


def tick_positions(count: int, max_ticks: int) -> list[float]:
    """At most max_ticks evenly spaced positions among 1..count, always ending with the last period."""
    if count <= 0:
        return []
    step = max(1, math.ceil(count / max(max_ticks, 1)))
    return sorted(float(x) for x in range(count, 0, -step))


def nice_ticks(lo: float, hi: float, most: int) -> list[float]:
    """As many round values (steps of 1, 2 or 5 times a power of ten) between lo and hi as fit in `most`."""
    if hi <= lo or most < 2:
        return [lo]
    power = 10 ** math.floor(math.log10((hi - lo) / most))
    for step in (m * p for p in (power, power * 10, power * 100) for m in (1, 2, 5)):
        first = math.ceil(lo / step - 1e-9)
        last = math.floor(hi / step + 1e-9)
        if last - first + 1 <= most:
            return [round(i * step, 10) for i in range(first, last + 1)]
    return [lo, hi]


def steps(values: list[float | None]) -> tuple[list[float], list[float]]:
    """A target or floor per period as a step line: flat across each period's slot, NaN where absent;
    a run of equal values is one segment (fewer points to draw)."""
    xs: list[float] = []
    ys: list[float] = []
    for i, v in enumerate(values, start=1):
        y = math.nan if v is None else v
        if ys and (ys[-1] == y or (math.isnan(ys[-1]) and math.isnan(y))):
            xs[-1] = i + 0.5  # extend the run
            continue
        xs += [i - 0.5, i + 0.5]
        ys += [y, y]
    return xs, ys


class TrendChart(PlotWidget):
    DEFAULT_CSS = """
    TrendChart { height: 14; }
    """
    margin_top = reactive(1)
    margin_bottom = reactive(2)
    margin_left = reactive(8)

    def __init__(self, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes, allow_pan_and_zoom=False)
        self.can_focus = False
        self.trend: list[PeriodResult] = []
        self.y_range: tuple[float, float] = (0.0, 1.0)

    # The app may end while the drill-down is being built off screen (the analyst quit at once): then
    # PlotWidget's on_mount and margin watchers would look for its parts already taken down.
    def _ending(self) -> bool:
        return not (self.is_attached and self.app.is_running)

    def on_mount(self, event: events.Mount) -> None:
        if self._ending():
            event.prevent_default()

    def watch_margin_top(self) -> None:
        if not self._ending():
            super().watch_margin_top()

    def watch_margin_bottom(self) -> None:
        if not self._ending():
            super().watch_margin_bottom()

    def watch_margin_left(self) -> None:
        if not self._ending():
            super().watch_margin_left()

    def show_trend(self, trend: list[PeriodResult]) -> None:
        self.trend = list(trend)
        self.clear()
        if not trend:
            return
        xs = list(range(1, len(trend) + 1))
        values = [math.nan if t.value is None else t.value for t in trend]
        targets = [t.target for t in trend]
        floors = [t.floor for t in trend]
        if any(v is not None for v in floors):
            self.plot(*steps(floors), line_style=CHART_STYLES["floor"], hires_mode=HiResMode.BRAILLE, label="floor")
        if any(v is not None for v in targets):
            self.plot(*steps(targets), line_style=CHART_STYLES["target"], hires_mode=HiResMode.BRAILLE, label="target")
        self.plot(xs, values, line_style=CHART_STYLES["value"], hires_mode=HiResMode.BRAILLE, label="value")
        letters = len(trend) <= LETTERS_UP_TO
        for rag in ("green", "amber", "red"):
            px = [x for x, t in zip(xs, trend, strict=True) if t.rag == rag and t.value is not None]
            py = [t.value for t in trend if t.rag == rag and t.value is not None]
            if not px:
                continue
            if letters:
                self.scatter(px, py, marker=BAND_LETTERS[rag], marker_style=f"bold {CHART_STYLES[rag]}")
            else:  # too many points for a letter each: dots in the band's colour, and a letter on the latest
                self.scatter(px, py, marker_style=f"bold {CHART_STYLES[rag]}", hires_mode=HiResMode.BRAILLE)
        last = trend[-1]
        if not letters and last.rag in BAND_LETTERS and last.value is not None and last.rag != "no_data":
            self.scatter([len(trend)], [last.value], marker=BAND_LETTERS[last.rag],
                         marker_style=f"bold {CHART_STYLES[last.rag]}")
        unrated = [(x, t.value) for x, t in zip(xs, trend, strict=True) if t.rag is None and t.value is not None]
        if unrated:
            self.scatter([x for x, _ in unrated], [y for _, y in unrated], marker="•",
                         marker_style=CHART_STYLES["value"])
        present = [v for v in [*values, *targets, *floors] if v is not None and not math.isnan(v)]
        if present:
            lo, hi = min(present), max(present)
            pad = (hi - lo) * 0.12 or max(abs(hi) * 0.1, 1.0)
            self.y_range = (lo - pad, hi + pad)
            self.set_ylimits(*self.y_range)
        self.set_x_formatter(PeriodAxis([t.period for t in trend]))
        self._set_ticks()

    def _set_ticks(self) -> None:
        count = len(self.trend)
        width = max(self.size.width - self.margin_left - 2, LABEL_WIDTH)
        # room on the right for half the last period's label, which is centred on its point
        per_period = width / (count + 1)
        pad = max(0.6, (LABEL_WIDTH / 2 + 1) / per_period)
        self.set_xlimits(0.4, count + pad)
        self.set_xticks(tick_positions(count, max(1, width // (LABEL_WIDTH + 3))))
        rows = max(self.size.height - self.margin_top - self.margin_bottom - 2, 2)
        self.set_yticks(nice_ticks(*self.y_range, max(2, min(6, rows // 2))))

    def on_resize(self, event: events.Resize) -> None:
        if self.trend:
            self._set_ticks()  # redraws the plot; no layout: the chart's size does not depend on its ticks


def chart_key(trend: list[PeriodResult]) -> Text:
    """The line under the chart saying what is drawn."""
    key = Text()
    key.append("── value", style=CHART_STYLES["value"])
    if any(t.target is not None for t in trend):
        key.append("  ── target", style=CHART_STYLES["target"])
        key.append("  ── floor ", style=CHART_STYLES["floor"])
        letters = len(trend) <= LETTERS_UP_TO
        for rag, word in (("green", "Green"), ("amber", "Amber"), ("red", "Red")):
            key.append(f" {BAND_LETTERS[rag] if letters else '•'}", style=f"bold {CHART_STYLES[rag]}")
            key.append(f" {word}")
        if not letters:
            key.append("  (latest: its letter)")
    return key
