"""A measure's trend as a small inline SVG line chart: value, target and minimum-standard lines, band shading.

Self-contained (no fonts, scripts or images fetched; no namespace URL either, since inline SVG in
HTML needs none) and accessible: `role="img"` with a <title> and a <desc> listing every point in
words, so the chart reads without its colours.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from ..engine.results import PeriodResult
from ..engine.spc import SpcResult
from ..present import BAND_WORDS

WIDTH, HEIGHT = 860, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 120, 14, 64

BAND_COLOURS = {"green": "#00703c", "amber": "#ffbf47", "red": "#d4351c", "no_data": "#b1b4b6"}
ZONE_COLOURS = {"green": "#d2e9dc", "amber": "#fff0c7", "red": "#f6d5cf"}
INK = "#0b0c0c"
GREY = "#505a5f"


@dataclass(frozen=True)
class ChartMeasure:
    """What a chart needs to know about its measure beyond the points."""

    title: str
    unit: str | None
    decimals: int
    polarity: str | None


def nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` intervals."""
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def _domain(points: list[PeriodResult], spc: SpcResult | None) -> tuple[float, float]:
    ys = [v for p in points for v in (p.value, p.target, p.floor) if v is not None]
    if spc is not None:
        ys += [spc.lower, spc.upper, spc.mean]
    if not ys:
        return 0.0, 1.0
    lo, hi = min(ys), max(ys)
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


def _fmt(v: float, decimals: int) -> str:
    return f"{v:,.{decimals}f}"


def _zones(polarity: str, target: float, floor: float, lo: float, hi: float) -> list[tuple[str, float, float]]:
    """(band, from value, to value) for one period, clipped to the chart's range."""
    if polarity == "higher":
        zones = [("red", lo, floor), ("amber", floor, target), ("green", target, hi)]
    else:
        zones = [("green", lo, target), ("amber", target, floor), ("red", floor, hi)]
    return [(b, max(a, lo), min(z, hi)) for b, a, z in zones if min(z, hi) > max(a, lo)]


def _step_path(xs: list[float], half: float, ys: list[float | None]) -> str:
    """A stepped line (a target that can change from one period to the next), broken where it is absent."""
    parts: list[str] = []
    pen_down = False
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x - half:.1f},{y:.1f}L{x + half:.1f},{y:.1f}")
        pen_down = True
    return "".join(parts)


