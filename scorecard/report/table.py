"""The full scorecard table for the HTML paper, by section, drawn with great-tables.

great-tables renders the polars frame to HTML with column headers `scope`d, row headers, every
text cell escaped, styles inline in a <style> block, and an inline SVG sparkline per row
(`fmt_nanoplot`, with our own alternative text). Nothing it writes refers outside the file; the
report's tests check that.
"""

from __future__ import annotations

import polars as pl
from great_tables import GT, from_column, loc, nanoplot_options, style

from ..engine.results import PeriodResult
from ..present import band_word, change_words, month_label
from . import words
from .charts import BAND_COLOURS
from .content import TREND_POINTS, Paper, Section

BAND_TEXT = {"green": "#ffffff", "amber": "#0b0c0c", "red": "#ffffff", "no_data": "#0b0c0c"}


def scorecard_table(p: Paper, sections: list[Section] | None = None) -> str:
    """The table of `sections` (default all of the paper's), grouped by section."""
    rows = [row for s in (p.sections if sections is None else sections) for row in s.rows]
    if not rows:
        return "<p>The scorecard has no measures for this period.</p>"
    frame = pl.DataFrame(
        {
            "section": [r.rating.section for r in rows],
            "measure": [f"{r.rating.title} ({r.rating.id})" for r in rows],
            "value": [_v(r.rating.value, r.rating.decimals, r.rating.unit) for r in rows],
            "rag": [band_word(r.rating.rag, r.rating.rated) for r in rows],
            "target": [_v(r.rating.target, r.rating.decimals, r.rating.unit) for r in rows],
            "floor": [_v(r.rating.floor, r.rating.decimals, r.rating.unit) for r in rows],
            "previous": [_previous(r.rating.previous, r.rating.decimals, r.rating.unit) for r in rows],
            "change": [change_words(r.rating.change)
                       if r.rating.change else "-" for r in rows],
            "comparators": ["; ".join(f"{k} {_v(x, r.rating.decimals, r.rating.unit)}" for k, x in r.rating.comparators.items())
                            or "-" for r in rows],
            # a trend with no value at all draws nothing (great-tables refuses an empty list)
            "trend": [[t.value for t in r.trend] if any(t.value is not None for t in r.trend) else [None] for r in rows],
            "alt": [words.trend_alt(r.trend, r.rating.decimals, r.rating.unit) for r in rows],
        },
        schema={"section": pl.String, "measure": pl.String, "value": pl.String, "rag": pl.String, "target": pl.String,
                "floor": pl.String, "previous": pl.String, "change": pl.String, "comparators": pl.String,
                "trend": pl.List(pl.Float64), "alt": pl.String},
    )
    gt = (
        GT(frame, rowname_col="measure", groupname_col="section")
        .tab_stubhead(label="Measure")
        .cols_label(value="Value", rag="RAG rating", target="Target", floor="Minimum standard",
                    previous=f"Previous ({month_label(p.previous_period)})", change="Change", comparators="Comparators",
                    trend=f"Trend (up to {TREND_POINTS} months)")
        .fmt_nanoplot(columns="trend", alt=from_column("alt"),
                      options=nanoplot_options(data_line_stroke_color="#1d70b8", data_point_fill_color="#1d70b8",
                                               data_point_stroke_color="#0b0c0c", show_data_area=False,
                                               show_vertical_guides=False, show_y_axis_guide=False))
        .cols_hide("alt")
        .cols_align("right", columns=["value", "target", "floor"])
        .tab_options(table_font_size="12px", table_width="100%", column_labels_font_weight="bold",
                     row_group_font_weight="bold", data_row_padding="3px", container_padding_y="0px",
                     table_font_names=["Arial", "Helvetica", "sans-serif"])
    )
    gt = gt.tab_style(style.text(whitespace="nowrap"), loc.body(columns=["change", "rag", "value", "target", "floor"]))
    for band in ("green", "amber", "red", "no_data"):
        hit = [i for i, r in enumerate(rows) if r.rating.rated and r.rating.rag == band]
        if hit:
            gt = gt.tab_style([style.fill(BAND_COLOURS[band]), style.text(color=BAND_TEXT[band], weight="bold")],
                              loc.body(columns="rag", rows=hit))
    return gt.as_raw_html(inline_css=False)


def _v(value: float | None, decimals: int, unit: str | None) -> str:
    return "-" if value is None else words.value_text(value, decimals, unit)


def _previous(prev: PeriodResult | None, decimals: int, unit: str | None) -> str:
    if prev is None:
        return "-"
    if prev.target is None:
        return _v(prev.value, decimals, unit)
    return f"{_v(prev.value, decimals, unit)} ({band_word(prev.rag)})"