def trend_chart(points: list[PeriodResult], m: ChartMeasure, spc: SpcResult | None, chart_id: str,
                month_label: Callable[[str], str]) -> str:
    """The SVG for a measure's trend; `month_label` turns '2017-04' into a short axis label."""
    n = len(points)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    lo, hi = _domain(points, spc)
    step = plot_w / max(n, 1)
    xs = [LEFT + (i + 0.5) * step for i in range(n)]

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * plot_h

    unit = "" if m.unit in (None, "", "%") else f" {m.unit}"
    pct = "%" if m.unit == "%" else ""
    show = lambda v: "no data" if v is None else f"{_fmt(v, m.decimals)}{pct}{unit}"  # noqa: E731

    title = f"Trend of {m.title}" + (f", {month_label(points[0].period)} to {month_label(points[-1].period)}" if points else "")
    desc_parts = [f"{month_label(p.period)}: {show(p.value)}" + (f" ({BAND_WORDS[p.rag]})" if p.target is not None else "")
                  for p in points]
    last = points[-1] if points else None
    if last is not None and last.target is not None:
        better = "higher" if m.polarity == "higher" else "lower"
        desc_parts.append(f"Target {show(last.target)}, minimum standard {show(last.floor)}; {better} is better")
    if spc is not None:
        desc_parts.append(f"Process mean {_fmt(spc.mean, m.decimals + 1)}, limits {_fmt(spc.lower, m.decimals + 1)} "
                          f"to {_fmt(spc.upper, m.decimals + 1)}")
    desc = ". ".join(desc_parts) + "."

    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#ffffff" stroke="{GREY}" stroke-width="0.5"/>',
    ]
    # band shading, period by period (targets may change)
    if m.polarity in ("higher", "lower"):
        for x, p in zip(xs, points, strict=True):
            if p.target is None or p.floor is None:
                continue
            for band, a, z in _zones(m.polarity, p.target, p.floor, lo, hi):
                out.append(f'<rect x="{x - step / 2:.1f}" y="{y(z):.1f}" width="{step:.1f}" height="{y(a) - y(z):.1f}" '
                           f'fill="{ZONE_COLOURS[band]}"/>')
    # y axis: gridlines and labels
    tick = nice_step(hi - lo)
    tick_decimals = len(f"{tick:g}".partition(".")[2])
    v = math.ceil(lo / tick) * tick
    while v <= hi + 1e-9:
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   'stroke="#dddddd" stroke-width="0.5"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" fill="{GREY}">'
                   f"{escape(_fmt(v, tick_decimals))}</text>")
        v += tick
    # x axis labels: at most 7, always the latest
    every = max(1, math.ceil(n / 7))
    for i, (x, p) in enumerate(zip(xs, points, strict=True)):
        if (n - 1 - i) % every == 0:
            out.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" fill="{GREY}">'
                       f"{escape(month_label(p.period))}</text>")
    # SPC mean and process limits
    if spc is not None:
        for value, dash in ((spc.mean, ""), (spc.lower, ' stroke-dasharray="1 3"'), (spc.upper, ' stroke-dasharray="1 3"')):
            out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                       f'stroke="{GREY}" stroke-width="1"{dash}/>')
    # target and minimum standard
    targets = _step_path(xs, step / 2, [y(p.target) if p.target is not None else None for p in points])
    floors = _step_path(xs, step / 2, [y(p.floor) if p.floor is not None else None for p in points])
    if targets:
        out.append(f'<path d="{targets}" fill="none" stroke="{INK}" stroke-width="1.5" stroke-dasharray="7 4"/>')
    if floors:
        out.append(f'<path d="{floors}" fill="none" stroke="{INK}" stroke-width="1.5" stroke-dasharray="2 3"/>')
    # the values: a line broken where there is no value, a dot coloured by band
    segment: list[str] = []
    lines: list[str] = []
    for x, p in zip(xs, points, strict=True):
        if p.value is None:
            if len(segment) > 1:
                lines.append(" ".join(segment))
            segment = []
            continue
        segment.append(f"{x:.1f},{y(p.value):.1f}")
    if len(segment) > 1:
        lines.append(" ".join(segment))
    for pts in lines:
        out.append(f'<polyline points="{pts}" fill="none" stroke="#1d70b8" stroke-width="2.5"/>')
    for x, p in zip(xs, points, strict=True):
        if p.value is None:
            continue
        colour = BAND_COLOURS.get(p.rag or "", "#1d70b8") if p.target is not None else "#1d70b8"
        out.append(f'<circle cx="{x:.1f}" cy="{y(p.value):.1f}" r="4" fill="{colour}" stroke="{INK}" stroke-width="1"/>')
    if last is not None and last.value is not None:
        out.append(f'<text x="{LEFT + plot_w + 8}" y="{y(last.value) + 4:.1f}" font-size="12" '
                   f'font-weight="bold" fill="{INK}">{escape(show(last.value))}</text>')
    out.append(_legend(m, spc is not None))
    out.append("</svg>")
    return "\n".join(out)


def _legend(m: ChartMeasure, with_spc: bool) -> str:
    """A key along the bottom of the chart, in words as well as line styles."""
    y0 = HEIGHT - 22
    items: list[tuple[str, str]] = [("value", 'stroke="#1d70b8" stroke-width="2.5"')]
    if m.polarity in ("higher", "lower"):
        items += [("target", f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="7 4"'),
                  ("minimum standard", f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="2 3"')]
    if with_spc:
        items += [("process mean", f'stroke="{GREY}" stroke-width="1"'),
                  ("process limits", f'stroke="{GREY}" stroke-width="1" stroke-dasharray="1 3"')]
    out = ['<g class="legend" font-size="11">']
    x = LEFT
    for label, style in items:
        out.append(f'<line x1="{x}" x2="{x + 24}" y1="{y0}" y2="{y0}" {style}/>')
        out.append(f'<text x="{x + 28}" y="{y0 + 4}" fill="{INK}">{label}</text>')
        x += 34 + 6.5 * len(label) + 12
    if m.polarity in ("higher", "lower"):
        out.append(f'<text x="{LEFT}" y="{y0 + 18}" fill="{GREY}">Shading: the Green, Amber and Red zones of each month</text>')
    out.append("</g>")
    return "\n".join(out)
